import type { Core, UID } from '@strapi/strapi';
import type { Knex } from 'knex';

interface JoinTable {
  name: string;
  joinColumn: { name: string };
  inverseJoinColumn: { name: string };
}

/**
 * Ids of `uid` rows whose relation `attribute` points at `targetId`, read from Strapi's link table alone.
 * A relation filter (`where: { member: { id } }`) joins the target table too, and SQLite then scans the whole
 * source table instead of using the link table's index: 550 ms at a million bookings against 0.2 ms here
 * (docs/PERFORMANCE.md). Pass the transaction when called inside one.
 */
export async function linkedIds(
  strapi: Core.Strapi,
  uid: UID.Schema,
  attribute: string,
  targetId: number,
  trx?: Knex.Transaction,
): Promise<number[]> {
  const { joinTable } = strapi.db.metadata.get(uid).attributes[attribute] as unknown as { joinTable: JoinTable };
  const knex = trx ?? strapi.db.connection;
  const rows = (await knex(joinTable.name)
    .select({ id: joinTable.joinColumn.name })
    .where(joinTable.inverseJoinColumn.name, targetId)) as { id: number | string }[];
  return rows.map((row) => Number(row.id));
}
