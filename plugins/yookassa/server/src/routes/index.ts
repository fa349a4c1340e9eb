export default {
  'content-api': {
    type: 'content-api',
    routes: [
      {
        method: 'POST',
        path: '/webhook',
        handler: 'webhook.receive',
        // YooKassa sends no credentials; the controller checks the sender's address and re-fetches the object.
        // Rule `paymentWebhook` of the app's config/rate-limits.ts, per sending address.
        config: {
          auth: false,
          middlewares: [{ name: 'global::rate-limit', config: { rule: 'paymentWebhook', by: 'ip', refused: 'Too many notifications from this address' } }],
        },
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
