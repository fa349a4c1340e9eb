/**
 * Long polling with concurrent update handling (@grammyjs/runner). grammY's own `bot.start()` handles one update
 * at a time and idles while Strapi answers; the runner hands each update to the middleware as it arrives, up to
 * `concurrency` at once. Updates of one chat still run in order: createBot() puts `sequentialize` on the
 * session key in front of the session.
 *
 * Shutdown: `stop()` stops fetching and resolves when the updates being handled are done, so SIGTERM loses
 * nothing. The runner confirms a batch to Telegram when it fetches the next one, so a hard kill drops the updates
 * in flight at that moment (docs/BOT.md); the booking step is safe to repeat (idempotency key in the session).
 */
import { run } from '@grammyjs/runner';
import type { Bot } from 'grammy';
import type { BotContext } from './context';

export interface PollingOptions {
  /** Most updates handled at once (the runner slows its getUpdates calls down at this limit). */
  concurrency: number;
  /** getUpdates long-poll timeout, seconds. */
  timeoutSeconds?: number;
  /** How long stop() waits for the updates in hand, ms (default 30 s). */
  drainMs?: number;
}

export interface Polling {
  /** Stops fetching, then resolves when the updates in hand are handled (or after `drainMs`). */
  stop(): Promise<void>;
}

export function startPolling(bot: Bot<BotContext>, options: PollingOptions): Polling {
  const runner = run(bot, {
    runner: { fetch: { timeout: options.timeoutSeconds ?? 30, allowed_updates: ALLOWED_UPDATES } },
    sink: { concurrency: options.concurrency },
  });
  return {
    async stop() {
      await runner.stop();
      // The runner's stop() ends the fetching only; the concurrent sink still holds updates being handled
      // (and their session writes). Wait for them, so that the storage can be closed after this.
      const deadline = Date.now() + (options.drainMs ?? 30_000);
      while (runner.size() > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
    },
  };
}

/** What the bot handles; `my_chat_member` tells it a member blocked or unblocked it. */
export const ALLOWED_UPDATES = ['message', 'callback_query', 'my_chat_member'] as const;
