/**
 * Member authentication and sessions (issue 13, findings 5c, 6, 7, 9 and 10), through HTTP against the real server
 * started with NODE_ENV=production and reached over plain HTTP, as a deployment behind no TLS proxy is:
 * - a sign-in answers an access token and a refresh token; a refresh rotates both, and a used refresh token fails;
 * - logout answers 200 without a Secure cookie (it was a 500) and revokes the session: the access token and the
 *   refresh token stop working at once;
 * - the password routes are not served: they answer as a route that never existed, to everyone (a full-access API
 *   token included), whether the e-mail is a member's or not, and no mail is sent;
 * - PUT /api/profile refuses an API token with 403 (it was a 500) and an e-mail another member has with 409;
 * - a banned member is told how to reach the staff.
 */
import request from 'supertest';
import { ensureMemberIndexes, MEMBER_EMAIL_INDEX } from '../../src/bootstrap/users-permissions';
import { createApiToken, createMember } from '../helpers/auth';
import { startStrapi, type TestApp } from '../helpers/strapi';

const BOT_SERVICE_TOKEN = 'test-bot-service-token-0123456789';
const CONTACTS = '+7 900 000-00-00, @coworking_admin';
const SUPPORT_CHAT_URL = 'https://t.me/coworking_support';
const USER_UID = 'plugin::users-permissions.user';
const SESSION_UID = 'admin::session';

interface SignIn {
  jwt: string;
  refreshToken: string;
  user: { documentId: string };
}

/** The session id a member token carries (access and refresh tokens alike). */
const sessionIdOf = (token: string): string => JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8')).sessionId;

describe('member authentication and sessions (NODE_ENV=production, plain HTTP)', () => {
  let app: TestApp;
  let telegramIds = 710_000_000;
  const http = () => request(app.strapi.server.httpServer);
  const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });
  const botSignIn = (telegramId: string) => http().post('/api/auth/telegram').set(bearer(BOT_SERVICE_TOKEN)).send({ telegramId });
  const newMember = async (): Promise<SignIn & { telegramId: string }> => {
    const telegramId = String(telegramIds++);
    const res = await botSignIn(telegramId);
    expect(res.status).toBe(200);
    return { ...(res.body as SignIn), telegramId };
  };
  const me = (jwt: string) => http().get('/api/users/me').set(bearer(jwt));
  const refresh = (refreshToken: string) => http().post('/api/auth/refresh').send({ refreshToken });
  const sessionRow = (sessionId: string) => app.strapi.db.query(SESSION_UID).findOne({ where: { sessionId } });
  const memberRow = (telegramId: string) => app.strapi.db.query(USER_UID).findOne({ where: { telegramId } });
  const profile = (email: string) => ({ fullName: 'Анна Тестова', phone: '+7 900 123-45-67', email, consentTerms: true });
  const putProfile = (jwt: string, body: object) => http().put('/api/profile').set(bearer(jwt)).send(body);

  beforeAll(async () => {
    app = await startStrapi({
      NODE_ENV: 'production',
      BOT_SERVICE_TOKEN,
      BOT_INFO_CONTACTS: CONTACTS,
      SUPPORT_CHAT_URL,
    });
  });

  afterAll(async () => {
    await app?.stop();
  });

  describe('sign-in, refresh and logout (finding 6)', () => {
    it('Given the bot signs a member in, Then the answer carries an access token and a refresh token, and the access token works', async () => {
      const { jwt, refreshToken, telegramId } = await newMember();

      expect(refreshToken).toEqual(expect.any(String));
      expect(sessionIdOf(refreshToken)).toBe(sessionIdOf(jwt));
      const res = await me(jwt);
      expect(res.status).toBe(200);
      expect(res.body.telegramId).toBe(telegramId);
    });

    it('Given a session, When it is refreshed, Then both tokens are new, the old ones stop working and a reused refresh token fails', async () => {
      const first = await newMember();

      const renewed = await refresh(first.refreshToken);

      expect(renewed.status).toBe(200);
      expect(renewed.body).toEqual({ jwt: expect.any(String), refreshToken: expect.any(String) });
      expect(renewed.body.refreshToken).not.toBe(first.refreshToken);
      expect(renewed.headers['set-cookie']).toBeUndefined();
      expect((await me(renewed.body.jwt)).status).toBe(200);
      // Rotation: the old access token is retired with its session, and the old refresh token cannot be replayed.
      expect((await me(first.jwt)).status).toBe(401);
      const replay = await refresh(first.refreshToken);
      expect(replay.status).toBe(401);
      expect(replay.body).toMatchObject({ data: null, error: { status: 401, name: 'UnauthorizedError', message: 'Invalid refresh token' } });
      expect(await sessionRow(sessionIdOf(first.refreshToken))).toMatchObject({ status: 'rotated' });
      // The new pair still works after the replay was refused.
      expect((await refresh(renewed.body.refreshToken)).status).toBe(200);
    });

    it('Given production over plain HTTP, When a member logs out (even asking for the cookie), Then 200 without a cookie, and both tokens stop working at once', async () => {
      const { jwt, refreshToken } = await newMember();

      const res = await http().post('/api/auth/logout').set(bearer(jwt)).set('x-strapi-refresh-cookie', 'httpOnly').send({ refreshToken });

      expect(res.status).toBe(200);
      expect(res.body).toEqual({ ok: true });
      expect(res.headers['set-cookie']).toBeUndefined();
      expect(await sessionRow(sessionIdOf(jwt))).toBeNull();
      expect((await me(jwt)).status).toBe(401);
      expect((await putProfile(jwt, profile('after-logout@example.com'))).status).toBe(401);
      expect((await refresh(refreshToken)).status).toBe(401);
    });

    it('Given a member logs out with the access token alone, Then that session is revoked and the member\'s other sessions go on', async () => {
      const member = await newMember();
      const other = (await botSignIn(member.telegramId)).body as SignIn;

      const res = await http().post('/api/auth/logout').set(bearer(member.jwt)).send({});

      expect(res.status).toBe(200);
      expect((await me(member.jwt)).status).toBe(401);
      expect((await refresh(member.refreshToken)).status).toBe(401);
      expect((await me(other.jwt)).status).toBe(200);
    });

    it('Given two sessions of one member, When one logs out with scope "all", Then both close and another member is untouched', async () => {
      const member = await newMember();
      const second = (await botSignIn(member.telegramId)).body as SignIn;
      const bystander = await newMember();

      expect((await http().post('/api/auth/logout').set(bearer(member.jwt)).send({ scope: 'all' })).status).toBe(200);

      expect((await me(member.jwt)).status).toBe(401);
      expect((await me(second.jwt)).status).toBe(401);
      expect((await refresh(second.refreshToken)).status).toBe(401);
      expect((await me(bystander.jwt)).status).toBe(200);
    });
  });

  describe('password routes (finding 7)', () => {
    it.each([
      ['anonymous', false],
      ['a full-access API token', true],
    ])('Given a member who even has a password, When %s calls the password routes, Then each answers as a route that never existed, for their e-mail and an unknown one alike, and no mail is sent', async (_caller, withToken) => {
      const member = await createMember(app.strapi);
      const token = withToken ? await createApiToken(app.strapi, 'full-access') : undefined;
      const send = jest.spyOn(app.strapi.plugin('email').service('email'), 'send');
      const members = () => app.strapi.db.query(USER_UID).count();
      const before = await members();
      try {
        const post = (path: string, body: object) => {
          const req = http().post(path);
          return (token ? req.set(bearer(token)) : req).send(body);
        };
        const asked = async (email: string) =>
          Promise.all([
            post('/api/auth/local', { identifier: email, password: member.password }),
            post('/api/auth/forgot-password', { email }),
            post('/api/auth/send-email-confirmation', { email }),
            post('/api/auth/local/register', { username: 'newcomer', email, password: 'Passw0rd-1' }),
            post('/api/auth/reset-password', { code: 'x', password: 'Passw0rd-1', passwordConfirmation: 'Passw0rd-1' }),
            post('/api/auth/change-password', { currentPassword: member.password, password: 'Passw0rd-2', passwordConfirmation: 'Passw0rd-2' }),
          ]).then((answers) => answers.map((res) => ({ status: res.status, body: res.body })));

        const known = await asked(member.email);
        const unknown = await asked('nobody@example.com');
        const neverExisted = await post('/api/auth/no-such-route', { email: member.email });

        expect(known).toEqual(unknown);
        expect([404, 405]).toContain(neverExisted.status);
        for (const answer of known) expect(answer).toEqual({ status: neverExisted.status, body: neverExisted.body });
        expect(send).not.toHaveBeenCalled();
        expect(await members()).toBe(before);
        const row = await app.strapi.db.query(USER_UID).findOne({ where: { id: member.id }, select: ['resetPasswordToken'] });
        expect(row.resetPasswordToken).toBeNull();
      } finally {
        send.mockRestore();
      }
    });
  });

  describe('PUT /api/profile (findings 5c and 9)', () => {
    it('Given a full-access API token, When it calls PUT /api/profile, Then 403 in the error envelope and nothing changes', async () => {
      const token = await createApiToken(app.strapi, 'full-access');
      const registered = () => app.strapi.db.query(USER_UID).count({ where: { registeredAt: { $notNull: true } } });
      const before = await registered();

      const res = await putProfile(token, profile('api-token@example.com'));

      expect(res.status).toBe(403);
      expect(res.body).toEqual({
        data: null,
        error: { status: 403, name: 'ForbiddenError', message: 'This endpoint is for members signed in with their own account.', details: {} },
      });
      expect(await registered()).toBe(before);
    });

    it('Given a member registered with an e-mail, When another member saves it in other letter case, Then 409 email_taken and the second member is unchanged', async () => {
      const first = await newMember();
      const second = await newMember();
      expect((await putProfile(first.jwt, profile('taken@example.com'))).status).toBe(200);

      const res = await putProfile(second.jwt, profile(' Taken@Example.COM '));

      expect(res.status).toBe(409);
      expect(res.body).toMatchObject({ data: null, error: { status: 409, name: 'ConflictError', details: { code: 'email_taken' } } });
      expect(res.body.error.message).toBe('This e-mail is already used by another member. Enter a different one.');
      expect(await memberRow(second.telegramId)).toMatchObject({ email: `tg${second.telegramId}@telegram.invalid`, registeredAt: null });
      // The owner may save their own e-mail again.
      expect((await putProfile(first.jwt, profile('TAKEN@example.com'))).status).toBe(200);
    });

    it('Given two members saving the same new e-mail at once, Then exactly one succeeds and the other gets 409', async () => {
      const racers = await Promise.all([newMember(), newMember(), newMember(), newMember()]);

      const answers = await Promise.all(racers.map((racer) => putProfile(racer.jwt, profile('race@example.com'))));

      expect(answers.map((res) => res.status).sort()).toEqual([200, 409, 409, 409]);
      expect(await app.strapi.db.query(USER_UID).count({ where: { email: 'race@example.com' } })).toBe(1);
    });

    it('Given the unique index, When a duplicate e-mail is written below the API, Then the database refuses it', async () => {
      const member = await newMember();
      await putProfile(member.jwt, profile('indexed@example.com'));
      const other = await newMember();

      // better-sqlite3's errors come from the realm of the first test file that loaded the native module, so
      // `toThrow` (an instanceof check) misses them after another file ran; the message is what counts.
      await expect(
        app.strapi.db.connection('up_users').where({ telegram_id: other.telegramId }).update({ email: 'INDEXED@example.com' }),
      ).rejects.toMatchObject({ message: expect.stringMatching(/unique/i) });
    });

    it('Given a database that already holds a shared e-mail, When the boot step runs, Then it warns instead of failing and creates the index once the duplicate is gone', async () => {
      const knex = app.strapi.db.connection;
      const [a, b] = [await newMember(), await newMember()];
      await knex.raw(`DROP INDEX IF EXISTS "${MEMBER_EMAIL_INDEX}"`);
      await knex('up_users').whereIn('telegram_id', [a.telegramId, b.telegramId]).update({ email: 'legacy@example.com' });
      const warn = jest.spyOn(app.strapi.log, 'warn');
      try {
        await expect(ensureMemberIndexes(app.strapi)).resolves.toBeUndefined();
        expect(warn).toHaveBeenCalledWith(expect.stringContaining(`1 e-mail address(es) are shared by several members`));
        expect(warn.mock.calls.flat().join(' ')).not.toContain('legacy@example.com');

        await knex('up_users').where({ telegram_id: b.telegramId }).update({ email: `tg${b.telegramId}@telegram.invalid` });
        await ensureMemberIndexes(app.strapi);
        await expect(knex('up_users').where({ telegram_id: b.telegramId }).update({ email: 'Legacy@example.com' })).rejects.toMatchObject({
          message: expect.stringMatching(/unique/i),
        });
      } finally {
        warn.mockRestore();
      }
    });
  });

  describe('a banned member (finding 10)', () => {
    const expectedBan = {
      status: 403,
      name: 'ForbiddenError',
      message: `This account is blocked. Contact the space staff: ${CONTACTS}, or write to ${SUPPORT_CHAT_URL}.`,
      details: { code: 'account_blocked', contacts: CONTACTS, supportChatUrl: SUPPORT_CHAT_URL },
    };

    it('Given a banned member, When the bot signs them in, Then 403 names the staff contacts and no session is opened', async () => {
      const member = await newMember();
      await app.strapi.db.query(USER_UID).update({ where: { telegramId: member.telegramId }, data: { isBanned: true } });
      const sessions = () => app.strapi.db.query(SESSION_UID).count();
      const before = await sessions();

      const res = await botSignIn(member.telegramId);

      expect(res.status).toBe(403);
      expect(res.body).toEqual({ data: null, error: expectedBan });
      expect(await sessions()).toBe(before);
    });

    it('Given a member banned after signing in, Then the member endpoint and the refresh answer the same 403, and the refresh closes the session', async () => {
      const member = await newMember();
      await app.strapi.db.query(USER_UID).update({ where: { telegramId: member.telegramId }, data: { isBanned: true } });

      const profileAnswer = await putProfile(member.jwt, profile('banned@example.com'));
      const refreshAnswer = await refresh(member.refreshToken);

      expect(profileAnswer.status).toBe(403);
      expect(profileAnswer.body.error).toEqual(expectedBan);
      expect(refreshAnswer.status).toBe(403);
      expect(refreshAnswer.body.error).toEqual(expectedBan);
      expect(await sessionRow(sessionIdOf(member.refreshToken))).toBeNull();
      expect((await memberRow(member.telegramId)).registeredAt).toBeNull();
    });
  });
});
