/**
 * Member support tickets through HTTP against the real server: opening a ticket (JSON, multipart with image
 * attachments checked on their bytes), the member's list and thread, replies, and the staff reply that
 * notifies the member through the outbox in the same transaction. Every refusal is checked to leave nothing
 * behind: no ticket, no message, no stored file.
 */
import fs from 'fs';
import path from 'path';
import request from 'supertest';
import { createApiToken, createMember, memberToken, staffToken } from '../helpers/auth';
import { createRegisteredMember } from '../helpers/booking-fixtures';
import { png } from '../helpers/images';
import { startStrapi, type TestApp } from '../helpers/strapi';

const TICKET_UID = 'api::ticket.ticket';
const MESSAGE_UID = 'api::ticket-message.ticket-message';
const FILE_UID = 'plugin::upload.file';
const OUTBOX_UID = 'api::outbox-job.outbox-job';
const USER_UID = 'plugin::users-permissions.user';
const UPLOADS_DIR = path.resolve(__dirname, '..', '..', 'public', 'uploads');

describe('support tickets (member endpoints and staff replies)', () => {
  let app: TestApp;
  const members: Record<string, { id: number; documentId: string }> = {};
  const tokens: Record<string, string> = {};
  const http = () => request(app.strapi.server.httpServer);
  const asMember = (name: string) => ({ Authorization: `Bearer ${tokens[name]}` });
  const counts = async () => ({
    tickets: await app.strapi.db.query(TICKET_UID).count(),
    messages: await app.strapi.db.query(MESSAGE_UID).count(),
    files: await app.strapi.db.query(FILE_UID).count(),
  });
  /** The uploads folder's files (stored names are server-chosen, so "nothing written" compares listings). */
  const uploadsNow = () => new Set(fs.existsSync(UPLOADS_DIR) ? fs.readdirSync(UPLOADS_DIR) : []);
  const newUploads = (before: Set<string>) => [...uploadsNow()].filter((name) => !before.has(name));
  const notifyJobs = () => app.strapi.db.query(OUTBOX_UID).findMany({ where: { kind: 'member.notify' }, orderBy: { id: 'asc' } });

  async function openTicket(name: string, subject = 'Wi-Fi is down', body = 'Cannot connect on floor 2'): Promise<string> {
    const res = await http().post('/api/tickets').set(asMember(name)).send({ subject, body });
    if (res.status !== 201) throw new Error(`ticket failed: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body.data.documentId;
  }

  beforeAll(async () => {
    // The worker stays off so the jobs written here stay as written.
    app = await startStrapi({ OUTBOX_WORKER: 'false' });
    for (const name of ['alice', 'bob', 'banned']) {
      members[name] = await createRegisteredMember(app.strapi);
      tokens[name] = await memberToken(app.strapi, members[name].id);
    }
    await app.strapi.db.query(USER_UID).update({ where: { id: members.banned.id }, data: { isBanned: true } });
    // Signed in through Telegram but never completed the profile (registeredAt null).
    const newcomer = await createMember(app.strapi);
    tokens.newcomer = await memberToken(app.strapi, newcomer.id);
    tokens.support = await staffToken(app.strapi, 'coworking-support');
  });

  afterAll(async () => {
    await app.stop();
  });

  describe('POST /api/tickets', () => {
    it('opens a ticket from JSON with its first message, answering status (not state)', async () => {
      const res = await http().post('/api/tickets').set(asMember('alice')).send({ subject: 'Coffee machine', body: 'It is leaking', priority: 'high' });
      expect(res.status).toBe(201);
      expect(res.body.data).toMatchObject({
        subject: 'Coffee machine',
        status: 'open',
        priority: 'high',
        messageCount: 1,
        messages: [{ authorType: 'member', body: 'It is leaking', attachments: [] }],
      });
      expect(res.body.data).not.toHaveProperty('state');
      expect(new Date(res.body.data.createdAt).toISOString()).toBe(res.body.data.createdAt);

      const stored = await app.strapi.db.query(TICKET_UID).findOne({
        where: { documentId: res.body.data.documentId },
        populate: { member: true, messages: { populate: { authorMember: true } } },
      });
      expect(stored.member.id).toBe(members.alice.id);
      expect(stored.state).toBe('open');
      expect(stored.messages).toHaveLength(1);
      expect(stored.messages[0].authorMember.id).toBe(members.alice.id);
    });

    it('takes multipart with two PNG photos: files stored through the upload plugin, URLs returned', async () => {
      const before = await counts();
      const res = await http()
        .post('/api/tickets')
        .set(asMember('alice'))
        .field('subject', 'Broken chair')
        .field('body', 'See the photos')
        .attach('attachments', png(2, 2, [255, 0, 0]), { filename: 'tickets-red.png', contentType: 'image/png' })
        .attach('attachments', png(3, 1, [0, 0, 255]), { filename: 'tickets-blue.png', contentType: 'image/png' });
      expect(res.status).toBe(201);
      const [message] = res.body.data.messages;
      expect(message.attachments).toHaveLength(2);
      expect(message.attachments.map((file: { name: string }) => file.name).sort()).toEqual(['tickets-blue.png', 'tickets-red.png']);
      for (const file of message.attachments) {
        // A server-chosen name with the detected type's extension, as a signed link (docs/API.md, Ticket attachments).
        expect(file).toMatchObject({ mime: 'image/png', url: expect.stringMatching(/^\/uploads\/ticket_[0-9a-f]{32}_\w+\.png\?expires=\d+&signature=[\w-]+$/) });
        // The link serves the image.
        const served = await http().get(file.url);
        expect(served.status).toBe(200);
        expect(served.headers['content-type']).toMatch(/image\/png/);
      }
      expect(message.attachments.find((file: { name: string }) => file.name === 'tickets-red.png')).toMatchObject({ width: 2, height: 2 });
      expect(await counts()).toEqual({ tickets: before.tickets + 1, messages: before.messages + 1, files: before.files + 2 });
    });

    it('accepts the bracketed field name attachments[] too', async () => {
      const res = await http()
        .post('/api/tickets')
        .set(asMember('alice'))
        .field('subject', 'Window')
        .field('body', 'Cracked')
        .attach('attachments[]', png(1, 1, [0, 255, 0]), { filename: 'tickets-green.png', contentType: 'image/png' });
      expect(res.status).toBe(201);
      expect(res.body.data.messages[0].attachments).toHaveLength(1);
    });

    it('refuses a ".png" that is really text with 415 and writes nothing', async () => {
      const before = await counts();
      const files = uploadsNow();
      const res = await http()
        .post('/api/tickets')
        .set(asMember('alice'))
        .field('subject', 'Fake photo')
        .field('body', 'Look')
        .attach('attachments', png(1, 1, [1, 2, 3]), { filename: 'tickets-real-415.png', contentType: 'image/png' })
        .attach('attachments', Buffer.from('this is not an image at all'), { filename: 'tickets-fake-415.png', contentType: 'image/png' });
      expect(res.status).toBe(415);
      expect(res.body.error).toMatchObject({ status: 415, name: 'UnsupportedMediaTypeError' });
      expect(res.body.error.message).toMatch(/tickets-fake-415\.png is not a JPEG, PNG or WebP image/);
      // The index is the file's place in the order the multipart parser finished writing the files, which for two
      // tiny files is not always the order they were sent in: the message names the file.
      expect(res.body.error.details.errors[0].path).toEqual(['attachments', expect.stringMatching(/^[01]$/)]);
      expect(await counts()).toEqual(before);
      expect(newUploads(files)).toEqual([]);
    });

    it('deletes the files already stored when a later one turns out unreadable (PNG signature, broken content)', async () => {
      const before = await counts();
      const files = uploadsNow();
      // A readable header (signature and IHDR: 33 bytes) so only decoding finds the garbage.
      const broken = Buffer.concat([png(1, 1, [9, 9, 9]).subarray(0, 33), Buffer.from('garbage after a PNG header')]);
      const res = await http()
        .post('/api/tickets')
        .set(asMember('alice'))
        .field('subject', 'Half broken')
        .field('body', 'One good, one bad')
        .attach('attachments', png(4, 4, [10, 20, 30]), { filename: 'tickets-good-cleanup.png', contentType: 'image/png' })
        .attach('attachments', broken, { filename: 'tickets-broken-cleanup.png', contentType: 'image/png' });
      expect(res.status).toBe(415);
      expect(res.body.error.message).toMatch(/^tickets-broken-cleanup\.png looks like image\/png but cannot be read as an image/);
      expect(await counts()).toEqual(before);
      expect(newUploads(files)).toEqual([]);
    });

    it('refuses an attachment over 10 MB with 413 and writes nothing', async () => {
      const before = await counts();
      const files = uploadsNow();
      const big = Buffer.concat([png(1, 1, [0, 0, 0]), Buffer.alloc(10 * 1024 * 1024 + 1 - 60)]);
      const res = await http()
        .post('/api/tickets')
        .set(asMember('alice'))
        .field('subject', 'Huge photo')
        .field('body', 'Sorry')
        .attach('attachments', big, { filename: 'tickets-huge.png', contentType: 'image/png' });
      expect(res.status).toBe(413);
      expect(res.body.error).toMatchObject({ status: 413, name: 'PayloadTooLargeError' });
      expect(await counts()).toEqual(before);
      expect(newUploads(files)).toEqual([]);
    });

    it('refuses six attachments with 422 and writes nothing', async () => {
      const before = await counts();
      const files = uploadsNow();
      let req = http().post('/api/tickets').set(asMember('alice')).field('subject', 'Many photos').field('body', 'Six of them');
      for (let n = 0; n < 6; n += 1) req = req.attach('attachments', png(1, 1, [n, n, n]), { filename: `tickets-six-${n}.png`, contentType: 'image/png' });
      const res = await req;
      expect(res.status).toBe(422);
      expect(res.body.error.details.errors[0].path).toEqual(['attachments']);
      expect(await counts()).toEqual(before);
      expect(newUploads(files)).toEqual([]);
    });

    it('refuses invalid fields with 422 naming them, and fields a member may not set with 400', async () => {
      const before = await counts();
      const res = await http().post('/api/tickets').set(asMember('alice')).send({ subject: 'no', body: '' });
      expect(res.status).toBe(422);
      const paths = res.body.error.details.errors.map((error: { path: string[] }) => error.path.join('.'));
      expect(paths).toEqual(expect.arrayContaining(['subject', 'body']));
      const forged = await http().post('/api/tickets').set(asMember('alice')).send({ subject: 'Forged', body: 'x', state: 'closed', member: 1 });
      expect(forged.status).toBe(400);
      expect(await counts()).toEqual(before);
    });

    it('refuses banned members, members who have not registered, and anonymous callers', async () => {
      const before = await counts();
      const banned = await http().post('/api/tickets').set(asMember('banned')).send({ subject: 'Let me in', body: 'Please' });
      expect(banned.status).toBe(403);
      expect(banned.body.error.message).toMatch(/blocked/);
      const newcomer = await http().post('/api/tickets').set(asMember('newcomer')).send({ subject: 'Hello there', body: 'Hi' });
      expect(newcomer.status).toBe(403);
      expect(newcomer.body.error.message).toMatch(/registration/);
      const anonymous = await http().post('/api/tickets').send({ subject: 'Hello there', body: 'Hi' });
      expect(anonymous.status).toBe(403);
      expect(await counts()).toEqual(before);
    });
  });

  describe('reading tickets', () => {
    let bobTicket: string;

    beforeAll(async () => {
      bobTicket = await openTicket('bob', 'Locker key', 'Lost my key');
    });

    it('GET /api/tickets/mine lists only the caller’s tickets, newest first, with status and message count', async () => {
      const res = await http().get('/api/tickets/mine').set(asMember('bob'));
      expect(res.status).toBe(200);
      expect(res.body.data.map((ticket: { documentId: string }) => ticket.documentId)).toEqual([bobTicket]);
      expect(res.body.data[0]).toMatchObject({ subject: 'Locker key', status: 'open', messageCount: 1, lastMessageAt: expect.any(String) });
      expect(res.body.meta.pagination).toEqual({ page: 1, pageSize: 10, pageCount: 1, total: 1 });

      const alice = await http().get('/api/tickets/mine?pageSize=2').set(asMember('alice'));
      expect(alice.body.data).toHaveLength(2);
      expect(alice.body.data.map((ticket: { documentId: string }) => ticket.documentId)).not.toContain(bobTicket);
      const created = alice.body.data.map((ticket: { createdAt: string }) => ticket.createdAt);
      expect([...created].sort().reverse()).toEqual(created);
      expect(alice.body.meta.pagination).toMatchObject({ page: 1, pageSize: 2, total: 3 });
    });

    it('filters by status and refuses a malformed query with 400', async () => {
      expect((await http().get('/api/tickets/mine?status=closed,resolved').set(asMember('bob'))).body.data).toEqual([]);
      expect((await http().get('/api/tickets/mine?status=open').set(asMember('bob'))).body.data).toHaveLength(1);
      const bad = await http().get('/api/tickets/mine?status=lost&pageSize=500').set(asMember('bob'));
      expect(bad.status).toBe(400);
      const paths = bad.body.error.details.errors.map((error: { path: string[] }) => error.path.join('.'));
      expect(paths).toEqual(expect.arrayContaining(['status.0', 'pageSize']));
    });

    it('GET /api/tickets/:documentId: the owner gets the thread, another member 403, unknown 404', async () => {
      const own = await http().get(`/api/tickets/${bobTicket}`).set(asMember('bob'));
      expect(own.status).toBe(200);
      expect(own.body.data).toMatchObject({ documentId: bobTicket, status: 'open', messages: [{ authorType: 'member', body: 'Lost my key' }] });

      const other = await http().get(`/api/tickets/${bobTicket}`).set(asMember('alice'));
      expect(other.status).toBe(403);
      expect(other.body.data).toBeNull();
      expect(JSON.stringify(other.body)).not.toContain('Lost my key');

      expect((await http().get('/api/tickets/aaaaaaaaaaaaaaaaaaaaaaaa').set(asMember('bob'))).status).toBe(404);
      expect((await http().get('/api/tickets/not-an-id').set(asMember('bob'))).status).toBe(400);
    });

    it('keeps the generic REST routes closed to members', async () => {
      expect((await http().get('/api/tickets').set(asMember('bob'))).status).toBe(403);
      expect((await http().put(`/api/tickets/${bobTicket}`).set(asMember('bob')).send({ data: { state: 'closed' } })).status).toBe(403);
      expect((await http().delete(`/api/tickets/${bobTicket}`).set(asMember('bob'))).status).toBe(403);
      expect((await http().get('/api/ticket-messages').set(asMember('bob'))).status).toBe(403);
      expect((await http().post('/api/ticket-messages').set(asMember('bob')).send({ data: { body: 'x', ticket: bobTicket } })).status).toBe(403);
    });
  });

  describe('API tokens', () => {
    it('keep the generic create and findOne, and are refused the member-only routes', async () => {
      const token = { Authorization: `Bearer ${await createApiToken(app.strapi, 'full-access')}` };
      const created = await http().post('/api/tickets').set(token).send({ data: { subject: 'From an integrator' } });
      expect(created.status).toBe(201);
      const one = await http().get(`/api/tickets/${created.body.data.documentId}`).set(token);
      expect(one.status).toBe(200);
      expect(one.body.data).toMatchObject({ subject: 'From an integrator', state: 'open' });
      expect((await http().get('/api/tickets/mine').set(token)).status).toBe(403);
      const reply = await http().post(`/api/tickets/${created.body.data.documentId}/messages`).set(token).send({ body: 'x' });
      expect(reply.status).toBe(403);
    });
  });

  describe('POST /api/tickets/:documentId/messages', () => {
    let ticket: string;

    beforeAll(async () => {
      ticket = await openTicket('alice', 'Heating', 'Too cold in room 3');
    });

    it('adds the member’s reply (JSON), 201', async () => {
      const res = await http().post(`/api/tickets/${ticket}/messages`).set(asMember('alice')).send({ body: 'Still cold' });
      expect(res.status).toBe(201);
      expect(res.body.data).toMatchObject({ authorType: 'member', body: 'Still cold', attachments: [], ticket: { documentId: ticket, status: 'open' } });
      const thread = await http().get(`/api/tickets/${ticket}`).set(asMember('alice'));
      expect(thread.body.data.messages.map((message: { body: string }) => message.body)).toEqual(['Too cold in room 3', 'Still cold']);
      expect(thread.body.data.messageCount).toBe(2);
    });

    it('takes a reply with a photo (multipart)', async () => {
      const res = await http()
        .post(`/api/tickets/${ticket}/messages`)
        .set(asMember('alice'))
        .field('body', 'Thermometer photo')
        .attach('attachments', png(2, 3, [200, 100, 0]), { filename: 'tickets-thermo.png', contentType: 'image/png' });
      expect(res.status).toBe(201);
      expect(res.body.data.attachments).toHaveLength(1);
      expect(res.body.data.attachments[0].url).toMatch(/^\/uploads\/ticket_\w+\.png\?expires=\d+&signature=/);
    });

    it('refuses another member with 403 and writes nothing', async () => {
      const before = await counts();
      const res = await http().post(`/api/tickets/${ticket}/messages`).set(asMember('bob')).send({ body: 'Me too' });
      expect(res.status).toBe(403);
      expect(await counts()).toEqual(before);
      expect((await http().post('/api/tickets/aaaaaaaaaaaaaaaaaaaaaaaa/messages').set(asMember('bob')).send({ body: 'x' })).status).toBe(404);
    });

    it('re-opens a resolved ticket', async () => {
      await app.strapi.db.query(TICKET_UID).update({ where: { documentId: ticket }, data: { state: 'resolved' } });
      const res = await http().post(`/api/tickets/${ticket}/messages`).set(asMember('alice')).send({ body: 'It is cold again' });
      expect(res.status).toBe(201);
      expect(res.body.data.ticket.status).toBe('open');
      expect((await app.strapi.db.query(TICKET_UID).findOne({ where: { documentId: ticket } })).state).toBe('open');
    });

    it('refuses a reply to a closed ticket with 409 and writes nothing, not even the photo', async () => {
      await app.strapi.db.query(TICKET_UID).update({ where: { documentId: ticket }, data: { state: 'closed' } });
      const before = await counts();
      const files = uploadsNow();
      const res = await http()
        .post(`/api/tickets/${ticket}/messages`)
        .set(asMember('alice'))
        .field('body', 'Hello?')
        .attach('attachments', png(1, 1, [5, 5, 5]), { filename: 'tickets-closed-409.png', contentType: 'image/png' });
      expect(res.status).toBe(409);
      expect(res.body.error).toMatchObject({ status: 409, name: 'ConflictError', details: { code: 'closed' } });
      expect(await counts()).toEqual(before);
      expect(newUploads(files)).toEqual([]);
    });
  });

  describe('staff replies', () => {
    let ticket: string;
    const cm = '/content-manager/collection-types/api::ticket-message.ticket-message';

    beforeAll(async () => {
      ticket = await openTicket('bob', 'Printer', 'Out of toner');
    });

    it('a staff reply through the content manager enqueues exactly one member.notify job and moves the ticket to in_progress', async () => {
      const jobsBefore = (await notifyJobs()).length;
      const res = await http()
        .post(cm)
        .set('Authorization', `Bearer ${tokens.support}`)
        .send({ ticket: { connect: [{ documentId: ticket }] }, authorType: 'staff', body: 'New toner is on its way' });
      expect(res.status).toBe(201);
      const messageId = res.body.data.documentId;

      const jobs = await notifyJobs();
      expect(jobs).toHaveLength(jobsBefore + 1);
      const job = jobs[jobs.length - 1];
      expect(job).toMatchObject({ kind: 'member.notify', state: 'queued', dedupeKey: `member.notify:ticket-message:${messageId}` });
      const payload = typeof job.payload === 'string' ? JSON.parse(job.payload) : job.payload;
      expect(payload).toEqual({ ticket, message: messageId, event: 'ticket_reply' });

      // Editing the reply does not notify twice.
      const edited = await http().put(`${cm}/${messageId}`).set('Authorization', `Bearer ${tokens.support}`).send({ body: 'New toner arrives today' });
      expect(edited.status).toBe(200);
      expect(await notifyJobs()).toHaveLength(jobsBefore + 1);

      // The member follows the replies.
      const thread = await http().get(`/api/tickets/${ticket}`).set(asMember('bob'));
      expect(thread.body.data.status).toBe('in_progress');
      expect(thread.body.data.messages.map((message: { authorType: string }) => message.authorType)).toEqual(['member', 'staff']);
      expect(thread.body.data.messages[1]).not.toHaveProperty('authorStaff');
    });

    it('member messages and staff notes without a ticket enqueue nothing', async () => {
      const jobsBefore = (await notifyJobs()).length;
      await http().post(`/api/tickets/${ticket}/messages`).set(asMember('bob')).send({ body: 'Thanks!' });
      const note = await http().post(cm).set('Authorization', `Bearer ${tokens.support}`).send({ authorType: 'staff', body: 'Draft without ticket' });
      expect(note.status).toBe(201);
      expect(await notifyJobs()).toHaveLength(jobsBefore);
    });

    it('the job is written in the message’s transaction: a rolled-back reply leaves neither message nor job', async () => {
      const before = { jobs: (await notifyJobs()).length, messages: await app.strapi.db.query(MESSAGE_UID).count() };
      await expect(
        app.strapi.db.transaction(async () => {
          await app.strapi.documents(MESSAGE_UID).create({ data: { ticket, authorType: 'staff', body: 'Rolled back' } as never });
          expect(await notifyJobs()).toHaveLength(before.jobs + 1);
          throw new Error('roll back');
        }),
      ).rejects.toThrow('roll back');
      expect(await notifyJobs()).toHaveLength(before.jobs);
      expect(await app.strapi.db.query(MESSAGE_UID).count()).toBe(before.messages);
    });

    it('server code creating a staff reply through the Document Service is covered too', async () => {
      const jobsBefore = (await notifyJobs()).length;
      const message = await app.strapi.documents(MESSAGE_UID).create({ data: { ticket, authorType: 'staff', body: 'Fixed' } as never });
      const jobs = await notifyJobs();
      expect(jobs).toHaveLength(jobsBefore + 1);
      expect(jobs[jobs.length - 1].dedupeKey).toBe(`member.notify:ticket-message:${message.documentId}`);
    });
  });
});
