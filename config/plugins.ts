import type { Core } from '@strapi/strapi';
import { demoSettings } from './demo';

// Media the API accepts; SVG and executables are refused outright.
const allowedMediaTypes = ['image/jpeg', 'image/png', 'image/webp', 'image/gif', 'application/pdf', 'text/csv'];

const deniedTypes = [
  'image/svg+xml',
  'text/html',
  'application/vnd.microsoft.portable-executable',
  'application/x-msdownload',
  'application/x-msdos-program',
  'application/x-executable',
  'application/x-dosexec',
  'application/x-sh',
  'text/x-shellscript',
  'application/x-mach-binary',
];

const config = ({ env }: Core.Config.Shared.ConfigParams): Core.Config.Plugin => ({
  'users-permissions': {
    config: {
      // Member sessions (docs/API.md, Authentication): a short access token bound to a session and a rotating
      // refresh token, both in JSON bodies (no cookie: members' clients are bearer clients, and a Secure cookie
      // cannot be sent over plain HTTP). src/extensions/users-permissions makes logout revoke at once.
      jwtManagement: 'refresh',
      sessions: {
        httpOnly: false,
        accessTokenLifespan: env.int('MEMBER_ACCESS_TOKEN_TTL_SECONDS', 10 * 60),
        idleRefreshTokenLifespan: env.int('MEMBER_REFRESH_IDLE_TTL_SECONDS', 14 * 24 * 60 * 60),
        maxRefreshTokenLifespan: env.int('MEMBER_REFRESH_MAX_TTL_SECONDS', 30 * 24 * 60 * 60),
      },
      // Brute-force guard on /api/auth/*: 10 attempts per 5 minutes per address.
      ratelimit: { enabled: env.bool('AUTH_RATELIMIT_ENABLED', true), interval: { min: 5 }, max: 10 },
      register: { allowedFields: [] },
    },
  },
  // No provider unless EMAIL_PROVIDER names one (src/extensions/email/strapi-server.ts refuses every send until then).
  email: {
    config: {
      // Strapi needs a provider to boot: sendmail is loaded but never sends while EMAIL_PROVIDER is unset.
      provider: env('EMAIL_PROVIDER', '').trim() || 'sendmail',
      providerOptions: env.json('EMAIL_PROVIDER_OPTIONS', {}),
      settings: { defaultFrom: env('EMAIL_FROM', ''), defaultReplyTo: env('EMAIL_REPLY_TO', '') },
    },
  },
  upload: {
    config: {
      sizeLimit: env.int('UPLOAD_SIZE_LIMIT_BYTES', 10 * 1024 * 1024),
      security: { allowedTypes: allowedMediaTypes, deniedTypes },
    },
  },
  // Our OpenAPI document and Swagger UI at /documentation (plugins/api-docs; docs/API.md says why not
  // @strapi/plugin-documentation). Public outside production; in production an API token or an admin
  // JWT is needed unless DOCUMENTATION_PUBLIC=true, which production honours only with
  // ALLOW_DEMO_SETTINGS=true (config/demo.ts).
  'api-docs': {
    enabled: true,
    resolve: './plugins/api-docs',
    config: {
      public: demoSettings(env).documentationPublic,
      info: {
        version: '1.0.0',
        title: 'Coworking platform API',
        description:
          'REST API of the coworking platform. Public ids are documentId strings; money is integer kopecks (RUB); ' +
          'errors use the envelope { data: null, error: { status, name, message, details } }.',
      },
    },
  },
  monitoring: {
    enabled: true,
    resolve: './plugins/monitoring',
  },
  // Payments (plugins/yookassa, docs/PAYMENTS.md). Without a shop id and secret key no payment links are made.
  yookassa: {
    enabled: true,
    resolve: './plugins/yookassa',
    config: {
      shopId: env('YOOKASSA_SHOP_ID', ''),
      secretKey: env('YOOKASSA_SECRET_KEY', ''),
      apiUrl: env('YOOKASSA_API_URL', 'https://api.yookassa.ru/v3'),
      returnUrl: env('YOOKASSA_RETURN_URL', 'https://t.me'),
      ...(env('YOOKASSA_WEBHOOK_ALLOWED_IPS', '').trim() === ''
        ? {}
        : { webhookAllowedIps: env.array('YOOKASSA_WEBHOOK_ALLOWED_IPS') }),
      trustedProxies: env.array('TRUSTED_PROXIES', []),
      receipts: {
        enabled: env.bool('YOOKASSA_RECEIPTS', false),
        vatCode: env.int('YOOKASSA_VAT_CODE', 1),
        taxSystemCode: env('YOOKASSA_TAX_SYSTEM_CODE', '') === '' ? null : env.int('YOOKASSA_TAX_SYSTEM_CODE'),
        itemName: env('YOOKASSA_RECEIPT_ITEM', 'Услуги коворкинга'),
      },
      timeoutMs: env.int('YOOKASSA_TIMEOUT_MS', 10000),
      reconcileAfterMs: env.int('YOOKASSA_RECONCILE_AFTER_MS', 120000),
    },
  },
  // Staff actions on bookings (confirm, reject, cancel, mark paid, reschedule) as admin routes.
  'booking-desk': {
    enabled: true,
    resolve: './plugins/booking-desk',
  },
});

export default config;
