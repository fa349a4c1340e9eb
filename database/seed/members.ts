/**
 * About 300 demo members as they would arrive from the Telegram bot: mostly Russian speakers, some
 * English ones, registrations spread over the last six months with growth towards the present.
 * Emails use the reserved example.* domains, so nothing can ever be delivered to a real person.
 */
import { DAY_MS, HISTORY_DAYS, MINUTE_MS, type Timeline } from './calendar';
import type { Rng } from './prng';

export const MEMBER_COUNT = 300;

export interface MemberSeed {
  telegramId: string;
  telegramUsername: string | null;
  fullName: string;
  phone: string;
  email: string;
  language: 'ru' | 'en';
  consentTerms: boolean;
  consentAt: Date;
  consentMarketing: boolean;
  referrerTelegramId: string | null;
  referralCode: string;
  birthDate: string | null;
  isBanned: boolean;
  banReason: string | null;
  bannedAt: Date | null;
  botBlocked: boolean;
  botBlockedAt: Date | null;
  adminComment: string | null;
  registeredAt: Date;
  /** First contact with the bot (/start), a little before registration completed. */
  firstSeenAt: Date;
  /** How often this member books, relative to others (not stored). */
  activity: number;
}

const RU_MALE = ['Александр', 'Дмитрий', 'Максим', 'Сергей', 'Андрей', 'Алексей', 'Артём', 'Илья', 'Кирилл', 'Михаил', 'Никита', 'Матвей', 'Роман', 'Егор', 'Иван', 'Павел', 'Денис', 'Владимир', 'Тимур', 'Евгений'];
const RU_FEMALE = ['Анна', 'Мария', 'Елена', 'Дарья', 'Алина', 'Ирина', 'Екатерина', 'Ольга', 'Наталья', 'Татьяна', 'Юлия', 'Полина', 'Виктория', 'Ксения', 'Софья', 'Анастасия', 'Марина', 'Светлана', 'Вера', 'Алёна'];
/** [masculine, feminine] forms. */
const RU_SURNAMES: ReadonlyArray<readonly [string, string]> = [
  ['Иванов', 'Иванова'], ['Смирнов', 'Смирнова'], ['Кузнецов', 'Кузнецова'], ['Попов', 'Попова'], ['Васильев', 'Васильева'],
  ['Петров', 'Петрова'], ['Соколов', 'Соколова'], ['Михайлов', 'Михайлова'], ['Новиков', 'Новикова'], ['Фёдоров', 'Фёдорова'],
  ['Морозов', 'Морозова'], ['Волков', 'Волкова'], ['Алексеев', 'Алексеева'], ['Лебедев', 'Лебедева'], ['Семёнов', 'Семёнова'],
  ['Егоров', 'Егорова'], ['Павлов', 'Павлова'], ['Козлов', 'Козлова'], ['Степанов', 'Степанова'], ['Николаев', 'Николаева'],
  ['Орлов', 'Орлова'], ['Андреев', 'Андреева'], ['Макаров', 'Макарова'], ['Никитин', 'Никитина'], ['Захаров', 'Захарова'],
  ['Зайцев', 'Зайцева'], ['Соловьёв', 'Соловьёва'], ['Борисов', 'Борисова'], ['Яковлев', 'Яковлева'], ['Григорьев', 'Григорьева'],
  ['Романов', 'Романова'], ['Воробьёв', 'Воробьёва'], ['Сергеев', 'Сергеева'], ['Ковалёв', 'Ковалёва'], ['Белов', 'Белова'],
  ['Тарасов', 'Тарасова'], ['Комаров', 'Комарова'], ['Виноградов', 'Виноградова'], ['Островский', 'Островская'], ['Жуковский', 'Жуковская'],
];
const EN_FIRST = ['James', 'Emma', 'Oliver', 'Sophia', 'Liam', 'Charlotte', 'Noah', 'Amelia', 'Lucas', 'Mia', 'Ethan', 'Grace', 'Daniel', 'Chloe', 'Thomas'];
const EN_LAST = ['Smith', 'Johnson', 'Brown', 'Taylor', 'Wilson', 'Miller', 'Davis', 'Clark', 'Walker', 'Hughes', 'Baker', 'Turner', 'Hill', 'Cooper', 'Ward'];

const TRANSLIT: Record<string, string> = {
  а: 'a', б: 'b', в: 'v', г: 'g', д: 'd', е: 'e', ё: 'e', ж: 'zh', з: 'z', и: 'i', й: 'y', к: 'k', л: 'l', м: 'm',
  н: 'n', о: 'o', п: 'p', р: 'r', с: 's', т: 't', у: 'u', ф: 'f', х: 'kh', ц: 'ts', ч: 'ch', ш: 'sh', щ: 'shch',
  ъ: '', ы: 'y', ь: '', э: 'e', ю: 'yu', я: 'ya',
};
export const transliterate = (text: string): string =>
  [...text.toLowerCase()].map((char) => TRANSLIT[char] ?? char).join('');

const EMAIL_DOMAINS = ['example.com', 'example.org', 'example.net'];
const CODE_ALPHABET = [...'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789'];
const BAN_REASONS = ['Неоднократно не приходил на оплаченные брони и спорил с администратором', 'Нарушение правил коворкинга: шум в тихой зоне после предупреждений'];
const ADMIN_COMMENTS = ['Постоянный гость, предпочитает место у окна', 'Просил счёт на юрлицо', 'Приходит с ноутбуком и монитором, нужна розетка'];

export function buildMembers(rng: Rng, timeline: Timeline): MemberSeed[] {
  const anchor = timeline.anchor.getTime();
  const emails = new Set<string>();
  const phones = new Set<string>();
  const codes = new Set<string>();
  const unique = (taken: Set<string>, make: (attempt: number) => string) => {
    for (let attempt = 0; ; attempt++) {
      const value = make(attempt);
      if (!taken.has(value)) {
        taken.add(value);
        return value;
      }
    }
  };

  const members: MemberSeed[] = [];
  for (let i = 0; i < MEMBER_COUNT; i++) {
    const english = rng.chance(0.12);
    const female = rng.chance(0.5);
    let first: string;
    let last: string;
    if (english) {
      first = rng.pick(EN_FIRST);
      last = rng.pick(EN_LAST);
    } else {
      first = rng.pick(female ? RU_FEMALE : RU_MALE);
      last = rng.pick(RU_SURNAMES)[female ? 1 : 0];
    }
    const latinFirst = transliterate(first);
    const latinLast = transliterate(last);
    const language = english || rng.chance(0.03) ? 'en' : 'ru';

    // The first members joined at the opening; after that registrations grow towards the present.
    const daysAgo = i < 40 ? HISTORY_DAYS - rng.next() * 10 : HISTORY_DAYS * (1 - Math.sqrt(rng.next()));
    const registeredAt = new Date(Math.round((anchor - daysAgo * DAY_MS) / MINUTE_MS) * MINUTE_MS);
    const firstSeenAt = new Date(registeredAt.getTime() - rng.int(2, 40) * MINUTE_MS);

    const emailDomain = rng.pick(EMAIL_DOMAINS);
    const email = unique(emails, (n) => `${latinFirst}.${latinLast}${n === 0 ? '' : n + 1}@${emailDomain}`);
    const phone = unique(phones, () => `+79${String(rng.int(0, 999_999_999)).padStart(9, '0')}`);
    const referralCode = unique(codes, () => Array.from({ length: 8 }, () => rng.pick(CODE_ALPHABET)).join(''));
    const birthYear = rng.int(1972, 2004);

    members.push({
      // Strictly increasing ids in the range real Telegram accounts use.
      telegramId: String(5_100_000_000 + i * 7_919 + rng.int(0, 7_000)),
      telegramUsername: rng.chance(0.75) ? `${latinFirst}_${latinLast}${rng.int(1, 99)}`.replace(/[^a-z0-9_]/g, '') : null,
      fullName: `${first} ${last}`,
      phone,
      email,
      language,
      consentTerms: true,
      consentAt: registeredAt,
      consentMarketing: rng.chance(0.65),
      referrerTelegramId: null,
      referralCode,
      birthDate: rng.chance(0.4) ? `${birthYear}-${String(rng.int(1, 12)).padStart(2, '0')}-${String(rng.int(1, 28)).padStart(2, '0')}` : null,
      isBanned: false,
      banReason: null,
      bannedAt: null,
      botBlocked: false,
      botBlockedAt: null,
      adminComment: rng.chance(0.03) ? rng.pick(ADMIN_COMMENTS) : null,
      registeredAt,
      firstSeenAt,
      // A few regulars book a lot, most members now and then.
      activity: 0.2 + rng.next() ** 3 * 6,
    });
  }
  members.sort((a, b) => a.registeredAt.getTime() - b.registeredAt.getTime());

  // Referrals: an invited member joined after the member who invited them.
  for (let i = 10; i < members.length; i++) {
    if (rng.chance(0.18)) members[i].referrerTelegramId = members[rng.int(0, i - 1)].telegramId;
  }
  for (const member of pickDistinct(rng, members.slice(20, -20), 2)) {
    const bannedAt = new Date(member.registeredAt.getTime() + (anchor - member.registeredAt.getTime()) * 0.6);
    Object.assign(member, { isBanned: true, banReason: rng.pick(BAN_REASONS), bannedAt, activity: 0.3 });
  }
  for (const member of pickDistinct(rng, members.filter((m) => !m.isBanned), 6)) {
    member.botBlocked = true;
    // Telegram answered 403 to a message sent some time after they registered.
    const since = member.registeredAt.getTime();
    member.botBlockedAt = new Date(since + (anchor - since) * (0.5 + rng.next() / 2));
  }
  return members;
}

function pickDistinct<T>(rng: Rng, items: readonly T[], count: number): T[] {
  const pool = [...items];
  const picked: T[] = [];
  while (picked.length < count && pool.length > 0) picked.push(pool.splice(rng.int(0, pool.length - 1), 1)[0]);
  return picked;
}
