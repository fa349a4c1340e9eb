/**
 * Telegram's answers → a newsletter delivery's outcome (plugins/newsletter/server/src/domain/telegram-errors.ts):
 * pure cases, then the same through grammY's Api against the Telegram stand-in with failures injected per chat.
 */
import { Api } from 'grammy';
import { telegramOutcome } from '../../plugins/newsletter/server/src/domain/telegram-errors';
import { composeFor } from '../../plugins/newsletter/server/src/services/telegram';
import { startTelegramStandIn, type TelegramStandIn } from '../stand-ins/telegram/server';

const apiError = (error_code: number, description: string, parameters?: Record<string, unknown>) => ({ error_code, description, parameters, ok: false });

describe('telegramOutcome', () => {
  it.each([
    [apiError(403, 'Forbidden: bot was blocked by the user'), { kind: 'blocked', code: 'bot_blocked' }],
    [apiError(403, 'Forbidden: user is deactivated'), { kind: 'blocked', code: 'user_deactivated' }],
    [apiError(403, "Forbidden: bot can't initiate conversation with a user"), { kind: 'blocked', code: 'bot_blocked' }],
    [apiError(400, 'Bad Request: chat not found'), { kind: 'failed', code: 'chat_not_found' }],
    [apiError(400, "Bad Request: can't parse entities: Unsupported start tag \"br\" at byte offset 3"), { kind: 'failed', code: 'bad_request' }],
    [apiError(500, 'Internal Server Error'), { kind: 'retry', code: 'telegram_unavailable' }],
    [apiError(502, 'Bad Gateway'), { kind: 'retry', code: 'telegram_unavailable' }],
    [apiError(401, 'Unauthorized'), { kind: 'retry', code: 'telegram_unavailable' }],
  ])('%j → %j', (error, expected) => {
    expect(telegramOutcome(error)).toMatchObject(expected);
  });

  it('429 → throttled for retry_after seconds', () => {
    expect(telegramOutcome(apiError(429, 'Too Many Requests: retry after 7', { retry_after: 7 }))).toEqual({
      kind: 'throttled',
      retryAfterMs: 7000,
      error: 'Telegram 429: Too Many Requests: retry after 7',
    });
  });

  it('a network error → retry, with any bot token removed from the text', () => {
    const outcome = telegramOutcome(new Error('fetch failed for https://api.telegram.org/bot123456789:AAF-abcdefghijklmnopqrstuvwxyz0123456/sendMessage'));
    expect(outcome).toMatchObject({ kind: 'retry', code: 'network' });
    expect(outcome.error).not.toContain('AAF-abcdefghijklmnopqrstuvwxyz');
  });
});

describe('composeFor (the message one recipient gets)', () => {
  const vars = { firstName: 'Anna', lastName: 'K', fullName: 'Anna K', email: '', phone: '', username: '', successfulBookings: 3 };
  const image = { id: 1, name: 'a.png', url: '/uploads/a.png', mime: 'image/png', size: 10, width: 1, height: 1 };
  it('picks the English body for an English member, fills in escaped variables, one button per row', () => {
    const out = composeFor(
      { body: 'Привет, {{firstName}}', bodyEn: 'Hi, {{ firstName }}', buttons: [{ text: 'A', url: 'https://a.example' }, { text: 'B', url: 'https://b.example' }], media: [] },
      { ...vars, firstName: '<Ann>' },
      'en',
    );
    expect(out).toEqual({
      html: 'Hi, &lt;Ann&gt;',
      shape: 'text',
      keyboard: { inline_keyboard: [[{ text: 'A', url: 'https://a.example' }], [{ text: 'B', url: 'https://b.example' }]] },
    });
    expect(composeFor({ body: 'Привет', bodyEn: null, buttons: [], media: [] }, vars, 'en').html).toBe('Привет');
  });
  it('one image: photo with caption; over 1,024 after rendering: photo then text; albums by caption and buttons', () => {
    expect(composeFor({ body: 'short', bodyEn: null, buttons: [], media: [image] }, vars, 'ru').shape).toBe('photo');
    expect(composeFor({ body: 'x'.repeat(1020) + '{{fullName}}', bodyEn: null, buttons: [], media: [image] }, vars, 'ru').shape).toBe('photo+text');
    expect(composeFor({ body: 'short', bodyEn: null, buttons: [], media: [image, image] }, vars, 'ru').shape).toBe('album');
    expect(composeFor({ body: 'short', bodyEn: null, buttons: [{ text: 'A', url: 'https://a.example' }], media: [image, image] }, vars, 'ru').shape).toBe('album+text');
    expect(composeFor({ body: 'y'.repeat(2000), bodyEn: null, buttons: [], media: [image, image] }, vars, 'ru').shape).toBe('album+text');
  });
});

describe('grammY errors from the stand-in with failures injected per chat', () => {
  let telegram: TelegramStandIn;
  let api: Api;
  beforeAll(async () => {
    telegram = await startTelegramStandIn({ rateLimits: false });
    api = new Api(telegram.token, { apiRoot: telegram.apiRoot });
    for (const id of [11, 12, 13, 14, 15]) telegram.addUser({ id, first_name: `U${id}` });
  });
  afterAll(() => telegram.close());

  const outcomeOf = async (chat: number) => {
    try {
      await api.sendMessage(chat, 'hello');
      return { kind: 'sent' as const };
    } catch (error) {
      return telegramOutcome(error);
    }
  };

  it('maps 403 / 400 / 500 / 429 as Telegram sends them, and counts calls per chat', async () => {
    // Given failures injected on chosen chats
    telegram.failFor(11, { error_code: 403, description: 'Forbidden: user is deactivated' });
    telegram.failFor(12, { error_code: 500, description: 'Internal Server Error' }, 1);
    telegram.failFor(13, { error_code: 429, description: 'Too Many Requests: retry after 2', parameters: { retry_after: 2 } }, 1);
    // When the bot sends to each
    expect(await outcomeOf(11)).toMatchObject({ kind: 'blocked', code: 'user_deactivated' });
    expect(await outcomeOf(12)).toMatchObject({ kind: 'retry', code: 'telegram_unavailable' });
    expect(await outcomeOf(12)).toEqual({ kind: 'sent' }); // failed once only
    expect(await outcomeOf(13)).toMatchObject({ kind: 'throttled', retryAfterMs: 2000 });
    expect(await outcomeOf(99)).toMatchObject({ kind: 'failed', code: 'chat_not_found' }); // unknown chat
    expect(await outcomeOf(14)).toEqual({ kind: 'sent' });
    expect(await outcomeOf(11)).toMatchObject({ kind: 'blocked' }); // until cleared
    telegram.clearFailures();
    expect(await outcomeOf(11)).toEqual({ kind: 'sent' });
    // Then callsPerChat counts successful calls per chat (all: failed ones too)
    expect(Object.fromEntries(telegram.callsPerChat('sendMessage'))).toEqual({ 11: 1, 12: 1, 14: 1 });
    expect(telegram.callsPerChat('sendMessage', { all: true }).get(11)).toBe(3);
    expect(telegram.stats().sendMessage).toEqual({ 200: 3, 400: 1, 403: 2, 429: 1, 500: 1 });
  });

  it('answers after latencyMs (set at run time)', async () => {
    telegram.setLatency(150);
    const started = Date.now();
    await api.sendMessage(15, 'slow');
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    telegram.setLatency(0);
  });
});
