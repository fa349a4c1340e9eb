/**
 * The bot process: `npm run bot`. Long polling (bot/src/polling.ts) by default; webhook mode when BOT_WEBHOOK_URL is set (a plain
 * node:http server on BOT_WEBHOOK_PORT receives Telegram's POSTs on the URL's path).
 */
import { createServer } from 'node:http';
import { webhookCallback } from 'grammy';
import { COMMANDS, createBot } from './bot';
import { loadConfig } from './config';
import { ALLOWED_UPDATES, startPolling } from './polling';
import { createSessionStorage } from './storage';
import { StrapiClient } from './strapi-client';

async function main() {
  const config = loadConfig();
  const sessions = createSessionStorage(config.redisUrl, config.sessionTtlSeconds);
  const log = (message: string, error?: unknown) => console.error(`[bot] ${message}`, error ?? '');
  const strapi = new StrapiClient({ baseUrl: config.strapiUrl, serviceToken: config.serviceToken });
  const bot = createBot({ config, strapi, storage: sessions.storage, log });
  await bot.init();
  await bot.api.setMyCommands(COMMANDS.ru).catch((error) => log('setMyCommands failed', error));
  await bot.api.setMyCommands(COMMANDS.en, { language_code: 'en' }).catch((error) => log('setMyCommands failed', error));

  let stop: () => Promise<void>;
  if (config.webhookUrl) {
    const path = new URL(config.webhookUrl).pathname;
    const handle = webhookCallback(bot, 'http', { secretToken: config.webhookSecret });
    const server = createServer((req, res) => {
      if (req.method === 'POST' && req.url === path) return void handle(req, res);
      res.statusCode = req.url === '/health' ? 200 : 404;
      res.end();
    });
    await new Promise<void>((resolve) => server.listen(config.webhookPort, resolve));
    await bot.api.setWebhook(config.webhookUrl, { secret_token: config.webhookSecret, allowed_updates: ALLOWED_UPDATES });
    console.log(`[bot] @${bot.botInfo.username}: webhook ${config.webhookUrl} (listening on :${config.webhookPort})`);
    stop = () => new Promise<void>((resolve) => server.close(() => resolve()));
  } else {
    await bot.api.deleteWebhook();
    const runner = startPolling(bot, { concurrency: config.concurrency });
    console.log(`[bot] @${bot.botInfo.username}: long polling ${config.apiRoot}, up to ${config.concurrency} updates at once`);
    stop = () => runner.stop();
  }

  const shutdown = async (signal: string) => {
    console.log(`[bot] ${signal}: stopping`);
    await stop();
    await sessions.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
}

main().catch((error) => {
  console.error('[bot] failed to start', error);
  process.exit(1);
});
