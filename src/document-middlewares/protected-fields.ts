/**
 * Integrity of records (docs/ADMIN.md, Integrity of records). Booking state, time and money, payment and refund
 * amounts and states, promo-code redemptions and outbox job states are written by our services only: the
 * booking lifecycle (state machine), the booking create path, the payment flow, the price correction and the
 * outbox worker. Outside their trusted-write scope (./trusted-writes.ts) this Document Service middleware
 * refuses, with a 403 that names the booking-desk action to use, writing nothing:
 *
 * - an update (content manager, REST API, a script) that changes a protected field. Unchanged values pass, so
 *   the content manager's edit form still saves the other fields. The content manager drops fields the role may
 *   not write (src/bootstrap/admin-roles.ts makes these read-only for every role) before the Document Service
 *   sees them, so for its requests the raw request body is checked too: a changed protected field is refused
 *   rather than silently dropped;
 * - a create or clone of a booking, payment, refund or redemption (they are made by our flows, priced and
 *   checked), and a create of an outbox job with a protected field set to other than its default.
 *
 * Deletion guards are database lifecycles (the users-permissions REST route deletes through the query engine):
 * a booking, payment or refund with money attached, and a member with bookings, cannot be deleted.
 */
import type { Core, Modules } from '@strapi/strapi';
import { errors } from '@strapi/utils';
import { isTrustedWrite } from './trusted-writes';

export const BOOKING_UID = 'api::booking.booking';
export const PAYMENT_UID = 'api::payment.payment';
export const REFUND_UID = 'api::refund.refund';
export const REDEMPTION_UID = 'api::promocode-redemption.promocode-redemption';
export const OUTBOX_UID = 'api::outbox-job.outbox-job';
export const MEMBER_UID = 'plugin::users-permissions.user';
export const NEWSLETTER_UID = 'api::newsletter.newsletter';
export const DELIVERY_UID = 'api::newsletter-delivery.newsletter-delivery';

const HINTS = {
  state: 'Change the state with the booking desk: Confirm / Reject / Cancel / Mark as paid (Booking actions panel or the calendar).',
  price: "Correct the price with the booking desk's price correction (Booking actions → Correct price).",
  time: 'Move the booking with the booking desk: Reschedule.',
  rebook: 'To book another resource, tariff, length or member, cancel the booking with the booking desk and create a new one in the bookings calendar.',
  payment:
    "Payments are recorded by the online payment and the booking desk's Mark as paid; money goes back through the booking desk's Cancel (with refund) or the payment's Refund action.",
  refund: "Refunds are made with the booking desk's Cancel (with refund) or the payment's Refund action; their state follows YooKassa.",
  redemption: 'A promo-code redemption follows its booking: Cancel or Reject gives the code back, and the price correction re-prices the discount.',
  newsletter:
    'Compose, edit, send, pause, resume and cancel newsletters on the Newsletters page (POST /newsletter/newsletters and its actions): the content is checked there and each step is audited.',
  delivery: "Deliveries are written by the newsletter dispatcher; resend the failed ones with the Newsletters page's Resend to failed.",
  outbox: 'Put a failed or dead job back in the queue with its Retry button (POST /admin/outbox-jobs/:documentId/retry); the worker writes the other states.',
} as const;

type Hint = keyof typeof HINTS;

interface ProtectedType {
  /** How messages name a record of the type. */
  noun: string;
  /** Protected field → the hint naming the action to use instead. */
  fields: Readonly<Record<string, Hint>>;
  /** Set when records of the type are created by our flows only: the message of a refused create. */
  createdBy: string | null;
}

/** The protected fields of each type; src/bootstrap/admin-roles.ts makes the same fields read-only in the admin. */
export const PROTECTED_TYPES: Readonly<Record<string, ProtectedType>> = {
  [BOOKING_UID]: {
    noun: 'booking',
    fields: {
      state: 'state',
      holdExpiresAt: 'state',
      confirmedAt: 'state',
      confirmedBy: 'state',
      cancelledAt: 'state',
      cancelledBy: 'state',
      cancelReason: 'state',
      priceBase: 'price',
      discountTotal: 'price',
      priceTotal: 'price',
      discounts: 'price',
      promocode: 'price',
      startAt: 'time',
      endAt: 'time',
      units: 'rebook',
      resource: 'rebook',
      tariff: 'rebook',
      member: 'rebook',
      payments: 'payment',
    },
    createdBy:
      'Bookings are created in the bookings calendar (POST /booking-desk/bookings) or by members, priced and checked for overlaps; not here.',
  },
  [PAYMENT_UID]: {
    noun: 'payment',
    fields: {
      booking: 'payment',
      provider: 'payment',
      providerPaymentId: 'payment',
      idempotenceKey: 'payment',
      amount: 'payment',
      state: 'payment',
      paidAt: 'payment',
      confirmationUrl: 'payment',
      refunds: 'refund',
    },
    createdBy: "Payments are created by the online payment flow and by the booking desk's Mark as paid; not here.",
  },
  [REFUND_UID]: {
    noun: 'refund',
    fields: { payment: 'refund', amount: 'refund', state: 'refund', providerRefundId: 'refund', idempotenceKey: 'refund' },
    createdBy: "Refunds are made with the booking desk's Cancel (with refund) or the payment's Refund action; not here.",
  },
  [REDEMPTION_UID]: {
    noun: 'promo-code redemption',
    fields: { amount: 'redemption', state: 'redemption' },
    createdBy: 'Promo-code redemptions are made when a member books with a code; not here.',
  },
  // A newsletter is checked and audited by the Newsletters page; the content manager only shows it.
  [NEWSLETTER_UID]: {
    noun: 'newsletter',
    fields: {
      title: 'newsletter',
      body: 'newsletter',
      bodyEn: 'newsletter',
      channels: 'newsletter',
      subject: 'newsletter',
      subjectEn: 'newsletter',
      emailHtml: 'newsletter',
      emailHtmlEn: 'newsletter',
      buttons: 'newsletter',
      media: 'newsletter',
      telegramFileIds: 'newsletter',
      segment: 'newsletter',
      segmentParams: 'newsletter',
      onlyMarketingConsent: 'newsletter',
      state: 'newsletter',
      scheduledAt: 'newsletter',
      startedAt: 'newsletter',
      finishedAt: 'newsletter',
      materialisedAt: 'newsletter',
      pausedAt: 'newsletter',
      lockedBy: 'newsletter',
      lockedUntil: 'newsletter',
      lastError: 'newsletter',
      createdByLabel: 'newsletter',
      sentByLabel: 'newsletter',
      totalCount: 'newsletter',
      sentCount: 'newsletter',
      failedCount: 'newsletter',
      blockedCount: 'newsletter',
      cancelledCount: 'newsletter',
      openedCount: 'newsletter',
      clickedCount: 'newsletter',
    },
    createdBy: 'Newsletters are composed on the Newsletters page (POST /newsletter/newsletters); not here.',
  },
  [DELIVERY_UID]: {
    noun: 'newsletter delivery',
    fields: {
      newsletter: 'delivery',
      member: 'delivery',
      newsletterRef: 'delivery',
      memberRef: 'delivery',
      channel: 'delivery',
      deliveryKey: 'delivery',
      telegramId: 'delivery',
      email: 'delivery',
      language: 'delivery',
      state: 'delivery',
      attempts: 'delivery',
      runAfter: 'delivery',
      lockedBy: 'delivery',
      lockedUntil: 'delivery',
      errorCode: 'delivery',
      error: 'delivery',
      sentAt: 'delivery',
      telegramMessageId: 'delivery',
      providerMessageId: 'delivery',
      openedAt: 'delivery',
      clickedAt: 'delivery',
      clickCount: 'delivery',
    },
    createdBy: 'Deliveries are listed by the newsletter dispatcher when a newsletter is sent; not here.',
  },
  [OUTBOX_UID]: {
    noun: 'outbox job',
    fields: { state: 'outbox', attempts: 'outbox', lockedUntil: 'outbox', lockedBy: 'outbox', finishedAt: 'outbox' },
    createdBy: null,
  },
};

/** The protected fields of a type (empty for other types). */
export const protectedFieldsOf = (uid: string): string[] => Object.keys(PROTECTED_TYPES[uid]?.fields ?? {});

/** Types whose records only our flows create: no role gets content-manager create on them. */
export const SERVICE_CREATED_TYPES = Object.keys(PROTECTED_TYPES).filter((uid) => PROTECTED_TYPES[uid].createdBy !== null);

type Data = Record<string, unknown>;
type Attribute = { type: string; relation?: string; default?: unknown };
interface RelatedRow {
  id: number;
  documentId: string;
}

const isObject = (value: unknown): value is Data => typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date);
const isEmpty = (value: unknown) => value === null || value === undefined || value === '';

/** JSON with sorted keys, so two equal values compare equal whatever their key order. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (isObject(value)) {
    return `{${Object.keys(value)
      .sort()
      .filter((key) => value[key] !== undefined)
      .map((key) => `${JSON.stringify(key)}:${canonical(value[key])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

function scalarChanged(attribute: Attribute, value: unknown, current: unknown): boolean {
  if (isEmpty(value) && isEmpty(current)) return false;
  if (isEmpty(value) !== isEmpty(current)) return true;
  switch (attribute.type) {
    case 'datetime':
    case 'date':
    case 'time': {
      const next = new Date(value as string).getTime();
      return Number.isNaN(next) || next !== new Date(current as string).getTime();
    }
    case 'integer':
    case 'biginteger':
    case 'float':
    case 'decimal':
      return Number(value) !== Number(current);
    case 'boolean':
      return Boolean(value) !== Boolean(current);
    case 'json': {
      const parse = (v: unknown) => (typeof v === 'string' ? safeJson(v) : v);
      return canonical(parse(value)) !== canonical(parse(current));
    }
    default:
      return String(value) !== String(current);
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/**
 * Whether a relation value, in any shape the Document Service takes (an id, a documentId, an array of them,
 * `{ id }` / `{ documentId }`, `{ connect, disconnect, set }`, null), would change the current set of related rows.
 */
function relationChanged(value: unknown, current: RelatedRow[]): boolean {
  const refOf = (item: unknown): { id?: number; documentId?: string } | null => {
    if (typeof item === 'number') return { id: item };
    if (typeof item === 'string') return /^\d+$/.test(item) ? { id: Number(item) } : { documentId: item };
    if (isObject(item)) {
      const id = item.id === undefined ? undefined : Number(item.id);
      const documentId = typeof item.documentId === 'string' ? item.documentId : undefined;
      return id === undefined && documentId === undefined ? null : { id, documentId };
    }
    return null;
  };
  const has = (item: unknown) => {
    const ref = refOf(item);
    if (!ref) return false;
    return current.some((row) => (ref.id !== undefined && ref.id === row.id) || (ref.documentId !== undefined && ref.documentId === row.documentId));
  };
  const sameSet = (items: unknown[]) => items.length === current.length && items.every(has);

  if (value === null) return current.length > 0;
  if (Array.isArray(value)) return !sameSet(value);
  if (!isObject(value)) return !sameSet([value]);
  if ('set' in value) return !sameSet(Array.isArray(value.set) ? value.set : [value.set]);
  if ('connect' in value || 'disconnect' in value) {
    const list = (v: unknown) => (v === undefined || v === null ? [] : Array.isArray(v) ? v : [v]);
    return list(value.connect).some((item) => !has(item)) || list(value.disconnect).some(has);
  }
  if (refOf(value)) return !sameSet([value]);
  // Another shape (e.g. the content manager's `{ count }` echo) connects nothing.
  return false;
}

/**
 * A 403 whose message reaches the caller. Strapi's route authorizer turns any ForbiddenError thrown below it into
 * a bare "Forbidden" except a PolicyError (a ForbiddenError too), so this is one, named as the ForbiddenError it is.
 */
function refuse(message: string, details: Record<string, unknown>): never {
  const error = new errors.PolicyError(message, details);
  (error as { name: string }).name = 'ForbiddenError';
  throw error;
}

/** The 403 of a write that changes protected fields: which ones, and the actions to use instead. */
function refuseFields(uid: string, fields: string[]): never {
  const type = PROTECTED_TYPES[uid];
  const hints = [...new Set(fields.map((field) => type.fields[field]))].map((hint) => HINTS[hint]);
  const message = `The ${type.noun}'s ${fields.join(', ')} ${fields.length === 1 ? 'is' : 'are'} written by the platform only and cannot be changed here. ${hints.join(' ')}`;
  refuse(message, { code: 'protected_field', fields, errors: fields.map((field) => ({ path: [field], message: HINTS[type.fields[field]], name: 'ForbiddenError' })) });
}

interface RequestContext {
  path?: string;
  method?: string;
  params?: Record<string, string | undefined>;
  request?: { body?: unknown };
}

/**
 * The content manager's own request body for this record, before it drops the fields the role may not write:
 * `POST|PUT /content-manager/collection-types/<uid>[/<documentId>]`. Null for any other request.
 */
function contentManagerBody(strapi: Core.Strapi, uid: string, documentId: string | undefined): Data | null {
  const ctx = strapi.requestContext.get() as RequestContext | undefined;
  if (!ctx?.path?.startsWith('/content-manager/') || ctx.params?.model !== uid) return null;
  if (documentId !== undefined && ctx.params.id !== undefined && ctx.params.id !== documentId) return null;
  const body = ctx.request?.body;
  return isObject(body) ? body : null;
}

async function changedFields(strapi: Core.Strapi, uid: string, documentId: string, candidates: Data[]): Promise<string[]> {
  const attributes = (strapi.getModel(uid as never) as unknown as { attributes: Record<string, Attribute> }).attributes;
  const fields = protectedFieldsOf(uid).filter((field) => candidates.some((data) => field in data));
  if (fields.length === 0) return [];
  const relations = fields.filter((field) => attributes[field]?.type === 'relation');
  const scalars = fields.filter((field) => attributes[field]?.type !== 'relation');
  const current = (await strapi.db.query(uid as never).findOne({
    where: { documentId },
    select: ['id', ...scalars],
    populate: Object.fromEntries(relations.map((field) => [field, { select: ['id', 'documentId'] }])),
  })) as Data | null;
  // An unknown document: the Document Service answers that itself.
  if (!current) return [];
  return fields.filter((field) =>
    candidates.some((data) => {
      if (!(field in data)) return false;
      if (attributes[field].type !== 'relation') return scalarChanged(attributes[field], data[field], current[field]);
      const related = current[field];
      const rows = (Array.isArray(related) ? related : related ? [related] : []) as RelatedRow[];
      return relationChanged(data[field], rows);
    }),
  );
}

/** Protected fields a new record sets to other than their default. */
function nonDefaultFields(strapi: Core.Strapi, uid: string, candidates: Data[]): string[] {
  const attributes = (strapi.getModel(uid as never) as unknown as { attributes: Record<string, Attribute> }).attributes;
  return protectedFieldsOf(uid).filter((field) =>
    candidates.some((data) => {
      if (!(field in data)) return false;
      const attribute = attributes[field];
      if (attribute.type === 'relation') return relationChanged(data[field], []);
      return scalarChanged(attribute, data[field], attribute.default ?? null);
    }),
  );
}

export const protectedFields =
  (strapi: Core.Strapi): Modules.Documents.Middleware.Middleware =>
  async (context, next) => {
    const type = PROTECTED_TYPES[context.uid];
    if (!type || isTrustedWrite()) return next();
    const params = context.params as { documentId?: string; data?: Data };

    if (context.action === 'create' || context.action === 'clone') {
      if (type.createdBy !== null) refuse(type.createdBy, { code: 'protected_create' });
      if (context.action === 'clone') refuse(`An ${type.noun} cannot be cloned. ${HINTS.outbox}`, { code: 'protected_create' });
      const raw = contentManagerBody(strapi, context.uid, undefined);
      const fields = nonDefaultFields(strapi, context.uid, [params.data ?? {}, ...(raw ? [raw] : [])]);
      if (fields.length > 0) refuseFields(context.uid, fields);
      return next();
    }

    if (context.action === 'update' && params.documentId) {
      const raw = contentManagerBody(strapi, context.uid, params.documentId);
      const fields = await changedFields(strapi, context.uid, params.documentId, [params.data ?? {}, ...(raw ? [raw] : [])]);
      if (fields.length > 0) refuseFields(context.uid, fields);
    }
    return next();
  };

// ---------------------------------------------------------------------------------------------------------------
// Deletion guards

interface DeleteEvent {
  model: { uid: string };
  params: { where?: Record<string, unknown> };
}

interface DeleteGuard {
  populate: Record<string, unknown>;
  refusal(row: Data): string | null;
  /** details.code of the refusal (default money_attached). */
  code?: string;
}

const DELETE_GUARDS: Readonly<Record<string, DeleteGuard>> = {
  [BOOKING_UID]: {
    populate: { payments: { select: ['amount'] } },
    refusal: (row) =>
      Number(row.priceTotal ?? 0) > 0 || ((row.payments as Data[] | undefined) ?? []).length > 0
        ? 'This booking has money attached (a price or payments) and cannot be deleted. Cancel it with the booking desk instead: the record stays for the accounts.'
        : null,
  },
  [PAYMENT_UID]: {
    populate: { refunds: { select: ['amount'] } },
    refusal: (row) =>
      Number(row.amount ?? 0) > 0 || ((row.refunds as Data[] | undefined) ?? []).length > 0
        ? "A payment with an amount is a record of money and cannot be deleted. Give the money back with the payment's Refund action or the booking desk's Cancel (with refund)."
        : null,
  },
  [REFUND_UID]: {
    populate: {},
    refusal: (row) => (Number(row.amount ?? 0) > 0 ? 'A refund with an amount is a record of money and cannot be deleted.' : null),
  },
  // Deleting a newsletter that is going out would orphan its recipients mid-send.
  [NEWSLETTER_UID]: {
    populate: {},
    code: 'newsletter_in_progress',
    refusal: (row) =>
      ['sending', 'paused', 'scheduled'].includes(String(row.state))
        ? 'This newsletter is scheduled or being sent and cannot be deleted. Cancel it on the Newsletters page first.'
        : null,
  },
  // What was sent to whom is the newsletter's record; it goes only with its newsletter (Newsletters page).
  [DELIVERY_UID]: {
    populate: {},
    code: 'delivery_record',
    refusal: () => 'Deliveries are the record of a newsletter and are deleted only with their newsletter, on the Newsletters page.',
  },
};

const MEMBER_REFUSAL =
  'This member has bookings and cannot be deleted: deactivate the account instead (set Blocked, or ban the member with a reason). A member without bookings can be deleted.';

async function guardDelete(strapi: Core.Strapi, event: DeleteEvent): Promise<void> {
  if (isTrustedWrite()) return;
  const uid = event.model.uid;
  const where = event.params.where ?? {};
  if (uid === MEMBER_UID) {
    const members = (await strapi.db.query(MEMBER_UID).findMany({ where, select: ['id'] })) as { id: number }[];
    if (members.length === 0) return;
    const bookings = await strapi.db.query(BOOKING_UID).count({ where: { member: { id: { $in: members.map((m) => m.id) } } } });
    if (bookings > 0) refuse(MEMBER_REFUSAL, { code: 'member_has_bookings' });
    return;
  }
  const guard = DELETE_GUARDS[uid];
  if (!guard) return;
  const rows = (await strapi.db.query(uid as never).findMany({ where, populate: guard.populate })) as Data[];
  for (const row of rows) {
    const refusal = guard.refusal(row);
    if (refusal) refuse(refusal, { code: guard.code ?? 'money_attached' });
  }
}

/** Subscribes the deletion guards; run from register(). */
export function subscribeDeleteGuards(strapi: Core.Strapi): void {
  strapi.db.lifecycles.subscribe({
    models: [MEMBER_UID, ...Object.keys(DELETE_GUARDS)],
    beforeDelete: (event: unknown) => guardDelete(strapi, event as DeleteEvent),
    beforeDeleteMany: (event: unknown) => guardDelete(strapi, event as DeleteEvent),
  } as never);
}
