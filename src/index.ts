import type { Core } from '@strapi/strapi';
import { ensureHotPathIndexes } from '../database/hot-path-indexes';

export default {
  register() {},

  async bootstrap({ strapi }: { strapi: Core.Strapi }) {
    // Strapi runs user migrations before its schema sync, so on an empty database the index
    // migration finds no tables; running the same idempotent step after sync covers that case.
    await ensureHotPathIndexes(strapi.db.connection);
  },
};
