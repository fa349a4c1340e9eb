#!/usr/bin/env node
/**
 * bench/bot: the Telegram bot under load, end to end without Telegram's network. Simulated members go through
 * the booking flow (/start → Book → tariff → date → time → 1 h → no promo code → Confirm) against the Telegram
 * stand-in (tests/stand-ins/telegram), the real bot (createBot + long polling, in its own process) and the real
 * Strapi (a child process on a fresh SQLite file). Each member waits for the bot's answer before the next step;
 * the updates of all members together arrive at a fixed rate. One command:
 *
 *   npm run bench:bot                 1,000 members at 50 updates/s, then the ramp (≈ 6–8 minutes)
 *   npm run bench:bot -- --quick      100 members, short ramp steps (≈ 2–3 minutes), for development
 *
 * Options (also BENCH_* environment variables):
 *   --users=N         members in the main run, one booking flow each (default 1000; quick 100)
 *   --rate=R          updates per second in the main run (default 50)
 *   --ramp=A,B,…      update rates of the ramp (default 10,25,50,75,100,150,200,300; quick 25,50,100)
 *   --step=S          seconds per ramp step (default 20; quick 8)
 *   --no-ramp         skip the ramp
 *   --dist=DIR        use an app already compiled into DIR (default: compile into .tmp/bench-bot-dist)
 *   --keep            keep the database (.tmp/bench-bot-<time>/)
 *   --json=FILE       also write the results as JSON
 *
 * The latency is measured inside the bot process (bench/bot/bot-process.ts): from the moment the getUpdates
 * answer carrying the update reached the bot to the first reply call the bot makes for it (sendMessage /
 * editMessageText …), the Strapi calls in between included. See bench/README.md.
 */
'use strict';

const { execFileSync, fork } = require('child_process');
const crypto = require('crypto');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { performance } = require('perf_hooks');

const Database = require('better-sqlite3');
const fixtures = require('../booking/fixtures');
const { appDir, TIME_ZONE, sleep, cpuSeconds, environment, compileServer, startServer, packageVersion, fmt, table } = require('../lib/common');
const WARMUP_USERS = 30;
const FIRST_TELEGRAM_ID = 5_000_000_000; // fixtures.createBackgroundMembers: telegram_id = 5_000_000_000 + i
const MAX_STEPS_PER_FLOW = 20;
const REPLY_WAIT_MS = 120_000; // an update without a handled record after this long counts as a missing reply

// ---------------------------------------------------------------------------------------------------------
// Options and small helpers

function parseOptions(argv) {
  const flags = {};
  for (const arg of argv) {
    const match = /^--([a-z-]+)(?:=(.*))?$/.exec(arg);
    if (!match) throw new Error(`Unknown argument ${arg} (see the header of bench/bot/run.js)`);
    flags[match[1]] = match[2] ?? true;
  }
  const env = (name) => process.env[`BENCH_${name.toUpperCase().replace(/-/g, '_')}`];
  const pick = (name, fallback) => flags[name] ?? env(name) ?? fallback;
  const quick = String(pick('quick', false)) === 'true';
  const number = (name, fallback) => {
    const value = Number(pick(name, fallback));
    if (!Number.isFinite(value) || value <= 0) throw new Error(`--${name} must be a positive number`);
    return value;
  };
  return {
    quick,
    users: Math.round(number('users', quick ? 100 : 1000)),
    rate: number('rate', 50),
    ramp: String(pick('no-ramp', false)) === 'true' ? [] : String(pick('ramp', quick ? '25,50,100' : '10,25,50,75,100,150,200,300')).split(',').map(Number),
    step: number('step', quick ? 8 : 20),
    dist: pick('dist', null),
    keep: Boolean(pick('keep', false)),
    json: pick('json', null),
  };
}

const log = (message) => process.stderr.write(`[bench:bot ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
const now = () => performance.timeOrigin + performance.now();

// ---------------------------------------------------------------------------------------------------------
// Build: the server (bench/lib/common.js) and the TypeScript parts with esbuild

function bundle(outDir) {
  const esbuild = require('esbuild');
  const common = { bundle: true, platform: 'node', target: 'node20', format: 'cjs', logLevel: 'warning', absWorkingDir: appDir };
  esbuild.buildSync({ ...common, entryPoints: ['tests/stand-ins/telegram/server.ts'], outfile: path.join(outDir, 'stand-in.js') });
  // The bot's dependencies stay in node_modules (as in production); only our TypeScript is bundled.
  esbuild.buildSync({ ...common, entryPoints: ['bench/bot/bot-process.ts'], outfile: path.join(outDir, 'bot-process.js'), packages: 'external' });
}

async function startBotProcess({ script, env, logFile, onRecords }) {
  const out = fs.openSync(logFile, 'a');
  const child = fork(script, [], { cwd: appDir, env, stdio: ['ignore', out, out, 'ipc'] });
  child.on('message', (message) => {
    if (message?.type === 'updates') onRecords(message.records, message.unattributed);
  });
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the bot did not start within 30 s (see ${logFile})`)), 30_000);
    child.on('message', (message) => {
      if (message?.type === 'ready') {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => reject(new Error(`the bot exited with code ${code} (see ${logFile})`)));
  });
  return {
    child,
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.send({ type: 'stop' });
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
      fs.closeSync(out);
    },
  };
}

// ---------------------------------------------------------------------------------------------------------
// Simulated members

/** The newest bot message with an inline keyboard, and its callback data. */
function latestButtons(telegram, userId) {
  const chat = telegram.chat(userId);
  for (let i = chat.length - 1; i >= 0; i--) {
    const keyboard = chat[i].message.reply_markup?.inline_keyboard;
    if (keyboard) return { messageId: chat[i].message_id, data: keyboard.flat().map((button) => button.callback_data).filter(Boolean), text: chat[i].text };
  }
  return { messageId: 0, data: [], text: '' };
}

/**
 * Decides a member's next update from what the bot shows now: the furthest step of the booking flow on offer.
 * Returns { update, action } or null when the flow is over (the booking result is on screen).
 */
function nextAction(telegram, member, catalogue) {
  if (member.steps === 0) return { action: 'start', update: telegram.sendText(member.user, '/start') };
  const { messageId, data } = latestButtons(telegram, member.user.id);
  const find = (re) => data.filter((value) => re.test(value));
  const press = (action, value) => ({ action, update: telegram.pressButton(member.user, { messageId, data: value }) });
  if (member.lastAction === 'ok' && find(/^bk:[0-9a-f]+:ok$/).length === 0) return null; // booked (or refused): result shown
  if (member.steps >= MAX_STEPS_PER_FLOW) return null;
  const ok = find(/^bk:[0-9a-f]+:ok$/);
  if (ok.length) return press('ok', ok[0]);
  const skip = find(/^bk:[0-9a-f]+:skip$/);
  if (skip.length) return press('skip', skip[0]);
  const units = find(/^bk:[0-9a-f]+:u:1$/);
  if (units.length) return press('units', units[0]);
  const slots = find(/^bk:[0-9a-f]+:s:/);
  // (tariff, day, hour) spread over 4 × 6 × 14 combinations, so members rarely meet in one hour of one space.
  const n = member.index + member.flows * 7919;
  if (slots.length) return press('slot', slots[Math.floor(n / 24) % slots.length]);
  const dates = find(/^bk:[0-9a-f]+:d:/);
  if (dates.length) return press('date', dates[1 + (Math.floor(n / 4) % (dates.length - 1))]); // not today: its hours may be past
  const tariffs = find(/^bk:[0-9a-f]+:t:/);
  if (tariffs.length) {
    const wanted = catalogue.openSpaces[n % catalogue.openSpaces.length].tariffDocumentId;
    return press('tariff', tariffs.find((value) => value.endsWith(`:${wanted}`)) ?? tariffs[0]);
  }
  if (data.includes('menu:book')) return press('book', 'menu:book');
  return { action: 'start', update: telegram.sendText(member.user, '/start') }; // lost: back to the menu
}

class Driver {
  constructor(telegram, catalogue) {
    this.telegram = telegram;
    this.catalogue = catalogue;
    this.pending = new Map(); // update_id → { member, sentAt, phase, action }
    this.samples = [];
    this.unattributed = [];
    this.onRecords = this.onRecords.bind(this);
  }

  onRecords(records, unattributed) {
    this.unattributed.push(...unattributed);
    for (const record of records) {
      const entry = this.pending.get(record.id);
      if (!entry) continue;
      this.pending.delete(record.id);
      this.samples.push({ ...record, sentAt: entry.sentAt, phase: entry.phase, action: entry.action });
      entry.member.lastAction = entry.action;
      entry.member.awaiting = false;
      entry.phaseState?.ready.push(entry.member);
    }
  }

  /**
   * Sends updates at `rate` per second, each from the next member who is not waiting for the bot. `flows`: how
   * many booking flows a member makes before leaving (main run: 1); `durationMs`: stop sending after this long.
   */
  async runPhase({ phase, members, rate, flows = 1, durationMs = Infinity }) {
    const state = { ready: [...members] };
    const interval = 1000 / rate;
    const started = now();
    let sent = 0;
    let skipped = 0;
    let finished = 0;
    const cpu = this.cpuProbe();
    for (let k = 0; ; k++) {
      const due = started + k * interval;
      if (due - started >= durationMs) break;
      if (finished >= members.length) break;
      const wait = due - now();
      if (wait > 1) await sleep(wait);
      let member;
      let action = null;
      while ((member = state.ready.shift())) {
        action = nextAction(this.telegram, member, this.catalogue);
        if (action) break;
        member.flows += 1;
        member.steps = 0;
        member.lastAction = null;
        if (member.flows >= flows) {
          finished += 1;
          continue;
        }
        action = nextAction(this.telegram, member, this.catalogue);
        break;
      }
      if (!member) {
        skipped += 1; // every member is waiting for the bot: the arrival rate is not reached
        continue;
      }
      member.steps += 1;
      member.awaiting = true;
      this.pending.set(action.update.update_id, { member, sentAt: now(), phase, action: action.action, phaseState: state });
      sent += 1;
    }
    const sendingSeconds = (now() - started) / 1000;
    // Let the bot work through what it has; members who finished their flow are not requeued.
    const drainStarted = now();
    while ([...this.pending.values()].some((entry) => entry.phase === phase) && now() - drainStarted < REPLY_WAIT_MS) await sleep(50);
    const missing = [...this.pending.entries()].filter(([, entry]) => entry.phase === phase);
    for (const [id] of missing) this.pending.delete(id);
    return { phase, rate, sent, skipped, sendingSeconds, drainSeconds: (now() - drainStarted) / 1000, missing: missing.length, ...cpu() };
  }

  cpuProbe() {
    const pids = { bot: this.botPid, strapi: this.strapiPid };
    const before = Object.fromEntries(Object.entries(pids).map(([name, pid]) => [name, cpuSeconds(pid)]));
    const t = now();
    return () => {
      const seconds = (now() - t) / 1000;
      const share = {};
      for (const [name, pid] of Object.entries(pids)) {
        const after = cpuSeconds(pid);
        share[`${name}CpuShare`] = after === null || before[name] === null ? NaN : (after - before[name]) / seconds;
      }
      return { ...share, loadavg: os.loadavg()[0] };
    };
  }
}

// ---------------------------------------------------------------------------------------------------------
// Statistics and output

function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index];
}

function summarise(run, samples) {
  const mine = samples.filter((sample) => sample.phase === run.phase);
  const replied = mine.filter((sample) => sample.firstReplyAt !== undefined);
  const dist = (values) => {
    const sorted = values.sort((a, b) => a - b);
    return { p50: percentile(sorted, 50), p95: percentile(sorted, 95), p99: percentile(sorted, 99), max: sorted[sorted.length - 1] ?? NaN };
  };
  const errors = { noReply: mine.length - replied.length + run.missing, botErrors: 0, apiErrors: 0, strapiNon2xx: 0, examples: [] };
  for (const sample of mine) {
    errors.botErrors += sample.botErrors.length;
    errors.apiErrors += sample.apiErrors.length;
    errors.strapiNon2xx += sample.strapiNon2xx.length;
    const problems = [...sample.botErrors, ...sample.apiErrors, ...sample.strapiNon2xx, ...(sample.firstReplyAt === undefined ? ['no reply'] : [])];
    if (problems.length && errors.examples.length < 5) errors.examples.push(`${sample.action}: ${problems.join('; ')}`);
  }
  const updatesWithErrors = mine.filter((s) => s.firstReplyAt === undefined || s.botErrors.length || s.apiErrors.length || s.strapiNon2xx.length).length + run.missing;
  const booked = mine.filter((s) => s.action === 'ok' && s.firstReplyAt !== undefined && !s.strapiNon2xx.length && !s.botErrors.length).length;
  return {
    ...run,
    updates: mine.length,
    achievedRate: run.sent / run.sendingSeconds,
    received: dist(replied.filter((s) => s.fetchedAt !== undefined).map((s) => s.firstReplyAt - s.fetchedAt)),
    handler: dist(replied.map((s) => s.firstReplyAt - s.startedAt)),
    queued: dist(mine.filter((s) => s.fetchedAt !== undefined).map((s) => s.startedAt - s.fetchedAt)),
    endToEnd: dist(replied.map((s) => s.firstReplyAt - s.sentAt)),
    strapiCallsPerUpdate: mine.reduce((n, s) => n + s.strapiCalls, 0) / Math.max(1, mine.length),
    byAction: Object.fromEntries(
      ['start', 'book', 'tariff', 'date', 'slot', 'units', 'skip', 'ok'].map((action) => {
        const values = replied.filter((s) => s.action === action && s.fetchedAt !== undefined).map((s) => s.firstReplyAt - s.fetchedAt);
        return [action, { n: values.length, ...dist(values), strapiCalls: mine.filter((s) => s.action === action).reduce((n, s) => n + s.strapiCalls, 0) / Math.max(1, values.length) }];
      }),
    ),
    errors,
    updatesWithErrors,
    booked,
  };
}


function report(results) {
  const env = results.environment;
  const out = [''];
  out.push(`bench/bot — ${env.date}, commit ${env.commit}`);
  out.push(`node ${env.node}, ${env.cpus}, ${env.memory}, Strapi ${env.strapi}, grammY ${env.grammy}; load average at start ${env.loadavg}, at end ${results.loadavgEnd}`);
  out.push(`uptime at start: ${results.uptimeStart}`);
  out.push('');
  out.push('Latency = from the getUpdates answer carrying the update reaching the bot to its first reply call (sendMessage / editMessageText), Strapi calls included, in ms.');
  out.push('"handler": from the runner handing the update to the bot to its first reply (a chat\'s later updates wait for its earlier ones); "end to end" adds the stand-in\'s long-poll delivery.');
  out.push('');
  const row = (r, label) => [
    label, fmt(r.rate, 0), fmt(r.achievedRate, 1), r.updates, fmt(r.received.p50), fmt(r.received.p95), fmt(r.received.p99), fmt(r.handler.p50), fmt(r.handler.p95),
    fmt(r.endToEnd.p95), r.updatesWithErrors, r.booked, `${fmt(r.botCpuShare * 100, 0)}% / ${fmt(r.strapiCpuShare * 100, 0)}%`, fmt(r.loadavg, 2),
  ];
  const headers = ['run', 'offered/s', 'achieved/s', 'updates', 'p50', 'p95', 'p99', 'handler p50', 'handler p95', 'end-to-end p95', 'updates with errors', 'booked', 'CPU bot / Strapi', 'load'];
  out.push(table(headers, [row(results.main, `main: ${results.options.users} members`), ...results.ramp.map((r) => row(r, `ramp ${r.rate}/s, ${results.options.step} s`))]));
  out.push('');
  out.push('Main run by step (received → first reply, ms; Strapi calls per update):');
  out.push(table(['step', 'n', 'p50', 'p95', 'p99', 'Strapi calls'], Object.entries(results.main.byAction).map(([action, d]) => [action, d.n, fmt(d.p50), fmt(d.p95), fmt(d.p99), fmt(d.strapiCalls, 1)])));
  out.push('');
  const e = results.main.errors;
  out.push(`Main run errors: ${results.main.updatesWithErrors} updates with errors (no reply ${e.noReply}, bot errors ${e.botErrors}, failed Bot API calls ${e.apiErrors}, Strapi non-2xx ${e.strapiNon2xx}); bookings made ${results.main.booked} of ${results.options.users}.`);
  for (const example of e.examples) out.push(`  e.g. ${example}`);
  if (results.unattributed.length) out.push(`Outside any update: ${results.unattributed.slice(0, 5).join(' | ')} (${results.unattributed.length} in all)`);
  out.push('');
  const sustained = results.ramp.filter((r) => r.sustained).map((r) => r.rate);
  out.push(
    results.ramp.length === 0
      ? 'No ramp (--no-ramp).'
      : `Highest rate sustained (achieved ≥ 90 % of offered, p95 ≤ 500 ms, no errors): ${sustained.length ? `${Math.max(...sustained)} updates/s` : 'none of the rates tried'}${results.rampStoppedAt ? `; stopped at ${results.rampStoppedAt} updates/s (${results.rampStopReason})` : ''}.`,
  );
  const m = results.main;
  out.push('');
  out.push(table(['target', 'measured', 'met'], [
    [`p95 ≤ 100 ms at ${results.options.rate} updates/s`, `${fmt(m.received.p95)} ms (achieved ${fmt(m.achievedRate, 1)}/s)`, m.received.p95 <= 100 && m.achievedRate >= 0.9 * m.rate ? 'yes' : 'NO'],
    ['zero errors', String(m.updatesWithErrors), m.updatesWithErrors === 0 ? 'yes' : 'NO'],
  ]));
  out.push('');
  process.stdout.write(out.join('\n') + '\n');
}

// ---------------------------------------------------------------------------------------------------------
// Main

async function main() {
  const options = parseOptions(process.argv.slice(2));
  const env = environment({ grammy: packageVersion('grammy') });
  const uptimeStart = execFileSync('uptime', { encoding: 'utf8' }).trim();
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const workDir = path.join(appDir, '.tmp', `bench-bot-${stamp}`);
  fs.mkdirSync(workDir, { recursive: true });
  const databaseFile = path.join(workDir, 'data.db');
  const distDir = options.dist ? path.resolve(appDir, options.dist) : path.join(appDir, '.tmp', 'bench-bot-dist');
  const serviceToken = crypto.randomBytes(32).toString('hex');
  const began = Date.now();
  log(`options: ${JSON.stringify(options)}; work dir ${path.relative(appDir, workDir)}`);

  if (!options.dist) compileServer(distDir, log);
  bundle(workDir);

  let server = null;
  let telegram = null;
  let bot = null;
  const results = { environment: env, uptimeStart, options, ramp: [] };
  try {
    server = await startServer({ distDir, databaseFile, logFile: path.join(workDir, 'server.log'), botToken: serviceToken });
    log(`server up at ${server.url}`);

    // The catalogue (8 meeting rooms, 4 open spaces of 40 seats, an hourly tariff each) and the members, all
    // registered, written straight into SQLite (bench/booking/fixtures.js). Members book the open spaces.
    const rampMembers = options.ramp.length ? 1000 : 0;
    const totalMembers = WARMUP_USERS + options.users + rampMembers;
    const db = fixtures.openForBulkWrites(Database, databaseFile);
    const catalogue = fixtures.createCatalogue(db);
    fixtures.createBackgroundMembers(db, totalMembers);
    db.close();
    log(`seeded ${catalogue.rooms.length + catalogue.openSpaces.length} tariffs and ${totalMembers} registered members`);

    const { startTelegramStandIn } = require(path.join(workDir, 'stand-in.js'));
    telegram = await startTelegramStandIn({ rateLimits: false, repeatPollFloorSeconds: 0, bot: { first_name: 'Coworking', username: 'coworking_bench_bot' } });
    const driver = new Driver(telegram, catalogue);
    bot = await startBotProcess({
      script: path.join(workDir, 'bot-process.js'),
      logFile: path.join(workDir, 'bot.log'),
      onRecords: driver.onRecords,
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        NODE_ENV: 'production',
        BOT_TOKEN: telegram.token,
        TELEGRAM_API_ROOT: telegram.apiRoot,
        STRAPI_URL: server.url,
        BOT_SERVICE_TOKEN: serviceToken,
        SPACE_TIMEZONE: TIME_ZONE,
        BOT_RATE_LIMIT_MAX: '1000000',
        BENCH_BOT_INFO: JSON.stringify(telegram.botInfo),
      },
    });
    driver.botPid = bot.child.pid;
    driver.strapiPid = server.child.pid;
    log('bot up (long polling against the stand-in)');

    const members = (from, count) =>
      Array.from({ length: count }, (_, k) => {
        const i = from + k;
        return { index: i, user: { id: FIRST_TELEGRAM_ID + i, first_name: `Member${i}`, language_code: 'ru' }, steps: 0, flows: 0, lastAction: null };
      });

    const warm = await driver.runPhase({ phase: 'warmup', members: members(0, WARMUP_USERS), rate: 20 });
    log(`warm-up: ${warm.sent} updates`);

    log(`main run: ${options.users} members, ${options.rate} updates/s`);
    const mainRun = await driver.runPhase({ phase: 'main', members: members(WARMUP_USERS, options.users), rate: options.rate });
    results.main = summarise(mainRun, driver.samples);
    log(`main: ${results.main.updates} updates, achieved ${fmt(results.main.achievedRate)}/s, p50 ${fmt(results.main.received.p50)} p95 ${fmt(results.main.received.p95)} p99 ${fmt(results.main.received.p99)} ms, errors ${results.main.updatesWithErrors}`);

    // Ramp: 2 × rate members per step (each sends an update about every 2 s, a whole flow in ≈ 16 s), so the
    // update mix is the flow's, not mostly /start; members keep their place in the flow from step to step.
    const rampPool = members(WARMUP_USERS + options.users, rampMembers);
    for (const rate of options.ramp) {
      const pool = rampPool.slice(0, Math.min(rampPool.length, Math.ceil(2 * rate)));
      const run = await driver.runPhase({ phase: `ramp-${rate}`, members: pool, rate, flows: Infinity, durationMs: options.step * 1000 });
      const r = summarise(run, driver.samples);
      r.sustained = r.achievedRate >= 0.9 * rate && r.received.p95 <= 500 && r.updatesWithErrors === 0;
      results.ramp.push(r);
      log(`ramp ${rate}/s: achieved ${fmt(r.achievedRate)}/s, p50 ${fmt(r.received.p50)} p95 ${fmt(r.received.p95)} p99 ${fmt(r.received.p99)} ms, errors ${r.updatesWithErrors}, drain ${fmt(r.drainSeconds)} s`);
      if (!r.sustained) {
        results.rampStoppedAt = rate;
        results.rampStopReason = r.received.p95 > 500 ? `p95 ${fmt(r.received.p95)} ms` : r.updatesWithErrors ? `${r.updatesWithErrors} updates with errors` : `only ${fmt(r.achievedRate)} updates/s reached`;
        break;
      }
    }
    results.unattributed = driver.unattributed;
  } finally {
    if (bot) await bot.stop().catch(() => undefined);
    if (telegram) await telegram.close().catch(() => undefined);
    if (server) await server.stop();
    if (!options.keep) for (const suffix of ['', '-journal', '-wal', '-shm']) fs.rmSync(databaseFile + suffix, { force: true });
  }
  results.loadavgEnd = os.loadavg().map((value) => value.toFixed(2)).join(' ');
  results.totalSeconds = (Date.now() - began) / 1000;
  report(results);
  log(`total ${fmt(results.totalSeconds, 0)} s; logs in ${path.relative(appDir, workDir)}`);
  const json = JSON.stringify(results, null, 2);
  fs.writeFileSync(path.join(workDir, 'results.json'), json);
  if (options.json) fs.writeFileSync(path.resolve(appDir, options.json), json);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
