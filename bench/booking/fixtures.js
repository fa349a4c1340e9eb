/**
 * Bench fixtures written straight into the SQLite file with better-sqlite3: a catalogue of hourly tariffs,
 * background members and up to a million bookings, each type in one transaction with prepared statements.
 *
 * The rows look like the ones Strapi writes (checked with PRAGMA table_info against the schema Strapi
 * created on boot): datetimes as epoch milliseconds, booleans as 0/1, JSON as text, a 24-character
 * documentId, created_at / updated_at / published_at set (no draft & publish: published from birth), and
 * every relation as a row in its `*_lnk` table, with the inverse order column where Strapi keeps one.
 *
 * The space is fixed (8 meeting rooms, 4 open-space pools, one hourly tariff each) and the bookings table
 * grows the way a real one does: the next 31 days carry the same load whatever the table size, and every
 * further booking is history, one full day at a time further back. So "availability with 1,000,000
 * bookings" asks about the same busy future days as with 10,000; only the history behind them is larger.
 */
'use strict';

const crypto = require('crypto');

const ROOMS = 8;
const OPEN_SPACES = 4;
const ROOM_BOOKINGS_PER_DAY = 6; // of 14 hourly slots (08:00–22:00)
const OPEN_SPACE_BOOKINGS_PER_DAY = 25; // 1–4 hours each, capacity 40
const OPEN_SPACE_CAPACITY = 40;
const OPEN_HOUR = 8;
const CLOSE_HOUR = 22;
const FUTURE_DAYS = 31; // today … today + 30 (the default booking horizon)
const BENCH_MEMBER_SHARE = 20; // every 20th booking belongs to one of the bench's signed-in members
const BACKGROUND_MEMBERS = 2000;
const ROOM_PRICE = 50_000; // kopecks per hour
const OPEN_SPACE_PRICE = 30_000;

/** Bookings per day that the generator writes: the density of the future window and of history. */
const BOOKINGS_PER_DAY = ROOMS * ROOM_BOOKINGS_PER_DAY + OPEN_SPACES * OPEN_SPACE_BOOKINGS_PER_DAY;

const DOCUMENT_ID_ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';
/**
 * documentIds shaped like Strapi's (cuid2: 24 lower-case letters and digits, the first always a letter).
 * The first letter matters: the Document Service takes a relation value that starts with a digit for a
 * numeric id, so a documentId like "6jca…" would not be found ("1 relation(s) … do not exist").
 */
function documentIds(count) {
  const bytes = crypto.randomBytes(count * 24);
  const ids = new Array(count);
  for (let i = 0; i < count; i++) {
    let id = DOCUMENT_ID_ALPHABET[bytes[i * 24] % 26];
    for (let j = 1; j < 24; j++) id += DOCUMENT_ID_ALPHABET[bytes[i * 24 + j] % 36];
    ids[i] = id;
  }
  return ids;
}

/** mulberry32: a small deterministic PRNG, so two runs write the same history. */
function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const daily = (open, close) => {
  const hours = [{ open, close }];
  return { mon: hours, tue: hours, wed: hours, thu: hours, fri: hours, sat: hours, sun: hours };
};

/** Column names of a table, to fail loudly (rather than write wrong rows) if the schema moved. */
function assertColumns(db, table, wanted) {
  const present = new Set(db.prepare(`PRAGMA table_info("${table}")`).all().map((column) => column.name));
  if (present.size === 0) throw new Error(`bench fixtures: table ${table} does not exist (did Strapi boot on this file?)`);
  const missing = wanted.filter((column) => !present.has(column));
  if (missing.length > 0) throw new Error(`bench fixtures: ${table} has no column(s) ${missing.join(', ')}; update bench/booking/fixtures.js`);
}

function insertStatement(db, table, columns) {
  assertColumns(db, table, columns);
  const list = columns.map((column) => `"${column}"`).join(', ');
  return db.prepare(`INSERT INTO "${table}" (${list}) VALUES (${columns.map(() => '?').join(', ')})`);
}

/**
 * Resources and tariffs of the bench: `bench-room-N` (capacity 1) and `bench-open-N` (capacity 40), each
 * booked by its own hourly tariff `<resource>-hour`, open 08:00–22:00 every day, no closed dates.
 */
function createCatalogue(db, now = Date.now()) {
  const insertResource = insertStatement(db, 'resources', [
    'document_id', 'name', 'slug', 'kind', 'description', 'capacity', 'opening_hours', 'closed_dates', 'buffer_minutes',
    'is_active', 'color', 'location', 'lock_version', 'created_at', 'updated_at', 'published_at',
  ]);
  const insertTariff = insertStatement(db, 'tariffs', [
    'document_id', 'name', 'slug', 'description', 'billing_unit', 'price', 'min_units', 'max_units', 'requires_approval',
    'trial_once', 'is_active', 'is_public', 'duration_discounts', 'free_cancellation_hours', 'late_cancellation_refund_percent',
    'sort_order', 'color', 'created_at', 'updated_at', 'published_at',
  ]);
  const link = insertStatement(db, 'tariffs_resources_lnk', ['tariff_id', 'resource_id', 'resource_ord', 'tariff_ord']);
  const hours = JSON.stringify(daily('08:00', '22:00'));
  const specs = [];
  for (let i = 1; i <= ROOMS; i++) {
    specs.push({ slug: `bench-room-${i}`, name: `Переговорная ${i}`, kind: 'meeting_room', capacity: 1, price: ROOM_PRICE, room: true });
  }
  for (let i = 1; i <= OPEN_SPACES; i++) {
    specs.push({ slug: `bench-open-${i}`, name: `Open space ${i}`, kind: 'open_space', capacity: OPEN_SPACE_CAPACITY, price: OPEN_SPACE_PRICE, room: false });
  }
  const ids = documentIds(specs.length * 2);
  const catalogue = { rooms: [], openSpaces: [] };
  db.transaction(() => {
    specs.forEach((spec, index) => {
      const resourceId = Number(
        insertResource.run(
          ids[index * 2], spec.name, spec.slug, spec.kind, `Bench ${spec.kind}`, spec.capacity, hours, '[]', 0,
          1, '#3366ff', 'bench', 0, now, now, now,
        ).lastInsertRowid,
      );
      const tariffSlug = `${spec.slug}-hour`;
      const tariffDocumentId = ids[index * 2 + 1];
      const tariffId = Number(
        insertTariff.run(
          tariffDocumentId, `${spec.name}, час`, tariffSlug, 'Bench hourly tariff', 'hour', spec.price, 1, 8, 0,
          0, 1, 1, JSON.stringify([{ minUnits: 3, percent: 10 }]), 24, 50,
          index + 1, '#3366ff', now, now, now,
        ).lastInsertRowid,
      );
      link.run(tariffId, resourceId, 1, 1);
      const entry = { resourceId, tariffId, tariffDocumentId, tariffSlug, slug: spec.slug, price: spec.price, capacity: spec.capacity };
      (spec.room ? catalogue.rooms : catalogue.openSpaces).push(entry);
    });
  })();
  return catalogue;
}

/** Registered members written directly (the bench's own signed-in members are created over HTTP). */
function createBackgroundMembers(db, count = BACKGROUND_MEMBERS, now = Date.now()) {
  const role = db.prepare(`SELECT id FROM up_roles WHERE type = 'authenticated'`).get();
  if (!role) throw new Error('bench fixtures: no authenticated role (did Strapi bootstrap this file?)');
  const insertUser = insertStatement(db, 'up_users', [
    'document_id', 'username', 'email', 'provider', 'confirmed', 'blocked', 'telegram_id', 'full_name', 'phone', 'language',
    'consent_terms', 'consent_at', 'consent_marketing', 'referral_code', 'is_banned', 'bot_blocked', 'successful_bookings',
    'registered_at', 'created_at', 'updated_at', 'published_at',
  ]);
  const roleLink = insertStatement(db, 'up_users_role_lnk', ['user_id', 'role_id', 'user_ord']);
  const maxOrder = db.prepare('SELECT COALESCE(MAX(user_ord), 0) AS max FROM up_users_role_lnk WHERE role_id = ?').get(role.id).max;
  const ids = documentIds(count);
  const members = [];
  db.transaction(() => {
    for (let i = 0; i < count; i++) {
      const telegramId = String(5_000_000_000 + i);
      const registeredAt = now - (i % 900) * 86_400_000;
      const id = Number(
        insertUser.run(
          ids[i], `tg_${telegramId}`, `bench${i}@example.com`, 'telegram', 1, 0, telegramId, `Member ${i}`,
          `+79${String(100000000 + i).slice(-9)}`, 'ru', 1, registeredAt, 0, `BG${String(i).padStart(8, '0')}`, 0, 0, 0,
          registeredAt, registeredAt, registeredAt, registeredAt,
        ).lastInsertRowid,
      );
      roleLink.run(id, role.id, maxOrder + i + 1);
      members.push(id);
    }
  })();
  return members;
}

/**
 * Writes bookings for whole days: first the future window (today … today + 30), then history, one day
 * further back at a time, until `count` more rows are written. Keeps its position, so a second call grows
 * the same table further into the past.
 */
function createBookingWriter({ catalogue, backgroundMembers, benchMembers, spaceTime, timeZone, now = Date.now() }) {
  const bookingColumns = [
    'document_id', 'start_at', 'end_at', 'units', 'state', 'price_base', 'discount_total', 'price_total', 'currency', 'discounts',
    'hold_expires_at', 'source', 'cancelled_at', 'cancel_reason', 'cancelled_by', 'confirmed_at', 'confirmed_by',
    'created_at', 'updated_at', 'published_at',
  ];
  let insertBooking;
  let linkResource;
  let linkTariff;
  let linkMember;
  let memberOrder;
  /** Statements on the connection `add` was given (the bench closes its connection while it measures). */
  function prepare(db) {
    insertBooking = insertStatement(db, 'bookings', bookingColumns);
    linkResource = insertStatement(db, 'bookings_resource_lnk', ['booking_id', 'resource_id']);
    linkTariff = insertStatement(db, 'bookings_tariff_lnk', ['booking_id', 'tariff_id']);
    linkMember = insertStatement(db, 'bookings_member_lnk', ['booking_id', 'user_id', 'booking_ord']);
    // Bookings made through the API since the last step were appended to members' lists: continue after them.
    memberOrder = new Map(
      db.prepare('SELECT user_id, MAX(booking_ord) AS max FROM bookings_member_lnk GROUP BY user_id').all().map((row) => [row.user_id, row.max]),
    );
  }
  const { addDays, localDateOf, zonedInstant } = spaceTime;
  const today = localDateOf(new Date(now), timeZone);
  const random = prng(20261125);
  let written = 0;
  let nextFutureOffset = 0; // days after today still to write in the future window
  let nextPastOffset = 1; // days before today still to write

  function dayPlan() {
    // [resource, startHour, hours] for one day, before states and members are drawn.
    const plan = [];
    for (const room of catalogue.rooms) {
      const taken = new Set();
      while (taken.size < ROOM_BOOKINGS_PER_DAY) {
        const hour = OPEN_HOUR + Math.floor(random() * (CLOSE_HOUR - OPEN_HOUR));
        if (taken.has(hour)) continue;
        taken.add(hour);
        const long = hour + 1 < CLOSE_HOUR && !taken.has(hour + 1) && random() < 0.3;
        if (long) taken.add(hour + 1);
        plan.push([room, hour, long ? 2 : 1]);
      }
    }
    for (const space of catalogue.openSpaces) {
      for (let k = 0; k < OPEN_SPACE_BOOKINGS_PER_DAY; k++) {
        const hour = OPEN_HOUR + Math.floor(random() * (CLOSE_HOUR - OPEN_HOUR - 1));
        plan.push([space, hour, 1 + Math.floor(random() * Math.min(4, CLOSE_HOUR - hour))]);
      }
    }
    return plan;
  }

  function pickState(future) {
    const r = random();
    if (future) {
      if (r < 0.7) return 'confirmed';
      if (r < 0.82) return 'cancelled';
      if (r < 0.9) return 'expired';
      if (r < 0.96) return 'pending_payment';
      return 'awaiting_confirmation';
    }
    if (r < 0.72) return 'completed';
    if (r < 0.86) return 'cancelled';
    if (r < 0.96) return 'expired';
    return 'rejected';
  }

  function writeDay(date, future, limit) {
    const plan = dayPlan().slice(0, limit);
    const ids = documentIds(plan.length);
    const hourStarts = new Map(); // zonedInstant goes through Intl: once per hour of the day, not per booking
    plan.forEach(([target, hour, hours], index) => {
      if (!hourStarts.has(hour)) hourStarts.set(hour, zonedInstant(date, hour * 60, timeZone).getTime());
      const startAt = hourStarts.get(hour);
      const endAt = startAt + hours * 3_600_000;
      const state = pickState(future);
      const base = target.price * hours;
      const discount = hours >= 3 ? Math.round(base * 0.1) : 0;
      const createdAt = Math.min(now, startAt - Math.floor(1 + random() * 14 * 24) * 3_600_000);
      const discounts = discount > 0 ? JSON.stringify([{ kind: 'duration', label: 'от 3 часов −10%', amount: discount }]) : '[]';
      const hold = state === 'pending_payment' ? now + 10 * 60_000 : state === 'expired' ? createdAt + 15 * 60_000 : null;
      const confirmed = state === 'confirmed' || state === 'completed';
      const cancelled = state === 'cancelled';
      const bookingId = Number(
        insertBooking.run(
          ids[index], startAt, endAt, hours, state, base, discount, base - discount, 'RUB', discounts,
          hold, 'bot', cancelled ? createdAt + 3_600_000 : null, cancelled ? 'Планы изменились' : null, cancelled ? 'member' : null,
          confirmed ? createdAt + 600_000 : null, confirmed ? 'system' : null,
          createdAt, createdAt, createdAt,
        ).lastInsertRowid,
      );
      linkResource.run(bookingId, target.resourceId);
      linkTariff.run(bookingId, target.tariffId);
      const member =
        written % BENCH_MEMBER_SHARE === 0 && benchMembers.length > 0
          ? benchMembers[Math.floor(written / BENCH_MEMBER_SHARE) % benchMembers.length]
          : backgroundMembers[Math.floor(random() * backgroundMembers.length)];
      const order = (memberOrder.get(member) ?? 0) + 1;
      memberOrder.set(member, order);
      linkMember.run(bookingId, member, order);
      written++;
    });
    return plan.length;
  }

  return {
    today,
    /** Adds `count` bookings (future window first, then history) in one transaction on `db`. */
    add(db, count) {
      prepare(db);
      let left = count;
      db.transaction(() => {
        while (left > 0) {
          if (nextFutureOffset < FUTURE_DAYS) {
            left -= writeDay(addDays(today, nextFutureOffset++), true, left);
          } else {
            left -= writeDay(addDays(today, -nextPastOffset++), false, left);
          }
        }
      })();
      return { written, oldestDay: addDays(today, -(nextPastOffset - 1)) };
    },
  };
}

/** Per-connection SQLite settings for bulk writes; they do not change how the server's connection works. */
function openForBulkWrites(Database, file) {
  const db = new Database(file, { timeout: 30_000 });
  db.pragma('synchronous = OFF');
  db.pragma('cache_size = -262144'); // 256 MiB of page cache for the index inserts
  db.pragma('temp_store = MEMORY');
  return db;
}

/**
 * Removes the bookings the API wrote during the run (source 'api'; the generator writes 'bot'), with every link
 * row that points at them, so the scale check compares tables that differ only in history.
 */
function removeApiBookings(db) {
  const linkTables = db
    .prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE '%\\_lnk' ESCAPE '\\'`)
    .all()
    .map((row) => row.name)
    .filter((table) => db.prepare(`PRAGMA table_info("${table}")`).all().some((column) => column.name === 'booking_id'));
  return db.transaction(() => {
    for (const table of linkTables) {
      db.prepare(`DELETE FROM "${table}" WHERE booking_id IN (SELECT id FROM bookings WHERE source = 'api')`).run();
    }
    return db.prepare(`DELETE FROM bookings WHERE source = 'api'`).run().changes;
  })();
}

function countBookings(db) {
  return db.prepare('SELECT COUNT(*) AS n FROM bookings').get().n;
}

module.exports = {
  BOOKINGS_PER_DAY,
  FUTURE_DAYS,
  OPEN_HOUR,
  CLOSE_HOUR,
  OPEN_SPACE_CAPACITY,
  createCatalogue,
  createBackgroundMembers,
  createBookingWriter,
  openForBulkWrites,
  removeApiBookings,
  countBookings,
};
