import { factories } from '@strapi/strapi';

const catalogue = { middlewares: ['api::resource.catalogue-query'] };

export default factories.createCoreRouter('api::resource.resource', {
  config: { find: catalogue, findOne: catalogue },
});
