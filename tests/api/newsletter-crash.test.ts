/**
 * Crash safety of newsletter delivery (docs/NEWSLETTERS.md, "What happens on a crash"): the real Strapi in a child
 * process sends a newsletter to 300 members through the Telegram stand-in (≈30 ms answers, its own flood limit of
 * 50/s); the process is killed with SIGKILL in the middle of the run, started again on the same SQLite file, and
 * finishes. Every member got the newsletter, and exactly once apart from the documented in-flight window: at most
 * NEWSLETTER_CONCURRENCY sends that Telegram had accepted but whose answer the killed process never recorded.
 */
import { startTelegramStandIn, type TelegramStandIn } from '../stand-ins/telegram/server';
import { crashRig, deliveriesIn, describeSqlite, insertMembers, sleep, storedCounters, waitForEnd } from '../helpers/newsletter-crash';

const MEMBERS = 300;
const CONCURRENCY = 4;

describeSqlite('newsletter delivery survives a SIGKILL mid-send', () => {
  jest.setTimeout(240_000);
  let telegram: TelegramStandIn;
  const rig = crashRig({
    name: 'newsletter-crash',
    admin: { email: 'crash-admin@staff.example.com', password: 'Crash-Passw0rd' },
    env: () => ({
      BOT_TOKEN: telegram.token,
      TELEGRAM_API_ROOT: telegram.apiRoot,
      NEWSLETTER_WORKER: 'true',
      NEWSLETTER_RATE: '30',
      NEWSLETTER_CONCURRENCY: String(CONCURRENCY),
      NEWSLETTER_LEASE_MS: '5000',
      NEWSLETTER_POLL_MS: '100',
      NEWSLETTER_RETRY_BASE_MS: '500',
    }),
  });

  beforeAll(async () => {
    telegram = await startTelegramStandIn({ rateLimits: { global: { perSecond: 50, burst: 50 } }, latencyMs: 30 });
    await rig.prepare();
  });

  afterAll(async () => {
    rig.cleanup();
    await telegram?.close();
  });

  const http = () => rig.http();

  it('resumes after the kill: nobody skipped, duplicates only within the in-flight window, counters match the rows', async () => {
    // Given the server running on a fresh database, and 300 members who started the bot
    await rig.boot('first start');
    const db = rig.openDb();
    const telegramIds = Array.from({ length: MEMBERS }, (_, i) => String(9_100_000 + i));
    insertMembers(
      db,
      telegramIds.map((telegramId, i) => ({
        username: `crash${telegramId}`,
        email: `crash${telegramId}@telegram.invalid`,
        provider: 'telegram',
        telegramId,
        fullName: `Crash${i} Member`,
      })),
    );
    telegramIds.forEach((telegramId, i) => telegram.addUser({ id: Number(telegramId), first_name: `Crash${i}` }));

    const auth = await rig.adminAuth();
    const created = await http()
      .post('/newsletter/newsletters')
      .set(auth)
      .send({ title: 'Crash test', channels: ['telegram'], body: 'Привет, {{firstName}}!', audience: { segment: 'all', params: {} } });
    expect(created.status).toBe(201);
    const documentId = created.body.data.documentId as string;

    // When it is sent and the server is killed with SIGKILL after about 137 messages (mid-claim)
    const sent = await http().post(`/newsletter/newsletters/${documentId}/send`).set(auth).send({});
    expect(sent.status).toBe(200);
    const okSends = () => telegram.calls('sendMessage').filter((c) => c.response.ok);
    const deadline = Date.now() + 60_000;
    while (okSends().length < 137) {
      if (Date.now() > deadline) throw new Error(`only ${okSends().length} messages after 60 s`);
      await sleep(10);
    }
    await rig.kill();
    const killedAt = Date.now();
    const atKill = okSends().length;
    // What the database had recorded as sent when the process died
    const recordedAtKill = deliveriesIn(db, 'sent');
    const claimedAtKill = deliveriesIn(db, 'sending');
    // (in flight at the kill = accepted by Telegram but not recorded)
    const inFlightAtKill = atKill - recordedAtKill;

    // And started again on the same database
    await sleep(300);
    expect(okSends().length).toBe(atKill); // nothing sends while it is down
    await rig.boot('restart after SIGKILL');
    const state = await waitForEnd(db, documentId, 90_000);
    const resumedIn = Date.now() - killedAt;

    // Then it finished
    expect(state).toBe('sent');
    // and every member got the message: nobody skipped
    const perChat = telegram.callsPerChat('sendMessage');
    const missing = telegramIds.filter((id) => !perChat.has(Number(id)));
    expect(missing).toEqual([]);
    // and exactly once, apart from the in-flight window: at most CONCURRENCY members twice, nobody three times
    const twice = telegramIds.filter((id) => (perChat.get(Number(id)) ?? 0) === 2);
    const more = telegramIds.filter((id) => (perChat.get(Number(id)) ?? 0) > 2);
    expect(more).toEqual([]);
    expect(twice.length).toBeLessThanOrEqual(CONCURRENCY);
    expect(twice.length).toBe(inFlightAtKill);
    expect(okSends().length).toBe(MEMBERS + twice.length);
    // and the rows say sent, each with a message the member really has
    const rows = db
      .prepare(`SELECT telegram_id, state, telegram_message_id, attempts FROM newsletter_deliveries ORDER BY id`)
      .all() as Array<{ telegram_id: string; state: string; telegram_message_id: string; attempts: number }>;
    expect(rows).toHaveLength(MEMBERS);
    expect(rows.every((r) => r.state === 'sent')).toBe(true);
    for (const row of rows) {
      const ids = telegram.chat(Number(row.telegram_id)).map((m) => String(m.message_id));
      expect(ids).toContain(String(row.telegram_message_id));
    }
    // and the counters equal the rows
    expect(storedCounters(db, documentId)).toEqual({ total: MEMBERS, sent: MEMBERS, failed: 0, blocked: 0, cancelled: 0 });
    // and the stand-in's own flood limit was never hit
    expect(telegram.stats().sendMessage?.['429'] ?? 0).toBe(0);
    db.close();

    // The figures for docs/newsletter-parts/delivery.md
    console.log(
      `newsletter crash test: killed after ${atKill} messages accepted by Telegram, ${recordedAtKill} recorded as sent, ` +
        `${claimedAtKill} claimed; in flight at the kill ${inFlightAtKill}; members messaged twice ${twice.length} ` +
        `(limit ${CONCURRENCY}); finished ${Math.round(resumedIn / 1000)} s after the kill (lease 5 s)`,
    );
  });
});
