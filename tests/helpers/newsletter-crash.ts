/**
 * The rig of the newsletter crash tests (tests/api/newsletter-crash.test.ts, newsletter-email-crash.test.ts): the
 * compiled app as a child process (tests/helpers/strapi-process.js) on a SQLite file of its own, started, killed
 * with SIGKILL and started again on the same file; plus the database reads both tests make.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import request from 'supertest';
import { freePort } from './redis';

// eslint-disable-next-line @typescript-eslint/no-var-requires
const Database = require('better-sqlite3');

const appDir = path.resolve(__dirname, '..', '..');

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The crash tests run on SQLite only (the server's database file is read directly). */
export const describeSqlite = process.env.DATABASE_CLIENT === 'postgres' ? describe.skip : describe;

/** The better-sqlite3 calls the tests make. */
export interface SqliteDb {
  pragma(source: string): unknown;
  prepare(source: string): { run(...params: unknown[]): unknown; get(...params: unknown[]): unknown; all(...params: unknown[]): unknown[] };
  transaction(fn: () => void): () => void;
  close(): void;
}

export interface CrashRigOptions {
  /** Names the database and log files (`.tmp/<name>-…db`, `.tmp/logs/<name>-<pid>.log`). */
  name: string;
  admin: { email: string; password: string };
  /** The test's own server environment (channels, rates, NEWSLETTER_*), read at each boot. */
  env: () => NodeJS.ProcessEnv;
}

export interface CrashRig {
  readonly dbFile: string;
  readonly logFile: string;
  /** Makes the log folder and picks the port (beforeAll). */
  prepare(): Promise<void>;
  /** Starts the server on the test's database; resolves once it listens. */
  boot(label: string): Promise<ChildProcess>;
  /** SIGKILL to the running server; resolves once it has exited. */
  kill(): Promise<void>;
  /** Kills a server still running and removes the database files (afterAll). */
  cleanup(): void;
  http(): request.Agent;
  /** The admin's Authorization header (POST /admin/login). */
  adminAuth(): Promise<{ Authorization: string }>;
  /** The database, opened by the test while the server runs. */
  openDb(): SqliteDb;
}

export function crashRig({ name, admin, env }: CrashRigOptions): CrashRig {
  const dbFile = path.join(appDir, '.tmp', `${name}-${process.pid}-${Date.now()}.db`);
  const logFile = path.join(appDir, '.tmp', 'logs', `${name}-${process.pid}.log`);
  let port = 0;
  let child: ChildProcess | null = null;

  async function boot(label: string): Promise<ChildProcess> {
    const log = fs.createWriteStream(logFile, { flags: 'a' });
    log.write(`\n----- ${label} -----\n`);
    const childEnv: NodeJS.ProcessEnv = {
      ...process.env,
      NODE_ENV: 'test',
      HOST: '127.0.0.1',
      PORT: String(port),
      DATABASE_CLIENT: 'sqlite',
      DATABASE_FILENAME: dbFile,
      TEST_DIST_DIR: process.env.TEST_DIST_DIR ?? path.join(appDir, 'dist'),
      ADMIN_EMAIL: admin.email,
      ADMIN_PASSWORD: admin.password,
      ...env(),
      STRAPI_DISABLE_CRON: 'true',
      STRAPI_TELEMETRY_DISABLED: 'true',
    };
    const spawned = spawn(process.execPath, [path.join(appDir, 'tests', 'helpers', 'strapi-process.js')], {
      cwd: appDir,
      env: childEnv,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child = spawned;
    spawned.stdout?.pipe(log);
    spawned.stderr?.pipe(log);
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${label}: the server did not start within 90 s (see ${logFile})`)), 90_000);
      spawned.stdout?.on('data', (chunk: Buffer) => {
        if (chunk.toString().includes('READY')) {
          clearTimeout(timer);
          resolve();
        }
      });
      spawned.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`${label}: the server exited with ${code} while starting (see ${logFile})`));
      });
    });
    return spawned;
  }

  const running = () => child !== null && child.exitCode === null && child.signalCode === null;

  return {
    dbFile,
    logFile,
    async prepare() {
      fs.mkdirSync(path.dirname(logFile), { recursive: true });
      port = await freePort();
    },
    boot,
    async kill() {
      const target = child;
      if (!target) return;
      const exited = new Promise((resolve) => target.once('exit', resolve));
      target.kill('SIGKILL');
      await exited;
    },
    cleanup() {
      if (running()) child?.kill('SIGKILL');
      for (const suffix of ['', '-wal', '-shm', '-journal']) fs.rmSync(dbFile + suffix, { force: true });
    },
    http: () => request(`http://127.0.0.1:${port}`),
    async adminAuth() {
      const login = await request(`http://127.0.0.1:${port}`).post('/admin/login').send(admin);
      expect(login.status).toBe(200);
      return { Authorization: `Bearer ${login.body.data.token}` };
    },
    openDb() {
      const db = new Database(dbFile) as SqliteDb;
      db.pragma('busy_timeout = 10000');
      return db;
    },
  };
}

/** One member row for insertMembers (the columns a newsletter audience reads). */
export interface CrashMember {
  username: string;
  email: string;
  fullName: string;
  provider: 'telegram' | 'local';
  telegramId?: string | null;
  language?: 'ru' | 'en';
}

/** Inserts members (confirmed, not banned, with marketing consent, registered a day ago) in one transaction. */
export function insertMembers(db: SqliteDb, members: CrashMember[]): void {
  const past = Date.now() - 86_400_000;
  const insert = db.prepare(
    `INSERT INTO up_users (document_id, username, email, provider, confirmed, blocked, telegram_id, full_name, language,
       consent_terms, consent_marketing, is_banned, bot_blocked, successful_bookings, registered_at, created_at, updated_at, published_at)
     VALUES (?, ?, ?, ?, 1, 0, ?, ?, ?, 1, 1, 0, 0, 0, ?, ?, ?, ?)`,
  );
  db.transaction(() => {
    for (const m of members) {
      insert.run(randomBytes(12).toString('hex'), m.username, m.email, m.provider, m.telegramId ?? null, m.fullName, m.language ?? 'ru', past, past, past, past);
    }
  })();
}

/** Deliveries in a state. */
export const deliveriesIn = (db: SqliteDb, state: string): number =>
  Number((db.prepare(`SELECT COUNT(*) AS n FROM newsletter_deliveries WHERE state = ?`).get(state) as { n: number }).n);

/** Polls the newsletter's state until it is sent or failed, or the time is up; the last state read. */
export async function waitForEnd(db: SqliteDb, documentId: string, timeoutMs: number): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let state = '';
  while (Date.now() < deadline) {
    state = String((db.prepare(`SELECT state FROM newsletters WHERE document_id = ?`).get(documentId) as { state: string }).state);
    if (state === 'sent' || state === 'failed') break;
    await sleep(200);
  }
  return state;
}

/** The newsletter's delivery counters as stored. */
export const storedCounters = (db: SqliteDb, documentId: string): Record<string, number> =>
  db
    .prepare(
      `SELECT total_count AS total, sent_count AS sent, failed_count AS failed, blocked_count AS blocked, cancelled_count AS cancelled FROM newsletters WHERE document_id = ?`,
    )
    .get(documentId) as Record<string, number>;
