/**
 * Runs the Telegram Bot API stand-in as its own process, for a bot started by hand or from another process.
 * Environment: PORT (default 8081), BOT_TOKEN, BOT_USERNAME, HOST (default 127.0.0.1), RATE_LIMITS=off, LOG=0.
 * The first line printed is TELEGRAM_API_ROOT=<url>, the value for grammY's `client.apiRoot`.
 */
import { startTelegramStandIn } from './server';

async function main(): Promise<void> {
  const standIn = await startTelegramStandIn({
    port: Number(process.env.PORT ?? 8081),
    host: process.env.HOST ?? '127.0.0.1',
    token: process.env.BOT_TOKEN || undefined,
    bot: process.env.BOT_USERNAME ? { username: process.env.BOT_USERNAME } : undefined,
    rateLimits: process.env.RATE_LIMITS === 'off' ? false : undefined,
    log: process.env.LOG === '0' ? undefined : (line) => console.log(`[telegram] ${line}`),
  });

  console.log(`TELEGRAM_API_ROOT=${standIn.apiRoot}`);
  console.log(`Bot @${standIn.botInfo.username}, token ${standIn.token}`);
  console.log(
    `Act as a user: curl -X POST ${standIn.apiRoot}/_stand-in/sendText -H 'Content-Type: application/json' ` +
      `-d '{"user":{"id":1001,"first_name":"Anna"},"text":"/start"}'`,
  );
  console.log(`See the chat:  curl ${standIn.apiRoot}/_stand-in/chat/1001`);

  const stop = (): void => {
    void standIn.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
