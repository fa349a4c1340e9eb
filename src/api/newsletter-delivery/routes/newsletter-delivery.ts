import { factories } from '@strapi/strapi';

export default factories.createCoreRouter('api::newsletter-delivery.newsletter-delivery');
