import { useEffect, useState } from 'react';
import { Box, Flex, Typography, Badge, Button } from '@strapi/design-system';
import { Layouts, Page, useFetchClient } from '@strapi/strapi/admin';

interface HealthReport {
  status: 'ok' | 'unavailable';
  checks: Record<string, 'up' | 'down'>;
}

const HealthPage = () => {
  const { get } = useFetchClient();
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
        title="System health"
        subtitle="Whether the API can reach what it depends on"
        primaryAction={<Button onClick={load}>Refresh</Button>}
      />
      <Layouts.Content>
        <Box background="neutral0" padding={6} shadow="filterShadow" hasRadius>
          {error && <Typography textColor="danger600">{error}</Typography>}
          {!report && !error && <Typography>Loading…</Typography>}
          {report && (
            <Flex direction="column" alignItems="stretch" gap={4}>
              <Typography variant="beta">
                Overall: <Badge active={report.status === 'ok'}>{report.status}</Badge>
              </Typography>
              {Object.entries(report.checks).map(([name, state]) => (
                <Flex key={name} gap={2}>
                  <Typography fontWeight="bold">{name}</Typography>
                  <Badge active={state === 'up'}>{state}</Badge>
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
