import { useState } from 'react';
import { useIntl } from 'react-intl';
import { useDispatch } from 'react-redux';
import { Button, Field, Flex, TextInput, Typography } from '@strapi/design-system';
import type { PanelComponent } from '@strapi/content-manager/strapi-admin';
import { adminApi, isFetchError, useAuth, useFetchClient, useNotification } from '@strapi/strapi/admin';

const PAYMENT_UID = 'api::payment.payment';
const REFUND_PERMISSION = 'plugin::yookassa.refund';
/** The content manager caches documents in the admin's RTK Query store under these tags. */
const documentCache = adminApi.enhanceEndpoints({ addTagTypes: ['Document'] });

interface PaymentDocument {
  state?: string;
  amount?: number;
  provider?: string;
}

/** "1500.50" → 150050 kopecks; null for anything that is not a positive amount with at most 2 decimals. */
const toKopecks = (rubles: string): number | null => {
  const match = /^(\d+)(?:[.,](\d{1,2}))?$/.exec(rubles.trim());
  if (!match) return null;
  const kopecks = Number(match[1]) * 100 + Number((match[2] ?? '0').padEnd(2, '0'));
  return kopecks > 0 ? kopecks : null;
};

const RefundForm = ({ documentId, amount }: { documentId: string; amount: number }) => {
  const { post } = useFetchClient();
  const { toggleNotification } = useNotification();
  const dispatch = useDispatch();
  const { formatMessage, formatNumber } = useIntl();
  const t = (id: string, values?: Record<string, string>) => formatMessage({ id: `yookassa.refund.${id}` }, values);
  const [rubles, setRubles] = useState('');
  const [reason, setReason] = useState('');
  const [sending, setSending] = useState(false);
  const kopecks = rubles.trim() === '' ? undefined : toKopecks(rubles);

  const submit = async () => {
    setSending(true);
    try {
      await post(`/yookassa/payments/${documentId}/refund`, { reason, ...(kopecks ? { amount: kopecks } : {}) });
      toggleNotification({ type: 'success', message: t('done') });
      setRubles('');
      setReason('');
      dispatch(documentCache.util.invalidateTags([{ type: 'Document', id: `${PAYMENT_UID}_${documentId}` }]));
    } catch (error) {
      const body = isFetchError(error) ? (error.response?.data as { error?: { message?: string } } | undefined) : undefined;
      toggleNotification({ type: 'danger', message: body?.error?.message ?? t('failed') });
    } finally {
      setSending(false);
    }
  };

  return (
    <Flex direction="column" alignItems="stretch" gap={3} width="100%">
      <Typography variant="omega" textColor="neutral600">
        {t('paid', { amount: formatNumber(amount / 100, { style: 'currency', currency: 'RUB' }) })}
      </Typography>
      <Field.Root error={kopecks === null ? t('amountError') : undefined}>
        <Field.Label>{t('amount')}</Field.Label>
        <TextInput value={rubles} onChange={(event: React.ChangeEvent<HTMLInputElement>) => setRubles(event.target.value)} />
        <Field.Error />
      </Field.Root>
      <Field.Root required>
        <Field.Label>{t('reason')}</Field.Label>
        <TextInput value={reason} onChange={(event: React.ChangeEvent<HTMLInputElement>) => setReason(event.target.value)} />
      </Field.Root>
      <Button variant="danger-light" loading={sending} disabled={reason.trim() === '' || kopecks === null} onClick={submit}>
        {t('submit')}
      </Button>
    </Flex>
  );
};

/** A "Refund" side panel on succeeded payments, for staff holding plugin::yookassa.refund (docs/PAYMENTS.md). */
export const RefundPanel: PanelComponent = ({ model, documentId, document }) => {
  const { formatMessage } = useIntl();
  const permissions = useAuth('RefundPanel', (state) => state.permissions);
  const payment = document as PaymentDocument | undefined;
  if (model !== PAYMENT_UID || !documentId || !payment || payment.state !== 'succeeded') return null;
  if (!permissions.some((permission) => permission.action === REFUND_PERMISSION)) return null;
  return { title: formatMessage({ id: 'yookassa.refund.title' }), content: <RefundForm documentId={documentId} amount={payment.amount ?? 0} /> };
};
