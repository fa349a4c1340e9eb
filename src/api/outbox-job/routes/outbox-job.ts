import { factories } from '@strapi/strapi';

export default factories.createCoreRouter('api::outbox-job.outbox-job', {
  // Written only by the server itself; integrators may read it with a token.
  only: ['find', 'findOne'],
});
