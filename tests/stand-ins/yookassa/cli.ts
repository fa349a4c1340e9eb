/**
 * Runs the YooKassa stand-in as a process, for local runs and scripts:
 *
 *   PORT=8787 YOOKASSA_SHOP_ID=100500 YOOKASSA_SECRET_KEY=test_local \
 *   YOOKASSA_WEBHOOK_URL=http://127.0.0.1:1337/api/yookassa/webhook node <compiled cli.js>
 *
 * Prints exactly one line, the API base URL (…/v3), so a script can capture it with `read`.
 * Optional: HOST (default 127.0.0.1), YOOKASSA_STANDIN_PUBLIC_URL (origin for checkout links),
 * YOOKASSA_STANDIN_RATE_LIMIT (requests per second before 429).
 */
import { startYooKassaStandIn } from './server';

function intFromEnv(name: string, fallback?: number): number | undefined {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) throw new Error(`${name} must be a non-negative integer, got "${raw}"`);
  return value;
}

async function main(): Promise<void> {
  const standIn = await startYooKassaStandIn({
    port: intFromEnv('PORT', 0),
    host: process.env.HOST || '127.0.0.1',
    shopId: process.env.YOOKASSA_SHOP_ID || undefined,
    secretKey: process.env.YOOKASSA_SECRET_KEY || undefined,
    webhookUrl: process.env.YOOKASSA_WEBHOOK_URL || undefined,
    publicUrl: process.env.YOOKASSA_STANDIN_PUBLIC_URL || undefined,
    rateLimit: intFromEnv('YOOKASSA_STANDIN_RATE_LIMIT'),
  });
  process.stdout.write(`${standIn.url}\n`);

  let closing = false;
  const shutdown = (): void => {
    if (closing) return;
    closing = true;
    standIn.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
}

main().catch((error: unknown) => {
  console.error(`yookassa stand-in: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
