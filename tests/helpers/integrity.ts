/**
 * Test fixtures that write records only our services may write (bookings, payments, refunds, redemptions, outbox
 * job states: src/document-middlewares/protected-fields.ts) enter the same trusted-write scope as those services.
 */
import type { Core } from '@strapi/strapi';

interface IntegrityService {
  trusted<T>(fn: () => Promise<T> | T, by?: string): Promise<T>;
}

/** Runs `fn` as our own services run their writes. */
export function asService<T>(strapi: Core.Strapi, fn: () => Promise<T> | T): Promise<T> {
  return (strapi.service('api::booking.integrity') as unknown as IntegrityService).trusted(fn, 'test fixture');
}
