/**
 * A local stand-in for the YooKassa API v3 (test infrastructure; no Strapi inside).
 *
 * It speaks the wire protocol described in /work/shared/reference/integrations.md §1 closely enough
 * that our real client can be pointed at it: Basic auth, Idempotence-Key semantics, the payment
 * status machine, refunds, receipts, list endpoints, YooKassa's error bodies, and webhooks. On top
 * of that it gives tests the levers the real service does not: act as the customer on the checkout
 * page, lose or forge webhooks, and make one request fail with 500 / 429 / a timeout.
 */
import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

import { renderCheckoutPage, renderNotFoundPage } from './checkout-page';
import type {
  CancellationDetails,
  Confirmation,
  ErrorBody,
  ListBody,
  Notification,
  Payment,
  PaymentStatus,
  Receipt,
  Refund,
  RefundStatus,
  WebhookEvent,
} from './types';
import {
  ApiError,
  formatMinor,
  invalid,
  isObject,
  optionalString,
  parseAmount,
  parseMetadata,
  parseReceipt,
  toAmount,
  type JsonObject,
} from './validate';

export * from './types';
export { CHECKOUT_LABEL, escapeHtml } from './checkout-page';

// ---------------------------------------------------------------------------------------------
// Public API
// ---------------------------------------------------------------------------------------------

export interface YooKassaStandInOptions {
  /** 0 (the default) picks a free port. */
  port?: number;
  /** Interface to bind; default 127.0.0.1. */
  host?: string;
  shopId?: string;
  secretKey?: string;
  /** Where notifications are POSTed; none are sent while unset. */
  webhookUrl?: string;
  /** Send a notification on every status change (default true). */
  autoWebhooks?: boolean;
  /** API requests per second before 429 `too_many_requests`; unset = no limit. */
  rateLimit?: number;
  /** Origin used in confirmation URLs (e.g. when reached through a tunnel); default http://host:port. */
  publicUrl?: string;
  /** How long an Idempotence-Key is remembered; default 24 h as in the docs. */
  idempotenceTtlMs?: number;
  /** Clock for timestamps, idempotence expiry and the rate-limit window; default the system clock. */
  now?: () => Date;
  /** Time a webhook receiver gets to answer before the delivery is recorded as failed; default 5 s. */
  webhookTimeoutMs?: number;
  /** Hold window of a waiting_for_capture payment (expires_at); default 7 days. */
  captureWindowMs?: number;
}

/** One call to the /v3 API, as the stand-in saw and answered it. */
export interface RecordedRequest {
  seq: number;
  at: string;
  method: string;
  /** Path below /v3, e.g. "/payments/2d.../capture". */
  path: string;
  query: Record<string, string>;
  idempotenceKey?: string;
  authorized: boolean;
  /** Parsed JSON body, the raw text if it was not JSON, or undefined for bodiless requests. */
  body: unknown;
  /** HTTP status sent, or null when a fault dropped the connection. */
  status: number | null;
  response: unknown;
  /** Answered from the idempotence store without executing anything. */
  replayed: boolean;
  /** Set when an injected fault shaped the answer. */
  fault?: string;
  /** Stand-in-only reason behind a terse error (e.g. which receipt rule failed). */
  detail?: string;
}

export type PaymentOperation = 'create' | 'capture' | 'cancel';

export interface PaymentRecord {
  payment: Payment;
  /** The `capture` flag the payment was created with. */
  capture: boolean;
  /** The receipt sent on create, replaced by the one sent on capture if any. */
  receipt?: Receipt;
  returnUrl?: string;
  /** Idempotence-Key of every API call that changed this payment, in order. */
  idempotenceKeys: { operation: PaymentOperation; key: string }[];
}

export interface RefundRecord {
  refund: Refund;
  receipt?: Receipt;
  idempotenceKey: string;
}

export interface WebhookDelivery {
  seq: number;
  event: string;
  objectId: string;
  url: string;
  body: unknown;
  /** auto: caused by a status change; manual: deliverWebhook(). */
  trigger: 'auto' | 'manual';
  /** The body does not reflect the stored object (override or raw body). */
  forged: boolean;
  startedAt: string;
  finishedAt?: string;
  /** The receiver's HTTP status, if it answered. */
  status?: number;
  ok: boolean;
  /** Network error or timeout, if it did not answer. */
  error?: string;
}

export interface FaultSpec {
  /** Request matcher: every given field must match. */
  method?: 'GET' | 'POST';
  /** Path below /v3: exact string or a RegExp, e.g. '/payments' or /\/capture$/. */
  path?: string | RegExp;
  idempotenceKey?: string;
  /** How many matching requests fail (default 1). */
  times?: number;
  /**
   * true: the operation takes effect (and its answer is stored under the Idempotence-Key) before
   * the client sees the failure, the "unknown outcome, but done" case. A retry with the same key
   * then gets the original answer. Default false: the failure happens before anything is done.
   */
  executed?: boolean;
  /**
   * What the client sees: an HTTP status with YooKassa's body for it (500 internal_server_error,
   * 429 too_many_requests, 202 processing, …), 'timeout' (the connection hangs, then is dropped
   * after delayMs if given) or 'reset' (the connection is dropped).
   */
  respond: { status: number; retryAfterSeconds?: number } | 'timeout' | 'reset';
  /** Delay before answering or dropping. */
  delayMs?: number;
}

export interface DeliverWebhookOptions {
  /** Fields laid over the stored object: a forged notification (e.g. `{ status: 'succeeded', paid: true }`). */
  override?: Record<string, unknown>;
  /** Send this exact body instead of a notification built from the object. */
  body?: unknown;
  /** Target other than the configured webhook URL. */
  url?: string;
}

export interface TransitionOptions {
  /** false: the status changes but the notification is lost (default: follow autoWebhooks). */
  webhook?: boolean;
}

export interface YooKassaStandIn {
  /** API base, e.g. http://127.0.0.1:PORT/v3 (no trailing slash). */
  readonly url: string;
  /** http://host:port of the stand-in itself. */
  readonly origin: string;
  readonly port: number;
  readonly shopId: string;
  readonly secretKey: string;
  /** `Basic …` header value for the configured credentials. */
  authorization(): string;
  close(): Promise<void>;
  /** Forget all payments, refunds, keys, recordings and faults (the server keeps running). */
  reset(): void;

  payments(): PaymentRecord[];
  payment(id: string): Payment | undefined;
  refunds(): RefundRecord[];
  refund(id: string): Refund | undefined;
  requests(): RecordedRequest[];
  webhookDeliveries(): WebhookDelivery[];
  /** The customer-facing checkout URL of a payment (what confirmation_url points at). */
  checkoutUrl(paymentId: string): string;

  setWebhookUrl(url: string | undefined): void;
  setAutoWebhooks(enabled: boolean): void;
  /** Resolves once every notification started so far has been answered or has failed. */
  webhooksSettled(): Promise<void>;

  /** The customer pays: pending → waiting_for_capture, or → succeeded when created with capture: true. */
  pay(paymentId: string, options?: TransitionOptions): Promise<Payment>;
  /** The customer's bank declines: pending → canceled (default party payment_network, reason general_decline). */
  decline(paymentId: string, options?: TransitionOptions & Partial<CancellationDetails>): Promise<Payment>;
  /**
   * Time runs out: pending → canceled (expired_on_confirmation),
   * waiting_for_capture → canceled (expired_on_capture).
   */
  expire(paymentId: string, options?: TransitionOptions): Promise<Payment>;
  /** Send one notification now, regardless of autoWebhooks (duplicates and forgeries included). */
  deliverWebhook(
    event: WebhookEvent | string,
    objectId: string,
    options?: DeliverWebhookOptions,
  ): Promise<WebhookDelivery>;

  injectFault(spec: FaultSpec): void;
  clearFaults(): void;
}

export async function startYooKassaStandIn(options: YooKassaStandInOptions = {}): Promise<YooKassaStandIn> {
  const standIn = new StandIn(options);
  await standIn.listen(options.port ?? 0, options.host ?? '127.0.0.1');
  return standIn;
}

// ---------------------------------------------------------------------------------------------
// Implementation
// ---------------------------------------------------------------------------------------------

const DAY_MS = 24 * 60 * 60 * 1000;
const MAX_BODY_BYTES = 1024 * 1024;
const MAX_KEY_LENGTH = 64;
const PAYMENT_STATUSES: readonly PaymentStatus[] = ['pending', 'waiting_for_capture', 'succeeded', 'canceled'];
const REFUND_STATUSES: readonly RefundStatus[] = ['pending', 'succeeded', 'canceled'];
// Seen in production logs of real shops.
const BAD_CREDENTIALS =
  'Error in shopId or secret key. Check their validity. You can reissue the key in the Merchant Profile';

interface Emitted {
  event: string;
  object: Payment | Refund;
}

interface ApiResult {
  status: number;
  body: unknown;
  /** Notifications caused by this call, sent after the answer. */
  events?: Emitted[];
}

interface StoredAnswer {
  fingerprint: string;
  status: number;
  body: unknown;
  storedAt: number;
}

interface ActiveFault extends FaultSpec {
  remaining: number;
}

interface StoredPayment extends PaymentRecord {
  seq: number;
}

interface StoredRefund extends RefundRecord {
  seq: number;
}

type RouteHandler = (ctx: RouteContext) => ApiResult;

interface RouteContext {
  params: string[];
  query: URLSearchParams;
  body: JsonObject;
  key: string;
}

interface Route {
  pattern: RegExp;
  methods: Partial<Record<'GET' | 'POST', RouteHandler>>;
}

const clone = <T>(value: T): T => structuredClone(value);
const hex = (bytes: number): string => randomBytes(bytes).toString('hex');

/** Sorted-key JSON, so the same body with other key order or whitespace counts as "the same data". */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (isObject(value)) {
    const keys = Object.keys(value).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k])}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

function errorBody(code: string, description: string, parameter?: string): ErrorBody {
  const body: ErrorBody = { type: 'error', id: randomUUID(), code, description };
  if (parameter !== undefined) body.parameter = parameter;
  return body;
}

/** YooKassa's body for a status a fault injects; 202 is the "still processing" answer the SDKs retry on. */
function faultBody(status: number): unknown {
  switch (status) {
    case 202:
      return { type: 'processing', description: 'Request accepted', retry_after: 1800 };
    case 400:
      return errorBody('invalid_request', 'Invalid request');
    case 401:
      return errorBody('invalid_credentials', BAD_CREDENTIALS);
    case 403:
      return errorBody('forbidden', 'Forbidden');
    case 404:
      return errorBody('not_found', 'Not found');
    case 429:
      return errorBody('too_many_requests', 'Too many requests');
    case 500:
      return errorBody('internal_server_error', 'Internal server error');
    default:
      return undefined;
  }
}

class StateError extends Error {}

class StandIn implements YooKassaStandIn {
  url = '';
  origin = '';
  port = 0;
  readonly shopId: string;
  readonly secretKey: string;

  private readonly server = createServer((req, res) => void this.handle(req, res));
  private readonly now: () => Date;
  private readonly idempotenceTtlMs: number;
  private readonly webhookTimeoutMs: number;
  private readonly captureWindowMs: number;
  private readonly rateLimit?: number;
  private publicUrl?: string;
  private webhookUrl?: string;
  private autoWebhooks: boolean;

  private paymentsById = new Map<string, StoredPayment>();
  private refundsById = new Map<string, StoredRefund>();
  private answers = new Map<string, StoredAnswer>();
  private recorded: RecordedRequest[] = [];
  private deliveries: WebhookDelivery[] = [];
  private faults: ActiveFault[] = [];
  private seq = 0;
  private rateWindow = { startedAt: 0, count: 0 };
  private readonly inflight = new Set<Promise<WebhookDelivery>>();
  private readonly aborts = new Set<AbortController>();
  private readonly timers = new Set<NodeJS.Timeout>();

  private readonly routes: Route[] = [
    { pattern: /^\/me$/, methods: { GET: () => this.me() } },
    { pattern: /^\/payments$/, methods: { POST: (c) => this.createPayment(c), GET: (c) => this.listPayments(c) } },
    { pattern: /^\/payments\/([^/]+)$/, methods: { GET: (c) => this.getPayment(c) } },
    { pattern: /^\/payments\/([^/]+)\/capture$/, methods: { POST: (c) => this.capturePayment(c) } },
    { pattern: /^\/payments\/([^/]+)\/cancel$/, methods: { POST: (c) => this.cancelPayment(c) } },
    { pattern: /^\/refunds$/, methods: { POST: (c) => this.createRefund(c), GET: (c) => this.listRefunds(c) } },
    { pattern: /^\/refunds\/([^/]+)$/, methods: { GET: (c) => this.getRefund(c) } },
  ];

  constructor(options: YooKassaStandInOptions) {
    this.shopId = options.shopId ?? '100500';
    this.secretKey = options.secretKey ?? 'test_stand_in_secret_key';
    this.now = options.now ?? (() => new Date());
    this.idempotenceTtlMs = options.idempotenceTtlMs ?? DAY_MS;
    this.webhookTimeoutMs = options.webhookTimeoutMs ?? 5000;
    this.captureWindowMs = options.captureWindowMs ?? 7 * DAY_MS;
    this.rateLimit = options.rateLimit;
    this.publicUrl = options.publicUrl?.replace(/\/+$/, '');
    this.webhookUrl = options.webhookUrl;
    this.autoWebhooks = options.autoWebhooks ?? true;
  }

  async listen(port: number, host: string): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    const address = this.server.address() as AddressInfo;
    this.port = address.port;
    const hostPart = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    this.origin = `http://${hostPart}:${this.port}`;
    this.publicUrl ??= this.origin;
    this.url = `${this.origin}/v3`;
  }

  // --- helper API -----------------------------------------------------------------------------

  authorization(): string {
    return `Basic ${Buffer.from(`${this.shopId}:${this.secretKey}`).toString('base64')}`;
  }

  async close(): Promise<void> {
    for (const controller of this.aborts) controller.abort();
    for (const timer of this.timers) clearTimeout(timer);
    await Promise.allSettled([...this.inflight]);
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      // Also drops keep-alive sockets and requests a 'timeout' fault is holding open.
      this.server.closeAllConnections();
    });
  }

  reset(): void {
    this.paymentsById.clear();
    this.refundsById.clear();
    this.answers.clear();
    this.recorded = [];
    this.deliveries = [];
    this.faults = [];
    this.rateWindow = { startedAt: 0, count: 0 };
  }

  payments(): PaymentRecord[] {
    return [...this.paymentsById.values()].map(({ seq: _seq, ...record }) => clone(record));
  }

  payment(id: string): Payment | undefined {
    const record = this.paymentsById.get(id);
    return record && clone(record.payment);
  }

  refunds(): RefundRecord[] {
    return [...this.refundsById.values()].map(({ seq: _seq, ...record }) => clone(record));
  }

  refund(id: string): Refund | undefined {
    const record = this.refundsById.get(id);
    return record && clone(record.refund);
  }

  requests(): RecordedRequest[] {
    return clone(this.recorded);
  }

  webhookDeliveries(): WebhookDelivery[] {
    return clone(this.deliveries);
  }

  checkoutUrl(paymentId: string): string {
    return `${this.publicUrl}/checkout/${encodeURIComponent(paymentId)}`;
  }

  setWebhookUrl(url: string | undefined): void {
    this.webhookUrl = url;
  }

  setAutoWebhooks(enabled: boolean): void {
    this.autoWebhooks = enabled;
  }

  async webhooksSettled(): Promise<void> {
    // Deliveries can start while we wait (a receiver that triggers more work), so loop until idle.
    while (this.inflight.size > 0) await Promise.allSettled([...this.inflight]);
  }

  async pay(paymentId: string, options: TransitionOptions = {}): Promise<Payment> {
    const record = this.mustFindPayment(paymentId);
    await this.dispatch(this.transitionPay(record), options.webhook);
    return clone(record.payment);
  }

  async decline(paymentId: string, options: TransitionOptions & Partial<CancellationDetails> = {}): Promise<Payment> {
    const record = this.mustFindPayment(paymentId);
    const details: CancellationDetails = {
      party: options.party ?? 'payment_network',
      reason: options.reason ?? 'general_decline',
    };
    await this.dispatch(this.transitionDecline(record, details), options.webhook);
    return clone(record.payment);
  }

  async expire(paymentId: string, options: TransitionOptions = {}): Promise<Payment> {
    const record = this.mustFindPayment(paymentId);
    const { status } = record.payment;
    if (status !== 'pending' && status !== 'waiting_for_capture') {
      throw new StateError(`payment ${paymentId} is ${status}; only pending or waiting_for_capture can expire`);
    }
    const reason = status === 'pending' ? 'expired_on_confirmation' : 'expired_on_capture';
    await this.dispatch([this.cancel(record, { party: 'yoo_money', reason })], options.webhook);
    return clone(record.payment);
  }

  async deliverWebhook(
    event: WebhookEvent | string,
    objectId: string,
    options: DeliverWebhookOptions = {},
  ): Promise<WebhookDelivery> {
    const url = options.url ?? this.webhookUrl;
    if (!url) throw new StateError('no webhook URL: pass options.url or call setWebhookUrl()');
    const stored = event.startsWith('refund.')
      ? this.refundsById.get(objectId)?.refund
      : this.paymentsById.get(objectId)?.payment;
    if (!stored && !options.override && options.body === undefined) {
      throw new StateError(`no stored object ${objectId} for ${event}; pass override or body to forge one`);
    }
    const object = { ...(stored ? clone(stored) : { id: objectId }), ...(options.override ?? {}) };
    const body = options.body !== undefined ? options.body : this.notification(event, object);
    const forged = options.body !== undefined || options.override !== undefined;
    return this.track(this.send(url, event, objectId, body, 'manual', forged));
  }

  injectFault(spec: FaultSpec): void {
    this.faults.push({ ...spec, remaining: spec.times ?? 1 });
  }

  clearFaults(): void {
    this.faults = [];
  }

  // --- HTTP plumbing --------------------------------------------------------------------------

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      const url = new URL(req.url ?? '/', this.origin);
      if (url.pathname === '/v3' || url.pathname.startsWith('/v3/')) {
        await this.handleApi(req, res, url);
      } else if (url.pathname.startsWith('/checkout/')) {
        await this.handleCheckout(req, res, url);
      } else if (url.pathname === '/__stand-in/state' && req.method === 'GET') {
        // Read-only view for a stand-in run from the CLI, where the helper API is out of reach.
        sendJson(res, 200, { payments: this.payments(), refunds: this.refunds(), webhooks: this.deliveries });
      } else {
        res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('Not found');
      }
    } catch (error) {
      if (!res.headersSent) sendJson(res, 500, errorBody('internal_server_error', 'Internal server error'));
      else res.destroy();
      // Surfacing this in the test output beats a silent 500 when the stand-in itself is wrong.
      console.error('[yookassa stand-in] unexpected error', error);
    }
  }

  private async handleApi(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const method = (req.method ?? 'GET').toUpperCase();
    const path = url.pathname.slice('/v3'.length) || '/';
    const rawKey = req.headers['idempotence-key'];
    const key = Array.isArray(rawKey) ? rawKey[0] : rawKey;
    const raw = await readBody(req);
    const record: RecordedRequest = {
      seq: ++this.seq,
      at: this.now().toISOString(),
      method,
      path,
      query: Object.fromEntries(url.searchParams),
      idempotenceKey: key,
      authorized: false,
      body: parseLoose(raw),
      status: null,
      response: undefined,
      replayed: false,
    };
    this.recorded.push(record);

    const reply = (result: ApiResult, headers: Record<string, string> = {}): void => {
      record.status = result.status;
      record.response = result.body;
      if (result.body === undefined) res.writeHead(result.status, headers).end();
      else sendJson(res, result.status, result.body, headers);
    };
    const replyError = (error: ApiError): void => {
      record.detail = error.detail;
      reply({ status: error.status, body: errorBody(error.code, error.description, error.parameter) });
    };

    if (!this.checkAuth(req.headers.authorization)) {
      return replyError(new ApiError(401, 'invalid_credentials', BAD_CREDENTIALS));
    }
    record.authorized = true;

    if (this.rateLimited()) {
      return replyError(new ApiError(429, 'too_many_requests', 'Too many requests', undefined, 'rateLimit option'));
    }

    const route = this.routes.find((r) => r.pattern.test(path));
    if (!route) return replyError(new ApiError(404, 'not_found', 'Not found'));
    const handler = route.methods[method as 'GET' | 'POST'];
    if (!handler) return reply({ status: 405, body: undefined }, { allow: Object.keys(route.methods).join(', ') });
    const params = (route.pattern.exec(path) ?? []).slice(1).map(safeDecode);
    if (params.includes(undefined)) return replyError(new ApiError(404, 'not_found', 'Not found'));

    let body: JsonObject = {};
    if (method === 'POST') {
      const contentType = String(req.headers['content-type'] ?? '')
        .split(';')[0]
        .trim()
        .toLowerCase();
      if (contentType !== 'application/json') return reply({ status: 415, body: undefined });
      if (!key) return replyError(invalid('Idempotence-Key', 'Idempotence key is empty'));
      if (key.length > MAX_KEY_LENGTH) {
        return replyError(invalid('Idempotence-Key', `Idempotence key is longer than ${MAX_KEY_LENGTH} characters`));
      }
      const parsed = parseJson(raw);
      if (!parsed.ok || !isObject(parsed.value)) {
        return replyError(invalid('body', 'Request body must be a JSON object', 'malformed JSON'));
      }
      body = parsed.value;
    }

    const fault = this.takeFault(method, path, key);
    if (fault && !fault.executed) return this.applyFault(fault, res, record);

    let result: ApiResult;
    try {
      const ctx: RouteContext = { params: params as string[], query: url.searchParams, body, key: key ?? '' };
      result = method === 'POST' ? this.idempotent(ctx, method, path, record, handler) : handler(ctx);
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      record.detail = error.detail;
      result = { status: error.status, body: errorBody(error.code, error.description, error.parameter) };
    }

    if (fault) this.applyFault(fault, res, record);
    else reply(result);
    // Real notifications arrive after the API answer, independently of it.
    if (result.events?.length) void this.dispatch(result.events);
  }

  /** Same key + same data → the stored answer; same key + other data → 400; expired keys are new. */
  private idempotent(
    ctx: RouteContext,
    method: string,
    path: string,
    record: RecordedRequest,
    handler: RouteHandler,
  ): ApiResult {
    const fingerprint = createHash('sha256')
      .update(`${method} ${path}\n${canonicalJson(ctx.body)}`)
      .digest('hex');
    const now = this.now().getTime();
    const stored = this.answers.get(ctx.key);
    if (stored && now - stored.storedAt < this.idempotenceTtlMs) {
      if (stored.fingerprint !== fingerprint) {
        throw invalid('Idempotence-Key', 'Idempotence key duplicated', 'same key, different method, path or body');
      }
      record.replayed = true;
      return { status: stored.status, body: clone(stored.body) };
    }
    let result: ApiResult;
    try {
      result = handler(ctx);
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      // A 4xx is the operation's answer too: the docs say to retry it with a *new* key.
      const body = errorBody(error.code, error.description, error.parameter);
      this.answers.set(ctx.key, { fingerprint, status: error.status, body, storedAt: now });
      record.detail = error.detail;
      return { status: error.status, body };
    }
    this.answers.set(ctx.key, { fingerprint, status: result.status, body: clone(result.body), storedAt: now });
    return result;
  }

  private checkAuth(header: string | undefined): boolean {
    const match = /^Basic\s+(\S+)$/i.exec(header ?? '');
    if (!match) return false;
    const given = Buffer.from(Buffer.from(match[1], 'base64').toString('utf8'));
    const expected = Buffer.from(`${this.shopId}:${this.secretKey}`);
    return given.length === expected.length && timingSafeEqual(given, expected);
  }

  /** Fixed one-second window, shared by the whole shop. */
  private rateLimited(): boolean {
    if (!this.rateLimit) return false;
    const now = this.now().getTime();
    if (now - this.rateWindow.startedAt >= 1000) this.rateWindow = { startedAt: now, count: 0 };
    this.rateWindow.count += 1;
    return this.rateWindow.count > this.rateLimit;
  }

  private takeFault(method: string, path: string, key: string | undefined): ActiveFault | undefined {
    const fault = this.faults.find(
      (f) =>
        f.remaining > 0 &&
        (f.method === undefined || f.method === method) &&
        (f.path === undefined || (typeof f.path === 'string' ? f.path === path : f.path.test(path))) &&
        (f.idempotenceKey === undefined || f.idempotenceKey === key),
    );
    if (!fault) return undefined;
    fault.remaining -= 1;
    if (fault.remaining === 0) this.faults = this.faults.filter((f) => f !== fault);
    return fault;
  }

  private applyFault(fault: FaultSpec, res: ServerResponse, record: RecordedRequest): void {
    const delay = fault.delayMs ?? 0;
    const later = (fn: () => void): void => {
      if (delay <= 0) return fn();
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        fn();
      }, delay);
      this.timers.add(timer);
    };
    const { respond } = fault;
    if (respond === 'reset') {
      record.fault = 'reset';
      later(() => res.socket?.destroy());
    } else if (respond === 'timeout') {
      record.fault = 'timeout';
      // No answer at all; with delayMs the connection is dropped then, else it waits for the client.
      if (fault.delayMs !== undefined) later(() => res.socket?.destroy());
    } else {
      const body = faultBody(respond.status);
      const headers: Record<string, string> =
        respond.retryAfterSeconds !== undefined ? { 'retry-after': String(respond.retryAfterSeconds) } : {};
      record.fault = `status ${respond.status}`;
      record.status = respond.status;
      record.response = body;
      later(() => {
        if (body === undefined) res.writeHead(respond.status, headers).end();
        else sendJson(res, respond.status, body, headers);
      });
    }
  }

  private async handleCheckout(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const match = /^\/checkout\/([^/]+)(?:\/(pay|decline))?$/.exec(url.pathname);
    const html = (status: number, body: string): void => {
      res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' }).end(body);
    };
    if (!match) return html(404, renderNotFoundPage(url.pathname));
    await readBody(req); // the form carries nothing we need, but drain it
    const id = decodeURIComponent(match[1]);
    const action = match[2];
    const record = this.paymentsById.get(id);
    if (!record) return html(404, renderNotFoundPage(id));
    const actionBase = `/checkout/${encodeURIComponent(id)}`;

    if (!action) {
      if (req.method !== 'GET') return void res.writeHead(405, { allow: 'GET' }).end();
      return html(200, renderCheckoutPage(record.payment, actionBase, record.returnUrl));
    }
    if (req.method !== 'POST') return void res.writeHead(405, { allow: 'POST' }).end();
    if (record.payment.status !== 'pending') {
      return html(409, renderCheckoutPage(record.payment, actionBase, record.returnUrl));
    }
    const events =
      action === 'pay'
        ? this.transitionPay(record)
        : this.transitionDecline(record, { party: 'payment_network', reason: 'general_decline' });
    // The browser is sent back at once; the notification travels on its own, as with the real service.
    void this.dispatch(events);
    res.writeHead(303, { location: record.returnUrl ?? actionBase }).end();
  }

  // --- API operations -------------------------------------------------------------------------

  private me(): ApiResult {
    return {
      status: 200,
      body: {
        account_id: this.shopId,
        test: true,
        fiscalization_enabled: true,
        payment_methods: ['bank_card', 'yoo_money'],
        status: 'enabled',
      },
    };
  }

  private createPayment({ body, key }: RouteContext): ApiResult {
    const amount = parseAmount(body.amount, 'amount');
    const description = optionalString(body, 'description', 128);
    const metadata = parseMetadata(body.metadata);
    const merchantCustomerId = optionalString(body, 'merchant_customer_id', 200);
    if (body.capture !== undefined && typeof body.capture !== 'boolean') {
      throw invalid('capture', 'Parameter capture must be a boolean');
    }
    for (const field of ['payment_method_id', 'payment_token', 'transfers', 'deal', 'airline', 'receiver']) {
      if (body[field] !== undefined)
        throw new ApiError(400, 'not_supported', `${field} is not supported by the stand-in`, field);
    }
    if (body.save_payment_method === true) {
      throw new ApiError(
        400,
        'not_supported',
        'Saving payment methods is not supported by the stand-in',
        'save_payment_method',
      );
    }
    const methodType = this.parsePaymentMethodData(body.payment_method_data);
    const receipt = body.receipt === undefined ? undefined : parseReceipt(body.receipt, amount);
    const id = this.newPaymentId();
    const { confirmation, returnUrl } = this.parseConfirmation(body.confirmation, id, methodType);

    const payment: Payment = {
      id,
      status: 'pending',
      paid: false,
      amount: toAmount(amount),
      ...(description !== undefined && { description }),
      recipient: { account_id: this.shopId, gateway_id: '100700' },
      ...(methodType && { payment_method: { type: methodType, id, saved: false } }),
      created_at: this.now().toISOString(),
      confirmation,
      test: true,
      refundable: false,
      ...(receipt && { receipt_registration: 'pending' as const }),
      metadata,
      ...(merchantCustomerId !== undefined && { merchant_customer_id: merchantCustomerId }),
    };
    this.paymentsById.set(id, {
      seq: ++this.seq,
      payment,
      capture: body.capture === true,
      receipt,
      returnUrl,
      idempotenceKeys: [{ operation: 'create', key }],
    });
    return { status: 200, body: clone(payment) };
  }

  private parsePaymentMethodData(input: unknown): string | undefined {
    if (input === undefined) return undefined;
    if (!isObject(input) || typeof input.type !== 'string') {
      throw invalid('payment_method_data.type', 'Parameter payment_method_data.type is missing');
    }
    // A test shop accepts only bank cards and the YooMoney wallet.
    if (input.type !== 'bank_card' && input.type !== 'yoo_money') {
      throw new ApiError(
        400,
        'not_supported',
        `Payment method ${input.type} is not available in a test shop`,
        'payment_method_data.type',
      );
    }
    return input.type;
  }

  private parseConfirmation(
    input: unknown,
    id: string,
    methodType: string | undefined,
  ): { confirmation: Confirmation; returnUrl?: string } {
    if (input === undefined) {
      throw invalid('confirmation', `Missing confirmation type for payment method type: ${methodType ?? 'bank_card'}`);
    }
    if (!isObject(input) || typeof input.type !== 'string') {
      throw invalid('confirmation.type', 'Parameter confirmation.type is missing');
    }
    switch (input.type) {
      case 'redirect': {
        const returnUrl = optionalString(input, 'return_url', 2048, 'confirmation.return_url');
        if (returnUrl === undefined || !isHttpUrl(returnUrl)) {
          throw invalid('confirmation.return_url', 'Parameter confirmation.return_url must be an http(s) URL');
        }
        const locale = optionalString(input, 'locale', 5, 'confirmation.locale');
        if (locale !== undefined && locale !== 'ru_RU' && locale !== 'en_US') {
          throw invalid('confirmation.locale', 'Parameter confirmation.locale must be ru_RU or en_US');
        }
        return {
          confirmation: {
            type: 'redirect',
            confirmation_url: this.checkoutUrl(id),
            return_url: returnUrl,
            ...(locale !== undefined && { locale }),
          },
          returnUrl,
        };
      }
      case 'embedded':
        return { confirmation: { type: 'embedded', confirmation_token: `ct-${hex(16)}` } };
      case 'external':
        return { confirmation: { type: 'external' } };
      case 'qr':
      case 'mobile_application':
        throw new ApiError(
          400,
          'not_supported',
          `Confirmation type ${input.type} is not supported`,
          'confirmation.type',
        );
      default:
        throw invalid('confirmation.type', `Unknown confirmation type ${input.type}`);
    }
  }

  private getPayment({ params }: RouteContext): ApiResult {
    return { status: 200, body: clone(this.findPayment(params[0]).payment) };
  }

  private capturePayment({ params, body, key }: RouteContext): ApiResult {
    const record = this.findPayment(params[0]);
    const payment = record.payment;
    for (const field of ['airline', 'transfers', 'deal']) {
      if (body[field] !== undefined)
        throw new ApiError(400, 'not_supported', `${field} is not supported by the stand-in`, field);
    }
    if (payment.status !== 'waiting_for_capture') {
      throw invalid('payment_id', `Payment status is ${payment.status}; only waiting_for_capture can be captured`);
    }
    const authorised = parseAmount(payment.amount, 'amount');
    const captured = body.amount === undefined ? authorised : parseAmount(body.amount, 'amount');
    if (captured.currency !== authorised.currency)
      throw invalid('amount.currency', 'Currency differs from the payment');
    if (captured.minor > authorised.minor) {
      throw invalid('amount.value', 'Capture amount exceeds the authorised amount');
    }
    const receipt = body.receipt === undefined ? undefined : parseReceipt(body.receipt, captured);

    const now = this.now().toISOString();
    payment.status = 'succeeded';
    payment.amount = toAmount(captured);
    payment.captured_at = now;
    payment.refundable = true;
    delete payment.expires_at;
    if (receipt) record.receipt = receipt;
    if (record.receipt) payment.receipt_registration = 'succeeded';
    record.idempotenceKeys.push({ operation: 'capture', key });
    return { status: 200, body: clone(payment), events: [this.paymentEvent(payment)] };
  }

  private cancelPayment({ params, key }: RouteContext): ApiResult {
    const record = this.findPayment(params[0]);
    // A pending payment cannot be cancelled through the API; it expires instead.
    if (record.payment.status !== 'waiting_for_capture') {
      throw invalid(
        'payment_id',
        `Payment status is ${record.payment.status}; only waiting_for_capture can be canceled`,
      );
    }
    const event = this.cancel(record, { party: 'merchant', reason: 'canceled_by_merchant' });
    record.idempotenceKeys.push({ operation: 'cancel', key });
    return { status: 200, body: clone(record.payment), events: [event] };
  }

  private createRefund({ body, key }: RouteContext): ApiResult {
    if (typeof body.payment_id !== 'string' || body.payment_id === '') {
      throw invalid('payment_id', 'Parameter payment_id is missing');
    }
    const paymentRecord = this.findPayment(body.payment_id);
    const payment = paymentRecord.payment;
    const amount = parseAmount(body.amount, 'amount');
    const description = optionalString(body, 'description', 250);
    if (payment.status !== 'succeeded') {
      throw invalid('payment_id', `Refund is impossible: payment status is ${payment.status}, not succeeded`);
    }
    if (amount.currency !== payment.amount.currency)
      throw invalid('amount.currency', 'Currency differs from the payment');
    const remaining = this.remainingMinor(paymentRecord);
    if (amount.minor > remaining) {
      throw invalid(
        'amount.value',
        `Refund amount ${formatMinor(amount.minor)} exceeds the amount left to refund (${formatMinor(remaining)})`,
      );
    }
    const receipt = body.receipt === undefined ? undefined : parseReceipt(body.receipt, amount);

    // Refunds in a test shop complete at once.
    const refund: Refund = {
      id: this.newRefundId(),
      payment_id: payment.id,
      status: 'succeeded',
      amount: toAmount(amount),
      created_at: this.now().toISOString(),
      ...(description !== undefined && { description }),
      ...(receipt && { receipt_registration: 'succeeded' as const }),
    };
    this.refundsById.set(refund.id, { seq: ++this.seq, refund, receipt, idempotenceKey: key });
    const refunded = parseAmount(payment.amount, 'amount').minor - remaining + amount.minor;
    payment.refunded_amount = toAmount({ minor: refunded, currency: amount.currency });
    payment.refundable = this.remainingMinor(paymentRecord) > 0;
    return { status: 200, body: clone(refund), events: [{ event: 'refund.succeeded', object: clone(refund) }] };
  }

  private getRefund({ params }: RouteContext): ApiResult {
    const record = this.refundsById.get(params[0]);
    if (!record) throw new ApiError(404, 'not_found', 'Refund not found or forbidden', 'refund_id');
    return { status: 200, body: clone(record.refund) };
  }

  private listPayments({ query }: RouteContext): ApiResult {
    const status = query.get('status');
    if (status !== null && !PAYMENT_STATUSES.includes(status as PaymentStatus)) {
      throw invalid('status', `Unknown payment status ${status}`);
    }
    const method = query.get('payment_method');
    const created = timeFilter(query, 'created_at');
    const captured = timeFilter(query, 'captured_at');
    const all = [...this.paymentsById.values()].filter(
      ({ payment: p }) =>
        (status === null || p.status === status) &&
        (method === null || p.payment_method?.type === method) &&
        created(p.created_at) &&
        captured(p.captured_at),
    );
    return page(all, query, (r) => r.payment);
  }

  private listRefunds({ query }: RouteContext): ApiResult {
    const status = query.get('status');
    if (status !== null && !REFUND_STATUSES.includes(status as RefundStatus)) {
      throw invalid('status', `Unknown refund status ${status}`);
    }
    const paymentId = query.get('payment_id');
    const created = timeFilter(query, 'created_at');
    const all = [...this.refundsById.values()].filter(
      ({ refund: r }) =>
        (status === null || r.status === status) &&
        (paymentId === null || r.payment_id === paymentId) &&
        created(r.created_at),
    );
    return page(all, query, (r) => r.refund);
  }

  // --- status machine -------------------------------------------------------------------------

  private transitionPay(record: StoredPayment): Emitted[] {
    const payment = record.payment;
    if (payment.status !== 'pending') throw new StateError(`payment ${payment.id} is ${payment.status}, not pending`);
    const now = this.now();
    payment.paid = true;
    delete payment.confirmation;
    payment.payment_method =
      payment.payment_method?.type === 'yoo_money'
        ? { type: 'yoo_money', id: payment.id, saved: false, title: 'YooMoney wallet 410011758831136' }
        : {
            type: 'bank_card',
            id: payment.id,
            saved: false,
            title: 'Bank card *4444',
            card: {
              first6: '555555',
              last4: '4444',
              expiry_month: '12',
              expiry_year: String(now.getUTCFullYear() + 3),
              card_type: 'MasterCard',
              issuer_country: 'RU',
            },
          };
    payment.authorization_details = {
      rrn: String(now.getTime()).slice(-12),
      auth_code: hex(3),
      three_d_secure: { applied: false },
    };
    if (record.capture) {
      payment.status = 'succeeded';
      payment.captured_at = now.toISOString();
      payment.refundable = true;
      if (record.receipt) payment.receipt_registration = 'succeeded';
    } else {
      payment.status = 'waiting_for_capture';
      payment.expires_at = new Date(now.getTime() + this.captureWindowMs).toISOString();
    }
    return [this.paymentEvent(payment)];
  }

  private transitionDecline(record: StoredPayment, details: CancellationDetails): Emitted[] {
    const status = record.payment.status;
    if (status !== 'pending') throw new StateError(`payment ${record.payment.id} is ${status}, not pending`);
    return [this.cancel(record, details)];
  }

  /** → canceled, from pending or waiting_for_capture; the held money is released. */
  private cancel(record: StoredPayment, details: CancellationDetails): Emitted {
    const payment = record.payment;
    payment.status = 'canceled';
    payment.paid = false;
    payment.refundable = false;
    payment.cancellation_details = details;
    delete payment.confirmation;
    delete payment.expires_at;
    if (payment.receipt_registration) payment.receipt_registration = 'canceled';
    return this.paymentEvent(payment);
  }

  private paymentEvent(payment: Payment): Emitted {
    return { event: `payment.${payment.status}`, object: clone(payment) };
  }

  private remainingMinor(record: StoredPayment): number {
    const refunded = [...this.refundsById.values()]
      .filter((r) => r.refund.payment_id === record.payment.id && r.refund.status === 'succeeded')
      .reduce((sum, r) => sum + parseAmount(r.refund.amount, 'amount').minor, 0);
    return parseAmount(record.payment.amount, 'amount').minor - refunded;
  }

  // --- webhooks -------------------------------------------------------------------------------

  private notification(event: string, object: unknown): Notification {
    return { type: 'notification', event, object: object as Record<string, unknown> };
  }

  private async dispatch(events: Emitted[], webhook?: boolean): Promise<void> {
    const url = this.webhookUrl;
    if (!url || webhook === false || (webhook === undefined && !this.autoWebhooks)) return;
    for (const { event, object } of events) {
      await this.track(this.send(url, event, object.id, this.notification(event, object), 'auto', false));
    }
  }

  private track(delivery: Promise<WebhookDelivery>): Promise<WebhookDelivery> {
    this.inflight.add(delivery);
    void delivery.finally(() => this.inflight.delete(delivery));
    return delivery;
  }

  private async send(
    url: string,
    event: string,
    objectId: string,
    body: unknown,
    trigger: WebhookDelivery['trigger'],
    forged: boolean,
  ): Promise<WebhookDelivery> {
    const delivery: WebhookDelivery = {
      seq: ++this.seq,
      event,
      objectId,
      url,
      body: clone(body),
      trigger,
      forged,
      startedAt: this.now().toISOString(),
      ok: false,
    };
    this.deliveries.push(delivery);
    const controller = new AbortController();
    this.aborts.add(controller);
    const timer = setTimeout(
      () => controller.abort(new Error(`no answer within ${this.webhookTimeoutMs} ms`)),
      this.webhookTimeoutMs,
    );
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
        signal: controller.signal,
      });
      await response.arrayBuffer(); // drain, so the socket is released
      delivery.status = response.status;
      delivery.ok = response.ok;
    } catch (error) {
      const reason = controller.signal.aborted ? controller.signal.reason : error;
      delivery.error = reason instanceof Error ? reason.message : String(reason);
    } finally {
      clearTimeout(timer);
      this.aborts.delete(controller);
      delivery.finishedAt = this.now().toISOString();
    }
    return clone(delivery);
  }

  // --- lookups and ids ------------------------------------------------------------------------

  private findPayment(id: string): StoredPayment {
    const record = this.paymentsById.get(id);
    if (!record) throw new ApiError(404, 'not_found', 'Payment not found or forbidden', 'payment_id');
    return record;
  }

  private mustFindPayment(id: string): StoredPayment {
    const record = this.paymentsById.get(id);
    if (!record) throw new StateError(`no payment ${id} on the stand-in`);
    return record;
  }

  // Shaped like the real ids (2xxxxxxx-000f-5000-8000-…), so format checks in our code hold.
  private newPaymentId(): string {
    let id: string;
    do id = `2${hex(4).slice(1)}-000f-5000-${['8000', '9000', 'a000'][randomBytes(1)[0] % 3]}-${hex(6)}`;
    while (this.paymentsById.has(id));
    return id;
  }

  private newRefundId(): string {
    let id: string;
    do id = `2${hex(4).slice(1)}-0015-5000-8000-${hex(6)}`;
    while (this.refundsById.has(id));
    return id;
  }
}

// ---------------------------------------------------------------------------------------------
// Small helpers
// ---------------------------------------------------------------------------------------------

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers }).end(JSON.stringify(body));
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    // Stop buffering past the cap; the JSON parse then fails and the caller answers 400.
    if (size <= MAX_BODY_BYTES) chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** decodeURIComponent that answers undefined instead of throwing on a malformed escape. */
function safeDecode(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

function parseJson(raw: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(raw) };
  } catch {
    return { ok: false };
  }
}

function parseLoose(raw: string): unknown {
  if (raw === '') return undefined;
  const parsed = parseJson(raw);
  return parsed.ok ? parsed.value : raw;
}

function isHttpUrl(text: string): boolean {
  try {
    const { protocol } = new URL(text);
    return protocol === 'http:' || protocol === 'https:';
  } catch {
    return false;
  }
}

/** `<field>.gte|gt|lte|lt` query filters over ISO timestamps; an absent timestamp never matches a set bound. */
function timeFilter(query: URLSearchParams, field: string): (value: string | undefined) => boolean {
  const bounds: { op: 'gte' | 'gt' | 'lte' | 'lt'; at: number }[] = [];
  for (const op of ['gte', 'gt', 'lte', 'lt'] as const) {
    const raw = query.get(`${field}.${op}`);
    if (raw === null) continue;
    const at = Date.parse(raw);
    if (Number.isNaN(at)) throw invalid(`${field}.${op}`, `Parameter ${field}.${op} must be an ISO 8601 date-time`);
    bounds.push({ op, at });
  }
  return (value) => {
    if (bounds.length === 0) return true;
    if (value === undefined) return false;
    const t = Date.parse(value);
    return bounds.every(({ op, at }) =>
      op === 'gte' ? t >= at : op === 'gt' ? t > at : op === 'lte' ? t <= at : t < at,
    );
  };
}

/** Newest first, `limit` 1–100 (default 10), with an opaque cursor that resumes after the last item. */
function page<R extends { seq: number }, T>(all: R[], query: URLSearchParams, view: (r: R) => T): ApiResult {
  const rawLimit = query.get('limit');
  const limit = rawLimit === null ? 10 : Number(rawLimit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 100) {
    throw invalid('limit', 'Parameter limit must be an integer from 1 to 100');
  }
  const cursor = query.get('cursor');
  let before = Number.POSITIVE_INFINITY;
  if (cursor !== null) {
    const match = /^seq:(\d+)$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (!match) throw invalid('cursor', 'Invalid cursor');
    before = Number(match[1]);
  }
  const ordered = all.filter((r) => r.seq < before).sort((a, b) => b.seq - a.seq);
  const items = ordered.slice(0, limit);
  const body: ListBody<T> = { type: 'list', items: items.map((r) => clone(view(r))) };
  if (ordered.length > limit)
    body.next_cursor = Buffer.from(`seq:${items[items.length - 1].seq}`).toString('base64url');
  return { status: 200, body };
}
