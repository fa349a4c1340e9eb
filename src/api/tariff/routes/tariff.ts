import { factories } from '@strapi/strapi';

const catalogue = { middlewares: ['api::tariff.catalogue-query'] };

export default factories.createCoreRouter('api::tariff.tariff', {
  config: { find: catalogue, findOne: catalogue },
});
