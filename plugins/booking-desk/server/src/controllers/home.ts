import type { Core } from '@strapi/strapi';

/** Admin controller of the home feature. */
export default ({ strapi }: { strapi: Core.Strapi }) => {
  void strapi;
  return {};
};
