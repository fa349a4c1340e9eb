/**
 * Upload hardening (issue 13, finding 2), through HTTP against the real server: a file's type comes from its
 * bytes and decides its stored extension; every /uploads answer carries nosniff and never renders HTML; ticket
 * attachments are private (signed, expiring links for the ticket's member and staff only); decompression bombs
 * are refused from their header before anything decodes them; each member's attachments are rate-limited. Each
 * refusal is checked to leave nothing behind: no ticket, message or file row, no file in the uploads folder.
 */
import fs from 'fs';
import path from 'path';
import request from 'supertest';
import { signingSecrets, signUploadUrl } from '../../src/api/ticket/domain/attachment-urls';
import { memberToken, staffToken } from '../helpers/auth';
import { createRegisteredMember } from '../helpers/booking-fixtures';
import { blackPng, png } from '../helpers/images';
import { startStrapi, type TestApp } from '../helpers/strapi';

const TICKET_UID = 'api::ticket.ticket';
const MESSAGE_UID = 'api::ticket-message.ticket-message';
const FILE_UID = 'plugin::upload.file';
const UPLOADS_DIR = path.resolve(__dirname, '..', '..', 'public', 'uploads');
const UPLOAD_LIMIT = 6;
const PRIVATE_FILE = /^\/uploads\/ticket_[0-9a-f]{32}_[0-9a-f]+\.(png|jpg|webp)\?expires=\d+&signature=[A-Za-z0-9_-]{43}$/;

interface Attachment {
  name: string;
  url: string;
  mime: string;
  formats: Record<string, { url: string }>;
}

describe('upload hardening', () => {
  let app: TestApp;
  const http = () => request(app.strapi.server.httpServer);
  const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });
  const listUploads = () => new Set(fs.existsSync(UPLOADS_DIR) ? fs.readdirSync(UPLOADS_DIR) : []);
  const newUploads = (before: Set<string>) => [...listUploads()].filter((name) => !before.has(name));
  const counts = async () => ({
    tickets: await app.strapi.db.query(TICKET_UID).count(),
    messages: await app.strapi.db.query(MESSAGE_UID).count(),
    files: await app.strapi.db.query(FILE_UID).count(),
  });
  /** The path and query of a signed link, e.g. to change one part of it. */
  const linkParts = (url: string) => {
    const parsed = new URL(url, 'http://server');
    return { path: parsed.pathname, expires: parsed.searchParams.get('expires')!, signature: parsed.searchParams.get('signature')! };
  };

  /** A fresh registered member's token, so each case starts with a full upload allowance. */
  async function freshMember(): Promise<string> {
    const member = await createRegisteredMember(app.strapi);
    return memberToken(app.strapi, member.id);
  }

  /** POST /api/tickets with the given attachments. */
  function openTicket(token: string, files: { bytes: Buffer; filename: string; contentType: string }[]) {
    let req = http().post('/api/tickets').set(bearer(token)).field('subject', 'Upload check').field('body', 'See attached');
    for (const file of files) req = req.attach('attachments', file.bytes, { filename: file.filename, contentType: file.contentType });
    return req;
  }

  function expectNoSniff(res: request.Response) {
    expect(res.headers['x-content-type-options']).toBe('nosniff');
  }

  beforeAll(async () => {
    app = await startStrapi({ OUTBOX_WORKER: 'false', RATE_LIMIT_UPLOAD: `${UPLOAD_LIMIT}/3600` });
  });

  afterAll(async () => {
    await app.stop();
  });

  describe('the type comes from the bytes', () => {
    it.each([
      ['evil.html', 'text/html'],
      ['evil.svg', 'image/svg+xml'],
      ['evil.js', 'application/javascript'],
      ['evil.exe', 'application/x-msdownload'],
    ])('given a valid PNG named %s (declared %s), when attached to a ticket, then it is stored and served as a PNG under a server-chosen name', async (filename, contentType) => {
      const before = listUploads();
      const res = await openTicket(await freshMember(), [{ bytes: png(2, 2, [255, 0, 0]), filename, contentType }]);
      expect(res.status).toBe(201);
      const [file] = res.body.data.messages[0].attachments as Attachment[];
      expect(file).toMatchObject({ mime: 'image/png', name: filename.replace(/\.\w+$/, '.png'), url: expect.stringMatching(PRIVATE_FILE) });

      const stored = newUploads(before);
      expect(stored).toEqual([linkParts(file.url).path.slice('/uploads/'.length)]);
      expect(stored[0]).not.toContain('evil');
      const row = await app.strapi.db.query(FILE_UID).findOne({ where: { url: linkParts(file.url).path } });
      expect(row).toMatchObject({ ext: '.png', mime: 'image/png', name: filename.replace(/\.\w+$/, '.png') });

      const served = await http().get(file.url);
      expect(served.status).toBe(200);
      expect(served.headers['content-type']).toBe('image/png');
      expectNoSniff(served);
    });

    it.each([
      ['an HTML page named photo.png', Buffer.from('<!doctype html><script>alert(document.cookie)</script>'), 'photo.png', 'image/png'],
      ['an SVG with a script', Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'), 'logo.svg', 'image/svg+xml'],
      ['a script', Buffer.from('fetch("/api/users/me").then(r => r.text()).then(alert)'), 'app.js', 'application/javascript'],
      ['a Windows executable', Buffer.concat([Buffer.from('MZ'), Buffer.alloc(510)]), 'setup.exe', 'application/x-msdownload'],
    ])('given %s, when attached, then it is refused with 415 and nothing is written', async (_what, bytes, filename, contentType) => {
      const [before, files] = [await counts(), listUploads()];
      const res = await openTicket(await freshMember(), [{ bytes, filename, contentType }]);
      expect(res.status).toBe(415);
      expect(res.body).toMatchObject({
        data: null,
        error: { status: 415, name: 'UnsupportedMediaTypeError', message: `${filename} is not a JPEG, PNG or WebP image (its content was checked, not its name); attach photos or screenshots only` },
      });
      expect(await counts()).toEqual(before);
      expect(newUploads(files)).toEqual([]);
    });
  });

  describe('every file under /uploads', () => {
    const legacy = `legacy-upload-test-${process.pid}.html`;
    afterAll(() => fs.rmSync(path.join(UPLOADS_DIR, legacy), { force: true }));

    it('given an HTML file stored before types were checked, when requested, then it is a sandboxed download with nosniff, never text/html', async () => {
      fs.mkdirSync(UPLOADS_DIR, { recursive: true });
      fs.writeFileSync(path.join(UPLOADS_DIR, legacy), '<!doctype html><script>alert(document.cookie)</script>');
      const res = await http().get(`/uploads/${legacy}`);
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toBe('application/octet-stream');
      expect(res.headers['content-disposition']).toBe('attachment');
      expect(res.headers['content-security-policy']).toBe("default-src 'none'; sandbox");
      expectNoSniff(res);
    });

    it('given a path that does not exist, when requested, then 404 still with nosniff', async () => {
      const res = await http().get('/uploads/nothing-here.png');
      expect(res.status).toBe(404);
      expectNoSniff(res);
    });
  });

  describe('ticket attachments are private', () => {
    let owner: string;
    let ticket: string;
    let file: Attachment;

    beforeAll(async () => {
      owner = await freshMember();
      // Larger than the thumbnail box (245 × 156), so the upload plugin makes a thumbnail too.
      const res = await openTicket(owner, [{ bytes: png(300, 200, [0, 128, 255]), filename: 'router.png', contentType: 'image/png' }]);
      expect(res.status).toBe(201);
      ticket = res.body.data.documentId;
      [file] = res.body.data.messages[0].attachments;
    });

    it('given the signed link from the API, when fetched, then 200 with the image, cached privately only', async () => {
      const res = await http().get(file.url);
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toBe('image/png');
      expect(res.headers['cache-control']).toMatch(/^private, max-age=\d+$/);
      expectNoSniff(res);
    });

    it('given the renditions, then their links are signed too and work, and their bare paths do not', async () => {
      const thumbnail = file.formats.thumbnail;
      expect(thumbnail.url).toMatch(/^\/uploads\/thumbnail_ticket_[0-9a-f]{32}_[0-9a-f]+\.png\?expires=\d+&signature=/);
      expect((await http().get(thumbnail.url)).status).toBe(200);
      expect((await http().get(linkParts(thumbnail.url).path)).status).toBe(403);
    });

    it('given the bare path (no signature), when fetched, then 403 in the error envelope, however the path is spelled', async () => {
      const { path: bare } = linkParts(file.url);
      for (const spelling of [bare, bare.replace('/ticket_', '/%74icket_'), bare.replace('/uploads/', '/uploads/../uploads/')]) {
        const res = await http().get(spelling);
        expect(res.status).toBe(403);
        expect(res.body).toEqual({
          data: null,
          error: {
            status: 403,
            name: 'ForbiddenError',
            message: 'This attachment is private. Open it from its support ticket to get a link that works.',
            details: { code: 'attachment_link_missing' },
          },
        });
        expectNoSniff(res);
      }
      expect((await http().head(bare)).status).toBe(403);
    });

    it('given a tampered signature, a lengthened expiry or the signature of another file, when fetched, then 403', async () => {
      const { path: bare, expires, signature } = linkParts(file.url);
      const flipped = `${signature.slice(0, 20)}${signature[20] === 'A' ? 'B' : 'A'}${signature.slice(21)}`;
      const attempts = [
        `${bare}?expires=${expires}&signature=${flipped}`,
        `${bare}?expires=${Number(expires) + 86_400}&signature=${signature}`,
        `${linkParts(file.formats.thumbnail.url).path}?expires=${expires}&signature=${signature}`,
        `${bare}?expires=${expires}`,
        `${bare}?expires=soon&signature=${signature}`,
      ];
      for (const url of attempts) {
        const res = await http().get(url);
        expect(res.status).toBe(403);
        expect(res.body.error).toMatchObject({ status: 403, details: { code: 'attachment_link_invalid' } });
      }
    });

    it('given a correctly signed link whose expiry has passed, when fetched, then 403 telling the link expired', async () => {
      const { path: bare } = linkParts(file.url);
      // Signed with the server's own key (tests/helpers/test-env.js), an hour and a half ago for an hour.
      const expired = signUploadUrl(bare, signingSecrets(process.env.APP_KEYS!.split(',')), 3600, Date.now() - 90 * 60_000);
      const res = await http().get(expired);
      expect(res.status).toBe(403);
      expect(res.body.error).toMatchObject({
        message: 'This attachment link has expired. Open the support ticket again to get a fresh link.',
        details: { code: 'attachment_link_expired' },
      });
    });

    it('given another member, when they ask the API for the ticket or its files, then they get no link', async () => {
      const other = await freshMember();
      const res = await http().get(`/api/tickets/${ticket}`).set(bearer(other));
      expect(res.status).toBe(403);
      expect(JSON.stringify(res.body)).not.toContain(linkParts(file.url).path);
      const files = await http().get('/api/upload/files').set(bearer(other));
      expect(files.status).toBe(403);
    });

    it('given the owner, when they read the ticket again, then they get working signed links', async () => {
      const res = await http().get(`/api/tickets/${ticket}`).set(bearer(owner));
      expect(res.status).toBe(200);
      const [again] = res.body.data.messages[0].attachments as Attachment[];
      expect(again.url).toMatch(PRIVATE_FILE);
      expect(linkParts(again.url).path).toBe(linkParts(file.url).path);
      expect((await http().get(again.url)).status).toBe(200);
    });

    it('given staff, when they open the message in the content manager or the media library, then the links are signed and work', async () => {
      const support = await staffToken(app.strapi, 'coworking-support');
      const stored = await app.strapi.db.query(TICKET_UID).findOne({ where: { documentId: ticket }, populate: { messages: true } });
      const message = await http()
        .get(`/content-manager/collection-types/${MESSAGE_UID}/${stored.messages[0].documentId}`)
        .set(bearer(support));
      expect(message.status).toBe(200);
      const [attachment] = message.body.data.attachments as Attachment[];
      expect(attachment.url).toMatch(PRIVATE_FILE);
      expect((await http().get(attachment.url)).status).toBe(200);

      const library = await http().get('/upload/files').query({ pageSize: 100 }).set(bearer(support));
      expect(library.status).toBe(200);
      const listed = (library.body.results as Attachment[]).find((entry) => entry.url.startsWith(`${linkParts(file.url).path}?`));
      expect(listed?.url).toMatch(PRIVATE_FILE);
      expect((await http().get(listed!.url)).status).toBe(200);
    });
  });

  describe('decompression bombs', () => {
    it('given an 8000 × 8000 PNG of a few KB, when attached, then 413 from its header within a second or two, and nothing is written', async () => {
      const bomb = blackPng(8000, 8000);
      expect(bomb.length).toBeLessThan(64 * 1024);
      const token = await freshMember();
      const [before, files] = [await counts(), listUploads()];
      const res = await openTicket(token, [
        { bytes: png(1, 1, [1, 2, 3]), filename: 'fine.png', contentType: 'image/png' },
        { bytes: bomb, filename: 'bomb.png', contentType: 'image/png' },
      ]);
      expect(res.status).toBe(413);
      expect(res.body).toEqual({
        data: null,
        error: {
          status: 413,
          name: 'PayloadTooLargeError',
          message: 'bomb.png is 8000 × 8000 pixels (64 megapixels); attachments may have at most 40 megapixels',
          // The index follows the order the parser finished the files in, not always the order they were sent in.
          details: { errors: [{ path: ['attachments', expect.stringMatching(/^[01]$/)], message: expect.any(String), name: 'ValidationError' }] },
        },
      });
      expect(await counts()).toEqual(before);
      expect(newUploads(files)).toEqual([]);
    });
  });

  describe('per-member upload rate', () => {
    it(`given ${UPLOAD_LIMIT} files an hour, when a member attaches more, then 429 with Retry-After, nothing written, and text-only messages still pass`, async () => {
      const token = await freshMember();
      const photo = (n: number) => ({ bytes: png(1, 1, [n, n, n]), filename: `photo-${n}.png`, contentType: 'image/png' });
      const first = await openTicket(token, [photo(1), photo(2), photo(3), photo(4)]);
      expect(first.status).toBe(201);

      const [before, files] = [await counts(), listUploads()];
      const refused = await http()
        .post(`/api/tickets/${first.body.data.documentId}/messages`)
        .set(bearer(token))
        .field('body', 'Three more')
        .attach('attachments', photo(5).bytes, { filename: 'photo-5.png', contentType: 'image/png' })
        .attach('attachments', photo(6).bytes, { filename: 'photo-6.png', contentType: 'image/png' })
        .attach('attachments', photo(7).bytes, { filename: 'photo-7.png', contentType: 'image/png' });
      expect(refused.status).toBe(429);
      const retryAfter = Number(refused.headers['retry-after']);
      expect(retryAfter).toBeGreaterThan(3000);
      expect(retryAfter).toBeLessThanOrEqual(3600);
      expect(refused.body).toEqual({
        data: null,
        error: {
          status: 429,
          name: 'RateLimitError',
          message: `Too many attachments: at most ${UPLOAD_LIMIT} files per 60 minutes. Try again in 60 minutes, or send your message without attachments.`,
          details: { retryAfterSeconds: retryAfter, rule: 'upload' },
        },
      });
      expect(await counts()).toEqual(before);
      expect(newUploads(files)).toEqual([]);

      const textOnly = await http().post(`/api/tickets/${first.body.data.documentId}/messages`).set(bearer(token)).send({ body: 'No photos then' });
      expect(textOnly.status).toBe(201);
      // Another member has their own allowance.
      expect((await openTicket(await freshMember(), [photo(8)])).status).toBe(201);
    });
  });
});
