import path from 'node:path';
import type { Core } from '@strapi/strapi';
import { errors } from '@strapi/utils';
import type { Context, Next } from 'koa';
import { clientAddress } from '../utils/client-address';
import { rateLimits, reportAbuse, sendRateLimited, waitText, type LimitDecision, type RateLimitRuleName } from '../utils/rate-limit';

/**
 * Guards the staff login, POST /admin/login (finding 11 of issue 13), in place of Strapi's own limiter
 * (config/admin.ts turns that off: it counted successful logins and keyed on e-mail + address).
 *
 * Only refused attempts count, under two rules of config/rate-limits.ts:
 * - `adminLoginAddress`: failures from one client address, whatever e-mails they try (stops password spraying);
 * - `adminLoginAccount`: failures for one e-mail, from any address; the account is then locked for the rule's
 *   blockSeconds, the right password included. A successful login clears its account's failures.
 * Reaching either limit writes an audit-log entry. The password is never read, logged or stored here.
 */
const LOGIN_PATH = '/admin/login';
const AUDIT_UID = 'api::audit-log.audit-log';
const MAX_EMAIL_LENGTH = 200;

/** The path as the router matches it (case-insensitive, trailing slash ignored). */
const routePath = (ctx: Context) => path.posix.normalize(ctx.path).toLowerCase().replace(/\/+$/, '');

const emailOf = (body: unknown): string => {
  const email = (body as { email?: unknown } | undefined)?.email;
  return typeof email === 'string' ? email.trim().toLowerCase().slice(0, MAX_EMAIL_LENGTH) : '';
};

/** A refused attempt (wrong credentials, inactive account, malformed body), not a server fault. */
const isRefusal = (error: unknown): boolean => {
  if (error instanceof errors.ApplicationError) return true;
  const status = (error as { status?: unknown })?.status;
  return typeof status === 'number' && status >= 400 && status < 500;
};

export default (_config: unknown, { strapi }: { strapi: Core.Strapi }) => {
  // Made at boot, so a Redis store is connected before the first request.
  const limits = rateLimits(strapi);

  async function audit(action: string, ip: string, details: { subjectId?: string | null; after: Record<string, unknown> }) {
    try {
      await strapi.db.query(AUDIT_UID).create({
        data: {
          actorType: 'system',
          actorLabel: 'admin login guard',
          action,
          subjectType: details.subjectId === undefined ? null : 'admin::user',
          subjectId: details.subjectId ?? null,
          after: details.after,
          ip,
          at: new Date(),
        },
      });
    } catch (error) {
      strapi.log.error(`admin login guard: could not write the audit entry ${action}: ${(error as Error).message}`);
    }
  }

  /** Counts one failure under `rule`; when it is the last one allowed, the key is blocked. Returns the block, if any. */
  async function countFailure(rule: RateLimitRuleName, key: string): Promise<LimitDecision | null> {
    const counted = await limits.consume(rule, key);
    // remaining 0: this failure used the last point. Refused already: a concurrent failure got there first.
    return counted.allowed && counted.remaining === 0 ? limits.block(rule, key) : null;
  }

  async function onFailure(address: string, email: string) {
    const [addressBlock, accountLock] = await Promise.all([
      countFailure('adminLoginAddress', `ip:${address}`),
      email ? countFailure('adminLoginAccount', `account:${email}`) : null,
    ]);
    await reportAbuse(strapi, address, 'failed_login');
    const until = (decision: LimitDecision) => new Date(Date.now() + decision.retryAfterSeconds * 1000).toISOString();
    if (addressBlock) {
      const failures = limits.rule('adminLoginAddress').points;
      strapi.log.warn(`admin login: address ${address} blocked for ${addressBlock.retryAfterSeconds} s after ${failures} failed logins`);
      await audit('admin.login.address_blocked', address, {
        after: { failures, blockedForSeconds: addressBlock.retryAfterSeconds, blockedUntil: until(addressBlock) },
      });
    }
    if (accountLock) {
      const failures = limits.rule('adminLoginAccount').points;
      const user = await strapi.db.query('admin::user').findOne({ where: { email }, select: ['id'] });
      strapi.log.warn(`admin login: account ${email} locked for ${accountLock.retryAfterSeconds} s after ${failures} failed logins (the last from ${address})`);
      await audit('admin.login.account_locked', address, {
        subjectId: user ? String(user.id) : null,
        after: { email, knownAccount: Boolean(user), failures, lockedForSeconds: accountLock.retryAfterSeconds, lockedUntil: until(accountLock) },
      });
    }
  }

  return async (ctx: Context, next: Next) => {
    if (ctx.method !== 'POST' || routePath(ctx) !== LOGIN_PATH) return next();
    const address = clientAddress(ctx);
    const email = emailOf(ctx.request.body);

    const byAddress = await limits.peek('adminLoginAddress', `ip:${address}`);
    if (!byAddress.allowed) {
      await reportAbuse(strapi, address, 'rate_limit');
      return sendRateLimited(
        ctx,
        byAddress,
        `Too many failed sign-ins from your network address. Try again in ${waitText(byAddress.retryAfterSeconds)}.`,
        { reason: 'address_blocked' },
      );
    }
    if (email) {
      const byAccount = await limits.peek('adminLoginAccount', `account:${email}`);
      if (!byAccount.allowed) {
        await reportAbuse(strapi, address, 'rate_limit');
        return sendRateLimited(
          ctx,
          byAccount,
          `This account is temporarily locked after repeated failed sign-ins. Try again in ${waitText(byAccount.retryAfterSeconds)}, or ask another administrator to check the account.`,
          { reason: 'account_locked' },
        );
      }
    }

    try {
      await next();
    } catch (error) {
      if (isRefusal(error)) await onFailure(address, email);
      throw error;
    }
    if (ctx.status === 200) {
      if (email) await limits.reset('adminLoginAccount', `account:${email}`);
    } else if (ctx.status >= 400 && ctx.status < 500) {
      await onFailure(address, email);
    }
  };
};
