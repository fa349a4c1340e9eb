import type { Core } from '@strapi/strapi';
import type { DemoSettings } from '../config/demo';
import { ensureHotPathIndexes } from '../database/hot-path-indexes';
import { seedDemoData } from '../database/seed';
import { registerIpBanAdminRoutes } from './api/ip-ban/admin-routes';
import type { BookingLabelService } from './api/booking/services/label';
import { ipBanDocuments } from './api/ip-ban/document-middleware';
import { registerOutboxAdminRoutes } from './api/outbox-job/admin-routes';
import { startOutboxWorker, stopOutboxWorker } from './api/outbox-job/services/worker';
import { answerAiFeatureConfigWithAiOff } from './bootstrap/admin-ai-config';
import { ensureAdminLayouts } from './bootstrap/admin-layouts';
import { ensureStaffRoles } from './bootstrap/admin-roles';
import { ensureFirstAdmin } from './bootstrap/first-admin';
import { configureMemberAccess } from './bootstrap/users-permissions';
import { normalisePromocode } from './document-middlewares/normalise-promocode';
import { protectedFields, subscribeDeleteGuards } from './document-middlewares/protected-fields';
import { validatePromocode } from './document-middlewares/validate-promocode';
import { closeRateLimits, rateLimits } from './utils/rate-limit';

export default {
  register({ strapi }: { strapi: Core.Strapi }) {
    strapi.documents.use(normalisePromocode);
    strapi.documents.use(validatePromocode(strapi));
    // IP bans: validated, stamped and audited on every write; an admin route for the nginx export.
    strapi.documents.use(ipBanDocuments(strapi));
    registerIpBanAdminRoutes(strapi);
    // The content manager's console 404 (GET /admin/ai-feature-config with Strapi AI off): see the file.
    answerAiFeatureConfigWithAiOff(strapi);
    // Integrity of records: protected fields only our services write, deletion guards, the outbox retry route.
    strapi.documents.use(protectedFields(strapi));
    subscribeDeleteGuards(strapi);
    registerOutboxAdminRoutes(strapi);
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
    // SEED_DEMO, and whether production ignores it (config/demo.ts).
    const demo = strapi.config.get<DemoSettings>('demo');
    for (const setting of demo.ignored) {
      strapi.log.warn(`${setting} ignored under NODE_ENV=production (ALLOW_DEMO_SETTINGS is not true)`);
    }
    if (demo.seed) await seedDemoData(strapi);
    // Staff titles of bookings written in bulk (the seed) or before the label existed.
    await (strapi.service('api::booking.label') as unknown as BookingLabelService).backfill();
    // Last, so the worker starts on a converged database (docs/OUTBOX.md; OUTBOX_WORKER=false turns it off).
    startOutboxWorker(strapi);
    // Opens the limiter's Redis connection now, so the first requests are counted in Redis, not per instance.
    rateLimits(strapi);
  },

  async destroy({ strapi }: { strapi: Core.Strapi }) {
    await stopOutboxWorker(strapi);
    await closeRateLimits(strapi);
  },
};
