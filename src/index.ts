import type { Core } from '@strapi/strapi';
import { ensureHotPathIndexes } from '../database/hot-path-indexes';
import { seedDemoData } from '../database/seed';
import { startOutboxWorker, stopOutboxWorker } from './api/outbox-job/services/worker';
import { ensureAdminLayouts } from './bootstrap/admin-layouts';
import { ensureStaffRoles } from './bootstrap/admin-roles';
import { ensureFirstAdmin } from './bootstrap/first-admin';
import { configureMemberAccess } from './bootstrap/users-permissions';
import { normalisePromocode } from './document-middlewares/normalise-promocode';
import { closeRateLimits } from './utils/rate-limit';

export default {
  register({ strapi }: { strapi: Core.Strapi }) {
    strapi.documents.use(normalisePromocode);
  },

  /** Every step is idempotent: it runs at each boot and converges the database to the desired state. */
  async bootstrap({ strapi }: { strapi: Core.Strapi }) {
    // Strapi runs user migrations before its schema sync, so on an empty database the index
    // migration finds no tables; running the same idempotent step after sync covers that case.
    await ensureHotPathIndexes(strapi.db.connection);
    await configureMemberAccess(strapi);
    await ensureStaffRoles(strapi);
    await ensureFirstAdmin(strapi);
    await ensureAdminLayouts(strapi);
    if (process.env.SEED_DEMO === 'true') await seedDemoData(strapi);
    // Last, so the worker starts on a converged database (docs/OUTBOX.md; OUTBOX_WORKER=false turns it off).
    startOutboxWorker(strapi);
  },

  async destroy({ strapi }: { strapi: Core.Strapi }) {
    await stopOutboxWorker(strapi);
    await closeRateLimits(strapi);
  },
};
