/**
 * End-to-end harness for the bot: the real Strapi (listening on a port, so the bot's HTTP client and the YooKassa
 * stand-in's webhooks reach it), the YooKassa stand-in, the Telegram stand-in, and the real bot created with
 * createBot() and run with long polling (startPolling, as bot/src/main.ts) against the stand-in.
 */
import type { AddressInfo } from 'node:net';
import type { Bot, StorageAdapter } from 'grammy';
import { createBot } from '../../bot/src/bot';
import type { BotConfig } from '../../bot/src/config';
import type { BotContext, SessionData } from '../../bot/src/context';
import { startPolling, type Polling } from '../../bot/src/polling';
import { StrapiClient } from '../../bot/src/strapi-client';
import { SPACE_TIMEZONE } from '../helpers/booking-fixtures';
import { startStrapi, type TestApp } from '../helpers/strapi';
import { startTelegramStandIn, type ChatEntry, type StandInUser, type TelegramStandIn } from '../stand-ins/telegram/server';
import { startYooKassaStandIn, type YooKassaStandIn } from '../stand-ins/yookassa/server';

export const BOT_SERVICE_TOKEN = 'bot-service-token-for-tests-0123456789';
export const USER_UID = 'plugin::users-permissions.user';
export const BOOKING_UID = 'api::booking.booking';

export interface Harness {
  app: TestApp;
  yk: YooKassaStandIn;
  telegram: TelegramStandIn;
  strapiUrl: string;
  bot: Bot<BotContext>;
  /** Sends text as the user, then waits for a new bot message containing `reply`. */
  say(user: StandInUser, text: string, reply: string | RegExp): Promise<ChatEntry>;
  /** Presses a button (latest message carrying it), then waits for a bot message (new or edited) containing `reply`. */
  press(user: StandInUser, button: string, reply: string | RegExp): Promise<ChatEntry>;
  /** A member who completed registration, written directly (the registration flow is covered in bot.test.ts). */
  seedMember(user: StandInUser, fullName: string, language?: 'ru' | 'en'): Promise<void>;
  /** Starts another bot process against the same servers (a restart), with the given session storage. */
  startBot(storage?: StorageAdapter<SessionData>): Promise<Bot<BotContext>>;
  stopBot(): Promise<void>;
  close(): Promise<void>;
}

export function botConfig(telegram: TelegramStandIn, strapiUrl: string): BotConfig {
  return {
    botToken: telegram.token,
    apiRoot: telegram.apiRoot,
    strapiUrl,
    serviceToken: BOT_SERVICE_TOKEN,
    webhookPort: 0,
    sessionTtlSeconds: 3600,
    timeZone: SPACE_TIMEZONE,
    defaultLanguage: 'ru',
    rulesUrl: 'https://example.com/rules',
    info: { address: 'Тестовая ул., 1', hours: '24/7', contacts: '+7 900 000-00-00' },
    rateLimit: { max: 1000, windowMs: 10_000 },
    bookingDays: 7,
    concurrency: 100,
  };
}

export async function startHarness(): Promise<Harness> {
  const yk = await startYooKassaStandIn({ shopId: '100500', secretKey: 'test_secret' });
  const telegram = await startTelegramStandIn({
    rateLimits: false,
    repeatPollFloorSeconds: 0,
    bot: { first_name: 'Coworking', username: 'coworking_test_bot' },
  });
  const app = await startStrapi({
    SPACE_TIMEZONE,
    BOT_SERVICE_TOKEN,
    // Server-side notifications (member.notify) go to the same Telegram stand-in, as the bot's token.
    BOT_TOKEN: telegram.token,
    TELEGRAM_API_ROOT: telegram.apiRoot,
    YOOKASSA_SHOP_ID: '100500',
    YOOKASSA_SECRET_KEY: 'test_secret',
    YOOKASSA_API_URL: yk.url,
    YOOKASSA_RETURN_URL: 'https://t.me/coworking_test_bot',
    YOOKASSA_WEBHOOK_ALLOWED_IPS: '127.0.0.1,::1',
    OUTBOX_WORKER: 'false',
  });
  await new Promise<void>((resolve) => app.strapi.server.httpServer.listen(0, '127.0.0.1', resolve));
  const { port } = app.strapi.server.httpServer.address() as AddressInfo;
  const strapiUrl = `http://127.0.0.1:${port}`;
  yk.setWebhookUrl(`${strapiUrl}/api/yookassa/webhook`);

  const errors: unknown[] = [];
  let current: Polling | undefined;
  const harness: Harness = {
    app,
    yk,
    telegram,
    strapiUrl,
    bot: undefined as unknown as Bot<BotContext>,
    say(user, text, reply) {
      const after = lastMessageId(telegram, user.id);
      telegram.sendText(user, text);
      return expectMessage(telegram, user, reply, after);
    },
    press(user, button, reply) {
      const update = telegram.pressButton(user, button);
      // The answer edits the pressed message or comes after it: older messages do not count.
      const pressed = update.callback_query?.message?.message_id ?? lastMessageId(telegram, user.id);
      return expectMessage(telegram, user, reply, pressed - 1);
    },
    async seedMember(user, fullName, language = 'ru') {
      const role = await app.strapi.db.query('plugin::users-permissions.role').findOne({ where: { type: 'authenticated' } });
      await app.strapi.documents(USER_UID).create({
        data: {
          username: `tg_${user.id}`,
          email: `member${user.id}@example.com`,
          provider: 'telegram',
          confirmed: true,
          blocked: false,
          role: role.id,
          telegramId: String(user.id),
          fullName,
          phone: `+7900000${user.id}`,
          language,
          referralCode: `SEED${user.id}`,
          consentTerms: true,
          consentAt: new Date(),
          consentMarketing: false,
          registeredAt: new Date(),
          isBanned: false,
          botBlocked: false,
        } as never,
      });
    },
    async startBot(storage) {
      const strapi = new StrapiClient({ baseUrl: strapiUrl, serviceToken: BOT_SERVICE_TOKEN });
      const bot = createBot(
        { config: botConfig(telegram, strapiUrl), strapi, storage, log: (message, error) => errors.push([message, error]) },
        { botInfo: telegram.botInfo as never },
      );
      await bot.init();
      await current?.stop(); // one poller per token, as Telegram allows
      current = startPolling(bot, { concurrency: 100, timeoutSeconds: 1 });
      harness.bot = bot;
      return bot;
    },
    async stopBot() {
      await current?.stop();
      current = undefined;
    },
    async close() {
      await harness.stopBot();
      await telegram.close();
      // A notification YooKassa is still sending would reach a server that is shutting down.
      yk.setAutoWebhooks(false);
      await yk.webhooksSettled();
      await app.stop();
      await yk.close();
      if (errors.length) console.warn('bot errors during the run', errors);
    },
  };
  await harness.startBot();
  return harness;
}

/** A date key (YYYY-MM-DD) as the bot's date buttons show it: DD.MM. */
/** Menu → Book → tariff → date → start time → hours, up to the promo-code step of the booking flow (Russian texts). */
export async function bookUntilPromo(h: Harness, user: StandInUser, tariffLabel: string, date: string, time: string, hours = 1): Promise<ChatEntry> {
  await h.say(user, '/menu', 'Что хотите сделать');
  await h.press(user, '📅 Забронировать', 'Выберите тариф');
  await h.press(user, tariffLabel, 'Выберите дату');
  await h.press(user, dm(date), `Свободное время на ${dm(date)}`);
  await h.press(user, time, 'Сколько часов?');
  return h.press(user, `${hours} ч`, 'промокод');
}

export const dm = (date: string) => `${date.slice(8, 10)}.${date.slice(5, 7)}`;

/** The newest message id in the chat (user's or bot's), to wait for what comes after it. */
export function lastMessageId(telegram: TelegramStandIn, userId: number): number {
  return telegram.history(userId).reduce((max, entry) => Math.max(max, entry.message_id), 0);
}

/** Waits for a bot message (new, or edited) whose text contains `text`. */
export function expectMessage(telegram: TelegramStandIn, user: StandInUser, text: string | RegExp, after = 0, timeoutMs = 8000): Promise<ChatEntry> {
  const matches = (entry: ChatEntry) =>
    (entry.message_id > after || after === 0) && (typeof text === 'string' ? (entry.text ?? '').includes(text) : text.test(entry.text ?? ''));
  return telegram.waitForMessage(user.id, matches, timeoutMs).catch((error) => {
    const chat = telegram.history(user.id).map((entry) => `${entry.from}#${entry.message_id}: ${entry.text} ${JSON.stringify(entry.buttons)}`);
    throw new Error(`${(error as Error).message}\nwaited for ${String(text)} after #${after}; chat:\n${chat.join('\n')}`);
  });
}

/** The button with this callback data's text, from the markup of a bot message. */
export function inlineButtons(entry: ChatEntry): { text: string; callback_data?: string; url?: string }[] {
  const markup = entry.message.reply_markup as { inline_keyboard?: { text: string; callback_data?: string; url?: string }[][] } | undefined;
  return markup?.inline_keyboard?.flat() ?? [];
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
