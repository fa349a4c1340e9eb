/**
 * Newsletter delivery end to end (docs/NEWSLETTERS.md, Delivery): the real Strapi, the admin API (compose, send,
 * pause, resume, cancel, progress, recipients, CSV) and the Telegram stand-in over HTTP through grammY. The
 * dispatcher is driven with tick() (NEWSLETTER_WORKER=false) where the order matters, and run as its loop for
 * pause / resume / cancel. Every delivery row and every call the stand-in received are checked.
 */
import request from 'supertest';
import { png } from '../helpers/images';
import { staffToken } from '../helpers/auth';
import { startStrapi, type TestApp } from '../helpers/strapi';
import { startTelegramStandIn, type RecordedCall, type TelegramStandIn } from '../stand-ins/telegram/server';

const USER_UID = 'plugin::users-permissions.user';
const NEWSLETTER_UID = 'api::newsletter.newsletter';

interface Dispatcher {
  tick(now?: Date): Promise<{ claimed: number; busy: boolean; promoted: number; materialised: number }>;
  start(options?: { force?: boolean }): void;
  stop(): Promise<void>;
}

interface Member {
  id: number;
  documentId: string;
  telegramId: string;
  fullName: string;
  language: 'ru' | 'en';
}

interface DeliveryDbRow {
  id: number;
  member_ref: number;
  telegram_id: string;
  state: string;
  attempts: number;
  error_code: string | null;
  error: string | null;
  sent_at: unknown;
  telegram_message_id: string | null;
  locked_by: string | null;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
let nextTelegramId = 7_000_000;

describe('newsletter delivery through Telegram', () => {
  let app: TestApp;
  let telegram: TelegramStandIn;
  let token: string;
  const http = () => request(app.strapi.server.httpServer);
  const dispatcher = () => app.strapi.plugin('newsletter').service('dispatcher') as unknown as Dispatcher;
  const knex = () => app.strapi.db.connection;

  beforeAll(async () => {
    telegram = await startTelegramStandIn({ rateLimits: false });
    app = await startStrapi({
      BOT_TOKEN: telegram.token,
      TELEGRAM_API_ROOT: telegram.apiRoot,
      NEWSLETTER_WORKER: 'false',
      NEWSLETTER_RATE: '30',
      NEWSLETTER_RETRY_BASE_MS: '200',
      NEWSLETTER_MAX_ATTEMPTS: '3',
      NEWSLETTER_CONCURRENCY: '4',
      NEWSLETTER_POLL_MS: '50',
    });
    token = await staffToken(app.strapi, 'strapi-super-admin');
  });

  afterAll(async () => {
    await app?.stop();
    await telegram?.close();
  });

  afterEach(() => {
    telegram.clearFailures();
    telegram.setLatency(0);
  });

  async function createMembers(count: number, options: { english?: number; unknownToTelegram?: number[] } = {}): Promise<Member[]> {
    const role = await app.strapi.db.query('plugin::users-permissions.role').findOne({ where: { type: 'authenticated' } });
    const members: Member[] = [];
    for (let i = 0; i < count; i++) {
      const telegramId = String(nextTelegramId++);
      const language = i < (options.english ?? 0) ? 'en' : 'ru';
      const fullName = `Member${telegramId} Test`;
      const row = (await app.strapi.db.query(USER_UID).create({
        data: {
          username: `tg${telegramId}`,
          email: `tg${telegramId}@telegram.invalid`,
          provider: 'telegram',
          confirmed: true,
          role: role.id,
          telegramId,
          fullName,
          language,
          consentTerms: true,
          consentMarketing: true,
          isBanned: false,
          botBlocked: false,
          registeredAt: new Date(Date.now() - 86_400_000),
        },
      })) as { id: number; documentId: string };
      if (!options.unknownToTelegram?.includes(i)) telegram.addUser({ id: Number(telegramId), first_name: `Member${telegramId}` });
      members.push({ id: row.id, documentId: row.documentId, telegramId, fullName, language });
    }
    return members;
  }

  async function compose(members: Member[], body: Record<string, unknown> = {}): Promise<string> {
    const res = await http()
      .post('/newsletter/newsletters')
      .set('Authorization', `Bearer ${token}`)
      .send({
        title: `Test ${Date.now()}`,
        channels: ['telegram'],
        body: 'Привет, {{firstName}}! <b>Новости</b>',
        bodyEn: 'Hi, {{firstName}}! <b>News</b>',
        audience: { segment: 'custom', params: { telegramIds: members.map((m) => m.telegramId) } },
        ...body,
      });
    expect(res.status).toBe(201);
    return res.body.data.documentId as string;
  }

  const post = (path: string, body: Record<string, unknown> = {}) => http().post(path).set('Authorization', `Bearer ${token}`).send(body);
  const get = (path: string) => http().get(path).set('Authorization', `Bearer ${token}`);

  async function idOf(documentId: string): Promise<number> {
    const row = (await app.strapi.db.query(NEWSLETTER_UID).findOne({ where: { documentId }, select: ['id'] })) as { id: number };
    return row.id;
  }

  async function newsletterRow(documentId: string) {
    return (await knex()('newsletters').where({ document_id: documentId }).first()) as Record<string, unknown>;
  }

  async function deliveries(documentId: string): Promise<DeliveryDbRow[]> {
    return (await knex()('newsletter_deliveries')
      .where({ newsletter_ref: await idOf(documentId) })
      .orderBy('id')) as DeliveryDbRow[];
  }

  /** Ticks until the newsletter's state is final (or `until` says so). */
  async function runUntilDone(documentId: string, timeoutMs = 30_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      await dispatcher().tick();
      const state = String((await newsletterRow(documentId)).state);
      if (['sent', 'failed', 'cancelled'].includes(state)) return state;
      if (Date.now() > deadline) throw new Error(`newsletter still ${state} after ${timeoutMs} ms`);
      await sleep(50);
    }
  }

  async function waitFor<T>(check: () => Promise<T | undefined | false>, timeoutMs = 15_000, what = 'condition'): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = await check();
      if (value) return value;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await sleep(25);
    }
  }

  /** The counters on the newsletter equal the rows. */
  async function expectCountersMatchRows(documentId: string) {
    const rows = await deliveries(documentId);
    const by = (state: string) => rows.filter((r) => r.state === state).length;
    const n = await newsletterRow(documentId);
    expect({
      total: Number(n.total_count),
      sent: Number(n.sent_count),
      failed: Number(n.failed_count),
      blocked: Number(n.blocked_count),
      cancelled: Number(n.cancelled_count),
    }).toEqual({ total: rows.length, sent: by('sent'), failed: by('failed'), blocked: by('blocked'), cancelled: by('cancelled') });
  }

  const chatOf = (call: RecordedCall) => String(call.params.chat_id);
  const sendCalls = () => telegram.calls().filter((c) => /^send(Message|Photo|MediaGroup)$/.test(c.method));

  it('sends to a segment: one message per member, 403 / 429 / 5xx / chat not found handled, rows, counters, progress, list and CSV agree', async () => {
    // Given 13 members (3 English-speaking); one unknown to Telegram (chat not found)
    const members = await createMembers(13, { english: 3, unknownToTelegram: [12] });
    const [deactivated, flaky, throttled, broken] = [members[3], members[4], members[5], members[6]];
    const unknown = members[12];
    // and failures injected on chosen recipients: deactivated (403), a 500 once, a 429 once, a 500 every time
    telegram.failFor(deactivated.telegramId, { error_code: 403, description: 'Forbidden: user is deactivated' });
    telegram.failFor(flaky.telegramId, { error_code: 500, description: 'Internal Server Error' }, 1);
    telegram.failFor(throttled.telegramId, { error_code: 429, description: 'Too Many Requests: retry after 1', parameters: { retry_after: 1 } }, 1);
    telegram.failFor(broken.telegramId, { error_code: 502, description: 'Bad Gateway' });
    const documentId = await compose(members, { buttons: [{ text: 'Открыть', url: 'https://example.com/news' }] });
    const before = telegram.calls().length;

    // When staff send it and the dispatcher runs
    const sent = await post(`/newsletter/newsletters/${documentId}/send`);
    expect(sent.status).toBe(200);
    expect(sent.body.data.state).toBe('sending');
    const finalState = await runUntilDone(documentId);

    // Then it is sent, and every row says what happened to its member
    expect(finalState).toBe('sent');
    const rows = await deliveries(documentId);
    expect(rows).toHaveLength(13);
    const rowOf = (m: Member) => rows.find((r) => r.member_ref === m.id) as DeliveryDbRow;
    expect(rowOf(deactivated)).toMatchObject({ state: 'blocked', error_code: 'user_deactivated' });
    expect(rowOf(unknown)).toMatchObject({ state: 'failed', error_code: 'chat_not_found' });
    expect(rowOf(broken)).toMatchObject({ state: 'failed', error_code: 'too_many_attempts', attempts: 3 });
    expect(rowOf(flaky)).toMatchObject({ state: 'sent', attempts: 2 });
    // a 429 does not spend an attempt
    expect(rowOf(throttled)).toMatchObject({ state: 'sent', attempts: 1 });
    const sentRows = rows.filter((r) => r.state === 'sent');
    expect(sentRows).toHaveLength(10);
    for (const row of sentRows) {
      expect(row.telegram_message_id).toMatch(/^\d+$/);
      expect(row.sent_at).toBeTruthy();
      expect(row.locked_by).toBeNull();
    }
    // and the deactivated member is marked botBlocked
    const marked = (await app.strapi.db.query(USER_UID).findOne({ where: { id: deactivated.id }, select: ['botBlocked', 'botBlockedAt'] })) as {
      botBlocked: boolean;
      botBlockedAt: unknown;
    };
    expect(marked.botBlocked).toBe(true);
    expect(marked.botBlockedAt).toBeTruthy();

    // And the stand-in got exactly one successful sendMessage per reached member, in their language, with the button
    const calls = telegram.calls().slice(before).filter((c) => c.method === 'sendMessage');
    const ok = calls.filter((c) => c.response.ok);
    const perChat = new Map<string, number>();
    for (const call of ok) perChat.set(chatOf(call), (perChat.get(chatOf(call)) ?? 0) + 1);
    expect([...perChat.keys()].sort()).toEqual(sentRows.map((r) => r.telegram_id).sort());
    expect([...perChat.values()].every((n) => n === 1)).toBe(true);
    for (const member of members.filter((m) => perChat.has(m.telegramId))) {
      const [message] = telegram.chat(Number(member.telegramId)).slice(-1);
      const first = member.fullName.split(' ')[0];
      expect(message.text).toBe(member.language === 'en' ? `Hi, ${first}! News` : `Привет, ${first}! Новости`);
      expect(message.buttons).toEqual([['Открыть']]);
      expect(String(rowOf(member).telegram_message_id)).toBe(String(message.message_id));
    }
    // and the failed attempts are the injected ones: 3 × 502, 1 × 500, 1 × 429, 1 × 403, 1 × chat not found
    const failedCalls = calls.filter((c) => !c.response.ok).map((c) => `${chatOf(c)}:${c.status}`).sort();
    expect(failedCalls).toEqual(
      [
        ...Array(3).fill(`${broken.telegramId}:502`),
        `${flaky.telegramId}:500`,
        `${throttled.telegramId}:429`,
        `${deactivated.telegramId}:403`,
        `${unknown.telegramId}:400`,
      ].sort(),
    );
    // and the calls (failed ones too: each took a slot) were spaced by the rate, 30/s: on average ≥ 33 ms apart,
    // never two within a few ms (arrival times jitter a little around the slots)
    const times = calls.map((c) => c.at).sort((a, b) => a - b);
    for (let i = 1; i < times.length; i++) expect(times[i] - times[i - 1]).toBeGreaterThanOrEqual(15);
    expect((times[times.length - 1] - times[0]) / (times.length - 1)).toBeGreaterThanOrEqual(32);

    // And the counters equal the rows; the progress endpoint reports them
    await expectCountersMatchRows(documentId);
    const progress = await get(`/newsletter/newsletters/${documentId}/progress`);
    expect(progress.status).toBe(200);
    expect(progress.body.data).toMatchObject({ status: 'sent', total: 13, sent: 10, failed: 2, blocked: 1, remaining: 0, cancelled: 0, etaSeconds: null });
    expect(progress.body.data.ratePerSecond).toBeGreaterThan(0);
    expect(progress.body.data.byChannel.telegram).toEqual({ total: 13, sent: 10, failed: 2, blocked: 1, remaining: 0 });

    // And the recipients list filters by status and names the member
    const failedList = await get(`/newsletter/newsletters/${documentId}/deliveries?status=failed&pageSize=1`);
    expect(failedList.status).toBe(200);
    expect(failedList.body.meta.pagination).toEqual({ page: 1, pageSize: 1, total: 2, pageCount: 2 });
    expect(failedList.body.data[0]).toMatchObject({ channel: 'telegram', state: 'failed', member: { documentId: expect.any(String), fullName: expect.any(String) } });
    const all = await get(`/newsletter/newsletters/${documentId}/deliveries?pageSize=100`);
    expect(all.body.data).toHaveLength(13);
    expect(all.body.data.find((d: { telegramId: string }) => d.telegramId === deactivated.telegramId)).toMatchObject({
      state: 'blocked',
      errorCode: 'user_deactivated',
      error: 'Telegram 403: Forbidden: user is deactivated',
      member: { documentId: deactivated.documentId, fullName: deactivated.fullName },
    });
    expect((await get(`/newsletter/newsletters/${documentId}/deliveries?status=nope`)).status).toBe(400);
    expect((await get(`/newsletter/newsletters/${documentId}/deliveries?pageSize=1000`)).status).toBe(400);
    expect((await get('/newsletter/newsletters/doesnotexist000000000000/progress')).status).toBe(404);

    // And the CSV has a BOM, an English header, one line per recipient, and quotes what needs quoting
    const csv = await get(`/newsletter/newsletters/${documentId}/deliveries.csv`).buffer(true).parse((res, done) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => done(null, Buffer.concat(chunks)));
    });
    expect(csv.status).toBe(200);
    expect(csv.headers['content-type']).toMatch(/text\/csv/);
    expect(csv.headers['content-disposition']).toMatch(/^attachment; filename="newsletter-.*\.csv"$/);
    const textCsv = (csv.body as Buffer).toString('utf8');
    expect(textCsv.startsWith('\uFEFFMember,Telegram username,Telegram ID,E-mail,Channel,Language,Status,')).toBe(true);
    const lines = textCsv.trim().split('\r\n');
    expect(lines).toHaveLength(14);
    expect(lines.find((l) => l.includes(unknown.telegramId))).toContain('chat_not_found');
    const onlyBlocked = await get(`/newsletter/newsletters/${documentId}/deliveries.csv?status=blocked`);
    expect(onlyBlocked.text.trim().split('\r\n')).toHaveLength(2);
  });

  it('pauses, resumes and cancels while the dispatcher loop runs: nothing sent while paused, nobody twice, the rest cancelled', async () => {
    telegram.setLatency(30);
    const members = await createMembers(60);
    const documentId = await compose(members);
    const before = telegram.calls().length;
    const okSends = () => telegram.calls().slice(before).filter((c) => c.method === 'sendMessage' && c.response.ok);
    dispatcher().start({ force: true });
    try {
      // When staff send it and pause after about ten messages
      expect((await post(`/newsletter/newsletters/${documentId}/send`)).status).toBe(200);
      await waitFor(async () => okSends().length >= 10, 15_000, '10 messages');
      const paused = await post(`/newsletter/newsletters/${documentId}/pause`);
      expect(paused.status).toBe(200);
      expect(paused.body.data.state).toBe('paused');
      // Then at most the sends already in flight (≤ concurrency) finish, and nothing more goes out while paused
      await sleep(300);
      const atPause = okSends().length;
      await sleep(1200);
      expect(okSends().length).toBe(atPause);
      expect(atPause).toBeLessThan(60);
      // and nothing is left claimed: the claimed-but-unsent deliveries are back in the queue
      await waitFor(async () => (await deliveries(documentId)).every((r) => r.state !== 'sending'), 5000, 'released claims');
      const progress = (await get(`/newsletter/newsletters/${documentId}/progress`)).body.data;
      expect(progress).toMatchObject({ status: 'paused', total: 60, sent: atPause, remaining: 60 - atPause });

      // When they resume, it finishes, and everyone got exactly one message
      expect((await post(`/newsletter/newsletters/${documentId}/resume`)).status).toBe(200);
      await waitFor(async () => String((await newsletterRow(documentId)).state) === 'sent', 20_000, 'sent');
      const perChat = new Map<string, number>();
      for (const call of okSends()) perChat.set(chatOf(call), (perChat.get(chatOf(call)) ?? 0) + 1);
      expect(perChat.size).toBe(60);
      expect([...perChat.values()].every((n) => n === 1)).toBe(true);
      await expectCountersMatchRows(documentId);

      // And a second newsletter cancelled midway: the rest is cancelled, nothing goes out afterwards
      const second = await compose(members, { body: 'Второе письмо', bodyEn: null });
      const before2 = telegram.calls().length;
      const okSends2 = () => telegram.calls().slice(before2).filter((c) => c.method === 'sendMessage' && c.response.ok);
      expect((await post(`/newsletter/newsletters/${second}/send`)).status).toBe(200);
      await waitFor(async () => okSends2().length >= 8, 15_000, '8 messages');
      const cancelled = await post(`/newsletter/newsletters/${second}/cancel`);
      expect(cancelled.status).toBe(200);
      expect(cancelled.body.data.state).toBe('cancelled');
      await waitFor(async () => (await deliveries(second)).every((r) => r.state === 'sent' || r.state === 'cancelled'), 5000, 'settled');
      await sleep(500);
      const rows = await deliveries(second);
      const sentCount = rows.filter((r) => r.state === 'sent').length;
      expect(okSends2().length).toBe(sentCount);
      expect(rows.filter((r) => r.state === 'cancelled').length).toBe(60 - sentCount);
      expect(sentCount).toBeLessThan(60);
      await expectCountersMatchRows(second);
      expect((await get(`/newsletter/newsletters/${second}/progress`)).body.data).toMatchObject({ status: 'cancelled', remaining: 0, cancelled: 60 - sentCount });
    } finally {
      await dispatcher().stop();
    }
  });

  it('claims the next batch while the last sends of the current one are in flight, one claim ahead at most', async () => {
    // Claims of 60 (NEWSLETTER_RATE=30 × 2 s), 4 workers, every send answered 150 ms late: 130 members = 60 + 60 + 10
    telegram.setLatency(150);
    const members = await createMembers(130);
    const documentId = await compose(members, { bodyEn: null });
    const before = sendCalls().length;
    expect((await post(`/newsletter/newsletters/${documentId}/send`)).status).toBe(200);
    const id = await idOf(documentId);
    let maxClaimed = 0;
    let done = false;
    const watch = (async () => {
      while (!done) {
        const [{ n }] = (await knex()('newsletter_deliveries').where({ newsletter_ref: id, state: 'sending' }).count({ n: '*' })) as Array<{ n: number }>;
        maxClaimed = Math.max(maxClaimed, Number(n));
        await sleep(5);
      }
    })();
    try {
      expect(await runUntilDone(documentId)).toBe('sent');
    } finally {
      done = true;
      await watch;
    }
    // The second claim of 60 was taken while ≤ 4 of the first were left to start and ≤ 4 in flight: never more
    expect(maxClaimed).toBeGreaterThan(60);
    expect(maxClaimed).toBeLessThanOrEqual(60 + 2 * 4);
    const ok = sendCalls().slice(before).filter((c) => c.response.ok);
    expect(new Set(ok.map(chatOf)).size).toBe(130);
    expect(ok).toHaveLength(130);
    await expectCountersMatchRows(documentId);
  });

  it('starts a scheduled newsletter when its time comes, not before', async () => {
    const members = await createMembers(3);
    const documentId = await compose(members);
    const before = sendCalls().length;
    const at = new Date(Date.now() + 2500);
    const scheduled = await post(`/newsletter/newsletters/${documentId}/send`, { scheduledAt: at.toISOString() });
    expect(scheduled.status).toBe(200);
    expect(scheduled.body.data.state).toBe('scheduled');
    // Before its time: a pass promotes nothing and sends nothing
    const early = await dispatcher().tick();
    expect(early.promoted).toBe(0);
    expect(String((await newsletterRow(documentId)).state)).toBe('scheduled');
    expect(sendCalls().length).toBe(before);
    // After: it is started and sent
    await sleep(Math.max(0, at.getTime() - Date.now()) + 50);
    expect(await runUntilDone(documentId)).toBe('sent');
    const row = await newsletterRow(documentId);
    expect(row.started_at).toBeTruthy();
    expect(sendCalls().slice(before).filter((c) => c.response.ok)).toHaveLength(3);
    await expectCountersMatchRows(documentId);
    // and the dispatcher wrote one audit row when it started it and one when it finished
    const audits = (await app.strapi.db.query('api::audit-log.audit-log').findMany({
      where: { subjectType: NEWSLETTER_UID, subjectId: documentId, actorType: 'system' },
      orderBy: { id: 'asc' },
    })) as Array<{ action: string; before: unknown; after: Record<string, unknown> }>;
    expect(audits.map((a) => a.action)).toEqual(['newsletter.started', 'newsletter.finished']);
    expect(audits[0].before).toEqual({ state: 'scheduled' });
    // SQLite hands back epoch milliseconds, PostgreSQL a Date.
    const startedAt = row.started_at instanceof Date ? row.started_at : new Date(/^\d+$/.test(String(row.started_at)) ? Number(row.started_at) : String(row.started_at));
    expect(audits[0].after).toEqual({ state: 'sending', startedAt: startedAt.toISOString() });
    expect(audits[1].after).toMatchObject({ state: 'sent', total: 3, sent: 3, failed: 0, blocked: 0, cancelled: 0 });
  });

  async function attachImages(documentId: string, count: number) {
    let req = http().post(`/newsletter/newsletters/${documentId}/media`).set('Authorization', `Bearer ${token}`);
    for (let i = 0; i < count; i++) req = req.attach('files', png(40 + i, 30, [10 * i, 100, 200]), { filename: `img-${i}.png`, contentType: 'image/png' });
    const res = await req;
    expect(res.status).toBe(200);
    expect(res.body.data.media).toHaveLength(count);
  }

  it('uploads a media group once and reuses its file_ids for every other recipient', async () => {
    // Given an album of three images with a short caption and no buttons, to five members
    const members = await createMembers(5);
    const documentId = await compose(members, { body: 'Фото с {{firstName}}', bodyEn: null });
    await attachImages(documentId, 3);
    const before = telegram.calls().length;
    expect((await post(`/newsletter/newsletters/${documentId}/send`)).status).toBe(200);
    expect(await runUntilDone(documentId)).toBe('sent');

    const albums = telegram.calls().slice(before).filter((c) => c.method === 'sendMediaGroup');
    expect(albums).toHaveLength(5);
    expect(albums.every((c) => c.response.ok)).toBe(true);
    const mediaOf = (call: RecordedCall) => {
      const media = call.params.media;
      return (typeof media === 'string' ? JSON.parse(media) : media) as Array<{ media: string; caption?: string }>;
    };
    // Then exactly one call uploaded the files (attach://), the first one
    const uploads = albums.filter((c) => mediaOf(c).some((m) => m.media.startsWith('attach://')));
    expect(uploads).toHaveLength(1);
    expect(uploads[0]).toBe(albums[0]);
    // and the others sent the file_ids Telegram returned for it, as stored on the newsletter
    const stored = JSON.parse(String((await newsletterRow(documentId)).telegram_file_ids)) as string[];
    const returned = ((albums[0].response as { result: Array<{ photo: Array<{ file_id: string }> }> }).result).map((m) => m.photo[m.photo.length - 1].file_id);
    expect(stored).toEqual(returned);
    for (const call of albums.slice(1)) expect(mediaOf(call).map((m) => m.media)).toEqual(stored);
    // and the caption is on the first item, personalised
    for (const call of albums) {
      const items = mediaOf(call);
      expect(items[0].caption).toMatch(/^Фото с Member\d+$/);
      expect(items.slice(1).every((m) => m.caption === undefined)).toBe(true);
    }
    await expectCountersMatchRows(documentId);
  });

  it('one photo: sendPhoto with caption and buttons; an album with buttons: the album, then the text with the buttons', async () => {
    const members = await createMembers(2);
    const photo = await compose(members, { body: 'Одно фото', bodyEn: null, buttons: [{ text: 'Go', url: 'https://example.com/go' }] });
    await attachImages(photo, 1);
    const album = await compose(members, { body: 'Альбом', bodyEn: null, buttons: [{ text: 'Go', url: 'https://example.com/go' }] });
    await attachImages(album, 2);
    const before = telegram.calls().length;
    expect((await post(`/newsletter/newsletters/${photo}/send`)).status).toBe(200);
    expect(await runUntilDone(photo)).toBe('sent');
    expect((await post(`/newsletter/newsletters/${album}/send`)).status).toBe(200);
    expect(await runUntilDone(album)).toBe('sent');

    const calls = telegram.calls().slice(before).filter((c) => c.response.ok);
    const photos = calls.filter((c) => c.method === 'sendPhoto');
    expect(photos).toHaveLength(2);
    for (const member of members) {
      const chat = telegram.chat(Number(member.telegramId));
      // photo with caption and button; album of 2 without caption; then the text with the button
      const last = chat.slice(-4);
      expect(last[0]).toMatchObject({ text: 'Одно фото', buttons: [['Go']] });
      expect(last[0].message.photo).toBeDefined();
      expect(last[1].message.media_group_id).toBeDefined();
      expect(last[1].text).toBeUndefined();
      expect(last[2].message.media_group_id).toBe(last[1].message.media_group_id);
      expect(last[3]).toMatchObject({ text: 'Альбом', buttons: [['Go']] });
    }
    // one upload per newsletter: the second recipient's photo is a file_id
    expect(typeof photos[1].params.photo).toBe('string');
    expect(String(photos[1].params.photo)).not.toMatch(/^attach:/);
    // the delivery's message id is the first message (the photo / the album's first item)
    const rows = await deliveries(album);
    for (const row of rows) {
      const chat = telegram.chat(Number(row.telegram_id));
      expect(row.telegram_message_id).toBe(String(chat.slice(-3)[0].message_id));
    }
    await expectCountersMatchRows(photo);
    await expectCountersMatchRows(album);
  });

  it('resend to failed: requeues only the failed ones and sends them once', async () => {
    const members = await createMembers(4);
    telegram.failFor(members[1].telegramId, { error_code: 400, description: 'Bad Request: chat not found' });
    const documentId = await compose(members);
    expect((await post(`/newsletter/newsletters/${documentId}/send`)).status).toBe(200);
    expect(await runUntilDone(documentId)).toBe('sent');
    expect((await newsletterRow(documentId)).failed_count).toBe(1);
    telegram.clearFailures();
    const before = sendCalls().length;
    const resent = await post(`/newsletter/newsletters/${documentId}/resend`);
    expect(resent.status).toBe(200);
    expect(resent.body.data.state).toBe('sending');
    expect(await runUntilDone(documentId)).toBe('sent');
    const again = sendCalls().slice(before).filter((c) => c.response.ok);
    expect(again.map(chatOf)).toEqual([members[1].telegramId]);
    await expectCountersMatchRows(documentId);
    expect((await newsletterRow(documentId)).sent_count).toBe(4);
  });
});
