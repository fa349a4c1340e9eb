import { factories } from '@strapi/strapi';

/**
 * Read-only for API tokens: newsletters are composed, sent, paused and cancelled on the Newsletters page
 * (plugins/newsletter, admin routes under RBAC), where every state change is checked and audited.
 */
export default factories.createCoreRouter('api::newsletter.newsletter', { only: ['find', 'findOne'] });
