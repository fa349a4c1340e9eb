import type { Core } from '@strapi/strapi';

const config: Core.Config.Middlewares = [
  'strapi::logger',
  'strapi::errors',
  'strapi::security',
  'strapi::cors',
  'strapi::poweredBy',
  'strapi::query',
  {
    name: 'strapi::body',
    // Small JSON bodies; uploads have their own limit in config/plugins.ts.
    config: { jsonLimit: '256kb', formLimit: '256kb', textLimit: '256kb' },
  },
  'strapi::session',
  'strapi::favicon',
  'strapi::public',
];

export default config;
