import { Box, Flex, Link, Typography } from '@strapi/design-system';
import { Widget } from '@strapi/strapi/admin';
import type * as React from 'react';
import { useIntl } from 'react-intl';
import { Link as RouterLink } from 'react-router-dom';
import type { HomeData } from './types';
import { type HomeState, useHomeData } from './useHomeData';

export type WidgetName = 'today-bookings' | 'free-now' | 'revenue' | 'awaiting-approval' | 'open-tickets';

export const t = (key: string) => `booking-desk.home.${key}`;

/**
 * A widget's root (`data-testid="home-widget-<name>"`): the loading, error and no-permission states, or the
 * widget's content for its section of GET /booking-desk/home.
 */
export function HomeWidget<K extends keyof HomeData>({
  name,
  section,
  children,
}: {
  name: WidgetName;
  section: K;
  children: (section: NonNullable<HomeData[K]>, data: HomeData) => React.ReactNode;
}) {
  const state: HomeState = useHomeData();
  const { formatMessage } = useIntl();
  let body: React.ReactNode;
  if (state.status === 'loading') body = <Widget.Loading />;
  else if (state.status === 'error') body = <Widget.Error>{formatMessage({ id: t('error'), defaultMessage: 'Could not load the figures' })}</Widget.Error>;
  else if (state.data[section] === undefined) body = <Widget.NoPermissions />;
  else body = children(state.data[section] as NonNullable<HomeData[K]>, state.data);
  return (
    <Box data-testid={`home-widget-${name}`} width="100%" height="100%">
      {body}
    </Box>
  );
}

/** The widget's main figure (`data-testid="home-figure"`) with a caption under it. */
export function Figure({ value, caption, href }: { value: string; caption?: string; href?: string }) {
  const figure = (
    <Typography variant="alpha" tag="p" data-testid="home-figure">
      {value}
    </Typography>
  );
  return (
    <Flex direction="column" alignItems="flex-start" gap={1} paddingBottom={3}>
      {href ? (
        <Link tag={RouterLink} to={href}>
          {figure}
        </Link>
      ) : (
        figure
      )}
      {caption ? (
        <Typography variant="pi" textColor="neutral600">
          {caption}
        </Typography>
      ) : null}
    </Flex>
  );
}

export interface Row {
  key: string;
  href?: string;
  primary: string;
  secondary?: string;
  aside?: React.ReactNode;
}

/** Short list of the next items, each a link into the right page. */
export function Rows({ rows, empty }: { rows: Row[]; empty: string }) {
  if (rows.length === 0) {
    return (
      <Typography variant="omega" textColor="neutral600">
        {empty}
      </Typography>
    );
  }
  return (
    <Flex direction="column" alignItems="stretch" gap={2} tag="ul">
      {rows.map((row) => (
        <Flex key={row.key} tag="li" justifyContent="space-between" gap={2}>
          <Flex direction="column" alignItems="flex-start" minWidth={0}>
            {row.href ? (
              <Link tag={RouterLink} to={row.href}>
                <Typography variant="omega" fontWeight="semiBold" ellipsis>
                  {row.primary}
                </Typography>
              </Link>
            ) : (
              <Typography variant="omega" fontWeight="semiBold" ellipsis>
                {row.primary}
              </Typography>
            )}
            {row.secondary ? (
              <Typography variant="pi" textColor="neutral600" ellipsis>
                {row.secondary}
              </Typography>
            ) : null}
          </Flex>
          {row.aside ?? null}
        </Flex>
      ))}
    </Flex>
  );
}
