/**
 * Every IP-ban write through the Document Service (the content manager, the REST API, scripts) is validated
 * here before anything is stored (a ValidationError is a 400 with the message), stamped with who made it, written
 * to the audit log, and applied by this instance's ban list at once.
 */
import type { Core, Modules } from '@strapi/strapi';
import { errors } from '@strapi/utils';
import { auditBan, requestActor, summaryOf } from './audit';
import { banList, IP_BAN_UID } from './ban-list';
import { parseBanAddress, parseExpiry, parseReason, type Checked } from './rules';

type Data = Record<string, unknown>;

const WRITES = ['create', 'update', 'delete', 'clone'];

function valueOf<T>(checked: Checked<T>): T {
  if (!checked.ok) {
    throw new errors.ValidationError(checked.message, { errors: [{ path: [checked.field], message: checked.message, name: 'ValidationError' }] });
  }
  return checked.value;
}

/** Checks and normalises the fields a write sets; `isNew` requires every field and an expiry in the future. */
function checkData(data: Data, isNew: boolean, allowListed: (address: string) => boolean): void {
  if (isNew || data.address !== undefined) {
    data.address = valueOf(parseBanAddress(data.address));
    if (allowListed(data.address as string)) {
      const message = `${data.address} is on IP_BAN_ALLOWLIST: it is never blocked.`;
      throw new errors.ValidationError(message, { errors: [{ path: ['address'], message, name: 'ValidationError' }] });
    }
  }
  if (isNew || data.reason !== undefined) data.reason = valueOf(parseReason(data.reason));
  if (isNew || data.expiresAt !== undefined) data.expiresAt = valueOf(parseExpiry(data.expiresAt ?? null, new Date(), isNew));
}

export const ipBanDocuments = (strapi: Core.Strapi): Modules.Documents.Middleware.Middleware => async (context, next) => {
  if (context.uid !== IP_BAN_UID || !WRITES.includes(context.action)) return next();
  const bans = banList(strapi);
  const params = context.params as { documentId?: string; data?: Data };
  const actor = requestActor(strapi);
  // A clone starts from an existing ban, so like an update it may leave fields out.
  const isNew = context.action === 'create';

  if (context.action !== 'delete') {
    const data = (params.data ??= {});
    checkData(data, isNew, (address) => bans.isAllowListed(address));
    // The source and author are the server's to say; a write through the Document Service is a staff decision.
    delete data.source;
    delete data.bannedBy;
    if (context.action !== 'update') Object.assign(data, { source: 'staff', bannedBy: actor.actorLabel });
  }

  // The ban and its audit-log row are written together or not at all.
  const result = await strapi.db.transaction(async () => {
    const before = params.documentId ? await strapi.db.query(IP_BAN_UID).findOne({ where: { documentId: params.documentId } }) : null;
    const written = await next();
    if (context.action === 'delete') {
      if (before) await auditBan(strapi, 'ip-ban.delete', actor, before.documentId, summaryOf(before), null);
      return written;
    }
    const documentId = (written as { documentId?: string } | null)?.documentId;
    const after = documentId ? await strapi.db.query(IP_BAN_UID).findOne({ where: { documentId } }) : null;
    if (after) {
      const isUpdate = context.action === 'update';
      await auditBan(strapi, isUpdate ? 'ip-ban.update' : 'ip-ban.create', actor, after.documentId, isUpdate && before ? summaryOf(before) : null, summaryOf(after));
    }
    return written;
  });
  bans.invalidate();
  return result;
};
