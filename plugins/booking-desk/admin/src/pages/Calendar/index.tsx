/**
 * The bookings calendar (booking desk): a day or week grid of bookings per resource, filters, a side sheet
 * with a booking's details and staff actions, and staff bookings from a free slot. The URL holds the state:
 * `?view=day|week&date=YYYY-MM-DD&booking=<documentId>&resource=&tariff=&member=` (staff alerts link to
 * `?booking=`). docs/ADMIN.md, Bookings calendar.
 */
import { useCallback, useEffect, useMemo, useState, type ChangeEvent } from 'react';
import { useIntl } from 'react-intl';
import { useSearchParams } from 'react-router-dom';
import { Box, Button, Flex, Loader, SingleSelect, SingleSelectOption, Tag, TextInput, Typography } from '@strapi/design-system';
import { ChevronLeft, ChevronRight, Cross } from '@strapi/icons';
import { Layouts, Page, useAuth, useNotification } from '@strapi/strapi/admin';
import { BOOKING_STATES } from '../../../../../../src/domain/booking-state';
import { getTranslation, PLUGIN_ID } from '../../pluginId';
import { stateLabel } from '../../stateLabels';
import { BookingSheet } from './BookingSheet';
import { CalendarGrid } from './CalendarGrid';
import { CreateBookingDialog } from './CreateBookingDialog';
import { STATE_STYLE, useFormats } from './format';
import { dateOrToday, rangeOf, shiftDate, viewDays, type CalendarView } from './grid';
import { useCalendarData, useMemberSearch, useNow } from './hooks';
import type { CalendarResource, CreateAnswer } from './types';

const DEFAULT_TIME_ZONE = 'Europe/Moscow';
const ALL = '__all__';
const DOCUMENT_ID = /^[a-z0-9]{24}$/;

const permission = (uid: string) => `plugin::${PLUGIN_ID}.${uid}`;

/** A query parameter that must be a documentId (anything else is ignored). */
const idParam = (params: URLSearchParams, name: string) => {
  const value = params.get(name);
  return value && DOCUMENT_ID.test(value) ? value : undefined;
};

const CalendarPage = () => {
  const { formatMessage } = useIntl();
  const { toggleNotification } = useNotification();
  const t = (id: string, defaultMessage: string, values?: Record<string, string | number>) =>
    formatMessage({ id: getTranslation(`calendar.${id}`), defaultMessage }, values);
  const [params, setParams] = useSearchParams();
  const now = useNow();
  const permissions = useAuth('CalendarPage', (state) => state.permissions);
  const granted = useMemo(() => new Set(permissions.map((item) => item.action)), [permissions]);
  const canCreate = granted.has(permission('bookings.create'));
  const canMarkPaid = granted.has(permission('mark-paid'));

  // The time zone comes with the answers (SPACE_TIMEZONE); until the first one, the server's default.
  const [lastTimeZone, setLastTimeZone] = useState(DEFAULT_TIME_ZONE);
  const timeZone = lastTimeZone;
  const view: CalendarView = params.get('view') === 'week' ? 'week' : 'day';
  const date = dateOrToday(params.get('date'), now, timeZone);
  const bookingParam = idParam(params, 'booking');
  const filters = { resource: idParam(params, 'resource'), tariff: idParam(params, 'tariff'), member: idParam(params, 'member') };
  const days = useMemo(() => viewDays(view, date), [view, date]);
  const { answer, error, loading, reload } = useCalendarData({ ...rangeOf(days), ...filters });
  useEffect(() => {
    if (answer && answer.meta.timeZone !== lastTimeZone) setLastTimeZone(answer.meta.timeZone);
  }, [answer, lastTimeZone]);
  const formats = useFormats(timeZone);

  const [slot, setSlot] = useState<{ resource: CalendarResource; startAt: string } | null>(null);
  const [memberSearch, setMemberSearch] = useState('');
  const { members: memberOptions } = useMemberSearch(memberSearch);

  const update = useCallback(
    (changes: Record<string, string | undefined>) => {
      setParams(
        (current) => {
          const next = new URLSearchParams(current);
          for (const [key, value] of Object.entries(changes)) {
            if (value === undefined || value === '') next.delete(key);
            else next.set(key, value);
          }
          return next;
        },
        { replace: false },
      );
    },
    [setParams],
  );

  const memberName =
    filters.member &&
    (answer?.data.blocks.find((block) => block.member?.documentId === filters.member)?.member?.fullName ??
      memberOptions.find((option) => option.documentId === filters.member)?.fullName ??
      filters.member);

  const onCreated = (created: CreateAnswer) => {
    setSlot(null);
    reload();
    const parts = [t('created', 'The booking is made: {state}.', { state: stateLabel(formatMessage, created.data.status).toLowerCase() })];
    if (created.meta.paymentLink?.notification === 'queued') parts.push(t('linkQueued', 'The payment link goes to the member in Telegram.'));
    if (created.meta.paymentLink?.notification === 'no_telegram') parts.push(t('linkNoTelegram', 'The member has no Telegram: give them the link yourself.'));
    if (created.meta.markPaidError) parts.push(created.meta.markPaidError);
    toggleNotification({ type: created.meta.markPaidError ? 'warning' : 'success', message: parts.join(' ') });
  };

  const title = view === 'day' ? formats.longDay(date) : `${formats.day(days[0])} – ${formats.day(days[days.length - 1])}`;

  return (
    <Page.Main>
      <Page.Title>{t('title', 'Bookings calendar')}</Page.Title>
      <Layouts.Header
        title={t('title', 'Bookings calendar')}
        subtitle={t('subtitle', 'Times in {timeZone}. Click a booking for details, a free hour to book it for a member.', { timeZone })}
      />
      <Layouts.Content>
        <Flex direction="column" alignItems="stretch" gap={4}>
          {/* Navigation and view */}
          <Flex gap={2} wrap="wrap" alignItems="center" justifyContent="space-between">
            <Flex gap={2} alignItems="center">
              <Button variant="tertiary" startIcon={<ChevronLeft />} onClick={() => update({ date: shiftDate(view, date, -1) })} data-testid="calendar-prev">
                {t('prev', 'Previous')}
              </Button>
              <Button variant="secondary" onClick={() => update({ date: undefined })} data-testid="calendar-today">
                {t('today', 'Today')}
              </Button>
              <Button variant="tertiary" endIcon={<ChevronRight />} onClick={() => update({ date: shiftDate(view, date, 1) })} data-testid="calendar-next">
                {t('next', 'Next')}
              </Button>
              <Typography variant="delta" tag="h2" data-testid="calendar-title">
                {title}
              </Typography>
              {loading && <Loader small>{t('loading', 'Loading…')}</Loader>}
            </Flex>
            <Flex gap={1}>
              {(['day', 'week'] as const).map((option) => (
                <Button
                  key={option}
                  variant={view === option ? 'default' : 'tertiary'}
                  onClick={() => update({ view: option === 'day' ? undefined : option, date })}
                  data-testid={`calendar-view-${option}`}
                >
                  {option === 'day' ? t('view.day', 'Day') : t('view.week', 'Week')}
                </Button>
              ))}
            </Flex>
          </Flex>

          {/* Filters */}
          <Flex gap={3} wrap="wrap" alignItems="flex-end">
            <Box style={{ minWidth: 200 }}>
              <SingleSelect
                aria-label={t('filter.resource', 'Resource')}
                value={filters.resource ?? ALL}
                onChange={(value) => update({ resource: value === ALL ? undefined : String(value) })}
                data-testid="calendar-filter-resource"
              >
                <SingleSelectOption value={ALL}>{t('filter.allResources', 'All resources')}</SingleSelectOption>
                {(answer?.data.resources ?? []).map((resource) => (
                  <SingleSelectOption key={resource.documentId} value={resource.documentId}>
                    {resource.name}
                  </SingleSelectOption>
                ))}
              </SingleSelect>
            </Box>
            <Box style={{ minWidth: 200 }}>
              <SingleSelect
                aria-label={t('filter.tariff', 'Tariff')}
                value={filters.tariff ?? ALL}
                onChange={(value) => update({ tariff: value === ALL ? undefined : String(value) })}
                data-testid="calendar-filter-tariff"
              >
                <SingleSelectOption value={ALL}>{t('filter.allTariffs', 'All tariffs')}</SingleSelectOption>
                {(answer?.data.tariffs ?? []).map((tariff) => (
                  <SingleSelectOption key={tariff.documentId} value={tariff.documentId}>
                    {tariff.name}
                  </SingleSelectOption>
                ))}
              </SingleSelect>
            </Box>
            <Box style={{ minWidth: 240, position: 'relative' }}>
              {filters.member ? (
                <Tag icon={<Cross />} onClick={() => update({ member: undefined })} label={t('filter.clearMember', 'Show all members')}>
                  {t('filter.memberIs', 'Member: {name}', { name: memberName ?? '' })}
                </Tag>
              ) : (
                <>
                  <TextInput
                    aria-label={t('filter.member', 'Member')}
                    placeholder={t('filter.memberPlaceholder', 'Filter by member: name or phone')}
                    value={memberSearch}
                    onChange={(event: ChangeEvent<HTMLInputElement>) => setMemberSearch(event.target.value)}
                    data-testid="calendar-filter-member"
                  />
                  {memberOptions.length > 0 && (
                    <Box position="absolute" background="neutral0" shadow="popupShadow" hasRadius padding={1} style={{ zIndex: 5, left: 0, right: 0 }}>
                      {memberOptions.slice(0, 8).map((option) => (
                        <Box
                          key={option.documentId}
                          padding={2}
                          role="button"
                          tabIndex={0}
                          style={{ cursor: 'pointer' }}
                          onClick={() => {
                            setMemberSearch('');
                            update({ member: option.documentId });
                          }}
                        >
                          <Typography>{option.fullName || option.documentId}</Typography>
                          <Typography variant="pi" textColor="neutral600">{` ${option.phone ?? ''}`}</Typography>
                        </Box>
                      ))}
                    </Box>
                  )}
                </>
              )}
            </Box>
          </Flex>

          {/* Legend */}
          <Flex gap={3} wrap="wrap" data-testid="calendar-legend">
            {BOOKING_STATES.map((state) => (
              <Flex key={state} gap={1} alignItems="center">
                <Box
                  background={STATE_STYLE[state].background}
                  borderColor={STATE_STYLE[state].border}
                  style={{ width: 14, height: 14, borderWidth: 1, borderLeftWidth: 4, borderStyle: STATE_STYLE[state].dashed ? 'dashed' : 'solid' }}
                />
                <Typography variant="pi">{stateLabel(formatMessage, state)}</Typography>
              </Flex>
            ))}
            <Flex gap={1} alignItems="center">
              <Box style={{ width: 14, height: 14, background: 'repeating-linear-gradient(135deg, #f0f0f5, #f0f0f5 3px, #e6e6ee 3px, #e6e6ee 6px)' }} />
              <Typography variant="pi">{t('legend.closed', 'Closed')}</Typography>
            </Flex>
            <Flex gap={1} alignItems="center">
              <Box style={{ width: 14, height: 0, borderTop: '2px solid #d02b20' }} />
              <Typography variant="pi">{t('legend.now', 'Now')}</Typography>
            </Flex>
          </Flex>

          {error && (
            <Box padding={4} background="danger100" hasRadius>
              <Typography textColor="danger700">{error}</Typography>
            </Box>
          )}
          {answer?.meta.truncated && (
            <Typography textColor="warning700">{t('truncated', 'Too many bookings to show at once: narrow the filters.')}</Typography>
          )}
          {!answer && loading ? (
            <Loader>{t('loading', 'Loading…')}</Loader>
          ) : (
            answer && (
              <CalendarGrid
                view={view}
                days={days}
                resources={answer.data.resources}
                blocks={answer.data.blocks}
                timeZone={timeZone}
                now={now}
                canCreate={canCreate}
                onOpenBooking={(documentId) => update({ booking: documentId })}
                onSlot={setSlot}
              />
            )
          )}
        </Flex>
      </Layouts.Content>

      {bookingParam && (
        <BookingSheet
          documentId={bookingParam}
          timeZone={timeZone}
          now={now}
          onClose={() => update({ booking: undefined })}
          onChanged={reload}
        />
      )}
      {slot && answer && (
        <CreateBookingDialog
          resource={slot.resource}
          startAt={slot.startAt}
          tariffs={answer.data.tariffs}
          timeZone={timeZone}
          canMarkPaid={canMarkPaid}
          onClose={() => setSlot(null)}
          onCreated={onCreated}
        />
      )}
    </Page.Main>
  );
};

const ProtectedCalendarPage = () => (
  <Page.Protect permissions={[{ action: permission('calendar.read'), subject: null }]}>
    <CalendarPage />
  </Page.Protect>
);

export default ProtectedCalendarPage;
