import { useEffect, useState } from 'react';
import { useNavigate, useSearchParams } from 'react-router-dom';
import { Box, Button, Flex, Searchbar, Table, Tbody, Td, Thead, Tr, Typography } from '@strapi/design-system';
import { Plus } from '@strapi/icons';
import { Layouts, Page } from '@strapi/strapi/admin';
import { formatWhen } from '../../time';
import { useNewsletterPermissions, useNewsletters, useSettings } from './hooks';
import { audienceSummary, channelLabel, stateLabel, useT } from './labels';
import { LabelledSelect } from './LabelledSelect';
import { AlertBox, ColumnHead, LoadingBlock, Pager, StateBadge, withAll } from './parts';
import { NEWSLETTER_STATES, type NewsletterView } from './types';

const PAGE_SIZE = 20;
const SEARCH_DELAY_MS = 300;

/** The line of dates of a newsletter: when it went or will go, else when it was made. */
function whenOf(newsletter: NewsletterView): { key: string; fallback: string; at: string | null } {
  if (newsletter.finishedAt) return { key: 'when.finished', fallback: 'Finished', at: newsletter.finishedAt };
  if (newsletter.startedAt) return { key: 'when.started', fallback: 'Started', at: newsletter.startedAt };
  if (newsletter.scheduledAt) return { key: 'when.scheduled', fallback: 'Scheduled for', at: newsletter.scheduledAt };
  return { key: 'when.created', fallback: 'Created', at: newsletter.createdAt };
}

/** The history of all newsletters with their counters, newest first; a filter by state. */
export const HistoryList = () => {
  const { t, locale } = useT();
  const navigate = useNavigate();
  const permissions = useNewsletterPermissions();
  const [params, setParams] = useSearchParams();
  const filters = { state: params.get('state') ?? '', q: params.get('q') ?? '', page: Math.max(1, Number(params.get('page')) || 1), pageSize: PAGE_SIZE };
  const [typed, setTyped] = useState(filters.q);
  const { answer, error, loading } = useNewsletters(filters);
  const { settings } = useSettings();
  const timeZone = settings?.timeZone ?? 'Europe/Moscow';

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

  return (
    <Page.Main>
      <Page.Title>{t('title', 'Newsletters')}</Page.Title>
      <Layouts.Header
        title={t('title', 'Newsletters')}
        subtitle={t('subtitle', 'Telegram broadcasts and e-mail campaigns to members')}
        primaryAction={
          permissions.manage ? (
            <Button startIcon={<Plus />} onClick={() => navigate('new')} data-testid="newsletter-new">
              {t('list.new', 'New newsletter')}
            </Button>
          ) : undefined
        }
      />
      <Layouts.Content>
        <Flex direction="column" alignItems="stretch" gap={4}>
          <Flex gap={4} wrap="wrap" alignItems="flex-end">
            <Box minWidth="20rem">
              <Searchbar
                name="q"
                value={typed}
                placeholder={t('list.search.placeholder', 'Title')}
                onChange={(event: React.ChangeEvent<HTMLInputElement>) => setTyped(event.target.value)}
                onClear={() => setTyped('')}
                clearLabel={t('list.search.clear', 'Clear')}
              >
                {t('list.search.label', 'Search newsletters')}
              </Searchbar>
            </Box>
            <LabelledSelect
              label={t('list.filter.state', 'Status')}
              testId="newsletter-filter-state"
              value={filters.state}
              onChange={(value) => setFilter('state', value)}
              options={withAll(t, NEWSLETTER_STATES.map((state) => ({ value: state, label: stateLabel(t, state) })))}
            />
          </Flex>

          {error && <AlertBox>{error}</AlertBox>}
          {loading && !answer ? (
            <LoadingBlock>{t('list.loading', 'Loading newsletters…')}</LoadingBlock>
          ) : answer && answer.data.length === 0 ? (
            <Box padding={8} background="neutral0" hasRadius shadow="tableShadow" data-testid="newsletter-empty">
              <Typography>
                {filters.state || filters.q
                  ? t('list.emptyFiltered', 'No newsletters match these filters.')
                  : permissions.manage
                    ? t('list.empty', 'No newsletters yet. Press "New newsletter" to write the first one.')
                    : t('list.emptyReadOnly', 'No newsletters yet.')}
              </Typography>
            </Box>
          ) : answer ? (
            <Table colCount={6} rowCount={answer.data.length + 1}>
              <Thead>
                <Tr>
                  <ColumnHead>{t('column.title', 'Title')}</ColumnHead>
                  <ColumnHead>{t('column.state', 'Status')}</ColumnHead>
                  <ColumnHead>{t('column.channels', 'Channels')}</ColumnHead>
                  <ColumnHead>{t('column.audience', 'Audience')}</ColumnHead>
                  <ColumnHead>{t('column.counters', 'Sent / failed / blocked of total')}</ColumnHead>
                  <ColumnHead>{t('column.when', 'When')}</ColumnHead>
                </Tr>
              </Thead>
              <Tbody>
                {answer.data.map((newsletter) => {
                  const when = whenOf(newsletter);
                  const c = newsletter.counters;
                  return (
                    <Tr
                      key={newsletter.documentId}
                      data-testid="newsletter-row"
                      data-document-id={newsletter.documentId}
                      onClick={() => navigate(newsletter.documentId)}
                      style={{ cursor: 'pointer' }}
                    >
                      <Td>
                        <Typography fontWeight="bold" ellipsis>
                          {newsletter.title}
                        </Typography>
                      </Td>
                      <Td>
                        <StateBadge state={newsletter.state} testId="newsletter-row-state" />
                      </Td>
                      <Td>
                        <Typography>{newsletter.channels.map((channel) => channelLabel(t, channel)).join(', ')}</Typography>
                      </Td>
                      <Td>
                        <Box maxWidth="20rem">
                          <Typography ellipsis>{audienceSummary(t, locale, newsletter.audience)}</Typography>
                        </Box>
                      </Td>
                      <Td>
                        <Typography data-testid="newsletter-row-counters">
                          {c.total > 0
                            ? t('list.counters', '{sent} / {failed} / {blocked} of {total}', { sent: c.sent, failed: c.failed, blocked: c.blocked, total: c.total })
                            : '—'}
                        </Typography>
                      </Td>
                      <Td>
                        <Typography variant="pi" textColor="neutral600">
                          {t(when.key, when.fallback)} {formatWhen(when.at, locale, timeZone)}
                        </Typography>
                      </Td>
                    </Tr>
                  );
                })}
              </Tbody>
            </Table>
          ) : null}

          <Pager pagination={answer?.meta.pagination} onPage={(page) => setFilter('page', String(page))} />
        </Flex>
      </Layouts.Content>
    </Page.Main>
  );
};
