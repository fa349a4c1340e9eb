import type { Knex } from 'knex';

/**
 * Indexes the hot paths need (ARCHITECTURE §4). Strapi's schema sync does not create them, and it
 * leaves indexes it did not create alone, so they are ours to manage.
 *
 * Strapi keeps relations in link tables (`<table>_<field>_lnk`), so "bookings of a resource" is an
 * index on the link table, and "bookings in a time range" one on the bookings table.
 *
 * Attribute-level `unique` in a Strapi schema is checked by the application only; the unique
 * indexes below make the database refuse duplicates too, even under concurrent writes.
 */
export interface IndexSpec {
  name: string;
  table: string;
  columns: string[];
  unique?: boolean;
}

export const HOT_PATH_INDEXES: IndexSpec[] = [
  // Availability: overlapping bookings of one resource, and holds that expire.
  { name: 'bookings_start_end_idx', table: 'bookings', columns: ['start_at', 'end_at'] },
  { name: 'bookings_state_hold_idx', table: 'bookings', columns: ['state', 'hold_expires_at'] },
  { name: 'bookings_resource_lnk_resource_idx', table: 'bookings_resource_lnk', columns: ['resource_id', 'booking_id'] },
  // "My bookings".
  { name: 'bookings_member_lnk_member_idx', table: 'bookings_member_lnk', columns: ['user_id', 'booking_id'] },
  // A retried POST /api/bookings: the key is stored as `<memberId>:<key>`, since the member lives in a link table.
  { name: 'bookings_member_idempotency_uq', table: 'bookings', columns: ['idempotency_key'], unique: true },
  // Payments: webhook lookup by provider id, reconciliation of pending ones.
  { name: 'payments_provider_payment_id_uq', table: 'payments', columns: ['provider_payment_id'], unique: true },
  { name: 'payments_idempotence_key_uq', table: 'payments', columns: ['idempotence_key'], unique: true },
  { name: 'payments_state_created_idx', table: 'payments', columns: ['state', 'created_at'] },
  { name: 'refunds_provider_refund_id_uq', table: 'refunds', columns: ['provider_refund_id'], unique: true },
  { name: 'refunds_idempotence_key_uq', table: 'refunds', columns: ['idempotence_key'], unique: true },
  // Newsletter delivery progress.
  { name: 'newsletter_deliveries_key_uq', table: 'newsletter_deliveries', columns: ['delivery_key'], unique: true },
  { name: 'newsletter_deliveries_state_idx', table: 'newsletter_deliveries', columns: ['state'] },
  // The dispatcher claims a newsletter's due deliveries in id order; the page filters them by state.
  {
    name: 'newsletter_deliveries_ref_state_idx',
    table: 'newsletter_deliveries',
    columns: ['newsletter_ref', 'channel', 'state', 'id'],
  },
  // The progress view's current rate: deliveries of a newsletter sent in the last seconds.
  { name: 'newsletter_deliveries_ref_sent_idx', table: 'newsletter_deliveries', columns: ['newsletter_ref', 'sent_at'] },
  // Newsletters due to start (scheduled) or being sent.
  { name: 'newsletters_state_scheduled_idx', table: 'newsletters', columns: ['state', 'scheduled_at'] },
  {
    name: 'newsletter_deliveries_newsletter_lnk_newsletter_idx',
    table: 'newsletter_deliveries_newsletter_lnk',
    columns: ['newsletter_id', 'newsletter_delivery_id'],
  },
  // Outbox worker: claim the next due jobs.
  { name: 'outbox_jobs_state_run_after_idx', table: 'outbox_jobs', columns: ['state', 'run_after'] },
  { name: 'outbox_jobs_dedupe_key_uq', table: 'outbox_jobs', columns: ['dedupe_key'], unique: true },
  // Members by Telegram id (every bot request) and by referral code.
  { name: 'up_users_telegram_id_uq', table: 'up_users', columns: ['telegram_id'], unique: true },
  { name: 'up_users_referral_code_uq', table: 'up_users', columns: ['referral_code'], unique: true },
  { name: 'promocodes_code_uq', table: 'promocodes', columns: ['code'], unique: true },
  { name: 'promocode_redemptions_state_idx', table: 'promocode_redemptions', columns: ['state'] },
  // Staff queues and history.
  { name: 'tickets_state_updated_idx', table: 'tickets', columns: ['state', 'updated_at'] },
  { name: 'audit_logs_subject_idx', table: 'audit_logs', columns: ['subject_type', 'subject_id'] },
  { name: 'audit_logs_at_idx', table: 'audit_logs', columns: ['at'] },
];

const quote = (identifier: string) => `"${identifier.replace(/"/g, '""')}"`;

/** Creates every missing index; safe to run any number of times. Returns the names it checked. */
export async function ensureHotPathIndexes(knex: Knex): Promise<string[]> {
  const ensured: string[] = [];
  for (const index of HOT_PATH_INDEXES) {
    // On an empty database Strapi runs migrations before it creates the tables (see src/index.ts).
    if (!(await knex.schema.hasTable(index.table))) continue;
    const columns = index.columns.map(quote).join(', ');
    const unique = index.unique ? 'UNIQUE ' : '';
    await knex.raw(`CREATE ${unique}INDEX IF NOT EXISTS ${quote(index.name)} ON ${quote(index.table)} (${columns})`);
    ensured.push(index.name);
  }
  return ensured;
}
