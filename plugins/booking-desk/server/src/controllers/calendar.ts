import type { Core } from '@strapi/strapi';

/** Admin controller of the calendar feature. */
export default ({ strapi }: { strapi: Core.Strapi }) => {
  void strapi;
  return {};
};
