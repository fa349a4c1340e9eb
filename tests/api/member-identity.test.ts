/**
 * Member identity: POST /api/auth/telegram (the bot's service credential, or Telegram WebApp initData)
 * and PUT /api/profile (registration), through HTTP against the real server.
 */
import request from 'supertest';
import { signInitData } from '../../src/domain/telegram-init-data';
import { startStrapi, type TestApp } from '../helpers/strapi';

const BOT_SERVICE_TOKEN = 'test-bot-service-token-0123456789';
const BOT_TOKEN = '123456:TEST-bot-token';
const USER_UID = 'plugin::users-permissions.user';

const validProfile = {
  fullName: 'Анна-Мария О’Нил',
  phone: '8 (900) 123-45-67',
  email: ' Anna@Example.COM ',
  consentTerms: true,
};

describe('member identity', () => {
  let app: TestApp;
  const http = () => request(app.strapi.server.httpServer);
  const botAuth = (body: object) => http().post('/api/auth/telegram').set('Authorization', `Bearer ${BOT_SERVICE_TOKEN}`).send(body);
  const memberCount = () => app.strapi.db.query(USER_UID).count();
  const memberRow = (telegramId: string) =>
    app.strapi.db.query(USER_UID).findOne({ where: { telegramId }, populate: { referrer: { select: ['id'] } } });

  beforeAll(async () => {
    app = await startStrapi({ BOT_SERVICE_TOKEN, BOT_TOKEN });
  });

  afterAll(async () => {
    await app.stop();
  });

  describe('POST /api/auth/telegram with the service credential', () => {
    it('creates a bare member on first contact and returns a working member token', async () => {
      const res = await botAuth({ telegramId: '700100200', username: 'anna', language: 'en' });

      expect(res.status).toBe(200);
      expect(res.body.isRegistered).toBe(false);
      expect(res.body.user).toMatchObject({ telegramId: '700100200', telegramUsername: 'anna', language: 'en', email: null });
      expect(res.body.user.referralCode).toMatch(/^[A-Za-z0-9]{8}$/);
      expect(res.body.refreshToken).toEqual(expect.any(String));
      const me = await http().get('/api/users/me').set('Authorization', `Bearer ${res.body.jwt}`);
      expect(me.status).toBe(200);
      expect(me.body.telegramId).toBe('700100200');
    });

    it('returns the same member on the next contact and refreshes the username', async () => {
      const before = await memberCount();
      const res = await botAuth({ telegramId: 700100200, username: 'anna_new' });

      expect(res.status).toBe(200);
      expect(await memberCount()).toBe(before);
      expect((await memberRow('700100200')).telegramUsername).toBe('anna_new');
    });

    it('creates exactly one member when the first contacts race', async () => {
      const responses = await Promise.all(Array.from({ length: 10 }, () => botAuth({ telegramId: '700100300' })));

      expect(responses.map((res) => [res.status, res.body.error?.message])).toEqual(Array(10).fill([200, undefined]));
      expect(await app.strapi.db.query(USER_UID).count({ where: { telegramId: '700100300' } })).toBe(1);
    });

    it.each([
      ['no credential', undefined],
      ['a wrong credential', 'Bearer not-the-token'],
      ['a credential of another length', 'Bearer x'],
    ])('refuses %s with 401 and creates nobody', async (_case, header) => {
      const before = await memberCount();
      const req = http().post('/api/auth/telegram');
      if (header) req.set('Authorization', header);
      const res = await req.send({ telegramId: '700100999' });

      expect(res.status).toBe(401);
      expect(res.body).toMatchObject({ data: null, error: { status: 401, name: 'UnauthorizedError' } });
      expect(await memberCount()).toBe(before);
    });

    it.each([
      [{ telegramId: 'abc' }, 'telegramId'],
      [{ telegramId: '1', language: 'de' }, 'language'],
      [{ telegramId: '1', extra: true }, ''],
    ])('refuses a malformed body %j with 400 and a message per field', async (body, field) => {
      const before = await memberCount();
      const res = await botAuth(body);

      expect(res.status).toBe(400);
      expect(res.body.error.name).toBe('ValidationError');
      expect(res.body.error.details.errors.map((e: { path: string[] }) => e.path.join('.'))).toContain(field);
      expect(await memberCount()).toBe(before);
    });

    it('refuses a banned member with 403', async () => {
      await botAuth({ telegramId: '700100400' });
      await app.strapi.db.query(USER_UID).update({ where: { telegramId: '700100400' }, data: { isBanned: true } });

      const res = await botAuth({ telegramId: '700100400' });

      expect(res.status).toBe(403);
      expect(res.body.error).toMatchObject({ status: 403, name: 'ForbiddenError' });
      expect(res.body.jwt).toBeUndefined();
    });
  });

  describe('a member who had blocked the bot', () => {
    it('is marked as reachable again when they write to the bot, but not by a Mini App sign-in', async () => {
      await botAuth({ telegramId: '700200300' });
      const blocked = { botBlocked: true, botBlockedAt: new Date() };
      await app.strapi.db.query(USER_UID).update({ where: { telegramId: '700200300' }, data: blocked });

      const initData = signInitData(
        { auth_date: String(Math.floor(Date.now() / 1000)), query_id: 'AAE', user: JSON.stringify({ id: 700200300 }) },
        BOT_TOKEN,
      );
      expect((await http().post('/api/auth/telegram').send({ initData })).status).toBe(200);
      expect(await memberRow('700200300')).toMatchObject({ botBlocked: true });

      expect((await botAuth({ telegramId: '700200300' })).status).toBe(200);
      expect(await memberRow('700200300')).toMatchObject({ botBlocked: false, botBlockedAt: null });
    });
  });

  describe('POST /api/auth/telegram/bot-status (the bot reports my_chat_member updates)', () => {
    const report = (body: object, token = BOT_SERVICE_TOKEN) =>
      http().post('/api/auth/telegram/bot-status').set('Authorization', `Bearer ${token}`).send(body);

    it('marks a member who blocked the bot, and clears the mark when they start it again', async () => {
      // Given a member the bot knows
      await botAuth({ telegramId: '700200400' });

      // When the bot reports that they blocked it
      const blocked = await report({ telegramId: '700200400', blocked: true });

      // Then they are marked, with the time
      expect(blocked.status).toBe(200);
      expect(blocked.body).toEqual({ data: { telegramId: '700200400', botBlocked: true } });
      const marked = await memberRow('700200400');
      expect(marked).toMatchObject({ botBlocked: true });
      expect(marked.botBlockedAt).not.toBeNull();

      // And a repeated report keeps the first time
      await report({ telegramId: '700200400', blocked: true });
      expect((await memberRow('700200400')).botBlockedAt).toEqual(marked.botBlockedAt);

      // When they start the bot again, the mark is cleared
      const unblocked = await report({ telegramId: 700200400, blocked: false });
      expect(unblocked.status).toBe(200);
      expect(await memberRow('700200400')).toMatchObject({ botBlocked: false, botBlockedAt: null });
    });

    it('answers 401 without the service credential, 400 for a bad body and 404 for an unknown member, changing nothing', async () => {
      await botAuth({ telegramId: '700200500' });

      const anonymous = await http().post('/api/auth/telegram/bot-status').send({ telegramId: '700200500', blocked: true });
      const wrongToken = await report({ telegramId: '700200500', blocked: true }, 'not-the-service-token-0123456789');
      const badBody = await report({ telegramId: '700200500', blocked: 'yes' });
      const extraField = await report({ telegramId: '700200500', blocked: true, isBanned: true });
      const unknown = await report({ telegramId: '700299999', blocked: true });

      expect([anonymous.status, wrongToken.status, badBody.status, extraField.status, unknown.status]).toEqual([401, 401, 400, 400, 404]);
      expect(anonymous.body.error).toMatchObject({ status: 401, name: 'UnauthorizedError' });
      expect(unknown.body.error).toMatchObject({ status: 404, message: 'No member has this Telegram id' });
      expect(await memberRow('700200500')).toMatchObject({ botBlocked: false, isBanned: false });
      expect(await app.strapi.db.query(USER_UID).count({ where: { telegramId: '700299999' } })).toBe(0);
    });
  });

  describe('POST /api/auth/telegram with Mini App initData', () => {
    const initData = (authDate: number, user: object = { id: 700200100, username: 'miniapp', language_code: 'ru' }) =>
      signInitData({ auth_date: String(authDate), query_id: 'AAE', user: JSON.stringify(user) }, BOT_TOKEN);
    const nowSeconds = () => Math.floor(Date.now() / 1000);

    it('signs in the member the initData names, without any other credential', async () => {
      const res = await http().post('/api/auth/telegram').send({ initData: initData(nowSeconds() - 60) });

      expect(res.status).toBe(200);
      expect(res.body.user).toMatchObject({ telegramId: '700200100', telegramUsername: 'miniapp', language: 'ru' });
    });

    it('refuses tampered initData', async () => {
      const tampered = initData(nowSeconds()).replace('700200100', '700200101');
      const res = await http().post('/api/auth/telegram').send({ initData: tampered });

      expect(res.status).toBe(401);
      expect(await memberRow('700200101')).toBeNull();
    });

    it('refuses initData older than 24 hours', async () => {
      const res = await http()
        .post('/api/auth/telegram')
        .send({ initData: initData(nowSeconds() - 25 * 3600, { id: 700200200 }) });

      expect(res.status).toBe(401);
      expect(await memberRow('700200200')).toBeNull();
    });

    it('refuses initData signed with another bot token', async () => {
      const foreign = signInitData({ auth_date: String(nowSeconds()), user: JSON.stringify({ id: 700200300 }) }, '999:OTHER');
      const res = await http().post('/api/auth/telegram').send({ initData: foreign });

      expect(res.status).toBe(401);
    });
  });

  describe('PUT /api/profile', () => {
    const signIn = async (telegramId: string) => (await botAuth({ telegramId })).body as { jwt: string; user: { referralCode: string } };
    const putProfile = (jwt: string, body: object) => http().put('/api/profile').set('Authorization', `Bearer ${jwt}`).send(body);
    // No two members share an e-mail (tests/security/auth-session.test.ts): each registration here has its own.
    const profileWithEmail = (local: string) => ({ ...validProfile, email: `${local}@example.com` });

    it('needs a signed-in member', async () => {
      const res = await http().put('/api/profile').send(validProfile);
      expect([401, 403]).toContain(res.status);
    });

    it('answers 422 with a message per wrong field and changes nothing', async () => {
      const { jwt } = await signIn('700300100');

      const res = await putProfile(jwt, { fullName: 'A1', phone: '12345', email: 'not-an-email', consentTerms: false });

      expect(res.status).toBe(422);
      expect(res.body.data).toBeNull();
      const fields = res.body.error.details.errors.map((e: { path: string[] }) => e.path.join('.'));
      expect(fields.sort()).toEqual(['consentTerms', 'email', 'fullName', 'phone']);
      expect((await memberRow('700300100')).registeredAt).toBeNull();
    });

    it('completes registration with a normalised phone and e-mail', async () => {
      const { jwt } = await signIn('700300200');

      const res = await putProfile(jwt, { ...validProfile, consentMarketing: true });

      expect(res.status).toBe(200);
      expect(res.body.data).toMatchObject({
        fullName: 'Анна-Мария О’Нил',
        phone: '+79001234567',
        email: 'anna@example.com',
        consentMarketing: true,
        isRegistered: true,
      });
      const row = await memberRow('700300200');
      expect(row.consentTerms).toBe(true);
      expect(row.consentAt).not.toBeNull();
      expect((await botAuth({ telegramId: '700300200' })).body.isRegistered).toBe(true);
    });

    it('credits the referrer when the friend completes registration, not before', async () => {
      const referrer = await signIn('700400100');
      const friend = await signIn('700400200');
      expect((await memberRow('700400200')).referrer).toBeNull();

      await putProfile(friend.jwt, { ...profileWithEmail('friend'), referralCode: referrer.user.referralCode });

      expect((await memberRow('700400200')).referrer.id).toBe((await memberRow('700400100')).id);
    });

    it('ignores a self-referral and a referral loop', async () => {
      const a = await signIn('700500100');
      const b = await signIn('700500200');
      // b registers through a's link, so a -> b would close a loop
      await putProfile(b.jwt, { ...profileWithEmail('loop-b'), referralCode: a.user.referralCode });

      await putProfile(a.jwt, { ...profileWithEmail('loop-a'), referralCode: b.user.referralCode });
      const self = await signIn('700500300');
      await putProfile(self.jwt, { ...profileWithEmail('self'), referralCode: self.user.referralCode });

      expect((await memberRow('700500100')).referrer).toBeNull();
      expect((await memberRow('700500300')).referrer).toBeNull();
      expect((await memberRow('700500200')).referrer).not.toBeNull();
    });

    it('refuses a banned member', async () => {
      const { jwt } = await signIn('700600100');
      await app.strapi.db.query(USER_UID).update({ where: { telegramId: '700600100' }, data: { isBanned: true } });

      const res = await putProfile(jwt, validProfile);

      expect(res.status).toBe(403);
      expect((await memberRow('700600100')).registeredAt).toBeNull();
    });
  });

  // Last in the file: it uses up this address's anonymous sign-in allowance.
  describe('rate limit on anonymous sign-in attempts', () => {
    it('answers 429 with Retry-After once an address passes 30 attempts a minute, and spares the bot', async () => {
      const statuses: number[] = [];
      for (let attempt = 0; attempt < 31; attempt += 1) {
        const res = await http().post('/api/auth/telegram').send({ initData: 'auth_date=1&hash=00' });
        statuses.push(res.status);
        if (res.status === 429) {
          expect(res.headers['retry-after']).toMatch(/^\d+$/);
          expect(res.body.error).toMatchObject({ status: 429, name: 'RateLimitError' });
          break;
        }
      }

      expect(statuses[statuses.length - 1]).toBe(429);
      expect(statuses.slice(0, -1).every((status) => status === 401)).toBe(true);
      expect((await botAuth({ telegramId: '700700100' })).status).toBe(200);
    });
  });
});
