import { useState } from 'react';
import { useIntl } from 'react-intl';
import { useDispatch } from 'react-redux';
import { Badge, Button, Flex, Typography } from '@strapi/design-system';
import { adminApi, isFetchError, useAuth, useFetchClient, useNotification } from '@strapi/strapi/admin';
import type { PanelComponent } from '@strapi/content-manager/strapi-admin';
import { getTranslation } from '../pluginId';

const OUTBOX_UID = 'api::outbox-job.outbox-job';
const RETRYABLE = ['failed', 'dead'];
/** The admin route checks the same permission (src/api/outbox-job/admin-routes.ts). */
const UPDATE = 'plugin::content-manager.explorer.update';

const documentCache = adminApi.enhanceEndpoints({ addTagTypes: ['Document'] });

interface RetryProps {
  documentId: string;
  state: string;
}

/** The state of the job and, for a failed or dead one, the audited Retry. */
const OutboxRetry = ({ documentId, state }: RetryProps) => {
  const { formatMessage } = useIntl();
  const { post } = useFetchClient();
  const { toggleNotification } = useNotification();
  const dispatch = useDispatch();
  const permissions = useAuth('OutboxRetryPanel', (auth) => auth.permissions);
  const [busy, setBusy] = useState(false);
  const mayRetry = permissions.some((permission) => permission.action === UPDATE && permission.subject === OUTBOX_UID);
  const retryable = RETRYABLE.includes(state);
  const label = formatMessage({ id: getTranslation('outbox.retry'), defaultMessage: 'Retry now' });

  const retry = async () => {
    setBusy(true);
    try {
      await post(`/admin/outbox-jobs/${documentId}/retry`, {});
      toggleNotification({
        type: 'success',
        title: label,
        message: formatMessage({ id: getTranslation('outbox.retried'), defaultMessage: 'The job is back in the queue and runs shortly.' }),
      });
    } catch (error) {
      const body = isFetchError(error) ? (error.response?.data as { error?: { message?: string } } | undefined) : undefined;
      toggleNotification({
        type: 'danger',
        title: label,
        message: body?.error?.message ?? formatMessage({ id: getTranslation('outbox.failed'), defaultMessage: 'The job could not be retried.' }),
      });
    } finally {
      setBusy(false);
      dispatch(documentCache.util.invalidateTags([{ type: 'Document', id: `${OUTBOX_UID}_${documentId}` }, { type: 'Document', id: `${OUTBOX_UID}_LIST` }]));
    }
  };

  return (
    <Flex direction="column" alignItems="stretch" gap={3} width="100%">
      <Flex gap={2} alignItems="center">
        <Typography variant="omega" textColor="neutral600">
          {formatMessage({ id: getTranslation('outbox.state'), defaultMessage: 'State' })}
        </Typography>
        <Badge>{formatMessage({ id: getTranslation(`outbox.state.${state}`), defaultMessage: state })}</Badge>
      </Flex>
      {retryable && mayRetry && (
        <Button fullWidth loading={busy} disabled={busy} onClick={() => void retry()} data-testid="outbox-retry">
          {label}
        </Button>
      )}
      <Typography variant="pi" textColor="neutral600">
        {retryable
          ? mayRetry
            ? formatMessage({
                id: getTranslation('outbox.hint'),
                defaultMessage: 'Retry runs the job again now with a fresh set of attempts; it is written to the audit log.',
              })
            : formatMessage({ id: getTranslation('outbox.noPermission'), defaultMessage: 'Your role cannot retry jobs.' })
          : formatMessage({
              id: getTranslation('outbox.notRetryable'),
              defaultMessage: 'Only a failed or dead job can be retried. The worker writes the state; it cannot be edited here.',
            })}
      </Typography>
    </Flex>
  );
};

/** The "Outbox job" side panel of the content manager's edit view of an outbox job. */
export const OutboxRetryPanel: PanelComponent = ({ model, documentId, document }) => {
  const { formatMessage } = useIntl();
  if (model !== OUTBOX_UID || !documentId || !document || typeof document.state !== 'string') return null;
  return {
    title: formatMessage({ id: getTranslation('outbox.title'), defaultMessage: 'Outbox job' }),
    content: <OutboxRetry documentId={documentId} state={document.state} />,
  };
};
