/**
 * bench/bot's bot process: the real bot (createBot, in-memory sessions, long polling with startPolling as
 * bot/src/main.ts runs it) against the Telegram stand-in, instrumented from inside:
 *
 * - `fetchedAt`: when the getUpdates answer carrying the update reached the bot (the bot has received it);
 * - `startedAt`: when the runner handed it to the bot (a chat's later updates then wait for its earlier ones);
 * - `firstReplyAt`: when the first reply call for it (sendMessage / editMessageText / …) was made, seen by an
 *   API transformer; the update is found through AsyncLocalStorage around bot.handleUpdate;
 * - `endedAt`, the Strapi answers that were not 2xx (global fetch wrapped), the bot's error log, failed API calls.
 *
 * One IPC message per handled update to the parent (bench/bot/run.js), batched every 50 ms.
 * Bundled by run.js with esbuild into .tmp/bench-bot/bot-process.js; not meant to be run by hand.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { performance } from 'node:perf_hooks';
import { createBot } from '../../bot/src/bot';
import type { BotConfig } from '../../bot/src/config';
import { startPolling } from '../../bot/src/polling';
import { StrapiClient } from '../../bot/src/strapi-client';

interface UpdateRecord {
  id: number;
  fetchedAt?: number;
  startedAt: number;
  firstReplyAt?: number;
  firstReplyMethod?: string;
  endedAt?: number;
  strapiCalls: number;
  strapiNon2xx: string[];
  apiErrors: string[];
  botErrors: string[];
}

const now = () => performance.timeOrigin + performance.now();
const REPLY_METHODS = new Set(['sendMessage', 'editMessageText', 'editMessageReplyMarkup', 'sendPhoto', 'sendMediaGroup']);
const env = process.env;
const strapiUrl = env.STRAPI_URL!;
const config: BotConfig = {
  botToken: env.BOT_TOKEN!,
  apiRoot: env.TELEGRAM_API_ROOT!,
  strapiUrl,
  serviceToken: env.BOT_SERVICE_TOKEN!,
  webhookPort: 0,
  sessionTtlSeconds: 3600,
  timeZone: env.SPACE_TIMEZONE || 'Europe/Moscow',
  defaultLanguage: 'ru',
  rulesUrl: 'https://example.com/rules',
  info: { address: 'Bench', hours: '24/7', contacts: '—' },
  rateLimit: { max: Number(env.BOT_RATE_LIMIT_MAX || 1_000_000), windowMs: Number(env.BOT_RATE_LIMIT_WINDOW_MS || 10_000) },
  bookingDays: 7,
  concurrency: Number(env.BOT_CONCURRENCY || 100),
};

const als = new AsyncLocalStorage<UpdateRecord>();
const fetched = new Map<number, number>();
let outbox: UpdateRecord[] = [];
const unattributed: string[] = [];

// Strapi calls: count them and keep the non-2xx answers, per update.
const realFetch = globalThis.fetch;
globalThis.fetch = (async (input: Parameters<typeof fetch>[0], init?: Parameters<typeof fetch>[1]) => {
  const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
  const response = await realFetch(input, init);
  if (url.startsWith(strapiUrl)) {
    const record = als.getStore();
    if (record) {
      record.strapiCalls += 1;
      if (!response.ok) record.strapiNon2xx.push(`${init?.method ?? 'GET'} ${url.slice(strapiUrl.length).split('?')[0]} → ${response.status}`);
    } else if (!response.ok) unattributed.push(`strapi ${url} → ${response.status}`);
  }
  return response;
}) as typeof fetch;

async function main() {
  const strapi = new StrapiClient({ baseUrl: strapiUrl, serviceToken: config.serviceToken });
  const botInfo = JSON.parse(env.BENCH_BOT_INFO!);
  const bot = createBot(
    {
      config,
      strapi,
      log: (message, error) => {
        const text = `${message}: ${error instanceof Error ? error.message : String(error ?? '')}`.slice(0, 300);
        const record = als.getStore();
        if (record) record.botErrors.push(text);
        else unattributed.push(text);
      },
    },
    { botInfo },
  );

  bot.api.config.use(async (prev, method, payload, signal) => {
    if (method === 'getUpdates') {
      const result = await prev(method, payload, signal);
      const at = now();
      if (result.ok && Array.isArray(result.result)) for (const update of result.result as { update_id: number }[]) fetched.set(update.update_id, at);
      return result;
    }
    const record = als.getStore();
    if (record && record.firstReplyAt === undefined && REPLY_METHODS.has(method)) {
      record.firstReplyAt = now();
      record.firstReplyMethod = method;
    }
    const result = await prev(method, payload, signal);
    if (!result.ok) {
      const text = `${method} → ${result.error_code} ${result.description}`;
      if (record) record.apiErrors.push(text);
      else unattributed.push(text);
    }
    return result;
  });

  const handle = bot.handleUpdate.bind(bot);
  bot.handleUpdate = (update, envelope) => {
    const record: UpdateRecord = { id: update.update_id, fetchedAt: fetched.get(update.update_id), startedAt: now(), strapiCalls: 0, strapiNon2xx: [], apiErrors: [], botErrors: [] };
    fetched.delete(update.update_id);
    return als.run(record, async () => {
      try {
        return await handle(update, envelope);
      } finally {
        record.endedAt = now();
        outbox.push(record);
      }
    });
  };

  setInterval(() => {
    if (outbox.length === 0 && unattributed.length === 0) return;
    process.send!({ type: 'updates', records: outbox, unattributed: unattributed.splice(0) });
    outbox = [];
  }, 50);

  process.on('message', async (message: { type: string }) => {
    if (message?.type === 'stop') {
      await runner.stop();
      process.exit(0);
    }
  });
  await bot.api.deleteWebhook({ drop_pending_updates: true });
  const runner = startPolling(bot, { concurrency: config.concurrency, timeoutSeconds: 10 });
  process.send!({ type: 'ready' });
}

main().catch((error) => {
  console.error('[bench bot] failed', error);
  process.exit(1);
});
