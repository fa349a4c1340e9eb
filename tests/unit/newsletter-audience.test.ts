/**
 * Segment rules of newsletters (plugins/newsletter/server/src/domain/audience.ts): the pure compiler's query run
 * against a real in-memory SQLite database with the same table and column names as Strapi's, the exclusions that
 * always apply, the cursor and snapshot, and the query plan (it must use the indexes, not scan the bookings).
 */
import knexFactory, { type Knex } from 'knex';
import { audienceRuleIssues, audienceSchema, type AudienceSpec, compileAudience, localDayStart } from '../../plugins/newsletter/server/src/domain/audience';
import type { Channel } from '../../plugins/newsletter/server/src/types';

const TZ = 'Europe/Moscow';
const NOW = new Date('2026-06-15T09:00:00Z'); // 12:00 in Moscow
const DAY = 86_400_000;
const ago = (days: number) => new Date(NOW.getTime() - days * DAY);

let knex: Knex;

interface MemberSeed {
  name: string;
  telegramId?: string | null;
  email?: string | null;
  language?: string;
  consent?: boolean;
  banned?: boolean | null;
  botBlocked?: boolean | null;
  successful?: number;
  registeredAt?: Date | null;
  createdAt?: Date;
}

const ids: Record<string, number> = {};
let bookingSeq = 0;

async function member(seed: MemberSeed): Promise<number> {
  const [id] = await knex('up_users').insert({
    document_id: `doc-${seed.name}`,
    full_name: seed.name,
    telegram_id: seed.telegramId === undefined ? String(1000 + Object.keys(ids).length) : seed.telegramId,
    email: seed.email === undefined ? `${seed.name}@example.com` : seed.email,
    language: seed.language ?? 'ru',
    consent_marketing: seed.consent ?? true,
    is_banned: seed.banned === undefined ? false : seed.banned,
    bot_blocked: seed.botBlocked === undefined ? false : seed.botBlocked,
    successful_bookings: seed.successful ?? 0,
    registered_at: seed.registeredAt === undefined ? ago(100) : seed.registeredAt,
    created_at: seed.createdAt ?? ago(100),
  });
  ids[seed.name] = id;
  return id;
}

async function booking(memberName: string, state: string, startAt: Date, createdAt: Date, tariff = 'tariff-a'): Promise<void> {
  bookingSeq += 1;
  const [id] = await knex('bookings').insert({ document_id: `b${bookingSeq}`, state, start_at: startAt, created_at: createdAt });
  await knex('bookings_member_lnk').insert({ booking_id: id, user_id: ids[memberName] });
  const tariffRow = await knex('tariffs').where({ document_id: tariff }).first('id');
  await knex('bookings_tariff_lnk').insert({ booking_id: id, tariff_id: tariffRow.id });
}

async function payment(memberName: string, amount: number, state = 'succeeded', refunded = 0): Promise<void> {
  const [id] = await knex('payments').insert({ amount, state });
  await knex('payments_member_lnk').insert({ payment_id: id, user_id: ids[memberName] });
  if (refunded > 0) {
    const [refund] = await knex('refunds').insert({ amount: refunded, state: 'succeeded' });
    await knex('refunds_payment_lnk').insert({ refund_id: refund, payment_id: id });
  }
}

async function select(spec: unknown, options: { channels?: Channel[]; serviceNotice?: boolean; afterId?: number; createdBefore?: Date; limit?: number } = {}) {
  const parsed = audienceSchema.parse(spec) as AudienceSpec;
  const rows = await compileAudience(parsed, {
    channels: options.channels ?? ['telegram'],
    serviceNotice: options.serviceNotice ?? false,
    now: NOW,
    timeZone: TZ,
    afterId: options.afterId,
    createdBefore: options.createdBefore,
    limit: options.limit,
  })(knex);
  return rows.map((row: { fullName: string }) => row.fullName);
}

beforeAll(async () => {
  knex = knexFactory({ client: 'better-sqlite3', connection: { filename: ':memory:' }, useNullAsDefault: true });
  await knex.schema.createTable('up_users', (t) => {
    t.increments('id');
    t.string('document_id');
    t.string('full_name');
    t.string('telegram_id');
    t.string('telegram_username');
    t.string('phone');
    t.string('email');
    t.string('language');
    t.boolean('consent_marketing');
    t.boolean('is_banned');
    t.boolean('bot_blocked');
    t.integer('successful_bookings');
    t.datetime('registered_at');
    t.datetime('created_at');
  });
  await knex.schema.createTable('bookings', (t) => {
    t.increments('id');
    t.string('document_id');
    t.string('state');
    t.datetime('start_at');
    t.datetime('created_at');
  });
  await knex.schema.createTable('tariffs', (t) => {
    t.increments('id');
    t.string('document_id');
  });
  for (const [table, a, b] of [
    ['bookings_member_lnk', 'booking_id', 'user_id'],
    ['bookings_tariff_lnk', 'booking_id', 'tariff_id'],
    ['payments_member_lnk', 'payment_id', 'user_id'],
    ['refunds_payment_lnk', 'refund_id', 'payment_id'],
  ]) {
    await knex.schema.createTable(table, (t) => {
      t.increments('id');
      t.integer(a);
      t.integer(b);
    });
  }
  await knex.schema.createTable('payments', (t) => {
    t.increments('id');
    t.integer('amount');
    t.string('state');
  });
  await knex.schema.createTable('refunds', (t) => {
    t.increments('id');
    t.integer('amount');
    t.string('state');
  });
  // The indexes Strapi and database/hot-path-indexes.ts create.
  await knex.raw('CREATE INDEX bookings_member_lnk_member_idx ON bookings_member_lnk (user_id, booking_id)');
  await knex.raw('CREATE INDEX bookings_tariff_lnk_fk ON bookings_tariff_lnk (booking_id)');
  await knex.raw('CREATE INDEX payments_member_lnk_ifk ON payments_member_lnk (user_id)');
  await knex.raw('CREATE INDEX refunds_payment_lnk_ifk ON refunds_payment_lnk (payment_id)');
  await knex.raw('CREATE UNIQUE INDEX up_users_telegram_id_uq ON up_users (telegram_id)');
  await knex.raw('CREATE INDEX tariffs_documents_idx ON tariffs (document_id)');
  await knex('tariffs').insert([{ document_id: 'tariff-a' }, { document_id: 'tariff-b' }]);

  // Given members of every kind.
  await member({ name: 'anna', successful: 5 }); // active VIP, books recently
  await member({ name: 'boris', registeredAt: ago(3), createdAt: ago(3) }); // new, never booked
  await member({ name: 'vera', successful: 1 }); // booked long ago only
  await member({ name: 'gleb', banned: true, successful: 9 }); // banned: never
  await member({ name: 'dasha', botBlocked: true }); // blocked the bot: e-mail only
  await member({ name: 'egor', consent: false }); // no marketing consent: service notices only
  await member({ name: 'zhanna', telegramId: null }); // e-mail only
  await member({ name: 'zoya', email: 'tg5@telegram.invalid' }); // Telegram only (placeholder e-mail)
  await member({ name: 'ivan', email: 'not-an-email', banned: null, botBlocked: null }); // NULL flags count as false
  await member({ name: 'kira', language: 'en', successful: 0 }); // spent a lot, upcoming booking

  await booking('anna', 'confirmed', ago(5), ago(6));
  await booking('anna', 'completed', ago(40), ago(41), 'tariff-b');
  await booking('vera', 'completed', ago(200), ago(201));
  await booking('vera', 'cancelled', ago(2), ago(3)); // cancelled does not make her active
  await booking('gleb', 'confirmed', ago(1), ago(2));
  await booking('boris', 'pending_payment', ago(1), ago(1)); // unpaid: not active
  // Upcoming on 2026-06-20 (Moscow): kira at 00:30 local (= 19th 21:30 UTC), egor late on the 20th.
  await booking('kira', 'confirmed', new Date('2026-06-19T21:30:00Z'), ago(1));
  await booking('egor', 'awaiting_confirmation', new Date('2026-06-20T20:00:00Z'), ago(1));
  await booking('dasha', 'cancelled', new Date('2026-06-20T10:00:00Z'), ago(1)); // cancelled: not upcoming
  await booking('anna', 'confirmed', new Date('2026-06-20T21:00:00Z'), ago(1)); // 00:00 on the 21st local: not the 20th

  await payment('kira', 600_000); // 6,000 ₽
  await payment('vera', 900_000, 'succeeded', 500_000); // 9,000 ₽ paid, 5,000 ₽ refunded: 4,000 ₽ net
  await payment('boris', 2_000_000, 'canceled'); // never paid
});

afterAll(async () => {
  await knex.destroy();
});

describe('always excluded', () => {
  it('Telegram: banned, blocked the bot, no Telegram id, no marketing consent', async () => {
    expect(await select({ segment: 'all' })).toEqual(['anna', 'boris', 'vera', 'zoya', 'ivan', 'kira']);
  });

  it('e-mail: banned, no verified-looking address (or the Telegram placeholder), no consent', async () => {
    expect(await select({ segment: 'all' }, { channels: ['email'] })).toEqual(['anna', 'boris', 'vera', 'dasha', 'zhanna', 'kira']);
  });

  it('both channels: anyone reachable on at least one, each once', async () => {
    expect(await select({ segment: 'all' }, { channels: ['telegram', 'email'] })).toEqual(['anna', 'boris', 'vera', 'dasha', 'zhanna', 'zoya', 'ivan', 'kira']);
  });

  it('a service notice also reaches members without marketing consent, never banned ones', async () => {
    expect(await select({ segment: 'all' }, { serviceNotice: true })).toEqual(['anna', 'boris', 'vera', 'egor', 'zoya', 'ivan', 'kira']);
  });
});

describe('segments', () => {
  it('new: registered within N days', async () => {
    expect(await select({ segment: 'new', params: { days: 7 } })).toEqual(['boris']);
    expect(await select({ segment: 'new', params: { days: 365 } })).toHaveLength(6);
  });

  it('active: a confirmed or completed booking made within N days', async () => {
    expect(await select({ segment: 'active', params: { days: 30 } })).toEqual(['anna', 'kira']);
    expect(await select({ segment: 'active', params: { days: 365 } })).toEqual(['anna', 'vera', 'kira']);
  });

  it('inactive: none within N days (never booked included)', async () => {
    expect(await select({ segment: 'inactive', params: { days: 30 } })).toEqual(['boris', 'vera', 'zoya', 'ivan']);
  });

  it('VIP: at least N successful bookings, or at least X paid net of refunds', async () => {
    expect(await select({ segment: 'vip', params: { minBookings: 2 } })).toEqual(['anna']);
    expect(await select({ segment: 'vip', params: { minSpent: 500_000 } })).toEqual(['kira']);
    expect(await select({ segment: 'vip', params: { minSpent: 400_000 } })).toEqual(['vera', 'kira']);
    expect(await select({ segment: 'vip', params: { minBookings: 5, minSpent: 500_000 } })).toEqual(['anna', 'kira']);
  });

  it('tariff: booked one of the tariffs for a time within the local dates', async () => {
    const day = (d: Date) => new Date(d.getTime() + 3 * 3600_000).toISOString().slice(0, 10);
    expect(await select({ segment: 'tariff', params: { tariffs: ['tariff-b'], from: day(ago(60)), to: day(NOW) } })).toEqual(['anna']);
    expect(await select({ segment: 'tariff', params: { tariffs: ['tariff-a'], from: day(ago(300)), to: day(ago(100)) } })).toEqual(['vera']);
    expect(await select({ segment: 'tariff', params: { tariffs: ['tariff-a', 'tariff-b'], from: day(ago(300)), to: day(NOW) } })).toEqual(['anna', 'vera']);
  });

  it('upcoming: a live booking starting on that local day (Moscow midnight to midnight)', async () => {
    expect(await select({ segment: 'upcoming', params: { date: '2026-06-20' } })).toEqual(['kira']);
    expect(await select({ segment: 'upcoming', params: { date: '2026-06-20' } }, { serviceNotice: true })).toEqual(['egor', 'kira']);
    expect(await select({ segment: 'upcoming', params: { date: '2026-06-21' } })).toEqual(['anna']);
  });

  it('custom: Telegram ids and member picks, still minus the excluded', async () => {
    expect(await select({ segment: 'custom', params: { telegramIds: ['1000', '1003', '424242'], members: ['doc-kira', 'doc-egor'] } })).toEqual(['anna', 'kira']);
  });

  it('refuses malformed parameters', () => {
    expect(audienceSchema.safeParse({ segment: 'vip', params: {} }).success).toBe(false);
    expect(audienceSchema.safeParse({ segment: 'custom', params: { telegramIds: [], members: [] } }).success).toBe(false);
    expect(audienceSchema.safeParse({ segment: 'custom', params: { telegramIds: ['12ab'] } }).success).toBe(false);
    expect(audienceSchema.safeParse({ segment: 'new', params: { days: 0 } }).success).toBe(false);
    expect(audienceSchema.safeParse({ segment: 'nobody', params: {} }).success).toBe(false);
    expect(audienceRuleIssues({ segment: 'tariff', params: { tariffs: ['t'], from: '2026-02-01', to: '2026-01-01' } })).toEqual(['The period ends before it starts']);
  });
});

describe('materialisation cursor and snapshot', () => {
  it('pages in member id order after a cursor', async () => {
    const first = await select({ segment: 'all' }, { limit: 2 });
    expect(first).toEqual(['anna', 'boris']);
    expect(await select({ segment: 'all' }, { afterId: ids.boris, limit: 2 })).toEqual(['vera', 'zoya']);
  });

  it('leaves out members created after the run started', async () => {
    expect(await select({ segment: 'all' }, { createdBefore: ago(10) })).toEqual(['anna', 'vera', 'zoya', 'ivan', 'kira']);
  });

  it('selects what a recipient row needs', async () => {
    const [row] = await compileAudience({ segment: 'custom', params: { telegramIds: [], members: ['doc-kira'] } }, { channels: ['telegram'], serviceNotice: false, now: NOW, timeZone: TZ })(knex);
    expect(row).toEqual({
      id: ids.kira,
      documentId: 'doc-kira',
      telegramId: expect.any(String),
      email: 'kira@example.com',
      language: 'en',
      fullName: 'kira',
      phone: null,
      telegramUsername: null,
      successfulBookings: 0,
    });
  });
});

describe('one indexed query', () => {
  async function plan(spec: unknown): Promise<string[]> {
    const query = compileAudience(audienceSchema.parse(spec) as AudienceSpec, { channels: ['telegram'], serviceNotice: false, now: NOW, timeZone: TZ, afterId: 0, limit: 1000 })(knex);
    const { sql, bindings } = query.toSQL().toNative();
    const rows = (await knex.raw(`EXPLAIN QUERY PLAN ${sql}`, bindings as unknown[])) as Array<{ detail: string }>;
    return rows.map((row) => row.detail);
  }

  it.each([
    [{ segment: 'active', params: { days: 30 } }],
    [{ segment: 'inactive', params: { days: 30 } }],
    [{ segment: 'upcoming', params: { date: '2026-06-20' } }],
    [{ segment: 'tariff', params: { tariffs: ['tariff-a'], from: '2026-01-01', to: '2026-06-30' } }],
    [{ segment: 'vip', params: { minSpent: 1 } }],
  ])('%j walks the members by primary key and reaches bookings and payments through the link-table indexes', async (spec) => {
    const details = await plan(spec);
    // The members: by rowid (the id cursor), never a full scan of the link tables or the bookings.
    expect(details.some((d) => /SEARCH u USING INTEGER PRIMARY KEY/.test(d))).toBe(true);
    expect(details.filter((d) => /^SCAN (bm|bt|pm|rp|rpm|b)\b/.test(d))).toEqual([]);
    expect(details.some((d) => /USING (COVERING )?INDEX (bookings_member_lnk_member_idx|payments_member_lnk_ifk)/.test(d))).toBe(true);
  });

  it('is one statement, with dates and values bound as parameters', () => {
    const { sql, bindings } = compileAudience({ segment: 'new', params: { days: 7 } }, { channels: ['telegram'], serviceNotice: false, now: NOW, timeZone: TZ })(knex).toSQL();
    expect(sql.split(';')).toHaveLength(1);
    expect(bindings).toContainEqual(ago(7));
  });

  it('knows Moscow midnight', () => {
    expect(localDayStart('2026-06-20', TZ).toISOString()).toBe('2026-06-19T21:00:00.000Z');
    expect(localDayStart('2026-06-20', TZ, 1).toISOString()).toBe('2026-06-20T21:00:00.000Z');
    expect(localDayStart('2026-03-29', 'Europe/Berlin', 1).toISOString()).toBe('2026-03-29T22:00:00.000Z');
  });
});
