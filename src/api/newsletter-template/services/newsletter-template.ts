import { factories } from '@strapi/strapi';

/**
 * Reusable newsletter templates (an e-mail subject and HTML body, optionally a Telegram body, with {{variables}}).
 * Written by the Newsletters page (plugins/newsletter, `/newsletter/templates`); there are no REST routes.
 */
export default factories.createCoreService('api::newsletter-template.newsletter-template');
