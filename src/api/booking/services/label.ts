/**
 * The booking's title for staff: "№123 · Иван Петров · 07.12.2026 10:00" (number, member, start in the space's
 * timezone). The content manager shows it as the booking's title in list and edit views and in relation pickers
 * (src/bootstrap/admin-layouts.ts makes `label` the main field).
 *
 * Kept by the server, never typed by staff: the booking's DB lifecycle hooks (../content-types/booking/lifecycles.ts)
 * refresh it whenever a booking is created or its member or start changes, whatever the path (member and staff
 * creation, reschedule, the content manager, scripts); `backfill` fills rows written in bulk (the demo seed) at boot.
 */
import type { Core } from '@strapi/strapi';
import { DEFAULT_SPACE_TIME_ZONE } from '../../../domain/space-time';

const BOOKING_UID = 'api::booking.booking';
const BATCH = 500;
const MAX_LENGTH = 200;

interface LabelSource {
  id: number;
  startAt: string | Date | null;
  member?: { fullName?: string | null; telegramUsername?: string | null; username?: string | null } | null;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function startFormatter(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('ru-RU', {
      timeZone,
      day: '2-digit',
      month: '2-digit',
      year: 'numeric',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

const spaceTimeZone = () => process.env.SPACE_TIMEZONE?.trim() || DEFAULT_SPACE_TIME_ZONE;

/** "07.12.2026 10:00" in the space's timezone. */
export function formatStart(startAt: Date, timeZone = spaceTimeZone()): string {
  const parts: Record<string, string> = {};
  for (const part of startFormatter(timeZone).formatToParts(startAt)) parts[part.type] = part.value;
  return `${parts.day}.${parts.month}.${parts.year} ${parts.hour}:${parts.minute}`;
}

export function memberName(member: LabelSource['member']): string {
  if (!member) return '—';
  const name = member.fullName?.trim() || (member.telegramUsername ? `@${member.telegramUsername}` : '') || member.username?.trim();
  return name || '—';
}

/** The label of one booking; pure, so it is the same wherever it is computed. */
export function bookingLabel(booking: LabelSource, timeZone = spaceTimeZone()): string {
  const start = booking.startAt ? formatStart(new Date(booking.startAt), timeZone) : '—';
  return `№${booking.id} · ${memberName(booking.member)} · ${start}`.slice(0, MAX_LENGTH);
}

const LABEL_QUERY = {
  select: ['id', 'startAt', 'label'],
  populate: { member: { select: ['fullName', 'telegramUsername', 'username'] } },
} as const;

const bookingLabelService = ({ strapi }: { strapi: Core.Strapi }) => {
  const query = () => strapi.db.query(BOOKING_UID);

  /** Recomputes the label of one booking and stores it when it changed (in the caller's transaction, if any). */
  async function refresh(id: number): Promise<string | null> {
    const row = (await query().findOne({ where: { id }, ...LABEL_QUERY })) as (LabelSource & { label: string | null }) | null;
    if (!row) return null;
    const label = bookingLabel(row);
    if (row.label !== label) await query().update({ where: { id }, data: { label } });
    return label;
  }

  /** Fills every booking without a label (rows written in bulk, such as the demo seed); returns how many. */
  async function backfill(): Promise<number> {
    let filled = 0;
    let afterId = 0;
    for (;;) {
      const rows = (await query().findMany({
        where: { label: { $null: true }, id: { $gt: afterId } },
        orderBy: { id: 'asc' },
        limit: BATCH,
        ...LABEL_QUERY,
      })) as LabelSource[];
      if (rows.length === 0) return filled;
      await strapi.db.transaction(async () => {
        for (const row of rows) {
          await query().update({ where: { id: row.id }, data: { label: bookingLabel(row) } });
        }
      });
      filled += rows.length;
      afterId = rows[rows.length - 1].id;
    }
  }

  return { refresh, backfill };
};

export type BookingLabelService = ReturnType<typeof bookingLabelService>;

export default bookingLabelService;
