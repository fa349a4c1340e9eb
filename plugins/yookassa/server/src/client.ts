/**
 * A small typed YooKassa API v3 client on fetch (integrations.md §1.11: no npm package is both maintained and
 * pointable at a stand-in). Basic auth with the shop id and secret key; every POST carries the caller's
 * Idempotence-Key, so a retry after an unknown outcome (5xx, 202, timeout, dropped connection) repeats the same
 * body with the same key and YooKassa executes it once. 4xx answers are final for that key (`YooKassaError`).
 * Responses are parsed leniently: unknown fields are ignored. Amounts cross this boundary as kopecks.
 */

export type PaymentStatus = 'pending' | 'waiting_for_capture' | 'succeeded' | 'canceled';
export type RefundStatus = 'pending' | 'succeeded' | 'canceled';

export interface Payment {
  id: string;
  status: PaymentStatus;
  paid: boolean;
  /** Kopecks. */
  amount: number;
  currency: string;
  confirmationUrl: string | null;
  metadata: Record<string, string>;
  cancellationReason: string | null;
  capturedAt: string | null;
  test: boolean;
}

export interface Refund {
  id: string;
  paymentId: string;
  status: RefundStatus;
  amount: number;
  currency: string;
}

export interface ReceiptRequest {
  customer: { email?: string; phone?: string };
  items: {
    description: string;
    quantity: string;
    amount: { value: string; currency: string };
    vat_code: number;
    payment_subject: string;
    payment_mode: string;
  }[];
  tax_system_code?: number;
}

export interface CreatePaymentRequest {
  amount: number;
  description: string;
  returnUrl: string;
  metadata: Record<string, string>;
  receipt?: ReceiptRequest;
}

export interface CreateRefundRequest {
  paymentId: string;
  amount: number;
  description?: string;
  receipt?: ReceiptRequest;
}

/** YooKassa answered 4xx: the request was refused and must not be retried with the same key. */
export class YooKassaError extends Error {
  constructor(
    readonly httpStatus: number,
    readonly code: string,
    readonly description: string,
    readonly parameter?: string,
  ) {
    super(`YooKassa ${httpStatus} ${code}: ${description}${parameter ? ` (${parameter})` : ''}`);
  }
}

/** The outcome is unknown after every retry: repeat later with the same key, or GET the object. */
export class YooKassaUnavailableError extends Error {}

export interface YooKassaClientOptions {
  baseUrl: string;
  shopId: string;
  secretKey: string;
  /** Per attempt (default 10 s). */
  timeoutMs?: number;
  /** Attempts for an unknown outcome or 429 (default 3). */
  attempts?: number;
  /** First pause between attempts (default 300 ms, doubled each time; Retry-After wins when sent). */
  retryDelayMs?: number;
}

/** "1500.00" ← 150000 kopecks, without floating point. */
export function toAmountValue(kopecks: number): string {
  if (!Number.isSafeInteger(kopecks) || kopecks < 0) throw new RangeError(`Not an amount in kopecks: ${kopecks}`);
  return `${Math.floor(kopecks / 100)}.${String(kopecks % 100).padStart(2, '0')}`;
}

/** 150000 ← "1500.00" (also "1500", "1500.5"). */
export function fromAmountValue(value: unknown): number {
  const match = typeof value === 'string' ? /^(\d+)(?:\.(\d{1,2}))?$/.exec(value) : null;
  if (!match) throw new Error(`Unexpected YooKassa amount: ${JSON.stringify(value)}`);
  return Number(match[1]) * 100 + Number((match[2] ?? '0').padEnd(2, '0'));
}

type Json = Record<string, unknown>;
const asObject = (value: unknown): Json => (typeof value === 'object' && value !== null ? (value as Json) : {});
const asString = (value: unknown): string | null => (typeof value === 'string' ? value : null);

function parsePayment(body: unknown): Payment {
  const raw = asObject(body);
  const amount = asObject(raw.amount);
  const id = asString(raw.id);
  const status = asString(raw.status) as PaymentStatus | null;
  if (!id || !status) throw new Error('YooKassa answered without a payment id or status');
  const metadata: Record<string, string> = {};
  for (const [key, value] of Object.entries(asObject(raw.metadata))) if (typeof value === 'string') metadata[key] = value;
  return {
    id,
    status,
    paid: raw.paid === true,
    amount: fromAmountValue(amount.value),
    currency: asString(amount.currency) ?? 'RUB',
    confirmationUrl: asString(asObject(raw.confirmation).confirmation_url),
    metadata,
    cancellationReason: asString(asObject(raw.cancellation_details).reason),
    capturedAt: asString(raw.captured_at),
    test: raw.test === true,
  };
}

function parseRefund(body: unknown): Refund {
  const raw = asObject(body);
  const amount = asObject(raw.amount);
  const id = asString(raw.id);
  const paymentId = asString(raw.payment_id);
  const status = asString(raw.status) as RefundStatus | null;
  if (!id || !paymentId || !status) throw new Error('YooKassa answered without a refund id, payment id or status');
  return { id, paymentId, status, amount: fromAmountValue(amount.value), currency: asString(amount.currency) ?? 'RUB' };
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export function createYooKassaClient(options: YooKassaClientOptions) {
  const baseUrl = options.baseUrl.replace(/\/+$/, '');
  const authorization = `Basic ${Buffer.from(`${options.shopId}:${options.secretKey}`).toString('base64')}`;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const attempts = options.attempts ?? 3;
  const retryDelayMs = options.retryDelayMs ?? 300;

  async function call(method: 'GET' | 'POST', path: string, body?: Json, idempotenceKey?: string): Promise<unknown> {
    let lastProblem = 'no attempt made';
    for (let attempt = 1; attempt <= attempts; attempt += 1) {
      let response: Response;
      try {
        response = await fetch(`${baseUrl}${path}`, {
          method,
          headers: {
            Authorization: authorization,
            ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
            ...(idempotenceKey === undefined ? {} : { 'Idempotence-Key': idempotenceKey }),
          },
          body: body === undefined ? undefined : JSON.stringify(body),
          signal: AbortSignal.timeout(timeoutMs),
        });
      } catch (error) {
        // Timeout or dropped connection: the outcome is unknown, so the same key and body go again.
        lastProblem = (error as Error).name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : (error as Error).message;
        if (attempt < attempts) await pause(retryDelayMs * 2 ** (attempt - 1));
        continue;
      }
      const text = await response.text();
      let parsed: unknown = {};
      try {
        parsed = text === '' ? {} : JSON.parse(text);
      } catch {
        // A proxy's HTML error page: judged by its status below.
      }
      if (response.status === 200) return parsed;
      if (response.status === 202 || response.status === 429 || response.status >= 500) {
        lastProblem = `HTTP ${response.status}`;
        const retryAfter = Number(response.headers.get('Retry-After'));
        if (attempt < attempts) await pause(retryAfter > 0 ? retryAfter * 1000 : retryDelayMs * 2 ** (attempt - 1));
        continue;
      }
      const error = asObject(parsed);
      throw new YooKassaError(
        response.status,
        asString(error.code) ?? 'unknown',
        asString(error.description) ?? `HTTP ${response.status}`,
        asString(error.parameter) ?? undefined,
      );
    }
    throw new YooKassaUnavailableError(`YooKassa ${method} ${path}: outcome unknown after ${attempts} attempts (${lastProblem})`);
  }

  return {
    /** One-stage payment (`capture: true`) with a redirect confirmation. */
    async createPayment(request: CreatePaymentRequest, idempotenceKey: string): Promise<Payment> {
      const body: Json = {
        amount: { value: toAmountValue(request.amount), currency: 'RUB' },
        capture: true,
        confirmation: { type: 'redirect', return_url: request.returnUrl },
        description: request.description.slice(0, 128),
        metadata: request.metadata,
        ...(request.receipt ? { receipt: request.receipt } : {}),
      };
      return parsePayment(await call('POST', '/payments', body, idempotenceKey));
    },
    async getPayment(id: string): Promise<Payment> {
      return parsePayment(await call('GET', `/payments/${encodeURIComponent(id)}`));
    },
    async cancelPayment(id: string, idempotenceKey: string): Promise<Payment> {
      return parsePayment(await call('POST', `/payments/${encodeURIComponent(id)}/cancel`, {}, idempotenceKey));
    },
    async createRefund(request: CreateRefundRequest, idempotenceKey: string): Promise<Refund> {
      const body: Json = {
        payment_id: request.paymentId,
        amount: { value: toAmountValue(request.amount), currency: 'RUB' },
        ...(request.description ? { description: request.description.slice(0, 250) } : {}),
        ...(request.receipt ? { receipt: request.receipt } : {}),
      };
      return parseRefund(await call('POST', '/refunds', body, idempotenceKey));
    },
    async getRefund(id: string): Promise<Refund> {
      return parseRefund(await call('GET', `/refunds/${encodeURIComponent(id)}`));
    },
  };
}

export type YooKassaClient = ReturnType<typeof createYooKassaClient>;
