/**
 * IP bans (issue 13, "Defences to build"): staff-managed bans under RBAC and audited, validated on every write
 * path, enforced before routing from an in-memory list that follows writes, expiry and other instances; automatic
 * temporary bans after repeated abuse; the nginx deny-list export. Loopback is the trusted proxy, so requests name
 * their client in X-Forwarded-For; a few come from another loopback address (127.0.0.3), an untrusted peer.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { createApiToken, createMember, memberToken, staffToken } from '../helpers/auth';
import { startStrapi, type TestApp } from '../helpers/strapi';

const UID = 'api::ip-ban.ip-ban';
const AUDIT_UID = 'api::audit-log.audit-log';
const CM = `/content-manager/collection-types/${UID}`;
const ABUSE_LIMIT = 5;
const AUTO_MINUTES = 30;
const UNTRUSTED_PEER = '127.0.0.3';
// Inside the CIDR range banned below, yet never refused.
const ALLOW_LISTED = '192.0.2.250';

interface BanRow {
  documentId: string;
  address: string;
  reason: string;
  expiresAt: string | null;
  source: string;
  bannedBy: string | null;
}

describe('IP bans', () => {
  let app: TestApp;
  let baseUrl: string;
  const token: Record<'manager' | 'support' | 'marketing' | 'readOnly' | 'fullAccess' | 'member', string> = {
    manager: '',
    support: '',
    marketing: '',
    readOnly: '',
    fullAccess: '',
    member: '',
  };

  const server = () => request(app.strapi.server.httpServer);
  /** A request of the client at `address`, as our trusted proxy (loopback) forwards it. */
  const from = (address: string, path = '/api/tariffs') => server().get(path).set('X-Forwarded-For', address);
  const asStaff = (who: 'manager' | 'support' | 'marketing', req: request.Test) => req.set('Authorization', `Bearer ${token[who]}`);
  const createBan = (body: Record<string, unknown>, who: 'manager' | 'support' | 'marketing' = 'manager') =>
    asStaff(who, server().post(CM)).set('X-Forwarded-For', '198.51.100.200').send(body);
  const banCount = () => app.strapi.db.query(UID).count();
  const banRow = (documentId: string): Promise<BanRow | null> => app.strapi.db.query(UID).findOne({ where: { documentId } });
  const auditOf = (documentId: string) =>
    app.strapi.db.query(AUDIT_UID).findMany({ where: { subjectType: UID, subjectId: documentId }, orderBy: { id: 'asc' } });
  const recordAbuse = (address: string, kind: 'rate_limit' | 'failed_login' | 'spoofed_webhook') =>
    (app.strapi.service(UID) as unknown as { recordAbuse(address: string, kind: string): Promise<void> }).recordAbuse(address, kind);
  const inMinutes = (minutes: number) => new Date(Date.now() + minutes * 60_000).toISOString();

  /** A request from another local address: the server sees that peer, which is not a trusted proxy. */
  function fromUntrustedPeer(forwardedFor: string): Promise<{ status: number; body: { error?: { message: string } } }> {
    return new Promise((resolve, reject) => {
      const req = http.request(
        `${baseUrl}/api/tariffs`,
        { localAddress: UNTRUSTED_PEER, headers: { 'X-Forwarded-For': forwardedFor } },
        (res) => {
          let text = '';
          res.on('data', (chunk: Buffer) => (text += chunk.toString()));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) }));
        },
      );
      req.on('error', reject);
      req.end();
    });
  }

  async function eventually(check: () => Promise<boolean>, seconds: number): Promise<boolean> {
    const until = Date.now() + seconds * 1000;
    while (Date.now() < until) {
      if (await check()) return true;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    return check();
  }

  beforeAll(async () => {
    app = await startStrapi({
      TRUSTED_PROXIES: '127.0.0.1,::1',
      IP_BAN_ALLOWLIST: `127.0.0.1,::1,${ALLOW_LISTED}`,
      IP_BAN_REFRESH_SECONDS: '1',
      IP_BAN_AUTO_MINUTES: String(AUTO_MINUTES),
      RATE_LIMIT_IP_ABUSE: `${ABUSE_LIMIT}/600`,
    });
    await new Promise<void>((resolve) => app.strapi.server.httpServer.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(app.strapi.server.httpServer.address() as AddressInfo).port}`;
    token.manager = await staffToken(app.strapi, 'coworking-manager');
    token.support = await staffToken(app.strapi, 'coworking-support');
    token.marketing = await staffToken(app.strapi, 'coworking-marketing');
    token.readOnly = await createApiToken(app.strapi, 'read-only');
    token.fullAccess = await createApiToken(app.strapi, 'full-access');
    token.member = await memberToken(app.strapi, (await createMember(app.strapi)).id);
  });

  afterAll(async () => {
    await app.stop();
  });

  describe('staff bans', () => {
    it('Given a Manager bans 203.0.113.7 in the content manager, When that client calls the API, Then it gets 403 saying until when, and other clients are served', async () => {
      expect((await from('203.0.113.7')).status).toBe(200);

      const expiresAt = inMinutes(90);
      const created = await createBan({ address: ' 203.0.113.7 ', reason: 'Scraping the catalogue (internal note)', expiresAt });
      expect(created.status).toBe(201);

      const refused = await from('203.0.113.7');
      expect(refused.status).toBe(403);
      expect(refused.body).toEqual({
        data: null,
        error: {
          status: 403,
          name: 'ForbiddenError',
          message: `Requests from your address (203.0.113.7) are blocked until ${expiresAt.slice(0, 16).replace('T', ' ')} UTC. If you think this is a mistake, contact the coworking staff.`,
          details: { blockedUntil: new Date(expiresAt).toISOString() },
        },
      });
      expect(JSON.stringify(refused.body)).not.toContain('internal note');
      // Before routing: the admin login from that address is refused too, whatever the body.
      expect((await server().post('/admin/login').set('X-Forwarded-For', '203.0.113.7').send({})).status).toBe(403);

      expect((await from('203.0.113.8')).status).toBe(200);
      const row = await banRow(created.body.data.documentId);
      expect(row).toMatchObject({ address: '203.0.113.7', source: 'staff', bannedBy: expect.stringMatching(/^admin:\d+ Test coworking-manager$/) });
    });

    it('Given a CIDR ban, When clients inside and outside the range call, Then only those inside are refused (the allow-listed one excepted)', async () => {
      const v4 = await createBan({ address: '192.0.2.77/24', reason: 'Hostile network', expiresAt: null });
      const v6 = await createBan({ address: '2001:DB8:ABCD:0::1/48', reason: 'Hostile network' });
      expect([v4.status, v6.status]).toEqual([201, 201]);
      // Stored by the network address, in canonical form.
      expect((await banRow(v4.body.data.documentId))?.address).toBe('192.0.2.0/24');
      expect((await banRow(v6.body.data.documentId))?.address).toBe('2001:db8:abcd::/48');

      for (const inside of ['192.0.2.1', '192.0.2.200', '::ffff:192.0.2.9', '2001:db8:abcd:12::5']) {
        const res = await from(inside);
        expect({ inside, status: res.status }).toEqual({ inside, status: 403 });
        expect(res.body.error.message).toContain('blocked permanently');
      }
      for (const outside of ['192.0.3.1', '2001:db8:abce::1', ALLOW_LISTED]) {
        expect({ outside, status: (await from(outside)).status }).toEqual({ outside, status: 200 });
      }
    });

    it('Given a ban that expires in three seconds, When it expires, Then the address is served again without a restart', async () => {
      const created = await createBan({ address: '203.0.113.21', reason: 'Short ban', expiresAt: new Date(Date.now() + 3000).toISOString() });
      expect(created.status).toBe(201);
      expect((await from('203.0.113.21')).status).toBe(403);

      expect(await eventually(async () => (await from('203.0.113.21')).status === 200, 8)).toBe(true);
      // The row stays as history; the export no longer lists it.
      expect(await banRow(created.body.data.documentId)).not.toBeNull();
    });

    it('Given a ban, When the Manager deletes it or moves its expiry to the past, Then it is lifted at once and each change is in the audit log', async () => {
      const deleted = await createBan({ address: '203.0.113.30', reason: 'To be deleted' });
      const ended = await createBan({ address: '203.0.113.31', reason: 'To be ended' });
      expect((await from('203.0.113.30')).status).toBe(403);
      expect((await from('203.0.113.31')).status).toBe(403);

      const del = await asStaff('manager', server().delete(`${CM}/${deleted.body.data.documentId}`)).set('X-Forwarded-For', '198.51.100.201');
      expect(del.status).toBe(200);
      const past = new Date(Date.now() - 60_000).toISOString();
      const upd = await asStaff('manager', server().put(`${CM}/${ended.body.data.documentId}`)).send({ expiresAt: past });
      expect(upd.status).toBe(200);

      expect((await from('203.0.113.30')).status).toBe(200);
      expect((await from('203.0.113.31')).status).toBe(200);

      const deletedAudit = await auditOf(deleted.body.data.documentId);
      expect(deletedAudit.map((entry: { action: string }) => entry.action)).toEqual(['ip-ban.create', 'ip-ban.delete']);
      expect(deletedAudit[1]).toMatchObject({
        actorType: 'admin',
        actorLabel: expect.stringMatching(/^admin:\d+ /),
        ip: '198.51.100.201',
        before: { address: '203.0.113.30', reason: 'To be deleted', expiresAt: null, source: 'staff' },
        after: null,
      });
      const endedAudit = await auditOf(ended.body.data.documentId);
      expect(endedAudit.map((entry: { action: string }) => entry.action)).toEqual(['ip-ban.create', 'ip-ban.update']);
      expect(endedAudit[1]).toMatchObject({ before: { expiresAt: null }, after: { expiresAt: new Date(past).toISOString() } });
    });

    it('Given a ban written by another instance (straight into the database), When IP_BAN_REFRESH_SECONDS pass, Then this instance enforces it too', async () => {
      await app.strapi.db.query(UID).create({ data: { address: '203.0.113.40', reason: 'Made elsewhere', source: 'staff' } });
      expect(await eventually(async () => (await from('203.0.113.40')).status === 403, 3)).toBe(true);
    });
  });

  describe('the client address', () => {
    it('Given a request from a peer that is not a trusted proxy, When it sends X-Forwarded-For, Then the header is ignored both ways', async () => {
      await createBan({ address: '203.0.113.50', reason: 'Spoof target' });
      // Naming a banned address does not get an untrusted peer refused ...
      expect((await fromUntrustedPeer('203.0.113.50')).status).toBe(200);

      // ... and naming another address does not get a banned peer through.
      const peerBan = await createBan({ address: UNTRUSTED_PEER, reason: 'The peer itself' });
      expect(peerBan.status).toBe(201);
      const refused = await fromUntrustedPeer('198.51.100.99');
      expect(refused.status).toBe(403);
      expect(refused.body.error?.message).toContain(`(${UNTRUSTED_PEER})`);
      await asStaff('manager', server().delete(`${CM}/${peerBan.body.data.documentId}`));
      expect((await fromUntrustedPeer('198.51.100.99')).status).toBe(200);
    });

    it('Given our proxy forwards a chain, When the client prepends a banned address, Then the right-most hop the proxy saw decides', async () => {
      expect((await from('203.0.113.50, 198.51.100.60')).status).toBe(200);
      expect((await from('198.51.100.60, 203.0.113.50')).status).toBe(403);
    });
  });

  describe('validation on every write path', () => {
    it.each([
      [{ address: 'not-an-ip', reason: 'x' }, 'address', /is not an IP address or CIDR range/],
      [{ address: '203.0.113.7/33', reason: 'x' }, 'address', /from 8 to 32/],
      [{ address: '0.0.0.0/0', reason: 'x' }, 'address', /too wide/],
      [{ address: '::/0', reason: 'x' }, 'address', /too wide/],
      [{ address: '203.0.113.7/abc', reason: 'x' }, 'address', /from 8 to 32/],
      [{ address: '', reason: 'x' }, 'address', /Enter an IP address/],
      [{ address: 12345, reason: 'x' }, 'address', /Enter an IP address/],
      [{ address: ALLOW_LISTED, reason: 'x' }, 'address', /IP_BAN_ALLOWLIST/],
      [{ address: '203.0.113.60', reason: '   ' }, 'reason', /Say why/],
      [{ address: '203.0.113.60', reason: 'r'.repeat(501) }, 'reason', /at most 500/],
      [{ address: '203.0.113.60', reason: 'x', expiresAt: '2026-12-11T10:00:00+99:00' }, 'expiresAt', /must be a date and time/],
      [{ address: '203.0.113.60', reason: 'x', expiresAt: 'tomorrow' }, 'expiresAt', /must be a date and time/],
      [{ address: '203.0.113.60', reason: 'x', expiresAt: '2020-01-01T00:00:00Z' }, 'expiresAt', /already passed/],
    ])('Given %j, When a Manager saves it in the content manager, Then 400 names the %s field and nothing is written', async (body, field, message) => {
      const before = await banCount();
      const res = await createBan(body);
      expect(res.status).toBe(400);
      expect(res.body.error).toMatchObject({ status: 400, name: 'ValidationError', message: expect.stringMatching(message) });
      expect(res.body.error.details.errors[0].path).toEqual([field]);
      expect(await banCount()).toBe(before);
    });

    it('Given a full-access API token, When it posts an invalid ban or edits one badly, Then 400 and nothing changes; a valid one is stored as a staff ban whatever source it claims', async () => {
      const before = await banCount();
      const bad = await server().post('/api/ip-bans').set('Authorization', `Bearer ${token.fullAccess}`).send({ data: { address: '300.1.1.1', reason: 'x' } });
      expect(bad.status).toBe(400);
      expect(bad.body.error.message).toMatch(/"300\.1\.1\.1" is not an IP address/);
      expect(await banCount()).toBe(before);

      const good = await server()
        .post('/api/ip-bans')
        .set('Authorization', `Bearer ${token.fullAccess}`)
        .send({ data: { address: '203.0.113.70', reason: 'From an integration', source: 'automatic', bannedBy: 'someone else' } });
      expect(good.status).toBe(201);
      const row = await banRow(good.body.data.documentId);
      expect(row).toMatchObject({ source: 'staff', bannedBy: expect.stringMatching(/^api-token:\d+ full-access/) });
      expect((await auditOf(row!.documentId))[0]).toMatchObject({ action: 'ip-ban.create', actorType: 'api' });

      const edit = await server()
        .put(`/api/ip-bans/${row!.documentId}`)
        .set('Authorization', `Bearer ${token.fullAccess}`)
        .send({ data: { address: '203.0.113.70/7' } });
      expect(edit.status).toBe(400);
      expect((await banRow(row!.documentId))?.address).toBe('203.0.113.70');
    });
  });

  describe('automatic bans', () => {
    it(`Given an address that fails Telegram sign-in ${ABUSE_LIMIT + 1} times, Then it gets one automatic ban of IP_BAN_AUTO_MINUTES, audited, and is refused`, async () => {
      const address = '203.0.113.90';
      for (let i = 0; i <= ABUSE_LIMIT; i += 1) {
        const res = await server().post('/api/auth/telegram').set('X-Forwarded-For', address).send({ telegramId: '12345' });
        expect(res.status).toBe(401);
      }
      const refused = await server().post('/api/auth/telegram').set('X-Forwarded-For', address).send({ telegramId: '12345' });
      expect(refused.status).toBe(403);

      const bans: BanRow[] = await app.strapi.db.query(UID).findMany({ where: { address } });
      expect(bans).toHaveLength(1);
      expect(bans[0]).toMatchObject({ source: 'automatic', bannedBy: 'system:ip-ban', reason: expect.stringContaining('(failed_sign_in)') });
      const minutesLeft = (new Date(bans[0].expiresAt!).getTime() - Date.now()) / 60_000;
      expect(minutesLeft).toBeGreaterThan(AUTO_MINUTES - 1);
      expect(minutesLeft).toBeLessThanOrEqual(AUTO_MINUTES);
      expect(await auditOf(bans[0].documentId)).toEqual([
        expect.objectContaining({ action: 'ip-ban.automatic', actorType: 'system', after: expect.objectContaining({ address, source: 'automatic' }) }),
      ]);
    });

    it('Given spoofed YooKassa webhooks arriving together, When the address goes over the limit, Then exactly one ban is written', async () => {
      const address = '203.0.113.91';
      const statuses = await Promise.all(
        Array.from({ length: ABUSE_LIMIT * 3 }, () =>
          server().post('/api/yookassa/webhook').set('X-Forwarded-For', address).send({ type: 'notification', event: 'payment.succeeded', object: { id: 'x' } }),
        ),
      ).then((responses) => responses.map((res) => res.status));
      expect(statuses.every((status) => status === 403)).toBe(true);
      expect(await app.strapi.db.query(UID).count({ where: { address, source: 'automatic' } })).toBe(1);
      // Later abuse of the banned address adds nothing.
      await recordAbuse(address, 'spoofed_webhook');
      expect(await app.strapi.db.query(UID).count({ where: { address } })).toBe(1);
      expect((await from(address)).status).toBe(403);
    });

    it('Given allow-listed or malformed addresses, When abuse is recorded, Then nothing is banned', async () => {
      const before = await banCount();
      for (let i = 0; i <= ABUSE_LIMIT * 2; i += 1) {
        await recordAbuse(ALLOW_LISTED, 'rate_limit');
        await recordAbuse('not an address', 'failed_login');
      }
      expect(await banCount()).toBe(before);
    });
  });

  describe('nginx deny list', () => {
    it('Given active, expired and hostile-reason bans, When an API token exports them, Then only active bans are listed, one line each', async () => {
      await app.strapi.db.query(UID).create({ data: { address: '203.0.113.100', reason: 'Long expired', source: 'staff', expiresAt: new Date(Date.now() - 3_600_000) } });
      const hostile = await createBan({ address: '203.0.113.101', reason: 'Line one\ninclude /etc/passwd; deny all;', expiresAt: '2031-05-06T07:08:00.000Z' });
      expect(hostile.status).toBe(201);

      const res = await server().get('/api/ip-bans/nginx').set('Authorization', `Bearer ${token.readOnly}`);
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toBe('text/plain; charset=utf-8');
      expect(res.headers['cache-control']).toBe('no-store');
      const lines = res.text.trimEnd().split('\n');
      const active: BanRow[] = await app.strapi.db.query(UID).findMany({ where: { $or: [{ expiresAt: { $null: true } }, { expiresAt: { $gt: new Date() } }] } });
      expect(lines[0]).toMatch(new RegExp(`^# IP bans of the coworking platform, ${active.length} active at `));
      expect(lines.slice(1).map((line) => line.split(';')[0])).toEqual(expect.arrayContaining(active.map((ban) => `deny ${ban.address}`)));
      expect(lines).toHaveLength(active.length + 1);
      expect(res.text).not.toContain('203.0.113.100');
      expect(lines).toContain('deny 203.0.113.101;  # Line one include /etc/passwd; deny all; (staff), until 2031-05-06 07:08 UTC');
      expect(lines.filter((line) => !line.startsWith('#')).every((line) => /^deny [0-9a-f.:/]+;  # /.test(line))).toBe(true);
    });

    it.each([
      ['anonymous', '/api/ip-bans/nginx', 403, null],
      ['a member', '/api/ip-bans/nginx', 403, 'member'],
      ['a full-access token', '/api/ip-bans/nginx', 200, 'fullAccess'],
      ['a Manager', '/admin/ip-bans/nginx', 200, 'manager'],
      ['Support (reads bans)', '/admin/ip-bans/nginx', 200, 'support'],
      ['Marketing (no access to bans)', '/admin/ip-bans/nginx', 403, 'marketing'],
      ['an API token on the admin route', '/admin/ip-bans/nginx', 401, 'readOnly'],
      ['anonymous on the admin route', '/admin/ip-bans/nginx', 401, null],
    ] as const)('Given %s, When it calls GET %s, Then it gets %i', async (_who, path, expected, who) => {
      const req = server().get(path);
      const res = await (who ? req.set('Authorization', `Bearer ${token[who]}`) : req);
      expect(res.status).toBe(expected);
      if (expected === 200) expect(res.text).toMatch(/^# IP bans of the coworking platform/);
    });
  });

  describe('roles', () => {
    it('Given the staff roles, Then the Manager manages bans, Support only reads them and Marketing does not see them', async () => {
      const ban = await createBan({ address: '203.0.113.120', reason: 'Roles' });
      expect(ban.status).toBe(201);
      const id = ban.body.data.documentId;
      expect((await asStaff('support', server().get(CM))).status).toBe(200);
      expect((await createBan({ address: '203.0.113.121', reason: 'Roles' }, 'support')).status).toBe(403);
      expect((await asStaff('support', server().put(`${CM}/${id}`)).send({ reason: 'Changed' })).status).toBe(403);
      expect((await asStaff('support', server().delete(`${CM}/${id}`))).status).toBe(403);
      expect((await asStaff('marketing', server().get(CM))).status).toBe(403);
      expect((await asStaff('manager', server().put(`${CM}/${id}`)).send({ reason: 'Changed' })).status).toBe(200);
      expect((await banRow(id))?.reason).toBe('Changed');
      expect((await server().get('/api/ip-bans').set('Authorization', `Bearer ${token.member}`)).status).toBe(403);
    });

    it('Given a Manager opens IP bans in the admin, Then the list shows address, reason and expiry, newest first, with Russian-first hints in the edit view', async () => {
      const res = await asStaff('manager', server().get(`/content-manager/content-types/${UID}/configuration`));
      expect(res.status).toBe(200);
      const { layouts, settings, metadatas } = res.body.data.contentType;
      expect(layouts.list).toEqual(['id', 'address', 'reason', 'expiresAt', 'source', 'createdAt']);
      expect(settings).toMatchObject({ mainField: 'address', defaultSortBy: 'createdAt', defaultSortOrder: 'DESC' });
      expect(metadatas.address.edit.description).toMatch(/^IP-адрес или диапазон CIDR/);
    });
  });
});
