import type { Core } from '@strapi/strapi';

const config = ({ env }: Core.Config.Shared.ConfigParams): Core.Config.Admin => ({
  auth: {
    secret: env('ADMIN_JWT_SECRET')!,
    // The admin panel is served by this server, so its refresh cookie never needs to travel on a cross-site
    // request (Strapi's default is lax).
    cookie: { sameSite: 'strict' },
  },
  // Strapi's own login limiter counts successful logins too and keys on e-mail + address, which spraying many
  // e-mails gets round; src/middlewares/admin-login-guard.ts counts failures per address and per account instead.
  rateLimit: { enabled: false },
  apiToken: {
    salt: env('API_TOKEN_SALT')!,
  },
  transfer: {
    token: {
      salt: env('TRANSFER_TOKEN_SALT')!,
    },
  },
  secrets: {
    encryptionKey: env('ENCRYPTION_KEY')!,
  },
  // No preview of records on a website (the content manager's "Preview" panel). Disabled explicitly: without this
  // setting Strapi 5.54 treats preview as "not set up", answers the edit view's GET /content-manager/preview/url
  // with a 404 (a console error on every record) and shows staff a "Set up preview" link to its docs; disabled, it
  // answers 204 and the panel is not shown. (The handler is never called while disabled; the type requires one.)
  preview: { enabled: false, config: { handler: () => null } },
  flags: {
    nps: env.bool('FLAG_NPS', false),
    promoteEE: env.bool('FLAG_PROMOTE_EE', false),
    docLinks: env.bool('FLAG_DOC_LINKS', true),
  },
});

export default config;
