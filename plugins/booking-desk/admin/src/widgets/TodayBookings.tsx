import { Badge } from '@strapi/design-system';
import { useIntl } from 'react-intl';
import type { BookingState } from '../../../../../src/domain/booking-state';
import { stateLabel, stateVariant } from '../stateLabels';
import { formatSpan, localDate } from './format';
import { calendarBooking, calendarDay } from './links';
import { Figure, HomeWidget, Rows, t } from './parts';

/** Today's bookings: how many, and the next ones (ongoing first), each opening in the calendar. */
export function TodayBookingsWidget() {
  const { formatMessage, locale } = useIntl();
  return (
    <HomeWidget name="today-bookings" section="todayBookings">
      {(today, data) => (
        <>
          <Figure
            value={String(today.count)}
            href={calendarDay(data.date)}
            caption={formatMessage({ id: t('today-bookings.caption'), defaultMessage: '{count, plural, one {booking} other {bookings}} today' }, { count: today.count })}
          />
          <Rows
            empty={formatMessage({ id: t('today-bookings.empty'), defaultMessage: 'No more bookings today' })}
            rows={today.next.map((booking) => ({
              key: booking.documentId,
              href: calendarBooking(localDate(booking.startAt, data.timeZone), booking.documentId),
              primary: `${formatSpan(booking.startAt, booking.endAt, data.timeZone, locale)} · ${booking.member?.name ?? '—'}`,
              secondary: [booking.resource?.name, booking.tariff?.name].filter(Boolean).join(' · '),
              aside: <Badge variant={stateVariant(booking.state as BookingState)}>{stateLabel(formatMessage, booking.state as BookingState)}</Badge>,
            }))}
          />
        </>
      )}
    </HomeWidget>
  );
}

export default TodayBookingsWidget;
