import bookings from './bookings';
import calendar from './calendar';
import home from './home';
import inbox from './inbox';
import members from './members';
import price from './price';

export default { bookings, calendar, home, inbox, members, price };
