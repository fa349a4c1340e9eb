/**
 * Wire types of the YooKassa API v3 subset that the stand-in models.
 * Field names follow the vendor's reference (see /work/shared/reference/integrations.md §1);
 * everything optional here is optional or conditional on the real objects too.
 */

export interface Amount {
  /** A decimal string with two digits after the point, e.g. "1500.00". */
  value: string;
  currency: string;
}

export type PaymentStatus = 'pending' | 'waiting_for_capture' | 'succeeded' | 'canceled';
export type RefundStatus = 'pending' | 'succeeded' | 'canceled';
export type ReceiptRegistration = 'pending' | 'succeeded' | 'canceled';

export type CancellationParty = 'merchant' | 'yoo_money' | 'payment_network';

export interface CancellationDetails {
  party: CancellationParty;
  reason: string;
}

export interface RedirectConfirmation {
  type: 'redirect';
  confirmation_url: string;
  return_url?: string;
  locale?: string;
}

export interface EmbeddedConfirmation {
  type: 'embedded';
  confirmation_token: string;
}

export interface ExternalConfirmation {
  type: 'external';
}

export type Confirmation = RedirectConfirmation | EmbeddedConfirmation | ExternalConfirmation;

export interface PaymentMethod {
  type: string;
  id: string;
  saved: boolean;
  title?: string;
  card?: {
    first6: string;
    last4: string;
    expiry_month: string;
    expiry_year: string;
    card_type: string;
    issuer_country: string;
  };
}

export interface Payment {
  id: string;
  status: PaymentStatus;
  paid: boolean;
  amount: Amount;
  description?: string;
  recipient: { account_id: string; gateway_id: string };
  payment_method?: PaymentMethod;
  captured_at?: string;
  created_at: string;
  expires_at?: string;
  /** Present only while the customer still has to confirm (status pending). */
  confirmation?: Confirmation;
  test: boolean;
  /** Present only once the payment has succeeded refunds. */
  refunded_amount?: Amount;
  refundable: boolean;
  receipt_registration?: ReceiptRegistration;
  metadata: Record<string, string>;
  /** Present only on canceled payments. */
  cancellation_details?: CancellationDetails;
  authorization_details?: { rrn: string; auth_code: string; three_d_secure: { applied: boolean } };
  merchant_customer_id?: string;
}

export interface Refund {
  id: string;
  payment_id: string;
  status: RefundStatus;
  amount: Amount;
  created_at: string;
  description?: string;
  receipt_registration?: ReceiptRegistration;
  cancellation_details?: CancellationDetails;
}

export interface ReceiptCustomer {
  email?: string;
  phone?: string;
  full_name?: string;
  inn?: string;
}

export interface ReceiptItem {
  description: string;
  quantity: string | number;
  /** Unit price, not the line total. */
  amount: Amount;
  vat_code: number;
  payment_subject: string;
  payment_mode: string;
  measure?: string;
  [extra: string]: unknown;
}

export interface Receipt {
  customer: ReceiptCustomer;
  items: ReceiptItem[];
  tax_system_code?: number;
  [extra: string]: unknown;
}

export interface ErrorBody {
  type: 'error';
  id: string;
  code: string;
  description: string;
  parameter?: string;
}

export interface ListBody<T> {
  type: 'list';
  items: T[];
  next_cursor?: string;
}

export type PaymentEvent = 'payment.succeeded' | 'payment.waiting_for_capture' | 'payment.canceled';
export type RefundEvent = 'refund.succeeded';
export type WebhookEvent = PaymentEvent | RefundEvent;

export interface Notification {
  type: 'notification';
  event: string;
  object: Record<string, unknown>;
}
