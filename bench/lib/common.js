/**
 * What the benchmarks share: the machine and build description of a report, compiling the server into the
 * bench's own folder, starting it as a production child process on a fresh SQLite file with generated secrets,
 * CPU readings of a process, and markdown tables. Used by bench/booking/run.js and bench/bot/run.js.
 */
'use strict';

const { execFileSync, fork } = require('child_process');
const crypto = require('crypto');
const fs = require('fs');
const net = require('net');
const os = require('os');
const path = require('path');

const appDir = path.resolve(__dirname, '..', '..');
const TIME_ZONE = 'Europe/Moscow';

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const secret = () => crypto.randomBytes(24).toString('base64');

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

let clockTicks = null;
/** CPU seconds (user + system) the process has used so far, from /proc (Linux); null elsewhere. */
function cpuSeconds(pid) {
  try {
    clockTicks ??= Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / clockTicks; // utime, stime (fields 14 and 15)
  } catch {
    return null;
  }
}

function git(args) {
  try {
    // --no-optional-locks: read-only, never refreshes the index of a working tree other people are using.
    return execFileSync('git', ['--no-optional-locks', ...args], { cwd: appDir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return null;
  }
}

const packageVersion = (name) => JSON.parse(fs.readFileSync(path.join(appDir, 'node_modules', name, 'package.json'), 'utf8')).version;

/** Date, commit, Node, CPUs, memory, load average and Strapi's version, plus the bench's own `extra` fields. */
function environment(extra = {}) {
  const cpus = os.cpus();
  const commit = git(['rev-parse', '--short', 'HEAD']);
  const dirty = git(['status', '--porcelain', '--untracked-files=no']);
  return {
    date: new Date().toISOString(),
    commit: commit ? `${commit}${dirty ? ' (working tree with uncommitted changes)' : ''}` : 'unknown',
    node: process.version,
    cpus: `${cpus.length} × ${cpus[0]?.model?.trim() ?? 'unknown'}`,
    memory: `${Math.round(os.totalmem() / 2 ** 30)} GiB`,
    loadavg: os.loadavg().map((value) => value.toFixed(2)).join(' '),
    strapi: packageVersion('@strapi/strapi'),
    ...extra,
  };
}

/** Compiles the plugins, then the app with `tsc` into `distDir` (the server only; no admin panel). */
function compileServer(distDir, log) {
  const started = Date.now();
  log('compiling the server (plugins, then tsc into ' + path.relative(appDir, distDir) + ')');
  // What scripts/build-plugins.js does, one plugin at a time: a plugin that does not compile right now (work
  // in progress in this working tree) is reported and skipped; if the app enables it, the server start fails.
  const tsc = require.resolve('typescript/bin/tsc');
  for (const name of fs.readdirSync(path.join(appDir, 'plugins')).sort()) {
    const project = path.join(appDir, 'plugins', name, 'tsconfig.server.json');
    if (!fs.existsSync(project)) continue;
    try {
      execFileSync(process.execPath, [tsc, '-p', project], { cwd: appDir, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
    } catch (error) {
      const output = `${error.stdout ?? ''}${error.stderr ?? ''}`.trim().split('\n').slice(0, 5).join('\n  ');
      log(`warning: plugins/${name} does not compile (its previous build, if any, stays in use):\n  ${output}`);
    }
  }
  // The same compile step as `strapi build` and the test harness, into the bench's own folder: dist/ is
  // rewritten by every test run in this working tree.
  execFileSync(
    process.execPath,
    [
      '-e',
      `require('@strapi/typescript-utils').compile(${JSON.stringify(appDir)}, { configOptions: { options: { outDir: ${JSON.stringify(distDir)}, tsBuildInfoFile: ${JSON.stringify(path.join(distDir, '.tsbuildinfo'))} } } }).catch((e) => { console.error(e); process.exit(1); })`,
    ],
    { cwd: appDir, stdio: ['ignore', 2, 2] },
  );
  if (!fs.existsSync(path.join(distDir, 'src', 'index.js'))) throw new Error(`compile produced no ${distDir}/src/index.js`);
  log(`compiled in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

/**
 * Starts the compiled app (bench/lib/server.js) with NODE_ENV=production on `databaseFile`, with generated
 * secrets; `env` adds to or overrides the bench defaults. Resolves when it listens.
 */
async function startServer({ distDir, databaseFile, logFile, botToken, env: extraEnv = {} }) {
  const port = await freePort();
  const env = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    NODE_ENV: 'production',
    HOST: '127.0.0.1',
    PORT: String(port),
    BENCH_DIST_DIR: distDir,
    DATABASE_CLIENT: 'sqlite',
    DATABASE_FILENAME: databaseFile,
    APP_KEYS: [secret(), secret(), secret(), secret()].join(','),
    API_TOKEN_SALT: secret(),
    ADMIN_JWT_SECRET: secret(),
    TRANSFER_TOKEN_SALT: secret(),
    JWT_SECRET: secret(),
    ENCRYPTION_KEY: secret(),
    BOT_SERVICE_TOKEN: botToken,
    SEED_DEMO: 'false',
    SPACE_TIMEZONE: TIME_ZONE,
    LOG_LEVEL: 'http',
    // Not throttled: the bot's sign-ins skip the anonymous limiter anyway; the users-permissions limiter
    // on /api/auth/* is off, and the anonymous one is set out of reach.
    AUTH_RATELIMIT_ENABLED: 'false',
    AUTH_TELEGRAM_RATE_LIMIT: '1000000',
    // A few signed-in members make every request of a run: the limits of config/rate-limits.ts are set out of reach
    // rather than off, so the limiter's own cost stays in the figures.
    ...Object.fromEntries(
      ['SIGN_IN', 'MEMBER', 'BOOKING_QUOTE', 'BOOKING_CREATE', 'TICKET_CREATE', 'TICKET_REPLY', 'UPLOAD', 'PAYMENT_WEBHOOK'].map((rule) => [
        `RATE_LIMIT_${rule}`,
        '100000000/60',
      ]),
    ),
    // Each bench member holds hundreds of unpaid bookings: the cap (default 2) is out of reach, as the limits are.
    BOOKING_MAX_UNPAID_HOLDS: '100000000',
    // The housekeeping cron (every 30 s) would land inside measurement windows; its cost is not the measured one.
    STRAPI_DISABLE_CRON: 'true',
    STRAPI_TELEMETRY_DISABLED: 'true',
    ...extraEnv,
  };
  const out = fs.openSync(logFile, 'a');
  const child = fork(path.join(__dirname, 'server.js'), [], { cwd: appDir, env, stdio: ['ignore', out, out, 'ipc'] });
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the server did not start within 180 s (see ${logFile})`)), 180_000);
    child.on('message', (message) => {
      if (message && message.ready) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the server exited with code ${code} during start-up (see ${logFile})`));
    });
  });
  child.removeAllListeners('exit');
  return {
    child,
    url: `http://127.0.0.1:${port}`,
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
      fs.closeSync(out);
    },
  };
}

const fmt = (value, digits = 1) => (Number.isFinite(value) ? value.toFixed(digits) : '—');

/** A markdown table: the first column left-aligned, the others right-aligned. */
function table(headers, rows) {
  const widths = headers.map((header, i) => Math.max(header.length, ...rows.map((row) => String(row[i]).length)));
  const line = (cells) => `| ${cells.map((cell, i) => (i === 0 ? String(cell).padEnd(widths[i]) : String(cell).padStart(widths[i]))).join(' | ')} |`;
  const rule = `|${widths.map((width, i) => (i === 0 ? ':' : '-') + '-'.repeat(width) + (i === 0 ? '-' : ':')).join('|')}|`;
  return [line(headers), rule, ...rows.map(line)].join('\n');
}

module.exports = { appDir, TIME_ZONE, sleep, freePort, cpuSeconds, git, packageVersion, environment, compileServer, startServer, fmt, table };
