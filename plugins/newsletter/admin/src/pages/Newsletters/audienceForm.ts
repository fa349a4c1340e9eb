/**
 * The audience picker's form and its translation into the API's `{ segment, params }` (server:
 * domain/audience.ts, audienceSchema). Money is typed in rubles and sent in kopecks; dates are the space's
 * calendar dates (YYYY-MM-DD).
 */
import type { AudienceSpec, MemberPick, Segment } from './types';

export interface AudienceForm {
  segment: Segment;
  days: string;
  minBookings: string;
  minSpentRub: string;
  tariffs: string[];
  from: string;
  to: string;
  date: string;
  /** Telegram ids as pasted (any separators) or read from a CSV file. */
  telegramIdsText: string;
  members: MemberPick[];
}

export const emptyAudienceForm = (today: string): AudienceForm => ({
  segment: 'all',
  days: '30',
  minBookings: '5',
  minSpentRub: '',
  tariffs: [],
  from: today,
  to: today,
  date: today,
  telegramIdsText: '',
  members: [],
});

/** Telegram ids in a text: every cell or word of digits only (1–20 of them), once each, in order. */
export function parseTelegramIds(text: string): string[] {
  const seen = new Set<string>();
  for (const raw of text.split(/[\s,;\t]+/)) {
    const cell = raw.trim().replace(/^["']|["']$/g, '');
    if (/^[0-9]{1,20}$/.test(cell)) seen.add(cell.replace(/^0+(?=\d)/, ''));
  }
  return [...seen];
}

/** Cells of a pasted or CSV text that are not Telegram ids (headers and names excluded from the count). */
export function countNonIds(text: string): number {
  return text
    .split(/[\n\r]+/)
    .filter((line) => line.trim() !== '')
    .filter((line) => !/[0-9]{1,20}/.test(line)).length;
}

export type AudienceProblem = 'days' | 'vip' | 'minBookings' | 'minSpent' | 'tariffs' | 'period' | 'date' | 'custom' | 'customTooMany';

const whole = (value: string) => (/^\s*\d+\s*$/.test(value) ? Number(value) : NaN);

/** The API's audience of the form, or what is missing. */
export function buildAudience(form: AudienceForm): { spec: AudienceSpec | null; problem: AudienceProblem | null } {
  const fail = (problem: AudienceProblem) => ({ spec: null, problem });
  switch (form.segment) {
    case 'all':
      return { spec: { segment: 'all', params: {} }, problem: null };
    case 'new':
    case 'active':
    case 'inactive': {
      const days = whole(form.days);
      if (!Number.isInteger(days) || days < 1 || days > 3650) return fail('days');
      return { spec: { segment: form.segment, params: { days } }, problem: null };
    }
    case 'vip': {
      const params: Record<string, number> = {};
      if (form.minBookings.trim() !== '') {
        const count = whole(form.minBookings);
        if (!Number.isInteger(count) || count < 1) return fail('minBookings');
        params.minBookings = count;
      }
      if (form.minSpentRub.trim() !== '') {
        const rubles = Number(form.minSpentRub.replace(/\s/g, '').replace(',', '.'));
        if (!Number.isFinite(rubles) || rubles <= 0) return fail('minSpent');
        params.minSpent = Math.round(rubles * 100);
      }
      if (Object.keys(params).length === 0) return fail('vip');
      return { spec: { segment: 'vip', params }, problem: null };
    }
    case 'tariff':
      if (form.tariffs.length === 0) return fail('tariffs');
      if (!form.from || !form.to || form.from > form.to) return fail('period');
      return { spec: { segment: 'tariff', params: { tariffs: form.tariffs, from: form.from, to: form.to } }, problem: null };
    case 'upcoming':
      if (!/^\d{4}-\d{2}-\d{2}$/.test(form.date)) return fail('date');
      return { spec: { segment: 'upcoming', params: { date: form.date } }, problem: null };
    case 'custom': {
      const telegramIds = parseTelegramIds(form.telegramIdsText);
      const members = form.members.map((member) => member.documentId);
      if (telegramIds.length + members.length === 0) return fail('custom');
      if (telegramIds.length + members.length > 10000) return fail('customTooMany');
      return { spec: { segment: 'custom', params: { telegramIds, members } }, problem: null };
    }
    default:
      return fail('custom');
  }
}

/** The form of a stored audience (picked members come back as documentIds only: shown by id until searched). */
export function formOfAudience(spec: AudienceSpec | null | undefined, today: string): AudienceForm {
  const form = emptyAudienceForm(today);
  if (!spec) return form;
  const p = spec.params ?? {};
  form.segment = spec.segment;
  if (typeof p.days === 'number') form.days = String(p.days);
  if (spec.segment === 'vip') {
    form.minBookings = typeof p.minBookings === 'number' ? String(p.minBookings) : '';
    form.minSpentRub = typeof p.minSpent === 'number' ? String(p.minSpent / 100) : '';
  }
  if (Array.isArray(p.tariffs)) form.tariffs = p.tariffs as string[];
  if (typeof p.from === 'string') form.from = p.from;
  if (typeof p.to === 'string') form.to = p.to;
  if (typeof p.date === 'string') form.date = p.date;
  if (Array.isArray(p.telegramIds)) form.telegramIdsText = (p.telegramIds as string[]).join('\n');
  if (Array.isArray(p.members)) form.members = (p.members as string[]).map((documentId) => ({ documentId, fullName: null, telegramId: null, email: null }));
  return form;
}
