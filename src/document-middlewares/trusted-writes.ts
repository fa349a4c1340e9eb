/**
 * The trusted-write scope (docs/ADMIN.md, Integrity of records). Booking state, prices, payment and refund amounts and
 * states, outbox job states are written only by our own services; src/document-middlewares/protected-fields.ts
 * refuses any Document Service write that changes them outside this scope (default deny).
 *
 * A service enters the scope around its writes with `trustedWrites(() => ...)`; everything awaited inside (the
 * transaction, the Document Service calls) runs in it. Plugins cannot import app code: they use the app service
 * `strapi.service('api::booking.integrity').trusted(fn)` (src/api/booking/services/integrity.ts), the same scope.
 *
 * The AsyncLocalStorage lives on a process-wide symbol, so a second copy of this module (the test files load the
 * TypeScript sources next to Strapi's compiled ones) still shares one scope.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

interface TrustedScope {
  /** Who entered the scope, for log lines: e.g. `booking.lifecycle`. */
  by: string;
}

const KEY = Symbol.for('coworking.trusted-writes');
const globals = globalThis as unknown as Record<symbol, AsyncLocalStorage<TrustedScope> | undefined>;
const storage: AsyncLocalStorage<TrustedScope> = (globals[KEY] ??= new AsyncLocalStorage<TrustedScope>());

/** Runs `fn` inside the trusted-write scope. */
export function trustedWrites<T>(fn: () => Promise<T> | T, by = 'service'): Promise<T> {
  return storage.run({ by }, async () => fn());
}

/** True inside `trustedWrites`. */
export const isTrustedWrite = (): boolean => storage.getStore() !== undefined;
