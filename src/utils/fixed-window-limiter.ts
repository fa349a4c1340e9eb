/**
 * A fixed-window request counter per key, in process memory. Enough for one API instance; several
 * instances behind a load balancer need a shared store (Redis), which arrives with the scaling work.
 */
export interface LimitDecision {
  allowed: boolean;
  remaining: number;
  retryAfterSeconds: number;
}

export function createFixedWindowLimiter(options: { max: number; windowMs: number; now?: () => number }) {
  const now = options.now ?? Date.now;
  const windows = new Map<string, { startedAt: number; count: number }>();

  return {
    hit(key: string): LimitDecision {
      const at = now();
      let window = windows.get(key);
      if (!window || at - window.startedAt >= options.windowMs) {
        // Drop finished windows now and then, so the map does not grow with every address ever seen.
        if (windows.size > 10_000) {
          for (const [k, w] of windows) if (at - w.startedAt >= options.windowMs) windows.delete(k);
        }
        window = { startedAt: at, count: 0 };
        windows.set(key, window);
      }
      window.count += 1;
      const retryAfterSeconds = Math.max(1, Math.ceil((window.startedAt + options.windowMs - at) / 1000));
      return { allowed: window.count <= options.max, remaining: Math.max(0, options.max - window.count), retryAfterSeconds };
    },
  };
}
