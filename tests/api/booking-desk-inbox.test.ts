/**
 * The booking desk's support inbox (docs/ADMIN.md, Support inbox) through HTTP against the real server: the ticket
 * list with its filters and counters, a thread with signed attachment links, staff replies with text and photos
 * (the outbox job, then the Telegram stand-in receiving sendMessage / sendPhoto / sendMediaGroup with the very
 * bytes), refusals that leave nothing behind, audited changes of state and assignee, and who may do what.
 */
import fs from 'fs';
import path from 'path';
import request from 'supertest';
import { adminLogin, createStaffUser, memberToken, staffToken } from '../helpers/auth';
import { createRegisteredMember } from '../helpers/booking-fixtures';
import { png } from '../helpers/images';
import { startStrapi, type TestApp } from '../helpers/strapi';
import { startTelegramStandIn, type StandInUser, type TelegramStandIn } from '../stand-ins/telegram/server';

const TICKET_UID = 'api::ticket.ticket';
const MESSAGE_UID = 'api::ticket-message.ticket-message';
const FILE_UID = 'plugin::upload.file';
const OUTBOX_UID = 'api::outbox-job.outbox-job';
const AUDIT_UID = 'api::audit-log.audit-log';
const USER_UID = 'plugin::users-permissions.user';
const UPLOADS_DIR = path.resolve(__dirname, '..', '..', 'public', 'uploads');

interface Member {
  id: number;
  documentId: string;
  user: StandInUser;
  token: string;
}

describe('booking desk: support inbox', () => {
  let app: TestApp;
  let telegram: TelegramStandIn;
  let nextChat = 810100;
  const staff: Record<'manager' | 'support' | 'marketing', { id: number; token: string }> = {} as never;
  const http = () => request(app.strapi.server.httpServer);
  const as = (who: keyof typeof staff) => ({ Authorization: `Bearer ${staff[who].token}` });
  const outbox = () => app.strapi.service('api::outbox-job.outbox') as { runOnce(worker: string): Promise<{ done: number; failed: number; dead: number }> };
  const uploadsNow = () => new Set(fs.existsSync(UPLOADS_DIR) ? fs.readdirSync(UPLOADS_DIR) : []);
  const counts = async () => ({
    messages: await app.strapi.db.query(MESSAGE_UID).count(),
    files: await app.strapi.db.query(FILE_UID).count(),
    jobs: await app.strapi.db.query(OUTBOX_UID).count(),
    uploads: uploadsNow().size,
  });

  async function member(name: string, language: 'ru' | 'en' = 'ru'): Promise<Member> {
    const { id, documentId } = await createRegisteredMember(app.strapi);
    const user: StandInUser = { id: nextChat++, first_name: name, language_code: language };
    await app.strapi.db.query(USER_UID).update({
      where: { id },
      data: { telegramId: String(user.id), language, fullName: `${name} Inboxova`, telegramUsername: `${name.toLowerCase()}_tg` },
    });
    telegram.addUser(user);
    return { id, documentId, user, token: await memberToken(app.strapi, id) };
  }

  /** A ticket opened by the member over the member API (optionally with photos), as the bot does it. */
  async function memberTicket(owner: Member, subject: string, options: { priority?: string; photos?: Buffer[] } = {}): Promise<string> {
    const req = http().post('/api/tickets').set({ Authorization: `Bearer ${owner.token}` }).field('subject', subject).field('body', `About ${subject}`);
    if (options.priority) req.field('priority', options.priority);
    for (const [i, bytes] of (options.photos ?? []).entries()) req.attach('attachments', bytes, { filename: `member-${i}.png`, contentType: 'image/png' });
    const res = await req;
    if (res.status !== 201) throw new Error(`ticket failed: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body.data.documentId;
  }

  /** Runs the outbox until the member.notify jobs of this run are done. */
  async function deliver() {
    const summary = await outbox().runOnce('inbox-test');
    expect(summary.failed + summary.dead).toBe(0);
    return summary;
  }

  /** The bytes the server stores (and serves at the signed link) for an attachment: what Telegram must get. */
  const storedBytes = async (attachment: { url: string }) => {
    const res = await http().get(attachment.url).buffer(true).parse((response, callback) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => callback(null, Buffer.concat(chunks)));
    });
    expect(res.status).toBe(200);
    return res.body as Buffer;
  };
  const photoMessages = (chat: number) => telegram.chat(chat).filter((entry) => Array.isArray(entry.message.photo));
  const photoBytes = (entry: { message: { photo?: Array<{ file_id: string }> } }) => telegram.file(entry.message.photo![entry.message.photo!.length - 1].file_id);

  beforeAll(async () => {
    telegram = await startTelegramStandIn({ rateLimits: false });
    app = await startStrapi({
      BOT_TOKEN: telegram.token,
      TELEGRAM_API_ROOT: telegram.apiRoot,
      OUTBOX_WORKER: 'false',
      OUTBOX_BACKOFF_BASE_MS: '200',
      OUTBOX_BACKOFF_JITTER: '0',
    });
    for (const [who, code] of [
      ['manager', 'coworking-manager'],
      ['support', 'coworking-support'],
      ['marketing', 'coworking-marketing'],
    ] as const) {
      const user = await createStaffUser(app.strapi, code);
      staff[who] = { id: user.id, token: await adminLogin(app.strapi, user.email) };
    }
  });

  afterAll(async () => {
    await app.stop();
    await telegram.close();
  });

  describe('GET /booking-desk/tickets', () => {
    let urgent: string;
    let normal: string;
    let waiting: string;
    let resolved: string;

    beforeAll(async () => {
      const kate = await member('Kate');
      const leo = await member('Leo');
      normal = await memberTicket(kate, 'Printer jam');
      urgent = await memberTicket(leo, 'Door lock broken', { priority: 'urgent' });
      waiting = await memberTicket(kate, 'Parking pass');
      resolved = await memberTicket(leo, 'Coffee beans');
      // Staff answered "Parking pass": the member's move now.
      const res = await http().post(`/booking-desk/tickets/${waiting}/reply`).set(as('support')).field('body', 'Ready at the desk');
      expect(res.status).toBe(201);
      await app.strapi.db.query(TICKET_UID).update({ where: { documentId: resolved }, data: { state: 'resolved' } });
      await http().patch(`/booking-desk/tickets/${normal}`).set(as('manager')).send({ assignee: staff.support.id }).expect(200);
    });

    it('Given tickets of several priorities and states, When staff list them, Then urgent come first, with member, assignee, last message and counters', async () => {
      const res = await http().get('/booking-desk/tickets').set(as('support')).query({ pageSize: 100 });
      expect(res.status).toBe(200);
      const ids = res.body.data.map((t: { documentId: string }) => t.documentId);
      for (const id of [urgent, normal, waiting, resolved]) expect(ids).toContain(id);
      expect(ids.indexOf(urgent)).toBeLessThan(ids.indexOf(normal));
      const priorities = res.body.data.map((t: { priority: string }) => ['urgent', 'high', 'normal', 'low'].indexOf(t.priority));
      expect([...priorities].sort((a, b) => a - b)).toEqual(priorities);

      const byId = Object.fromEntries(res.body.data.map((t: { documentId: string }) => [t.documentId, t]));
      expect(byId[urgent]).toMatchObject({
        subject: 'Door lock broken',
        state: 'open',
        priority: 'urgent',
        member: { fullName: 'Leo Inboxova', telegramUsername: 'leo_tg', documentId: expect.any(String) },
        assignee: null,
        lastAuthorType: 'member',
        unanswered: true,
        lastMessagePreview: 'About Door lock broken',
      });
      expect(byId[waiting]).toMatchObject({ state: 'in_progress', lastAuthorType: 'staff', unanswered: false, lastMessagePreview: 'Ready at the desk' });
      expect(byId[normal].assignee).toEqual({ id: staff.support.id, name: expect.stringContaining('Test') });
      expect(res.body.meta.pagination).toMatchObject({ page: 1, pageSize: 100 });
      expect(res.body.meta.counts).toEqual({
        open: await app.strapi.db.query(TICKET_UID).count({ where: { state: 'open' } }),
        in_progress: await app.strapi.db.query(TICKET_UID).count({ where: { state: 'in_progress' } }),
        waiting: expect.any(Number),
        resolved: await app.strapi.db.query(TICKET_UID).count({ where: { state: 'resolved' } }),
        closed: await app.strapi.db.query(TICKET_UID).count({ where: { state: 'closed' } }),
      });
      expect(res.body.meta.counts.waiting).toBeGreaterThanOrEqual(1);
    });

    it('filters by state (waiting too), priority, assignee (me / none / id) and text, and pages', async () => {
      const list = async (query: Record<string, string | number>, who: keyof typeof staff = 'support') => {
        const res = await http().get('/booking-desk/tickets').set(as(who)).query({ pageSize: 100, ...query });
        expect(res.status).toBe(200);
        return res.body.data.map((t: { documentId: string }) => t.documentId) as string[];
      };
      const waitingIds = await list({ state: 'waiting' });
      expect(waitingIds).toContain(waiting);
      expect(waitingIds).not.toContain(normal);
      const counted = await http().get('/booking-desk/tickets').set(as('support')).query({ state: 'waiting' });
      expect(counted.body.meta.counts.waiting).toBe(counted.body.meta.pagination.total);
      expect(await list({ state: 'resolved' })).toEqual(expect.arrayContaining([resolved]));
      expect(await list({ state: 'resolved' })).not.toContain(urgent);
      expect(await list({ priority: 'urgent' })).toContain(urgent);
      expect(await list({ priority: 'urgent' })).not.toContain(normal);
      expect(await list({ assignee: 'me' })).toEqual([normal]);
      expect(await list({ assignee: String(staff.support.id) }, 'manager')).toEqual([normal]);
      expect(await list({ assignee: 'me' }, 'manager')).toEqual([]);
      expect(await list({ assignee: 'none' })).not.toContain(normal);
      expect(await list({ q: 'door LOCK' })).toEqual([urgent]);
      expect(await list({ q: 'leo_tg' })).toEqual(expect.arrayContaining([urgent, resolved]));
      const page = await http().get('/booking-desk/tickets').set(as('support')).query({ page: 2, pageSize: 1 });
      expect(page.body.data).toHaveLength(1);
      expect(page.body.meta.pagination).toMatchObject({ page: 2, pageSize: 1, pageCount: page.body.meta.pagination.total });
    });

    it('refuses a bad query with 400 in the error envelope', async () => {
      for (const query of [{ state: 'pending' }, { priority: 'asap' }, { assignee: 'someone' }, { pageSize: '1000' }, { page: '0' }, { sort: 'id' }]) {
        const res = await http().get('/booking-desk/tickets').set(as('support')).query(query);
        expect(res.status).toBe(400);
        expect(res.body).toMatchObject({ data: null, error: { status: 400, name: 'ValidationError' } });
      }
    });
  });

  describe('GET /booking-desk/tickets/:documentId', () => {
    it("Given a member's ticket with a photo, When staff open it, Then the thread shows names and signed, working photo links", async () => {
      const mia = await member('Mia');
      const ticket = await memberTicket(mia, 'Leaking roof', { photos: [png(4, 3, [10, 200, 30])] });
      await http().post(`/booking-desk/tickets/${ticket}/reply`).set(as('support')).field('body', 'On our way').expect(201);

      const res = await http().get(`/booking-desk/tickets/${ticket}`).set(as('support'));
      expect(res.status).toBe(200);
      expect(res.body.data).toMatchObject({ documentId: ticket, subject: 'Leaking roof', state: 'in_progress', member: { fullName: 'Mia Inboxova' } });
      const [first, second] = res.body.data.messages;
      expect(first).toMatchObject({ authorType: 'member', authorName: 'Mia Inboxova', body: 'About Leaking roof' });
      expect(second).toMatchObject({ authorType: 'staff', authorName: 'Test coworking-support', body: 'On our way', attachments: [] });
      expect(first.attachments).toHaveLength(1);
      expect(first.attachments[0]).toMatchObject({ mime: 'image/png', width: 4, height: 3, url: expect.stringMatching(/^\/uploads\/ticket_[0-9a-f]{32}_\w+\.png\?expires=\d+&signature=[\w-]+$/) });
      const served = await http().get(first.attachments[0].url);
      expect(served.status).toBe(200);
      // Unsigned, the same file is refused.
      expect((await http().get(first.attachments[0].url.split('?')[0])).status).toBeGreaterThanOrEqual(400);
    });

    it('answers 404 for an unknown ticket and 400 for a malformed id', async () => {
      expect((await http().get('/booking-desk/tickets/abcdefghijklmnopqrstuvwx').set(as('support'))).status).toBe(404);
      const bad = await http().get('/booking-desk/tickets/not-an-id').set(as('support'));
      expect(bad.status).toBe(400);
      expect(bad.body.error.name).toBe('ValidationError');
    });
  });

  describe('POST /booking-desk/tickets/:documentId/reply', () => {
    it('Given a text reply, Then a staff message by the admin user, one member.notify job in its transaction, and the member gets the text in Telegram', async () => {
      const nina = await member('Nina', 'en');
      const ticket = await memberTicket(nina, 'Wi-Fi <slow>');
      const res = await http().post(`/booking-desk/tickets/${ticket}/reply`).set(as('support')).send({ body: 'We restarted the router & the AP.' });
      expect(res.status).toBe(201);
      expect(res.body.data).toMatchObject({ authorType: 'staff', authorName: 'Test coworking-support', body: 'We restarted the router & the AP.', attachments: [] });

      const stored = await app.strapi.db.query(MESSAGE_UID).findOne({ where: { documentId: res.body.data.documentId }, populate: { authorStaff: true, ticket: true } });
      expect(stored.authorStaff.id).toBe(staff.support.id);
      expect(stored.ticket.documentId).toBe(ticket);
      const jobs = await app.strapi.db.query(OUTBOX_UID).findMany({ where: { dedupeKey: `member.notify:ticket-message:${res.body.data.documentId}` } });
      expect(jobs).toHaveLength(1);
      expect((await app.strapi.db.query(TICKET_UID).findOne({ where: { documentId: ticket } })).state).toBe('in_progress');

      await deliver();
      const sent = telegram.chat(nina.user.id);
      expect(sent).toHaveLength(1);
      expect(sent[0].text).toContain('Support replied to “Wi-Fi <slow>”');
      expect(sent[0].text).toContain('We restarted the router & the AP.');
      expect(telegram.calls('sendPhoto')).toHaveLength(0);
    });

    it('Given a reply with one photo, Then the member gets one sendPhoto with the text as caption and the same bytes', async () => {
      const olga = await member('Olga');
      const ticket = await memberTicket(olga, 'Broken chair');
      const photo = png(6, 5, [250, 10, 10]);
      // The upload plugin may re-encode the original (size optimisation): Telegram must get the stored bytes.
      const res = await http().post(`/booking-desk/tickets/${ticket}/reply`).set(as('support')).field('body', 'Like this one?').attach('files', photo, { filename: 'chair.png', contentType: 'image/png' });
      expect(res.status).toBe(201);
      expect(res.body.data.attachments).toHaveLength(1);
      expect(res.body.data.attachments[0]).toMatchObject({ name: 'chair.png', mime: 'image/png', width: 6, height: 5, url: expect.stringMatching(/^\/uploads\/ticket_[0-9a-f]{32}_\w+\.png\?expires=/) });

      await deliver();
      const calls = telegram.calls('sendPhoto').filter((call) => String(call.params.chat_id) === String(olga.user.id));
      expect(calls).toHaveLength(1);
      const [message] = photoMessages(olga.user.id);
      expect(message.text).toContain('Ответ поддержки');
      expect(message.text).toContain('Like this one?');
      expect(photoBytes(message)!.equals(await storedBytes(res.body.data.attachments[0]))).toBe(true);
      expect(message.message.photo![0]).toMatchObject({ width: 6, height: 5 });
      expect(telegram.chat(olga.user.id)).toHaveLength(1);
    });

    it('Given two photos, Then one sendMediaGroup: an album with the caption on the first photo, bytes in order', async () => {
      const pavel = await member('Pavel');
      const ticket = await memberTicket(pavel, 'Where is room B?');
      const first = png(3, 3, [0, 0, 250]);
      const second = png(2, 7, [0, 250, 0]);
      const res = await http()
        .post(`/booking-desk/tickets/${ticket}/reply`)
        .set(as('manager'))
        .field('body', 'Second floor, see the map')
        .attach('files', first, { filename: 'map-1.png', contentType: 'image/png' })
        .attach('files', second, { filename: 'map-2.png', contentType: 'image/png' });
      expect(res.status).toBe(201);
      expect(res.body.data.attachments).toHaveLength(2);

      await deliver();
      expect(telegram.calls('sendMediaGroup').filter((call) => String(call.params.chat_id) === String(pavel.user.id))).toHaveLength(1);
      const album = photoMessages(pavel.user.id);
      expect(album).toHaveLength(2);
      expect(album[0].message.media_group_id).toBeDefined();
      expect(album[0].message.media_group_id).toBe(album[1].message.media_group_id);
      expect(album[0].text).toContain('Second floor, see the map');
      expect(album[1].text ?? '').toBe('');
      expect(photoBytes(album[0])!.equals(await storedBytes(res.body.data.attachments[0]))).toBe(true);
      expect(photoBytes(album[1])!.equals(await storedBytes(res.body.data.attachments[1]))).toBe(true);
      // The multipart parser lists files as each finishes writing to disk, so two photos may be stored in either
      // order; what must hold is that the album follows the stored order (checked above) and carries both photos.
      expect(album.map((entry) => `${entry.message.photo![0].width}x${entry.message.photo![0].height}`).sort()).toEqual(['2x7', '3x3']);
    });

    it('Given photos without text, Then the reply is stored and delivered as a photo with the headline only', async () => {
      const rita = await member('Rita', 'en');
      const ticket = await memberTicket(rita, 'Lost keys');
      const photo = png(5, 5, [120, 120, 0]);
      const res = await http().post(`/booking-desk/tickets/${ticket}/reply`).set(as('support')).attach('files', photo, { filename: 'keys.png', contentType: 'image/png' });
      expect(res.status).toBe(201);
      expect(res.body.data.body).toBe('');
      await deliver();
      const [message] = photoMessages(rita.user.id);
      expect(message.text).toBe('💬 Support replied to “Lost keys”');
      expect(photoBytes(message)!.equals(await storedBytes(res.body.data.attachments[0]))).toBe(true);
    });

    it('Given a text too long for a caption, Then the photo goes first, then the text; a retry after a failed text does not send the photo again', async () => {
      const sara = await member('Sara', 'en');
      const ticket = await memberTicket(sara, 'House rules');
      const long = `${'Please read the rules of the space carefully. '.repeat(40)}THE END`;
      const res = await http()
        .post(`/booking-desk/tickets/${ticket}/reply`)
        .set(as('support'))
        .field('body', long)
        .attach('files', png(4, 4, [1, 2, 3]), { filename: 'rules.png', contentType: 'image/png' });
      expect(res.status).toBe(201);
      const key = `member.notify:ticket-message:${res.body.data.documentId}`;

      // The photo goes, the text fails once (a 500 from Telegram): the job is retried.
      telegram.failNext('sendMessage', 1, { error_code: 500, description: 'Internal Server Error' });
      await outbox().runOnce('inbox-test');
      let [job] = await app.strapi.db.query(OUTBOX_UID).findMany({ where: { dedupeKey: key } });
      expect(job.state).toBe('failed');
      expect(job.payload.delivered).toMatchObject({ steps: 1 });
      expect(photoMessages(sara.user.id)).toHaveLength(1);

      await app.strapi.db.query(OUTBOX_UID).update({ where: { id: job.id }, data: { runAfter: new Date(Date.now() - 1000) } });
      await new Promise((resolve) => setTimeout(resolve, 1100));
      await deliver();
      [job] = await app.strapi.db.query(OUTBOX_UID).findMany({ where: { dedupeKey: key } });
      expect(job.state).toBe('done');
      const chat = telegram.chat(sara.user.id);
      expect(photoMessages(sara.user.id)).toHaveLength(1);
      expect(chat).toHaveLength(2);
      expect(chat[0].message.photo).toBeDefined();
      expect(chat[0].text ?? '').toBe('');
      expect(chat[1].text).toContain('Please read the rules');
    });

    it('refuses a non-image, an oversized image, too many files and an empty reply: 4xx and nothing written', async () => {
      const tom = await member('Tom');
      const ticket = await memberTicket(tom, 'Noise');
      const before = await counts();
      const reply = () => http().post(`/booking-desk/tickets/${ticket}/reply`).set(as('support'));

      const text = await reply().field('body', 'See attached').attach('files', Buffer.from('<html>not a photo</html>'), { filename: 'photo.png', contentType: 'image/png' });
      expect(text.status).toBe(415);
      expect(text.body.error).toMatchObject({ status: 415, name: 'UnsupportedMediaTypeError', details: { errors: [{ path: ['files', '0'] }] } });

      const huge = await reply().field('body', 'Big').attach('files', Buffer.alloc(10 * 1024 * 1024 + 10, 0xff), { filename: 'big.png', contentType: 'image/png' });
      expect(huge.status).toBe(413);

      const six = reply().field('body', 'Many');
      for (let i = 0; i < 6; i += 1) six.attach('files', png(1, 1, [i, i, i]), { filename: `p${i}.png`, contentType: 'image/png' });
      expect((await six).status).toBe(422);

      const otherField = await reply().field('body', 'x').attach('attachments', png(1, 1, [0, 0, 0]), { filename: 'a.png', contentType: 'image/png' });
      expect(otherField.status).toBe(422);

      const empty = await reply().send({ body: '   ' });
      expect(empty.status).toBe(422);
      expect(empty.body.error.details.errors[0].path).toEqual(['body']);

      expect((await reply().send({ body: 'x'.repeat(4001) })).status).toBe(422);
      expect((await reply().send({ body: 'ok', author: 'member' })).status).toBe(400);
      expect((await reply().send({ body: 12 })).status).toBe(400);

      expect(await counts()).toEqual(before);
    });

    it('refuses a reply to a closed ticket with 409 and to an unknown one with 404', async () => {
      const uma = await member('Uma');
      const ticket = await memberTicket(uma, 'Old question');
      await app.strapi.db.query(TICKET_UID).update({ where: { documentId: ticket }, data: { state: 'closed' } });
      const before = await counts();
      const closed = await http().post(`/booking-desk/tickets/${ticket}/reply`).set(as('support')).field('body', 'Late answer').attach('files', png(1, 1, [9, 9, 9]), { filename: 'x.png', contentType: 'image/png' });
      expect(closed.status).toBe(409);
      expect((await http().post('/booking-desk/tickets/abcdefghijklmnopqrstuvwx/reply').set(as('support')).send({ body: 'Hello' })).status).toBe(404);
      expect(await counts()).toEqual(before);
    });
  });

  describe('PATCH /booking-desk/tickets/:documentId', () => {
    it('Given a state, priority and assignee change, Then the ticket changes and one audit row records who changed what', async () => {
      const vera = await member('Vera');
      const ticket = await memberTicket(vera, 'Heating');
      const res = await http().patch(`/booking-desk/tickets/${ticket}`).set(as('support')).send({ state: 'resolved', priority: 'high', assignee: staff.manager.id });
      expect(res.status).toBe(200);
      expect(res.body.data).toMatchObject({ state: 'resolved', priority: 'high', assignee: { id: staff.manager.id } });
      const stored = await app.strapi.db.query(TICKET_UID).findOne({ where: { documentId: ticket }, populate: { assignee: true } });
      expect(stored).toMatchObject({ state: 'resolved', priority: 'high' });
      expect(stored.assignee.id).toBe(staff.manager.id);
      const audits = await app.strapi.db.query(AUDIT_UID).findMany({ where: { subjectId: ticket } });
      expect(audits).toHaveLength(1);
      expect(audits[0]).toMatchObject({
        actorType: 'admin',
        actorId: String(staff.support.id),
        action: 'ticket.update',
        subjectType: TICKET_UID,
        before: { state: 'open', priority: 'normal', assignee: null },
        after: { state: 'resolved', priority: 'high', assignee: staff.manager.id },
      });

      // Unassigning writes one more row; the same values again write none.
      await http().patch(`/booking-desk/tickets/${ticket}`).set(as('support')).send({ assignee: null }).expect(200);
      await http().patch(`/booking-desk/tickets/${ticket}`).set(as('support')).send({ assignee: null, state: 'resolved' }).expect(200);
      const after = await app.strapi.db.query(AUDIT_UID).findMany({ where: { subjectId: ticket }, orderBy: { id: 'asc' } });
      expect(after).toHaveLength(2);
      expect(after[1]).toMatchObject({ before: { assignee: staff.manager.id }, after: { assignee: null } });
    });

    it('refuses assignees who are not staff who may answer, and bodies of the wrong shape, changing nothing', async () => {
      const walt = await member('Walt');
      const ticket = await memberTicket(walt, 'Keys');
      const audits = await app.strapi.db.query(AUDIT_UID).count();
      const patch = (body: unknown) => http().patch(`/booking-desk/tickets/${ticket}`).set(as('manager')).send(body as object);
      // Marketing cannot answer tickets; 999999 is nobody.
      for (const assignee of [staff.marketing.id, 999999]) {
        const res = await patch({ assignee });
        expect(res.status).toBe(422);
        expect(res.body.error.details.errors[0].path).toEqual(['assignee']);
      }
      expect((await patch({ state: 'archived' })).status).toBe(422);
      expect((await patch({ state: 'resolved', member: 'x' })).status).toBe(400);
      expect((await patch({ assignee: 'me' })).status).toBe(400);
      expect((await patch({})).status).toBe(400);
      expect(await app.strapi.db.query(AUDIT_UID).count()).toBe(audits);
      expect((await app.strapi.db.query(TICKET_UID).findOne({ where: { documentId: ticket } })).state).toBe('open');
    });

    it('lists the possible assignees: staff who may answer tickets', async () => {
      const res = await http().get('/booking-desk/tickets/assignees').set(as('support'));
      expect(res.status).toBe(200);
      const ids = res.body.data.map((user: { id: number }) => user.id);
      expect(ids).toEqual(expect.arrayContaining([staff.manager.id, staff.support.id]));
      expect(ids).not.toContain(staff.marketing.id);
    });
  });

  describe('RBAC', () => {
    it('Manager and Support may read and answer; Marketing gets 403 everywhere; no token 401', async () => {
      const yan = await member('Yan');
      const ticket = await memberTicket(yan, 'Access card');
      const calls = [
        () => http().get('/booking-desk/tickets'),
        () => http().get('/booking-desk/tickets/assignees'),
        () => http().get(`/booking-desk/tickets/${ticket}`),
        () => http().post(`/booking-desk/tickets/${ticket}/reply`).send({ body: 'Hello' }),
        () => http().patch(`/booking-desk/tickets/${ticket}`).send({ priority: 'low' }),
      ];
      for (const call of calls) {
        expect((await call().set(as('marketing'))).status).toBe(403);
        expect((await call()).status).toBe(401);
      }
      expect(await app.strapi.db.query(MESSAGE_UID).count({ where: { ticket: { documentId: ticket } } })).toBe(1);
      for (const who of ['manager', 'support'] as const) {
        expect((await calls[0]().set(as(who))).status).toBe(200);
        expect((await calls[2]().set(as(who))).status).toBe(200);
        expect((await calls[3]().set(as(who))).status).toBe(201);
        expect((await calls[4]().set(as(who))).status).toBe(200);
      }
      // A fresh Support account through the staff token helper too.
      expect((await http().get('/booking-desk/tickets').set({ Authorization: `Bearer ${await staffToken(app.strapi, 'coworking-support')}` })).status).toBe(200);
    });
  });
});
