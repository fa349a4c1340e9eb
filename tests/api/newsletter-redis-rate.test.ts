/**
 * The Telegram send rate is shared through Redis (docs/NEWSLETTERS.md, Operators: rate): the real Strapi with
 * REDIS_URL pointing at a throwaway redis-server and NEWSLETTER_RATE=10 sends a newsletter through the Telegram
 * stand-in, while a second "process" (this test) takes slots of the same channel at 5/s with the same key and the
 * same reservation script as services/limiter.ts. The server's sends drop from ~10/s to ~rate − 5, and both
 * together stay at the rate (the stand-in's call timestamps and the competitor's slots). The path without Redis
 * (one process, in-memory spacing) is covered by newsletter-delivery.test.ts and tests/unit/newsletter-rate.test.ts.
 * Skipped, saying why, where redis-server is not installed (scripts/lib/redis.sh installs it).
 */
import request from 'supertest';
import Redis from 'ioredis';
import { staffToken } from '../helpers/auth';
import { redisAvailable, startRedis, type TestRedis } from '../helpers/redis';
import { startStrapi, type TestApp } from '../helpers/strapi';
import { startTelegramStandIn, type TelegramStandIn } from '../stand-ins/telegram/server';
import { REDIS_SPACING_SCRIPT, intervalOf } from '../../plugins/newsletter/server/src/domain/rate';

const RATE = 10;
const COMPETITOR_RATE = 5;
const MEMBERS = 120;
/** The limiter's key for the Telegram channel (services/limiter.ts: `newsletter:rate:<channel>`). */
const KEY = 'newsletter:rate:telegram';
const USER_UID = 'plugin::users-permissions.user';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Dispatcher {
  start(options?: { force?: boolean }): void;
  stop(): Promise<void>;
}

const describeWithRedis = redisAvailable() ? describe : describe.skip;
const title = redisAvailable()
  ? 'the newsletter send rate is shared through Redis'
  : 'the newsletter send rate is shared through Redis — SKIPPED: redis-server is not installed (scripts/lib/redis.sh installs it)';

describeWithRedis(title, () => {
  jest.setTimeout(120_000);
  let redis: TestRedis;
  let client: Redis;
  let telegram: TelegramStandIn;
  let app: TestApp;
  let token: string;

  beforeAll(async () => {
    redis = await startRedis();
    client = new Redis(redis.url);
    telegram = await startTelegramStandIn({ rateLimits: false });
    app = await startStrapi({
      REDIS_URL: redis.url,
      BOT_TOKEN: telegram.token,
      TELEGRAM_API_ROOT: telegram.apiRoot,
      NEWSLETTER_WORKER: 'false',
      NEWSLETTER_RATE: String(RATE),
      NEWSLETTER_CONCURRENCY: '4',
      NEWSLETTER_POLL_MS: '50',
    });
    token = await staffToken(app.strapi, 'strapi-super-admin');
  });

  afterAll(async () => {
    await (app?.strapi.plugin('newsletter').service('dispatcher') as unknown as Dispatcher | undefined)?.stop();
    await (app?.strapi.plugin('newsletter').service('limiter') as unknown as { close(): Promise<void> } | undefined)?.close();
    await app?.stop();
    await telegram?.close();
    client?.disconnect();
    await redis?.stop();
  });

  /** Most events in any window of `ms` (sliding, starting at each event). */
  const densest = (times: number[], ms: number) => {
    const sorted = [...times].sort((a, b) => a - b);
    let most = 0;
    for (let i = 0, j = 0; i < sorted.length; i++) {
      while (sorted[j] < sorted[i] - ms + 1) j++;
      most = Math.max(most, i - j + 1);
    }
    return most;
  };
  const within = (times: number[], from: number, to: number) => times.filter((t) => t >= from && t < to).length;

  it(`Given NEWSLETTER_RATE=${RATE} and another sender taking ${COMPETITOR_RATE}/s through the same Redis key, the server sends at about ${RATE - COMPETITOR_RATE}/s and both together stay at ${RATE}/s`, async () => {
    // Given members who started the bot, and a newsletter to them
    const role = await app.strapi.db.query('plugin::users-permissions.role').findOne({ where: { type: 'authenticated' } });
    const telegramIds: string[] = [];
    for (let i = 0; i < MEMBERS; i++) {
      const telegramId = String(8_300_000 + i);
      telegramIds.push(telegramId);
      await app.strapi.db.query(USER_UID).create({
        data: {
          username: `rr${telegramId}`,
          email: `rr${telegramId}@telegram.invalid`,
          provider: 'telegram',
          confirmed: true,
          role: role.id,
          telegramId,
          fullName: `Rate${i} Member`,
          language: 'ru',
          consentTerms: true,
          consentMarketing: true,
          isBanned: false,
          botBlocked: false,
          registeredAt: new Date(Date.now() - 86_400_000),
        },
      });
      telegram.addUser({ id: Number(telegramId), first_name: `Rate${i}` });
    }
    const http = () => request(app.strapi.server.httpServer);
    const created = await http()
      .post('/newsletter/newsletters')
      .set('Authorization', `Bearer ${token}`)
      .send({ title: 'Shared rate', channels: ['telegram'], body: 'Привет, {{firstName}}!', audience: { segment: 'custom', params: { telegramIds } } });
    expect(created.status).toBe(201);
    const documentId = created.body.data.documentId as string;
    const serverSends = () => telegram.calls('sendMessage').filter((c) => c.response.ok).map((c) => c.at);

    const dispatcher = app.strapi.plugin('newsletter').service('dispatcher') as unknown as Dispatcher;
    const competitorSlots: number[] = [];
    let competitor: NodeJS.Timeout | null = null;
    try {
      // When it is sent by the dispatcher's loop
      expect((await http().post(`/newsletter/newsletters/${documentId}/send`).set('Authorization', `Bearer ${token}`).send({})).status).toBe(200);
      dispatcher.start({ force: true });
      const deadline = Date.now() + 20_000;
      while (serverSends().length === 0) {
        if (Date.now() > deadline) throw new Error('the dispatcher sent nothing within 20 s');
        await sleep(20);
      }
      // and the limiter really reserves through Redis, under the key this test competes on
      expect(await client.exists(KEY)).toBe(1);
      // Alone for 3 s (after a second to settle)
      await sleep(Math.max(0, serverSends()[0] + 4000 - Date.now()));

      // Then another "process" reserves a slot every 1/5 s through the same script and key, for 6 s
      const interval = String(intervalOf(RATE));
      competitor = setInterval(() => {
        void client
          .eval(REDIS_SPACING_SCRIPT, 1, KEY, 'reserve', interval, '0')
          .then((wait) => competitorSlots.push(Date.now() + Number(wait)))
          .catch(() => undefined);
      }, 1000 / COMPETITOR_RATE);
      await sleep(6000);
      clearInterval(competitor);
      competitor = null;
    } finally {
      if (competitor) clearInterval(competitor);
      await dispatcher.stop();
    }

    const sends = serverSends();
    const aloneRate = within(sends, sends[0] + 1000, sends[0] + 4000) / 3;
    expect(competitorSlots.length).toBeGreaterThan(20);
    // The window where both were sending: 4 s from half a second after the competitor's first slot (its
    // reservations queue behind the ones the server's senders already hold)
    const sharedFrom = Math.min(...competitorSlots) + 500;
    const sharedTo = sharedFrom + 4000;
    const serverShared = within(sends, sharedFrom, sharedTo) / 4;
    const competitorShared = within(competitorSlots, sharedFrom, sharedTo) / 4;
    const all = [...sends.filter((t) => t >= sharedFrom && t < sharedTo), ...competitorSlots.filter((t) => t >= sharedFrom && t < sharedTo)];
    const densestSecond = densest(all, 1000);
    // (the figures for docs/newsletter-parts)
    console.log(
      `newsletter shared rate (Redis, NEWSLETTER_RATE=${RATE}): server alone ${aloneRate.toFixed(2)}/s; with a second sender at ` +
        `${COMPETITOR_RATE}/s: server ${serverShared.toFixed(2)}/s + other ${competitorShared.toFixed(2)}/s = ${(serverShared + competitorShared).toFixed(2)}/s; ` +
        `most sends in any 1 s together ${densestSecond}`,
    );

    // Then alone the server sends at the rate
    expect(aloneRate).toBeGreaterThanOrEqual(RATE * 0.9);
    expect(aloneRate).toBeLessThanOrEqual(RATE + 0.5);
    // and with the other sender it leaves the other's share: about rate − 5
    expect(competitorShared).toBeGreaterThanOrEqual(COMPETITOR_RATE * 0.8);
    expect(serverShared).toBeGreaterThanOrEqual((RATE - COMPETITOR_RATE) * 0.8);
    expect(serverShared).toBeLessThanOrEqual(RATE - COMPETITOR_RATE + 1);
    // and together they stay at the rate (spacing: at most ⌈4 s × rate⌉ + 1 in the window and rate + 1 in any
    // second; one more for the HTTP hop's jitter)
    expect(serverShared + competitorShared).toBeLessThanOrEqual(RATE + 0.5);
    expect(densestSecond).toBeLessThanOrEqual(RATE + 2);
    // and nothing else went wrong: every send was answered ok
    expect(telegram.calls('sendMessage').every((c) => c.response.ok)).toBe(true);

    // Cleanup: the rest of the newsletter is cancelled
    expect((await http().post(`/newsletter/newsletters/${documentId}/cancel`).set('Authorization', `Bearer ${token}`).send({})).status).toBe(200);
  });
});
