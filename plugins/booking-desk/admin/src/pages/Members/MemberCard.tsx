import { useState, type ReactNode } from 'react';
import { useIntl } from 'react-intl';
import { Link as RouterLink, useParams } from 'react-router-dom';
import {
  Badge,
  Box,
  Button,
  Field,
  Flex,
  Grid,
  Link,
  Loader,
  Tabs,
  Table,
  Tbody,
  Td,
  Textarea,
  Th,
  Thead,
  Tr,
  Typography,
} from '@strapi/design-system';
import { ArrowLeft } from '@strapi/icons';
import { Layouts, Page, useNotification } from '@strapi/strapi/admin';
import { getTranslation, PLUGIN_ID } from '../../pluginId';
import { stateLabel, stateVariant } from '../../stateLabels';
import { formatDate, formatDateTime, formatInterval, formatMoney, memberName } from './format';
import { useMemberAction, useMemberCard, useMemberPermissions } from './hooks';
import { TextDialog } from './TextDialog';
import type { MemberCardData } from './types';

const REASON_MAX = 500;
const MESSAGE_MAX = 4096;
const NOTE_MAX = 2000;
const DESK = `/plugins/${PLUGIN_ID}`;

type Translate = (key: string, defaultMessage: string, values?: Record<string, string | number>) => string;

const Section = ({ title, children }: { title: string; children: ReactNode }) => (
  <Box background="neutral0" hasRadius shadow="tableShadow" padding={6}>
    <Flex direction="column" alignItems="stretch" gap={4}>
      <Typography variant="delta" tag="h2">
        {title}
      </Typography>
      {children}
    </Flex>
  </Box>
);

const Fact = ({ label, children }: { label: string; children: ReactNode }) => (
  <Flex direction="column" alignItems="flex-start" gap={1}>
    <Typography variant="sigma" textColor="neutral600">
      {label}
    </Typography>
    <Typography>{children}</Typography>
  </Flex>
);

const Empty = ({ children }: { children: string }) => <Typography textColor="neutral600">{children}</Typography>;

function SimpleTable({ headers, rows }: { headers: string[]; rows: ReactNode[][] }) {
  return (
    <Table colCount={headers.length} rowCount={rows.length + 1}>
      <Thead>
        <Tr>
          {headers.map((header) => (
            <Th key={header}>
              <Typography variant="sigma">{header}</Typography>
            </Th>
          ))}
        </Tr>
      </Thead>
      <Tbody>
        {rows.map((cells, i) => (
          <Tr key={i}>
            {cells.map((cell, j) => (
              <Td key={j}>{typeof cell === 'string' || typeof cell === 'number' ? <Typography>{cell}</Typography> : cell}</Td>
            ))}
          </Tr>
        ))}
      </Tbody>
    </Table>
  );
}

/** One member's card: profile, totals, bookings, money, tickets, referrals and notes, with the staff actions. */
export const MemberCard = () => {
  const { documentId = '' } = useParams<{ documentId: string }>();
  const intl = useIntl();
  const { formatMessage } = intl;
  const t: Translate = (key, defaultMessage, values) => formatMessage({ id: getTranslation(`members.${key}`), defaultMessage }, values);
  const { answer, error, loading, reload } = useMemberCard(documentId);
  const may = useMemberPermissions();
  const { run, pending } = useMemberAction(documentId);
  const { toggleNotification } = useNotification();
  const [dialog, setDialog] = useState<'ban' | 'unban' | 'message' | null>(null);
  const [note, setNote] = useState('');
  const [noteError, setNoteError] = useState<string | null>(null);

  if (loading && !answer) return <Page.Loading />;
  if (error || !answer) {
    return (
      <Page.Main>
        <Layouts.Header
          title={t('card.title', 'Member card')}
          navigationAction={
            <Link tag={RouterLink} to=".." startIcon={<ArrowLeft />}>
              {t('card.back', 'Back to members')}
            </Link>
          }
        />
        <Layouts.Content>
          <Typography textColor="danger600" role="alert">
            {error?.status === 404 ? t('card.notFound', 'No member has this id.') : (error?.message ?? '')}
          </Typography>
        </Layouts.Content>
      </Page.Main>
    );
  }

  const { data, meta } = answer;
  const { profile, totals } = data;
  const timeZone = meta.timeZone;
  const money = (kopecks: number, currency: string = totals.currency) => formatMoney(intl, kopecks, currency);
  const name = memberName(profile, t('unnamed', 'No name yet'));
  const yes = t('yes', 'yes');
  const no = t('no', 'no');

  const act = async (action: 'ban' | 'unban' | 'message', text: string): Promise<string | null> => {
    const outcome = await run(action, action === 'message' ? { text } : { reason: text });
    if (!outcome.ok) return outcome.message;
    setDialog(null);
    toggleNotification({
      type: 'success',
      message:
        action === 'ban'
          ? t('ban.done', 'The member is banned. The bot tells them once when they write.')
          : action === 'unban'
            ? t('unban.done', 'The member may use the bot again.')
            : t('message.done', 'The message is queued; the bot sends it in a moment.'),
    });
    reload();
    return null;
  };

  const addNote = async () => {
    const body = note.trim();
    if (!body) return setNoteError(t('dialog.required', 'This field is required.'));
    if (Array.from(body).length > NOTE_MAX) return setNoteError(t('dialog.tooLong', 'At most {max} characters.', { max: NOTE_MAX }));
    const outcome = await run('notes', { body });
    if (!outcome.ok) return setNoteError(outcome.message);
    setNote('');
    setNoteError(null);
    reload();
  };

  const unreachable = !profile.telegramId
    ? t('message.noTelegram', 'No Telegram account is linked: the bot cannot write to this member.')
    : profile.botBlocked
      ? t('message.botBlocked', 'The member has blocked the bot.')
      : profile.isBanned || profile.blocked
        ? t('message.banned', 'The bot does not write to banned members.')
        : null;

  const stateBadges = (Object.entries(totals.bookings.byState) as [keyof MemberCardData['totals']['bookings']['byState'], number][])
    .filter(([, count]) => count > 0)
    .map(([state, count]) => (
      <Badge key={state} variant={stateVariant(state)}>
        {`${stateLabel(formatMessage, state)}: ${count}`}
      </Badge>
    ));

  return (
    <Page.Main>
      <Page.Title>{name}</Page.Title>
      <div data-testid="member-card" data-document-id={profile.documentId}>
        <Layouts.Header
          title={name}
          subtitle={[profile.phone, profile.telegramUsername ? `@${profile.telegramUsername}` : null, profile.email].filter(Boolean).join(' · ')}
          navigationAction={
            <Link tag={RouterLink} to=".." startIcon={<ArrowLeft />}>
              {t('card.back', 'Back to members')}
            </Link>
          }
          primaryAction={
            <Flex gap={2}>
              {may.message && (
                <Button
                  variant="secondary"
                  data-testid="member-message"
                  disabled={Boolean(unreachable)}
                  title={unreachable ?? undefined}
                  onClick={() => setDialog('message')}
                >
                  {t('message.button', 'Send a message')}
                </Button>
              )}
              {may.ban &&
                (profile.isBanned ? (
                  <Button variant="success-light" data-testid="member-ban" onClick={() => setDialog('unban')}>
                    {t('unban.button', 'Unban')}
                  </Button>
                ) : (
                  <Button variant="danger-light" data-testid="member-ban" onClick={() => setDialog('ban')}>
                    {t('ban.button', 'Ban')}
                  </Button>
                ))}
            </Flex>
          }
        />
        <Layouts.Content>
          <Flex direction="column" alignItems="stretch" gap={6}>
            {profile.isBanned && (
              <Box background="danger100" padding={4} hasRadius borderColor="danger200">
                <Typography textColor="danger700" fontWeight="semiBold">
                  {t('banned.since', 'Banned since {when}', { when: formatDateTime(intl, profile.bannedAt, timeZone) })}
                </Typography>
                {profile.banReason && <Typography textColor="danger700">{` — ${profile.banReason}`}</Typography>}
              </Box>
            )}

            <Section title={t('totals.title', 'Totals')}>
              <Grid.Root gap={4}>
                <Grid.Item col={3} s={6} xs={12}>
                  <Fact label={t('totals.bookings', 'Bookings')}>{totals.bookings.total}</Fact>
                </Grid.Item>
                <Grid.Item col={3} s={6} xs={12}>
                  <Fact label={t('totals.paid', 'Paid')}>{money(totals.paidTotal)}</Fact>
                </Grid.Item>
                <Grid.Item col={3} s={6} xs={12}>
                  <Fact label={t('totals.refunded', 'Refunded')}>
                    {money(totals.refundedTotal)}
                    {totals.refundPendingTotal > 0 ? ` ${t('totals.refundPending', '(+{amount} pending)', { amount: money(totals.refundPendingTotal) })}` : ''}
                  </Fact>
                </Grid.Item>
                <Grid.Item col={3} s={6} xs={12}>
                  <Fact label={t('totals.net', 'Net spend')}>{money(totals.netSpend)}</Fact>
                </Grid.Item>
                <Grid.Item col={3} s={6} xs={12}>
                  <Fact label={t('totals.lastVisit', 'Last visit')}>{formatDate(intl, totals.lastVisitAt, timeZone)}</Fact>
                </Grid.Item>
                <Grid.Item col={3} s={6} xs={12}>
                  <Fact label={t('totals.referrals', 'Referrals')}>{totals.referralsCount}</Fact>
                </Grid.Item>
                <Grid.Item col={6} s={12}>
                  <Flex gap={2} wrap="wrap">
                    {stateBadges.length > 0 ? stateBadges : <Empty>{t('bookings.none', 'No bookings yet.')}</Empty>}
                  </Flex>
                </Grid.Item>
              </Grid.Root>
            </Section>

            <Section title={t('profile.title', 'Profile')}>
              <Grid.Root gap={4}>
                <Grid.Item col={4} s={6} xs={12}>
                  <Fact label={t('profile.fullName', 'Full name')}>{profile.fullName ?? '—'}</Fact>
                </Grid.Item>
                <Grid.Item col={4} s={6} xs={12}>
                  <Fact label={t('profile.phone', 'Phone')}>{profile.phone ?? '—'}</Fact>
                </Grid.Item>
                <Grid.Item col={4} s={6} xs={12}>
                  <Fact label={t('profile.email', 'E-mail')}>{profile.email ?? '—'}</Fact>
                </Grid.Item>
                <Grid.Item col={4} s={6} xs={12}>
                  <Fact label={t('profile.telegram', 'Telegram')}>
                    {[profile.telegramUsername ? `@${profile.telegramUsername}` : null, profile.telegramId ? `id ${profile.telegramId}` : null]
                      .filter(Boolean)
                      .join(', ') || '—'}
                  </Fact>
                </Grid.Item>
                <Grid.Item col={4} s={6} xs={12}>
                  <Fact label={t('profile.language', 'Language')}>{profile.language === 'en' ? 'English' : 'Русский'}</Fact>
                </Grid.Item>
                <Grid.Item col={4} s={6} xs={12}>
                  <Fact label={t('profile.registeredAt', 'Registered')}>{formatDateTime(intl, profile.registeredAt ?? profile.createdAt, timeZone)}</Fact>
                </Grid.Item>
                <Grid.Item col={4} s={6} xs={12}>
                  <Fact label={t('profile.consents', 'Consents')}>
                    {t('profile.consentTerms', 'terms: {value}', { value: profile.consentTerms ? yes : no })}
                    {', '}
                    {t('profile.consentMarketing', 'newsletters: {value}', { value: profile.consentMarketing ? yes : no })}
                  </Fact>
                </Grid.Item>
                <Grid.Item col={4} s={6} xs={12}>
                  <Fact label={t('profile.referralCode', 'Referral code')}>{profile.referralCode ?? '—'}</Fact>
                </Grid.Item>
                <Grid.Item col={4} s={6} xs={12}>
                  <Fact label={t('profile.referrer', 'Invited by')}>
                    {profile.referrer ? (
                      <Link tag={RouterLink} to={`../${profile.referrer.documentId}`}>
                        {memberName({ ...profile.referrer, telegramId: null }, t('unnamed', 'No name yet'))}
                      </Link>
                    ) : (
                      '—'
                    )}
                  </Fact>
                </Grid.Item>
                <Grid.Item col={4} s={6} xs={12}>
                  <Fact label={t('profile.bot', 'Bot')}>
                    {profile.botBlocked
                      ? t('profile.botBlocked', 'blocked the bot on {when}', { when: formatDate(intl, profile.botBlockedAt, timeZone) })
                      : t('profile.botOk', 'reachable')}
                  </Fact>
                </Grid.Item>
              </Grid.Root>
            </Section>

            <Tabs.Root defaultValue="bookings">
              <Tabs.List aria-label={t('tabs.label', 'Member records')}>
                <Tabs.Trigger value="bookings">{t('tabs.bookings', 'Bookings')}</Tabs.Trigger>
                <Tabs.Trigger value="money">{t('tabs.money', 'Payments and refunds')}</Tabs.Trigger>
                <Tabs.Trigger value="tickets">{t('tabs.tickets', 'Tickets')}</Tabs.Trigger>
                <Tabs.Trigger value="referrals">{t('tabs.referrals', 'Referrals')}</Tabs.Trigger>
                <Tabs.Trigger value="notes">{t('tabs.notes', 'Notes ({count})', { count: totals.notesCount })}</Tabs.Trigger>
              </Tabs.List>

              <Tabs.Content value="bookings">
                <Box background="neutral0" padding={6} shadow="tableShadow" hasRadius>
                  {data.bookings.length === 0 ? (
                    <Empty>{t('bookings.none', 'No bookings yet.')}</Empty>
                  ) : (
                    <SimpleTable
                      headers={[t('bookings.when', 'When'), t('bookings.resource', 'Resource'), t('bookings.tariff', 'Tariff'), t('bookings.state', 'State'), t('bookings.price', 'Price')]}
                      rows={data.bookings.map((booking) => [
                        may.calendar && booking.localDate ? (
                          <Link tag={RouterLink} to={`${DESK}/calendar?date=${booking.localDate}&booking=${booking.documentId}`}>
                            {formatInterval(intl, booking.startAt, booking.endAt, timeZone)}
                          </Link>
                        ) : (
                          formatInterval(intl, booking.startAt, booking.endAt, timeZone)
                        ),
                        booking.resource?.name ?? '—',
                        booking.tariff?.name ?? '—',
                        <Badge variant={stateVariant(booking.state)}>{stateLabel(formatMessage, booking.state)}</Badge>,
                        money(booking.priceTotal, booking.currency),
                      ])}
                    />
                  )}
                </Box>
              </Tabs.Content>

              <Tabs.Content value="money">
                <Flex direction="column" alignItems="stretch" gap={4} background="neutral0" padding={6} shadow="tableShadow" hasRadius>
                  <Typography variant="delta" tag="h3">
                    {t('payments.title', 'Payments')}
                  </Typography>
                  {data.payments.length === 0 ? (
                    <Empty>{t('payments.none', 'No payments.')}</Empty>
                  ) : (
                    <SimpleTable
                      headers={[t('payments.date', 'Date'), t('payments.amount', 'Amount'), t('payments.state', 'State'), t('payments.provider', 'How')]}
                      rows={data.payments.map((payment) => [
                        formatDateTime(intl, payment.paidAt ?? payment.createdAt, timeZone),
                        money(payment.amount, payment.currency),
                        t(`payment.state.${payment.state}`, payment.state),
                        payment.provider === 'manual' ? t('payments.manual', 'at the desk') : t('payments.online', 'online'),
                      ])}
                    />
                  )}
                  <Typography variant="delta" tag="h3">
                    {t('refunds.title', 'Refunds')}
                  </Typography>
                  {data.refunds.length === 0 ? (
                    <Empty>{t('refunds.none', 'No refunds.')}</Empty>
                  ) : (
                    <SimpleTable
                      headers={[t('payments.date', 'Date'), t('payments.amount', 'Amount'), t('payments.state', 'State'), t('refunds.reason', 'Reason')]}
                      rows={data.refunds.map((refund) => [
                        formatDateTime(intl, refund.createdAt, timeZone),
                        money(refund.amount, refund.currency),
                        t(`refund.state.${refund.state}`, refund.state),
                        refund.reason ?? '—',
                      ])}
                    />
                  )}
                </Flex>
              </Tabs.Content>

              <Tabs.Content value="tickets">
                <Box background="neutral0" padding={6} shadow="tableShadow" hasRadius>
                  {data.tickets.length === 0 ? (
                    <Empty>{t('tickets.none', 'No tickets.')}</Empty>
                  ) : (
                    <SimpleTable
                      headers={[t('tickets.subject', 'Subject'), t('tickets.state', 'State'), t('tickets.lastMessage', 'Last message')]}
                      rows={data.tickets.map((ticket) => [
                        may.inbox ? (
                          <Link tag={RouterLink} to={`${DESK}/inbox/${ticket.documentId}`}>
                            {ticket.subject}
                          </Link>
                        ) : (
                          ticket.subject
                        ),
                        t(`ticket.state.${ticket.state}`, ticket.state),
                        ticket.lastMessage
                          ? `${ticket.lastMessage.authorType === 'staff' ? t('tickets.staff', 'Staff') : t('tickets.member', 'Member')} · ${formatDateTime(intl, ticket.lastMessage.createdAt, timeZone)}: ${ticket.lastMessage.body}`
                          : '—',
                      ])}
                    />
                  )}
                </Box>
              </Tabs.Content>

              <Tabs.Content value="referrals">
                <Box background="neutral0" padding={6} shadow="tableShadow" hasRadius>
                  {data.referrals.length === 0 ? (
                    <Empty>{t('referrals.none', 'Nobody joined through this member yet.')}</Empty>
                  ) : (
                    <SimpleTable
                      headers={[t('referrals.name', 'Member'), t('referrals.registeredAt', 'Registered')]}
                      rows={data.referrals.map((referral) => [
                        <Link tag={RouterLink} to={`../${referral.documentId}`}>
                          {memberName({ ...referral, telegramId: null }, t('unnamed', 'No name yet'))}
                        </Link>,
                        formatDate(intl, referral.registeredAt, timeZone),
                      ])}
                    />
                  )}
                </Box>
              </Tabs.Content>

              <Tabs.Content value="notes">
                <Flex direction="column" alignItems="stretch" gap={4} background="neutral0" padding={6} shadow="tableShadow" hasRadius>
                  {may.notes && (
                    <Flex direction="column" alignItems="stretch" gap={2}>
                      <Field.Root name="note" error={noteError ?? undefined} hint={t('notes.hint', 'Only staff see notes.')}>
                        <Field.Label>{t('notes.label', 'New note')}</Field.Label>
                        <Textarea
                          value={note}
                          data-testid="member-note-input"
                          onChange={(event: React.ChangeEvent<HTMLTextAreaElement>) => {
                            setNote(event.target.value);
                            setNoteError(null);
                          }}
                        />
                        <Field.Hint />
                        <Field.Error />
                      </Field.Root>
                      <Box>
                        <Button loading={pending === 'notes'} onClick={() => void addNote()} data-testid="member-note-add">
                          {t('notes.add', 'Add note')}
                        </Button>
                      </Box>
                    </Flex>
                  )}
                  {data.notes.length === 0 ? (
                    <Empty>{t('notes.none', 'No notes yet.')}</Empty>
                  ) : (
                    data.notes.map((item) => (
                      <Box key={item.documentId} padding={4} background="neutral100" hasRadius>
                        <Typography variant="pi" textColor="neutral600">
                          {`${item.authorLabel ?? '—'} · ${formatDateTime(intl, item.createdAt, timeZone)}`}
                        </Typography>
                        <Box paddingTop={1}>
                          <Typography style={{ whiteSpace: 'pre-wrap' }}>{item.body}</Typography>
                        </Box>
                      </Box>
                    ))
                  )}
                </Flex>
              </Tabs.Content>
            </Tabs.Root>
          </Flex>
        </Layouts.Content>
      </div>

      {dialog === 'ban' && (
        <TextDialog
          testId="member-ban-dialog"
          title={t('ban.title', 'Ban {name}', { name })}
          description={t('ban.description', 'The member can no longer use the bot or the app; the bot tells them once, with the staff contacts. The reason stays in the audit log.')}
          label={t('ban.reason', 'Reason')}
          submitLabel={t('ban.button', 'Ban')}
          max={REASON_MAX}
          danger
          busy={pending === 'ban'}
          onClose={() => setDialog(null)}
          onSubmit={(text) => act('ban', text)}
        />
      )}
      {dialog === 'unban' && (
        <TextDialog
          testId="member-unban-dialog"
          title={t('unban.title', 'Unban {name}', { name })}
          description={t('unban.description', 'The member may use the bot and the app again.')}
          label={t('ban.reason', 'Reason')}
          submitLabel={t('unban.button', 'Unban')}
          max={REASON_MAX}
          busy={pending === 'unban'}
          onClose={() => setDialog(null)}
          onSubmit={(text) => act('unban', text)}
        />
      )}
      {dialog === 'message' && (
        <TextDialog
          testId="member-message-dialog"
          title={t('message.title', 'Message to {name}', { name })}
          description={t('message.description', 'Sent through the bot as plain text, under the header "A message from the staff" in the member\'s language.')}
          label={t('message.text', 'Text')}
          submitLabel={t('message.send', 'Send')}
          max={MESSAGE_MAX}
          busy={pending === 'message'}
          onClose={() => setDialog(null)}
          onSubmit={(text) => act('message', text)}
        />
      )}
    </Page.Main>
  );
};
