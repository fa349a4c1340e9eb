import { useMemo, useState, type ChangeEvent } from 'react';
import { useIntl } from 'react-intl';
import {
  Box,
  Button,
  Checkbox,
  Field,
  Flex,
  Loader,
  Modal,
  NumberInput,
  SingleSelect,
  SingleSelectOption,
  Textarea,
  TextInput,
  Typography,
} from '@strapi/design-system';
import { getTranslation } from '../../pluginId';
import { stateLabel } from '../../stateLabels';
import { useFormats } from './format';
import { useCreateBooking, useMemberSearch, useQuote } from './hooks';
import type { CalendarResource, CalendarTariff, CreateAnswer, MemberOption } from './types';

interface CreateBookingDialogProps {
  resource: CalendarResource;
  startAt: string;
  tariffs: CalendarTariff[];
  timeZone: string;
  canMarkPaid: boolean;
  onClose: () => void;
  onCreated: (answer: CreateAnswer) => void;
}

const COMMENT_MAX = 1000;

/** A booking for a member from a free slot: member, tariff, units, the price preview, and how it is paid. */
export const CreateBookingDialog = ({ resource, startAt, tariffs, timeZone, canMarkPaid, onClose, onCreated }: CreateBookingDialogProps) => {
  const { formatMessage } = useIntl();
  const formats = useFormats(timeZone);
  const t = (id: string, defaultMessage: string, values?: Record<string, string | number>) =>
    formatMessage({ id: getTranslation(`calendar.create.${id}`), defaultMessage }, values);

  // Tariffs members can book that take this resource.
  const fitting = useMemo(() => tariffs.filter((tariff) => tariff.isPublic && tariff.resources.includes(resource.documentId)), [tariffs, resource]);
  const [search, setSearch] = useState('');
  const [member, setMember] = useState<MemberOption | null>(null);
  const [tariffId, setTariffId] = useState<string>(fitting[0]?.documentId ?? '');
  const tariff = fitting.find((candidate) => candidate.documentId === tariffId) ?? null;
  const [units, setUnits] = useState<number>(fitting[0]?.minUnits ?? 1);
  const [markPaid, setMarkPaid] = useState(false);
  const [sendLink, setSendLink] = useState(false);
  const [comment, setComment] = useState('');
  const [failure, setFailure] = useState<string | null>(null);

  const { members, loading: searching, error: searchError } = useMemberSearch(member ? '' : search);
  const unitsValid = tariff !== null && Number.isInteger(units) && units >= tariff.minUnits && units <= tariff.maxUnits;
  const { quote, error: quoteError, loading: quoting } = useQuote(
    tariff && unitsValid ? { tariff: tariff.documentId, resource: resource.documentId, startAt, units, ...(member ? { member: member.documentId } : {}) } : null,
  );
  const { create, pending } = useCreateBooking();

  const chooseTariff = (value: string | number) => {
    const next = fitting.find((candidate) => candidate.documentId === String(value));
    setTariffId(String(value));
    if (next) setUnits(Math.min(Math.max(units, next.minUnits), next.maxUnits));
  };

  const submit = async () => {
    if (!member || !tariff) return;
    setFailure(null);
    const outcome = await create({
      member: member.documentId,
      tariff: tariff.documentId,
      resource: resource.documentId,
      startAt,
      units,
      ...(markPaid ? { markPaid: true } : {}),
      ...(sendLink ? { sendPaymentLink: true } : {}),
      ...(comment.trim() ? { comment: comment.trim() } : {}),
    });
    if (outcome.ok) onCreated(outcome.answer);
    else if (outcome.message) setFailure(outcome.message);
  };

  const unitLabel = (count: number) =>
    tariff?.billingUnit === 'day'
      ? t('unit.day', '{count, plural, one {# day} other {# days}}', { count })
      : tariff?.billingUnit === 'month'
        ? t('unit.month', '{count, plural, one {# month} other {# months}}', { count })
        : t('unit.hour', '{count, plural, one {# hour} other {# hours}}', { count });

  return (
    <Modal.Root open onOpenChange={(open: boolean) => !open && !pending && onClose()}>
      <Modal.Content data-testid="create-booking-dialog">
        <Modal.Header>
          <Modal.Title>{t('title', 'New booking')}</Modal.Title>
        </Modal.Header>
        <Modal.Body>
          <Flex direction="column" alignItems="stretch" gap={4}>
            <Typography>
              {t('where', '{resource}, from {start}', { resource: resource.name, start: formats.dateTime(startAt) })}
            </Typography>

            <Field.Root name="member" required error={searchError ?? undefined}>
              <Field.Label>{t('member', 'Member')}</Field.Label>
              {member ? (
                <Flex gap={2} alignItems="center" justifyContent="space-between" padding={2} background="neutral100" hasRadius>
                  <Box>
                    <Typography fontWeight="bold" tag="div">
                      {member.fullName || member.phone || member.documentId}
                    </Typography>
                    <Typography variant="pi" textColor="neutral600">
                      {[member.phone, member.telegramUsername ? `@${member.telegramUsername}` : null].filter(Boolean).join(' · ')}
                    </Typography>
                  </Box>
                  <Button variant="tertiary" size="S" onClick={() => setMember(null)}>
                    {t('change', 'Change')}
                  </Button>
                </Flex>
              ) : (
                <>
                  <TextInput
                    data-testid="create-booking-member"
                    placeholder={t('memberPlaceholder', 'Name, phone or @username')}
                    value={search}
                    autoComplete="off"
                    onChange={(event: ChangeEvent<HTMLInputElement>) => setSearch(event.target.value)}
                  />
                  <Field.Error />
                  <Flex direction="column" alignItems="stretch" gap={1} paddingTop={1}>
                    {searching && <Loader small>{t('searching', 'Searching…')}</Loader>}
                    {!searching && search.trim().length >= 2 && members.length === 0 && !searchError && (
                      <Typography variant="pi" textColor="neutral600">
                        {t('noMembers', 'No member found.')}
                      </Typography>
                    )}
                    {members.slice(0, 8).map((option) => (
                      <Box
                        key={option.documentId}
                        data-testid="create-booking-member-option"
                        data-document-id={option.documentId}
                        role="button"
                        tabIndex={0}
                        padding={2}
                        hasRadius
                        background="neutral0"
                        borderColor="neutral200"
                        style={{ cursor: 'pointer' }}
                        onClick={() => setMember(option)}
                        onKeyDown={(event: React.KeyboardEvent) => {
                          if (event.key === 'Enter' || event.key === ' ') setMember(option);
                        }}
                      >
                        <Typography fontWeight="bold">{option.fullName || option.documentId}</Typography>
                        <Typography variant="pi" textColor="neutral600">
                          {` ${[option.phone, option.telegramUsername ? `@${option.telegramUsername}` : null].filter(Boolean).join(' · ')}`}
                        </Typography>
                      </Box>
                    ))}
                  </Flex>
                </>
              )}
            </Field.Root>

            {fitting.length === 0 ? (
              <Typography textColor="danger600">{t('noTariff', 'No active public tariff books this resource.')}</Typography>
            ) : (
              <Field.Root name="tariff" required>
                <Field.Label>{t('tariff', 'Tariff')}</Field.Label>
                <SingleSelect value={tariffId} onChange={chooseTariff} data-testid="create-booking-tariff">
                  {fitting.map((option) => (
                    <SingleSelectOption key={option.documentId} value={option.documentId}>
                      {`${option.name} · ${formats.money(option.price)} / ${
                        option.billingUnit === 'hour' ? t('per.hour', 'hour') : option.billingUnit === 'day' ? t('per.day', 'day') : t('per.month', 'month')
                      }`}
                    </SingleSelectOption>
                  ))}
                </SingleSelect>
              </Field.Root>
            )}

            {tariff && (
              <Field.Root
                name="units"
                required
                hint={t('unitsHint', 'From {min} to {max}.', { min: unitLabel(tariff.minUnits), max: unitLabel(tariff.maxUnits) })}
                error={unitsValid ? undefined : t('unitsInvalid', 'Choose between {min} and {max}.', { min: tariff.minUnits, max: tariff.maxUnits })}
              >
                <Field.Label>{t('units', 'Duration')}</Field.Label>
                <NumberInput data-testid="create-booking-units" value={units} step={1} onValueChange={(value) => setUnits(value ?? 0)} />
                <Field.Hint />
                <Field.Error />
              </Field.Root>
            )}

            <Box padding={3} background="neutral100" hasRadius data-testid="create-booking-price">
              {quoting && <Loader small>{t('pricing', 'Pricing…')}</Loader>}
              {!quoting && quote && (
                <Flex direction="column" alignItems="flex-start" gap={1}>
                  <Typography fontWeight="bold">{t('price', 'Price: {amount}', { amount: formats.money(quote.priceTotal, quote.currency) })}</Typography>
                  {quote.discounts.map((line) => (
                    <Typography key={`${line.kind}:${line.label}`} variant="pi" textColor="neutral600">
                      {`${line.label}: −${formats.money(line.amount, quote.currency)}`}
                    </Typography>
                  ))}
                  <Typography variant="pi" textColor="neutral600">
                    {t('willBe', 'The booking will be: {state}', { state: stateLabel(formatMessage, markPaid && quote.priceTotal > 0 ? 'confirmed' : quote.state) })}
                  </Typography>
                  {!quote.available && (
                    <Typography variant="pi" textColor="danger600">
                      {quote.problem?.code === 'full' ? t('taken', 'This time is already taken.') : (quote.problem?.message ?? t('unavailable', 'This time cannot be booked.'))}
                    </Typography>
                  )}
                </Flex>
              )}
              {!quoting && quoteError && <Typography textColor="danger600">{quoteError}</Typography>}
            </Box>

            <Flex direction="column" alignItems="flex-start" gap={2}>
              {canMarkPaid && (
                <Checkbox
                  data-testid="create-booking-mark-paid"
                  checked={markPaid}
                  onCheckedChange={(checked: boolean | 'indeterminate') => {
                    setMarkPaid(checked === true);
                    if (checked === true) setSendLink(false);
                  }}
                >
                  {t('markPaid', 'Paid at the desk: confirm it now (manual payment)')}
                </Checkbox>
              )}
              <Checkbox
                data-testid="create-booking-send-link"
                checked={sendLink}
                onCheckedChange={(checked: boolean | 'indeterminate') => {
                  setSendLink(checked === true);
                  if (checked === true) setMarkPaid(false);
                }}
              >
                {t('sendLink', 'Send the member a payment link in Telegram')}
              </Checkbox>
              {!markPaid && !sendLink && quote && quote.priceTotal > 0 && (
                <Typography variant="pi" textColor="neutral600">
                  {t('holdNote', 'Unpaid, the booking is held only for the payment time, then released.')}
                </Typography>
              )}
            </Flex>

            <Field.Root name="comment" hint={t('commentHint', 'Only staff see it. At most 1000 characters.')}>
              <Field.Label>{t('comment', 'Comment')}</Field.Label>
              <Textarea value={comment} maxLength={COMMENT_MAX} onChange={(event: ChangeEvent<HTMLTextAreaElement>) => setComment(event.target.value)} />
              <Field.Hint />
            </Field.Root>

            {failure && (
              <Typography textColor="danger600" data-testid="create-booking-error">
                {failure}
              </Typography>
            )}
          </Flex>
        </Modal.Body>
        <Modal.Footer>
          <Modal.Close>
            <Button variant="tertiary" disabled={pending}>
              {t('cancel', 'Cancel')}
            </Button>
          </Modal.Close>
          <Button data-testid="create-booking-submit" loading={pending} disabled={!member || !tariff || !unitsValid || pending} onClick={() => void submit()}>
            {t('submit', 'Book')}
          </Button>
        </Modal.Footer>
      </Modal.Content>
    </Modal.Root>
  );
};
