/**
 * What the services share for their knex work: the uids they write, table and column names from Strapi's
 * metadata, a query on a table in the configured schema, and the readers of raw column values (JSON columns come
 * back as text on SQLite, dates as numbers or strings).
 */
import type { Core } from '@strapi/strapi';
import type { Knex } from 'knex';

export const NEWSLETTER_UID = 'api::newsletter.newsletter';
export const DELIVERY_UID = 'api::newsletter-delivery.newsletter-delivery';
export const USER_UID = 'plugin::users-permissions.user';
export const AUDIT_UID = 'api::audit-log.audit-log';

type Metadata = { tableName: string; attributes: Record<string, { columnName?: string }> };
const metadataOf = (strapi: Core.Strapi, uid: string) => strapi.db.metadata.get(uid) as unknown as Metadata;

/** A content type's table. */
export const tableName = (strapi: Core.Strapi, uid: string): string => metadataOf(strapi, uid).tableName;

/** A table and the column of each named attribute (`c.sentAt` → `sent_at`), snake_case where Strapi has none. */
export interface TableLayout {
  table: string;
  c: Record<string, string>;
}

export function tableLayout(strapi: Core.Strapi, uid: string, names: string[]): TableLayout {
  const meta = metadataOf(strapi, uid);
  const snake = (name: string) => name.replace(/[A-Z]/g, (m) => `_${m.toLowerCase()}`);
  return { table: meta.tableName, c: Object.fromEntries(names.map((name) => [name, meta.attributes[name]?.columnName ?? snake(name)])) };
}

/** A query on `table`, in the database schema Strapi is configured with (PostgreSQL), if any. */
export function fromTable(strapi: Core.Strapi, k: Knex | Knex.Transaction, table: string) {
  const query = k(table);
  const schema = strapi.db.getSchemaName();
  return schema ? query.withSchema(schema) : query;
}

/** A JSON column's value: parsed when it is text (SQLite), the fallback when empty or unreadable. */
export const parseJson = <T>(value: unknown, fallback: T): T => {
  if (value === null || value === undefined) return fallback;
  if (typeof value !== 'string') return value as T;
  try {
    return JSON.parse(value) as T;
  } catch {
    return fallback;
  }
};

/** A nullable text column. */
export const text = (value: unknown): string | null => (value === null || value === undefined ? null : String(value));

/** A date column as an ISO string (epoch milliseconds as numbers or digits, or a date string), null when empty or invalid. */
export const iso = (value: unknown): string | null => {
  if (value === null || value === undefined || value === '') return null;
  const date = value instanceof Date ? value : typeof value === 'number' || /^\d+$/.test(String(value)) ? new Date(Number(value)) : new Date(String(value));
  return Number.isFinite(date.getTime()) ? date.toISOString() : null;
};
