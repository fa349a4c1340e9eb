/**
 * POST /admin/outbox-jobs/:documentId/retry: staff put a failed or dead job back in the queue. An outbox job's
 * state is written by the worker only (src/document-middlewares/protected-fields.ts), so this audited action
 * replaces the content-manager edit staff used before. Allowed to roles with content-manager update on outbox
 * jobs (the Manager, the Super Admin); registered from src/index.ts register, like the IP-ban admin route.
 */
import type { Core } from '@strapi/strapi';
import type { Context } from 'koa';
import { sendError } from '../../utils/http-errors';
import type { OutboxService } from './services/outbox';

const OUTBOX_UID = 'api::outbox-job.outbox-job';
const AUDIT_UID = 'api::audit-log.audit-log';
const DOCUMENT_ID = /^[a-z0-9]{24}$/;

interface AdminUser {
  id: number;
  firstname?: string | null;
  lastname?: string | null;
  email?: string | null;
}

const staffLabel = (user: AdminUser) => {
  const name = [user.firstname, user.lastname].filter(Boolean).join(' ') || user.email || '';
  return `admin:${user.id} ${name}`.trim().slice(0, 100);
};

export function registerOutboxAdminRoutes(strapi: Core.Strapi): void {
  async function retry(ctx: Context) {
    const { documentId } = ctx.params as { documentId: string };
    if (!DOCUMENT_ID.test(documentId)) return sendError(ctx, 400, 'ValidationError', 'This is not a valid outbox job id.');
    const outbox = strapi.service('api::outbox-job.outbox') as unknown as OutboxService;
    const now = new Date();
    // The state before, for the audit log (retry itself only says whether it moved the job).
    const before = (await strapi.db.query(OUTBOX_UID).findOne({ where: { documentId }, select: ['state'] })) as { state: string } | null;
    const outcome = await outbox.retry(documentId, now);
    if (!outcome.ok && outcome.reason === 'not_found') return sendError(ctx, 404, 'NotFoundError', 'No such outbox job.');
    if (!outcome.ok) {
      return sendError(ctx, 409, 'ConflictError', `Only a failed or dead job can be retried; this one is ${outcome.state}.`, {
        code: 'not_retryable',
        state: outcome.state,
      });
    }
    const user = ctx.state.user as AdminUser;
    await strapi.db.query(AUDIT_UID).create({
      data: {
        actorType: 'admin',
        actorId: String(user.id),
        actorLabel: staffLabel(user),
        action: 'outbox-job.retry',
        subjectType: OUTBOX_UID,
        subjectId: documentId,
        before: { state: before?.state ?? null },
        after: { state: outcome.job.state, kind: outcome.job.kind },
        ip: (ctx.state.clientAddress as string | undefined) ?? ctx.request.ip,
        at: now,
      },
    });
    ctx.body = { data: outcome.job };
  }

  strapi.server.routes({
    type: 'admin',
    prefix: '/admin',
    routes: [
      {
        method: 'POST',
        path: '/outbox-jobs/:documentId/retry',
        info: { pluginName: 'admin' },
        handler: retry,
        config: {
          policies: [{ name: 'admin::hasPermissions', config: { actions: [['plugin::content-manager.explorer.update', OUTBOX_UID]] } }],
        },
      },
    ],
  });
}
