import { useIntl } from 'react-intl';
import { formatDayTime, localDate } from './format';
import { calendarBooking, calendarDay } from './links';
import { Figure, HomeWidget, Rows, t } from './parts';

/** Requests staff still have to confirm or reject, soonest first; each opens in the calendar's side sheet. */
export function AwaitingApprovalWidget() {
  const { formatMessage, locale } = useIntl();
  return (
    <HomeWidget name="awaiting-approval" section="awaitingApproval">
      {(awaiting, data) => (
        <>
          <Figure
            value={String(awaiting.count)}
            href={awaiting.next[0] ? calendarBooking(localDate(awaiting.next[0].startAt, data.timeZone), awaiting.next[0].documentId) : calendarDay(data.date)}
            caption={formatMessage(
              { id: t('awaiting-approval.caption'), defaultMessage: '{count, plural, one {request} other {requests}} to answer' },
              { count: awaiting.count },
            )}
          />
          <Rows
            empty={formatMessage({ id: t('awaiting-approval.empty'), defaultMessage: 'Nothing to approve' })}
            rows={awaiting.next.map((booking) => ({
              key: booking.documentId,
              href: calendarBooking(localDate(booking.startAt, data.timeZone), booking.documentId),
              primary: `${formatDayTime(booking.startAt, data.timeZone, locale)} · ${booking.member?.name ?? '—'}`,
              secondary: [booking.resource?.name, booking.tariff?.name].filter(Boolean).join(' · '),
            }))}
          />
        </>
      )}
    </HomeWidget>
  );
}

export default AwaitingApprovalWidget;
