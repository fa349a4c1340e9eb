import type { Core } from '@strapi/strapi';
import { cronTasks } from './cron-tasks';

const config = ({ env }: Core.Config.Shared.ConfigParams): Core.Config.Server => ({
  host: env('HOST', '0.0.0.0'),
  port: env.int('PORT', 1337),
  url: env('PUBLIC_URL', ''),
  // Trust X-Forwarded-* only behind our own reverse proxy: off by default.
  proxy: { koa: env.bool('SERVER_PROXY', false) },
  app: {
    keys: env.array('APP_KEYS')!,
  },
  webhooks: {
    populateRelations: env.bool('WEBHOOKS_POPULATE_RELATIONS', false),
  },
  // No calls home: update checks and the startup banner stay off.
  logger: {
    updates: { enabled: false },
    startup: { enabled: false },
  },
  transfer: {
    remote: { enabled: env.bool('TRANSFER_REMOTE_ENABLED', false) },
  },
  cron: {
    enabled: !env.bool('STRAPI_DISABLE_CRON', false),
    tasks: cronTasks({ env }),
  },
});

export default config;
