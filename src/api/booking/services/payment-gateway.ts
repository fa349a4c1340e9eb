/**
 * What the booking engine needs from the payment provider plugin (plugins/yookassa). The plugin owns the
 * implementation; without it, or without YooKassa credentials, bookings are held without a payment link.
 */
import type { Core } from '@strapi/strapi';

export type PayLinkOutcome =
  | { ok: true; confirmationUrl: string; payment: string }
  | { ok: false; status: 403 | 404 | 409 | 502 | 503; message: string };

export interface PaymentGateway {
  isConfigured(): boolean;
  /** Writes the payment row inside the booking's transaction; returns its documentId. */
  prepare(booking: { documentId: string; priceTotal: number; member: { id: number } }): Promise<string>;
  /** After the commit: creates the payment at the provider; the confirmation URL, or null when unknown yet. */
  submit(paymentDocumentId: string): Promise<string | null>;
  payLink(memberId: number, bookingDocumentId: string): Promise<PayLinkOutcome>;
}

export function paymentGateway(strapi: Core.Strapi): PaymentGateway | null {
  const gateway = strapi.plugin('yookassa')?.service('payments') as PaymentGateway | undefined;
  return gateway?.isConfigured() ? gateway : null;
}
