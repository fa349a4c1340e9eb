/**
 * Writes a demo plan: every row is looked up by its natural key and inserted only when missing, so
 * running the seed again adds nothing. Rows that already exist are never modified (an operator may
 * have edited them), except the two derived counters, which are recomputed from the rows:
 * members' successfulBookings and promo codes' usedCount.
 */
import type { Core } from '@strapi/strapi';
import type { DemoPlan } from './plan';
import { type BookingSeed, SUCCESSFUL_STATUSES } from './history';
import type { Link, Tally, Writer } from './writer';

const UID = {
  resource: 'api::resource.resource',
  tariff: 'api::tariff.tariff',
  promocode: 'api::promocode.promocode',
  member: 'plugin::users-permissions.user',
  role: 'plugin::users-permissions.role',
  booking: 'api::booking.booking',
  payment: 'api::payment.payment',
  refund: 'api::refund.refund',
  redemption: 'api::promocode-redemption.promocode-redemption',
  ticket: 'api::ticket.ticket',
  ticketMessage: 'api::ticket-message.ticket-message',
} as const;

export type SeedCounts = Record<
  'resources' | 'tariffs' | 'promocodes' | 'members' | 'bookings' | 'payments' | 'refunds' | 'redemptions' | 'tickets' | 'ticketMessages',
  Tally
>;

export interface DerivedUpdates {
  successfulBookings: number;
  promocodeUsedCount: number;
}

interface RelatedRow {
  id: number;
  [field: string]: unknown;
}

const idIn = (ids: Map<string, number>, key: string): number => {
  const id = ids.get(key);
  if (id === undefined) throw new Error(`Demo seed: no row for key ${key}`);
  return id;
};
/** The id of a populated to-one relation, or null when the row has none. */
const relatedId = (row: RelatedRow, field: string): number | null => {
  const related = row[field] as { id: number } | null | undefined;
  return related ? related.id : null;
};

export async function persistPlan(
  strapi: Core.Strapi,
  writer: Writer,
  plan: DemoPlan,
): Promise<{ counts: SeedCounts; updated: DerivedUpdates }> {
  const { catalogue, members, history, tickets } = plan;
  const findRows = (uid: string, params: Record<string, unknown>): Promise<RelatedRow[]> => strapi.db.query(uid).findMany(params);

  const resources = await writer.ensure(UID.resource, catalogue.resources, {
    key: (r) => r.slug,
    load: () => writer.loadByField(UID.resource, 'slug', catalogue.resources.map((r) => r.slug)),
    toRow: (r) => ({ ...r }),
  });

  const tariffs = await writer.ensure(UID.tariff, catalogue.tariffs, {
    key: (t) => t.slug,
    load: () => writer.loadByField(UID.tariff, 'slug', catalogue.tariffs.map((t) => t.slug)),
    toRow: ({ resourceSlugs, ...fields }) => fields,
  });
  await writer.link(
    UID.tariff,
    'resources',
    tariffs.created.map(([id, t]): Link => [id, t.resourceSlugs.map((slug) => idIn(resources.ids, slug))]),
  );

  const promocodes = await writer.ensure(UID.promocode, catalogue.promocodes, {
    key: (p) => p.code,
    load: () => writer.loadByField(UID.promocode, 'code', catalogue.promocodes.map((p) => p.code)),
    toRow: ({ tariffSlugs, ...fields }) => fields,
  });
  await writer.link(
    UID.promocode,
    'tariffs',
    promocodes.created
      .filter(([, p]) => p.tariffSlugs.length > 0)
      .map(([id, p]): Link => [id, p.tariffSlugs.map((slug) => idIn(tariffs.ids, slug))]),
  );

  const role = await strapi.db.query(UID.role).findOne({ where: { type: 'authenticated' }, select: ['id'] });
  if (!role) throw new Error('Demo seed: the users-permissions "authenticated" role is missing');
  const telegramIds = members.map((m) => m.telegramId);
  const memberRows = await writer.ensure(UID.member, members, {
    key: (m) => m.telegramId,
    load: () => writer.loadByField(UID.member, 'telegramId', telegramIds),
    toRow: ({ referrerTelegramId, firstSeenAt, activity, ...fields }) => ({
      ...fields,
      // Members sign in through Telegram only: no password, nothing to confirm by email.
      username: `tg_${fields.telegramId}`,
      provider: 'telegram',
      confirmed: true,
      blocked: false,
      createdAt: firstSeenAt,
      updatedAt: fields.registeredAt,
    }),
  });
  const memberId = (telegramId: string) => idIn(memberRows.ids, telegramId);
  await writer.link(UID.member, 'role', memberRows.created.map(([id]): Link => [id, role.id]));
  await writer.link(
    UID.member,
    'referrer',
    memberRows.created
      .filter(([, m]) => m.referrerTelegramId !== null)
      .map(([id, m]): Link => [id, memberId(m.referrerTelegramId as string)]),
  );

  const bookingKey = (member: number | null, resource: number | null, startAt: unknown) =>
    `${member}|${resource}|${new Date(startAt as string).toISOString()}`;
  const planBookingKey = (b: BookingSeed) =>
    bookingKey(memberId(b.memberTelegramId), idIn(resources.ids, b.resourceSlug), b.startAt);
  const bookingsOfMembers = () =>
    findRows(UID.booking, {
      select: ['id', 'startAt', 'state'],
      where: { member: { id: { $in: [...memberRows.ids.values()] } } },
      populate: { member: { select: ['id'] }, resource: { select: ['id'] } },
    });
  const bookings = await writer.ensure(UID.booking, history.bookings, {
    key: planBookingKey,
    load: async () => {
      const rows = await bookingsOfMembers();
      return new Map(rows.map((row) => [bookingKey(relatedId(row, 'member'), relatedId(row, 'resource'), row.startAt), row.id]));
    },
    toRow: ({ memberTelegramId, tariffSlug, resourceSlug, promocode, ...fields }) => fields,
  });
  const bookingId = (b: BookingSeed) => idIn(bookings.ids, planBookingKey(b));
  const newBookings = bookings.created;
  await writer.link(UID.booking, 'member', newBookings.map(([id, b]): Link => [id, memberId(b.memberTelegramId)]));
  await writer.link(UID.booking, 'tariff', newBookings.map(([id, b]): Link => [id, idIn(tariffs.ids, b.tariffSlug)]));
  await writer.link(UID.booking, 'resource', newBookings.map(([id, b]): Link => [id, idIn(resources.ids, b.resourceSlug)]));
  await writer.link(
    UID.booking,
    'promocode',
    newBookings.filter(([, b]) => b.promocode !== null).map(([id, b]): Link => [id, idIn(promocodes.ids, b.promocode as string)]),
  );

  const payments = await writer.ensure(UID.payment, history.payments, {
    key: (p) => p.providerPaymentId,
    load: () => writer.loadByField(UID.payment, 'providerPaymentId', history.payments.map((p) => p.providerPaymentId)),
    toRow: ({ booking, ...fields }) => ({ ...fields, provider: 'yookassa', currency: 'RUB' }),
  });
  const paymentId = (providerPaymentId: string) => idIn(payments.ids, providerPaymentId);
  await writer.link(UID.payment, 'booking', payments.created.map(([id, p]): Link => [id, bookingId(p.booking)]));
  await writer.link(UID.payment, 'member', payments.created.map(([id, p]): Link => [id, memberId(p.booking.memberTelegramId)]));

  const refunds = await writer.ensure(UID.refund, history.refunds, {
    key: (r) => r.providerRefundId,
    load: () => writer.loadByField(UID.refund, 'providerRefundId', history.refunds.map((r) => r.providerRefundId)),
    toRow: ({ payment, ...fields }) => ({ ...fields, currency: 'RUB' }),
  });
  await writer.link(
    UID.refund,
    'payment',
    refunds.created.map(([id, r]): Link => [id, paymentId(r.payment.providerPaymentId)]),
  );

  // A booking has at most one redemption, so the booking identifies it.
  const redemptions = await writer.ensure(UID.redemption, history.redemptions, {
    key: (r) => String(bookingId(r.booking)),
    load: async () => {
      const rows = await findRows(UID.redemption, {
        select: ['id'],
        where: { booking: { id: { $in: history.redemptions.map((r) => bookingId(r.booking)) } } },
        populate: { booking: { select: ['id'] } },
      });
      return new Map(rows.map((row) => [String(relatedId(row, 'booking')), row.id]));
    },
    toRow: ({ booking, ...fields }) => fields,
  });
  const newRedemptions = redemptions.created.map(([id, r]) => [id, r.booking] as const);
  await writer.link(UID.redemption, 'booking', newRedemptions.map(([id, b]): Link => [id, bookingId(b)]));
  await writer.link(UID.redemption, 'member', newRedemptions.map(([id, b]): Link => [id, memberId(b.memberTelegramId)]));
  await writer.link(
    UID.redemption,
    'promocode',
    newRedemptions.map(([id, b]): Link => [id, idIn(promocodes.ids, b.promocode as string)]),
  );

  const ticketKey = (member: number | null, subject: unknown) => `${member}|${subject}`;
  const ticketRows = await writer.ensure(UID.ticket, tickets, {
    key: (t) => ticketKey(memberId(t.memberTelegramId), t.subject),
    load: async () => {
      const rows = await findRows(UID.ticket, {
        select: ['id', 'subject'],
        where: { member: { id: { $in: [...memberRows.ids.values()] } } },
        populate: { member: { select: ['id'] } },
      });
      return new Map(rows.map((row) => [ticketKey(relatedId(row, 'member'), row.subject), row.id]));
    },
    toRow: ({ memberTelegramId, messages, ...fields }) => ({ ...fields, updatedAt: fields.lastMessageAt }),
  });
  const ticketId = (memberTelegramId: string, subject: string) => idIn(ticketRows.ids, ticketKey(memberId(memberTelegramId), subject));
  await writer.link(
    UID.ticket,
    'member',
    ticketRows.created.map(([id, t]): Link => [id, memberId(t.memberTelegramId)]),
  );

  const messages = tickets.flatMap((ticket) => ticket.messages.map((message) => ({ ticket, ...message })));
  const messageKey = (ticket: number | null, body: unknown) => `${ticket}|${body}`;
  const messageRows = await writer.ensure(UID.ticketMessage, messages, {
    key: (m) => messageKey(ticketId(m.ticket.memberTelegramId, m.ticket.subject), m.body),
    load: async () => {
      const rows = await findRows(UID.ticketMessage, {
        select: ['id', 'body'],
        where: { ticket: { id: { $in: [...ticketRows.ids.values()] } } },
        populate: { ticket: { select: ['id'] } },
      });
      return new Map(rows.map((row) => [messageKey(relatedId(row, 'ticket'), row.body), row.id]));
    },
    toRow: ({ ticket, ...fields }) => fields,
  });
  const newMessages = messageRows.created.map(([id, m]) => ({
    id,
    ticket: ticketId(m.ticket.memberTelegramId, m.ticket.subject),
    message: m,
  }));
  await writer.link(UID.ticketMessage, 'ticket', newMessages.map(({ id, ticket }): Link => [id, ticket]));
  await writer.link(
    UID.ticketMessage,
    'authorMember',
    newMessages
      .filter(({ message }) => message.authorType === 'member')
      .map(({ id, message }): Link => [id, memberId(message.ticket.memberTelegramId)]),
  );

  // Derived counters, recomputed from the rows now present.
  const successful = new Map<number, number>();
  for (const row of await bookingsOfMembers()) {
    const member = relatedId(row, 'member');
    if (member !== null && SUCCESSFUL_STATUSES.includes(row.state as BookingSeed['state'])) {
      successful.set(member, (successful.get(member) ?? 0) + 1);
    }
  }
  const memberCounters = await findRows(UID.member, {
    select: ['id', 'successfulBookings'],
    where: { telegramId: { $in: telegramIds } },
  });
  const successfulBookings = await updateCounters(
    strapi,
    UID.member,
    'successfulBookings',
    memberCounters.map((row) => ({ id: row.id, current: row.successfulBookings, wanted: successful.get(row.id) ?? 0 })),
  );

  const promocodeIds = [...promocodes.ids.values()];
  const redemptionRows = await findRows(UID.redemption, {
    select: ['id', 'state'],
    where: { promocode: { id: { $in: promocodeIds } }, state: { $in: ['reserved', 'used'] } },
    populate: { promocode: { select: ['id'] } },
  });
  const uses = new Map<number, number>();
  for (const row of redemptionRows) {
    const promocode = relatedId(row, 'promocode') as number;
    uses.set(promocode, (uses.get(promocode) ?? 0) + 1);
  }
  const promocodeCounters = await findRows(UID.promocode, { select: ['id', 'usedCount'], where: { id: { $in: promocodeIds } } });
  const promocodeUsedCount = await updateCounters(
    strapi,
    UID.promocode,
    'usedCount',
    promocodeCounters.map((row) => ({ id: row.id, current: row.usedCount, wanted: uses.get(row.id) ?? 0 })),
  );

  return {
    counts: {
      resources: resources.tally,
      tariffs: tariffs.tally,
      promocodes: promocodes.tally,
      members: memberRows.tally,
      bookings: bookings.tally,
      payments: payments.tally,
      refunds: refunds.tally,
      redemptions: redemptions.tally,
      tickets: ticketRows.tally,
      ticketMessages: messageRows.tally,
    },
    updated: { successfulBookings, promocodeUsedCount },
  };
}

/** Sets `field` where it differs from the wanted value: one UPDATE per distinct value. Returns the rows changed. */
async function updateCounters(
  strapi: Core.Strapi,
  uid: string,
  field: string,
  counters: Array<{ id: number; current: unknown; wanted: number }>,
): Promise<number> {
  const stale = counters.filter((c) => Number(c.current ?? 0) !== c.wanted);
  const byValue = new Map<number, number[]>();
  for (const { id, wanted } of stale) byValue.set(wanted, [...(byValue.get(wanted) ?? []), id]);
  for (const [value, ids] of byValue) {
    await strapi.db.query(uid).updateMany({ where: { id: { $in: ids } }, data: { [field]: value } });
  }
  return stale.length;
}
