/**
 * A fuzz pass over every custom route (the non-CRUD routes of docs/API.md, the member, bot and webhook endpoints,
 * our plugins' admin actions): malformed JSON, wrong types, oversized fields, body encodings, multipart variants,
 * unicode edge cases and path parameters that are not documentIds, sent by each identity that can reach the route
 * (and anonymously). For every answer: no 5xx; a 4xx is Strapi's error envelope; a refused request writes nothing
 * (bookings, tickets, ticket messages, payments, refunds, users and files are counted before and after).
 *
 * Cases come from a seeded generator (database/seed/prng.ts): a failure names its case id, and the same seed
 * (SECURITY_FUZZ_SEED, default below) sends the same bytes again.
 */
import http from 'http';
import { gzipSync, deflateSync } from 'zlib';
import type { Core } from '@strapi/strapi';
import { createRng, type Rng } from '../../database/seed/prng';
import { startYooKassaStandIn, type YooKassaStandIn } from '../stand-ins/yookassa/server';
import { startStrapi, type TestApp } from '../helpers/strapi';
import { SPACE_TIMEZONE, localDay } from '../helpers/booking-fixtures';
import { asService } from '../helpers/integrity';
import {
  routeSuiteEnv,
  countRows,
  createCatalogue,
  createIdentities,
  envelopeProblem,
  listen,
  memberAccount,
  nextNumber,
  type Catalogue,
  type Identities,
  type Identity,
} from './routes';

const SEED = process.env.SECURITY_FUZZ_SEED ?? 'route-fuzz-1';

// ---------------------------------------------------------------------------------------------------------------
// What a case is

interface FuzzCase {
  id: string;
  /** Replaces the route's path (path-parameter cases). */
  path?: string;
  query?: string;
  headers?: Record<string, string>;
  /** A JSON value (sent as application/json), or raw bytes with their own headers. */
  json?: unknown;
  raw?: Buffer | string;
}

/** A 1×1 PNG. */
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');

const LONG = 'x'.repeat(100_000);

/** 20 MB of JSON in about 20 kB of gzip: must be refused at the body limit, not inflated. */
const GZIP_BOMB = gzipSync(Buffer.from(`{"x":"${'0'.repeat(20 * 1024 * 1024)}"}`));

/** Values of the wrong type for any field. */
const WRONG_TYPES: Array<[string, unknown]> = [
  ['null', null],
  ['zero', 0],
  ['negative', -1],
  ['float', 1.5],
  ['huge-number', 1e308],
  ['true', true],
  ['empty-array', []],
  ['empty-object', {}],
  ['operator-object', { $ne: null }],
  ['proto-object', JSON.parse('{"__proto__":{"polluted":true}}')],
  ['empty-string', ''],
  ['blank-string', '   '],
  ['numeric-string', '12'],
  ['long-string', LONG],
];

/** Unicode edge cases, put into string fields. */
const UNICODE: Array<[string, string]> = [
  ['nul', 'a\u0000b'],
  ['lone-high-surrogate', 'a\ud800b'],
  ['lone-low-surrogate', '\udc00'],
  ['rtl-override', 'abc\u202Egnp.exe'],
  ['zero-width', '\u200B\u200C\u200D\uFEFF'],
  ['emoji', '👩‍👩‍👧‍👦🏳️‍🌈💥'],
  ['nfd', 'Cafe\u0301 Йо\u0308'],
  ['nfc', 'Café Ёж'],
  ['combining-flood', `a${'\u0301'.repeat(2000)}`],
  ['control-chars', '\u0001\u0007\u001b[31m\u007f'],
  ['line-separators', 'a\u2028b\u2029c\r\n'],
  ['sql-ish', "' OR 1=1 --"],
  ['html', '<script>alert(1)</script>'],
  ['fullwidth-digits', '１２３４５'],
];

/** Date-times for fields named startAt: out-of-range offsets and dates that are not dates. */
const DATE_TIMES: Array<[string, string]> = [
  ['offset+99', '2026-12-11T10:00:00+99:00'],
  ['offset-24', '2026-12-11T10:00:00-24:00'],
  ['offset+03:60', '2026-12-11T10:00:00+03:60'],
  ['year-9999', '9999-12-31T23:59:59Z'],
  ['year-0', '0000-01-01T00:00:00Z'],
  ['feb-30', '2026-02-30T10:00:00Z'],
  ['hour-25', '2026-12-11T25:00:00Z'],
  ['many-fraction-digits', '2026-12-11T10:00:00.1234567890123Z'],
  ['expanded-year', '+275760-09-13T00:00:00Z'],
  ['no-zone', '2026-12-11T10:00:00'],
];

/** Path parameters that are not documentIds. */
const BAD_IDS: Array<[string, string]> = [
  ['word', 'not-an-id'],
  ['numeric', '1'],
  ['negative', '-1'],
  ['uppercase-24', 'A'.repeat(24)],
  ['25-chars', 'a'.repeat(25)],
  ['unknown-valid-shape', 'zzzzzzzzzzzzzzzzzzzzzzzz'],
  ['percent-nul', 'abc%00def'],
  ['encoded-slash-traversal', '..%2F..%2Fadmin'],
  ['bad-percent-encoding', '%E0%A4%A'],
  ['lone-percent', '%'],
  ['object-string', '[object Object]'],
  ['null-word', 'null'],
  ['sql-ish', "1'%20OR%20'1'='1"],
  ['cyrillic', '%D0%B8%D0%B4'],
  ['emoji', '%F0%9F%92%A5'],
  ['long', 'a'.repeat(2000)],
];

/** A string of `length` characters drawn from awkward code points (deterministic for the seed). */
function awkwardString(rng: Rng, length: number): string {
  const pools = ['a', 'Я', '\u0000', '\u202E', '\ud83d\udca5', '\u0301', '"', '\\', '\n', '\ufffd', '\ud800', '%', '{'];
  return Array.from({ length }, () => rng.pick(pools)).join('');
}

const nested = (depth: number): unknown => {
  let value: unknown = 'deep';
  for (let i = 0; i < depth; i += 1) value = { a: value };
  return value;
};

function multipart(parts: Array<{ name: string; value?: string; filename?: string; type?: string; data?: Buffer }>, boundary: string): Buffer {
  const chunks: Buffer[] = [];
  for (const part of parts) {
    const disposition = `form-data; name="${part.name}"${part.filename !== undefined ? `; filename="${part.filename}"` : ''}`;
    const head = `--${boundary}\r\nContent-Disposition: ${disposition}\r\n${part.type ? `Content-Type: ${part.type}\r\n` : ''}\r\n`;
    chunks.push(Buffer.from(head), part.data ?? Buffer.from(part.value ?? ''), Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return Buffer.concat(chunks);
}

/** Body-level cases for a route whose valid JSON body is `template`. */
function bodyCases(rng: Rng, template: Record<string, unknown>, { multipartFields = false } = {}): FuzzCase[] {
  const cases: FuzzCase[] = [];
  const raw = (id: string, body: Buffer | string, headers: Record<string, string>) => cases.push({ id, raw: body, headers });
  const asJson = { 'Content-Type': 'application/json' };
  const valid = JSON.stringify(template);

  // malformed JSON
  for (const [id, text] of [
    ['open-brace', '{'],
    ['unterminated', '{"a":'],
    ['unquoted-key', '{a:1}'],
    ['single-quotes', "{'a':1}"],
    ['trailing-brace', `${valid}}`],
    ['trailing-comma', '{"a":1,}'],
    ['bare-word', 'nul'],
    ['nan', 'NaN'],
    ['huge-exponent', '1e999999'],
    ['nul-byte', '\u0000'],
    ['empty', ''],
    ['whitespace', ' \n\t '],
    ['bom', `\ufeff${valid}`],
    ['duplicate-keys', valid.replace(/^\{/, '{"x":1,"x":[],')],
    ['raw-invalid-utf8', Buffer.concat([Buffer.from('{"a":"'), Buffer.from([0xc0, 0xaf, 0xff, 0xfe]), Buffer.from('"}')])],
    ['raw-lone-surrogate-escape', '{"a":"\\ud800"}'],
  ] as Array<[string, string | Buffer]>) {
    raw(`malformed-json:${id}`, text, asJson);
  }

  // whole-body wrong types
  for (const [id, value] of [['array', [template]], ['null', null], ['number', 42], ['string', 'hello'], ['true', true]] as Array<[string, unknown]>) {
    raw(`body-type:${id}`, JSON.stringify(value), asJson);
  }

  // field by field: wrong types, unicode, date-times, missing, and an unknown field
  for (const field of Object.keys(template)) {
    for (const [id, value] of WRONG_TYPES) cases.push({ id: `type:${field}=${id}`, json: { ...template, [field]: value } });
    if (typeof template[field] === 'string') {
      // Six of the unicode cases per field, drawn by the seeded generator (every field still meets NUL and a lone surrogate).
      const drawn = new Set(['nul', 'lone-high-surrogate']);
      while (drawn.size < 6) drawn.add(rng.pick(UNICODE)[0]);
      for (const [id, value] of UNICODE.filter(([name]) => drawn.has(name))) cases.push({ id: `unicode:${field}=${id}`, json: { ...template, [field]: value } });
      cases.push({ id: `unicode:${field}=awkward`, json: { ...template, [field]: awkwardString(rng, rng.int(1, 300)) } });
    }
    if (/At$/.test(field)) for (const [id, value] of DATE_TIMES) cases.push({ id: `datetime:${field}=${id}`, json: { ...template, [field]: value } });
    const { [field]: _omitted, ...rest } = template;
    cases.push({ id: `missing:${field}`, json: rest });
    cases.push({ id: `nested:${field}`, json: { ...template, [field]: nested(50) } });
  }
  cases.push({ id: 'unknown-field', json: { ...template, role: 1, isBanned: false, priceTotal: 1, member: 1 } });

  // oversized (all within the 256 kB JSON limit, but one)
  // Written as text: JSON.stringify itself runs out of stack on 5 000 levels inside jest.
  const deep = `${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}`;
  raw('oversize:deep-nesting', valid === '{}' ? `{"x":${deep}}` : `${valid.slice(0, -1)},"x":${deep}}`, asJson);
  raw('oversize:deep-array-nesting', `${'['.repeat(20000)}${']'.repeat(20000)}`, asJson);
  cases.push({ id: 'oversize:huge-array', json: { ...template, x: Array.from({ length: 50_000 }, (_, i) => i % 10) } });
  cases.push({ id: 'oversize:many-keys', json: Object.fromEntries(Array.from({ length: 10_000 }, (_, i) => [`k${i}`, i])) });
  cases.push({ id: 'oversize:over-256kb', json: { ...template, x: 'y'.repeat(300 * 1024) } });

  // encodings
  raw('encoding:gzip-garbage', Buffer.from('this is not gzip at all'), { ...asJson, 'Content-Encoding': 'gzip' });
  raw('encoding:deflate-garbage', Buffer.from([0x01, 0x02, 0x03, 0x04, 0x05]), { ...asJson, 'Content-Encoding': 'deflate' });
  raw('encoding:br-garbage', Buffer.from('not brotli'), { ...asJson, 'Content-Encoding': 'br' });
  raw('encoding:unknown', valid, { ...asJson, 'Content-Encoding': 'x-fuzz-unknown' });
  raw('encoding:gzip-truncated', gzipSync(Buffer.from(valid)).subarray(0, 12), { ...asJson, 'Content-Encoding': 'gzip' });
  raw('encoding:gzip-valid', gzipSync(Buffer.from(valid)), { ...asJson, 'Content-Encoding': 'gzip' });
  raw('encoding:deflate-valid', deflateSync(Buffer.from(valid)), { ...asJson, 'Content-Encoding': 'deflate' });
  raw('encoding:gzip-bomb', GZIP_BOMB, { ...asJson, 'Content-Encoding': 'gzip' });
  raw('encoding:double-gzip-header', gzipSync(Buffer.from(valid)), { ...asJson, 'Content-Encoding': 'gzip, gzip' });
  raw('content-type:text-plain', valid, { 'Content-Type': 'text/plain' });
  raw('content-type:xml', '<a>1</a>', { 'Content-Type': 'application/xml' });
  raw('content-type:urlencoded', 'a=1&a[b]=2&__proto__[x]=1', { 'Content-Type': 'application/x-www-form-urlencoded' });
  raw('content-type:octet-stream', PNG, { 'Content-Type': 'application/octet-stream' });
  raw('content-type:none', valid, {});
  raw('content-type:garbage', valid, { 'Content-Type': '%%%;;;===' });
  raw('charset:utf-16', Buffer.from(valid, 'utf16le'), { 'Content-Type': 'application/json; charset=utf-16' });
  raw('charset:unknown', valid, { 'Content-Type': 'application/json; charset=x-fuzz-unknown' });
  raw('charset:latin1-bytes', Buffer.from('{"a":"\xe9\xe8"}', 'latin1'), { 'Content-Type': 'application/json; charset=iso-8859-1' });

  // multipart variants (to JSON routes too: they must refuse them cleanly)
  const textFields = Object.entries(template)
    .filter(([, value]) => typeof value === 'string')
    .map(([name, value]) => ({ name, value: value as string }));
  const boundary = `fuzz${rng.int(100000, 999999)}`;
  const form = (parts: Parameters<typeof multipart>[0]) => multipart(parts, boundary);
  const mp = { 'Content-Type': `multipart/form-data; boundary=${boundary}` };
  const pngPart = (name: string, filename = 'photo.png') => ({ name, filename, type: 'image/png', data: PNG });
  raw('multipart:no-boundary', form([...textFields, pngPart('attachments')]), { 'Content-Type': 'multipart/form-data' });
  raw('multipart:wrong-boundary', form([...textFields]), { 'Content-Type': 'multipart/form-data; boundary=other' });
  raw('multipart:truncated', form([...textFields, pngPart('attachments')]).subarray(0, 60 + textFields.length * 40), mp);
  raw('multipart:truncated-in-header', Buffer.from(`--${boundary}\r\nContent-Disposition: form-da`), mp);
  raw('multipart:empty', Buffer.alloc(0), mp);
  raw('multipart:many-parts', form(Array.from({ length: 1500 }, (_, i) => ({ name: `f${i}`, value: 'v' }))), mp);
  raw('multipart:duplicate-fields', form([...textFields, ...textFields]), mp);
  for (const name of ['data', 'files', '', 'attachments[0][x]', '../../etc/passwd', 'files.attachments', 'a'.repeat(5000), '__proto__']) {
    raw(`multipart:file-under:${name.slice(0, 30)}`, form([...textFields, pngPart(name)]), mp);
  }
  raw('multipart:filename-traversal', form([...textFields, pngPart('attachments', '../../../evil.png')]), mp);
  raw('multipart:filename-nul', form([...textFields, pngPart('attachments', 'a\u0000.html')]), mp);
  raw('multipart:html-as-png', form([...textFields, { name: 'attachments', filename: 'x.png', type: 'image/png', data: Buffer.from('<html><script>1</script></html>') }]), mp);
  raw('multipart:empty-file', form([...textFields, { name: 'attachments', filename: 'x.png', type: 'image/png', data: Buffer.alloc(0) }]), mp);
  raw('multipart:six-files', form([...textFields, ...Array.from({ length: 6 }, () => pngPart('attachments'))]), mp);
  if (multipartFields) raw('multipart:valid-with-photo', form([...textFields, pngPart('attachments')]), mp);

  return cases;
}

const queryCases = (valid: Record<string, string>): FuzzCase[] => {
  const cases: FuzzCase[] = [];
  const qs = (params: Record<string, string>) => Object.entries(params).map(([k, v]) => `${k}=${v}`).join('&');
  for (const field of Object.keys(valid)) {
    const other = Object.fromEntries(Object.entries(valid).filter(([k]) => k !== field));
    for (const [id, value] of [
      ['array', `${valid[field]}&${field}=${valid[field]}`],
      ['bracket-array', null],
      ['operator', null],
      ['empty', ''],
      ['nul', '%00'],
      ['bad-percent', '%E0%A4%A'],
      ['long', 'a'.repeat(5000)],
      ['unicode', '%E2%80%AE%F0%9F%92%A5'],
      ['negative', '-1'],
      ['huge', '99999999999999999999'],
    ] as Array<[string, string | null]>) {
      if (id === 'bracket-array') cases.push({ id: `query:${field}=${id}`, query: `${qs(other)}&${field}[]=a&${field}[]=b` });
      else if (id === 'operator') cases.push({ id: `query:${field}=${id}`, query: `${qs(other)}&${field}[$ne]=x` });
      else cases.push({ id: `query:${field}=${id}`, query: qs({ ...other, [field]: value! }) });
    }
  }
  cases.push({ id: 'query:deep-object', query: `${qs(valid)}&a${'[a]'.repeat(50)}=1` });
  cases.push({ id: 'query:many-params', query: `${qs(valid)}&${Array.from({ length: 2000 }, (_, i) => `p${i}=1`).join('&')}` });
  cases.push({ id: 'query:unknown-param', query: `${qs(valid)}&populate=*&filters[member][id][$gt]=0` });
  return cases;
};

interface RawAnswer {
  status: number;
  text: string;
}

/**
 * Sends exactly these bytes (supertest re-encodes a Buffer sent as JSON, so a valid gzip body would arrive broken).
 */
function rawRequest(base: string, method: string, path: string, headers: Record<string, string>, body?: Buffer): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const req = http.request(`${base}${path}`, { method, headers: { ...headers, ...(body ? { 'Content-Length': String(body.length) } : {}) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

// ---------------------------------------------------------------------------------------------------------------
// The targets

interface Target {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH';
  /** With `:id` where a documentId goes. */
  path: string;
  identities: Identity[];
  /** The documentId put into the path (a fixture), when the path has one. */
  id?: () => Promise<string>;
  body?: () => Record<string, unknown>;
  query?: Record<string, string>;
  multipart?: boolean;
  headers?: () => Record<string, string>;
}

describe('route fuzz: malformed, oversized and odd input to every custom route', () => {
  let app: TestApp;
  let yookassa: YooKassaStandIn;
  let ids: Identities;
  let catalogue: Catalogue;
  let baseUrl: string;

  beforeAll(async () => {
    yookassa = await startYooKassaStandIn({ shopId: '100500', secretKey: 'test_secret', autoWebhooks: false });
    app = await startStrapi({
      ...routeSuiteEnv(yookassa.url, SPACE_TIMEZONE),
      // This file alone turns every rate limit off: it sends a few thousand requests as a handful of members from
      // one address, and the limits themselves are tested elsewhere (tests/security). users-permissions' own
      // /api/auth/* limiter likewise.
      RATE_LIMITS_ENABLED: 'false',
      AUTH_RATELIMIT_ENABLED: 'false',
    });
    baseUrl = await listen(app.strapi);
    ids = await createIdentities(app.strapi);
    catalogue = await createCatalogue(app.strapi);
  });

  afterAll(async () => {
    await app?.stop();
    await yookassa?.close();
  });

  const member = () => ids.accounts.member;
  const booking = (state: 'pending_payment' | 'awaiting_confirmation' | 'confirmed') => async () => (await catalogue.booking(member(), state)).documentId;
  const ticket = async () => (await catalogue.ticket(member())).documentId;
  const startAt = () => catalogue.freeStart();
  const newsletter = async () =>
    (
      await asService(app.strapi, () =>
        app.strapi.documents('api::newsletter.newsletter').create({
          data: { title: 'Fuzz', body: 'Hello, members', channels: ['telegram'], segment: 'all', segmentParams: {}, state: 'draft' } as never,
        }),
      )
    ).documentId;

  const TARGETS: Record<string, Target> = {
    'POST /api/auth/telegram': { method: 'POST', path: '/api/auth/telegram', identities: ['anonymous', 'bot'], body: () => ({ telegramId: member().telegramId, username: 'fuzz', language: 'ru' }) },
    'POST /api/auth/telegram (initData)': { method: 'POST', path: '/api/auth/telegram', identities: ['anonymous'], body: () => ({ initData: 'query_id=AA&user=%7B%22id%22%3A1%7D&auth_date=1&hash=00' }) },
    'POST /api/auth/telegram/bot-status': { method: 'POST', path: '/api/auth/telegram/bot-status', identities: ['bot'], body: () => ({ telegramId: member().telegramId, blocked: false }) },
    'POST /api/auth/refresh': { method: 'POST', path: '/api/auth/refresh', identities: ['anonymous'], body: () => ({ refreshToken: 'not-a-refresh-token' }) },
    'PUT /api/profile': {
      method: 'PUT',
      path: '/api/profile',
      identities: ['member', 'bannedMember', 'fullAccessToken'],
      body: () => ({ fullName: 'Анна Тестова', phone: '+7 900 123-45-67', email: 'fuzz-profile@example.com', consentTerms: true, consentMarketing: false, language: 'ru' }),
    },
    'GET /api/availability': { method: 'GET', path: '/api/availability', identities: ['anonymous'], query: {} },
    'POST /api/bookings/quote': { method: 'POST', path: '/api/bookings/quote', identities: ['member'], body: () => ({ tariff: catalogue.tariff.documentId, startAt: startAt(), units: 1, promocode: 'NOPE' }) },
    'POST /api/bookings': {
      method: 'POST',
      path: '/api/bookings',
      identities: ['member', 'bannedMember'],
      body: () => ({ tariff: catalogue.tariff.documentId, startAt: startAt(), units: 1 }),
      headers: () => ({ 'Idempotency-Key': `fuzz-${process.pid}-${nextNumber()}` }),
    },
    'GET /api/bookings/mine': { method: 'GET', path: '/api/bookings/mine', identities: ['member'], query: { status: 'confirmed,pending_payment', when: 'upcoming', page: '1', pageSize: '10' } },
    'POST /api/bookings/:id/cancel': { method: 'POST', path: '/api/bookings/:id/cancel', identities: ['member', 'otherMember'], id: booking('confirmed'), body: () => ({ reason: 'Plans changed' }) },
    'POST /api/bookings/:id/reschedule': { method: 'POST', path: '/api/bookings/:id/reschedule', identities: ['member', 'otherMember'], id: booking('confirmed'), body: () => ({ startAt: startAt() }) },
    'POST /api/bookings/:id/pay': { method: 'POST', path: '/api/bookings/:id/pay', identities: ['member'], id: booking('pending_payment'), body: () => ({}) },
    'POST /api/tickets': { method: 'POST', path: '/api/tickets', identities: ['member', 'bannedMember'], body: () => ({ subject: 'Printer jammed', body: 'It ate my page', priority: 'normal' }), multipart: true },
    'GET /api/tickets/mine': { method: 'GET', path: '/api/tickets/mine', identities: ['member'], query: { status: 'open', page: '1', pageSize: '10' } },
    'GET /api/tickets/:id': { method: 'GET', path: '/api/tickets/:id', identities: ['member', 'otherMember', 'readOnlyToken'], id: ticket },
    'POST /api/tickets/:id/messages': { method: 'POST', path: '/api/tickets/:id/messages', identities: ['member', 'otherMember'], id: ticket, body: () => ({ body: 'Any news?' }), multipart: true },
    'POST /api/yookassa/webhook': {
      method: 'POST',
      path: '/api/yookassa/webhook',
      identities: ['anonymous'],
      body: () => ({ type: 'notification', event: 'payment.succeeded', object: { id: 'fuzz-unknown-payment', status: 'succeeded' } }),
    },
    'POST /booking-desk/bookings/:id/confirm': { method: 'POST', path: '/booking-desk/bookings/:id/confirm', identities: ['manager'], id: booking('awaiting_confirmation'), body: () => ({ reason: 'ok' }) },
    'POST /booking-desk/bookings/:id/reject': { method: 'POST', path: '/booking-desk/bookings/:id/reject', identities: ['manager'], id: booking('awaiting_confirmation'), body: () => ({ reason: 'no' }) },
    'POST /booking-desk/bookings/:id/cancel': { method: 'POST', path: '/booking-desk/bookings/:id/cancel', identities: ['manager'], id: booking('confirmed'), body: () => ({ reason: 'closed', refund: 'none' }) },
    'POST /booking-desk/bookings/:id/mark-paid': { method: 'POST', path: '/booking-desk/bookings/:id/mark-paid', identities: ['manager'], id: booking('pending_payment'), body: () => ({ reason: 'cash' }) },
    'POST /booking-desk/bookings/:id/reschedule': { method: 'POST', path: '/booking-desk/bookings/:id/reschedule', identities: ['manager'], id: booking('confirmed'), body: () => ({ startAt: startAt(), reason: 'moved' }) },
    'POST /booking-desk/bookings/:id/price': { method: 'POST', path: '/booking-desk/bookings/:id/price', identities: ['manager'], id: booking('awaiting_confirmation'), body: () => ({ priceTotal: 50000, reason: 'goodwill' }) },
    'GET /booking-desk/members': { method: 'GET', path: '/booking-desk/members', identities: ['manager', 'support'], query: { q: 'Анна', page: '1', pageSize: '20' } },
    'GET /booking-desk/members/:id': { method: 'GET', path: '/booking-desk/members/:id', identities: ['manager', 'support'], id: async () => member().documentId },
    // Each accepted ban / message meets a member of its own, so the shared member stays usable by other targets.
    'POST /booking-desk/members/:id/ban': { method: 'POST', path: '/booking-desk/members/:id/ban', identities: ['manager', 'support'], id: async () => (await memberAccount(app.strapi)).documentId, body: () => ({ reason: 'fuzz' }) },
    'POST /booking-desk/members/:id/unban': { method: 'POST', path: '/booking-desk/members/:id/unban', identities: ['manager'], id: async () => (await memberAccount(app.strapi, { banned: true })).documentId, body: () => ({ reason: 'fuzz' }) },
    'POST /booking-desk/members/:id/message': { method: 'POST', path: '/booking-desk/members/:id/message', identities: ['manager', 'support'], id: async () => (await memberAccount(app.strapi)).documentId, body: () => ({ text: 'Hello from the desk' }) },
    'POST /booking-desk/members/:id/notes': { method: 'POST', path: '/booking-desk/members/:id/notes', identities: ['manager', 'support'], id: async () => member().documentId, body: () => ({ body: 'A note' }) },
    'GET /booking-desk/calendar': { method: 'GET', path: '/booking-desk/calendar', identities: ['manager', 'support'], query: { from: localDay(2), to: localDay(8), state: 'confirmed,cancelled' } },
    'GET /booking-desk/calendar/bookings/:id': { method: 'GET', path: '/booking-desk/calendar/bookings/:id', identities: ['manager', 'support'], id: booking('confirmed') },
    'GET /booking-desk/home': { method: 'GET', path: '/booking-desk/home', identities: ['manager', 'support'] },
    'POST /booking-desk/bookings': {
      method: 'POST',
      path: '/booking-desk/bookings',
      identities: ['manager', 'support'],
      body: () => ({ member: member().documentId, tariff: catalogue.tariff.documentId, startAt: startAt(), units: 1, comment: 'fuzz' }),
    },
    'POST /booking-desk/bookings/quote': { method: 'POST', path: '/booking-desk/bookings/quote', identities: ['manager'], body: () => ({ tariff: catalogue.tariff.documentId, startAt: startAt(), units: 1 }) },
    'GET /booking-desk/tickets': { method: 'GET', path: '/booking-desk/tickets', identities: ['support'], query: { state: 'waiting', priority: 'high', assignee: 'me', q: 'wifi', page: '1', pageSize: '20' } },
    'GET /booking-desk/tickets/:id': { method: 'GET', path: '/booking-desk/tickets/:id', identities: ['support'], id: ticket },
    'POST /booking-desk/tickets/:id/reply': { method: 'POST', path: '/booking-desk/tickets/:id/reply', identities: ['support'], id: ticket, body: () => ({ body: 'We are on it' }), multipart: true },
    'PATCH /booking-desk/tickets/:id': { method: 'PATCH', path: '/booking-desk/tickets/:id', identities: ['support'], id: ticket, body: () => ({ state: 'in_progress', priority: 'high' }) },
    // Newsletters page (plugins/newsletter): Telegram and e-mail are not configured here, so a valid send or test answers 422.
    'POST /newsletter/newsletters': {
      method: 'POST',
      path: '/newsletter/newsletters',
      identities: ['manager', 'marketing'],
      body: () => ({ title: 'Fuzz news', channels: ['telegram'], body: '<b>Hello</b>, {{firstName}}', buttons: [{ text: 'Site', url: 'https://example.com' }], audience: { segment: 'new', params: { days: 7 } } }),
    },
    'PUT /newsletter/newsletters/:id': { method: 'PUT', path: '/newsletter/newsletters/:id', identities: ['marketing'], id: newsletter, body: () => ({ title: 'Fuzz edited', audience: { segment: 'vip', params: { minBookings: 3 } } }) },
    'POST /newsletter/newsletters/:id/media': { method: 'POST', path: '/newsletter/newsletters/:id/media', identities: ['marketing'], id: newsletter, body: () => ({ files: 'not-a-file' }), multipart: true },
    'POST /newsletter/audience/preview': {
      method: 'POST',
      path: '/newsletter/audience/preview',
      identities: ['marketing'],
      body: () => ({ audience: { segment: 'tariff', params: { tariffs: [catalogue.tariff.documentId], from: localDay(-30), to: localDay(0) } }, channels: ['telegram', 'email'] }),
    },
    'POST /newsletter/newsletters/:id/test': { method: 'POST', path: '/newsletter/newsletters/:id/test', identities: ['marketing'], id: newsletter, body: () => ({ telegramId: '100200300', email: 'fuzz@example.com' }) },
    'POST /newsletter/newsletters/:id/send': { method: 'POST', path: '/newsletter/newsletters/:id/send', identities: ['manager'], id: newsletter, body: () => ({ scheduledAt: new Date(Date.now() + 86_400_000).toISOString() }) },
    'GET /newsletter/newsletters/:id/deliveries': { method: 'GET', path: '/newsletter/newsletters/:id/deliveries', identities: ['marketing'], id: newsletter, query: { status: 'failed', channel: 'telegram', page: '1', pageSize: '20' } },
    'PUT /newsletter/settings/me': { method: 'PUT', path: '/newsletter/settings/me', identities: ['marketing'], body: () => ({ telegramId: '100200300' }) },
    'POST /newsletter/templates': { method: 'POST', path: '/newsletter/templates', identities: ['marketing'], body: () => ({ name: 'Fuzz', subject: 'Hi', html: '<p>Hello, {{firstName}}</p>' }) },
    'POST /api/newsletter/u/:id': { method: 'POST', path: '/api/newsletter/u/:id', identities: ['anonymous'], id: async () => 'not-a-token', body: () => ({ 'List-Unsubscribe': 'One-Click' }) },
    'POST /yookassa/payments/:id/refund': { method: 'POST', path: '/yookassa/payments/:id/refund', identities: ['manager'], id: async () => (await catalogue.payment(member())).documentId, body: () => ({ amount: 100, reason: 'goodwill' }) },
  };

  /** Sends one case; returns the answer's status and a problem description, or null when the answer is acceptable. */
  async function run(strapi: Core.Strapi, target: Target, identity: Identity, fuzz: FuzzCase, path: string): Promise<{ status: number; problem: string | null }> {
    const url = `${fuzz.path ?? path}${fuzz.query !== undefined ? `?${fuzz.query}` : ''}`;
    const headers: Record<string, string> = { ...target.headers?.(), ...fuzz.headers };
    const bearer = ids.bearer[identity];
    if (bearer) headers.Authorization = `Bearer ${bearer}`;
    let body: Buffer | undefined;
    if (fuzz.raw !== undefined) body = Buffer.isBuffer(fuzz.raw) ? fuzz.raw : Buffer.from(fuzz.raw);
    else if (fuzz.json !== undefined) {
      body = Buffer.from(JSON.stringify(fuzz.json));
      headers['Content-Type'] = 'application/json';
    }

    const before = await countRows(strapi);
    let res: RawAnswer;
    try {
      res = await rawRequest(baseUrl, target.method, url, headers, body);
    } catch (error) {
      return { status: 0, problem: `${fuzz.id}: no HTTP answer (${(error as Error).message})` };
    }
    const fail = (problem: string) => ({ status: res.status, problem: `${fuzz.id}: ${problem}` });
    if (res.status >= 500) return fail(`${res.status} ${res.text.slice(0, 200)}`);
    if (res.status >= 400) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(res.text);
      } catch {
        parsed = undefined;
      }
      const problem = envelopeProblem(res.status, parsed);
      if (problem) return fail(`${res.status} not in the error envelope (${problem}): ${res.text.slice(0, 200)}`);
      const after = await countRows(strapi);
      const changed = Object.keys(before).filter((table) => before[table as keyof typeof before] !== after[table as keyof typeof after]);
      if (changed.length > 0) return fail(`${res.status} but wrote to ${changed.join(', ')}`);
    }
    return { status: res.status, problem: null };
  }

  const plan = () =>
    Object.entries(TARGETS).flatMap(([name, target]) => target.identities.map((identity) => ({ name: `${name} as ${identity}`, key: name, identity })));

  it.each(plan())('$name: no 5xx, refusals in the error envelope, nothing written', async ({ key, identity }) => {
    const target = TARGETS[key];
    const rng = createRng(`${SEED}:${key}:${identity}`);
    let fuzzCases: FuzzCase[] = [];
    if (target.body) fuzzCases.push(...bodyCases(rng, target.body(), { multipartFields: target.multipart }));
    if (target.query) {
      const query = key === 'GET /api/availability' ? { tariff: catalogue.tariff.documentId, date: localDay(2) } : target.query;
      fuzzCases.push(...queryCases(query));
    }
    if (target.id) for (const [id, value] of BAD_IDS) fuzzCases.push({ id: `path:${id}`, path: target.path.replace(':id', value), json: target.body?.() });
    // The first identity gets every case; the others the ones that act before or at authorisation (body parsing,
    // encodings, multipart, path parameters), which is where a caller's identity changes the code path.
    if (identity !== target.identities[0]) fuzzCases = fuzzCases.filter((fuzz) => /^(malformed-json|body-type|encoding|content-type|charset|multipart|path|oversize):/.test(fuzz.id));

    const problems: string[] = [];
    let documentId = target.id ? await target.id() : undefined;
    for (const fuzz of fuzzCases) {
      const { status, problem } = await run(app.strapi, target, identity, fuzz, documentId ? target.path.replace(':id', documentId) : target.path);
      if (problem) problems.push(problem);
      // A case the route accepted may have changed its document (cancelled, paid, moved): the next case gets a fresh one.
      if (target.id && status >= 200 && status < 300) documentId = await target.id();
    }
    expect(problems).toEqual([]);
  });
});
