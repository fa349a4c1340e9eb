/**
 * Who changed an IP ban, and the audit-log row that says so. The actor comes from the request being served
 * (a staff member in the admin, an API token) or is the system (automatic bans, scripts).
 */
import type { Core } from '@strapi/strapi';
import type { Context } from 'koa';
import { clientAddress } from '../../utils/client-address';
import { IP_BAN_UID } from './ban-list';

const AUDIT_UID = 'api::audit-log.audit-log';

export interface BanActor {
  actorType: 'admin' | 'api' | 'system';
  actorId: string | null;
  actorLabel: string;
  ip: string | null;
}

export interface BanSummary {
  address: string;
  reason: string;
  expiresAt: string | null;
  source: string;
}

interface AdminUser {
  id: number;
  firstname?: string | null;
  lastname?: string | null;
  email?: string | null;
}

/** The actor of the request in progress, if any (Strapi keeps the request context across the Document Service). */
export function requestActor(strapi: Core.Strapi): BanActor {
  const ctx = strapi.requestContext.get() as Context | undefined;
  if (!ctx) return { actorType: 'system', actorId: null, actorLabel: 'system', ip: null };
  const ip = clientAddress(ctx);
  const strategy = ctx.state?.auth?.strategy?.name as string | undefined;
  const credentials = ctx.state?.auth?.credentials as { id?: number; name?: string } | undefined;
  // An admin token acts for the staff member who owns it.
  if ((strategy === 'admin' || strategy === 'admin-token') && ctx.state.user) {
    const user = ctx.state.user as AdminUser;
    const name = [user.firstname, user.lastname].filter(Boolean).join(' ') || user.email || '';
    const via = strategy === 'admin-token' ? ' (admin token)' : '';
    return { actorType: 'admin', actorId: String(user.id), actorLabel: `admin:${user.id} ${name}${via}`.trim().slice(0, 100), ip };
  }
  if (strategy === 'content-api-token' && credentials?.id !== undefined) {
    return { actorType: 'api', actorId: String(credentials.id), actorLabel: `api-token:${credentials.id} ${credentials.name ?? ''}`.trim().slice(0, 100), ip };
  }
  return { actorType: 'system', actorId: null, actorLabel: 'system', ip };
}

export const summaryOf = (row: { address: string; reason: string; expiresAt: string | Date | null; source: string }): BanSummary => ({
  address: row.address,
  reason: row.reason,
  expiresAt: row.expiresAt === null ? null : new Date(row.expiresAt).toISOString(),
  source: row.source,
});

export async function auditBan(
  strapi: Core.Strapi,
  action: 'ip-ban.create' | 'ip-ban.update' | 'ip-ban.delete' | 'ip-ban.automatic',
  actor: BanActor,
  documentId: string,
  before: BanSummary | null,
  after: BanSummary | null,
): Promise<void> {
  await strapi.db.query(AUDIT_UID).create({
    data: {
      actorType: actor.actorType,
      actorId: actor.actorId,
      actorLabel: actor.actorLabel,
      action,
      subjectType: IP_BAN_UID,
      subjectId: documentId,
      before,
      after,
      ip: actor.ip,
      at: new Date(),
    },
  });
}
