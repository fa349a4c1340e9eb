import { Box, Flex, Typography } from '@strapi/design-system';

/** A white card with a heading, as the admin's edit views group their fields. */
export const Section = ({ title, children, testId }: { title: string; children: React.ReactNode; testId?: string }) => (
  <Box background="neutral0" padding={6} hasRadius shadow="tableShadow" data-testid={testId}>
    <Flex direction="column" alignItems="stretch" gap={4}>
      <Typography variant="delta" tag="h2">
        {title}
      </Typography>
      {children}
    </Flex>
  </Box>
);
