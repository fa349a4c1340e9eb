import { factories } from '@strapi/strapi';

export default factories.createCoreController('api::promocode-redemption.promocode-redemption');
