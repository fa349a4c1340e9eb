import { useEffect, useState } from 'react';
import { useIntl } from 'react-intl';
import { Link as RouterLink, useNavigate, useSearchParams } from 'react-router-dom';
import { Badge, Box, Button, Flex, Link, Loader, Searchbar, Table, Tbody, Td, Th, Thead, Tr, Typography } from '@strapi/design-system';
import { Layouts, Page } from '@strapi/strapi/admin';
import { getTranslation } from '../../pluginId';
import { memberName } from './format';
import { useMemberSearch } from './hooks';

const PAGE_SIZE = 20;
const SEARCH_DELAY_MS = 300;

/** The search list: name, phone, Telegram username or id, e-mail; the query and page live in the URL. */
export const MembersList = () => {
  const intl = useIntl();
  const { formatMessage } = intl;
  const navigate = useNavigate();
  const [params, setParams] = useSearchParams();
  const q = params.get('q') ?? '';
  const page = Math.max(1, Number(params.get('page')) || 1);
  const [typed, setTyped] = useState(q);

  // The URL follows the typing after a pause, so each keystroke does not cost a request.
  useEffect(() => {
    if (typed === q) return undefined;
    const timer = setTimeout(() => setParams(typed ? { q: typed } : {}, { replace: true }), SEARCH_DELAY_MS);
    return () => clearTimeout(timer);
  }, [typed, q, setParams]);

  const { answer, error, loading } = useMemberSearch(q, page, PAGE_SIZE);
  const pagination = answer?.meta.pagination;
  const t = (key: string, defaultMessage: string, values?: Record<string, string | number>) =>
    formatMessage({ id: getTranslation(`members.${key}`), defaultMessage }, values);
  const goTo = (next: number) => setParams({ ...(q ? { q } : {}), page: String(next) });
  const unnamed = t('unnamed', 'No name yet');

  return (
    <Page.Main>
      <Page.Title>{t('title', 'Members')}</Page.Title>
      <Layouts.Header
        title={t('title', 'Members')}
        subtitle={pagination ? t('count', '{total, plural, one {# member} other {# members}}', { total: pagination.total }) : undefined}
      />
      <Layouts.Content>
        <Flex direction="column" alignItems="stretch" gap={4}>
          <Box maxWidth="60rem">
            <Searchbar
              name="q"
              value={typed}
              data-testid="members-search"
              placeholder={t('search.placeholder', 'Name, phone, @username, Telegram id or e-mail')}
              onChange={(event: React.ChangeEvent<HTMLInputElement>) => setTyped(event.target.value)}
              onClear={() => setTyped('')}
              clearLabel={t('search.clear', 'Clear')}
            >
              {t('search.label', 'Search members')}
            </Searchbar>
          </Box>

          {error && (
            <Typography textColor="danger600" role="alert">
              {error}
            </Typography>
          )}

          {loading && !answer ? (
            <Loader>{t('loading', 'Loading…')}</Loader>
          ) : answer && answer.data.length === 0 ? (
            <Box padding={8} background="neutral0" hasRadius shadow="tableShadow">
              <Typography textColor="neutral600">{q ? t('empty.search', 'No member matches "{q}".', { q }) : t('empty', 'No members yet.')}</Typography>
            </Box>
          ) : answer ? (
            <Table colCount={5} rowCount={answer.data.length + 1}>
              <Thead>
                <Tr>
                  <Th>
                    <Typography variant="sigma">{t('column.name', 'Name')}</Typography>
                  </Th>
                  <Th>
                    <Typography variant="sigma">{t('column.phone', 'Phone')}</Typography>
                  </Th>
                  <Th>
                    <Typography variant="sigma">{t('column.telegram', 'Telegram')}</Typography>
                  </Th>
                  <Th>
                    <Typography variant="sigma">{t('column.telegramId', 'Telegram id')}</Typography>
                  </Th>
                  <Th>
                    <Typography variant="sigma">{t('column.status', 'Status')}</Typography>
                  </Th>
                </Tr>
              </Thead>
              <Tbody>
                {answer.data.map((member) => (
                  <Tr
                    key={member.documentId}
                    data-testid="members-row"
                    data-document-id={member.documentId}
                    onClick={() => navigate(member.documentId)}
                    style={{ cursor: 'pointer' }}
                  >
                    <Td>
                      <Link tag={RouterLink} to={member.documentId} onClick={(event: React.MouseEvent) => event.stopPropagation()}>
                        {memberName(member, unnamed)}
                      </Link>
                    </Td>
                    <Td>
                      <Typography>{member.phone ?? '—'}</Typography>
                    </Td>
                    <Td>
                      <Typography>{member.telegramUsername ? `@${member.telegramUsername}` : '—'}</Typography>
                    </Td>
                    <Td>
                      <Typography>{member.telegramId ?? '—'}</Typography>
                    </Td>
                    <Td>
                      {member.isBanned ? (
                        <Badge variant="danger">{t('status.banned', 'Banned')}</Badge>
                      ) : (
                        <Badge variant="success">{t('status.active', 'Active')}</Badge>
                      )}
                    </Td>
                  </Tr>
                ))}
              </Tbody>
            </Table>
          ) : null}

          {pagination && pagination.pageCount > 1 && (
            <Flex gap={2} justifyContent="flex-end" alignItems="center">
              <Button variant="tertiary" disabled={page <= 1} onClick={() => goTo(page - 1)}>
                {t('page.previous', 'Previous')}
              </Button>
              <Typography textColor="neutral600">
                {t('page.of', 'Page {page} of {pageCount}', { page, pageCount: pagination.pageCount })}
              </Typography>
              <Button variant="tertiary" disabled={page >= pagination.pageCount} onClick={() => goTo(page + 1)}>
                {t('page.next', 'Next')}
              </Button>
            </Flex>
          )}
        </Flex>
      </Layouts.Content>
    </Page.Main>
  );
};
