/**
 * The pure helpers of the Newsletters page (plugins/newsletter/admin/src): the editor's Telegram HTML check agrees
 * with the server's (domain/telegram-html.ts) on what is valid and on the length it counts; the audience form
 * becomes the API's `{ segment, params }` (rubles to kopecks, CSV ids); schedule times are read in the space's
 * time zone, whatever the browser's zone is.
 */
import { checkTelegramHtml as serverCheck } from '../../plugins/newsletter/server/src/domain/telegram-html';
import { audienceSchema } from '../../plugins/newsletter/server/src/domain/audience';
import { checkTelegramHtml, CAPTION_LIMIT, limitFor, TEXT_LIMIT } from '../../plugins/newsletter/admin/src/pages/Newsletters/telegramHtml';
import { buildAudience, emptyAudienceForm, formOfAudience, parseTelegramIds } from '../../plugins/newsletter/admin/src/pages/Newsletters/audienceForm';
import { formatRubles, zonedToIso } from '../../plugins/newsletter/admin/src/time';

describe('the editor’s Telegram HTML check', () => {
  const samples = [
    'Привет, <b>{{firstName}}</b>!',
    '<i>курсив</i> и <a href="https://example.com/?a=1&amp;b=2">ссылка</a>',
    '<b>не закрыт',
    '<b><i>перепутаны</b></i>',
    '<div>блок</div>',
    '<a>без адреса</a>',
    '<a href="javascript:alert(1)">плохой адрес</a>',
    'Tom & Jerry',
    'пробел&nbsp;неразрывный',
    '<span class="tg-spoiler">спойлер</span> <tg-spoiler>ещё</tg-spoiler>',
    '  с пробелами по краям  ',
    '😀 эмодзи',
  ];

  it.each(samples)('agrees with the server on %j', (html) => {
    const server = serverCheck(html);
    const client = checkTelegramHtml(html, TEXT_LIMIT);
    expect(client.problems.length === 0).toBe(server.ok);
    if (server.ok) expect(client.length).toBe(server.length);
  });

  it('counts the visible text against 4,096, or 1,024 with exactly one photo', () => {
    expect(limitFor(0)).toBe(TEXT_LIMIT);
    expect(limitFor(1)).toBe(CAPTION_LIMIT);
    expect(limitFor(2)).toBe(TEXT_LIMIT);
    const long = `<b>${'я'.repeat(1025)}</b>`;
    expect(checkTelegramHtml(long, TEXT_LIMIT).problems).toEqual([]);
    expect(checkTelegramHtml(long, CAPTION_LIMIT).problems).toEqual([{ code: 'tooLong', length: 1025, max: 1024 }]);
  });
});

describe('the audience form', () => {
  const today = '2026-12-07';

  it('sends VIP money in kopecks and every spec the server’s schema accepts', () => {
    const vip = buildAudience({ ...emptyAudienceForm(today), segment: 'vip', minBookings: '', minSpentRub: '1 500,50' });
    expect(vip.spec).toEqual({ segment: 'vip', params: { minSpent: 150050 } });
    for (const form of [
      emptyAudienceForm(today),
      { ...emptyAudienceForm(today), segment: 'active' as const, days: '30' },
      { ...emptyAudienceForm(today), segment: 'tariff' as const, tariffs: ['abc'], from: '2026-12-01', to: '2026-12-31' },
      { ...emptyAudienceForm(today), segment: 'upcoming' as const },
      { ...emptyAudienceForm(today), segment: 'custom' as const, telegramIdsText: '123, 456\n123' },
    ]) {
      const { spec, problem } = buildAudience(form);
      expect(problem).toBeNull();
      expect(audienceSchema.safeParse(spec).success).toBe(true);
      expect(formOfAudience(spec, today).segment).toBe(form.segment);
    }
  });

  it('says what is missing instead of sending an incomplete audience', () => {
    expect(buildAudience({ ...emptyAudienceForm(today), segment: 'new', days: '0' }).problem).toBe('days');
    expect(buildAudience({ ...emptyAudienceForm(today), segment: 'vip', minBookings: '', minSpentRub: '' }).problem).toBe('vip');
    expect(buildAudience({ ...emptyAudienceForm(today), segment: 'tariff' }).problem).toBe('tariffs');
    expect(buildAudience({ ...emptyAudienceForm(today), segment: 'tariff', tariffs: ['a'], from: '2026-12-31', to: '2026-12-01' }).problem).toBe('period');
    expect(buildAudience({ ...emptyAudienceForm(today), segment: 'custom' }).problem).toBe('custom');
  });

  it('reads Telegram ids from a CSV with a header, quotes and names, once each', () => {
    expect(parseTelegramIds('telegramId;name\n"880100";Анна\n880101;Борис\n880100;Анна снова\n')).toEqual(['880100', '880101']);
  });
});

describe('times in the space’s zone', () => {
  it('turns a wall-clock time in Moscow into ISO with its offset', () => {
    expect(zonedToIso('2026-12-01T10:00', 'Europe/Moscow')).toBe('2026-12-01T10:00:00+03:00');
    expect(zonedToIso('2026-07-01T10:00', 'Europe/Berlin')).toBe('2026-07-01T10:00:00+02:00');
    expect(zonedToIso('2026-01-01T10:00', 'Europe/Berlin')).toBe('2026-01-01T10:00:00+01:00');
    expect(zonedToIso('not a time', 'Europe/Moscow')).toBeNull();
  });

  it('shows kopecks as rubles', () => {
    expect(formatRubles(150000, 'ru-RU').replace(/\s/g, ' ')).toBe('1 500 ₽');
  });
});
