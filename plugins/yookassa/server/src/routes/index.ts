export default {
  'content-api': {
    type: 'content-api',
    routes: [
      {
        method: 'POST',
        path: '/webhook',
        handler: 'webhook.receive',
        // YooKassa sends no credentials; the controller checks the sender's address and re-fetches the object.
        config: { auth: false },
      },
    ],
  },
  admin: {
    type: 'admin',
    routes: [
      {
        method: 'POST',
        path: '/payments/:documentId/refund',
        handler: 'refunds.create',
        config: { policies: [{ name: 'admin::hasPermissions', config: { actions: ['plugin::yookassa.refund'] } }] },
      },
    ],
  },
};
