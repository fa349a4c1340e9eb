export default {
  'content-api': {
    type: 'content-api',
    routes: [
      {
        method: 'GET',
        path: '/health',
        handler: 'health.check',
        // Load balancers and uptime checks call it without credentials; it reveals only up/down.
        config: { auth: false },
      },
    ],
  },
  admin: {
    type: 'admin',
    routes: [
      {
        method: 'GET',
        path: '/health',
        handler: 'health.check',
        config: {
          policies: [{ name: 'admin::hasPermissions', config: { actions: ['plugin::monitoring.read'] } }],
        },
      },
    ],
  },
};
