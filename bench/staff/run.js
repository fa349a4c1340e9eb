#!/usr/bin/env node
/**
 * bench/staff: throughput and latency of the staff workspace's read routes (the booking desk's admin API, issue 14)
 * against bare Strapi's core GET /api/tariffs, measured in the same run on the same database. One command:
 *
 *   npm run bench:staff                   full run (≈ 4–5 minutes on 2 cores)
 *   npm run bench:staff -- --quick        5 s runs at 10 connections only, for development
 *
 * Options (also as BENCH_* environment variables, e.g. BENCH_DURATION=20):
 *   --duration=S        seconds of load per measured run (default 10; quick 5)
 *   --warmup=S          seconds of unmeasured load before each run (default 3; quick 2)
 *   --connections=A,B   connection counts (default 10,50; quick 10)
 *   --bookings=N        bookings in the table (default 20000: the 31-day future window and ≈ 3.5 months of history)
 *   --tickets=N         support tickets (default 400, a fifth of them open), 3 messages each
 *   --log-level=L       the server's LOG_LEVEL (default http, as in production)
 *   --dist=DIR          use an app already compiled into DIR instead of compiling one into .tmp/bench-dist
 *   --keep              keep the database and server log in .tmp/bench-staff-<time>/
 *   --json=FILE         also write the results as JSON
 *
 * What it does: compiles the server as bench/booking does, starts it on a fresh SQLite file (NODE_ENV=production,
 * cron off), writes the catalogue (8 meeting rooms, 4 open spaces, bench/booking/fixtures.js), 2,000 members, the
 * bookings, a payment for every confirmed, completed or pending-payment booking, the tickets with their messages and
 * one Manager (admin role `coworking-manager`, bcrypt password) straight into the SQLite file, logs the Manager in
 * through POST /admin/login as the admin panel does, and runs autocannon against the four read routes of the staff
 * workspace and the core find.
 */
'use strict';

const crypto = require('crypto');
const fs = require('fs');
const path = require('path');

const Database = require('better-sqlite3');
const bcrypt = require('bcryptjs');
const { appDir, TIME_ZONE, environment, compileServer, startServer, packageVersion, fmt, table } = require('../lib/common');
const fixtures = require('../booking/fixtures');
const { runLoad } = require('../booking/load');
const { call, thousands, statusSummary, measurer } = require('../lib/measure');

const MANAGER_EMAIL = 'bench-manager@staff.example.com';
const MANAGER_PASSWORD = 'Bench-Passw0rd';
const MEMBER_QUERY = 'Mem'; // every background member is "Member N": the prefix matches all 2,000

// ---------------------------------------------------------------------------------------------------------
// Options

function parseOptions(argv) {
  const flags = {};
  for (const arg of argv) {
    const match = /^--([a-z-]+)(?:=(.*))?$/.exec(arg);
    if (!match) throw new Error(`Unknown argument ${arg} (see the header of bench/staff/run.js)`);
    flags[match[1]] = match[2] ?? true;
  }
  const env = (name) => process.env[`BENCH_${name.toUpperCase().replace(/-/g, '_')}`];
  const pick = (name, fallback) => flags[name] ?? env(name) ?? fallback;
  const quick = pick('quick', false) === true || pick('quick', false) === 'true';
  const number = (name, fallback) => {
    const value = Number(pick(name, fallback));
    if (!Number.isFinite(value) || value <= 0) throw new Error(`--${name} must be a positive number`);
    return value;
  };
  const options = {
    quick,
    duration: number('duration', quick ? 5 : 10),
    warmup: Number(pick('warmup', quick ? 2 : 3)),
    connections: String(pick('connections', quick ? '10' : '10,50'))
      .split(',')
      .map((value) => Number(value.trim()))
      .filter((value) => {
        if (!Number.isInteger(value) || value <= 0) throw new Error('--connections takes whole numbers separated by commas');
        return true;
      }),
    bookings: number('bookings', 20_000),
    tickets: number('tickets', 400),
    logLevel: String(pick('log-level', 'http')),
    dist: pick('dist', null),
    keep: Boolean(pick('keep', false)),
    json: pick('json', null),
  };
  const floor = fixtures.BOOKINGS_PER_DAY * fixtures.FUTURE_DAYS;
  if (options.bookings < floor) throw new Error(`--bookings must be at least ${floor} (the 31-day future window alone)`);
  return options;
}

const log = (message) => process.stderr.write(`[bench] ${message}\n`);

// ---------------------------------------------------------------------------------------------------------
// Fixtures beyond bench/booking's: payments, tickets and a Manager, rows as Strapi writes them

const DOCUMENT_ID_ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';
function documentId() {
  const bytes = crypto.randomBytes(24);
  let id = DOCUMENT_ID_ALPHABET[bytes[0] % 26];
  for (let j = 1; j < 24; j++) id += DOCUMENT_ID_ALPHABET[bytes[j] % 36];
  return id;
}

function insertStatement(db, tableName, columns) {
  const present = new Set(db.prepare(`PRAGMA table_info("${tableName}")`).all().map((column) => column.name));
  const missing = columns.filter((column) => !present.has(column));
  if (missing.length > 0) throw new Error(`bench fixtures: ${tableName} has no column(s) ${missing.join(', ')}; update bench/staff/run.js`);
  return db.prepare(`INSERT INTO "${tableName}" (${columns.map((c) => `"${c}"`).join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`);
}

/** A payment for each confirmed / completed (succeeded) and pending-payment (pending) booking, linked to booking and member. */
function createPayments(db) {
  const insert = insertStatement(db, 'payments', [
    'document_id', 'provider', 'provider_payment_id', 'idempotence_key', 'amount', 'currency', 'state', 'paid_at', 'created_at', 'updated_at', 'published_at',
  ]);
  const linkBooking = insertStatement(db, 'payments_booking_lnk', ['payment_id', 'booking_id', 'payment_ord']);
  const linkMember = insertStatement(db, 'payments_member_lnk', ['payment_id', 'user_id']);
  const rows = db
    .prepare(
      `SELECT b.id, b.state, b.price_total, b.created_at, m.user_id FROM bookings b JOIN bookings_member_lnk m ON m.booking_id = b.id
       WHERE b.state IN ('confirmed', 'completed', 'pending_payment')`,
    )
    .all();
  db.transaction(() => {
    for (const row of rows) {
      const paid = row.state !== 'pending_payment';
      const at = row.created_at + 300_000;
      const paymentId = Number(
        insert.run(documentId(), 'yookassa', crypto.randomUUID(), crypto.randomUUID(), row.price_total, 'RUB', paid ? 'succeeded' : 'pending', paid ? at : null, row.created_at, at, row.created_at)
          .lastInsertRowid,
      );
      linkBooking.run(paymentId, row.id, 1);
      linkMember.run(paymentId, row.user_id);
    }
  })();
  return rows.length;
}

/** Tickets spread over the last 90 days: 20 % open, 10 % in progress, the rest resolved or closed; 3 messages each. */
function createTickets(db, members, count, now = Date.now()) {
  const insertTicket = insertStatement(db, 'tickets', ['document_id', 'subject', 'state', 'priority', 'last_message_at', 'created_at', 'updated_at', 'published_at']);
  const linkMember = insertStatement(db, 'tickets_member_lnk', ['ticket_id', 'user_id', 'ticket_ord']);
  const insertMessage = insertStatement(db, 'ticket_messages', ['document_id', 'author_type', 'body', 'created_at', 'updated_at', 'published_at']);
  const linkTicket = insertStatement(db, 'ticket_messages_ticket_lnk', ['ticket_message_id', 'ticket_id', 'ticket_message_ord']);
  const linkAuthor = insertStatement(db, 'ticket_messages_author_member_lnk', ['ticket_message_id', 'user_id']);
  const priorities = ['low', 'normal', 'normal', 'normal', 'high', 'urgent'];
  let open = 0;
  db.transaction(() => {
    for (let i = 0; i < count; i++) {
      const r = i % 10;
      const state = r < 2 ? 'open' : r < 3 ? 'in_progress' : r < 8 ? 'resolved' : 'closed';
      if (state === 'open') open++;
      const createdAt = now - Math.floor((i / count) * 90 * 86_400_000) - 3_600_000;
      const last = createdAt + 2 * 3_600_000;
      const member = members[(i * 37) % members.length];
      const ticketId = Number(
        insertTicket.run(documentId(), `Вопрос по бронированию №${i + 1}`, state, priorities[i % priorities.length], last, createdAt, last, createdAt).lastInsertRowid,
      );
      linkMember.run(ticketId, member, i + 1);
      for (let k = 0; k < 3; k++) {
        const at = createdAt + k * 3_600_000;
        const authorType = k === 1 ? 'staff' : 'member';
        const messageId = Number(insertMessage.run(documentId(), authorType, `Сообщение ${k + 1} по обращению ${i + 1}`, at, at, at).lastInsertRowid);
        linkTicket.run(messageId, ticketId, k + 1);
        if (authorType === 'member') linkAuthor.run(messageId, member);
      }
    }
  })();
  return open;
}

/** One active admin user holding the Manager role (what tests/helpers/auth.ts createStaffUser makes through admin::user). */
function createManager(db, now = Date.now()) {
  const role = db.prepare(`SELECT id FROM admin_roles WHERE code = 'coworking-manager'`).get();
  if (!role) throw new Error('no admin role coworking-manager (did src/bootstrap/admin-roles.ts run?)');
  const insert = insertStatement(db, 'admin_users', [
    'document_id', 'firstname', 'lastname', 'email', 'password', 'is_active', 'blocked', 'prefered_language', 'created_at', 'updated_at', 'published_at',
  ]);
  const link = insertStatement(db, 'admin_users_roles_lnk', ['user_id', 'role_id', 'role_ord', 'user_ord']);
  const hash = bcrypt.hashSync(MANAGER_PASSWORD, 10);
  const userOrder = db.prepare('SELECT COALESCE(MAX(user_ord), 0) AS max FROM admin_users_roles_lnk WHERE role_id = ?').get(role.id).max + 1;
  const userId = Number(insert.run(documentId(), 'Bench', 'Manager', MANAGER_EMAIL, hash, 1, 0, 'ru', now, now, now).lastInsertRowid);
  link.run(userId, role.id, 1, userOrder);
  return userId;
}

async function managerToken(url) {
  const response = await fetch(`${url}/admin/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: MANAGER_EMAIL, password: MANAGER_PASSWORD }),
  });
  const body = await response.json().catch(() => null);
  if (response.status !== 200 || !body?.data?.token) throw new Error(`POST /admin/login answered ${response.status}: ${JSON.stringify(body).slice(0, 300)}`);
  return body.data.token;
}

// ---------------------------------------------------------------------------------------------------------
// Requests

const NAMES = {
  core: 'GET /api/tariffs (core find)',
  calendar: 'GET /booking-desk/calendar (week)',
  home: 'GET /booking-desk/home',
  tickets: 'GET /booking-desk/tickets?state=open',
  members: `GET /booking-desk/members?q=${MEMBER_QUERY}`,
};
const ORDER = [NAMES.core, NAMES.calendar, NAMES.home, NAMES.tickets, NAMES.members];

function endpoints({ week, token }) {
  const headers = () => ({ authorization: `Bearer ${token()}` });
  return {
    [NAMES.core]: () => ({ method: 'GET', path: '/api/tariffs' }),
    [NAMES.calendar]: () => ({ method: 'GET', path: `/booking-desk/calendar?from=${week.from}&to=${week.to}`, headers: headers() }),
    [NAMES.home]: () => ({ method: 'GET', path: '/booking-desk/home', headers: headers() }),
    [NAMES.tickets]: () => ({ method: 'GET', path: '/booking-desk/tickets?state=open', headers: headers() }),
    [NAMES.members]: () => ({ method: 'GET', path: `/booking-desk/members?q=${MEMBER_QUERY}`, headers: headers() }),
  };
}

// ---------------------------------------------------------------------------------------------------------
// Main

async function main() {
  const options = parseOptions(process.argv.slice(2));
  const env = environment({
    sqlite: new Database(':memory:').prepare('SELECT sqlite_version() AS v').get().v,
    autocannon: packageVersion('autocannon'),
  });
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const workDir = path.join(appDir, '.tmp', `bench-staff-${stamp}`);
  fs.mkdirSync(workDir, { recursive: true });
  const databaseFile = path.join(workDir, 'data.db');
  const logFile = path.join(workDir, 'server.log');
  const distDir = options.dist ? path.resolve(appDir, options.dist) : path.join(appDir, '.tmp', 'bench-dist');
  const began = Date.now();

  log(`options: ${JSON.stringify({ ...options, dist: path.relative(appDir, distDir) })}`);
  log(`work dir: ${path.relative(appDir, workDir)}`);
  if (!options.dist) compileServer(distDir, log);
  const spaceTime = require(path.join(distDir, 'src', 'domain', 'space-time.js'));

  let server = null;
  const results = { environment: env, options, runs: [], probes: {}, fixtures: {} };
  try {
    log('starting the server on a fresh SQLite database');
    let started = Date.now();
    server = await startServer({ distDir, databaseFile, logFile, botToken: crypto.randomBytes(32).toString('hex'), env: { LOG_LEVEL: options.logLevel } });
    log(`server up at ${server.url} in ${((Date.now() - started) / 1000).toFixed(1)} s`);

    started = Date.now();
    const db = fixtures.openForBulkWrites(Database, databaseFile);
    let today;
    try {
      const catalogue = fixtures.createCatalogue(db);
      const members = fixtures.createBackgroundMembers(db);
      const writer = fixtures.createBookingWriter({ catalogue, backgroundMembers: members, benchMembers: [], spaceTime, timeZone: TIME_ZONE });
      today = writer.today;
      const { oldestDay } = writer.add(db, options.bookings);
      results.bookings = fixtures.countBookings(db);
      results.fixtures.oldestDay = oldestDay;
      results.fixtures.payments = createPayments(db);
      results.fixtures.openTickets = createTickets(db, members, options.tickets);
      createManager(db);
    } finally {
      db.close();
    }
    log(
      `seeded ${thousands(results.bookings)} bookings (back to ${results.fixtures.oldestDay}), ${thousands(results.fixtures.payments)} payments, ` +
        `${options.tickets} tickets (${results.fixtures.openTickets} open), 2,000 members and a Manager in ${((Date.now() - started) / 1000).toFixed(1)} s`,
    );

    // The busy week: the first whole Monday–Sunday after today, inside the seeded future window.
    const weekday = new Date(`${today}T12:00:00Z`).getUTCDay(); // 0 = Sunday
    const monday = spaceTime.addDays(today, ((8 - weekday) % 7) || 7);
    const week = { from: monday, to: spaceTime.addDays(monday, 6) };
    results.week = week;

    let current = await managerToken(server.url);
    const token = () => current;
    const requests = endpoints({ week, token });

    const measure = measurer({ server, options, requests, log });

    // One request of each kind first: a broken route is reported, not benchmarked.
    const working = [];
    for (const name of ORDER) {
      const r = requests[name]();
      const res = await call(server.url, r.method, r.path, { token: r.headers?.authorization?.slice(7) });
      results.probes[name] = { status: res.status, bytes: res.text.length, sample: res.text.slice(0, 300) };
      log(`probe ${name}: HTTP ${res.status}, ${thousands(res.text.length)} bytes`);
      if (res.status === 200) working.push(name);
    }

    // Warm the JIT on every path before anything is measured.
    for (const name of working) await runLoad({ url: server.url, connections: 10, duration: Math.max(2, options.warmup), next: requests[name] });

    for (const connections of options.connections) {
      current = await managerToken(server.url); // admin access tokens are short-lived; one login per round
      for (const name of working) results.runs.push({ endpoint: name, ...(await measure(name, connections)) });
    }
    results.databaseBytes = fs.statSync(databaseFile).size;
  } finally {
    if (server) await server.stop();
    if (!options.keep) for (const suffix of ['', '-journal', '-wal', '-shm']) fs.rmSync(databaseFile + suffix, { force: true });
  }
  results.totalSeconds = (Date.now() - began) / 1000;
  report(results, options);
  if (options.json) fs.writeFileSync(path.resolve(appDir, options.json), JSON.stringify(results, null, 2));
  fs.writeFileSync(path.join(workDir, 'results.json'), JSON.stringify(results, null, 2));
}

function report(results, options) {
  const env = results.environment;
  const out = [''];
  out.push(`bench/staff — ${env.date}`);
  out.push(
    `commit ${env.commit}; Node ${env.node}; ${env.cpus}; ${env.memory}; load average at start ${env.loadavg}; ` +
      `SQLite ${env.sqlite}; Strapi ${env.strapi}; autocannon ${env.autocannon}`,
  );
  out.push(
    `${thousands(results.bookings)} bookings (back to ${results.fixtures.oldestDay}), ${thousands(results.fixtures.payments)} payments, ` +
      `${options.tickets} tickets (${results.fixtures.openTickets} open), 2,000 members; calendar week ${results.week.from} … ${results.week.to}; ` +
      `${options.duration} s per run after ${options.warmup} s warm-up; NODE_ENV=production, LOG_LEVEL=${options.logLevel}, cron off; ` +
      `whole run ${fmt(results.totalSeconds / 60, 1)} min`,
  );
  out.push('');
  const baseline = new Map(results.runs.filter((run) => run.endpoint === NAMES.core).map((run) => [run.connections, run]));
  const rows = [];
  for (const connections of options.connections) {
    for (const name of ORDER) {
      const run = results.runs.find((r) => r.endpoint === name && r.connections === connections);
      if (!run) {
        rows.push([name, connections, `missing (HTTP ${results.probes[name]?.status ?? '?'})`, '—', '—', '—', '—', '—', '—', '—']);
        continue;
      }
      const base = baseline.get(connections);
      rows.push([
        name,
        connections,
        fmt(run.rps, 0),
        fmt(run.p50),
        fmt(run.p95),
        fmt(run.p99),
        run.non2xx === 0 ? '0' : `${run.non2xx} (${statusSummary(run.statuses)})`,
        base?.rps > 0 ? `${fmt(run.rps / base.rps, 2)}×` : '—',
        fmt(run.cpuMsPerRequest, 2),
        base?.cpuMsPerRequest > 0 ? `${fmt(run.cpuMsPerRequest / base.cpuMsPerRequest, 1)}×` : '—',
      ]);
    }
  }
  out.push(table(['endpoint', 'conns', 'req/s', 'p50 ms', 'p95 ms', 'p99 ms', 'non-2xx', 'req/s ÷ core find', 'server CPU ms/req', 'CPU ÷ core find'], rows));
  out.push('');
  out.push(`response sizes: ${ORDER.map((name) => `${name.split('?')[0].replace('GET ', '')} ${thousands(results.probes[name]?.bytes ?? 0)} B`).join('; ')}`);
  out.push('');
  process.stdout.write(out.join('\n') + '\n');
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
