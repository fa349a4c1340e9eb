/**
 * With REDIS_URL set, every instance counts on the same Redis (issue 13, "One rate-limit library"): two separate
 * server processes (bench/lib/server.js on the compiled app, each on its own port and SQLite file) share one
 * throwaway redis-server, and a limit of N is N across both, not 2N. Skipped, saying why, where redis-server is not
 * installed (scripts/lib/redis.sh installs it). Every process started here is stopped in afterAll, failures included.
 */
import { fork, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import Redis from 'ioredis';
import request from 'supertest';
import { freePort, redisAvailable, startRedis, type TestRedis } from '../helpers/redis';

jest.setTimeout(300_000);

const appDir = path.resolve(__dirname, '..', '..');
const SIGN_IN_LIMIT = 4;
const ACCOUNT_FAILURES = 3;
const STOP_GRACE_MS = 15_000;
/** Telegram initData with a wrong signature: every attempt is a failed sign-in (401) until the limit refuses it. */
const BAD_INIT_DATA = { initData: 'user=%7B%7D&hash=00' };
const CLIENT = '203.0.113.9';

interface ServerProcess {
  name: string;
  url: string;
  logFile: string;
  stop(): Promise<void>;
}

/** One server process on a fresh SQLite file, resolved when it listens. */
async function startServer(name: string, redisUrl: string, workDir: string): Promise<ServerProcess> {
  const port = await freePort();
  const logFile = path.join(workDir, `${name}.log`);
  const out = fs.openSync(logFile, 'a');
  const child: ChildProcess = fork(path.join(appDir, 'bench/lib/server.js'), [], {
    cwd: appDir,
    env: {
      ...process.env,
      HOST: '127.0.0.1',
      PORT: String(port),
      BENCH_DIST_DIR: process.env.TEST_DIST_DIR,
      DATABASE_CLIENT: 'sqlite',
      DATABASE_FILENAME: path.join(workDir, `${name}.db`),
      REDIS_URL: redisUrl,
      RATE_LIMIT_SIGN_IN: `${SIGN_IN_LIMIT}/60`,
      // The test speaks for several client addresses through X-Forwarded-For, as a proxy in front would.
      TRUSTED_PROXIES: '127.0.0.1',
      RATE_LIMIT_ADMIN_LOGIN_ACCOUNT: `${ACCOUNT_FAILURES}/900/900`,
    },
    stdio: ['ignore', out, out, 'ipc'],
  });
  fs.closeSync(out);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
    await exited;
    clearTimeout(timer);
  };
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`server ${name} did not start within 180 s (log: ${logFile})`)), 180_000);
      child.on('message', (message: { ready?: boolean }) => {
        if (message?.ready) {
          clearTimeout(timer);
          resolve();
        }
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`server ${name} exited with ${code} before listening (log: ${logFile})`));
      });
    });
  } catch (error) {
    await stop();
    throw error;
  }
  return { name, url: `http://127.0.0.1:${port}`, logFile, stop };
}

const describeWithRedis = redisAvailable() ? describe : describe.skip;
const title = redisAvailable()
  ? 'rate limits shared through Redis by two server processes'
  : 'rate limits shared through Redis by two server processes — SKIPPED: redis-server is not installed (scripts/lib/redis.sh installs it)';

describeWithRedis(title, () => {
  let redis: TestRedis | null = null;
  let redisClient: Redis | null = null;
  const servers: ServerProcess[] = [];
  let workDir = '';

  beforeAll(async () => {
    fs.mkdirSync(path.join(appDir, '.tmp'), { recursive: true });
    workDir = fs.mkdtempSync(path.join(appDir, '.tmp', 'rate-limit-redis-'));
    redis = await startRedis();
    redisClient = new Redis(redis.url);
    // Pushed as each one starts, so afterAll stops whichever started even if the other did not.
    await Promise.all(['a', 'b'].map(async (name) => servers.push(await startServer(name, redis!.url, workDir))));
    servers.sort((x, y) => x.name.localeCompare(y.name));
    // Given both instances count in Redis: until an instance's connection is ready it counts in its in-memory
    // insurance limiter by design, which is not what this test is about. One sign-in attempt per instance from a
    // fresh warm-up address, until Redis holds both for the same address.
    for (let attempt = 1; ; attempt += 1) {
      const address = `198.51.100.${attempt}`;
      for (const server of servers) await request(server.url).post('/api/auth/telegram').set('X-Forwarded-For', address).send(BAD_INIT_DATA);
      if (Number(await redisClient.get(`rl:signIn:ip:${address}`)) === servers.length) break;
      if (attempt >= 100) throw new Error('the two servers did not both count sign-ins in Redis');
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  });

  afterAll(async () => {
    await Promise.allSettled(servers.map((server) => server.stop()));
    redisClient?.disconnect();
    await redis?.stop();
    if (workDir) fs.rmSync(workDir, { recursive: true, force: true });
  });

  /** Each call goes to the next instance in turn: a, b, a, b… */
  const alternate = () => {
    let next = 0;
    return () => servers[next++ % servers.length].url;
  };

  it(`Given a sign-in limit of ${SIGN_IN_LIMIT} per address, When attempts alternate between the two instances, Then attempt ${SIGN_IN_LIMIT + 1} is refused on either (N, not 2N)`, async () => {
    const nextServer = alternate();
    const signIn = () => request(nextServer()).post('/api/auth/telegram').set('X-Forwarded-For', CLIENT).send(BAD_INIT_DATA);
    for (let i = 0; i < SIGN_IN_LIMIT; i += 1) expect((await signIn()).status).toBe(401);

    for (let i = 0; i < servers.length; i += 1) {
      const refused = await signIn();
      expect(refused.status).toBe(429);
      expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      expect(refused.body.error).toMatchObject({ status: 429, name: 'RateLimitError' });
    }
    expect(Number(await redisClient!.get(`rl:signIn:ip:${CLIENT}`))).toBe(SIGN_IN_LIMIT + servers.length);
  });

  it(`Given an account lock after ${ACCOUNT_FAILURES} failed staff logins, When the failures alternate between the instances, Then both refuse the account`, async () => {
    const nextServer = alternate();
    const email = 'nobody@staff.example.com';
    const login = () => request(nextServer()).post('/admin/login').send({ email, password: 'Wrong-Passw0rd' });
    for (let i = 0; i < ACCOUNT_FAILURES; i += 1) expect((await login()).status).toBe(400);

    for (let i = 0; i < servers.length; i += 1) {
      const refused = await login();
      expect(refused.status).toBe(429);
      expect(refused.body.error.details.reason).toBe('account_locked');
    }
  });
});
