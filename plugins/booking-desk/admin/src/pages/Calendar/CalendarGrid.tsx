import { Fragment, useMemo } from 'react';
import { useIntl } from 'react-intl';
import { Box, Flex, Typography } from '@strapi/design-system';
import { getTranslation } from '../../pluginId';
import { stateLabel } from '../../stateLabels';
import { STATE_STYLE, takesPlace, useFormats } from './format';
import { hourSpan, hoursReadable, layoutColumn, nowMinute, slotCells, type CalendarView } from './grid';
import type { CalendarBlock, CalendarResource } from './types';

const HOUR_PX = 56;
const GUTTER_PX = 56;

interface CalendarGridProps {
  view: CalendarView;
  days: string[];
  resources: CalendarResource[];
  blocks: CalendarBlock[];
  timeZone: string;
  now: Date;
  canCreate: boolean;
  onOpenBooking: (documentId: string) => void;
  onSlot: (slot: { resource: CalendarResource; startAt: string }) => void;
}

/**
 * The time grid: hours down the side, one column per resource (week view: each day split into its resources).
 * Closed hours and closed days are shaded; bookings are blocks coloured by state; "now" is a red line.
 */
export const CalendarGrid = ({ view, days, resources, blocks, timeZone, now, canCreate, onOpenBooking, onSlot }: CalendarGridProps) => {
  const { formatMessage } = useIntl();
  const formats = useFormats(timeZone);
  const span = useMemo(() => hourSpan(resources, days, blocks, timeZone), [resources, days, blocks, timeZone]);
  const hours = Array.from({ length: span.endHour - span.startHour }, (_, index) => span.startHour + index);
  const height = hours.length * HOUR_PX;
  const columnWidth = view === 'day' ? 200 : resources.length > 3 ? 72 : 120;
  const byResource = useMemo(() => {
    const map = new Map<string, CalendarBlock[]>();
    for (const block of blocks) {
      const list = map.get(block.resource ?? '') ?? [];
      list.push(block);
      map.set(block.resource ?? '', list);
    }
    return map;
  }, [blocks]);
  const top = (minute: number) => ((minute - span.startHour * 60) / 60) * HOUR_PX;

  if (resources.length === 0) {
    return (
      <Box padding={8} background="neutral0" hasRadius shadow="tableShadow">
        <Typography textColor="neutral600">
          {formatMessage({ id: getTranslation('calendar.noResources'), defaultMessage: 'No resources to show. Change the filters or add a resource.' })}
        </Typography>
      </Box>
    );
  }

  return (
    <Box background="neutral0" hasRadius shadow="tableShadow" style={{ overflowX: 'auto' }}>
      <Box style={{ minWidth: GUTTER_PX + days.length * resources.length * columnWidth }}>
        {/* Header: days (week) and resources */}
        <Flex alignItems="stretch" style={{ position: 'sticky', top: 0, zIndex: 3 }} background="neutral100">
          <Box style={{ width: GUTTER_PX, flexShrink: 0 }} />
          {days.map((day) => (
            <Box key={day} style={{ flex: resources.length, minWidth: resources.length * columnWidth, borderLeft: '1px solid #dcdce4' }}>
              {view === 'week' && (
                <Box paddingTop={2} paddingBottom={1} paddingLeft={2}>
                  <Typography variant="sigma" textColor={nowMinute(now, day, timeZone) !== null ? 'primary600' : 'neutral700'}>
                    {formats.day(day)}
                  </Typography>
                </Box>
              )}
              <Flex alignItems="stretch">
                {resources.map((resource) => (
                  <Box key={resource.documentId} padding={2} style={{ flex: 1, minWidth: columnWidth, overflow: 'hidden' }} title={resource.name}>
                    <Flex gap={1} alignItems="center">
                      <Box style={{ width: 8, height: 8, borderRadius: 4, background: resource.color ?? '#8e8ea9', flexShrink: 0 }} />
                      <Typography variant="pi" fontWeight="bold" ellipsis>
                        {resource.name}
                      </Typography>
                    </Flex>
                    {view === 'day' && (
                      <Typography variant="pi" textColor="neutral600">
                        {formatMessage(
                          { id: getTranslation('calendar.capacity'), defaultMessage: '{capacity, plural, one {# place} other {# places}}' },
                          { capacity: resource.capacity },
                        )}
                        {!resource.isActive &&
                          ` · ${formatMessage({ id: getTranslation('calendar.inactive'), defaultMessage: 'inactive' })}`}
                        {!hoursReadable(resource) &&
                          ` · ${formatMessage({ id: getTranslation('calendar.noHours'), defaultMessage: 'opening hours not set' })}`}
                      </Typography>
                    )}
                  </Box>
                ))}
              </Flex>
            </Box>
          ))}
        </Flex>

        {/* Body */}
        <Flex alignItems="stretch" style={{ position: 'relative', height }}>
          <Box style={{ width: GUTTER_PX, flexShrink: 0, position: 'relative' }}>
            {hours.map((hour) => (
              <Box key={hour} style={{ position: 'absolute', top: top(hour * 60), right: 6 }}>
                <Typography variant="pi" textColor="neutral600">{`${String(hour).padStart(2, '0')}:00`}</Typography>
              </Box>
            ))}
          </Box>
          {days.map((day) => {
            const nowAt = nowMinute(now, day, timeZone);
            return (
              <Fragment key={day}>
                {resources.map((resource, index) => {
                  const cells = slotCells(resource, day, span, timeZone, now);
                  const columnBlocks = byResource.get(resource.documentId) ?? [];
                  const placed = layoutColumn(columnBlocks, day, timeZone);
                  return (
                    <Box
                      key={`${day}:${resource.documentId}`}
                      style={{
                        flex: 1,
                        minWidth: columnWidth,
                        position: 'relative',
                        borderLeft: index === 0 ? '1px solid #c0c0cf' : '1px solid #eaeaef',
                      }}
                    >
                      {cells.map((cell) => {
                        const cellStart = new Date(cell.startAt).getTime();
                        const taken = columnBlocks.filter(
                          (block) =>
                            takesPlace(block, now) &&
                            new Date(block.startAt).getTime() < cellStart + 3_600_000 &&
                            new Date(block.endAt).getTime() > cellStart,
                        ).length;
                        const free = cell.open && !cell.past && taken < resource.capacity;
                        const clickable = canCreate && cell.open && !cell.past;
                        return (
                          <Box
                            key={cell.startAt}
                            {...(cell.open && !cell.past
                              ? { 'data-testid': 'calendar-slot', 'data-resource': resource.documentId, 'data-start': cell.startAt, 'data-free': String(free) }
                              : {})}
                            role={clickable ? 'button' : undefined}
                            tabIndex={clickable ? 0 : undefined}
                            aria-label={
                              clickable
                                ? formatMessage(
                                    { id: getTranslation('calendar.slot.aria'), defaultMessage: 'Book {resource} at {time}' },
                                    { resource: resource.name, time: formats.dateTime(cell.startAt) },
                                  )
                                : undefined
                            }
                            onClick={clickable ? () => onSlot({ resource, startAt: cell.startAt }) : undefined}
                            onKeyDown={
                              clickable
                                ? (event: React.KeyboardEvent) => {
                                    if (event.key === 'Enter' || event.key === ' ') onSlot({ resource, startAt: cell.startAt });
                                  }
                                : undefined
                            }
                            style={{
                              position: 'absolute',
                              top: top(cell.hour * 60),
                              left: 0,
                              right: 0,
                              height: HOUR_PX,
                              borderTop: '1px solid #eaeaef',
                              cursor: clickable ? 'pointer' : 'default',
                              background: cell.open
                                ? cell.past
                                  ? '#fafafb'
                                  : undefined
                                : 'repeating-linear-gradient(135deg, #f0f0f5, #f0f0f5 6px, #e6e6ee 6px, #e6e6ee 12px)',
                            }}
                          />
                        );
                      })}
                      {placed.map(({ block, startMinute, endMinute, lane, lanes, continuesBefore, continuesAfter }) => {
                        const style = STATE_STYLE[block.state] ?? STATE_STYLE.completed;
                        const blockHeight = Math.max(18, ((endMinute - startMinute) / 60) * HOUR_PX - 2);
                        return (
                          <Box
                            key={block.documentId}
                            data-testid="calendar-booking"
                            data-document-id={block.documentId}
                            data-state={block.state}
                            role="button"
                            tabIndex={0}
                            aria-label={`${block.member?.fullName ?? ''} ${formats.time(block.startAt)}–${formats.time(block.endAt)} ${stateLabel(formatMessage, block.state)}`}
                            onClick={() => onOpenBooking(block.documentId)}
                            onKeyDown={(event: React.KeyboardEvent) => {
                              if (event.key === 'Enter' || event.key === ' ') onOpenBooking(block.documentId);
                            }}
                            background={style.background}
                            borderColor={style.border}
                            hasRadius
                            padding={1}
                            style={{
                              position: 'absolute',
                              zIndex: 1,
                              top: Math.max(0, top(startMinute)) + 1,
                              height: blockHeight,
                              left: `calc(${(lane / lanes) * 100}% + 2px)`,
                              width: `calc(${100 / lanes}% - 4px)`,
                              overflow: 'hidden',
                              cursor: 'pointer',
                              borderWidth: 1,
                              borderLeftWidth: 4,
                              borderStyle: style.dashed ? 'dashed' : 'solid',
                              opacity: style.faded ? 0.75 : 1,
                              borderTopLeftRadius: continuesBefore ? 0 : undefined,
                              borderBottomLeftRadius: continuesAfter ? 0 : undefined,
                            }}
                          >
                            <Typography variant="pi" fontWeight="bold" textColor={style.text} ellipsis tag="div">
                              {block.member?.fullName || block.member?.phone || '—'}
                            </Typography>
                            {blockHeight > 30 && (
                              <Typography variant="pi" textColor={style.text} ellipsis tag="div">
                                {`${formats.time(block.startAt)}–${formats.time(block.endAt)}${block.tariff ? ` · ${block.tariff.name}` : ''}`}
                              </Typography>
                            )}
                          </Box>
                        );
                      })}
                      {nowAt !== null && nowAt >= span.startHour * 60 && nowAt <= span.endHour * 60 && (
                        <Box
                          data-testid="calendar-now"
                          aria-hidden
                          style={{ position: 'absolute', left: 0, right: 0, top: top(nowAt), height: 0, borderTop: '2px solid #d02b20', zIndex: 2, pointerEvents: 'none' }}
                        />
                      )}
                    </Box>
                  );
                })}
              </Fragment>
            );
          })}
        </Flex>
      </Box>
    </Box>
  );
};
