import { useId, useMemo, useState, type ChangeEvent } from 'react';
import { useIntl, type MessageDescriptor } from 'react-intl';
import { Button, DateTimePicker, Field, Flex, Modal, NumberInput, Radio, Textarea, Typography } from '@strapi/design-system';
import { getTranslation } from '../pluginId';
import type { BookingView, RefundChoice, StaffAction, StaffActionKey } from '../staffActions';
import { toIsoWithOffset } from '../time';
import type { StaffActionBody } from '../useStaffAction';

/** The server accepts at most this many characters of reason. */
const REASON_MAX = 500;

/** What each action with a dialog does (Confirm runs on click and has none). */
const DESCRIPTIONS: { readonly [K in StaffActionKey]?: MessageDescriptor } = {
  reject: {
    id: getTranslation('dialog.reject.description'),
    defaultMessage: 'The request is rejected and its promo code, if any, is given back. The member sees the reason.',
  },
  markPaid: {
    id: getTranslation('dialog.markPaid.description'),
    defaultMessage: 'Records a manual payment of {amount} taken at the desk and confirms the booking.',
  },
  cancel: {
    id: getTranslation('dialog.cancel.description'),
    defaultMessage: 'The booking is cancelled at once. Refunds are recorded as pending against its payments.',
  },
  reschedule: {
    id: getTranslation('dialog.reschedule.description'),
    defaultMessage: 'Moves the booking, with the same tariff, resource and units, to another free time.',
  },
  correctPrice: {
    id: getTranslation('dialog.price.description'),
    defaultMessage:
      'The booking now costs {amount}. Set a new total, or re-price it by its tariff and promo code. Only while nothing has been paid; the correction is kept in the audit log.',
  },
};

type PriceMode = 'total' | 'reprice';

const REFUND_CHOICES: readonly { value: RefundChoice; label: MessageDescriptor }[] = [
  {
    value: 'full',
    label: { id: getTranslation('dialog.refund.full'), defaultMessage: 'Full refund: return everything paid' },
  },
  {
    value: 'policy',
    label: {
      id: getTranslation('dialog.refund.policy'),
      defaultMessage: 'Tariff policy: refund as if the member cancelled now',
    },
  },
  { value: 'none', label: { id: getTranslation('dialog.refund.none'), defaultMessage: 'No refund' } },
];

interface ActionDialogProps {
  action: StaffAction;
  booking: BookingView;
  busy: boolean;
  onClose: () => void;
  onSubmit: (body: StaffActionBody) => void;
}

/** Asks what the action needs (reason, refund, new start) and hands the request body to `onSubmit`. */
export const ActionDialog = ({ action, booking, busy, onClose, onSubmit }: ActionDialogProps) => {
  const { formatMessage, formatNumber } = useIntl();
  const refundLabelId = useId();
  const description = DESCRIPTIONS[action.key];
  const fields = action.dialog ?? { reason: false, refund: false, startAt: false };
  const [reason, setReason] = useState('');
  const [refund, setRefund] = useState<RefundChoice>('full');
  const [startAt, setStartAt] = useState<Date | null>(booking.startAt);
  const [priceMode, setPriceMode] = useState<PriceMode>('total');
  const [rubles, setRubles] = useState<number | undefined>(booking.priceTotal != null ? booking.priceTotal / 100 : undefined);
  const priceModeLabelId = useId();
  const timeZone = useMemo(() => Intl.DateTimeFormat().resolvedOptions().timeZone, []);

  const amount =
    booking.priceTotal != null && booking.currency
      ? formatNumber(booking.priceTotal / 100, { style: 'currency', currency: booking.currency })
      : formatMessage({ id: getTranslation('dialog.markPaid.total'), defaultMessage: "the booking's total" });

  const startMissing = fields.startAt && (!startAt || Number.isNaN(startAt.getTime()));
  const startUnchanged = fields.startAt && startAt?.getTime() === booking.startAt.getTime();
  // The price correction needs a reason and, for a new total, a sum of rubles and kopecks that is not negative.
  const kopecks = rubles === undefined ? null : Math.round(rubles * 100);
  const priceInvalid =
    Boolean(fields.price) && (reason.trim() === '' || (priceMode === 'total' && (kopecks === null || kopecks < 0 || kopecks > 2_147_483_647)));

  const submit = () => {
    const body: StaffActionBody = {};
    const trimmed = reason.trim();
    if (fields.reason && trimmed) body.reason = trimmed;
    if (fields.refund) body.refund = refund;
    if (fields.startAt && startAt) body.startAt = toIsoWithOffset(startAt);
    if (fields.price && priceMode === 'reprice') body.reprice = true;
    if (fields.price && priceMode === 'total' && kopecks !== null) body.priceTotal = kopecks;
    onSubmit(body);
  };

  return (
    <Modal.Root open onOpenChange={(open) => !open && !busy && onClose()}>
      <Modal.Content>
        <Modal.Header>
          <Modal.Title>{formatMessage(action.label)}</Modal.Title>
        </Modal.Header>
        <Modal.Body>
          <Flex direction="column" alignItems="stretch" gap={5}>
            {description && <Typography>{formatMessage(description, { amount })}</Typography>}

            {fields.startAt && (
              <Field.Root
                name="startAt"
                required
                hint={formatMessage(
                  {
                    id: getTranslation('dialog.startAt.hint'),
                    defaultMessage: 'In your time zone ({timeZone}). The booking keeps its length.',
                  },
                  { timeZone },
                )}
                error={
                  startMissing
                    ? formatMessage({ id: getTranslation('dialog.startAt.missing'), defaultMessage: 'Choose the new start.' })
                    : undefined
                }
              >
                <Field.Label>
                  {formatMessage({ id: getTranslation('dialog.startAt.label'), defaultMessage: 'New start' })}
                </Field.Label>
                <DateTimePicker
                  value={startAt}
                  onChange={(date) => setStartAt(date ?? null)}
                  onClear={() => setStartAt(null)}
                  clearLabel={formatMessage({ id: getTranslation('dialog.startAt.clear'), defaultMessage: 'Clear' })}
                  minDate={new Date()}
                  step={15}
                />
                <Field.Hint />
                <Field.Error />
              </Field.Root>
            )}

            {fields.price && (
              <Flex direction="column" alignItems="stretch" gap={3}>
                <Typography id={priceModeLabelId} variant="pi" fontWeight="bold">
                  {formatMessage({ id: getTranslation('dialog.price.mode'), defaultMessage: 'Correction' })}
                </Typography>
                <Radio.Group aria-labelledby={priceModeLabelId} value={priceMode} onValueChange={(value) => setPriceMode(value as PriceMode)}>
                  <Radio.Item value="total">
                    {formatMessage({ id: getTranslation('dialog.price.total'), defaultMessage: 'New total (an override, recorded as such)' })}
                  </Radio.Item>
                  <Radio.Item value="reprice">
                    {formatMessage({ id: getTranslation('dialog.price.reprice'), defaultMessage: 'Re-price by the tariff and promo code' })}
                  </Radio.Item>
                </Radio.Group>
                {priceMode === 'total' && (
                  <Field.Root
                    name="priceTotal"
                    required
                    hint={formatMessage({ id: getTranslation('dialog.price.hint'), defaultMessage: 'In rubles, e.g. 1500 or 1499.50.' })}
                  >
                    <Field.Label>
                      {formatMessage(
                        { id: getTranslation('dialog.price.label'), defaultMessage: 'New total, {currency}' },
                        { currency: booking.currency ?? 'RUB' },
                      )}
                    </Field.Label>
                    <NumberInput value={rubles} step={0.01} onValueChange={(value) => setRubles(value)} />
                    <Field.Hint />
                  </Field.Root>
                )}
              </Flex>
            )}

            {fields.refund && (
              <Flex direction="column" alignItems="stretch" gap={2}>
                <Typography id={refundLabelId} variant="pi" fontWeight="bold">
                  {formatMessage({ id: getTranslation('dialog.refund.label'), defaultMessage: 'Refund' })}
                </Typography>
                <Radio.Group
                  aria-labelledby={refundLabelId}
                  value={refund}
                  onValueChange={(value) => setRefund(value as RefundChoice)}
                >
                  {REFUND_CHOICES.map((choice) => (
                    <Radio.Item key={choice.value} value={choice.value}>
                      {formatMessage(choice.label)}
                    </Radio.Item>
                  ))}
                </Radio.Group>
              </Flex>
            )}

            {fields.reason && (
              <Field.Root
                name="reason"
                required={Boolean(fields.price)}
                hint={
                  fields.price
                    ? formatMessage({
                        id: getTranslation('dialog.price.reasonHint'),
                        defaultMessage: "Required. Kept in the booking's audit log. At most 500 characters.",
                      })
                    : action.key === 'reject' || action.key === 'cancel'
                    ? formatMessage({
                        id: getTranslation('dialog.reason.hintMember'),
                        defaultMessage: 'Optional. The member sees it. At most 500 characters.',
                      })
                    : formatMessage({
                        id: getTranslation('dialog.reason.hintAudit'),
                        defaultMessage: "Optional. Kept in the booking's audit log. At most 500 characters.",
                      })
                }
              >
                <Field.Label>
                  {formatMessage({ id: getTranslation('dialog.reason.label'), defaultMessage: 'Reason' })}
                </Field.Label>
                <Textarea
                  value={reason}
                  maxLength={REASON_MAX}
                  onChange={(event: ChangeEvent<HTMLTextAreaElement>) => setReason(event.target.value)}
                />
                <Field.Hint />
              </Field.Root>
            )}
          </Flex>
        </Modal.Body>
        <Modal.Footer>
          <Modal.Close>
            <Button variant="tertiary" disabled={busy}>
              {formatMessage({ id: getTranslation('dialog.back'), defaultMessage: 'Back' })}
            </Button>
          </Modal.Close>
          <Button
            variant={action.variant === 'danger-light' ? 'danger' : 'default'}
            loading={busy}
            disabled={startMissing || startUnchanged || priceInvalid}
            onClick={submit}
          >
            {formatMessage(action.label)}
          </Button>
        </Modal.Footer>
      </Modal.Content>
    </Modal.Root>
  );
};
