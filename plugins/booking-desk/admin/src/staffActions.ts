/**
 * The staff actions the "Booking actions" panel offers, and which of them a given booking and admin user get.
 *
 * A button is shown when both hold:
 * - the user's admin permissions include the action's RBAC action (the same one the admin route checks,
 *   plugins/booking-desk/server/src/routes), and
 * - the app's booking state machine (src/domain/booking-state.ts, the function the server runs) accepts the
 *   action's event from the booking's state for the `staff` actor at the current time.
 * The server still decides; the panel only avoids offering what would certainly be refused.
 */
import type { MessageDescriptor } from 'react-intl';
import {
  BOOKING_STATES,
  decideTransition,
  type BookingEvent,
  type BookingState,
} from '../../../../src/domain/booking-state';
import { getTranslation, PLUGIN_ID } from './pluginId';

export type StaffActionKey = 'confirm' | 'reject' | 'markPaid' | 'cancel' | 'reschedule' | 'correctPrice';

export type RefundChoice = 'full' | 'policy' | 'none';

/** What the action's dialog asks before it runs; `null`: the action runs on click. */
export interface DialogFields {
  reason: boolean;
  refund: boolean;
  startAt: boolean;
  /** The price correction: a new total or a re-price, with a required reason. */
  price?: boolean;
}

export interface StaffAction {
  key: StaffActionKey;
  /** The last segment of `POST /booking-desk/bookings/:documentId/<path>`. */
  path: string;
  /** The state machine event the route fires; null for the price correction, which changes no state. */
  event: BookingEvent | null;
  /** The admin RBAC action guarding the route. */
  permission: string;
  label: MessageDescriptor;
  variant: 'default' | 'secondary' | 'tertiary' | 'danger-light' | 'success';
  dialog: DialogFields | null;
}

const permission = (uid: string) => `plugin::${PLUGIN_ID}.${uid}`;

export const STAFF_ACTIONS: readonly StaffAction[] = [
  {
    key: 'confirm',
    path: 'confirm',
    event: 'approve',
    permission: permission('confirm'),
    label: { id: getTranslation('actions.confirm'), defaultMessage: 'Confirm' },
    variant: 'success',
    dialog: null,
  },
  {
    key: 'markPaid',
    path: 'mark-paid',
    event: 'mark_paid',
    permission: permission('mark-paid'),
    label: { id: getTranslation('actions.markPaid'), defaultMessage: 'Mark as paid' },
    variant: 'default',
    dialog: { reason: true, refund: false, startAt: false },
  },
  {
    key: 'reschedule',
    path: 'reschedule',
    event: 'reschedule',
    permission: permission('reschedule'),
    label: { id: getTranslation('actions.reschedule'), defaultMessage: 'Reschedule' },
    variant: 'secondary',
    dialog: { reason: true, refund: false, startAt: true },
  },
  {
    key: 'reject',
    path: 'reject',
    event: 'reject',
    permission: permission('confirm'),
    label: { id: getTranslation('actions.reject'), defaultMessage: 'Reject' },
    variant: 'danger-light',
    dialog: { reason: true, refund: false, startAt: false },
  },
  {
    key: 'cancel',
    path: 'cancel',
    event: 'cancel',
    permission: permission('cancel'),
    label: { id: getTranslation('actions.cancel'), defaultMessage: 'Cancel booking' },
    variant: 'danger-light',
    dialog: { reason: true, refund: true, startAt: false },
  },
  {
    key: 'correctPrice',
    path: 'price',
    event: null,
    permission: permission('bookings.price'),
    label: { id: getTranslation('actions.correctPrice'), defaultMessage: 'Correct price' },
    variant: 'tertiary',
    dialog: { reason: true, refund: false, startAt: false, price: true },
  },
];

/**
 * The money rule of the price correction (docs/ADMIN.md, Integrity of records): only while no money has been taken.
 * The server decides (409 once paid); the panel offers it for bookings that are not final and, when it knows,
 * have nothing paid. A confirmed booking with a price is usually paid, so without `paidAmount` it is not offered.
 */
const PRICE_CORRECTABLE: readonly BookingState[] = ['pending_payment', 'awaiting_confirmation', 'confirmed'];
function priceCorrectable(booking: BookingView): boolean {
  if (!PRICE_CORRECTABLE.includes(booking.state)) return false;
  if (booking.paidAmount != null) return booking.paidAmount === 0;
  return booking.state !== 'confirmed' || booking.priceTotal === 0;
}

/** The booking fields the panel reads, parsed from the content manager's document. */
export interface BookingView {
  documentId: string;
  state: BookingState;
  startAt: Date;
  endAt: Date;
  holdExpiresAt: Date | null;
  priceTotal: number | null;
  currency: string | null;
  /** Money received and not given back, when the caller knows it (the calendar does; the edit view does not). */
  paidAmount?: number | null;
}

const isBookingState = (value: unknown): value is BookingState =>
  typeof value === 'string' && (BOOKING_STATES as readonly string[]).includes(value);

const toDate = (value: unknown): Date | null => {
  if (typeof value !== 'string' && !(value instanceof Date)) return null;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? null : date;
};

/** `null` when the document is not a readable booking (e.g. while creating one). */
export function toBookingView(documentId: string, document: Record<string, unknown>): BookingView | null {
  const { state } = document;
  const startAt = toDate(document.startAt);
  const endAt = toDate(document.endAt);
  if (!isBookingState(state) || !startAt || !endAt) return null;
  return {
    documentId,
    state,
    startAt,
    endAt,
    holdExpiresAt: toDate(document.holdExpiresAt),
    priceTotal: typeof document.priceTotal === 'number' ? document.priceTotal : null,
    currency: typeof document.currency === 'string' ? document.currency : null,
  };
}

export interface ActionAvailability {
  /** The actions to offer, in display order. */
  offered: StaffAction[];
  /**
   * Why actions that the state and the user's role allow are not offered right now (the clock: the booking has
   * started or ended, the payment hold lapsed); one sentence per distinct reason.
   */
  notes: string[];
}

export function availableActions(
  booking: BookingView,
  grantedActions: ReadonlySet<string>,
  now: Date,
): ActionAvailability {
  const offered: StaffAction[] = [];
  const notes = new Set<string>();
  for (const action of STAFF_ACTIONS) {
    if (!grantedActions.has(action.permission)) continue;
    if (action.event === null) {
      if (priceCorrectable(booking)) offered.push(action);
      continue;
    }
    const decision = decideTransition({
      state: booking.state,
      event: action.event,
      actor: 'staff',
      now,
      startAt: booking.startAt,
      endAt: booking.endAt,
      holdExpiresAt: booking.holdExpiresAt,
    });
    if (decision.ok) offered.push(action);
    else if (decision.code !== 'forbidden_transition' && decision.code !== 'not_allowed_for_actor') {
      notes.add(decision.message);
    }
  }
  return { offered, notes: [...notes] };
}
