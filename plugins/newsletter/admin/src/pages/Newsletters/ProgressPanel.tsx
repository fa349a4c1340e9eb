import { useEffect, useRef, useState } from 'react';
import { Box, Button, Flex, Grid, Typography } from '@strapi/design-system';
import { Cross, Play } from '@strapi/icons';
import { serverMessage } from '../../serverMessage';
import { formatDuration, formatWhen } from '../../time';
import { ConfirmDialog } from './ConfirmDialog';
import { useNewsletterActions, useProgress } from './hooks';
import { channelLabel, stateLabel, useT } from './labels';
import { Section } from './Section';
import { RUNNING_STATES, type NewsletterView } from './types';

const Stat = ({ label, value, testId, color }: { label: string; value: string | number; testId: string; color?: string }) => (
  <Box padding={3} background="neutral100" hasRadius width="100%">
    <Typography variant="pi" textColor="neutral600" display="block">
      {label}
    </Typography>
    <Typography variant="beta" data-testid={testId} textColor={color}>
      {value}
    </Typography>
  </Box>
);

/**
 * (The bar is drawn here rather than with the design system's ProgressBar, whose white indicator on a dark track
 * is made for dark surfaces and disappears on this white card at 100 %.)
 *
 * Progress of a newsletter that has been scheduled or started: the bar, sent / failed / blocked / remaining,
 * the rate and the estimated finish. Refreshes itself every ~2 s while it runs and stops once it is finished;
 * Pause / Resume / Cancel for staff with the send permission.
 */
export const ProgressPanel = ({
  newsletter,
  timeZone,
  scrollIntoView,
  canSend,
  onChanged,
  onSettled,
  onTick,
}: {
  newsletter: NewsletterView;
  timeZone: string;
  /** Bring the view into sight when it appears (after Send / Schedule at the bottom of the editor). */
  scrollIntoView?: boolean;
  canSend: boolean;
  onChanged: (view: NewsletterView) => void;
  onSettled: () => void;
  onTick: () => void;
}) => {
  const { t, locale } = useT();
  const actions = useNewsletterActions();
  const running = RUNNING_STATES.includes(newsletter.state);
  const pageThinksRunning = useRef(running);
  pageThinksRunning.current = running;
  const { progress, error, refresh } = useProgress(newsletter.documentId, running, () => {
    if (pageThinksRunning.current) onSettled();
  });
  const [busy, setBusy] = useState<string | null>(null);
  const [actionError, setActionError] = useState<string | null>(null);
  const [confirmCancel, setConfirmCancel] = useState(false);
  const lastDone = useRef<number | null>(null);
  const anchor = useRef<HTMLDivElement>(null);

  useEffect(() => {
    if (scrollIntoView) anchor.current?.scrollIntoView({ block: 'start' });
    // Once, when the view appears.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  // The recipient table below follows the progress: fetched again whenever more recipients are done.
  useEffect(() => {
    if (!progress) return;
    const doneNow = progress.sent + progress.failed + progress.blocked + (progress.cancelled ?? 0);
    if (lastDone.current !== null && doneNow !== lastDone.current) onTick();
    lastDone.current = doneNow;
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [progress]);

  const act = async (action: 'pause' | 'resume' | 'cancel') => {
    setBusy(action);
    setActionError(null);
    try {
      const view = await actions.control(newsletter.documentId, action);
      setConfirmCancel(false);
      onChanged(view);
      refresh();
    } catch (failure) {
      setActionError(serverMessage(failure));
    } finally {
      setBusy(null);
    }
  };

  const status = progress?.status ?? newsletter.state;
  const total = progress?.total ?? newsletter.counters.total;
  const sent = progress?.sent ?? newsletter.counters.sent;
  const failed = progress?.failed ?? newsletter.counters.failed;
  const blocked = progress?.blocked ?? newsletter.counters.blocked;
  const cancelled = progress?.cancelled ?? newsletter.counters.cancelled;
  const remaining = progress?.remaining ?? Math.max(0, total - sent - failed - blocked - cancelled);
  const done = Math.max(0, total - remaining);
  const percent = total > 0 ? Math.min(100, Math.floor((done / total) * 100)) : status === 'sent' ? 100 : 0;
  const rate = progress?.ratePerSecond ?? 0;
  const eta = progress?.etaSeconds ?? null;
  const units = { h: t('unit.h', 'h'), min: t('unit.min', 'min'), s: t('unit.s', 's') };

  let line: string;
  if (status === 'scheduled')
    line = t('progress.scheduled', 'Scheduled for {when} ({zone}).', { when: formatWhen(newsletter.scheduledAt, locale, timeZone), zone: timeZone });
  else if (status === 'paused')
    line = t('progress.paused', 'Paused {when}. Nobody else gets it until it is resumed.', { when: formatWhen(newsletter.pausedAt, locale, timeZone) });
  else if (status === 'sending' && total === 0) line = t('progress.preparing', 'Preparing the recipient list…');
  else if (status === 'sending')
    line =
      eta !== null
        ? t('progress.eta', 'About {duration} left, finishes around {when}.', {
            duration: formatDuration(eta, units),
            when: formatWhen(new Date(Date.now() + eta * 1000).toISOString(), locale, timeZone),
          })
        : t('progress.sending', 'Sending…');
  else
    line = t('progress.finished', '{state} {when}.', {
      state: stateLabel(t, status),
      when: formatWhen(newsletter.finishedAt ?? newsletter.updatedAt, locale, timeZone),
    });

  return (
    <div ref={anchor} style={{ scrollMarginTop: '6rem' }}>
      <Section title={t('section.progress', 'Progress')} testId="newsletter-progress">
        <Flex direction="column" alignItems="stretch" gap={2}>
          <Flex gap={3} alignItems="center">
            <Box flex="1">
              <Box
              background="neutral150"
              hasRadius
              height="0.75rem"
              overflow="hidden"
              role="progressbar"
              aria-valuemin={0}
              aria-valuemax={100}
              aria-valuenow={percent}
              aria-label={t('progress.label', 'Sent so far')}
              data-testid="newsletter-progress-bar"
            >
              <Box background={status === 'paused' ? 'warning500' : status === 'cancelled' || status === 'failed' ? 'danger500' : 'success500'} height="100%" style={{ width: `${percent}%`, transition: 'width 0.5s ease' }} />
            </Box>
            </Box>
            <Typography variant="delta" data-testid="newsletter-progress-percent" data-percent={percent}>
              {percent} %
            </Typography>
          </Flex>
          <Typography textColor="neutral600" data-testid="newsletter-progress-line">
            {line}
          </Typography>
        </Flex>
        <Grid.Root gap={3}>
          {[
            { label: t('progress.total', 'Recipients'), value: total, testId: 'newsletter-progress-total' },
            { label: t('progress.sent', 'Sent'), value: sent, testId: 'newsletter-progress-sent', color: 'success600' },
            { label: t('progress.failed', 'Failed'), value: failed, testId: 'newsletter-progress-failed', color: failed > 0 ? 'danger600' : undefined },
            { label: t('progress.blocked', 'Blocked the bot'), value: blocked, testId: 'newsletter-progress-blocked', color: blocked > 0 ? 'warning600' : undefined },
            { label: t('progress.remaining', 'Remaining'), value: remaining, testId: 'newsletter-progress-remaining' },
            { label: t('progress.rate', 'Rate, msg/s'), value: new Intl.NumberFormat(locale, { maximumFractionDigits: 1 }).format(rate), testId: 'newsletter-progress-rate' },
          ].map((stat) => (
            <Grid.Item key={stat.testId} col={2} s={4} xs={6}>
              <Stat {...stat} />
            </Grid.Item>
          ))}
        </Grid.Root>
        {progress?.byChannel && newsletter.channels.length > 1 && (
          <Typography variant="pi" textColor="neutral600">
            {newsletter.channels
              .map((channel) => {
                const part = progress.byChannel?.[channel];
                return part
                  ? `${channelLabel(t, channel)}: ${t('progress.channelLine', '{sent} of {total} sent', { sent: part.sent, total: part.total })}`
                  : null;
              })
              .filter(Boolean)
              .join(' · ')}
          </Typography>
        )}
        {newsletter.channels.includes('email') && progress && (progress.opened ?? 0) + (progress.clicked ?? 0) > 0 && (
          <Typography variant="pi" textColor="neutral600">
            {t('progress.opens', 'E-mail: opened {opened}, clicked {clicked}', { opened: progress.opened ?? 0, clicked: progress.clicked ?? 0 })}
          </Typography>
        )}
        {newsletter.lastError && <Typography textColor="danger600">{newsletter.lastError}</Typography>}
        {(error || actionError) && (
          <Typography textColor="danger600" role="alert">
            {actionError ?? error}
          </Typography>
        )}
        {canSend && running && (
          <Flex gap={2}>
            {status === 'sending' && (
              <Button variant="secondary" loading={busy === 'pause'} disabled={busy !== null} onClick={() => void act('pause')} data-testid="newsletter-pause">
                {t('action.pause', 'Pause')}
              </Button>
            )}
            {status === 'paused' && (
              <Button
                startIcon={<Play />}
                loading={busy === 'resume'}
                disabled={busy !== null}
                onClick={() => void act('resume')}
                data-testid="newsletter-resume"
              >
                {t('action.resume', 'Resume')}
              </Button>
            )}
            <Button
              variant="danger-light"
              startIcon={<Cross />}
              disabled={busy !== null}
              onClick={() => setConfirmCancel(true)}
              data-testid="newsletter-cancel"
            >
              {status === 'scheduled' ? t('action.cancelSchedule', 'Cancel the schedule') : t('action.cancel', 'Cancel sending')}
            </Button>
          </Flex>
        )}
        {confirmCancel && (
          <ConfirmDialog
            testId="newsletter-confirm-cancel"
            danger
            title={t('confirm.cancel.title', 'Cancel this newsletter?')}
            text={
              status === 'scheduled'
                ? t('confirm.cancel.scheduled', 'It will not be sent. This cannot be undone.')
                : t(
                    'confirm.cancel.text',
                    '{remaining, plural, one {# recipient still waiting does not get it} other {# recipients still waiting do not get it}}. Those already reached keep their message. This cannot be undone.',
                    { remaining },
                  )
            }
            confirmLabel={t('confirm.cancel.confirm', 'Cancel the newsletter')}
            busy={busy === 'cancel'}
            error={actionError}
            onClose={() => setConfirmCancel(false)}
            onConfirm={() => void act('cancel')}
          />
        )}
      </Section>
    </div>
  );
};
