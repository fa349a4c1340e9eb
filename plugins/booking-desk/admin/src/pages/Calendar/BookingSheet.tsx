import { useEffect, useState } from 'react';
import { useIntl } from 'react-intl';
import { Link as RouterLink } from 'react-router-dom';
import { Badge, Box, Button, Divider, Flex, IconButton, Loader, Typography } from '@strapi/design-system';
import { Cross } from '@strapi/icons';
import { useAuth, useNotification } from '@strapi/strapi/admin';
import { cancellationRefund } from '../../../../../../src/domain/booking-state';
import { ActionDialog } from '../../components/ActionDialog';
import { getTranslation, PLUGIN_ID } from '../../pluginId';
import { availableActions, type BookingView, type StaffAction } from '../../staffActions';
import { stateLabel, stateVariant } from '../../stateLabels';
import type { StaffActionBody } from '../../useStaffAction';
import { useFormats } from './format';
import { useBookingAction, useBookingDetail } from './hooks';
import type { BookingDetail, RefundDue } from './types';

interface BookingSheetProps {
  documentId: string;
  timeZone: string;
  now: Date;
  onClose: () => void;
  /** After an action changed the booking: the grid reloads. */
  onChanged: () => void;
}

const Row = ({ label, children }: { label: string; children: React.ReactNode }) => (
  <Flex gap={2} alignItems="flex-start">
    <Box style={{ width: 120, flexShrink: 0 }}>
      <Typography variant="pi" textColor="neutral600">
        {label}
      </Typography>
    </Box>
    <Box style={{ minWidth: 0 }}>{typeof children === 'string' ? <Typography>{children}</Typography> : children}</Box>
  </Flex>
);

const toView = (booking: BookingDetail): BookingView => ({
  documentId: booking.documentId,
  state: booking.state,
  startAt: new Date(booking.startAt),
  endAt: new Date(booking.endAt),
  holdExpiresAt: booking.holdExpiresAt ? new Date(booking.holdExpiresAt) : null,
  priceTotal: booking.priceTotal,
  currency: booking.currency,
});

/** The right-side sheet of one booking: who, what, when, money and payments, and the staff actions. */
export const BookingSheet = ({ documentId, timeZone, now, onClose, onChanged }: BookingSheetProps) => {
  const { formatMessage } = useIntl();
  const formats = useFormats(timeZone);
  const { toggleNotification } = useNotification();
  const permissions = useAuth('BookingSheet', (state) => state.permissions);
  const { booking, error, loading, reload } = useBookingDetail(documentId);
  const { run, pending } = useBookingAction(documentId);
  const [dialog, setDialog] = useState<StaffAction | null>(null);
  /** The refund of a cancellation made here, as the server answered it (undefined: nothing cancelled yet). */
  const [refund, setRefund] = useState<RefundDue | null | undefined>(undefined);
  useEffect(() => {
    setRefund(undefined);
  }, [documentId]);

  const t = (id: string, defaultMessage: string, values?: Record<string, string | number>) =>
    formatMessage({ id: getTranslation(`calendar.sheet.${id}`), defaultMessage }, values);

  const granted = new Set(permissions.map((permission) => permission.action));
  const view = booking ? toView(booking) : null;
  const { offered, notes } = view ? availableActions(view, granted, now) : { offered: [], notes: [] };

  const act = async (action: StaffAction, body: StaffActionBody = {}) => {
    const outcome = await run(action, body);
    if (!outcome.ok) {
      toggleNotification({ type: 'danger', title: formatMessage(action.label), message: outcome.message });
      reload();
      return false;
    }
    toggleNotification({ type: 'success', message: `${formatMessage(action.label)}: ${t('done', 'done')}` });
    if (action.key === 'cancel') setRefund(outcome.refund);
    setDialog(null);
    reload();
    onChanged();
    return true;
  };

  const policyRefund =
    booking && booking.paidAmount > 0
      ? cancellationRefund({
          paidAmount: booking.paidAmount,
          startAt: new Date(booking.startAt),
          now,
          freeCancellationHours: booking.tariff?.freeCancellationHours ?? 24,
          lateCancellationRefundPercent: booking.tariff?.lateCancellationRefundPercent ?? 0,
        })
      : null;

  return (
    <Box
      data-testid="booking-sheet"
      role="dialog"
      aria-label={t('title', 'Booking')}
      background="neutral0"
      shadow="popupShadow"
      style={{ position: 'fixed', top: 0, right: 0, bottom: 0, width: 440, maxWidth: '100vw', zIndex: 10, overflowY: 'auto' }}
    >
      <Flex justifyContent="space-between" alignItems="center" padding={4} background="neutral100">
        <Typography variant="beta" tag="h2">
          {t('title', 'Booking')}
          {booking ? ` № ${booking.id}` : ''}
        </Typography>
        <IconButton label={t('close', 'Close')} onClick={onClose} variant="ghost">
          <Cross />
        </IconButton>
      </Flex>

      <Box padding={4}>
        {loading && !booking && <Loader small>{t('loading', 'Loading the booking…')}</Loader>}
        {error && (
          <Typography textColor="danger600">
            {error.status === 404 ? t('notFound', 'There is no such booking (it may have been deleted).') : error.message}
          </Typography>
        )}
        {booking && (
          <Flex direction="column" alignItems="stretch" gap={3}>
            <Flex gap={2} alignItems="center">
              <Badge variant={stateVariant(booking.state)}>{stateLabel(formatMessage, booking.state)}</Badge>
              {booking.source === 'admin' && <Badge>{t('byStaff', 'made by staff')}</Badge>}
            </Flex>
            <Row label={t('member', 'Member')}>
              {booking.member ? (
                <Flex direction="column" alignItems="flex-start" gap={1}>
                  <RouterLink to={`/plugins/${PLUGIN_ID}/members/${booking.member.documentId}`} data-testid="booking-member-link">
                    <Typography textColor="primary600" fontWeight="bold">
                      {booking.member.fullName || booking.member.phone || booking.member.documentId}
                    </Typography>
                  </RouterLink>
                  {booking.member.phone && <Typography variant="pi">{booking.member.phone}</Typography>}
                  {booking.member.telegramUsername && <Typography variant="pi">@{booking.member.telegramUsername}</Typography>}
                  {booking.member.isBanned && <Badge variant="danger">{t('banned', 'banned')}</Badge>}
                </Flex>
              ) : (
                '—'
              )}
            </Row>
            <Row label={t('resource', 'Resource')}>{booking.resource?.name ?? '—'}</Row>
            <Row label={t('tariff', 'Tariff')}>{booking.tariff?.name ?? '—'}</Row>
            <Row label={t('time', 'Time')}>{`${formats.interval(booking.startAt, booking.endAt)} (${timeZone})`}</Row>
            {booking.state === 'pending_payment' && booking.holdExpiresAt && (
              <Row label={t('holdUntil', 'Held until')}>{formats.dateTime(booking.holdExpiresAt)}</Row>
            )}
            <Divider />
            <Row label={t('price', 'Price')}>
              <Flex direction="column" alignItems="flex-start" gap={1}>
                <Typography fontWeight="bold">{formats.money(booking.priceTotal, booking.currency)}</Typography>
                {(booking.discounts ?? []).map((line) => (
                  <Typography key={`${line.kind}:${line.label}`} variant="pi" textColor="neutral600">
                    {`${line.label}: −${formats.money(line.amount, booking.currency)}`}
                  </Typography>
                ))}
                {booking.promocode && <Typography variant="pi">{t('promocode', 'Promo code {code}', { code: booking.promocode.code })}</Typography>}
              </Flex>
            </Row>
            <Row label={t('paid', 'Paid')}>{formats.money(booking.paidAmount, booking.currency)}</Row>
            <Row label={t('payments', 'Payments')}>
              {booking.payments.length === 0 ? (
                <Typography textColor="neutral600">{t('noPayments', 'none')}</Typography>
              ) : (
                <Flex direction="column" alignItems="flex-start" gap={1}>
                  {booking.payments.map((payment) => (
                    <Box key={payment.documentId}>
                      <Typography variant="pi">
                        {`${formats.money(payment.amount, payment.currency)} · ${payment.provider === 'manual' ? t('manual', 'at the desk') : payment.provider} · ${formatMessage({ id: `booking-desk.members.payment.state.${payment.state}`, defaultMessage: payment.state })}`}
                        {payment.paidAt ? ` · ${formats.dateTime(payment.paidAt)}` : ''}
                      </Typography>
                      {(payment.refunds ?? []).map((item) => (
                        <Typography key={item.documentId} variant="pi" textColor="neutral600" tag="div">
                          {`↩ ${formats.money(item.amount, payment.currency)} · ${formatMessage({ id: `booking-desk.members.refund.state.${item.state}`, defaultMessage: item.state })}${item.reason ? ` · ${item.reason}` : ''}`}
                        </Typography>
                      ))}
                    </Box>
                  ))}
                </Flex>
              )}
            </Row>
            {booking.comment && <Row label={t('comment', 'Comment')}>{booking.comment}</Row>}
            {booking.cancelReason && <Row label={t('cancelReason', 'Reason')}>{booking.cancelReason}</Row>}
            {booking.confirmedBy && <Row label={t('confirmedBy', 'Confirmed by')}>{booking.confirmedBy}</Row>}
            {booking.cancelledBy && <Row label={t('cancelledBy', 'Cancelled by')}>{booking.cancelledBy}</Row>}

            {refund !== undefined && (
              <Box data-testid="booking-refund" padding={3} background={refund ? 'success100' : 'neutral100'} hasRadius>
                <Typography fontWeight="bold">
                  {refund
                    ? t('refundDone', 'Refund {amount} recorded ({policy}); it is pending until the money is returned.', {
                        amount: formats.money(refund.amount, refund.currency),
                        policy: refund.policy === 'full' ? t('policyFull', 'in full') : t('policyPartial', 'partial'),
                      })
                    : t('refundNone', 'Cancelled without a refund.')}
                </Typography>
              </Box>
            )}

            {policyRefund && offered.some((action) => action.key === 'cancel') && (
              <Typography variant="pi" textColor="neutral600" data-testid="booking-policy-refund">
                {t('policyRefund', 'If cancelled now, the tariff policy refunds {amount} of {paid}.', {
                  amount: formats.money(policyRefund.refundAmount, booking.currency),
                  paid: formats.money(booking.paidAmount, booking.currency),
                })}
              </Typography>
            )}

            <Divider />
            <Flex direction="column" alignItems="stretch" gap={2}>
              {offered.map((action) => (
                <Button
                  key={action.key}
                  variant={action.variant}
                  fullWidth
                  loading={pending === action.key}
                  disabled={pending !== null}
                  data-testid={`booking-action-${action.key}`}
                  onClick={() => (action.dialog ? setDialog(action) : void act(action))}
                >
                  {formatMessage(action.label)}
                </Button>
              ))}
              {offered.length === 0 && (
                <Typography variant="pi" textColor="neutral600">
                  {t('noActions', 'No staff action is possible on this booking now.')}
                </Typography>
              )}
              {notes.map((note) => (
                <Typography key={note} variant="pi" textColor="neutral600">
                  {note}
                </Typography>
              ))}
            </Flex>
          </Flex>
        )}
      </Box>

      {dialog && view && (
        <ActionDialog
          action={dialog}
          booking={view}
          busy={pending === dialog.key}
          onClose={() => setDialog(null)}
          onSubmit={(body) => void act(dialog, body)}
        />
      )}
    </Box>
  );
};
