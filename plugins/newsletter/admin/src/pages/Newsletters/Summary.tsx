import { Box, Flex, Typography } from '@strapi/design-system';
import { mediaUrl } from './MediaField';
import { audienceSummary, channelLabel, useT } from './labels';
import { Section } from './Section';
import type { NewsletterView } from './types';

const Block = ({ label, children }: { label: string; children: React.ReactNode }) => (
  <Box>
    <Typography variant="pi" fontWeight="bold" textColor="neutral600" display="block">
      {label}
    </Typography>
    {children}
  </Box>
);

const pre = { whiteSpace: 'pre-wrap' as const, fontFamily: 'inherit', margin: 0 };

/** A newsletter that has started, read-only: what was sent, to whom, on which channels. */
export const Summary = ({ newsletter }: { newsletter: NewsletterView; timeZone: string }) => {
  const { t, locale } = useT();
  return (
    <Section title={t('section.sentContent', 'What was sent')} testId="newsletter-summary">
      <Typography textColor="neutral600">{t('summary.readOnly', 'A newsletter that has started cannot be edited.')}</Typography>
      <Flex gap={6} wrap="wrap">
        <Block label={t('editor.channels', 'Channels')}>
          <Typography>{newsletter.channels.map((channel) => channelLabel(t, channel)).join(', ')}</Typography>
        </Block>
        <Block label={t('section.audience', 'Audience')}>
          <Typography>
            {audienceSummary(t, locale, newsletter.audience)}
            {newsletter.serviceNotice ? ` · ${t('audience.serviceNotice', 'Service notice')}` : ''}
          </Typography>
        </Block>
      </Flex>
      {newsletter.channels.includes('telegram') && (
        <Block label={t('section.telegram', 'Telegram message')}>
          <Box padding={3} background="neutral100" hasRadius>
            <pre style={pre}>{newsletter.body ?? ''}</pre>
          </Box>
          {newsletter.bodyEn && (
            <Box padding={3} background="neutral100" hasRadius marginTop={2}>
              <Typography variant="pi" textColor="neutral600">{t('editor.lang.en', 'English')}</Typography>
              <pre style={pre}>{newsletter.bodyEn}</pre>
            </Box>
          )}
          {newsletter.media.length > 0 && (
            <Flex gap={2} wrap="wrap" paddingTop={2}>
              {newsletter.media.map((item) => (
                <img key={item.id} src={mediaUrl(item.url)} alt={item.name} style={{ width: 96, height: 72, objectFit: 'cover', borderRadius: 4 }} />
              ))}
            </Flex>
          )}
          {newsletter.buttons.length > 0 && (
            <Typography variant="pi" display="block">
              {newsletter.buttons.map((button) => `[${button.text}] ${button.url}`).join(' · ')}
            </Typography>
          )}
        </Block>
      )}
      {newsletter.channels.includes('email') && (
        <Block label={t('section.email', 'E-mail')}>
          <Typography fontWeight="bold" display="block">
            {newsletter.subject}
          </Typography>
          <Box padding={3} background="neutral100" hasRadius>
            <pre style={pre}>{newsletter.emailHtml ?? ''}</pre>
          </Box>
        </Block>
      )}
    </Section>
  );
};
