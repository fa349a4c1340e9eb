/**
 * The outbox poller (docs/OUTBOX.md): started by the app's bootstrap unless OUTBOX_WORKER=false, stopped by its
 * destroy lifecycle. Each tick is one `runOnce({ wait: false })` of the outbox service: it claims for every kind
 * whose previous batch is done and lets the batches run on their own, so a slow kind never holds up another.
 * It polls again at once when a full batch has been recorded (more is probably due), when a rate-limited
 * kind's next slot comes, or else after OUTBOX_POLL_MS. A failing poll (database down) is logged and retried
 * with a growing pause; it never takes the process down.
 */
import { randomBytes } from 'crypto';
import os from 'os';
import type { Core } from '@strapi/strapi';
import type { OutboxSettings } from '../../../../config/outbox';
import { describeError, type OutboxService } from './outbox';

const MAX_ERROR_PAUSE_MS = 30_000;
const DEFAULT_STOP_GRACE_MS = 10_000;

const createWorker = ({ strapi }: { strapi: Core.Strapi }) => {
  let running = false;
  let timer: NodeJS.Timeout | null = null;
  let current: Promise<void> | null = null;
  let wakeDuringPoll = false;
  let workerId: string | null = null;
  let errorsInARow = 0;

  const outbox = () => strapi.service('api::outbox-job.outbox') as OutboxService;
  const pollMs = () => (strapi.config.get('outbox') as OutboxSettings | undefined)?.pollMs ?? 1000;

  function schedule(delayMs: number) {
    if (!running) return;
    if (timer) clearTimeout(timer);
    timer = setTimeout(tick, delayMs);
    // The HTTP server keeps the process alive; a pending poll must not.
    timer.unref();
  }

  /** A full batch has been recorded, so more of its kind is probably due: poll now rather than after pollMs. */
  function wake() {
    if (!running) return;
    if (current) wakeDuringPoll = true;
    else schedule(0);
  }

  async function poll(): Promise<number> {
    try {
      const summary = await outbox().runOnce(workerId as string, {
        wait: false,
        onBatchSettled: ({ full }) => {
          if (full) wake();
        },
      });
      errorsInARow = 0;
      return summary.nextDelayMs === null ? pollMs() : Math.min(pollMs(), summary.nextDelayMs);
    } catch (error) {
      errorsInARow += 1;
      const pause = Math.min(MAX_ERROR_PAUSE_MS, pollMs() * 2 ** Math.min(errorsInARow, 10));
      if (running) strapi.log.error(`outbox worker ${workerId}: poll failed (${errorsInARow} in a row), next in ${pause} ms: ${describeError(error).slice(0, 500)}`);
      return pause;
    }
  }

  function tick() {
    timer = null;
    if (!running) return;
    wakeDuringPoll = false;
    current = poll().then((delay) => {
      current = null;
      schedule(wakeDuringPoll ? 0 : delay);
    });
  }

  return {
    /** Starts polling unless OUTBOX_WORKER=false (or `force`). Returns whether it is running. Idempotent. */
    start(options: { force?: boolean } = {}): boolean {
      if (running) return true;
      const enabled = (strapi.config.get('outbox') as OutboxSettings | undefined)?.worker ?? true;
      if (!enabled && !options.force) {
        strapi.log.info('outbox worker: off (OUTBOX_WORKER=false)');
        return false;
      }
      running = true;
      workerId = `${os.hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`.slice(-100);
      errorsInARow = 0;
      strapi.log.info(`outbox worker ${workerId}: polling every ${pollMs()} ms`);
      schedule(0);
      return true;
    },

    /**
     * Stops polling and waits for the poll in progress (its handlers included) up to `graceMs`. Jobs still
     * running after that keep their lease and are picked up again when it expires.
     */
    async stop(graceMs = DEFAULT_STOP_GRACE_MS): Promise<void> {
      if (!running && current === null) return;
      running = false;
      if (timer) clearTimeout(timer);
      timer = null;
      let grace: NodeJS.Timeout | undefined;
      const pending = (async () => {
        if (current) await current;
        await outbox().settled();
      })();
      await Promise.race([pending, new Promise<void>((resolve) => (grace = setTimeout(resolve, graceMs)))]);
      clearTimeout(grace);
      strapi.log.info(`outbox worker ${workerId}: stopped`);
    },

    isRunning(): boolean {
      return running;
    },

    workerId(): string | null {
      return workerId;
    },
  };
};

export type OutboxWorker = ReturnType<typeof createWorker>;

const worker = (strapi: Core.Strapi) => strapi.service('api::outbox-job.worker') as OutboxWorker;
/** For src/index.ts bootstrap. */
export const startOutboxWorker = (strapi: Core.Strapi) => worker(strapi).start();
/** For src/index.ts destroy. */
export const stopOutboxWorker = (strapi: Core.Strapi) => worker(strapi).stop();

export default createWorker;
