/** Plugin services; each feature adds its own file. */
import members from './members';
import inbox from './inbox';
import calendar from './calendar';
import staffBooking from './staff-booking';
import home from './home';

export default {
  members,
  inbox,
  calendar,
  'staff-booking': staffBooking,
  home,
};
