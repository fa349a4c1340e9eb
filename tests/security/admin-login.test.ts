/**
 * The staff login, POST /admin/login (issue 13, finding 11): only failures count, per account e-mail (the account
 * is locked for a while, the right password included) and per address (spraying many e-mails from one address is
 * stopped); a success clears its account's failures; locks and blocks are written to the audit log, without the
 * password. Requests name their client address in X-Forwarded-For (loopback is the trusted proxy), so each case
 * starts from a clean address.
 */
import request from 'supertest';
import { createStaffUser, STAFF_PASSWORD } from '../helpers/auth';
import { startStrapi, type TestApp } from '../helpers/strapi';

const ACCOUNT_FAILURES = 3;
const ADDRESS_FAILURES = 5;
const BLOCK_SECONDS = 900;
const WRONG_PASSWORD = 'Wrong-Passw0rd-that-must-not-be-logged';
const AUDIT_UID = 'api::audit-log.audit-log';

describe('POST /admin/login', () => {
  let app: TestApp;
  const login = (address: string, email: string, password: string) =>
    request(app.strapi.server.httpServer).post('/admin/login').set('X-Forwarded-For', address).send({ email, password });
  const staff = () => createStaffUser(app.strapi, 'strapi-super-admin');
  const auditEntries = (action: string) => app.strapi.db.query(AUDIT_UID).findMany({ where: { action } });

  function expectRefused(res: request.Response, reason: 'account_locked' | 'address_blocked', message: RegExp) {
    expect(res.status).toBe(429);
    const retryAfter = Number(res.headers['retry-after']);
    expect(retryAfter).toBeGreaterThan(BLOCK_SECONDS - 60);
    expect(retryAfter).toBeLessThanOrEqual(BLOCK_SECONDS);
    expect(res.body).toEqual({
      data: null,
      error: { status: 429, name: 'RateLimitError', message: expect.stringMatching(message), details: { retryAfterSeconds: retryAfter, reason } },
    });
  }

  beforeAll(async () => {
    app = await startStrapi({
      RATE_LIMIT_ADMIN_LOGIN_ACCOUNT: `${ACCOUNT_FAILURES}/${BLOCK_SECONDS}/${BLOCK_SECONDS}`,
      RATE_LIMIT_ADMIN_LOGIN_ADDRESS: `${ADDRESS_FAILURES}/${BLOCK_SECONDS}/${BLOCK_SECONDS}`,
      TRUSTED_PROXIES: '127.0.0.1,::1',
    });
  });

  afterAll(async () => {
    await app.stop();
  });

  it('Given a staff account, When it logs in correctly 6 times in a row, Then every login succeeds', async () => {
    const { email } = await staff();
    for (let i = 0; i < 6; i += 1) {
      const res = await login('203.0.113.10', email, STAFF_PASSWORD);
      expect(res.status).toBe(200);
      expect(typeof res.body.data.token).toBe('string');
    }
  });

  it('Given repeated wrong passwords for an account, When the right password is sent, Then the account is locked (429, Retry-After) and the lock is audited without the password', async () => {
    const { id, email } = await staff();
    for (let i = 0; i < ACCOUNT_FAILURES; i += 1) {
      const res = await login('203.0.113.20', email, WRONG_PASSWORD);
      expect(res.status).toBe(400);
      expect(res.body.error.message).toBe('Invalid credentials');
    }

    expectRefused(await login('203.0.113.21', email, STAFF_PASSWORD), 'account_locked', /locked.*Try again in 15 minutes/);
    // The same account typed differently is the same account.
    expectRefused(await login('203.0.113.22', `  ${email.toUpperCase()} `, STAFF_PASSWORD), 'account_locked', /locked/);

    const entries = (await auditEntries('admin.login.account_locked')).filter((entry) => entry.subjectId === String(id));
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({
      actorType: 'system',
      subjectType: 'admin::user',
      ip: '203.0.113.20',
      after: { email, knownAccount: true, failures: ACCOUNT_FAILURES, lockedForSeconds: BLOCK_SECONDS },
    });
    expect(JSON.stringify(entries[0])).not.toContain(WRONG_PASSWORD);

    // Another account logs in from the same address.
    const other = await staff();
    expect((await login('203.0.113.20', other.email, STAFF_PASSWORD)).status).toBe(200);
  });

  it('Given failures followed by a successful login, When the account fails again, Then the earlier failures no longer count', async () => {
    const { email } = await staff();
    for (let i = 0; i < ACCOUNT_FAILURES - 1; i += 1) expect((await login('203.0.113.30', email, WRONG_PASSWORD)).status).toBe(400);
    expect((await login('203.0.113.30', email, STAFF_PASSWORD)).status).toBe(200);
    for (let i = 0; i < ACCOUNT_FAILURES - 1; i += 1) expect((await login('203.0.113.31', email, WRONG_PASSWORD)).status).toBe(400);

    expect((await login('203.0.113.31', email, STAFF_PASSWORD)).status).toBe(200);
  });

  it('Given one address spraying a password over many e-mails, When it reaches the limit, Then that address is refused even with valid credentials, the block is audited, and other addresses still log in', async () => {
    const { email } = await staff();
    const sprayer = '198.51.100.40';
    const before = (await auditEntries('admin.login.address_blocked')).length;
    for (let i = 0; i < ADDRESS_FAILURES; i += 1) {
      expect((await login(sprayer, `victim-${i}@staff.example.com`, WRONG_PASSWORD)).status).toBe(400);
    }

    expectRefused(await login(sprayer, `victim-${ADDRESS_FAILURES}@staff.example.com`, WRONG_PASSWORD), 'address_blocked', /network address/);
    expectRefused(await login(sprayer, email, STAFF_PASSWORD), 'address_blocked', /network address/);
    const entries = await auditEntries('admin.login.address_blocked');
    expect(entries).toHaveLength(before + 1);
    expect(entries[entries.length - 1]).toMatchObject({ actorType: 'system', ip: sprayer, after: { failures: ADDRESS_FAILURES, blockedForSeconds: BLOCK_SECONDS } });
    expect(JSON.stringify(entries)).not.toContain(WRONG_PASSWORD);

    // No single account got enough failures to be locked, and the account logs in from elsewhere.
    expect((await login('198.51.100.41', email, STAFF_PASSWORD)).status).toBe(200);
  });
});
