import { useEffect, useState } from 'react';
import { useIntl } from 'react-intl';
import { useNavigate, useSearchParams } from 'react-router-dom';
import { Badge, Box, Button, Flex, Loader, Searchbar, Table, Tbody, Td, Th, Thead, Tr, Typography } from '@strapi/design-system';
import { Layouts, Page } from '@strapi/strapi/admin';
import { useAssignees, useTickets } from './hooks';
import { formatWhen, inboxText, memberLabel, priorityLabel, priorityVariant, stateLabel, stateVariant } from './labels';
import { TICKET_PRIORITIES, TICKET_STATES, type StateFilter } from './types';
import { LabelledSelect } from './LabelledSelect';

const PAGE_SIZE = 25;
const SEARCH_DELAY_MS = 300;
/** The counters shown as tabs (a click filters by it; a second click shows everything again). */
const COUNTERS: StateFilter[] = ['open', 'in_progress', 'waiting'];


/** The ticket list: counters, filters (kept in the URL), urgent first then the newest activity. */
export const InboxList = () => {
  const { formatMessage, locale } = useIntl();
  const t = (key: string, defaultMessage: string, values?: Record<string, string | number>) => inboxText(formatMessage, key, defaultMessage, values);
  const navigate = useNavigate();
  const [params, setParams] = useSearchParams();
  const filters = {
    state: params.get('state') ?? '',
    priority: params.get('priority') ?? '',
    assignee: params.get('assignee') ?? '',
    q: params.get('q') ?? '',
    page: Math.max(1, Number(params.get('page')) || 1),
    pageSize: PAGE_SIZE,
  };
  const [typed, setTyped] = useState(filters.q);
  const assignees = useAssignees();
  const { answer, error, loading } = useTickets(filters);

  const setFilter = (name: string, value: string) => {
    const next = new URLSearchParams(params);
    if (value) next.set(name, value);
    else next.delete(name);
    if (name !== 'page') next.delete('page');
    setParams(next, { replace: true });
  };

  useEffect(() => {
    if (typed === filters.q) return undefined;
    const timer = setTimeout(() => setFilter('q', typed.trim()), SEARCH_DELAY_MS);
    return () => clearTimeout(timer);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [typed]);

  const counts = answer?.meta.counts;
  const pagination = answer?.meta.pagination;
  const noMember = t('member.unknown', 'Member');

  return (
    <Page.Main>
      <Page.Title>{t('title', 'Support inbox')}</Page.Title>
      <Layouts.Header title={t('title', 'Support inbox')} subtitle={t('subtitle', 'Member requests from the bot, urgent first')} />
      <Layouts.Content>
        <Flex direction="column" alignItems="stretch" gap={4}>
          <Flex gap={2} wrap="wrap">
            {COUNTERS.map((state) => (
              <Button
                key={state}
                variant={filters.state === state ? 'default' : 'tertiary'}
                onClick={() => setFilter('state', filters.state === state ? '' : state)}
                endIcon={
                  <Badge data-testid={`inbox-count-${state}`} active={filters.state === state}>
                    {counts ? counts[state] : '…'}
                  </Badge>
                }
              >
                {stateLabel(formatMessage, state)}
              </Button>
            ))}
          </Flex>

          <Flex gap={4} wrap="wrap" alignItems="flex-end">
            <Box minWidth="20rem">
              <Searchbar
                name="q"
                value={typed}
                placeholder={t('search.placeholder', 'Subject, member name or @username')}
                onChange={(event: React.ChangeEvent<HTMLInputElement>) => setTyped(event.target.value)}
                onClear={() => setTyped('')}
                clearLabel={t('search.clear', 'Clear')}
              >
                {t('search.label', 'Search tickets')}
              </Searchbar>
            </Box>
            <LabelledSelect
              label={t('filter.state', 'Status')}
              testId="inbox-filter-state"
              value={filters.state}
              onChange={(value) => setFilter('state', value)}
              options={[
                { value: '', label: t('filter.all', 'All') },
                ...[...TICKET_STATES.slice(0, 2), 'waiting' as const, ...TICKET_STATES.slice(2)].map((state) => ({ value: state, label: stateLabel(formatMessage, state) })),
              ]}
            />
            <LabelledSelect
              label={t('filter.priority', 'Priority')}
              testId="inbox-filter-priority"
              value={filters.priority}
              onChange={(value) => setFilter('priority', value)}
              options={[
                { value: '', label: t('filter.all', 'All') },
                ...TICKET_PRIORITIES.map((priority) => ({ value: priority, label: priorityLabel(formatMessage, priority) })),
              ]}
            />
            <LabelledSelect
              label={t('filter.assignee', 'Assignee')}
              testId="inbox-filter-assignee"
              value={filters.assignee}
              onChange={(value) => setFilter('assignee', value)}
              options={[
                { value: '', label: t('filter.all', 'All') },
                { value: 'me', label: t('filter.assignee.me', 'Assigned to me') },
                { value: 'none', label: t('filter.assignee.none', 'Not assigned') },
                ...assignees.map((user) => ({ value: String(user.id), label: user.name })),
              ]}
            />
          </Flex>

          {error && (
            <Box padding={4} background="danger100" hasRadius>
              <Typography textColor="danger700">{error}</Typography>
            </Box>
          )}
          {loading && !answer ? (
            <Flex justifyContent="center" padding={8}>
              <Loader>{t('loading', 'Loading tickets…')}</Loader>
            </Flex>
          ) : answer && answer.data.length === 0 ? (
            <Box padding={8} background="neutral0" hasRadius shadow="tableShadow">
              <Typography>{t('empty', 'No tickets match these filters.')}</Typography>
            </Box>
          ) : answer ? (
            <Table colCount={6} rowCount={answer.data.length + 1}>
              <Thead>
                <Tr>
                  <Th><Typography variant="sigma">{t('column.subject', 'Subject')}</Typography></Th>
                  <Th><Typography variant="sigma">{t('column.member', 'Member')}</Typography></Th>
                  <Th><Typography variant="sigma">{t('column.state', 'Status')}</Typography></Th>
                  <Th><Typography variant="sigma">{t('column.priority', 'Priority')}</Typography></Th>
                  <Th><Typography variant="sigma">{t('column.assignee', 'Assignee')}</Typography></Th>
                  <Th><Typography variant="sigma">{t('column.lastMessage', 'Last message')}</Typography></Th>
                </Tr>
              </Thead>
              <Tbody>
                {answer.data.map((ticket) => (
                  <Tr
                    key={ticket.documentId}
                    data-testid="inbox-ticket"
                    data-document-id={ticket.documentId}
                    onClick={() => navigate(ticket.documentId)}
                    style={{ cursor: 'pointer' }}
                  >
                    <Td>
                      <Flex direction="column" alignItems="flex-start" gap={1}>
                        <Typography fontWeight={ticket.unanswered ? 'bold' : 'regular'} ellipsis>
                          {ticket.subject}
                        </Typography>
                        {ticket.unanswered && <Badge active>{t('unanswered', 'Needs an answer')}</Badge>}
                      </Flex>
                    </Td>
                    <Td><Typography>{memberLabel(ticket.member, noMember)}</Typography></Td>
                    <Td><Badge variant={stateVariant(ticket.state)}>{stateLabel(formatMessage, ticket.state)}</Badge></Td>
                    <Td><Badge variant={priorityVariant(ticket.priority)}>{priorityLabel(formatMessage, ticket.priority)}</Badge></Td>
                    <Td><Typography textColor={ticket.assignee ? undefined : 'neutral500'}>{ticket.assignee?.name ?? t('assignee.none', 'Nobody')}</Typography></Td>
                    <Td>
                      <Flex direction="column" alignItems="flex-start" gap={1} maxWidth="24rem">
                        <Typography variant="pi" textColor="neutral600">
                          {formatWhen(locale, ticket.lastMessageAt)} ·{' '}
                          {ticket.lastAuthorType === 'staff' ? t('author.staff', 'Staff') : t('author.member', 'Member')}
                        </Typography>
                        <Typography variant="omega" ellipsis>{ticket.lastMessagePreview}</Typography>
                      </Flex>
                    </Td>
                  </Tr>
                ))}
              </Tbody>
            </Table>
          ) : null}

          {pagination && pagination.pageCount > 1 && (
            <Flex gap={2} justifyContent="flex-end">
              <Button variant="tertiary" disabled={pagination.page <= 1} onClick={() => setFilter('page', String(pagination.page - 1))}>
                {t('page.previous', 'Previous')}
              </Button>
              <Typography>{t('page.of', 'Page {page} of {pageCount}', { page: pagination.page, pageCount: pagination.pageCount })}</Typography>
              <Button variant="tertiary" disabled={pagination.page >= pagination.pageCount} onClick={() => setFilter('page', String(pagination.page + 1))}>
                {t('page.next', 'Next')}
              </Button>
            </Flex>
          )}
        </Flex>
      </Layouts.Content>
    </Page.Main>
  );
};
