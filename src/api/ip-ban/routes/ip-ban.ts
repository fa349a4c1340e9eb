import { factories } from '@strapi/strapi';

// API tokens manage bans like any content type (docs/ROLES.md); writes are validated and audited by
// src/api/ip-ban/document-middleware.ts.
export default factories.createCoreRouter('api::ip-ban.ip-ban');
