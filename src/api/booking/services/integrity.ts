/**
 * `api::booking.integrity`: the trusted-write scope for code that cannot import the app (plugins), e.g.
 * `strapi.service('api::booking.integrity').trusted(() => strapi.documents(PAYMENT_UID).create(...))`.
 * Writes of protected fields outside it are refused (src/document-middlewares/protected-fields.ts).
 */
import { isTrustedWrite, trustedWrites } from '../../../document-middlewares/trusted-writes';

const integrityService = () => ({
  /** Runs `fn` in the trusted-write scope; `by` names the caller in logs. */
  trusted<T>(fn: () => Promise<T> | T, by?: string): Promise<T> {
    return trustedWrites(fn, by);
  },
  isTrusted: isTrustedWrite,
});

export type IntegrityService = ReturnType<typeof integrityService>;
export default integrityService;
