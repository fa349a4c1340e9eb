/** Small pieces the list, the newsletter view and its results share: alerts, loaders, headings, paging, badges. */
import { Badge, Box, Button, Flex, Loader, Th, Typography } from '@strapi/design-system';
import { stateLabel, stateVariant, useT, type Translate } from './labels';
import type { NewsletterState, Pagination } from './types';

/** A red box with a message a person understands (role alert). */
export const AlertBox = ({ children, testId }: { children: React.ReactNode; testId?: string }) => (
  <Box padding={4} background="danger100" hasRadius role="alert" data-testid={testId}>
    <Typography textColor="danger700">{children}</Typography>
  </Box>
);

/** A centred loader with its text. */
export const LoadingBlock = ({ children, padding = 8 }: { children: React.ReactNode; padding?: 6 | 8 }) => (
  <Flex justifyContent="center" padding={padding}>
    <Loader>{children}</Loader>
  </Flex>
);

/** A table column heading. */
export const ColumnHead = ({ children }: { children: React.ReactNode }) => (
  <Th>
    <Typography variant="sigma">{children}</Typography>
  </Th>
);

/** A newsletter's state as a coloured badge. */
export const StateBadge = ({ state, testId, dataState }: { state: NewsletterState; testId: string; dataState?: boolean }) => {
  const { t } = useT();
  return (
    <Badge variant={stateVariant(state)} data-testid={testId} data-state={dataState ? state : undefined}>
      {stateLabel(t, state)}
    </Badge>
  );
};

/** The options of a filter, led by "All" (the empty value). */
export const withAll = (t: Translate, options: Array<{ value: string; label: string }>) => [{ value: '', label: t('list.filter.all', 'All') }, ...options];

/** Previous / Page n of m / Next, shown when there is more than one page. `page` is the page asked for. */
export const Pager = ({ pagination, page = pagination?.page ?? 1, onPage }: { pagination: Pagination | undefined; page?: number; onPage: (page: number) => void }) => {
  const { t } = useT();
  if (!pagination || pagination.pageCount <= 1) return null;
  return (
    <Flex gap={2} justifyContent="flex-end">
      <Button variant="tertiary" disabled={page <= 1} onClick={() => onPage(page - 1)}>
        {t('page.previous', 'Previous')}
      </Button>
      <Typography>{t('page.of', 'Page {page} of {pageCount}', { page: pagination.page, pageCount: pagination.pageCount })}</Typography>
      <Button variant="tertiary" disabled={page >= pagination.pageCount} onClick={() => onPage(page + 1)}>
        {t('page.next', 'Next')}
      </Button>
    </Flex>
  );
};
