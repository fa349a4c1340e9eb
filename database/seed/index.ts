/**
 * Demo data for a fresh installation (`SEED_DEMO=true` at boot, or `npm run seed`): three resources,
 * five tariffs, five promo codes, about 300 members and six months of bookings, payments, refunds,
 * promo code redemptions and support tickets. Idempotent and written in one transaction.
 */
import type { Core } from '@strapi/strapi';
import { MINUTE_MS } from './calendar';
import { type DerivedUpdates, persistPlan, type SeedCounts } from './persist';
import { buildDemoPlan } from './plan';
import { createWriter } from './writer';

export interface SeedReport {
  /** The demo data's "now" (see loadAnchor). */
  anchor: string;
  durationMs: number;
  counts: SeedCounts;
  updated: DerivedUpdates;
}

/** Any fixed number: the PostgreSQL advisory lock that serialises concurrent seed runs. */
const SEED_LOCK_KEY = 5_330_651_001;

/**
 * The demo history is laid out around an anchor time, fixed at the first run and kept in the core
 * store: a later run, even days later, rebuilds exactly the same rows and so finds them all present
 * instead of adding a shifted copy. Seed a fresh database to move the window to the present.
 */
async function loadAnchor(strapi: Core.Strapi): Promise<Date> {
  const store = strapi.store({ type: 'core', name: 'demo-seed' });
  const saved = await store.get({ key: 'anchor' });
  if (typeof saved === 'string') return new Date(saved);
  const anchor = new Date(Math.floor(Date.now() / MINUTE_MS) * MINUTE_MS);
  await store.set({ key: 'anchor', value: anchor.toISOString() });
  return anchor;
}

export async function seedDemoData(strapi: Core.Strapi): Promise<SeedReport> {
  const started = Date.now();
  const { anchor, counts, updated } = await strapi.db.transaction(async ({ trx }) => {
    // Several instances booting at once with SEED_DEMO=true: the others wait here, then find every row present.
    if (strapi.db.dialect.client === 'postgres') await trx.raw('select pg_advisory_xact_lock(?)', [SEED_LOCK_KEY]);
    const at = await loadAnchor(strapi);
    const result = await persistPlan(strapi, createWriter(strapi, trx), buildDemoPlan(at));
    return { anchor: at, ...result };
  });
  const report: SeedReport = { anchor: anchor.toISOString(), durationMs: Date.now() - started, counts, updated };
  strapi.log.info(`Demo data: ${formatSeedReport(report)}`);
  return report;
}

/** One line per run: "bookings 2510 new / 0 present, …". */
function formatSeedReport(report: SeedReport): string {
  const counts = Object.entries(report.counts)
    .map(([name, { created, existing }]) => `${name} ${created} new / ${existing} present`)
    .join(', ');
  const { successfulBookings, promocodeUsedCount } = report.updated;
  return (
    `${counts}; counters fixed: successfulBookings ${successfulBookings}, promo usedCount ${promocodeUsedCount}; ` +
    `anchor ${report.anchor}; ${report.durationMs} ms`
  );
}
