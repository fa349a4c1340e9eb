import type { Knex } from 'knex';
import { ensureHotPathIndexes } from '../hot-path-indexes';

// Idempotent: bootstrap runs the same function again after schema sync (see src/index.ts).
export async function up(knex: Knex): Promise<void> {
  await ensureHotPathIndexes(knex);
}
