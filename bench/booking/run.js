#!/usr/bin/env node
/**
 * bench/booking: throughput and latency of the booking endpoints against bare Strapi's core
 * GET /api/tariffs, measured in the same run on the same database, plus availability with a small and a
 * large bookings table. One command:
 *
 *   npm run bench:booking                 full run (≈ 8 minutes on 2 cores)
 *   npm run bench:booking -- --quick      smaller tables, 5 s runs (≈ 3 minutes), for development
 *
 * Options (also as BENCH_* environment variables, e.g. BENCH_DURATION=20):
 *   --duration=S        seconds of load per measured run (default 10; quick 5)
 *   --warmup=S          seconds of unmeasured load before each run (default 3; quick 2)
 *   --connections=A,B   connection counts (default 10,50)
 *   --bookings=N        bookings in the table for the endpoint runs (default 100000; quick 20000)
 *   --scale=S,L         table sizes for the availability scale check (default 10000,1000000; quick 5000,50000)
 *   --no-scale          skip the scale check
 *   --scale-connections=C   connections for the scale check (default 10)
 *   --log-level=L       the server's LOG_LEVEL (default http, as in production)
 *   --dist=DIR          use an app already compiled into DIR instead of compiling one into .tmp/bench-dist
 *   --keep              keep the database and server log in .tmp/bench-<time>/ (default: delete the database)
 *   --json=FILE         also write the results as JSON
 *
 * What it does: compiles the server (plugins, then `tsc` into .tmp/bench-dist, ≈ 15 s; the admin panel is not
 * needed), starts it as a child process on a fresh SQLite file with generated secrets and NODE_ENV=production,
 * signs in 50 members through POST /api/auth/telegram + PUT /api/profile, writes the catalogue, 2,000 more
 * members and the bookings straight into the SQLite file (bench/booking/fixtures.js), then runs autocannon.
 */
'use strict';

const crypto = require('crypto');
const fs = require('fs');
const path = require('path');

const Database = require('better-sqlite3');
const { appDir, TIME_ZONE, environment, compileServer, startServer, packageVersion, fmt, table } = require('../lib/common');
const fixtures = require('./fixtures');
const { runLoad } = require('./load');
const { call, thousands, statusSummary, measurer } = require('../lib/measure');
const BENCH_MEMBERS = 50;
const AVAILABILITY_DAYS = 14; // availability and quote ask about the next two weeks

// ---------------------------------------------------------------------------------------------------------
// Options

function parseOptions(argv) {
  const flags = {};
  for (const arg of argv) {
    const match = /^--([a-z-]+)(?:=(.*))?$/.exec(arg);
    if (!match) throw new Error(`Unknown argument ${arg} (see the header of bench/booking/run.js)`);
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
  const list = (name, fallback) =>
    String(pick(name, fallback))
      .split(',')
      .map((value) => Number(value.trim()))
      .filter((value) => {
        if (!Number.isInteger(value) || value <= 0) throw new Error(`--${name} takes whole numbers separated by commas`);
        return true;
      });
  const options = {
    quick,
    duration: number('duration', quick ? 5 : 10),
    warmup: Number(pick('warmup', quick ? 2 : 3)),
    connections: list('connections', '10,50'),
    bookings: number('bookings', quick ? 20_000 : 100_000),
    scale: pick('no-scale', false) ? null : list('scale', quick ? '5000,50000' : '10000,1000000'),
    scaleConnections: number('scale-connections', 10),
    logLevel: String(pick('log-level', 'http')),
    dist: pick('dist', null),
    keep: Boolean(pick('keep', false)),
    json: pick('json', null),
  };
  if (options.scale && options.scale.length !== 2) throw new Error('--scale takes two sizes, e.g. --scale=10000,1000000');
  const floor = fixtures.BOOKINGS_PER_DAY * fixtures.FUTURE_DAYS;
  for (const size of [options.bookings, ...(options.scale ?? [])]) {
    if (size < floor) throw new Error(`Table sizes must be at least ${floor} (the 31-day future window alone)`);
  }
  if (options.scale && !(options.scale[0] <= options.bookings && options.bookings <= options.scale[1])) {
    // The table only grows: small scale size, then the endpoint runs, then the large scale size.
    throw new Error(`--scale must bracket --bookings: ${options.scale[0]} ≤ ${options.bookings} ≤ ${options.scale[1]}`);
  }
  return options;
}

// ---------------------------------------------------------------------------------------------------------
// Small helpers

const log = (message) => process.stderr.write(`[bench] ${message}\n`);

// ---------------------------------------------------------------------------------------------------------
// HTTP fixtures: members sign in the way the bot signs them in

/** 0 → "Aa", 1 → "Ab", …: names take letters only. */
const letters = (i) => String.fromCharCode(65 + Math.floor(i / 26) % 26) + String.fromCharCode(97 + (i % 26));
const benchTelegramId = (i) => String(7_000_000_000 + i);

async function signIn(url, botToken, telegramId) {
  const res = await call(url, 'POST', '/api/auth/telegram', { token: botToken, body: { telegramId } });
  if (res.status !== 200) throw new Error(`POST /api/auth/telegram answered ${res.status}: ${res.text.slice(0, 300)}`);
  return res.body;
}

async function registerMembers(url, botToken) {
  for (let i = 0; i < BENCH_MEMBERS; i++) {
    const { jwt } = await signIn(url, botToken, benchTelegramId(i));
    const res = await call(url, 'PUT', '/api/profile', {
      token: jwt,
      body: { fullName: `Bench Member ${letters(i)}`, phone: `+7 999 ${String(1000000 + i).slice(-7)}`, email: `bench-member-${i}@example.com`, consentTerms: true },
    });
    if (res.status !== 200) throw new Error(`PUT /api/profile answered ${res.status}: ${res.text.slice(0, 300)}`);
  }
}

/** Fresh member access tokens (they live 10 minutes), one per bench member. */
async function memberTokens(url, botToken) {
  const tokens = [];
  for (let i = 0; i < BENCH_MEMBERS; i++) tokens.push((await signIn(url, botToken, benchTelegramId(i))).jwt);
  return tokens;
}

// ---------------------------------------------------------------------------------------------------------
// Request plans

function cycle(items) {
  let i = 0;
  return () => items[i++ % items.length];
}

function plans({ catalogue, spaceTime, today }) {
  const { addDays, zonedInstant } = spaceTime;
  const days = Array.from({ length: AVAILABILITY_DAYS }, (_, k) => addDays(today, k + 1));
  const availabilityPaths = [];
  for (const day of days) {
    for (const room of catalogue.rooms) availabilityPaths.push(`/api/availability?tariff=${room.tariffDocumentId}&date=${day}`);
  }
  const quoteBodies = [];
  let k = 0;
  for (const day of days) {
    for (let hour = fixtures.OPEN_HOUR; hour < fixtures.CLOSE_HOUR - 2; hour++) {
      for (const room of catalogue.rooms) {
        const units = 1 + (k++ % 3);
        quoteBodies.push(JSON.stringify({ tariff: room.tariffDocumentId, startAt: zonedInstant(day, hour * 60, TIME_ZONE).toISOString(), units }));
      }
    }
  }
  // Create: every request a different (open space, day, hour) until all are used once, then a second seat
  // of each, and so on; with capacity 40 and ≈ 5 seats taken by the seeded bookings nothing collides.
  const hours = fixtures.CLOSE_HOUR - fixtures.OPEN_HOUR;
  const spaces = catalogue.openSpaces;
  let created = 0;
  const nextSlot = () => {
    const n = created++;
    const space = spaces[n % spaces.length];
    const hour = fixtures.OPEN_HOUR + (Math.floor(n / spaces.length) % hours);
    const day = addDays(today, 1 + (Math.floor(n / (spaces.length * hours)) % (fixtures.FUTURE_DAYS - 1)));
    return { tariff: space.tariffDocumentId, startAt: zonedInstant(day, hour * 60, TIME_ZONE).toISOString(), units: 1 };
  };
  return {
    availability: cycle(availabilityPaths),
    quote: cycle(quoteBodies),
    nextSlot,
    createdCount: () => created,
    slotsPerRound: spaces.length * hours * (fixtures.FUTURE_DAYS - 1),
  };
}

function endpoints(plan, tokens) {
  const token = cycle(tokens);
  const auth = () => ({ authorization: `Bearer ${token()}` });
  return {
    'GET /api/tariffs (core find)': () => ({ method: 'GET', path: '/api/tariffs' }),
    'GET /api/availability': () => ({ method: 'GET', path: plan.availability() }),
    'POST /api/bookings/quote': () => ({ method: 'POST', path: '/api/bookings/quote', headers: auth(), body: plan.quote() }),
    'POST /api/bookings (create)': () => ({ method: 'POST', path: '/api/bookings', headers: auth(), body: JSON.stringify(plan.nextSlot()) }),
    'GET /api/bookings/mine': () => ({ method: 'GET', path: '/api/bookings/mine?page=1', headers: auth() }),
  };
}

const NAMES = {
  core: 'GET /api/tariffs (core find)',
  availability: 'GET /api/availability',
  quote: 'POST /api/bookings/quote',
  create: 'POST /api/bookings (create)',
  mine: 'GET /api/bookings/mine',
};

// ---------------------------------------------------------------------------------------------------------
// Output

// ---------------------------------------------------------------------------------------------------------
// Main

async function main() {
  const options = parseOptions(process.argv.slice(2));
  const env = environment({
    sqlite: new Database(':memory:').prepare('SELECT sqlite_version() AS v').get().v,
    autocannon: packageVersion('autocannon'),
  });
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const workDir = path.join(appDir, '.tmp', `bench-${stamp}`);
  fs.mkdirSync(workDir, { recursive: true });
  const databaseFile = path.join(workDir, 'data.db');
  const logFile = path.join(workDir, 'server.log');
  const distDir = options.dist ? path.resolve(appDir, options.dist) : path.join(appDir, '.tmp', 'bench-dist');
  const botToken = crypto.randomBytes(32).toString('hex');
  const began = Date.now();

  log(`options: ${JSON.stringify({ ...options, dist: path.relative(appDir, distDir) })}`);
  log(`work dir: ${path.relative(appDir, workDir)}`);
  if (!options.dist) compileServer(distDir, log);
  const spaceTime = require(path.join(distDir, 'src', 'domain', 'space-time.js'));

  let server = null;
  const results = { environment: env, options, runs: [], scale: [], probes: {}, fixtures: {} };
  try {
    log('starting the server on a fresh SQLite database');
    let started = Date.now();
    server = await startServer({ distDir, databaseFile, logFile, botToken, env: { LOG_LEVEL: options.logLevel } });
    log(`server up at ${server.url} in ${((Date.now() - started) / 1000).toFixed(1)} s`);

    started = Date.now();
    await registerMembers(server.url, botToken);
    log(`${BENCH_MEMBERS} members signed in and registered over HTTP in ${((Date.now() - started) / 1000).toFixed(1)} s`);

    // The bench's own connection is open only while it writes: an idle connection of another process is
    // harmless to SQLite, but nothing here should be able to take a lock while the server is measured.
    const withDb = (fn) => {
      const connection = fixtures.openForBulkWrites(Database, databaseFile);
      try {
        return fn(connection);
      } finally {
        connection.close();
      }
    };
    const countBookings = () => withDb(fixtures.countBookings);
    const db = fixtures.openForBulkWrites(Database, databaseFile);
    const catalogue = fixtures.createCatalogue(db);
    const background = fixtures.createBackgroundMembers(db);
    const benchIds = db
      .prepare(`SELECT id FROM up_users WHERE telegram_id IN (${Array.from({ length: BENCH_MEMBERS }, (_, i) => `'${benchTelegramId(i)}'`).join(',')}) ORDER BY id`)
      .all()
      .map((row) => row.id);
    if (benchIds.length !== BENCH_MEMBERS) throw new Error(`expected ${BENCH_MEMBERS} bench members, found ${benchIds.length}`);
    db.close();
    const writer = fixtures.createBookingWriter({ catalogue, backgroundMembers: background, benchMembers: benchIds, spaceTime, timeZone: TIME_ZONE });
    const growTo = (size) => {
      const t = Date.now();
      const step = withDb((connection) => {
        const have = fixtures.countBookings(connection);
        if (have >= size) return null;
        const { oldestDay } = writer.add(connection, size - have);
        return { have, now: fixtures.countBookings(connection), oldestDay };
      });
      if (!step) return;
      const { have, oldestDay } = step;
      const seconds = (Date.now() - t) / 1000;
      log(`bookings: ${thousands(have)} → ${thousands(step.now)} in ${seconds.toFixed(1)} s (history back to ${oldestDay})`);
      results.fixtures[size] = { seconds, oldestDay };
    };

    const plan = plans({ catalogue, spaceTime, today: writer.today });
    let tokens = await memberTokens(server.url, botToken);
    let requests = endpoints(plan, tokens);
    const refreshTokens = async () => {
      tokens = await memberTokens(server.url, botToken);
      requests = endpoints(plan, tokens);
    };

    const measure = measurer({ server, options, requests, log });

    // A fresh process runs its first thousands of requests slower (the JIT has not compiled the hot paths
    // yet): load the read paths once before anything is measured, so the first measured run is not penalised.
    for (const name of [NAMES.core, NAMES.availability, NAMES.quote]) {
      await runLoad({ url: server.url, connections: 10, duration: Math.max(2, options.warmup), next: requests[name] });
    }

    // 1. Availability with the small table.
    if (options.scale) {
      growTo(options.scale[0]);
      const result = await measure(NAMES.availability, options.scaleConnections, `availability, ${thousands(options.scale[0])} bookings`);
      results.scale.push({ bookings: countBookings(), ...result });
    }

    // 2. The endpoint runs on the main table.
    growTo(options.bookings);
    results.bookings = countBookings();

    // One request of each kind first: a broken endpoint is reported, not benchmarked.
    const probe = async (name) => {
      const r = requests[name]();
      const res = await call(server.url, r.method, r.path, { token: r.headers?.authorization?.slice(7), body: r.body === undefined ? undefined : JSON.parse(r.body) });
      results.probes[name] = { status: res.status, sample: res.text.slice(0, 400) };
      return res;
    };
    for (const name of [NAMES.core, NAMES.availability, NAMES.quote, NAMES.mine]) {
      const res = await probe(name);
      log(`probe ${name}: HTTP ${res.status}`);
    }
    const mineOk = results.probes[NAMES.mine].status === 200;
    if (!mineOk) log(`GET /api/bookings/mine answers ${results.probes[NAMES.mine].status}: reported as missing, not loaded`);

    for (const connections of options.connections) {
      await refreshTokens();
      for (const name of [NAMES.core, NAMES.availability, NAMES.quote, ...(mineOk ? [NAMES.mine] : [])]) {
        results.runs.push({ endpoint: name, bookings: results.bookings, ...(await measure(name, connections)) });
      }
    }
    // Create last, so the reads above see the seeded table only.
    for (const connections of options.connections) {
      await refreshTokens();
      results.runs.push({ endpoint: NAMES.create, bookings: results.bookings, ...(await measure(NAMES.create, connections)) });
    }
    results.created = plan.createdCount();
    if (results.created > plan.slotsPerRound * (fixtures.OPEN_SPACE_CAPACITY - 12)) {
      log('warning: create went round the open spaces so often that later requests may have met full slots');
    }

    // 3. Availability with the large table. The bookings create made (active holds in the open spaces, which
    // the availability query reads too) go first, so the two scale runs differ only in history.
    if (options.scale) {
      const removed = withDb(fixtures.removeApiBookings);
      log(`removed the ${thousands(removed)} bookings made through the API during the run`);
      growTo(options.scale[1]);
      await refreshTokens();
      const result = await measure(NAMES.availability, options.scaleConnections, `availability, ${thousands(options.scale[1])} bookings`);
      results.scale.push({ bookings: countBookings(), ...result });
    }
    results.databaseBytes = fs.statSync(databaseFile).size;
  } finally {
    if (server) await server.stop();
    if (!options.keep) for (const suffix of ['', '-journal', '-wal', '-shm']) fs.rmSync(databaseFile + suffix, { force: true });
  }
  results.totalSeconds = (Date.now() - began) / 1000;
  report(results, options, results.probes[NAMES.mine]?.status === 200);
  if (options.json) fs.writeFileSync(path.resolve(appDir, options.json), JSON.stringify(results, null, 2));
  fs.writeFileSync(path.join(workDir, 'results.json'), JSON.stringify(results, null, 2));
}

function report(results, options, mineOk) {
  const env = results.environment;
  const out = [];
  out.push('');
  out.push(`bench/booking — ${env.date}`);
  out.push(
    `commit ${env.commit}; Node ${env.node}; ${env.cpus}; ${env.memory}; load average at start ${env.loadavg}; ` +
      `SQLite ${env.sqlite}; Strapi ${env.strapi}; autocannon ${env.autocannon}`,
  );
  out.push(
    `${thousands(results.bookings)} bookings in the table; ${options.duration} s per run after ${options.warmup} s warm-up; ` +
      `server NODE_ENV=production, LOG_LEVEL=${options.logLevel}, cron off; whole run ${fmt(results.totalSeconds / 60, 1)} min`,
  );
  out.push('');

  const baseline = new Map(results.runs.filter((run) => run.endpoint === NAMES.core).map((run) => [run.connections, run.rps]));
  const order = [NAMES.core, NAMES.availability, NAMES.quote, NAMES.create, NAMES.mine];
  const rows = [];
  for (const connections of options.connections) {
    for (const name of order) {
      const run = results.runs.find((r) => r.endpoint === name && r.connections === connections);
      if (!run) {
        if (name === NAMES.mine && !mineOk) {
          rows.push([name, connections, `missing (HTTP ${results.probes[NAMES.mine]?.status ?? '?'})`, '—', '—', '—', '—', '—', '—']);
        }
        continue;
      }
      const non2xx = run.non2xx === 0 ? '0' : `${run.non2xx} (${statusSummary(run.statuses)})`;
      rows.push([
        name,
        connections,
        fmt(run.rps, 0),
        fmt(run.p50),
        fmt(run.p95),
        fmt(run.p99),
        non2xx,
        baseline.get(connections) > 0 ? `${fmt(run.rps / baseline.get(connections), 2)}×` : '—',
        fmt(run.cpuMsPerRequest, 2),
      ]);
    }
  }
  out.push(table(['endpoint', 'conns', 'req/s', 'p50 ms', 'p95 ms', 'p99 ms', 'non-2xx', 'req/s ÷ core find', 'server CPU ms/req'], rows));

  if (results.scale.length === 2) {
    out.push('');
    const scaleRows = results.scale.map((run) => [
      `${thousands(run.bookings)} bookings`,
      run.connections,
      fmt(run.rps, 0),
      fmt(run.p50),
      fmt(run.p95),
      fmt(run.p99),
      String(run.non2xx),
      fmt(run.cpuMsPerRequest, 2),
    ]);
    out.push(table(['GET /api/availability with', 'conns', 'req/s', 'p50 ms', 'p95 ms', 'p99 ms', 'non-2xx', 'server CPU ms/req'], scaleRows));
  }

  // Targets of the issue.
  const find = (name, connections) => results.runs.find((r) => r.endpoint === name && r.connections === connections);
  const checks = [];
  const high = Math.max(...options.connections);
  const low = Math.min(...options.connections);
  const ratio = (name) => {
    const run = find(name, high);
    const base = baseline.get(high);
    return run && base > 0 ? run.rps / base : NaN;
  };
  checks.push([`availability req/s ≥ 3× core find @${high}`, `${fmt(ratio(NAMES.availability), 2)}×`, ratio(NAMES.availability) >= 3]);
  checks.push([`quote req/s ≥ 3× core find @${high}`, `${fmt(ratio(NAMES.quote), 2)}×`, ratio(NAMES.quote) >= 3]);
  const createHigh = find(NAMES.create, high);
  checks.push([`create ≥ 200 req/s @${high}`, `${fmt(createHigh?.rps, 0)} req/s`, createHigh?.rps >= 200]);
  for (const [name, limit] of [
    [NAMES.availability, 25],
    [NAMES.quote, 25],
    [NAMES.create, 60],
  ]) {
    const run = find(name, low);
    checks.push([`${name.split(' ').slice(0, 2).join(' ')} p95 ≤ ${limit} ms @${low}`, `${fmt(run?.p95)} ms`, run?.p95 <= limit]);
  }
  const creates = results.runs.filter((r) => r.endpoint === NAMES.create);
  const createErrors = creates.reduce((sum, r) => sum + r.non2xx + r.errors, 0);
  checks.push(['create: every request booked (no non-2xx)', String(createErrors), createErrors === 0]);
  if (results.scale.length === 2) {
    const [small, large] = results.scale;
    checks.push([
      `availability p95 with ${thousands(large.bookings)} ≤ 1.5× with ${thousands(small.bookings)}`,
      `${fmt(large.p95)} / ${fmt(small.p95)} ms = ${fmt(large.p95 / small.p95, 2)}×`,
      large.p95 <= 1.5 * small.p95,
    ]);
  }
  if (!mineOk) checks.push(['GET /api/bookings/mine answers 200', `HTTP ${results.probes[NAMES.mine]?.status}`, false]);
  out.push('');
  out.push(table(['target', 'measured', 'met'], checks.map(([what, measured, ok]) => [what, measured, ok ? 'yes' : 'NO'])));
  out.push('');
  process.stdout.write(out.join('\n') + '\n');
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
