import { useIntl } from 'react-intl';
import { calendarDay } from './links';
import { Figure, HomeWidget, Rows, t } from './parts';

/** Places free at this moment: each active resource's capacity less the bookings that hold a place now. */
export function FreeNowWidget() {
  const { formatMessage } = useIntl();
  return (
    <HomeWidget name="free-now" section="freeNow">
      {(free, data) => (
        <>
          <Figure
            value={String(free.total.free)}
            href={calendarDay(data.date)}
            caption={formatMessage(
              { id: t('free-now.caption'), defaultMessage: 'free of {capacity} places right now' },
              { capacity: free.total.capacity },
            )}
          />
          <Rows
            empty={formatMessage({ id: t('free-now.empty'), defaultMessage: 'No active resources' })}
            rows={free.resources.map((resource) => ({
              key: resource.documentId,
              primary: resource.name,
              secondary: formatMessage(
                { id: t('free-now.row'), defaultMessage: '{free} free of {capacity}' },
                { free: resource.free, capacity: resource.capacity },
              ),
            }))}
          />
        </>
      )}
    </HomeWidget>
  );
}

export default FreeNowWidget;
