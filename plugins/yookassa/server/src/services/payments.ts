/**
 * Payments of bookings through YooKassa (ARCHITECTURE §3.8).
 *
 * - A payment row, with its Idempotence-Key, is written in the booking's transaction before YooKassa is called
 *   (`prepare`), so a crash between our write and YooKassa's answer is recovered by repeating the call with the
 *   same key and body (`submit`, again from `/pay` or the reconciliation job): YooKassa holds one payment.
 * - Nothing is believed from a webhook body: the object is fetched from the API by id first (`handleNotification`),
 *   and applying a fetched payment is idempotent (`applyPayment`).
 * - The booking changes only through the app's lifecycle service (src/api/booking/services/lifecycle.ts). A
 *   payment that succeeds after its hold lapsed confirms the booking if the slot is still free, and is refunded
 *   automatically otherwise.
 * - Refund rows are executed by the outbox (`refund.execute`) with their own Idempotence-Keys.
 */
import { randomUUID } from 'node:crypto';
import type { Core } from '@strapi/strapi';
import {
  createYooKassaClient,
  type Payment,
  type ReceiptRequest,
  toAmountValue,
  YooKassaError,
  type YooKassaClient,
} from '../client';
import { isConfigured, type YooKassaSettings } from '../settings';

const PAYMENT_UID = 'api::payment.payment';
const BOOKING_UID = 'api::booking.booking';
const REFUND_UID = 'api::refund.refund';
const USER_UID = 'plugin::users-permissions.user';
const AUDIT_UID = 'api::audit-log.audit-log';
const SYSTEM_ACTOR = { type: 'system' as const, label: 'system:yookassa' };
/** YooKassa remembers an Idempotence-Key for 24 hours; after that a repeat would be a new payment. */
const KEY_LIFETIME_MS = 24 * 60 * 60 * 1000;

/** The parts of the app's services this plugin uses (the app owns the full types). */
interface LifecycleService {
  transition(request: {
    documentId: string;
    event: 'payment_succeeded' | 'expire_hold' | 'late_payment_confirmed';
    actor: typeof SYSTEM_ACTOR;
    now: Date;
  }): Promise<{ ok: true } | { ok: false; status: number; code: string; message: string }>;
}
interface OutboxService {
  enqueue(input: { kind: string; payload: unknown; dedupeKey?: string }): Promise<unknown>;
}
/** The app's trusted-write scope: payments and refunds are protected records (src/document-middlewares/protected-fields.ts). */
interface IntegrityService {
  trusted<T>(fn: () => Promise<T>, by?: string): Promise<T>;
}
/** The app's staff alerts (src/api/notification/services/staff-alerts.ts): joins the surrounding transaction. */
interface StaffAlertsService {
  enqueue(alert: { event: 'payment_failed'; payment: string; reason?: string | null } | { event: 'refund_failed'; refund: string }): Promise<unknown>;
  isFailedPayment(reason: string | null | undefined): boolean;
}

interface PaymentRow {
  id: number;
  documentId: string;
  provider: string;
  providerPaymentId: string | null;
  idempotenceKey: string;
  amount: number;
  state: 'pending' | 'waiting_for_capture' | 'succeeded' | 'canceled';
  confirmationUrl: string | null;
  receipt: ReceiptRequest | null;
  createdAt: string | Date;
  booking: { id: number; documentId: string; state: string } | null;
  refunds: { state: string; amount: number }[] | null;
}

const PAYMENT_QUERY = {
  populate: { booking: { select: ['id', 'documentId', 'state'] }, refunds: { select: ['state', 'amount'] } },
};

export type PayLinkOutcome =
  | { ok: true; confirmationUrl: string; payment: string }
  | { ok: false; status: 403 | 404 | 409 | 502 | 503; message: string };

export type StaffRefundOutcome =
  | { ok: true; refund: { documentId: string; amount: number; state: string } }
  | { ok: false; status: 404 | 409 | 422; message: string };

const paymentsService = ({ strapi }: { strapi: Core.Strapi }) => {
  const settings = () => strapi.config.get('plugin::yookassa') as YooKassaSettings;
  const lifecycle = () => strapi.service('api::booking.lifecycle') as unknown as LifecycleService;
  const outbox = () => strapi.service('api::outbox-job.outbox') as unknown as OutboxService;
  const trusted = <T>(fn: () => Promise<T>) => (strapi.service('api::booking.integrity') as unknown as IntegrityService).trusted(fn, 'yookassa');
  const staffAlerts = () => strapi.service('api::notification.staff-alerts') as unknown as StaffAlertsService | undefined;
  let cachedClient: { key: string; client: YooKassaClient } | null = null;

  function client(): YooKassaClient {
    const { apiUrl, shopId, secretKey, timeoutMs } = settings();
    const key = `${apiUrl} ${shopId} ${secretKey} ${timeoutMs}`;
    if (cachedClient?.key !== key) cachedClient = { key, client: createYooKassaClient({ baseUrl: apiUrl, shopId, secretKey, timeoutMs }) };
    return cachedClient.client;
  }

  const findPayment = async (where: Record<string, unknown>) =>
    (await strapi.db.query(PAYMENT_UID).findOne({ where, ...PAYMENT_QUERY })) as PaymentRow | null;

  /** 54-FZ receipt: one `service` line paid in full in advance, for the member's email or phone. */
  function receiptFor(member: { email: string | null; phone: string | null }, amount: number): ReceiptRequest | null {
    const { receipts } = settings();
    if (!receipts.enabled) return null;
    const customer = member.email ? { email: member.email } : member.phone ? { phone: member.phone } : null;
    if (customer === null) return null;
    return {
      customer,
      items: [
        {
          description: receipts.itemName.slice(0, 128),
          quantity: '1.00',
          amount: { value: toAmountValue(amount), currency: 'RUB' },
          vat_code: receipts.vatCode,
          payment_subject: 'service',
          payment_mode: 'full_prepayment',
        },
      ],
      ...(receipts.taxSystemCode === null ? {} : { tax_system_code: receipts.taxSystemCode }),
    };
  }

  /** The request body is rebuilt from stored fields only, so a retry sends exactly the first body. */
  function paymentRequest(row: PaymentRow) {
    const booking = row.booking as NonNullable<PaymentRow['booking']>;
    return {
      amount: row.amount,
      description: `Бронирование №${booking.id}`,
      returnUrl: settings().returnUrl,
      metadata: { bookingId: booking.documentId, paymentId: row.documentId },
      ...(row.receipt ? { receipt: row.receipt } : {}),
    };
  }

  async function notify(kind: string, bookingDocumentId: string, event: string, extra: Record<string, unknown> = {}) {
    await outbox().enqueue({ kind, payload: { booking: bookingDocumentId, event, ...extra }, dedupeKey: `${kind}:${bookingDocumentId}:${event}` });
  }

  /**
   * The booking is paid but cannot be confirmed (its slot went to someone else, or it was cancelled while the
   * member paid): the whole payment goes back. One refund per payment, however many webhooks arrive.
   */
  async function refundUnconfirmable(row: PaymentRow, reason: string): Promise<boolean> {
    return strapi.db.transaction(async () => {
      const existing = await strapi.db.query(REFUND_UID).count({ where: { payment: { id: row.id } } });
      if (existing > 0) return false;
      const refund = await trusted(() =>
        strapi.documents(REFUND_UID).create({
          data: { payment: row.documentId, amount: row.amount, currency: 'RUB', state: 'pending', reason, idempotenceKey: randomUUID() },
        }),
      );
      await outbox().enqueue({ kind: 'refund.execute', payload: { refund: refund.documentId }, dedupeKey: `refund.execute:${refund.documentId}` });
      await notify('member.notify', row.booking!.documentId, 'payment_refunded', { amount: row.amount });
      return true;
    });
  }

  /**
   * A succeeded payment confirms its booking: directly, or as a late payment if the hold had lapsed.
   * True when this call changed something (a repeat of a settled payment changes nothing).
   */
  async function settleSucceeded(row: PaymentRow): Promise<boolean> {
    const booking = row.booking!;
    const now = new Date();
    const paid = await lifecycle().transition({ documentId: booking.documentId, event: 'payment_succeeded', actor: SYSTEM_ACTOR, now });
    if (paid.ok) return true;
    const current = (await strapi.db.query(BOOKING_UID).findOne({ where: { id: booking.id }, select: ['state'] })) as { state: string };
    if (current.state === 'confirmed' || current.state === 'completed') return false; // already settled (a repeat)
    let changed = false;
    if (paid.code === 'hold_expired') {
      changed = (await lifecycle().transition({ documentId: booking.documentId, event: 'expire_hold', actor: SYSTEM_ACTOR, now })).ok;
    }
    const late = await lifecycle().transition({ documentId: booking.documentId, event: 'late_payment_confirmed', actor: SYSTEM_ACTOR, now });
    if (late.ok) return true;
    strapi.log.warn(`YooKassa: payment ${row.documentId} succeeded but booking ${booking.documentId} cannot be confirmed (${late.code}); refunding`);
    return (await refundUnconfirmable(row, `The booking could not be confirmed after payment: ${late.message}`.slice(0, 500))) || changed;
  }

  const service = {
    isConfigured: () => isConfigured(settings()),

    /**
     * Writes the payment row of a booking that waits for payment. Call it inside the booking's transaction;
     * nothing is sent to YooKassa yet.
     */
    async prepare(booking: { documentId: string; priceTotal: number; member: { id: number } }): Promise<string> {
      const member = (await strapi.db.query(USER_UID).findOne({
        where: { id: booking.member.id },
        select: ['documentId', 'email', 'phone'],
      })) as { documentId: string; email: string | null; phone: string | null };
      const payment = await trusted(() =>
        strapi.documents(PAYMENT_UID).create({
          data: {
            booking: booking.documentId,
            member: member.documentId,
            provider: 'yookassa',
            idempotenceKey: randomUUID(),
            amount: booking.priceTotal,
            currency: 'RUB',
            state: 'pending',
            receipt: receiptFor(member, booking.priceTotal) as never,
          },
        }),
      );
      return payment.documentId;
    },

    /**
     * Creates the payment at YooKassa (or gets the one an earlier attempt created: same key, same body) and
     * stores its id and confirmation URL. A refused request (4xx) cancels the row: the next attempt needs a new
     * row and key. An unknown outcome leaves the row for a retry; the answer is then null.
     */
    async submit(paymentDocumentId: string): Promise<string | null> {
      const row = await findPayment({ documentId: paymentDocumentId });
      if (!row || !row.booking) return null;
      if (row.providerPaymentId) return row.confirmationUrl;
      if (row.state !== 'pending') return null;
      try {
        const created = await client().createPayment(paymentRequest(row), row.idempotenceKey);
        await strapi.db.query(PAYMENT_UID).update({
          where: { id: row.id },
          data: { providerPaymentId: created.id, confirmationUrl: created.confirmationUrl, lastPayload: created as never },
        });
        if (created.status !== 'pending') await service.applyPayment(created);
        return created.confirmationUrl;
      } catch (error) {
        if (error instanceof YooKassaError) {
          strapi.log.error(`YooKassa refused payment ${row.documentId}: ${error.message}`);
          await strapi.db.transaction(async () => {
            await strapi.db.query(PAYMENT_UID).update({
              where: { id: row.id },
              data: { state: 'canceled', cancellationReason: `${error.code}: ${error.description}`.slice(0, 100) },
            });
            await staffAlerts()?.enqueue({ event: 'payment_failed', payment: row.documentId });
          });
          return null;
        }
        strapi.log.warn(`YooKassa: creating payment ${row.documentId} has an unknown outcome; it will be retried with the same key`);
        return null;
      }
    },

    /**
     * Records a payment as fetched from YooKassa and settles its booking. Safe to repeat: `unchanged` when our
     * records already said all of it (a repeated or forged notification of a known payment).
     */
    async applyPayment(fetched: Payment): Promise<'applied' | 'unchanged' | 'unknown_payment' | 'mismatch'> {
      let changed = false;
      let row = await findPayment({ providerPaymentId: fetched.id });
      if (!row && fetched.metadata.paymentId) {
        // Created by an attempt whose answer we never stored (a crash or a timeout after YooKassa acted).
        row = await findPayment({ documentId: fetched.metadata.paymentId, providerPaymentId: { $null: true } });
        if (row) {
          await strapi.db.query(PAYMENT_UID).update({ where: { id: row.id }, data: { providerPaymentId: fetched.id } });
          changed = true;
        }
      }
      if (!row || !row.booking) return 'unknown_payment';
      if (fetched.amount !== row.amount || (fetched.metadata.bookingId && fetched.metadata.bookingId !== row.booking.documentId)) {
        strapi.log.error(`YooKassa payment ${fetched.id} does not match our payment ${row.documentId} (amount or booking); ignored`);
        return 'mismatch';
      }
      if (row.state !== fetched.status && row.state !== 'succeeded' && row.state !== 'canceled') {
        const current = row;
        // A failed payment tells the staff chat in the transaction that records it (docs/NOTIFICATIONS.md § Staff alerts).
        await strapi.db.transaction(async () => {
          await strapi.db.query(PAYMENT_UID).update({
            where: { id: current.id },
            data: {
              state: fetched.status,
              confirmationUrl: fetched.confirmationUrl ?? current.confirmationUrl,
              lastPayload: fetched as never,
              ...(fetched.status === 'succeeded' ? { paidAt: new Date(fetched.capturedAt ?? Date.now()) } : {}),
              ...(fetched.cancellationReason ? { cancellationReason: fetched.cancellationReason.slice(0, 100) } : {}),
            },
          });
          if (fetched.status === 'canceled' && staffAlerts()?.isFailedPayment(fetched.cancellationReason)) {
            await staffAlerts()?.enqueue({ event: 'payment_failed', payment: current.documentId, reason: fetched.cancellationReason });
          }
        });
        changed = true;
      }
      if (fetched.status === 'succeeded' && (await settleSucceeded(row))) changed = true;
      return changed ? 'applied' : 'unchanged';
    },

    /**
     * POST /api/yookassa/webhook, after the address check. The body only names the object: it is fetched from
     * YooKassa and acted on as fetched. The answer says what happened: `applied` (our records changed),
     * `unchanged` (a known object we already had as fetched: a repeat, or a notification whose event the object
     * does not bear out) or `ignored` (an object we do not know, or one that does not match ours).
     */
    async handleNotification(event: string, id: string): Promise<'applied' | 'unchanged' | 'ignored'> {
      try {
        if (event.startsWith('payment.')) {
          const outcome = await service.applyPayment(await client().getPayment(id));
          return outcome === 'applied' || outcome === 'unchanged' ? outcome : 'ignored';
        }
        if (event === 'refund.succeeded') {
          const refund = await client().getRefund(id);
          const row = (await strapi.db.query(REFUND_UID).findOne({ where: { providerRefundId: refund.id }, select: ['id', 'documentId', 'state'] })) as {
            id: number;
            documentId: string;
            state: string;
          } | null;
          if (!row) return 'ignored';
          if (row.state === refund.status) return 'unchanged';
          await strapi.db.transaction(async () => {
            await strapi.db.query(REFUND_UID).update({ where: { id: row.id }, data: { state: refund.status } });
            if (refund.status === 'canceled') await staffAlerts()?.enqueue({ event: 'refund_failed', refund: row.documentId });
          });
          return 'applied';
        }
      } catch (error) {
        // An id YooKassa does not know (a forged notification) changes nothing.
        if (error instanceof YooKassaError && error.httpStatus === 404) return 'ignored';
        throw error;
      }
      return 'ignored';
    },

    /** POST /api/bookings/:documentId/pay: the link to pay an unpaid booking (the same one while it is valid). */
    async payLink(memberId: number, bookingDocumentId: string): Promise<PayLinkOutcome> {
      if (!service.isConfigured()) return { ok: false, status: 503, message: 'Online payment is not available at the moment. Please pay at the desk.' };
      const booking = (await strapi.db.query(BOOKING_UID).findOne({
        where: { documentId: bookingDocumentId },
        select: ['id', 'documentId', 'state', 'holdExpiresAt', 'priceTotal'],
        populate: { member: { select: ['id'] } },
      })) as { id: number; documentId: string; state: string; holdExpiresAt: string | null; priceTotal: number; member: { id: number } | null } | null;
      if (!booking) return { ok: false, status: 404, message: 'No such booking.' };
      if (booking.member?.id !== memberId) return { ok: false, status: 403, message: 'This booking belongs to someone else.' };
      if (booking.state !== 'pending_payment') return { ok: false, status: 409, message: 'This booking is not waiting for payment.' };
      if (!booking.holdExpiresAt || new Date(booking.holdExpiresAt).getTime() <= Date.now()) {
        return { ok: false, status: 409, message: 'The time to pay for this booking has run out. Please make a new booking.' };
      }
      const rows = (await strapi.db.query(PAYMENT_UID).findMany({
        where: { booking: { id: booking.id }, provider: 'yookassa' },
        orderBy: { id: 'desc' },
        ...PAYMENT_QUERY,
      })) as PaymentRow[];
      if (rows.some((row) => row.state === 'succeeded' || row.state === 'waiting_for_capture')) {
        return { ok: false, status: 409, message: 'This booking is already paid; its confirmation is on the way.' };
      }
      let row = rows.find((candidate) => candidate.state === 'pending' && Date.now() - new Date(candidate.createdAt).getTime() < KEY_LIFETIME_MS);
      if (!row) {
        const documentId = await strapi.db.transaction(() => service.prepare({ documentId: booking.documentId, priceTotal: booking.priceTotal, member: { id: memberId } }));
        row = (await findPayment({ documentId })) as PaymentRow;
      }
      const url = await service.submit(row.documentId);
      if (url === null) return { ok: false, status: 502, message: 'The payment service did not answer. Please try again in a minute.' };
      return { ok: true, confirmationUrl: url, payment: row.documentId };
    },

    /**
     * The reconciliation job: payments still pending after a while are fetched again (a lost webhook), creations
     * with an unknown outcome are repeated with their key, and held payments of bookings that can no longer be
     * confirmed are cancelled.
     */
    async reconcile(now: Date): Promise<{ checked: number; resubmitted: number; cancelled: number }> {
      if (!service.isConfigured()) return { checked: 0, resubmitted: 0, cancelled: 0 };
      const before = new Date(now.getTime() - settings().reconcileAfterMs);
      const stale = (await strapi.db.query(PAYMENT_UID).findMany({
        where: { provider: 'yookassa', state: { $in: ['pending', 'waiting_for_capture'] }, createdAt: { $lte: before } },
        orderBy: { id: 'asc' },
        limit: 100,
        ...PAYMENT_QUERY,
      })) as PaymentRow[];
      const report = { checked: 0, resubmitted: 0, cancelled: 0 };
      for (const row of stale) {
        try {
          if (row.providerPaymentId === null) {
            if (now.getTime() - new Date(row.createdAt).getTime() >= KEY_LIFETIME_MS) {
              await strapi.db.query(PAYMENT_UID).update({ where: { id: row.id }, data: { state: 'canceled', cancellationReason: 'never created' } });
            } else if ((await service.submit(row.documentId)) !== null) report.resubmitted += 1;
            continue;
          }
          const fetched = await client().getPayment(row.providerPaymentId);
          await service.applyPayment(fetched);
          report.checked += 1;
          const over = ['cancelled', 'rejected', 'expired', 'completed'].includes(row.booking?.state ?? '');
          if (fetched.status === 'waiting_for_capture' && over) {
            await client().cancelPayment(fetched.id, `${row.idempotenceKey}-cancel`.slice(0, 64));
            report.cancelled += 1;
          }
        } catch (error) {
          strapi.log.warn(`YooKassa reconciliation of payment ${row.documentId} failed: ${(error as Error).message}`);
        }
      }
      return report;
    },

    /** Outbox handler of `refund.execute`: sends one refund row to YooKassa with its own key. */
    async executeRefund(refundDocumentId: string): Promise<void> {
      const refund = (await strapi.db.query(REFUND_UID).findOne({
        where: { documentId: refundDocumentId },
        populate: { payment: { select: ['provider', 'providerPaymentId'] } },
      })) as { id: number; amount: number; state: string; reason: string | null; idempotenceKey: string; providerRefundId: string | null; payment: { provider: string; providerPaymentId: string | null } | null } | null;
      if (!refund || refund.state !== 'pending' || refund.providerRefundId) return;
      // Money taken at the desk goes back at the desk.
      if (!refund.payment || refund.payment.provider !== 'yookassa' || !refund.payment.providerPaymentId) return;
      const created = await client().createRefund(
        { paymentId: refund.payment.providerPaymentId, amount: refund.amount, description: refund.reason ?? undefined },
        refund.idempotenceKey,
      );
      await strapi.db.transaction(async () => {
        await strapi.db.query(REFUND_UID).update({ where: { id: refund.id }, data: { providerRefundId: created.id, state: created.status } });
        if (created.status === 'canceled') await staffAlerts()?.enqueue({ event: 'refund_failed', refund: refundDocumentId });
      });
    },

    /** A staff refund of a succeeded payment, whole or in part; executed through the outbox. */
    async staffRefund(
      paymentDocumentId: string,
      input: { amount?: number; reason: string },
      staff: { id: number; label: string; ip?: string },
    ): Promise<StaffRefundOutcome> {
      return strapi.db.transaction(async ({ trx }): Promise<StaffRefundOutcome> => {
        const row = await findPayment({ documentId: paymentDocumentId });
        if (!row) return { ok: false, status: 404, message: 'No such payment.' };
        // Serialises refunds of one payment, so two staff members cannot refund more than was paid.
        await trx('payments').where({ id: row.id }).update({ amount: trx.raw('amount') });
        if (row.state !== 'succeeded') return { ok: false, status: 409, message: 'Only a succeeded payment can be refunded.' };
        const refunded = (await strapi.db.query(REFUND_UID).findMany({ where: { payment: { id: row.id }, state: { $ne: 'canceled' } }, select: ['amount'] })) as {
          amount: number;
        }[];
        const left = row.amount - refunded.reduce((sum, refund) => sum + refund.amount, 0);
        if (left <= 0) return { ok: false, status: 409, message: 'This payment has already been fully refunded.' };
        const amount = input.amount ?? left;
        if (amount > left) {
          return { ok: false, status: 422, message: `At most ${left} kopecks of this payment are left to refund.` };
        }
        const refund = await trusted(() =>
          strapi.documents(REFUND_UID).create({
            data: { payment: row.documentId, amount, currency: 'RUB', state: 'pending', reason: input.reason, idempotenceKey: randomUUID() },
          }),
        );
        if (row.provider === 'yookassa') {
          await outbox().enqueue({ kind: 'refund.execute', payload: { refund: refund.documentId }, dedupeKey: `refund.execute:${refund.documentId}` });
        }
        await strapi.db.query(AUDIT_UID).create({
          data: {
            actorType: 'admin',
            actorId: String(staff.id),
            actorLabel: staff.label,
            action: 'payment.refund',
            subjectType: PAYMENT_UID,
            subjectId: row.documentId,
            before: { refunded: row.amount - left },
            after: { refunded: row.amount - left + amount, reason: input.reason },
            ip: staff.ip ?? null,
            at: new Date(),
          },
        });
        return { ok: true, refund: { documentId: refund.documentId, amount, state: 'pending' } };
      });
    },
  };
  return service;
};

export type PaymentsService = ReturnType<typeof paymentsService>;
export default paymentsService;
