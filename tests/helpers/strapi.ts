/**
 * Boots the real Strapi app (compiled once per run by global-setup.js) on a database of its own:
 * a fresh SQLite file, or with DATABASE_CLIENT=postgres a freshly created PostgreSQL database.
 */
import fs from 'fs';
import path from 'path';
import type { Core } from '@strapi/strapi';

const appDir = path.resolve(__dirname, '..', '..');
const tmpDir = path.join(appDir, '.tmp');
let databaseCounter = 0;

export interface TestDatabase {
  describe: string;
  drop(): Promise<void>;
}

export const usesPostgres = () => process.env.DATABASE_CLIENT === 'postgres';

async function createPostgresDatabase(): Promise<TestDatabase> {
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const { Client } = require('pg');
  const adminConfig = {
    host: process.env.DATABASE_HOST ?? '127.0.0.1',
    port: Number(process.env.DATABASE_PORT ?? 5432),
    user: process.env.DATABASE_USERNAME ?? 'coworking',
    password: process.env.DATABASE_PASSWORD ?? 'coworking',
    database: 'postgres',
  };
  const name = `coworking_test_${process.pid}_${Date.now()}_${databaseCounter++}`;
  const admin = new Client(adminConfig);
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}"`);
  await admin.end();
  process.env.DATABASE_NAME = name;
  return {
    describe: `postgres:${name}`,
    async drop() {
      const client = new Client(adminConfig);
      await client.connect();
      try {
        // FORCE cannot end an autovacuum worker that has just started on the new database (it runs as the
        // superuser): wait for it and try again.
        for (let attempt = 1; ; attempt += 1) {
          try {
            await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
            break;
          } catch (error) {
            if (attempt >= 10 || !/pg_signal_backend|being accessed by other users/.test((error as Error).message)) throw error;
            await new Promise((resolve) => setTimeout(resolve, 500));
          }
        }
      } finally {
        await client.end();
      }
    },
  };
}

function createSqliteDatabase(): TestDatabase {
  fs.mkdirSync(tmpDir, { recursive: true });
  const file = path.join(tmpDir, `test-${process.pid}-${Date.now()}-${databaseCounter++}.db`);
  process.env.DATABASE_FILENAME = file;
  return {
    describe: `sqlite:${file}`,
    async drop() {
      for (const suffix of ['', '-wal', '-shm', '-journal']) fs.rmSync(file + suffix, { force: true });
    },
  };
}

export interface TestApp {
  strapi: Core.Strapi;
  database: TestDatabase;
  stop(): Promise<void>;
}

export interface StartOptions {
  /**
   * Serve the built admin panel (`<distDir>/build`, made by `strapi build` or the browser project's global setup)
   * at /admin, as the browser tests need. Off by default: the API tests need no admin build.
   */
  serveAdminPanel?: boolean;
}

/**
 * Boots Strapi with `env` applied on top of the test defaults (tests/helpers/test-env.js).
 * Test files share one process (--runInBand), so stop() puts the environment back as it was.
 */
export async function startStrapi(env: Record<string, string> = {}, options: StartOptions = {}): Promise<TestApp> {
  const serveAdminPanel = options.serveAdminPanel ?? false;
  const distDir = env.TEST_DIST_DIR ?? process.env.TEST_DIST_DIR ?? path.join(appDir, 'dist');
  if (serveAdminPanel && !fs.existsSync(path.join(distDir, 'build', 'index.html'))) {
    throw new Error(`No admin panel build in ${distDir}/build: run the browser tests through jest's browser project (its global setup builds it) or \`npm run build\``);
  }
  const savedEnv = { ...process.env };
  Object.assign(process.env, env);
  const database = usesPostgres() ? await createPostgresDatabase() : createSqliteDatabase();
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const { createStrapi } = require('@strapi/strapi');
  const strapi: Core.Strapi = await createStrapi({ appDir, distDir, autoReload: false, serveAdminPanel }).load();
  await strapi.server.mount();
  return {
    strapi,
    database,
    async stop() {
      // strapi.destroy() removes every process listener, jest's included: put them back afterwards.
      const saved = (['message', 'disconnect', 'exit', 'uncaughtException', 'unhandledRejection'] as const).map(
        (event) => [event, process.rawListeners(event)] as const,
      );
      await strapi.destroy();
      for (const [event, listeners] of saved) {
        for (const listener of listeners) {
          if (!process.rawListeners(event).includes(listener)) process.on(event, listener as (...args: unknown[]) => void);
        }
      }
      await database.drop();
      for (const key of Object.keys(process.env)) if (!(key in savedEnv)) delete process.env[key];
      Object.assign(process.env, savedEnv);
    },
  };
}
