import { useEffect, useState } from 'react';
import { Box, Flex, Typography, Badge, Button } from '@strapi/design-system';
import { Layouts, Page, useFetchClient } from '@strapi/strapi/admin';
import { useIntl } from 'react-intl';

interface HealthReport {
  status: 'ok' | 'unavailable';
  checks: Record<string, 'up' | 'down'>;
}

const HealthPage = () => {
  const { get } = useFetchClient();
  const { formatMessage } = useIntl();
  const t = (id: string, defaultMessage: string) => formatMessage({ id: `monitoring.health.${id}`, defaultMessage });
  const [report, setReport] = useState<HealthReport | null>(null);
  const [error, setError] = useState<string | null>(null);

  const load = async () => {
    setError(null);
    try {
      const { data } = await get<HealthReport>('/monitoring/health');
      setReport(data);
    } catch (err) {
      // A 503 still carries the report in its body.
      const body = (err as { response?: { data?: HealthReport } }).response?.data;
      if (body?.checks) setReport(body);
      else setError((err as Error).message);
    }
  };

  useEffect(() => {
    load();
  }, []);

  return (
    <Page.Main>
      <Layouts.Header
        title={t('title', 'System health')}
        subtitle={t('subtitle', 'Whether the API can reach what it depends on')}
        primaryAction={<Button onClick={load}>{t('refresh', 'Refresh')}</Button>}
      />
      <Layouts.Content>
        <Box background="neutral0" padding={6} shadow="filterShadow" hasRadius>
          {error && <Typography textColor="danger600">{error}</Typography>}
          {!report && !error && <Typography>{t('loading', 'Checking…')}</Typography>}
          {report && (
            <Flex direction="column" alignItems="stretch" gap={4}>
              <Typography variant="beta">
                {t('overall', 'Overall:')} <Badge active={report.status === 'ok'}>{t(`status.${report.status}`, report.status)}</Badge>
              </Typography>
              {Object.entries(report.checks).map(([name, state]) => (
                <Flex key={name} gap={2}>
                  <Typography fontWeight="bold">{t(`check.${name}`, name)}</Typography>
                  <Badge active={state === 'up'}>{t(`check.${state}`, state)}</Badge>
                </Flex>
              ))}
            </Flex>
          )}
        </Box>
      </Layouts.Content>
    </Page.Main>
  );
};

export default HealthPage;
