import { useEffect, useMemo, useRef, useState } from 'react';
import { useIntl } from 'react-intl';
import { Link as RouterLink, useParams } from 'react-router-dom';
import { Badge, Box, Button, Flex, Link, Loader, Textarea, Typography } from '@strapi/design-system';
import { Layouts, Page, useNotification } from '@strapi/strapi/admin';
import { PLUGIN_ID } from '../../pluginId';
import { serverMessage, useAssignees, useInboxActions, useInboxPermissions, useTicket } from './hooks';
import { formatWhen, inboxText, memberLabel, priorityLabel, priorityVariant, stateLabel, stateVariant } from './labels';
import { TICKET_PRIORITIES, TICKET_STATES, type Message, type TicketPriority, type TicketState } from './types';
import { LabelledSelect } from './LabelledSelect';

const MAX_FILES = 5;
const MAX_CHARS = 4000;

/** One message: who, when, the text and the photos inline (signed links; a click opens the full size). */
const MessageBubble = ({ message, locale, staffLabel, memberFallback }: { message: Message; locale: string; staffLabel: string; memberFallback: string }) => {
  const staff = message.authorType === 'staff';
  return (
    <Flex justifyContent={staff ? 'flex-end' : 'flex-start'}>
      <Box
        data-testid="inbox-message"
        data-author-type={message.authorType}
        padding={4}
        hasRadius
        background={staff ? 'primary100' : 'neutral0'}
        shadow="tableShadow"
        maxWidth="40rem"
      >
        <Flex direction="column" alignItems="stretch" gap={2}>
          <Typography variant="pi" textColor="neutral600">
            <strong>{message.authorName || (staff ? staffLabel : memberFallback)}</strong> · {formatWhen(locale, message.createdAt)}
          </Typography>
          {message.body && <Typography style={{ whiteSpace: 'pre-wrap', overflowWrap: 'anywhere' }}>{message.body}</Typography>}
          {message.attachments.length > 0 && (
            <Flex gap={2} wrap="wrap">
              {message.attachments.map((file) => (
                <a key={file.documentId} href={file.url} target="_blank" rel="noreferrer noopener">
                  <img
                    src={file.thumbnailUrl ?? file.url}
                    alt={file.name}
                    width={file.width && file.height ? Math.min(200, file.width) : undefined}
                    style={{ maxWidth: 200, maxHeight: 200, objectFit: 'contain', borderRadius: 4, display: 'block' }}
                  />
                </a>
              ))}
            </Flex>
          )}
        </Flex>
      </Box>
    </Flex>
  );
};

/** The reply box: text, up to five photos with previews, send. */
const ReplyBox = ({ onSend, disabled }: { onSend: (body: string, files: File[]) => Promise<boolean>; disabled: boolean }) => {
  const { formatMessage } = useIntl();
  const t = (key: string, defaultMessage: string, values?: Record<string, string | number>) => inboxText(formatMessage, key, defaultMessage, values);
  const [body, setBody] = useState('');
  const [files, setFiles] = useState<File[]>([]);
  const [sending, setSending] = useState(false);
  const input = useRef<HTMLInputElement>(null);
  const previews = useMemo(() => files.map((file) => ({ file, url: URL.createObjectURL(file) })), [files]);
  useEffect(() => () => previews.forEach((preview) => URL.revokeObjectURL(preview.url)), [previews]);

  const canSend = !disabled && !sending && (body.trim() !== '' || files.length > 0) && body.length <= MAX_CHARS && files.length <= MAX_FILES;
  const send = async () => {
    setSending(true);
    const ok = await onSend(body.trim(), files);
    setSending(false);
    if (ok) {
      setBody('');
      setFiles([]);
      if (input.current) input.current.value = '';
    }
  };

  return (
    <Box padding={4} background="neutral0" hasRadius shadow="tableShadow">
      <Flex direction="column" alignItems="stretch" gap={3}>
        <Textarea
          data-testid="inbox-reply-text"
          name="reply"
          aria-label={t('reply.label', 'Reply to the member')}
          placeholder={t('reply.placeholder', 'Write a reply; the member gets it in the bot')}
          value={body}
          onChange={(event: React.ChangeEvent<HTMLTextAreaElement>) => setBody(event.target.value)}
          disabled={disabled}
        />
        <Flex justifyContent="space-between" gap={2}>
          <Typography variant="pi" textColor={body.length > MAX_CHARS ? 'danger600' : 'neutral600'}>
            {t('reply.count', '{count} / {max} characters', { count: body.length, max: MAX_CHARS })}
          </Typography>
        </Flex>
        <Flex gap={2} alignItems="center" wrap="wrap">
          <label>
            <Typography variant="pi" fontWeight="bold">
              {t('reply.photos', 'Photos (up to {max}: JPEG, PNG or WebP, 10 MB each)', { max: MAX_FILES })}
            </Typography>{' '}
            <input
              ref={input}
              data-testid="inbox-reply-files"
              type="file"
              multiple
              accept="image/jpeg,image/png,image/webp"
              disabled={disabled}
              onChange={(event) => setFiles(Array.from(event.target.files ?? []).slice(0, MAX_FILES))}
            />
          </label>
        </Flex>
        {previews.length > 0 && (
          <Flex gap={2} wrap="wrap">
            {previews.map(({ file, url }, index) => (
              <Flex key={url} direction="column" gap={1} alignItems="center">
                <img src={url} alt={file.name} style={{ maxWidth: 96, maxHeight: 96, objectFit: 'cover', borderRadius: 4 }} />
                <Button variant="tertiary" size="S" onClick={() => setFiles(files.filter((_, i) => i !== index))}>
                  {t('reply.remove', 'Remove')}
                </Button>
              </Flex>
            ))}
          </Flex>
        )}
        <Flex justifyContent="flex-end">
          <Button data-testid="inbox-reply-send" onClick={send} loading={sending} disabled={!canSend}>
            {t('reply.send', 'Send')}
          </Button>
        </Flex>
      </Flex>
    </Box>
  );
};

/** One ticket: its thread with photos inline, the reply box and the status / priority / assignee controls. */
export const TicketThread = () => {
  const { documentId } = useParams<{ documentId: string }>();
  const { formatMessage, locale } = useIntl();
  const t = (key: string, defaultMessage: string, values?: Record<string, string | number>) => inboxText(formatMessage, key, defaultMessage, values);
  const { toggleNotification } = useNotification();
  const { ticket, setTicket, error, loading } = useTicket(documentId);
  const { reply, update } = useInboxActions(documentId);
  const permissions = useInboxPermissions();
  const assignees = useAssignees();
  const [saving, setSaving] = useState(false);
  const bottom = useRef<HTMLDivElement>(null);
  // A block body on purpose: an effect may return only a cleanup function, and scrollIntoView returns a Promise in
  // current Chromium (scroll methods return promises), which React would call on the next change and crash.
  useEffect(() => {
    bottom.current?.scrollIntoView?.({ block: 'end' });
  }, [ticket?.messages.length]);

  const change = async (changes: { state?: TicketState; priority?: TicketPriority; assignee?: number | null }) => {
    setSaving(true);
    try {
      const next = await update(changes);
      setTicket(next);
      toggleNotification({ type: 'success', message: t('saved', 'Saved') });
    } catch (failure) {
      toggleNotification({ type: 'danger', message: (failure as Error).message });
    } finally {
      setSaving(false);
    }
  };

  const send = async (body: string, files: File[]) => {
    try {
      const message = await reply(body, files);
      setTicket((current) =>
        current
          ? { ...current, messages: [...current.messages, message], state: current.state === 'open' ? 'in_progress' : current.state, unanswered: false, lastAuthorType: 'staff' }
          : current,
      );
      toggleNotification({ type: 'success', message: t('reply.sent', 'Sent: the member gets it in the bot') });
      return true;
    } catch (failure) {
      toggleNotification({ type: 'danger', message: serverMessage(failure) ?? t('reply.failed', 'The reply was not sent') });
      return false;
    }
  };

  const back = (
    <Link tag={RouterLink} to={`/plugins/${PLUGIN_ID}/inbox`}>
      {t('back', 'All tickets')}
    </Link>
  );

  if (loading && !ticket) {
    return (
      <Page.Main>
        <Flex justifyContent="center" padding={8}>
          <Loader>{t('loading.ticket', 'Loading the ticket…')}</Loader>
        </Flex>
      </Page.Main>
    );
  }
  if (error || !ticket) {
    return (
      <Page.Main>
        <Layouts.Header title={t('title', 'Support inbox')} navigationAction={back} />
        <Layouts.Content>
          <Typography textColor="danger700">{error?.status === 404 ? t('notFound', 'There is no such ticket.') : error?.message}</Typography>
        </Layouts.Content>
      </Page.Main>
    );
  }

  const memberFallback = t('member.unknown', 'Member');
  return (
    <Page.Main>
      <Page.Title>{ticket.subject}</Page.Title>
      <Layouts.Header
        navigationAction={back}
        title={ticket.subject}
        subtitle={
          ticket.member ? (
            <Link tag={RouterLink} to={`/plugins/${PLUGIN_ID}/members/${ticket.member.documentId}`} data-testid="inbox-member-link">
              {memberLabel(ticket.member, memberFallback)}
              {ticket.member.telegramUsername && ticket.member.fullName ? ` · @${ticket.member.telegramUsername}` : ''}
            </Link>
          ) : (
            memberFallback
          )
        }
        secondaryAction={
          <Flex gap={2}>
            <Badge variant={stateVariant(ticket.state)}>{stateLabel(formatMessage, ticket.state)}</Badge>
            <Badge variant={priorityVariant(ticket.priority)}>{priorityLabel(formatMessage, ticket.priority)}</Badge>
          </Flex>
        }
      />
      <Layouts.Content>
        <Flex direction="column" alignItems="stretch" gap={4}>
          <Flex gap={4} wrap="wrap" alignItems="flex-end">
            <LabelledSelect
              label={t('filter.state', 'Status')}
              testId="inbox-state"
              value={ticket.state}
              disabled={!permissions.reply || saving}
              onChange={(value) => change({ state: value as TicketState })}
              options={TICKET_STATES.map((state) => ({ value: state, label: stateLabel(formatMessage, state) }))}
            />
            <LabelledSelect
              label={t('filter.priority', 'Priority')}
              testId="inbox-priority"
              value={ticket.priority}
              disabled={!permissions.reply || saving}
              onChange={(value) => change({ priority: value as TicketPriority })}
              options={TICKET_PRIORITIES.map((priority) => ({ value: priority, label: priorityLabel(formatMessage, priority) }))}
            />
            <LabelledSelect
              label={t('filter.assignee', 'Assignee')}
              testId="inbox-assignee"
              value={ticket.assignee ? String(ticket.assignee.id) : ''}
              disabled={!permissions.reply || saving}
              onChange={(value) => change({ assignee: value ? Number(value) : null })}
              options={[
                { value: '', label: t('assignee.none', 'Nobody') },
                // An assignee who has since lost the reply permission is still shown as the current one.
                ...(ticket.assignee && !assignees.some((user) => user.id === ticket.assignee?.id)
                  ? [{ value: String(ticket.assignee.id), label: ticket.assignee.name }]
                  : []),
                ...assignees.map((user) => ({ value: String(user.id), label: user.name })),
              ]}
            />
          </Flex>

          <Flex direction="column" alignItems="stretch" gap={3}>
            {ticket.messages.map((message) => (
              <MessageBubble key={message.documentId} message={message} locale={locale} staffLabel={t('author.staff', 'Staff')} memberFallback={memberFallback} />
            ))}
            <div ref={bottom} />
          </Flex>

          {permissions.reply ? (
            ticket.state === 'closed' ? (
              <Typography textColor="neutral600">{t('reply.closed', 'The ticket is closed. Set another status to answer it.')}</Typography>
            ) : (
              <ReplyBox onSend={send} disabled={false} />
            )
          ) : (
            <Typography textColor="neutral600">{t('reply.noPermission', 'Your role may read tickets but not answer them.')}</Typography>
          )}
        </Flex>
      </Layouts.Content>
    </Page.Main>
  );
};
