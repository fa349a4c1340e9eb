import type { Core } from '@strapi/strapi';

const config: Core.Config.Middlewares = [
  'strapi::logger',
  'strapi::errors',
  // Refuses banned addresses before anything else runs (src/middlewares/ip-ban.ts).
  'global::ip-ban',
  // helmet with Strapi's defaults, reviewed: CSP (frame-ancestors 'self'; Swagger UI's needs on GET /documentation),
  // HSTS for a year (honoured over HTTPS only), X-Frame-Options SAMEORIGIN, Referrer-Policy no-referrer, nosniff.
  'strapi::security',
  {
    name: 'strapi::cors',
    // Only the origins of config/cors.ts (CORS_ORIGINS), credentials only for them; preflights cached 10 minutes.
    config: { origin: () => strapi.config.get('cors.origins'), maxAge: 600 },
  },
  // Writes from any other browser origin are refused (src/middlewares/origin-guard.ts).
  'global::origin-guard',
  // No strapi::poweredBy: X-Powered-By only tells an attacker what to try.
  'strapi::query',
  // Turns malformed bodies (bad JSON, bad gzip, broken multipart) into 400s in Strapi's envelope.
  'global::request-errors',
  {
    name: 'strapi::body',
    // Small JSON bodies; uploads have their own limit in config/plugins.ts.
    config: { jsonLimit: '256kb', formLimit: '256kb', textLimit: '256kb' },
  },
  // Counts failed staff logins per address and per account (src/middlewares/admin-login-guard.ts).
  'global::admin-login-guard',
  'strapi::session',
  'strapi::favicon',
  // Ticket attachments are not public files; every upload is served with nosniff.
  'global::private-uploads',
  'strapi::public',
];

export default config;
