import { useState } from 'react';
import { useNavigate, useParams } from 'react-router-dom';
import { Button, Flex, Typography } from '@strapi/design-system';
import { ArrowLeft, Trash } from '@strapi/icons';
import { Layouts, Page, useNotification } from '@strapi/strapi/admin';
import { serverMessage } from '../../serverMessage';
import { formatWhen } from '../../time';
import { ConfirmDialog } from './ConfirmDialog';
import { Editor } from './Editor';
import { useNewsletter, useNewsletterActions, useNewsletterPermissions, useSettings } from './hooks';
import { useT } from './labels';
import { AlertBox, LoadingBlock, StateBadge } from './parts';
import { ProgressPanel } from './ProgressPanel';
import { Results } from './Results';
import { Summary } from './Summary';
import { EDITABLE_STATES, type NewsletterView } from './types';

/**
 * One newsletter (or a new one at …/new): the editor while it is a draft or scheduled, the progress while it is
 * scheduled, sending or paused, and the results (recipients, resend, CSV) once it has started.
 */
export const NewsletterPage = () => {
  const { documentId } = useParams<{ documentId: string }>();
  const { t, locale } = useT();
  const navigate = useNavigate();
  const { toggleNotification } = useNotification();
  const permissions = useNewsletterPermissions();
  const { settings, error: settingsError } = useSettings();
  const { newsletter, setNewsletter, error, loading, reload } = useNewsletter(documentId);
  const actions = useNewsletterActions();
  const [confirmDelete, setConfirmDelete] = useState<{ busy: boolean; error: string | null } | null>(null);
  const [resultsVersion, setResultsVersion] = useState(0);
  // Sent or scheduled from the editor on this page: the progress view is brought into sight.
  const [startedHere, setStartedHere] = useState(false);

  const onSaved = (view: NewsletterView) => {
    if ((!newsletter || newsletter.state === 'draft') && view.state !== 'draft') setStartedHere(true);
    setNewsletter(view);
    setResultsVersion((value) => value + 1);
    if (!documentId) navigate(`../${view.documentId}`, { replace: true, relative: 'path' });
  };

  const remove = async () => {
    if (!newsletter) return;
    setConfirmDelete({ busy: true, error: null });
    try {
      await actions.remove(newsletter.documentId);
      toggleNotification({ type: 'success', message: t('notice.deleted', 'Newsletter deleted.') });
      navigate('..', { relative: 'path' });
    } catch (failure) {
      setConfirmDelete({ busy: false, error: serverMessage(failure) });
    }
  };

  const title = newsletter?.title || (documentId ? t('title', 'Newsletters') : t('editor.new', 'New newsletter'));
  const state = newsletter?.state;
  const editable = !documentId || (state !== undefined && EDITABLE_STATES.includes(state));
  const started = state !== undefined && !['draft', 'scheduled'].includes(state);
  const timeZone = settings?.timeZone ?? 'Europe/Moscow';

  let body: React.ReactNode;
  if ((loading && !newsletter) || (!settings && !settingsError)) {
    body = <LoadingBlock>{t('editor.loading', 'Loading the newsletter…')}</LoadingBlock>;
  } else if (error && !newsletter) {
    body = <AlertBox>{error.status === 404 ? t('editor.notFound', 'There is no such newsletter (it may have been deleted).') : error.message}</AlertBox>;
  } else if (!settings) {
    body = <AlertBox>{settingsError}</AlertBox>;
  } else {
    body = (
      <Flex direction="column" alignItems="stretch" gap={4}>
        {newsletter && newsletter.state !== 'draft' && (
          <ProgressPanel
            newsletter={newsletter}
            timeZone={timeZone}
            scrollIntoView={startedHere}
            canSend={permissions.send}
            onChanged={(view) => onSaved(view)}
            onSettled={() => {
              reload();
              setResultsVersion((value) => value + 1);
            }}
            onTick={() => setResultsVersion((value) => value + 1)}
          />
        )}
        {editable ? (
          <Editor newsletter={newsletter} settings={settings} canManage={permissions.manage} canSend={permissions.send} onSaved={onSaved} />
        ) : (
          newsletter && <Summary newsletter={newsletter} timeZone={timeZone} />
        )}
        {newsletter && started && (
          <Results
            newsletter={newsletter}
            version={resultsVersion}
            canResend={permissions.send && permissions.manage}
            onChanged={(view) => onSaved(view)}
          />
        )}
      </Flex>
    );
  }

  return (
    <Page.Main>
      <Page.Title>{title}</Page.Title>
      <Layouts.Header
        navigationAction={
          <Flex justifyContent="flex-start">
            <Button variant="ghost" startIcon={<ArrowLeft />} onClick={() => navigate('..', { relative: 'path' })} data-testid="newsletter-back">
              {t('editor.back', 'All newsletters')}
            </Button>
          </Flex>
        }
        title={title}
        subtitle={
          newsletter ? (
            <Flex gap={2} alignItems="center">
              <StateBadge state={newsletter.state} testId="newsletter-state" dataState />
              <Typography textColor="neutral600">
                {t('editor.createdBy', 'Created {when} by {who}', { when: formatWhen(newsletter.createdAt, locale, timeZone), who: newsletter.createdBy ?? '—' })}
                {newsletter.sentBy ? ` · ${t('editor.sentBy', 'sent by {who}', { who: newsletter.sentBy })}` : ''}
              </Typography>
            </Flex>
          ) : (
            t('editor.newSubtitle', 'Write it, choose who gets it, test it on yourself, then send or schedule it.')
          )
        }
        secondaryAction={
          newsletter && permissions.manage && !['sending', 'paused'].includes(newsletter.state) ? (
            <Button variant="danger-light" startIcon={<Trash />} onClick={() => setConfirmDelete({ busy: false, error: null })} data-testid="newsletter-delete">
              {t('action.delete', 'Delete')}
            </Button>
          ) : undefined
        }
      />
      <Layouts.Content>{body}</Layouts.Content>
      {confirmDelete && newsletter && (
        <ConfirmDialog
          testId="newsletter-confirm-delete"
          danger
          title={t('confirm.delete.title', 'Delete this newsletter?')}
          text={t('confirm.delete.text', '"{title}" and its recipient list are removed for good.', { title: newsletter.title })}
          confirmLabel={t('action.delete', 'Delete')}
          busy={confirmDelete.busy}
          error={confirmDelete.error}
          onClose={() => setConfirmDelete(null)}
          onConfirm={() => void remove()}
        />
      )}
    </Page.Main>
  );
};
