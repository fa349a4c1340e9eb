/**
 * The hot-path indexes of database/hot-path-indexes.ts exist after boot, on SQLite and on
 * PostgreSQL (scripts/test.sh runs this file against both), and the unique ones really refuse duplicates.
 */
import type { Knex } from 'knex';
import { startStrapi, usesPostgres, type TestApp } from '../helpers/strapi';

// Written out here rather than imported, so an index dropped from the migration fails this test.
const expectedIndexes: Array<[table: string, name: string, columns: string[], unique: boolean]> = [
  ['bookings', 'bookings_start_end_idx', ['start_at', 'end_at'], false],
  ['bookings', 'bookings_state_hold_idx', ['state', 'hold_expires_at'], false],
  ['bookings_resource_lnk', 'bookings_resource_lnk_resource_idx', ['resource_id', 'booking_id'], false],
  ['bookings_member_lnk', 'bookings_member_lnk_member_idx', ['user_id', 'booking_id'], false],
  ['bookings', 'bookings_member_idempotency_uq', ['idempotency_key'], true],
  ['payments', 'payments_provider_payment_id_uq', ['provider_payment_id'], true],
  ['payments', 'payments_idempotence_key_uq', ['idempotence_key'], true],
  ['payments', 'payments_state_created_idx', ['state', 'created_at'], false],
  ['refunds', 'refunds_provider_refund_id_uq', ['provider_refund_id'], true],
  ['refunds', 'refunds_idempotence_key_uq', ['idempotence_key'], true],
  ['newsletter_deliveries', 'newsletter_deliveries_key_uq', ['delivery_key'], true],
  ['newsletter_deliveries', 'newsletter_deliveries_state_idx', ['state'], false],
  ['newsletter_deliveries', 'newsletter_deliveries_ref_state_idx', ['newsletter_ref', 'channel', 'state', 'id'], false],
  ['newsletter_deliveries', 'newsletter_deliveries_ref_sent_idx', ['newsletter_ref', 'sent_at'], false],
  ['newsletters', 'newsletters_state_scheduled_idx', ['state', 'scheduled_at'], false],
  [
    'newsletter_deliveries_newsletter_lnk',
    'newsletter_deliveries_newsletter_lnk_newsletter_idx',
    ['newsletter_id', 'newsletter_delivery_id'],
    false,
  ],
  ['outbox_jobs', 'outbox_jobs_state_run_after_idx', ['state', 'run_after'], false],
  ['outbox_jobs', 'outbox_jobs_dedupe_key_uq', ['dedupe_key'], true],
  ['up_users', 'up_users_telegram_id_uq', ['telegram_id'], true],
  ['up_users', 'up_users_referral_code_uq', ['referral_code'], true],
  ['promocodes', 'promocodes_code_uq', ['code'], true],
  ['promocode_redemptions', 'promocode_redemptions_state_idx', ['state'], false],
  ['tickets', 'tickets_state_updated_idx', ['state', 'updated_at'], false],
  ['audit_logs', 'audit_logs_subject_idx', ['subject_type', 'subject_id'], false],
  ['audit_logs', 'audit_logs_at_idx', ['at'], false],
];

interface IndexInfo {
  columns: string[];
  unique: boolean;
}

async function readIndex(knex: Knex, table: string, name: string): Promise<IndexInfo | undefined> {
  if (usesPostgres()) {
    const { rows } = await knex.raw(
      `select ix.indisunique as unique, array_agg(a.attname::text order by k.ordinality) as columns
         from pg_class t
         join pg_index ix on t.oid = ix.indrelid
         join pg_class i on i.oid = ix.indexrelid
         cross join lateral unnest(ix.indkey) with ordinality as k(attnum, ordinality)
         join pg_attribute a on a.attrelid = t.oid and a.attnum = k.attnum
        where t.relname = ? and i.relname = ?
        group by ix.indisunique`,
      [table, name],
    );
    return rows[0] && { unique: rows[0].unique, columns: rows[0].columns };
  }
  const list: Array<{ name: string; unique: number }> = await knex.raw(`pragma index_list("${table}")`);
  const found = list.find((row) => row.name === name);
  if (!found) return undefined;
  const info: Array<{ name: string }> = await knex.raw(`pragma index_info("${name}")`);
  return { unique: found.unique === 1, columns: info.map((column) => column.name) };
}

describe('hot-path indexes', () => {
  let app: TestApp;

  beforeAll(async () => {
    app = await startStrapi();
  });

  afterAll(async () => {
    await app.stop();
  });

  it.each(expectedIndexes)('%s has %s on (%s)', async (table, name, columns, unique) => {
    const index = await readIndex(app.strapi.db.connection, table, name);
    expect(index).toEqual({ columns, unique });
  });

  it('records the index migration as applied, so an upgraded database gets it once', async () => {
    const knex = app.strapi.db.connection;
    const rows = await knex('strapi_migrations').select('name');
    expect(rows.map((row: { name: string }) => row.name)).toContain('2026.11.24T00.00.00.hot-path-indexes.js');
  });

  it('lets the database refuse a second payment with the same provider id', async () => {
    const knex = app.strapi.db.connection;
    const row = (key: string) => ({
      document_id: `doc${key}`.padEnd(24, '0'),
      provider: 'yookassa',
      provider_payment_id: 'pay-duplicate',
      idempotence_key: key,
      amount: 100,
      currency: 'RUB',
      state: 'pending',
    });
    await knex('payments').insert(row('key-a'));
    // Caught by hand: the driver's error class may come from another module realm than jest's `Error`.
    const refusal = await knex('payments')
      .insert(row('key-b'))
      .then(() => null, (error: { message?: string }) => error);
    expect(refusal?.message).toMatch(/unique|duplicate/i);
    const [{ n }] = await knex('payments').where({ provider_payment_id: 'pay-duplicate' }).count({ n: '*' });
    expect(Number(n)).toBe(1);
  });
});
