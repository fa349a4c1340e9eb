/**
 * Ticket attachments without a server: what a file really is (from its bytes), how large it would be decoded
 * (from its header), the names it is stored and shown under, and the signed links to it.
 */
import fs from 'fs';
import os from 'os';
import path from 'path';
import sharp from 'sharp';
import { privateUploadPath, signingSecrets, signUploadUrl, verifyUploadSignature } from '../../../src/api/ticket/domain/attachment-urls';
import { displayNameFor, type IncomingFile, inspectAttachments, storedNameFor } from '../../../src/api/ticket/domain/attachments';
import { animatedWebpHeader, blackPng, png } from '../../helpers/images';

const MAX_PIXELS = 40_000_000;
let dir: string;

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ticket-attachments-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

let counter = 0;
/** A temporary upload as koa-body hands it over. */
function incoming(bytes: Buffer, originalFilename: string, mimetype = 'application/octet-stream'): IncomingFile {
  const filepath = path.join(dir, `upload-${counter++}`);
  fs.writeFileSync(filepath, bytes);
  return { filepath, originalFilename, mimetype, size: bytes.length };
}

describe('inspectAttachments', () => {
  it('given a PNG named evil.html, when inspected, then it is a PNG shown as evil.png and its declared type is replaced', async () => {
    const file = incoming(png(2, 2, [255, 0, 0]), 'evil.html', 'text/html');
    const result = await inspectAttachments([file], { maxPixels: MAX_PIXELS });
    expect(result).toEqual({ ok: true, files: [{ file, mime: 'image/png', displayName: 'evil.png' }] });
    expect(file).toMatchObject({ mimetype: 'image/png', detectedMimeType: 'image/png' });
  });

  it('given a JPEG and a WebP with misleading names, when inspected, then each gets its real type and extension', async () => {
    const jpeg = incoming(await sharp({ create: { width: 3, height: 2, channels: 3, background: '#08f' } }).jpeg().toBuffer(), 'photo.exe');
    const webp = incoming(await sharp({ create: { width: 2, height: 3, channels: 3, background: '#f80' } }).webp().toBuffer(), 'shot.svg');
    const result = await inspectAttachments([jpeg, webp], { maxPixels: MAX_PIXELS });
    expect(result.ok && result.files.map(({ mime, displayName }) => [mime, displayName])).toEqual([
      ['image/jpeg', 'photo.jpg'],
      ['image/webp', 'shot.webp'],
    ]);
  });

  it.each([
    ['an HTML page', Buffer.from('<!doctype html><script>alert(1)</script>'), 'page.png'],
    ['an SVG', Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'), 'logo.png'],
    ['a Windows executable', Buffer.concat([Buffer.from('MZ'), Buffer.alloc(200)]), 'setup.png'],
    ['a GIF', Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64'), 'anim.png'],
    ['an empty file', Buffer.alloc(0), 'empty.png'],
  ])('given %s, when inspected, then it is refused with 415 naming the file', async (_what, bytes, name) => {
    const result = await inspectAttachments([incoming(png(1, 1, [0, 0, 0]), 'fine.png'), incoming(bytes, name)], { maxPixels: MAX_PIXELS });
    expect(result).toEqual({
      ok: false,
      problem: { status: 415, field: 'attachments.1', message: `${name} is not a JPEG, PNG or WebP image (its content was checked, not its name); attach photos or screenshots only` },
    });
  });

  it('given a PNG signature followed by garbage, when inspected, then its header cannot be read: 415', async () => {
    const broken = Buffer.concat([png(1, 1, [9, 9, 9]).subarray(0, 8), Buffer.from('garbage after a PNG signature')]);
    const result = await inspectAttachments([incoming(broken, 'broken.png')], { maxPixels: MAX_PIXELS });
    expect(result).toMatchObject({ ok: false, problem: { status: 415, message: expect.stringMatching(/^broken\.png looks like image\/png but its header cannot be read/) } });
  });

  it('given an 8000 × 8000 PNG of a few KB, when inspected, then it is refused with 413 from its header alone, quickly', async () => {
    const bomb = blackPng(8000, 8000);
    expect(bomb.length).toBeLessThan(64 * 1024);
    const started = Date.now();
    const result = await inspectAttachments([incoming(bomb, 'bomb.png')], { maxPixels: MAX_PIXELS });
    expect(Date.now() - started).toBeLessThan(500);
    expect(result).toEqual({
      ok: false,
      problem: { status: 413, field: 'attachments.0', message: 'bomb.png is 8000 × 8000 pixels (64 megapixels); attachments may have at most 40 megapixels' },
    });
  });

  it('given an image exactly at the pixel limit, when inspected, then it passes', async () => {
    const result = await inspectAttachments([incoming(blackPng(4000, 2500), 'wide.png')], { maxPixels: 10_000_000 });
    expect(result.ok).toBe(true);
  });

  it('given an animated WebP, when inspected, then it is refused with 415 (every frame would be decoded)', async () => {
    const result = await inspectAttachments([incoming(animatedWebpHeader(100, 100), 'moving.webp')], { maxPixels: MAX_PIXELS });
    expect(result).toMatchObject({ ok: false, problem: { status: 415, message: expect.stringMatching(/^moving\.webp is an animated image/) } });
  });

  it('given a file over the byte limit, when inspected, then 413 before its content is read', async () => {
    const result = await inspectAttachments([incoming(png(1, 1, [0, 0, 0]), 'small.png'), incoming(Buffer.alloc(2048), 'big.png')], { maxBytes: 1024, maxPixels: MAX_PIXELS });
    expect(result).toMatchObject({ ok: false, problem: { status: 413, field: 'attachments.1' } });
  });
});

describe('names', () => {
  it.each([
    ['evil.html', 'image/png', 'evil.png'],
    ['../../etc/passwd', 'image/png', 'passwd.png'],
    ['C:\\Users\\ann\\Screen shot.JPEG', 'image/jpeg', 'Screen shot.jpg'],
    ['a<b>:"c"|?*\u0000.webp', 'image/webp', 'a_b_c_.webp'],
    ['', 'image/png', 'attachment.png'],
    [null, 'image/jpeg', 'attachment.jpg'],
    ['.htaccess', 'image/png', 'attachment.png'],
    [`${'x'.repeat(300)}.png`, 'image/png', `${'x'.repeat(100)}.png`],
  ] as const)('given the client name %j of a %s, the display name is %j', (original, mime, expected) => {
    expect(displayNameFor(original, mime)).toBe(expected);
  });

  it('stores every file under a fresh server-chosen name with 128 random bits and the detected extension', () => {
    const names = [storedNameFor('image/png'), storedNameFor('image/png'), storedNameFor('image/jpeg')];
    expect(names[0]).toMatch(/^ticket_[0-9a-f]{32}\.png$/);
    expect(names[2]).toMatch(/^ticket_[0-9a-f]{32}\.jpg$/);
    expect(new Set(names).size).toBe(3);
  });
});

describe('signed attachment links', () => {
  const secrets = signingSecrets(['keyA', 'keyB']);
  const now = Date.UTC(2026, 0, 10, 12, 0, 0);
  const file = `/uploads/ticket_${'a1'.repeat(16)}_0123456789.png`;
  const queryOf = (url: string) => Object.fromEntries(new URL(url, 'http://x').searchParams);

  it('signs a private attachment with an expiry rounded up to the minute, at least the TTL away', () => {
    const signed = signUploadUrl(file, secrets, 3600, now + 1500);
    expect(signed).toMatch(new RegExp(`^${file}\\?expires=\\d+&signature=[A-Za-z0-9_-]{43}$`));
    const expires = Number(queryOf(signed).expires);
    expect(expires % 60).toBe(0);
    expect(expires * 1000).toBeGreaterThanOrEqual(now + 1500 + 3600_000);
    expect(expires * 1000).toBeLessThan(now + 1500 + 3660_000);
  });

  it('leaves public files, absolute URLs and already signed links unchanged', () => {
    expect(signUploadUrl('/uploads/room_photo_0123456789.jpg', secrets, 3600, now)).toBe('/uploads/room_photo_0123456789.jpg');
    expect(signUploadUrl(`https://cdn.example${file}`, secrets, 3600, now)).toBe(`https://cdn.example${file}`);
    const signed = signUploadUrl(file, secrets, 3600, now);
    expect(signUploadUrl(signed, secrets, 3600, now)).toBe(signed);
  });

  it('verifies its own signature until the expiry, then says expired', () => {
    const query = queryOf(signUploadUrl(file, secrets, 3600, now));
    expect(verifyUploadSignature(file, query, secrets, now)).toEqual({ ok: true, expires: Number(query.expires) });
    expect(verifyUploadSignature(file, query, secrets, Number(query.expires) * 1000)).toEqual({ ok: false, reason: 'expired' });
  });

  it('refuses a missing, tampered or moved signature, and a longer expiry', () => {
    const query = queryOf(signUploadUrl(file, secrets, 3600, now));
    const flipped = query.signature.slice(0, 10) + (query.signature[10] === 'A' ? 'B' : 'A') + query.signature.slice(11);
    expect(verifyUploadSignature(file, {}, secrets, now)).toEqual({ ok: false, reason: 'missing' });
    expect(verifyUploadSignature(file, { ...query, signature: flipped }, secrets, now)).toEqual({ ok: false, reason: 'invalid' });
    expect(verifyUploadSignature(file, { ...query, expires: String(Number(query.expires) + 60) }, secrets, now)).toEqual({ ok: false, reason: 'invalid' });
    expect(verifyUploadSignature(file.replace('a1', 'b2'), query, secrets, now)).toEqual({ ok: false, reason: 'invalid' });
    expect(verifyUploadSignature(file, { expires: query.expires }, secrets, now)).toEqual({ ok: false, reason: 'invalid' });
    expect(verifyUploadSignature(file, { ...query, expires: ['1', '2'] }, secrets, now)).toEqual({ ok: false, reason: 'invalid' });
  });

  it('accepts links signed with a key that is still listed after rotation, not with an unknown key', () => {
    const signedWithOld = queryOf(signUploadUrl(file, signingSecrets(['keyB']), 3600, now));
    expect(verifyUploadSignature(file, signedWithOld, secrets, now).ok).toBe(true);
    const signedElsewhere = queryOf(signUploadUrl(file, signingSecrets(['other']), 3600, now));
    expect(verifyUploadSignature(file, signedElsewhere, secrets, now)).toEqual({ ok: false, reason: 'invalid' });
  });

  it('recognises a private file however the path is spelled, renditions included', () => {
    const name = `ticket_${'a1'.repeat(16)}_0123456789.png`;
    expect(privateUploadPath(`/uploads/${name}`)).toBe(`/uploads/${name}`);
    expect(privateUploadPath(`/uploads/thumbnail_${name}`)).toBe(`/uploads/thumbnail_${name}`);
    expect(privateUploadPath(`/./uploads/${name}`)).toBe(`/uploads/${name}`);
    expect(privateUploadPath(`/uploads/%74icket_${'a1'.repeat(16)}_0123456789.png`)).toBe(`/uploads/${name}`);
    expect(privateUploadPath(`/x/../uploads/${name}`)).toBe(`/uploads/${name}`);
    expect(privateUploadPath('/uploads/ticket_short.png')).toBeNull();
    expect(privateUploadPath('/uploads/room_0123456789.png')).toBeNull();
    expect(privateUploadPath('/uploads/%E0%A4%A')).toBeNull();
  });
});
