import { useState } from 'react';
import { Badge, Box, Button, Flex, Table, Tbody, Td, Thead, Tr, Typography } from '@strapi/design-system';
import { Download, ArrowClockwise } from '@strapi/icons';
import { serverMessage } from '../../serverMessage';
import { formatWhen } from '../../time';
import { ConfirmDialog } from './ConfirmDialog';
import { useDeliveries, useNewsletterActions, useSettings } from './hooks';
import { channelLabel, deliveryLabel, deliveryVariant, errorCodeLabel, useT } from './labels';
import { LabelledSelect } from './LabelledSelect';
import { AlertBox, ColumnHead, LoadingBlock, Pager, withAll } from './parts';
import { Section } from './Section';
import { CHANNELS, DELIVERY_STATES, type NewsletterView } from './types';

export const RESULTS_PAGE_SIZE = 20;

/** Per-recipient results: state, channel, error in words; filters, paging, resend to the failed, CSV export. */
export const Results = ({
  newsletter,
  version,
  canResend,
  onChanged,
}: {
  newsletter: NewsletterView;
  version: number;
  canResend: boolean;
  onChanged: (view: NewsletterView) => void;
}) => {
  const { t, locale } = useT();
  const { settings } = useSettings();
  const timeZone = settings?.timeZone ?? 'Europe/Moscow';
  const actions = useNewsletterActions();
  const [status, setStatus] = useState('');
  const [channel, setChannel] = useState('');
  const [page, setPage] = useState(1);
  const { answer, error, loading } = useDeliveries(newsletter.documentId, { status, channel, page, pageSize: RESULTS_PAGE_SIZE }, version);
  const [confirmResend, setConfirmResend] = useState<{ busy: boolean; error: string | null } | null>(null);
  const [csv, setCsv] = useState<{ busy: boolean; error: string | null }>({ busy: false, error: null });
  /** A filter's change, back to the first page. */
  const firstPage = (set: (value: string) => void) => (value: string) => {
    set(value);
    setPage(1);
  };

  const resend = async () => {
    setConfirmResend({ busy: true, error: null });
    try {
      onChanged(await actions.control(newsletter.documentId, 'resend'));
      setConfirmResend(null);
    } catch (failure) {
      setConfirmResend({ busy: false, error: serverMessage(failure) });
    }
  };

  const exportCsv = async () => {
    setCsv({ busy: true, error: null });
    try {
      const slug = newsletter.title.replace(/[^\p{L}\p{N}]+/gu, '-').replace(/^-+|-+$/g, '').slice(0, 40) || newsletter.documentId;
      await actions.downloadCsv(newsletter.documentId, { status, channel }, `newsletter-${slug}.csv`);
      setCsv({ busy: false, error: null });
    } catch (failure) {
      setCsv({ busy: false, error: serverMessage(failure) });
    }
  };

  const failedCount = newsletter.counters.failed;
  const canResendNow = canResend && failedCount > 0 && ['sent', 'failed'].includes(newsletter.state);

  return (
    <Section title={t('section.results', 'Recipients')} testId="newsletter-results">
      <Flex gap={4} wrap="wrap" alignItems="flex-end" justifyContent="space-between">
        <Flex gap={4} wrap="wrap" alignItems="flex-end">
          <LabelledSelect
            label={t('results.filter.status', 'Status')}
            testId="newsletter-deliveries-status"
            value={status}
            onChange={firstPage(setStatus)}
            options={withAll(t, DELIVERY_STATES.map((state) => ({ value: state, label: deliveryLabel(t, state) })))}
          />
          {newsletter.channels.length > 1 && (
            <LabelledSelect
              label={t('results.filter.channel', 'Channel')}
              testId="newsletter-deliveries-channel"
              value={channel}
              onChange={firstPage(setChannel)}
              options={withAll(t, CHANNELS.map((item) => ({ value: item, label: channelLabel(t, item) })))}
            />
          )}
        </Flex>
        <Flex gap={2}>
          {canResendNow && (
            <Button variant="secondary" startIcon={<ArrowClockwise />} onClick={() => setConfirmResend({ busy: false, error: null })} data-testid="newsletter-resend">
              {t('action.resend', 'Resend to failed ({count})', { count: failedCount })}
            </Button>
          )}
          <Button variant="tertiary" startIcon={<Download />} loading={csv.busy} onClick={() => void exportCsv()} data-testid="newsletter-csv">
            {t('action.csv', 'Export CSV')}
          </Button>
        </Flex>
      </Flex>
      {csv.error && <Typography textColor="danger600">{csv.error}</Typography>}
      {error && <AlertBox>{error}</AlertBox>}
      {loading && !answer ? (
        <LoadingBlock padding={6}>{t('results.loading', 'Loading recipients…')}</LoadingBlock>
      ) : answer && answer.data.length === 0 ? (
        <Typography textColor="neutral600" data-testid="newsletter-deliveries-empty">
          {status || channel
            ? t('results.emptyFiltered', 'No recipients with this status.')
            : newsletter.state === 'scheduled'
              ? t('results.emptyScheduled', 'The recipient list is made when sending starts.')
              : t('results.empty', 'No recipients yet: the list is being prepared.')}
        </Typography>
      ) : answer ? (
        <Table colCount={5} rowCount={answer.data.length + 1}>
          <Thead>
            <Tr>
              <ColumnHead>{t('results.column.member', 'Member')}</ColumnHead>
              <ColumnHead>{t('results.column.channel', 'Channel')}</ColumnHead>
              <ColumnHead>{t('results.column.state', 'Status')}</ColumnHead>
              <ColumnHead>{t('results.column.when', 'Sent')}</ColumnHead>
              <ColumnHead>{t('results.column.error', 'Error')}</ColumnHead>
            </Tr>
          </Thead>
          <Tbody>
            {answer.data.map((delivery) => (
              <Tr key={delivery.documentId} data-testid="newsletter-delivery" data-state={delivery.state}>
                <Td>
                  <Flex direction="column" alignItems="flex-start">
                    <Typography>{delivery.member?.fullName ?? t('results.noMember', 'Member deleted')}</Typography>
                    <Typography variant="pi" textColor="neutral600">
                      {delivery.channel === 'telegram'
                        ? [delivery.member?.telegramUsername ? `@${delivery.member.telegramUsername}` : null, delivery.telegramId].filter(Boolean).join(' · ')
                        : delivery.email}
                    </Typography>
                  </Flex>
                </Td>
                <Td><Typography>{channelLabel(t, delivery.channel)}</Typography></Td>
                <Td>
                  <Flex gap={1} direction="column" alignItems="flex-start">
                    <Badge variant={deliveryVariant(delivery.state)}>{deliveryLabel(t, delivery.state)}</Badge>
                    {delivery.openedAt && <Typography variant="pi" textColor="neutral600">{t('results.opened', 'opened')}</Typography>}
                    {delivery.clickedAt && <Typography variant="pi" textColor="neutral600">{t('results.clicked', 'clicked')}</Typography>}
                  </Flex>
                </Td>
                <Td><Typography variant="pi">{formatWhen(delivery.sentAt, locale, timeZone)}</Typography></Td>
                <Td>
                  <Box maxWidth="24rem">
                    {delivery.errorCode && <Typography display="block">{errorCodeLabel(t, delivery.errorCode)}</Typography>}
                    {delivery.error && (
                      <Typography variant="pi" textColor="neutral600" ellipsis title={delivery.error}>
                        {delivery.error}
                      </Typography>
                    )}
                    {delivery.attempts > 1 && (
                      <Typography variant="pi" textColor="neutral500" display="block">
                        {t('results.attempts', 'attempts: {count}', { count: delivery.attempts })}
                      </Typography>
                    )}
                  </Box>
                </Td>
              </Tr>
            ))}
          </Tbody>
        </Table>
      ) : null}
      <Pager pagination={answer?.meta.pagination} page={page} onPage={setPage} />
      {confirmResend && (
        <ConfirmDialog
          testId="newsletter-confirm-resend"
          title={t('confirm.resend.title', 'Resend to the failed recipients?')}
          text={t('confirm.resend.text', '{count, plural, one {# recipient whose message failed gets} other {# recipients whose messages failed get}} it again. Those who got it or blocked the bot do not.', { count: failedCount })}
          confirmLabel={t('confirm.resend.confirm', 'Resend')}
          busy={confirmResend.busy}
          error={confirmResend.error}
          onClose={() => setConfirmResend(null)}
          onConfirm={() => void resend()}
        />
      )}
    </Section>
  );
};
