import { factories } from '@strapi/strapi';

/** Read-only for API tokens: deliveries are written by the newsletter dispatcher (plugins/newsletter) only. */
export default factories.createCoreRouter('api::newsletter-delivery.newsletter-delivery', { only: ['find', 'findOne'] });
