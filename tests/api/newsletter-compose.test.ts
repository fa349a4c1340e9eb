/**
 * Composing newsletters through the admin API against the real server (docs/NEWSLETTERS.md, Composing; issue 15):
 * create / edit / delete, every refusal of "Bad input and safety" that is about composing and starting (each a 4xx
 * that changes nothing in the database), images checked by content before they are stored, the recipient preview
 * of every segment against seeded members, bookings and payments, the start of a run (state changes with audit
 * rows; the recipients materialised once, link rows included), settings, templates, a test send through the
 * Telegram stand-in, and who may do what.
 */
import fs from 'fs';
import path from 'path';
import request from 'supertest';
import { adminLogin, createStaffUser } from '../helpers/auth';
import { blackPng, png } from '../helpers/images';
import { startStrapi, type TestApp } from '../helpers/strapi';
import { startTelegramStandIn, type TelegramStandIn } from '../stand-ins/telegram/server';

const NEWSLETTER_UID = 'api::newsletter.newsletter';
const DELIVERY_UID = 'api::newsletter-delivery.newsletter-delivery';
const AUDIT_UID = 'api::audit-log.audit-log';
const FILE_UID = 'plugin::upload.file';
const USER_UID = 'plugin::users-permissions.user';
const BOOKING_UID = 'api::booking.booking';
const PAYMENT_UID = 'api::payment.payment';
const REFUND_UID = 'api::refund.refund';
const TARIFF_UID = 'api::tariff.tariff';
const UPLOADS_DIR = path.resolve(__dirname, '..', '..', 'public', 'uploads');
const IMAGE_MAX_BYTES = 300_000;
const DAY = 86_400_000;

describe('newsletters: compose, audience, start', () => {
  let app: TestApp;
  let telegram: TelegramStandIn;
  const tokens: Record<'manager' | 'reader' | 'support', string> = {} as never;
  const http = () => request(app.strapi.server.httpServer);
  const as = (who: keyof typeof tokens) => ({ Authorization: `Bearer ${tokens[who]}` });
  const db = (uid: string) => app.strapi.db.query(uid as never);
  const members: Record<string, number> = {};
  let tariffDoc: string;
  const localDate = (offsetDays: number) => new Date(Date.now() + offsetDays * DAY + 3 * 3600_000).toISOString().slice(0, 10);

  /** Everything a refusal must leave alone. */
  const snapshot = async () => ({
    newsletters: await db(NEWSLETTER_UID).findMany({ orderBy: { id: 'asc' }, populate: { media: true } }),
    deliveries: await db(DELIVERY_UID).count(),
    audits: await db(AUDIT_UID).count({ where: { subjectType: NEWSLETTER_UID } }),
    files: await db(FILE_UID).count(),
    uploads: fs.existsSync(UPLOADS_DIR) ? fs.readdirSync(UPLOADS_DIR).length : 0,
  });

  async function seedMember(name: string, data: Record<string, unknown>): Promise<number> {
    const row = await db(USER_UID).create({
      data: {
        username: `nl-${name}-${process.pid}`,
        email: `${name}@example.com`,
        provider: 'telegram',
        confirmed: true,
        fullName: `${name[0].toUpperCase()}${name.slice(1)} Testova`,
        language: 'ru',
        consentTerms: true,
        consentMarketing: true,
        isBanned: false,
        botBlocked: false,
        successfulBookings: 0,
        registeredAt: new Date(Date.now() - 100 * DAY),
        publishedAt: new Date(),
        ...data,
      },
    });
    members[name] = row.id;
    return row.id;
  }

  async function seedBooking(member: string, state: string, startAt: Date, createdAt: Date): Promise<void> {
    const row = await db(BOOKING_UID).create({
      data: { state, startAt, endAt: new Date(startAt.getTime() + 3600_000), units: 1, priceBase: 0, priceTotal: 0, member: members[member], tariff: tariffId, publishedAt: new Date() },
    });
    await db(BOOKING_UID).update({ where: { id: row.id }, data: { createdAt } });
  }

  let tariffId: number;

  async function create(body: Record<string, unknown>, who: keyof typeof tokens = 'manager') {
    return http().post('/newsletter/newsletters').set(as(who)).send(body);
  }

  async function draft(body: Record<string, unknown> = {}): Promise<string> {
    const res = await create({ title: 'Closure on Friday', channels: ['telegram'], body: '<b>Closed</b> on Friday, {{firstName}}.', ...body });
    expect(res.status).toBe(201);
    return res.body.data.documentId;
  }

  const upload = (documentId: string, files: Array<{ bytes: Buffer; name: string; type?: string }>) => {
    const req = http().post(`/newsletter/newsletters/${documentId}/media`).set(as('manager'));
    for (const file of files) req.attach('files', file.bytes, { filename: file.name, contentType: file.type ?? 'image/png' });
    return req;
  };

  const preview = async (audience: unknown, channels: string[] = ['telegram'], serviceNotice = false) => {
    const res = await http().post('/newsletter/audience/preview').set(as('manager')).send({ audience, channels, serviceNotice });
    expect(res.status).toBe(200);
    return res.body.data as { count: number; byChannel: { telegram: number; email: number } };
  };

  beforeAll(async () => {
    telegram = await startTelegramStandIn({ rateLimits: false });
    app = await startStrapi({
      BOT_TOKEN: telegram.token,
      TELEGRAM_API_ROOT: telegram.apiRoot,
      NEWSLETTER_WORKER: 'false',
      OUTBOX_WORKER: 'false',
      NEWSLETTER_IMAGE_MAX_BYTES: String(IMAGE_MAX_BYTES),
      SMTP_HOST: '',
      EMAIL_PROVIDER: '',
    });
    const manager = await createStaffUser(app.strapi, 'coworking-manager');
    tokens.manager = await adminLogin(app.strapi, manager.email);
    const support = await createStaffUser(app.strapi, 'coworking-support');
    tokens.support = await adminLogin(app.strapi, support.email);
    // A role that may see newsletters but not compose them.
    const role = await app.strapi.service('admin::role').create({ name: `Newsletter readers ${process.pid}`, description: 'read only' });
    await app.strapi.service('admin::role').assignPermissions(role.id, [{ action: 'plugin::newsletter.read', subject: null, properties: {}, conditions: [] }]);
    const reader = await createStaffUser(app.strapi, role.code);
    tokens.reader = await adminLogin(app.strapi, reader.email);

    const tariff = await db(TARIFF_UID).create({ data: { name: 'Open space day', slug: `nl-day-${process.pid}`, billingUnit: 'day', price: 100_000, publishedAt: new Date() } });
    tariffId = tariff.id;
    tariffDoc = tariff.documentId;

    // Given members of every kind (Telegram ids 7100…).
    await seedMember('anna', { telegramId: '7101', successfulBookings: 3 }); // active, VIP by bookings
    await seedMember('boris', { telegramId: '7102', registeredAt: new Date(Date.now() - 2 * DAY) }); // new
    await seedMember('vera', { telegramId: null }); // e-mail only; booked long ago
    await seedMember('gleb', { telegramId: '7104', isBanned: true, successfulBookings: 9 }); // banned
    await seedMember('dasha', { telegramId: '7105', botBlocked: true }); // blocked the bot
    await seedMember('egor', { telegramId: '7106', consentMarketing: false }); // no marketing consent
    await seedMember('kira', { telegramId: '7107', language: 'en', email: 'tg7107@telegram.invalid' }); // spent 6,000 ₽, upcoming
    await seedBooking('anna', 'confirmed', new Date(Date.now() - 3 * DAY), new Date(Date.now() - 4 * DAY));
    await seedBooking('vera', 'completed', new Date(Date.now() - 200 * DAY), new Date(Date.now() - 201 * DAY));
    await seedBooking('gleb', 'confirmed', new Date(Date.now() - 1 * DAY), new Date(Date.now() - 2 * DAY));
    // Tomorrow at 12:00 Moscow time.
    await seedBooking('kira', 'confirmed', new Date(`${localDate(1)}T09:00:00Z`), new Date(Date.now() - DAY));
    const paid = await db(PAYMENT_UID).create({ data: { amount: 600_000, state: 'succeeded', provider: 'manual', currency: 'RUB', idempotenceKey: `nl-${process.pid}-1`, member: members.kira } });
    const refunded = await db(PAYMENT_UID).create({ data: { amount: 900_000, state: 'succeeded', provider: 'manual', currency: 'RUB', idempotenceKey: `nl-${process.pid}-2`, member: members.vera } });
    await db(REFUND_UID).create({ data: { amount: 500_000, state: 'succeeded', currency: 'RUB', idempotenceKey: `nl-${process.pid}-3`, payment: refunded.id } });
    void paid;
  });

  afterAll(async () => {
    await app?.stop();
    await telegram?.close();
  });

  describe('audience preview', () => {
    it('counts every segment, always without the banned, blocked and unconsenting', async () => {
      // Telegram: anna, boris, kira (vera has no Telegram id; gleb banned; dasha blocked; egor no consent).
      expect(await preview({ segment: 'all', params: {} })).toEqual({ count: 3, byChannel: { telegram: 3, email: 0 } });
      // E-mail: anna, boris, vera, dasha (kira has the placeholder address).
      expect(await preview({ segment: 'all', params: {} }, ['email'])).toEqual({ count: 4, byChannel: { telegram: 0, email: 4 } });
      expect(await preview({ segment: 'all', params: {} }, ['telegram', 'email'])).toEqual({ count: 5, byChannel: { telegram: 3, email: 4 } });
      expect((await preview({ segment: 'all', params: {} }, ['telegram'], true)).count).toBe(4); // + egor
      expect((await preview({ segment: 'new', params: { days: 7 } })).count).toBe(1);
      expect((await preview({ segment: 'active', params: { days: 30 } })).count).toBe(2); // anna, kira
      expect((await preview({ segment: 'inactive', params: { days: 30 } })).count).toBe(1); // boris
      expect((await preview({ segment: 'inactive', params: { days: 30 } }, ['email'])).count).toBe(3); // boris, vera, dasha
      expect((await preview({ segment: 'vip', params: { minBookings: 2 } })).count).toBe(1); // anna
      expect((await preview({ segment: 'vip', params: { minSpent: 500_000 } })).count).toBe(1); // kira; vera's net is 4,000 ₽
      expect((await preview({ segment: 'vip', params: { minSpent: 400_000 } }, ['email'])).count).toBe(1); // vera
      expect((await preview({ segment: 'tariff', params: { tariffs: [tariffDoc], from: localDate(-10), to: localDate(2) } })).count).toBe(2); // anna, kira
      expect((await preview({ segment: 'tariff', params: { tariffs: [tariffDoc], from: localDate(-300), to: localDate(-100) } }, ['email'])).count).toBe(1); // vera
      expect((await preview({ segment: 'upcoming', params: { date: localDate(1) } })).count).toBe(1); // kira
      expect((await preview({ segment: 'upcoming', params: { date: localDate(2) } })).count).toBe(0);
      expect((await preview({ segment: 'custom', params: { telegramIds: ['7101', '7104', '999'], members: [] } })).count).toBe(1);
    });

    it('refuses a malformed audience', async () => {
      const res = await http().post('/newsletter/audience/preview').set(as('manager')).send({ audience: { segment: 'vip', params: {} } });
      expect(res.status).toBe(422);
      expect((await http().post('/newsletter/audience/preview').set(as('manager')).send({ audience: 'all' })).status).toBe(400);
      const period = await http().post('/newsletter/audience/preview').set(as('manager')).send({ audience: { segment: 'tariff', params: { tariffs: ['x'], from: '2026-02-01', to: '2026-01-01' } } });
      expect(period.status).toBe(422);
      expect(period.body.error.message).toMatch(/ends before it starts/);
    });

    it('finds members for a custom list', async () => {
      const res = await http().get('/newsletter/members').query({ q: 'kira' }).set(as('manager'));
      expect(res.status).toBe(200);
      expect(res.body.data).toEqual([{ documentId: expect.any(String), fullName: 'Kira Testova', telegramId: '7107', email: null }]);
    });
  });

  describe('create, read, edit, delete', () => {
    it('creates a draft, lists it, edits it and deletes it', async () => {
      const res = await create({
        title: 'Price change',
        channels: ['telegram'],
        body: 'Prices go up, {{firstName}}.',
        bodyEn: 'Prices go up.',
        buttons: [{ text: 'Tariffs', url: 'https://example.com/tariffs' }],
        audience: { segment: 'active', params: { days: 30 } },
      });
      expect(res.status).toBe(201);
      expect(res.body.data).toMatchObject({
        title: 'Price change',
        state: 'draft',
        channels: ['telegram'],
        buttons: [{ text: 'Tariffs', url: 'https://example.com/tariffs' }],
        audience: { segment: 'active', params: { days: 30 } },
        serviceNotice: false,
        media: [],
        counters: { total: 0, sent: 0, failed: 0, blocked: 0, cancelled: 0, opened: 0, clicked: 0 },
        createdBy: expect.stringMatching(/^admin:\d+ /),
      });
      const { documentId } = res.body.data;

      const list = await http().get('/newsletter/newsletters').query({ q: 'price', pageSize: 5 }).set(as('reader'));
      expect(list.status).toBe(200);
      expect(list.body.data.map((n: { documentId: string }) => n.documentId)).toContain(documentId);
      expect(list.body.meta.pagination).toMatchObject({ page: 1, pageSize: 5 });

      const edited = await http().put(`/newsletter/newsletters/${documentId}`).set(as('manager')).send({ title: 'Price change in May', serviceNotice: true });
      expect(edited.status).toBe(200);
      expect(edited.body.data).toMatchObject({ title: 'Price change in May', serviceNotice: true, body: 'Prices go up, {{firstName}}.' });
      expect((await db(NEWSLETTER_UID).findOne({ where: { documentId } })).onlyMarketingConsent).toBe(false);

      const gone = await http().delete(`/newsletter/newsletters/${documentId}`).set(as('manager'));
      expect(gone.status).toBe(200);
      expect(gone.body.data).toEqual({ documentId });
      expect(await db(NEWSLETTER_UID).findOne({ where: { documentId } })).toBeNull();
      expect(await db(AUDIT_UID).findOne({ where: { subjectId: documentId, action: 'newsletter.deleted' } })).toMatchObject({ actorType: 'admin' });
      expect((await http().get(`/newsletter/newsletters/${documentId}`).set(as('manager'))).status).toBe(404);
    });

    it('answers 404 for an unknown newsletter', async () => {
      expect((await http().put('/newsletter/newsletters/nosuchnewsletter000000000').set(as('manager')).send({ title: 'Whatever' })).status).toBe(404);
      expect((await http().post('/newsletter/newsletters/nosuchnewsletter000000000/send').set(as('manager')).send({})).status).toBe(404);
    });
  });

  describe('bad input changes nothing', () => {
    const refusals: Array<[string, Record<string, unknown>, number, RegExp]> = [
      ['invalid HTML', { body: '<p>Hello</p>' }, 422, /Unsupported tag <p> at character 1/],
      ['an unclosed tag', { body: '<b>Hello' }, 422, /<b> at character 1 is never closed/],
      ['over-long text', { body: 'x'.repeat(4097) }, 422, /4,097 characters; a Telegram message holds 4,096/],
      ['an unknown variable', { body: 'Hi {{nickname}}' }, 422, /Unknown variable \{\{nickname\}\}/],
      ['a javascript: button', { buttons: [{ text: 'x', url: 'javascript:alert(1)' }] }, 422, /http:\/\/, https:\/\/ or tg:\/\//],
      ['a wrong shape', { channels: 'telegram' }, 400, /channels/],
      ['an unknown field', { sneaky: true }, 400, /sneaky/],
    ];
    it.each(refusals)('create with %s', async (_what, patch, status, message) => {
      const before = await snapshot();
      const res = await create({ title: 'Bad one', channels: ['telegram'], body: 'ok', ...patch });
      expect(res.status).toBe(status);
      expect(res.body.error.message).toMatch(message);
      expect(await snapshot()).toEqual(before);
    });

    it('edit with invalid HTML or an over-long caption: 422, the draft unchanged', async () => {
      const documentId = await draft();
      expect((await upload(documentId, [{ bytes: png(40, 30, [200, 10, 10]), name: 'one.png' }])).status).toBe(200);
      const before = await snapshot();
      const bad = await http().put(`/newsletter/newsletters/${documentId}`).set(as('manager')).send({ body: 'a <div>b</div>' });
      expect(bad.status).toBe(422);
      expect(bad.body.error.details.errors[0].path).toEqual(['body']);
      const long = await http().put(`/newsletter/newsletters/${documentId}`).set(as('manager')).send({ body: 'y'.repeat(1025) });
      expect(long.status).toBe(422);
      expect(long.body.error.message).toMatch(/1,025 characters; a photo caption holds 1,024/);
      expect(await snapshot()).toEqual(before);
    });

    it('images: an 11th, a non-image, one over the size limit, one too large in pixels, one that makes the caption too long', async () => {
      const documentId = await draft();
      const colours: Array<[number, number, number]> = Array.from({ length: 10 }, (_, i) => [i * 20, 100, 200 - i * 10]);
      const ten = await upload(documentId, colours.map((c, i) => ({ bytes: png(20 + i, 20, c), name: `p${i}.png` })));
      expect(ten.status).toBe(200);
      expect(ten.body.data.media).toHaveLength(10);
      expect(ten.body.data.media[0]).toMatchObject({ mime: 'image/png', width: 20, height: 20 });
      // In the order they were sent: the first carries the album's caption.
      expect(ten.body.data.media.map((m: { width: number }) => m.width)).toEqual(colours.map((_, i) => 20 + i));

      let before = await snapshot();
      const eleventh = await upload(documentId, [{ bytes: png(10, 10, [1, 2, 3]), name: 'eleven.png' }]);
      expect(eleventh.status).toBe(422);
      expect(eleventh.body.error.message).toMatch(/at most 10 images: it has 10/);
      expect(await snapshot()).toEqual(before);

      const other = await draft({ body: 'z'.repeat(1500) });
      before = await snapshot();
      const notImage = await upload(other, [{ bytes: Buffer.from('<svg onload="alert(1)"></svg>'), name: 'photo.png' }]);
      expect(notImage.status).toBe(415);
      expect(notImage.body.error.message).toMatch(/not a JPEG, PNG, WebP or GIF image/);
      const big = Buffer.concat([png(10, 10, [9, 9, 9]), Buffer.alloc(IMAGE_MAX_BYTES)]);
      const oversize = await upload(other, [{ bytes: big, name: 'big.png' }]);
      expect(oversize.status).toBe(413);
      const bomb = await upload(other, [{ bytes: blackPng(8000, 8000), name: 'bomb.png' }]);
      expect(bomb.status).toBe(422);
      expect(bomb.body.error.message).toMatch(/8000 × 8000 pixels/);
      // 1,500 characters fit a message, not a single photo's caption.
      const caption = await upload(other, [{ bytes: png(30, 30, [0, 0, 0]), name: 'one.png' }]);
      expect(caption.status).toBe(422);
      expect(caption.body.error.message).toMatch(/photo caption holds 1,024/);
      expect(await snapshot()).toEqual(before);
      // Two images: the text goes after the album, so it fits.
      const two = await upload(other, [
        { bytes: png(30, 30, [0, 0, 0]), name: 'a.png' },
        { bytes: png(31, 30, [0, 0, 1]), name: 'b.png' },
      ]);
      expect(two.status).toBe(200);
      // Removing one would leave a single photo with a too-long caption.
      const refusedRemoval = await http().delete(`/newsletter/newsletters/${other}/media/${two.body.data.media[0].id}`).set(as('manager'));
      expect(refusedRemoval.status).toBe(422);
    });

    it('removing an image deletes the file', async () => {
      const documentId = await draft();
      const res = await upload(documentId, [{ bytes: png(25, 25, [50, 60, 70]), name: 'x.png' }]);
      const fileId = res.body.data.media[0].id;
      expect(await db(FILE_UID).findOne({ where: { id: fileId } })).not.toBeNull();
      const removed = await http().delete(`/newsletter/newsletters/${documentId}/media/${fileId}`).set(as('manager'));
      expect(removed.status).toBe(200);
      expect(removed.body.data.media).toEqual([]);
      expect(await db(FILE_UID).findOne({ where: { id: fileId } })).toBeNull();
      expect((await http().delete(`/newsletter/newsletters/${documentId}/media/${fileId}`).set(as('manager'))).status).toBe(404);
    });

    it('send: an empty audience, a schedule in the past, a channel that is off, an unfinished e-mail', async () => {
      const empty = await draft({ audience: { segment: 'custom', params: { telegramIds: ['424242'], members: [] } } });
      const past = await draft();
      const mail = await draft({ channels: ['email'], subject: 'News' });
      const unfinished = await draft({ channels: ['telegram'], body: null });
      const before = await snapshot();
      const a = await http().post(`/newsletter/newsletters/${empty}/send`).set(as('manager')).send({});
      expect(a.status).toBe(422);
      expect(a.body.error.details.code).toBe('empty_audience');
      const b = await http().post(`/newsletter/newsletters/${past}/send`).set(as('manager')).send({ scheduledAt: new Date(Date.now() - 60_000).toISOString() });
      expect(b.status).toBe(422);
      expect(b.body.error.message).toMatch(/in the past/);
      const noOffset = await http().post(`/newsletter/newsletters/${past}/send`).set(as('manager')).send({ scheduledAt: '2030-01-01T10:00:00' });
      expect(noOffset.status).toBe(422);
      const c = await http().post(`/newsletter/newsletters/${mail}/send`).set(as('manager')).send({});
      expect(c.status).toBe(422);
      expect(c.body.error.message).toMatch(/E-mail is off/);
      const d = await http().post(`/newsletter/newsletters/${unfinished}/send`).set(as('manager')).send({});
      expect(d.status).toBe(422);
      expect(d.body.error.message).toMatch(/Telegram needs a text/);
      expect(await snapshot()).toEqual(before);
    });
  });

  describe('starting a newsletter', () => {
    it('sends now: state, audit row; then refuses to send again, to edit or to delete it', async () => {
      const documentId = await draft({ audience: { segment: 'all', params: {} } });
      const sent = await http().post(`/newsletter/newsletters/${documentId}/send`).set(as('manager')).send({});
      expect(sent.status).toBe(200);
      expect(sent.body.data).toMatchObject({ state: 'sending', startedAt: expect.any(String), sentBy: expect.stringMatching(/^admin:/) });
      expect(await db(AUDIT_UID).findOne({ where: { subjectId: documentId, action: 'newsletter.sent' } })).toMatchObject({ before: { state: 'draft' }, after: expect.objectContaining({ state: 'sending' }) });

      const before = await snapshot();
      const again = await http().post(`/newsletter/newsletters/${documentId}/send`).set(as('manager')).send({});
      expect(again.status).toBe(409);
      expect(again.body.error.message).toMatch(/already being sent/);
      const edit = await http().put(`/newsletter/newsletters/${documentId}`).set(as('manager')).send({ title: 'Changed' });
      expect(edit.status).toBe(409);
      expect(edit.body.error.message).toMatch(/only drafts and scheduled newsletters can be changed/);
      expect((await http().delete(`/newsletter/newsletters/${documentId}`).set(as('manager'))).status).toBe(409);
      expect((await upload(documentId, [{ bytes: png(10, 10, [1, 1, 1]), name: 'late.png' }])).status).toBe(409);
      expect((await http().post(`/newsletter/newsletters/${documentId}/resume`).set(as('manager')).send({})).status).toBe(409);
      expect(await snapshot()).toEqual(before);

      // The recipients, once: anna, boris, kira on Telegram, with their link rows; a second run adds nobody.
      const audience = app.strapi.plugin('newsletter').service('audience');
      const row = await db(NEWSLETTER_UID).findOne({ where: { documentId } });
      const first = await audience.materialise(row.id, { batchSize: 2 });
      const second = await audience.materialise(row.id, { batchSize: 2 });
      expect(first.done && second.done).toBe(true);
      const deliveries = await db(DELIVERY_UID).findMany({ where: { newsletterRef: row.id }, populate: { member: true, newsletter: true }, orderBy: { memberRef: 'asc' } });
      expect(deliveries.map((d: { memberRef: number }) => d.memberRef)).toEqual([members.anna, members.boris, members.kira]);
      expect(deliveries.map((d: { telegramId: string; language: string; state: string; channel: string }) => [d.telegramId, d.language, d.state, d.channel])).toEqual([
        ['7101', 'ru', 'queued', 'telegram'],
        ['7102', 'ru', 'queued', 'telegram'],
        ['7107', 'en', 'queued', 'telegram'],
      ]);
      for (const delivery of deliveries) {
        expect(delivery.member.id).toBe(delivery.memberRef);
        expect(delivery.newsletter.id).toBe(row.id);
        expect(delivery.deliveryKey).toBe(`${row.id}:telegram:${delivery.memberRef}`);
      }
      const after = await db(NEWSLETTER_UID).findOne({ where: { documentId } });
      expect(after.totalCount).toBe(3);
      expect(after.materialisedAt).not.toBeNull();

      // Pause, resume, cancel: each audited.
      expect((await http().post(`/newsletter/newsletters/${documentId}/pause`).set(as('manager')).send({})).body.data.state).toBe('paused');
      expect((await http().post(`/newsletter/newsletters/${documentId}/pause`).set(as('manager')).send({})).status).toBe(409);
      expect((await http().post(`/newsletter/newsletters/${documentId}/resume`).set(as('manager')).send({})).body.data.state).toBe('sending');
      const cancelled = await http().post(`/newsletter/newsletters/${documentId}/cancel`).set(as('manager')).send({});
      expect(cancelled.status).toBe(200);
      expect(cancelled.body.data).toMatchObject({ state: 'cancelled', finishedAt: expect.any(String) });
      const actions = (await db(AUDIT_UID).findMany({ where: { subjectId: documentId }, orderBy: { id: 'asc' } })).map((a: { action: string }) => a.action);
      expect(actions).toEqual(['newsletter.sent', 'newsletter.paused', 'newsletter.resumed', 'newsletter.cancelled']);
      expect((await http().post(`/newsletter/newsletters/${documentId}/resend`).set(as('manager')).send({})).status).toBe(409);
    });

    it('schedules for later: still editable, then cancelled', async () => {
      const documentId = await draft();
      const at = new Date(Date.now() + 2 * DAY).toISOString().replace('Z', '+00:00');
      const res = await http().post(`/newsletter/newsletters/${documentId}/send`).set(as('manager')).send({ scheduledAt: at });
      expect(res.status).toBe(200);
      expect(res.body.data).toMatchObject({ state: 'scheduled', scheduledAt: new Date(at).toISOString(), startedAt: null });
      expect((await http().put(`/newsletter/newsletters/${documentId}`).set(as('manager')).send({ title: 'Closure moved' })).status).toBe(200);
      const tooFar = await http().post(`/newsletter/newsletters/${documentId}/send`).set(as('manager')).send({ scheduledAt: new Date(Date.now() + 400 * DAY).toISOString() });
      expect(tooFar.status).toBe(422);
      expect((await http().post(`/newsletter/newsletters/${documentId}/cancel`).set(as('manager')).send({})).body.data.state).toBe('cancelled');
      expect(await db(AUDIT_UID).count({ where: { subjectId: documentId, action: { $in: ['newsletter.scheduled', 'newsletter.cancelled'] } } })).toBe(2);
    });
  });

  describe('test send, settings, templates', () => {
    it('sends a test to the staff member’s linked Telegram id', async () => {
      telegram.addUser({ id: 7999, first_name: 'Staff' });
      const none = await draft();
      expect((await http().post(`/newsletter/newsletters/${none}/test`).set(as('manager')).send({})).status).toBe(422);
      const linked = await http().put('/newsletter/settings/me').set(as('manager')).send({ telegramId: '7999' });
      expect(linked.status).toBe(200);
      expect(linked.body.data.me.telegramId).toBe('7999');
      const res = await http().post(`/newsletter/newsletters/${none}/test`).set(as('manager')).send({});
      expect(res.status).toBe(200);
      expect(res.body.data.telegram).toMatchObject({ ok: true });
      const message = await telegram.waitForMessage(7999, (m) => m.text?.includes('Closed on Friday') ?? false);
      expect(message.text).toMatch(/Closed on Friday, Test\./);
    });

    it('shows the channels as configured', async () => {
      const res = await http().get('/newsletter/settings').set(as('reader'));
      expect(res.status).toBe(200);
      expect(res.body.data).toMatchObject({ telegram: { enabled: true, rate: 25 }, email: { enabled: false }, timeZone: 'Europe/Moscow' });
    });

    it('keeps templates', async () => {
      const created = await http().post('/newsletter/templates').set(as('manager')).send({ name: 'Event', subject: 'Event for {{firstName}}', html: '<p>Hi {{firstName}}</p>' });
      expect(created.status).toBe(201);
      const { documentId } = created.body.data;
      expect((await http().post('/newsletter/templates').set(as('manager')).send({ name: 'Bad', html: '{{nope}}' })).status).toBe(422);
      expect((await http().put(`/newsletter/templates/${documentId}`).set(as('manager')).send({ name: 'Event 2' })).body.data.name).toBe('Event 2');
      expect((await http().get('/newsletter/templates').set(as('reader'))).body.data.map((t: { name: string }) => t.name)).toContain('Event 2');
      expect((await http().delete(`/newsletter/templates/${documentId}`).set(as('manager'))).status).toBe(200);
    });
  });

  describe('who may do what', () => {
    it('a role without manage cannot compose; one without the plugin cannot even read', async () => {
      const before = await snapshot();
      expect((await create({ title: 'Not allowed', channels: ['telegram'], body: 'x' }, 'reader')).status).toBe(403);
      expect((await create({ title: 'Not allowed', channels: ['telegram'], body: 'x' }, 'support')).status).toBe(403);
      expect((await http().get('/newsletter/newsletters').set(as('support'))).status).toBe(403);
      expect((await http().get('/newsletter/newsletters').set(as('reader'))).status).toBe(200);
      expect(await snapshot()).toEqual(before);
    });
  });
});
