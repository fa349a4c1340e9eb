import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import {
  CHECKOUT_LABEL,
  startYooKassaStandIn,
  type Payment,
  type PaymentRecord,
  type Refund,
  type YooKassaStandIn,
  type YooKassaStandInOptions,
} from '../../stand-ins/yookassa/server';

// ---------------------------------------------------------------------------------------------
// Helpers: a thin raw client (our real client is tested elsewhere; here we test the wire) and a
// webhook receiver standing in for our app.
// ---------------------------------------------------------------------------------------------

interface CallOptions {
  body?: unknown;
  key?: string | null;
  auth?: string | null;
  contentType?: string;
  signal?: AbortSignal;
}

interface CallResult<T = any> {
  status: number;
  body: T;
  headers: Headers;
}

let standIn: YooKassaStandIn;
let keySeq = 0;
const freshKey = (): string => `key-${Date.now()}-${++keySeq}`;

async function call<T = any>(method: string, path: string, options: CallOptions = {}): Promise<CallResult<T>> {
  const headers: Record<string, string> = {};
  const auth = options.auth === undefined ? standIn.authorization() : options.auth;
  if (auth !== null) headers.authorization = auth;
  if (method === 'POST') {
    headers['content-type'] = options.contentType ?? 'application/json';
    const key = options.key === undefined ? freshKey() : options.key;
    if (key !== null) headers['idempotence-key'] = key;
  }
  const response = await fetch(`${standIn.url}${path}`, {
    method,
    headers,
    body:
      method === 'POST'
        ? typeof options.body === 'string'
          ? options.body
          : JSON.stringify(options.body ?? {})
        : undefined,
    signal: options.signal,
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined, headers: response.headers };
}

const rub = (value: string) => ({ value, currency: 'RUB' });

function paymentBody(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    amount: rub('1500.00'),
    capture: true,
    confirmation: { type: 'redirect', return_url: 'https://coworking.example/pay/return?booking=42' },
    description: 'Meeting room, 2 h',
    metadata: { bookingId: '42' },
    ...overrides,
  };
}

async function createPayment(overrides: Record<string, unknown> = {}, key?: string): Promise<Payment> {
  const { status, body } = await call<Payment>('POST', '/payments', { body: paymentBody(overrides), key });
  expect(status).toBe(200);
  return body;
}

async function succeededPayment(value = '1500.00'): Promise<Payment> {
  const payment = await createPayment({ amount: rub(value) });
  return standIn.pay(payment.id);
}

function receipt(items: unknown[], customer: Record<string, unknown> = { email: 'member@example.com' }) {
  return { customer, tax_system_code: 2, items };
}

const item = (overrides: Record<string, unknown> = {}) => ({
  description: 'Meeting room, 1 h',
  quantity: '2',
  amount: rub('750.00'),
  vat_code: 11,
  payment_subject: 'service',
  payment_mode: 'full_prepayment',
  ...overrides,
});

/** Checks the YooKassa error envelope, including a fresh UUID as its id. */
function expectError(result: CallResult, status: number, code: string, parameter?: string): void {
  expect(result.status).toBe(status);
  expect(result.body).toEqual({
    type: 'error',
    id: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/),
    code,
    description: expect.any(String),
    ...(parameter !== undefined && { parameter }),
  });
}

interface Receiver {
  url: string;
  received: { event: string; object: any; type: string }[];
  respondWith: number;
  close(): Promise<void>;
}

async function startReceiver(): Promise<Receiver> {
  const receiver: Receiver = { url: '', received: [], respondWith: 200, close: async () => undefined };
  const server: Server = createServer((req, res) => {
    let raw = '';
    req.on('data', (chunk) => (raw += chunk));
    req.on('end', () => {
      receiver.received.push(JSON.parse(raw));
      res.writeHead(receiver.respondWith).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/yookassa/webhook`;
  receiver.close = () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  return receiver;
}

async function restart(options: YooKassaStandInOptions): Promise<void> {
  await standIn.close();
  standIn = await startYooKassaStandIn(options);
}

beforeEach(async () => {
  standIn = await startYooKassaStandIn({ shopId: '100500', secretKey: 'test_secret' });
});

afterEach(async () => {
  await standIn.close();
});

// ---------------------------------------------------------------------------------------------

describe('YooKassa stand-in: basics', () => {
  it('listens on a random port and exposes the /v3 base URL', () => {
    expect(standIn.port).toBeGreaterThan(0);
    expect(standIn.url).toBe(`http://127.0.0.1:${standIn.port}/v3`);
  });

  it('refuses missing or wrong Basic credentials with 401 invalid_credentials', async () => {
    const missing = await call('GET', '/payments', { auth: null });
    const wrongSecret = await call('GET', '/payments', {
      auth: `Basic ${Buffer.from('100500:test_wrong').toString('base64')}`,
    });
    const bearer = await call('POST', '/payments', { auth: 'Bearer test_secret', body: paymentBody() });

    for (const result of [missing, wrongSecret, bearer]) expectError(result, 401, 'invalid_credentials');
    // Nothing was created by the unauthenticated POST, and the log marks the calls unauthorised.
    expect(standIn.payments()).toHaveLength(0);
    expect(standIn.requests().map((r) => r.authorized)).toEqual([false, false, false]);
  });

  it('answers an unknown payment with 404 not_found naming payment_id, and a wrong method with 405', async () => {
    const notFound = await call('GET', '/payments/2bad0000-000f-5000-8000-000000000000');
    expectError(notFound, 404, 'not_found', 'payment_id');
    expect(notFound.body.description).toBe('Payment not found or forbidden');

    const payment = await createPayment();
    const wrongMethod = await call('GET', `/payments/${payment.id}/cancel`);
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.get('allow')).toBe('POST');
  });

  it('serves a read-only state view for a stand-in run from the CLI', async () => {
    const payment = await createPayment();
    const response = await fetch(`${standIn.origin}/__stand-in/state`);
    const state = (await response.json()) as { payments: PaymentRecord[]; refunds: unknown[]; webhooks: unknown[] };

    expect(state.payments.map((r) => r.payment.id)).toEqual([payment.id]);
    expect(state).toMatchObject({ refunds: [], webhooks: [] });
  });

  it('rejects a POST that is not JSON with 415', async () => {
    const result = await call('POST', '/payments', {
      body: 'amount=1500',
      contentType: 'application/x-www-form-urlencoded',
    });
    expect(result.status).toBe(415);
    expect(standIn.payments()).toHaveLength(0);
  });
});

describe('YooKassa stand-in: Idempotence-Key', () => {
  it('requires the header on POST, with the body the SDK fixtures show', async () => {
    const result = await call('POST', '/payments', { body: paymentBody(), key: null });

    expectError(result, 400, 'invalid_request', 'Idempotence-Key');
    expect(result.body.description).toBe('Idempotence key is empty');
    expect(standIn.payments()).toHaveLength(0);
  });

  it('replays the stored answer for the same key and the same body, executing nothing twice', async () => {
    const key = 'booking-42-create';
    const first = await call('POST', '/payments', { body: paymentBody(), key });
    // Same data with another key order: still "the same body".
    const reordered = Object.fromEntries(Object.entries(paymentBody()).reverse());
    const second = await call('POST', '/payments', { body: reordered, key });

    expect(second.status).toBe(200);
    expect(second.body).toEqual(first.body);
    expect(standIn.payments()).toHaveLength(1);
    expect(standIn.requests().map((r) => r.replayed)).toEqual([false, true]);
  });

  it('answers the same key with another body with 400 "Idempotence key duplicated"', async () => {
    const key = 'booking-42-create';
    await call('POST', '/payments', { body: paymentBody(), key });
    const reused = await call('POST', '/payments', { body: paymentBody({ amount: rub('1600.00') }), key });

    expectError(reused, 400, 'invalid_request', 'Idempotence-Key');
    expect(reused.body.description).toBe('Idempotence key duplicated');
    expect(standIn.payments().map((r) => r.payment.amount.value)).toEqual(['1500.00']);
  });

  it('treats the same body with a new key as a new operation', async () => {
    const a = await createPayment({}, 'key-a');
    const b = await createPayment({}, 'key-b');

    expect(a.id).not.toBe(b.id);
    expect(standIn.payments().map((r) => r.idempotenceKeys[0].key)).toEqual(['key-a', 'key-b']);
  });

  it('forgets a key after 24 hours', async () => {
    let now = Date.parse('2026-03-01T10:00:00.000Z');
    await restart({ shopId: '100500', secretKey: 'test_secret', now: () => new Date(now) });

    const first = await createPayment({}, 'same-key');
    now += 24 * 60 * 60 * 1000 - 1;
    const withinDay = await createPayment({}, 'same-key');
    now += 1;
    const afterDay = await createPayment({}, 'same-key');

    expect(withinDay.id).toBe(first.id);
    expect(afterDay.id).not.toBe(first.id);
    expect(afterDay.created_at).toBe('2026-03-02T10:00:00.000Z');
  });

  it('stores a 4xx answer under its key too, so a fixed retry needs a new key', async () => {
    const key = 'bad-then-fixed';
    const bad = await call('POST', '/payments', { body: paymentBody({ amount: rub('0.00') }), key });
    const sameAgain = await call('POST', '/payments', { body: paymentBody({ amount: rub('0.00') }), key });
    const fixedSameKey = await call('POST', '/payments', { body: paymentBody(), key });

    expectError(bad, 400, 'invalid_request', 'amount.value');
    expect(sameAgain.body).toEqual(bad.body);
    expect(fixedSameKey.body.description).toBe('Idempotence key duplicated');
  });
});

describe('YooKassa stand-in: creating a payment', () => {
  it('returns a pending payment with string amounts, metadata echoed and a checkout confirmation URL', async () => {
    const payment = await createPayment();

    expect(payment).toEqual({
      id: expect.stringMatching(/^2[0-9a-f]{7}-000f-5000-[89a]000-[0-9a-f]{12}$/),
      status: 'pending',
      paid: false,
      amount: { value: '1500.00', currency: 'RUB' },
      description: 'Meeting room, 2 h',
      recipient: { account_id: '100500', gateway_id: expect.any(String) },
      created_at: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/),
      confirmation: {
        type: 'redirect',
        return_url: 'https://coworking.example/pay/return?booking=42',
        confirmation_url: standIn.checkoutUrl(payment.id),
      },
      test: true,
      refundable: false,
      metadata: { bookingId: '42' },
    });
    expect(
      payment.confirmation && 'confirmation_url' in payment.confirmation && payment.confirmation.confirmation_url,
    ).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:${standIn.port}/checkout/`));
    expect((await call('GET', `/payments/${payment.id}`)).body).toEqual(payment);
  });

  it('normalises "1500" and "1500.5" to two decimals', async () => {
    expect((await createPayment({ amount: rub('1500') })).amount.value).toBe('1500.00');
    expect((await createPayment({ amount: rub('1500.5') })).amount.value).toBe('1500.50');
  });

  it.each<[string, Record<string, unknown>, string]>([
    ['missing amount', { amount: undefined }, 'amount'],
    ['amount as a number', { amount: { value: 1500, currency: 'RUB' } }, 'amount.value'],
    ['three decimals', { amount: rub('15.005') }, 'amount.value'],
    ['comma decimal', { amount: rub('15,00') }, 'amount.value'],
    ['negative amount', { amount: rub('-1.00') }, 'amount.value'],
    ['zero amount', { amount: rub('0.00') }, 'amount.value'],
    ['lower-case currency', { amount: { value: '10.00', currency: 'rub' } }, 'amount.currency'],
    ['description of 129 characters', { description: 'x'.repeat(129) }, 'description'],
    [
      '17 metadata keys',
      { metadata: Object.fromEntries(Array.from({ length: 17 }, (_, i) => [`k${i}`, 'v'])) },
      'metadata',
    ],
    ['metadata key of 33 characters', { metadata: { ['k'.repeat(33)]: 'v' } }, 'metadata'],
    ['metadata value of 513 characters', { metadata: { bookingId: 'v'.repeat(513) } }, 'metadata'],
    ['metadata value that is a number', { metadata: { bookingId: 42 } }, 'metadata'],
    ['capture that is a string', { capture: 'true' }, 'capture'],
    ['no confirmation', { confirmation: undefined }, 'confirmation'],
    ['redirect without return_url', { confirmation: { type: 'redirect' } }, 'confirmation.return_url'],
  ])('rejects %s with 400 invalid_request', async (_name, overrides, parameter) => {
    const result = await call('POST', '/payments', { body: paymentBody(overrides) });

    expectError(result, 400, 'invalid_request', parameter);
    expect(standIn.payments()).toHaveLength(0);
  });

  it('accepts the limits exactly: 128-character description, 16 metadata keys of 32/512 characters', async () => {
    const metadata = Object.fromEntries(
      Array.from({ length: 16 }, (_, i) => [`k${i}`.padEnd(32, 'x'), 'v'.repeat(512)]),
    );
    const payment = await createPayment({ description: 'd'.repeat(128), metadata });

    expect(payment.description).toHaveLength(128);
    expect(Object.keys(payment.metadata)).toHaveLength(16);
  });
});

describe('YooKassa stand-in: receipts (54-FZ)', () => {
  it('accepts a receipt whose items sum to the amount, with vat_code 11, and keeps it for tests to read', async () => {
    const payment = await createPayment({ receipt: receipt([item()]) });

    expect(payment.receipt_registration).toBe('pending');
    const [record] = standIn.payments();
    expect(record.receipt).toEqual(receipt([item()]));
    expect((await standIn.pay(payment.id)).receipt_registration).toBe('succeeded');
  });

  it.each<[string, unknown, string]>([
    [
      'items summing to 1400.00',
      receipt([item({ quantity: 1 }), item({ quantity: 1, amount: rub('650.00') })]),
      'sum of receipt items',
    ],
    ['no customer email or phone', receipt([item()], { full_name: 'Ivan Petrov' }), 'email or a phone'],
    ['a malformed email', receipt([item()], { email: 'not-an-email' }), 'email'],
    ['vat_code 13', receipt([item({ vat_code: 13 })]), 'vat_code'],
    ['vat_code as a string', receipt([item({ vat_code: '11' })]), 'vat_code'],
    ['no payment_mode', receipt([item({ payment_mode: undefined })]), 'payment_mode'],
    ['an unknown payment_subject', receipt([item({ payment_subject: 'coworking' })]), 'payment_subject'],
    ['an empty item list', receipt([]), 'items'],
    ['a 129-character item description', receipt([item({ description: 'x'.repeat(129) })]), 'description'],
  ])('rejects a receipt with %s as 400 invalid_request on "receipt"', async (_name, badReceipt, detail) => {
    const result = await call('POST', '/payments', { body: paymentBody({ receipt: badReceipt }) });

    expectError(result, 400, 'invalid_request', 'receipt');
    expect(result.body.description).toBe('Receipt is missing or illegal');
    // The specific rule is in the stand-in's log, not in the (terse) wire answer.
    expect(standIn.requests().at(-1)?.detail).toContain(detail);
    expect(standIn.payments()).toHaveLength(0);
  });

  it('accepts vat_code 12, a phone instead of an email, and fractional quantities that multiply out exactly', async () => {
    const payment = await createPayment({
      amount: rub('999.99'),
      receipt: receipt([item({ quantity: '3', amount: rub('333.33'), vat_code: 12 })], { phone: '79001234567' }),
    });
    const hours = await createPayment({
      amount: rub('375.00'),
      receipt: receipt([item({ quantity: 1.5, amount: rub('250.00') })]),
    });

    expect(payment.status).toBe('pending');
    expect(hours.amount.value).toBe('375.00');
  });
});

describe('YooKassa stand-in: the payment status machine', () => {
  it('goes pending → succeeded when the customer pays a one-stage payment', async () => {
    const created = await createPayment({ capture: true });
    await standIn.pay(created.id);
    const { body: paid } = await call<Payment>('GET', `/payments/${created.id}`);

    expect(paid).toMatchObject({ status: 'succeeded', paid: true, refundable: true, metadata: { bookingId: '42' } });
    expect(Date.parse(paid.captured_at!)).toBeGreaterThanOrEqual(Date.parse(paid.created_at));
    expect(paid.payment_method).toMatchObject({ type: 'bank_card', card: { last4: '4444' } });
    expect(paid.confirmation).toBeUndefined();
    expect(paid.cancellation_details).toBeUndefined();
  });

  it('goes pending → waiting_for_capture → succeeded on a two-stage payment, capturing a smaller amount', async () => {
    const created = await createPayment({ capture: false });
    const held = await standIn.pay(created.id);

    expect(held).toMatchObject({ status: 'waiting_for_capture', paid: true, refundable: false });
    expect(Date.parse(held.expires_at!) - Date.parse(created.created_at)).toBeGreaterThan(6 * 24 * 3600 * 1000);
    expect(held.captured_at).toBeUndefined();

    const captured = await call<Payment>('POST', `/payments/${created.id}/capture`, {
      body: { amount: rub('1200.00') },
    });

    expect(captured.status).toBe(200);
    expect(captured.body).toMatchObject({ status: 'succeeded', amount: rub('1200.00'), refundable: true });
    expect(captured.body.expires_at).toBeUndefined();
    expect(standIn.payments()[0].idempotenceKeys.map((k) => k.operation)).toEqual(['create', 'capture']);
  });

  it('refuses to capture more than was authorised, or a payment that is not waiting_for_capture', async () => {
    const pending = await createPayment({ capture: false });
    const fromPending = await call('POST', `/payments/${pending.id}/capture`, { body: {} });
    await standIn.pay(pending.id);
    const tooMuch = await call('POST', `/payments/${pending.id}/capture`, { body: { amount: rub('1500.01') } });

    expectError(fromPending, 400, 'invalid_request', 'payment_id');
    expectError(tooMuch, 400, 'invalid_request', 'amount.value');
    expect(standIn.payment(pending.id)?.status).toBe('waiting_for_capture');
  });

  it('cancels a held payment for the merchant, but not a pending one', async () => {
    const pending = await createPayment({ capture: false });
    const cancelPending = await call('POST', `/payments/${pending.id}/cancel`, { body: {} });
    expectError(cancelPending, 400, 'invalid_request', 'payment_id');

    await standIn.pay(pending.id);
    const canceled = await call<Payment>('POST', `/payments/${pending.id}/cancel`, { body: {} });

    expect(canceled.body).toMatchObject({
      status: 'canceled',
      paid: false,
      refundable: false,
      cancellation_details: { party: 'merchant', reason: 'canceled_by_merchant' },
    });
    // Final: a capture after the cancel is refused.
    expectError(
      await call('POST', `/payments/${pending.id}/capture`, { body: {} }),
      400,
      'invalid_request',
      'payment_id',
    );
  });

  it('goes pending → canceled when the bank declines, with the given reason, and is final', async () => {
    const created = await createPayment();
    const declined = await standIn.decline(created.id, { reason: 'insufficient_funds' });

    expect(declined).toMatchObject({
      status: 'canceled',
      paid: false,
      cancellation_details: { party: 'payment_network', reason: 'insufficient_funds' },
    });
    await expect(standIn.pay(created.id)).rejects.toThrow(/canceled, not pending/);
  });

  it('expires an unconfirmed payment and an uncaptured hold with the documented reasons', async () => {
    const unconfirmed = await createPayment();
    const held = await createPayment({ capture: false });
    await standIn.pay(held.id);

    expect((await standIn.expire(unconfirmed.id)).cancellation_details).toEqual({
      party: 'yoo_money',
      reason: 'expired_on_confirmation',
    });
    expect((await standIn.expire(held.id)).cancellation_details).toEqual({
      party: 'yoo_money',
      reason: 'expired_on_capture',
    });
  });
});

describe('YooKassa stand-in: refunds', () => {
  it('refunds partially, then the rest, tracking refunded_amount and refundable', async () => {
    const payment = await succeededPayment('1500.00');

    const first = await call<Refund>('POST', '/refunds', {
      body: { payment_id: payment.id, amount: rub('500.00'), description: 'Cancelled 1 of 3 hours' },
      key: 'refund-1',
    });
    expect(first.status).toBe(200);
    expect(first.body).toEqual({
      id: expect.any(String),
      payment_id: payment.id,
      status: 'succeeded',
      amount: rub('500.00'),
      created_at: expect.any(String),
      description: 'Cancelled 1 of 3 hours',
    });
    expect(standIn.payment(payment.id)).toMatchObject({ refunded_amount: rub('500.00'), refundable: true });

    await call('POST', '/refunds', { body: { payment_id: payment.id, amount: rub('1000.00') } });

    expect(standIn.payment(payment.id)).toMatchObject({ refunded_amount: rub('1500.00'), refundable: false });
    expect((await call('GET', `/refunds/${first.body.id}`)).body).toEqual(first.body);
    expect(standIn.refunds().map((r) => r.idempotenceKey)[0]).toBe('refund-1');
  });

  it('refuses a refund over the amount left, naming amount.value', async () => {
    const payment = await succeededPayment('1500.00');
    await call('POST', '/refunds', { body: { payment_id: payment.id, amount: rub('1000.00') } });

    const over = await call('POST', '/refunds', { body: { payment_id: payment.id, amount: rub('500.01') } });

    expectError(over, 400, 'invalid_request', 'amount.value');
    expect(standIn.refunds()).toHaveLength(1);
    expect(standIn.payment(payment.id)?.refunded_amount).toEqual(rub('1000.00'));
  });

  it('refuses to refund a payment that has not succeeded, and an unknown payment', async () => {
    const pending = await createPayment();
    const held = await createPayment({ capture: false });
    await standIn.pay(held.id);

    expectError(
      await call('POST', '/refunds', { body: { payment_id: pending.id, amount: rub('1.00') } }),
      400,
      'invalid_request',
      'payment_id',
    );
    expectError(
      await call('POST', '/refunds', { body: { payment_id: held.id, amount: rub('1.00') } }),
      400,
      'invalid_request',
      'payment_id',
    );
    expectError(
      await call('POST', '/refunds', {
        body: { payment_id: '2bad0000-000f-5000-8000-000000000000', amount: rub('1.00') },
      }),
      404,
      'not_found',
      'payment_id',
    );
    expect(standIn.refunds()).toHaveLength(0);
  });

  it('checks a refund receipt against the refund amount', async () => {
    const payment = await succeededPayment('1500.00');

    const mismatch = await call('POST', '/refunds', {
      body: { payment_id: payment.id, amount: rub('750.00'), receipt: receipt([item()]) },
    });
    const matching = await call<Refund>('POST', '/refunds', {
      body: { payment_id: payment.id, amount: rub('750.00'), receipt: receipt([item({ quantity: '1' })]) },
    });

    expectError(mismatch, 400, 'invalid_request', 'receipt');
    expect(matching.body.receipt_registration).toBe('succeeded');
    expect(standIn.refunds()[0].receipt?.items).toHaveLength(1);
  });

  it('answers an unknown refund with 404 "Refund not found or forbidden"', async () => {
    const result = await call('GET', '/refunds/2bad0000-0015-5000-8000-000000000000');
    expectError(result, 404, 'not_found', 'refund_id');
    expect(result.body.description).toBe('Refund not found or forbidden');
  });
});

describe('YooKassa stand-in: lists', () => {
  it('lists payments newest first with limit and a cursor, and filters by status and created_at', async () => {
    let now = Date.parse('2026-03-01T10:00:00.000Z');
    await restart({ shopId: '100500', secretKey: 'test_secret', now: () => new Date(now) });
    const ids: string[] = [];
    for (let i = 0; i < 3; i += 1) {
      ids.push((await createPayment()).id);
      now += 60_000;
    }
    await standIn.pay(ids[1]);

    const firstPage = await call('GET', '/payments?limit=2');
    expect(firstPage.body.type).toBe('list');
    expect(firstPage.body.items.map((p: Payment) => p.id)).toEqual([ids[2], ids[1]]);
    expect(typeof firstPage.body.next_cursor).toBe('string');

    const secondPage = await call('GET', `/payments?limit=2&cursor=${encodeURIComponent(firstPage.body.next_cursor)}`);
    expect(secondPage.body.items.map((p: Payment) => p.id)).toEqual([ids[0]]);
    expect(secondPage.body.next_cursor).toBeUndefined();

    const succeeded = await call('GET', '/payments?status=succeeded');
    expect(succeeded.body.items.map((p: Payment) => p.id)).toEqual([ids[1]]);

    const recent = await call('GET', `/payments?created_at.gte=${encodeURIComponent('2026-03-01T10:01:00.000Z')}`);
    expect(recent.body.items.map((p: Payment) => p.id)).toEqual([ids[2], ids[1]]);
  });

  it('rejects a bad limit, cursor, status or date with 400 naming the parameter', async () => {
    expectError(await call('GET', '/payments?limit=101'), 400, 'invalid_request', 'limit');
    expectError(await call('GET', '/payments?cursor=garbage'), 400, 'invalid_request', 'cursor');
    expectError(await call('GET', '/payments?status=paid'), 400, 'invalid_request', 'status');
    expectError(await call('GET', '/payments?created_at.gte=yesterday'), 400, 'invalid_request', 'created_at.gte');
  });

  it('lists refunds of one payment', async () => {
    const a = await succeededPayment();
    const b = await succeededPayment();
    await call('POST', '/refunds', { body: { payment_id: a.id, amount: rub('100.00') } });
    await call('POST', '/refunds', { body: { payment_id: b.id, amount: rub('200.00') } });

    const list = await call('GET', `/refunds?payment_id=${a.id}`);

    expect(list.body.items).toHaveLength(1);
    expect(list.body.items[0]).toMatchObject({ payment_id: a.id, amount: rub('100.00') });
  });
});

describe('YooKassa stand-in: checkout page', () => {
  it('shows the test label, the amount and the escaped description', async () => {
    const payment = await createPayment({ description: '<script>alert("x")</script> & "room"' });

    const response = await fetch(standIn.checkoutUrl(payment.id));
    const html = await response.text();

    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    expect(html).toContain(CHECKOUT_LABEL);
    expect(html).toContain('1500.00 RUB');
    expect(html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &quot;room&quot;');
    expect(html).not.toContain('<script>');
    expect(html).toMatch(/<form method="post" action="\/checkout\/[^"]+\/pay">/);
    expect(html).toMatch(/<form method="post" action="\/checkout\/[^"]+\/decline">/);
  });

  it('pays through the Pay form and sends the customer back to return_url', async () => {
    const payment = await createPayment();

    const response = await fetch(`${standIn.checkoutUrl(payment.id)}/pay`, { method: 'POST', redirect: 'manual' });

    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe('https://coworking.example/pay/return?booking=42');
    expect(standIn.payment(payment.id)?.status).toBe('succeeded');
    // A second press is refused, and the page no longer offers the buttons.
    const again = await fetch(`${standIn.checkoutUrl(payment.id)}/pay`, { method: 'POST', redirect: 'manual' });
    expect(again.status).toBe(409);
    expect(await again.text()).not.toContain('<form');
  });

  it('declines through the Decline form', async () => {
    const payment = await createPayment();

    const response = await fetch(`${standIn.checkoutUrl(payment.id)}/decline`, { method: 'POST', redirect: 'manual' });

    expect(response.status).toBe(303);
    expect(standIn.payment(payment.id)).toMatchObject({
      status: 'canceled',
      cancellation_details: { party: 'payment_network' },
    });
  });

  it('answers an unknown payment with a 404 page that escapes the id', async () => {
    const response = await fetch(`${standIn.origin}/checkout/${encodeURIComponent('<img src=x>')}`);
    const html = await response.text();

    expect(response.status).toBe(404);
    expect(html).toContain('&lt;img src=x&gt;');
    expect(html).not.toContain('<img');
  });
});

describe('YooKassa stand-in: webhooks', () => {
  let receiver: Receiver;

  beforeEach(async () => {
    receiver = await startReceiver();
    standIn.setWebhookUrl(receiver.url);
  });

  afterEach(async () => {
    await receiver.close();
  });

  it('notifies every status change of a two-stage payment and its refund, with the object as it was', async () => {
    const payment = await createPayment({ capture: false });
    await standIn.pay(payment.id);
    await call('POST', `/payments/${payment.id}/capture`, { body: {} });
    await call('POST', '/refunds', { body: { payment_id: payment.id, amount: rub('100.00') } });
    await standIn.webhooksSettled();

    expect(receiver.received.map((n) => [n.type, n.event, n.object.status])).toEqual([
      ['notification', 'payment.waiting_for_capture', 'waiting_for_capture'],
      ['notification', 'payment.succeeded', 'succeeded'],
      ['notification', 'refund.succeeded', 'succeeded'],
    ]);
    expect(receiver.received[0].object).toMatchObject({ id: payment.id, paid: true, metadata: { bookingId: '42' } });
    expect(receiver.received[2].object).toMatchObject({ payment_id: payment.id, amount: rub('100.00') });
    expect(standIn.webhookDeliveries().map((d) => [d.trigger, d.status, d.ok])).toEqual([
      ['auto', 200, true],
      ['auto', 200, true],
      ['auto', 200, true],
    ]);
  });

  it('notifies payment.canceled when the bank declines', async () => {
    const payment = await createPayment();
    await standIn.decline(payment.id);

    expect(receiver.received).toEqual([
      {
        type: 'notification',
        event: 'payment.canceled',
        object: expect.objectContaining({ id: payment.id, status: 'canceled' }),
      },
    ]);
  });

  it('can lose a notification, then deliver it (and a duplicate) on demand', async () => {
    const payment = await createPayment();
    await standIn.pay(payment.id, { webhook: false });
    expect(receiver.received).toHaveLength(0);
    expect(standIn.payment(payment.id)?.status).toBe('succeeded');

    await standIn.deliverWebhook('payment.succeeded', payment.id);
    await standIn.deliverWebhook('payment.succeeded', payment.id);

    expect(receiver.received.map((n) => [n.event, n.object.id, n.object.status])).toEqual([
      ['payment.succeeded', payment.id, 'succeeded'],
      ['payment.succeeded', payment.id, 'succeeded'],
    ]);
    expect(standIn.webhookDeliveries().map((d) => [d.trigger, d.forged])).toEqual([
      ['manual', false],
      ['manual', false],
    ]);
  });

  it('sends nothing by itself when autoWebhooks is off', async () => {
    standIn.setAutoWebhooks(false);
    const payment = await createPayment();
    await standIn.pay(payment.id);
    await standIn.webhooksSettled();

    expect(receiver.received).toHaveLength(0);
    expect(standIn.webhookDeliveries()).toHaveLength(0);
  });

  it('sends a forged notification claiming success while the stored payment is still pending', async () => {
    const payment = await createPayment();

    const delivery = await standIn.deliverWebhook('payment.succeeded', payment.id, {
      override: { status: 'succeeded', paid: true },
    });

    expect(delivery).toMatchObject({ forged: true, ok: true, status: 200 });
    expect(receiver.received[0].object).toMatchObject({ id: payment.id, status: 'succeeded', paid: true });
    // The API still tells the truth, which is what our webhook handler must re-fetch.
    expect((await call('GET', `/payments/${payment.id}`)).body.status).toBe('pending');
  });

  it('records a receiver that answers 500 and one that cannot be reached', async () => {
    receiver.respondWith = 500;
    const payment = await createPayment();
    await standIn.pay(payment.id);
    standIn.setWebhookUrl('http://127.0.0.1:9/unreachable');
    await standIn.deliverWebhook('payment.succeeded', payment.id);

    const [refused, unreachable] = standIn.webhookDeliveries();
    expect(refused).toMatchObject({ status: 500, ok: false, event: 'payment.succeeded', url: receiver.url });
    expect(unreachable).toMatchObject({ ok: false, url: 'http://127.0.0.1:9/unreachable' });
    expect(unreachable.status).toBeUndefined();
    expect(unreachable.error).toEqual(expect.any(String));
  });
});

describe('YooKassa stand-in: injected faults', () => {
  it('500 before execution: nothing happens, and the retry with the same key creates the payment', async () => {
    standIn.injectFault({ method: 'POST', path: '/payments', respond: { status: 500 } });

    const failed = await call('POST', '/payments', { body: paymentBody(), key: 'retry-me' });
    expectError(failed, 500, 'internal_server_error');
    expect(standIn.payments()).toHaveLength(0);

    const retried = await call<Payment>('POST', '/payments', { body: paymentBody(), key: 'retry-me' });
    expect(retried.status).toBe(200);
    expect(standIn.payments()).toHaveLength(1);
  });

  it('500 after execution: the retry with the same key gets the original payment, not a second one', async () => {
    standIn.injectFault({ idempotenceKey: 'retry-me', executed: true, respond: { status: 500 } });

    const failed = await call('POST', '/payments', { body: paymentBody(), key: 'retry-me' });
    const retried = await call<Payment>('POST', '/payments', { body: paymentBody(), key: 'retry-me' });

    expect(failed.status).toBe(500);
    expect(standIn.payments()).toHaveLength(1);
    expect(retried.body.id).toBe(standIn.payments()[0].payment.id);
    expect(standIn.requests().map((r) => [r.status, r.fault, r.replayed])).toEqual([
      [500, 'status 500', false],
      [200, undefined, true],
    ]);
  });

  it('a timeout leaves the client without an answer, then the next call works', async () => {
    const payment = await succeededPayment();
    standIn.injectFault({ path: /^\/refunds$/, executed: true, respond: 'timeout', delayMs: 100 });

    await expect(
      call('POST', '/refunds', { body: { payment_id: payment.id, amount: rub('100.00') }, key: 'refund-timeout' }),
    ).rejects.toThrow();
    const retried = await call<Refund>('POST', '/refunds', {
      body: { payment_id: payment.id, amount: rub('100.00') },
      key: 'refund-timeout',
    });

    // The refund happened during the timed-out call; the retry only replays its answer.
    expect(retried.status).toBe(200);
    expect(standIn.refunds().map((r) => r.refund.id)).toEqual([retried.body.id]);
    expect(standIn.requests().slice(-2)).toMatchObject([
      { fault: 'timeout', status: null, replayed: false },
      { status: 200, replayed: true },
    ]);
  });

  it('injects 429 with Retry-After, and the rateLimit option answers 429 too_many_requests', async () => {
    standIn.injectFault({ method: 'GET', respond: { status: 429, retryAfterSeconds: 2 } });
    const injected = await call('GET', '/payments');
    expectError(injected, 429, 'too_many_requests');
    expect(injected.headers.get('retry-after')).toBe('2');
    expect((await call('GET', '/payments')).status).toBe(200);

    await restart({
      shopId: '100500',
      secretKey: 'test_secret',
      rateLimit: 2,
      now: () => new Date('2026-03-01T10:00:00Z'),
    });
    const statuses = [];
    for (let i = 0; i < 3; i += 1) statuses.push((await call('GET', '/payments')).status);
    expect(statuses).toEqual([200, 200, 429]);
  });
});
