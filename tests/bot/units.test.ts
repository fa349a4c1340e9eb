/** The bot's small pieces without servers: the JWT cache of the Strapi client, the spam guard, dates and money. */
import type { MiddlewareFn } from 'grammy';
import type { BotContext } from '../../bot/src/context';
import { rateLimit } from '../../bot/src/middleware';
import { ApiError, jwtExpiry, StrapiClient } from '../../bot/src/strapi-client';
import { localMidnight, money } from '../../bot/src/ui';

const jwtWith = (exp: number) => `x.${Buffer.from(JSON.stringify({ id: 1, exp })).toString('base64url')}.y`;

describe('the Strapi client', () => {
  it('reads exp from a JWT', () => {
    expect(jwtExpiry(jwtWith(1_800_000_000))).toBe(1_800_000_000);
    expect(jwtExpiry('not-a-jwt')).toBeUndefined();
  });

  it('caches a member sign-in until a minute before the token expires, then signs in again', async () => {
    let now = 1_000_000_000_000;
    const signIns: unknown[] = [];
    const fetchStub = (async (_url: string, init: RequestInit) => {
      signIns.push(JSON.parse(String(init.body)));
      expect((init.headers as Record<string, string>).Authorization).toBe('Bearer service');
      const body = { jwt: jwtWith(Math.floor(now / 1000) + 600), user: { documentId: 'm', language: 'ru', registeredAt: null }, isRegistered: false };
      return new Response(JSON.stringify(body), { status: 200 });
    }) as unknown as typeof fetch;
    const client = new StrapiClient({ baseUrl: 'http://api', serviceToken: 'service', fetch: fetchStub, now: () => now });
    await client.signIn({ telegramId: 42 });
    now += 8 * 60_000;
    await client.signIn({ telegramId: 42 });
    expect(signIns).toHaveLength(1);
    now += 90_000; // 9.5 minutes: inside the last minute of a 10-minute token
    await client.signIn({ telegramId: 42 });
    expect(signIns).toHaveLength(2);
    expect(signIns[0]).toEqual({ telegramId: '42' });
  });

  it('shares the tariff list for 30 s, concurrent callers included, and asks again after a failure', async () => {
    // Given an API that answers the first call with a 503 and then with two tariffs
    let now = 1_000_000_000_000;
    const calls: string[] = [];
    const fetchStub = (async (url: string) => {
      calls.push(url);
      if (calls.length === 1) return new Response(JSON.stringify({ error: { status: 503 } }), { status: 503 });
      return new Response(JSON.stringify({ data: [{ documentId: 'b', price: 200 }, { documentId: 'a', price: 100 }] }), { status: 200 });
    }) as unknown as typeof fetch;
    const client = new StrapiClient({ baseUrl: 'http://api', serviceToken: 'service', fetch: fetchStub, now: () => now });

    // When the first call fails, the failure is not cached
    await expect(client.getTariffs()).rejects.toMatchObject({ status: 503 });
    // Then three concurrent callers share one request, cheapest first
    const lists = await Promise.all([client.getTariffs(), client.getTariffs(), client.getTariffs()]);
    expect(lists.map((list) => list.map((tariff) => tariff.documentId))).toEqual([['a', 'b'], ['a', 'b'], ['a', 'b']]);
    expect(calls).toHaveLength(2);
    // And the list is reused until 30 s have passed
    now += 29_999;
    await client.getTariffs();
    expect(calls).toHaveLength(2);
    now += 1;
    await client.getTariffs();
    expect(calls).toHaveLength(3);
    expect(calls[2]).toBe('http://api/api/tariffs?pagination[pageSize]=100');
  });

  it('reports a refusal with its status and reason', async () => {
    const fetchStub = (async () =>
      new Response(JSON.stringify({ data: null, error: { status: 403, name: 'ForbiddenError', message: 'blocked', details: {} } }), {
        status: 403,
      })) as unknown as typeof fetch;
    const client = new StrapiClient({ baseUrl: 'http://api', serviceToken: 'service', fetch: fetchStub });
    const error = await client.signIn({ telegramId: 7 }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).status).toBe(403);
  });
});

describe('the per-user rate limit', () => {
  it('lets `max` updates through per window, tells the member once, and opens again in the next window', async () => {
    let now = 0;
    const limiter = rateLimit({ max: 3, windowMs: 1000, now: () => now }) as MiddlewareFn<BotContext>;
    const replies: string[] = [];
    const ctx = { from: { id: 1, language_code: 'en' }, chat: { id: 1 }, reply: async (text: string) => void replies.push(text) } as unknown as BotContext;
    let passed = 0;
    const next = async () => void (passed += 1);
    for (let i = 0; i < 6; i += 1) await limiter(ctx, next);
    expect(passed).toBe(3);
    expect(replies).toEqual(['Too many messages. Please wait a moment.']);
    now = 1000;
    await limiter(ctx, next);
    expect(passed).toBe(4);
  });
});

describe('dates and money', () => {
  it('finds local midnight in the space timezone', () => {
    expect(localMidnight('2026-12-01', 'Europe/Moscow').toISOString()).toBe('2026-11-30T21:00:00.000Z');
    expect(localMidnight('2026-03-29', 'Europe/Berlin').toISOString()).toBe('2026-03-28T23:00:00.000Z');
  });

  it('formats kopecks as roubles', () => {
    expect(money(150000)).toBe('1 500 ₽');
    expect(money(135050)).toBe('1 350,50 ₽');
    expect(money(150000, 'en')).toBe('1,500 ₽');
  });
});
