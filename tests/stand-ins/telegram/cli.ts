/**
 * Runs the Telegram Bot API stand-in as its own process, for a bot started by hand or from another process.
 * Environment: PORT (default 8081), BOT_TOKEN, BOT_USERNAME, HOST (default 127.0.0.1), LOG=0,
 * RATE_LIMITS (`off`, or e.g. `global=30/30,perChat=1/5`: per second / burst; unset = those defaults),
 * LATENCY_MS (every Bot API answer this much later; default 0).
 * The first line printed is TELEGRAM_API_ROOT=<url>, the value for grammY's `client.apiRoot`.
 */
import { startTelegramStandIn, type TelegramStandInOptions } from './server';

/** `off` → false; `global=30/30,perChat=1/5` → limits; unset → undefined (the defaults). */
export function parseRateLimits(text: string | undefined): TelegramStandInOptions['rateLimits'] {
  const value = text?.trim() ?? '';
  if (value === '') return undefined;
  if (/^(off|false|0|none)$/i.test(value)) return false;
  const limits: { perChat?: { perSecond: number; burst: number }; global?: { perSecond: number; burst: number } } = {};
  for (const part of value.split(',')) {
    const match = /^\s*(global|perChat)\s*=\s*([\d.]+)\s*(?:\/\s*([\d.]+))?\s*$/i.exec(part);
    if (!match) throw new Error(`RATE_LIMITS: cannot read "${part}" (expected e.g. global=30/30,perChat=1/5 or off)`);
    const perSecond = Number(match[2]);
    const burst = match[3] === undefined ? Math.max(1, perSecond) : Number(match[3]);
    if (!(perSecond > 0) || !(burst >= 1)) throw new Error(`RATE_LIMITS: "${part}" needs a rate > 0 and a burst ≥ 1`);
    limits[match[1].toLowerCase() === 'global' ? 'global' : 'perChat'] = { perSecond, burst };
  }
  return limits;
}

async function main(): Promise<void> {
  const latency = Number(process.env.LATENCY_MS ?? 0);
  if (!Number.isFinite(latency) || latency < 0) throw new Error(`LATENCY_MS must be a number ≥ 0`);
  const standIn = await startTelegramStandIn({
    port: Number(process.env.PORT ?? 8081),
    host: process.env.HOST ?? '127.0.0.1',
    token: process.env.BOT_TOKEN || undefined,
    bot: process.env.BOT_USERNAME ? { username: process.env.BOT_USERNAME } : undefined,
    rateLimits: parseRateLimits(process.env.RATE_LIMITS),
    latencyMs: latency,
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

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
