/**
 * bench/newsletter's Telegram: the Bot API stand-in (tests/stand-ins/telegram) in a process of its own, so the
 * bench's own load (autocannon) does not delay its answers. Bundled by bench/newsletter/run.js with esbuild and
 * forked with IPC; not meant to be run by hand.
 *
 * Environment: BOT_TOKEN, LATENCY_MS (every answer this late, like a network round trip), USERS_FROM and
 * USERS_COUNT (the chats known to the bot: ids USERS_FROM … USERS_FROM + USERS_COUNT − 1, as if each member had
 * started the bot; any other id is "chat not found"), RATE_LIMITS=off to switch flood control off (default on:
 * 30 messages/s overall, 1/s burst 5 per chat, 429 with retry_after above it).
 *
 * The stand-in records every call with its parameters and answer; over 100,000 sends that would be the largest
 * thing in this process, so every second the new records are folded into small aggregates (counts by method and
 * status, successful sends per second, successful sends per chat for the exactly-once check) and forgotten.
 * IPC: { type: 'stats' } → { type: 'stats', at, totals, perSecond, throttledPerSecond, gaps, chats }; gaps is a
 * histogram of the time between consecutive accepted sends (5 ms buckets), which shows where a rate is lost.
 */
import { startTelegramStandIn } from '../../tests/stand-ins/telegram/server';

const SEND_METHODS = new Set(['sendmessage', 'sendphoto', 'sendmediagroup']);
const GAP_BUCKET_MS = 5;
const GAP_BUCKETS = 200;

async function main(): Promise<void> {
  const standIn = await startTelegramStandIn({
    token: process.env.BOT_TOKEN || undefined,
    latencyMs: Number(process.env.LATENCY_MS ?? 0),
    rateLimits: process.env.RATE_LIMITS === 'off' ? false : undefined,
    repeatPollFloorSeconds: 0,
  });
  const from = Number(process.env.USERS_FROM ?? 0);
  const count = Number(process.env.USERS_COUNT ?? 0);
  for (let i = 0; i < count; i++) standIn.addUser({ id: from + i, first_name: `Member ${i}` });

  // method → status → count; successful sends by second (epoch s); successful sends per chat.
  const totals: Record<string, Record<string, number>> = {};
  const perSecond = new Map<number, number>();
  const throttledPerSecond = new Map<number, number>();
  const perChat = new Map<number, number>();
  // Time between consecutive accepted sends, in 5 ms buckets (the last one: ≥ 1 s): where a rate is lost.
  const gaps: number[] = new Array(GAP_BUCKETS + 1).fill(0);
  let lastSendAt: number | undefined;
  const fold = (): void => {
    const calls = standIn.calls();
    standIn.clearCalls();
    for (const call of calls) {
      const byStatus = (totals[call.method] ??= {});
      byStatus[String(call.status)] = (byStatus[String(call.status)] ?? 0) + 1;
      if (!SEND_METHODS.has(call.method.toLowerCase())) continue;
      const second = Math.floor(call.at / 1000);
      if (call.status === 200) {
        perSecond.set(second, (perSecond.get(second) ?? 0) + 1);
        const chat = Number(call.params.chat_id);
        if (Number.isFinite(chat)) perChat.set(chat, (perChat.get(chat) ?? 0) + 1);
        if (lastSendAt !== undefined) gaps[Math.min(GAP_BUCKETS, Math.floor((call.at - lastSendAt) / GAP_BUCKET_MS))] += 1;
        lastSendAt = call.at;
      } else if (call.status === 429) {
        throttledPerSecond.set(second, (throttledPerSecond.get(second) ?? 0) + 1);
      }
    }
  };
  const timer = setInterval(fold, 1000);

  process.on('message', (message: { type?: string }) => {
    if (message?.type === 'stats') {
      fold();
      let duplicates = 0;
      let extra = 0;
      for (const n of perChat.values()) {
        if (n > 1) {
          duplicates += 1;
          extra += n - 1;
        }
      }
      process.send?.({
        type: 'stats',
        at: Date.now(),
        totals,
        perSecond: [...perSecond.entries()],
        throttledPerSecond: [...throttledPerSecond.entries()],
        gaps: { bucketMs: GAP_BUCKET_MS, counts: [...gaps] },
        chats: { reached: perChat.size, duplicates, extra },
      });
    } else if (message?.type === 'stop') {
      clearInterval(timer);
      void standIn.close().then(() => process.exit(0));
    }
  });
  process.send?.({ type: 'ready', apiRoot: standIn.apiRoot, token: standIn.token, latencyMs: standIn.latencyMs, users: count });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
