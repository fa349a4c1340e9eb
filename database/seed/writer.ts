/**
 * Bulk, idempotent writes for the seed, inside one transaction.
 *
 * The Document Service costs several queries per row (validation, relation lookups, a re-read), far
 * too slow for thousands of rows. Instead each content type is written with the query engine's
 * `createMany` (one multi-row INSERT per batch, with Strapi's column conversions) and its relations
 * as plain rows in Strapi's link tables, found through the model metadata: `createMany` ignores
 * relation fields, hence the separate link step.
 *
 * Every type follows the same steps: load the natural keys already present (one query), insert only
 * the missing rows, find their new ids by documentId (one query), link them.
 */
import type { Core } from '@strapi/strapi';
import type { Knex } from 'knex';

type Row = Record<string, unknown>;

export interface Tally {
  created: number;
  existing: number;
}

export interface EnsureResult<T> {
  /** Natural key → row id, for every planned row. */
  ids: Map<string, number>;
  /** The planned rows that were missing, now inserted, with their new ids (relations still to link). */
  created: Array<[id: number, item: T]>;
  tally: Tally;
}

/** A relation to write: the id of the row that owns it and the id(s) it points to, in order. */
export type Link = [from: number, to: number | number[]];

export interface Writer {
  ensure<T>(
    uid: string,
    planned: readonly T[],
    spec: { key: (item: T) => string; load: () => Promise<Map<string, number>>; toRow: (item: T) => Row },
  ): Promise<EnsureResult<T>>;
  /** Existing rows whose `field` is one of `values`: value → id. */
  loadByField(uid: string, field: string, values: readonly string[]): Promise<Map<string, number>>;
  link(uid: string, attribute: string, links: readonly Link[]): Promise<void>;
}

export function createWriter(strapi: Core.Strapi, trx: Knex.Transaction): Writer {
  const now = new Date();

  return {
    async ensure(uid, planned, { key, load, toRow }) {
      const ids = await load();
      const missing = planned.filter((item) => !ids.has(key(item)));
      const created: Array<[number, (typeof planned)[number]]> = [];
      if (missing.length > 0) {
        // Strapi's own documentId generator (the model default), called up front: the new rows are then
        // found again by documentId, since composite natural keys need relations not linked yet.
        const documentIdAttribute = strapi.db.metadata.get(uid).attributes.documentId;
        if (!('default' in documentIdAttribute) || typeof documentIdAttribute.default !== 'function') {
          throw new Error(`${uid} has no documentId generator`);
        }
        const newDocumentId: () => string = documentIdAttribute.default;
        const documentIds = missing.map(() => newDocumentId());
        const data = missing.map((item, index) => {
          const row = toRow(item);
          // Rows of types without draft & publish are "published" from birth, as the Document Service does.
          const at = row.createdAt ?? now;
          return { createdAt: at, updatedAt: at, publishedAt: at, ...row, documentId: documentIds[index] };
        });
        await strapi.db.query(uid).createMany({ data });
        const inserted = await this.loadByField(uid, 'documentId', documentIds);
        missing.forEach((item, index) => {
          const id = inserted.get(documentIds[index]);
          if (id === undefined) throw new Error(`Seed row of ${uid} was not found after insert: ${key(item)}`);
          ids.set(key(item), id);
          created.push([id, item]);
        });
      }
      return { ids, created, tally: { created: created.length, existing: planned.length - created.length } };
    },

    async loadByField(uid, field, values) {
      const rows: Row[] = await strapi.db.query(uid).findMany({ select: ['id', field], where: { [field]: { $in: values } } });
      return new Map(rows.map((row) => [String(row[field]), Number(row.id)]));
    },

    async link(uid, attribute, links) {
      if (links.length === 0) return;
      const definition = strapi.db.metadata.get(uid).attributes[attribute];
      const joinTable = definition && 'joinTable' in definition ? definition.joinTable : undefined;
      if (!joinTable || !('inverseJoinColumn' in joinTable)) {
        throw new Error(`${uid}.${attribute} is not a relation stored in a link table`);
      }
      const { name, joinColumn, inverseJoinColumn, orderColumnName, inverseOrderColumnName } = joinTable;

      // Continue the inverse side's order after what is already there (as Strapi's own connect does).
      const nextInverseOrder = new Map<number, number>();
      if (inverseOrderColumnName) {
        const maxima: Row[] = await trx(name)
          .select(inverseJoinColumn.name)
          .max(inverseOrderColumnName, { as: 'max' })
          .groupBy(inverseJoinColumn.name);
        for (const row of maxima) nextInverseOrder.set(Number(row[inverseJoinColumn.name]), Number(row.max ?? 0) + 1);
      }

      const rows: Row[] = links.flatMap(([from, to]) =>
        (Array.isArray(to) ? to : [to]).map((target, index) => {
          const row: Row = { [joinColumn.name]: from, [inverseJoinColumn.name]: target };
          if (orderColumnName) row[orderColumnName] = index + 1;
          if (inverseOrderColumnName) {
            const order = nextInverseOrder.get(target) ?? 1;
            row[inverseOrderColumnName] = order;
            nextInverseOrder.set(target, order + 1);
          }
          return row;
        }),
      );
      const batchSize = strapi.db.dialect.getBatchInsertSize();
      for (let i = 0; i < rows.length; i += batchSize) await trx(name).insert(rows.slice(i, i + batchSize));
    },
  };
}
