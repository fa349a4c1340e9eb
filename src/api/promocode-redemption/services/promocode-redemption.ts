import { factories } from '@strapi/strapi';

export default factories.createCoreService('api::promocode-redemption.promocode-redemption');
