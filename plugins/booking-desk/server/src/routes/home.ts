import { permissionOf } from '../actions';

/** Admin routes of the home feature (docs/ADMIN.md, Home page). Any one of the three reads opens the route. */
export default [
  {
    method: 'GET',
    path: '/home',
    handler: 'home.find',
    config: {
      policies: [
        {
          name: 'plugin::booking-desk.has-any-permission',
          config: { actions: [permissionOf('calendarRead'), permissionOf('inboxRead'), permissionOf('revenueRead')] },
        },
      ],
    },
  },
];
