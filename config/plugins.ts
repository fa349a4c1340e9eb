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

type Env = Core.Config.Shared.ConfigParams['env'];

/** The email plugin's config: EMAIL_PROVIDER as given, else SMTP through nodemailer, else the refused sendmail. */
function emailConfig(env: Env) {
  const provider = env('EMAIL_PROVIDER', '').trim();
  const smtpHost = env('SMTP_HOST', '').trim();
  const defaultFrom = env('SMTP_FROM', '').trim() || env('EMAIL_FROM', '');
  const settings = { defaultFrom, defaultReplyTo: env('EMAIL_REPLY_TO', '') };
  if (provider !== '' || smtpHost === '') {
    // Strapi needs a provider to boot: sendmail is loaded but never sends while neither is set.
    return { provider: provider || 'sendmail', providerOptions: env.json('EMAIL_PROVIDER_OPTIONS', {}), settings };
  }
  const secure = env.bool('SMTP_SECURE', false);
  const user = env('SMTP_USER', '').trim();
  const pool = env.bool('SMTP_POOL', true);
  return {
    provider: 'nodemailer',
    providerOptions: {
      host: smtpHost,
      port: env.int('SMTP_PORT', secure ? 465 : 587),
      // true: implicit TLS (port 465); false: STARTTLS when the server offers it (required with SMTP_REQUIRE_TLS).
      secure,
      requireTLS: env.bool('SMTP_REQUIRE_TLS', false),
      tls: { rejectUnauthorized: env.bool('SMTP_REJECT_UNAUTHORIZED', true) },
      ...(user ? { auth: { user, pass: env('SMTP_PASS', '') } } : {}),
      ...(pool ? { pool: true, maxConnections: env.int('SMTP_MAX_CONNECTIONS', 3), maxMessages: 500 } : {}),
      connectionTimeout: env.int('SMTP_CONNECTION_TIMEOUT_MS', 15_000),
      greetingTimeout: 10_000,
      socketTimeout: env.int('SMTP_SOCKET_TIMEOUT_MS', 60_000),
    },
    settings,
  };
}

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
  // E-mail (docs/NEWSLETTERS.md, E-mail): EMAIL_PROVIDER names any provider (with EMAIL_PROVIDER_OPTIONS); else
  // SMTP_HOST selects the nodemailer provider with SMTP_*; with neither, src/extensions/email/strapi-server.ts
  // refuses every send.
  email: { config: emailConfig(env) },
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
  // Newsletters: Telegram broadcasts and e-mail campaigns (plugins/newsletter, docs/NEWSLETTERS.md). Settings come
  // from the environment (plugins/newsletter/server/src/config.ts): NEWSLETTER_RATE, EMAIL_RATE, SMTP_*, ...
  newsletter: {
    enabled: true,
    resolve: './plugins/newsletter',
  },
  // Staff actions on bookings (confirm, reject, cancel, mark paid, reschedule) as admin routes.
  'booking-desk': {
    enabled: true,
    resolve: './plugins/booking-desk',
  },
});

export default config;
