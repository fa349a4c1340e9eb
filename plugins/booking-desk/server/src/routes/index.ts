import calendar from './calendar';
import home from './home';
import inbox from './inbox';
import members from './members';
import price from './price';
import staffActions from './staff-actions';

/** Admin routes, served under /booking-desk (admin JWT; each guarded by its RBAC action, ../actions.ts). */
export default {
  admin: {
    type: 'admin',
    routes: [...staffActions, ...price, ...calendar, ...members, ...inbox, ...home],
  },
};
