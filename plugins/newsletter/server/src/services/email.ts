/**
 * The e-mail channel (docs/NEWSLETTERS.md, E-mail): renders one newsletter for one delivery (domain/email-render)
 * and sends it through Strapi's email plugin (the nodemailer provider with SMTP_*; config/plugins.ts). The
 * dispatcher calls `send` after its e-mail rate limiter and records the outcome.
 *
 * Every e-mail carries `List-Unsubscribe` (the signed unsubscribe URL) and `List-Unsubscribe-Post:
 * List-Unsubscribe=One-Click` (RFC 8058), and a Message-ID fixed per delivery (`<nl.<newsletter>.<delivery>@<from
 * domain>>`): a resend of the same delivery after a crash carries the same id, which receiving servers may use to
 * drop the duplicate. That id is the delivery's providerMessageId.
 */
import type { Core } from '@strapi/strapi';
import { readSettings } from '../config';
import { isDeliverableAddress, renderEmail, type RenderedEmail, type TrackingUrls } from '../domain/email-render';
import { classifySmtpError, describeSmtpError } from '../domain/smtp-errors';
import type { DeliveryRow, Language, NewsletterContent, RecipientVars, SendOutcome } from '../types';

interface MailOptions {
  to: string;
  from?: string;
  subject: string;
  html: string;
  text: string;
  headers: Record<string, string>;
  messageId: string;
}

interface EmailPluginService {
  send(options: MailOptions): Promise<unknown>;
}

interface TrackingService {
  urls(deliveryId: number): TrackingUrls;
  hasMarketingConsent(memberId: number): Promise<boolean>;
}

export interface TestSendResult {
  ok: boolean;
  messageId?: string;
  error?: string;
}

/** The domain part of an address like `Name <news@example.com>` or `news@example.com`, or null. */
function domainOf(address: string | null): string | null {
  const match = /@([A-Za-z0-9.-]+)>?\s*$/.exec(address ?? '');
  return match ? match[1].toLowerCase() : null;
}

export default ({ strapi }: { strapi: Core.Strapi }) => {
  const settings = readSettings(process.env);
  const from = settings.email.from ?? undefined;
  const messageDomain = domainOf(settings.email.from) ?? (() => {
    try {
      return new URL(settings.publicUrl).hostname || 'localhost';
    } catch {
      return 'localhost';
    }
  })();

  const tracking = () => strapi.plugin('newsletter').service('tracking') as TrackingService;
  const mailer = () => strapi.plugin('email').service('email') as EmailPluginService;

  const headersFor = (unsubscribeUrl: string, extra: Record<string, string> = {}): Record<string, string> => ({
    'List-Unsubscribe': `<${unsubscribeUrl}>`,
    'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
    ...extra,
  });

  /** Sends and answers the Message-ID the server accepted (ours, unless the transport changed it). */
  async function deliver(to: string, rendered: RenderedEmail, urls: TrackingUrls, messageId: string, extra?: Record<string, string>) {
    const info = (await mailer().send({
      to,
      ...(from ? { from } : {}),
      subject: rendered.subject,
      html: rendered.html,
      text: rendered.text,
      headers: headersFor(urls.unsubscribe, extra),
      messageId,
    })) as { messageId?: unknown } | undefined;
    return typeof info?.messageId === 'string' && info.messageId !== '' ? info.messageId : messageId;
  }

  return {
    /** On when SMTP_HOST (or EMAIL_PROVIDER) is set. */
    enabled(): boolean {
      return settings.email.enabled;
    },

    /** Sends the newsletter to one e-mail delivery. Never throws: every problem is an outcome. */
    async send(delivery: DeliveryRow, content: NewsletterContent, vars: RecipientVars): Promise<SendOutcome> {
      if (!settings.email.enabled) return { kind: 'failed', code: 'channel_off', error: 'E-mail is not configured (SMTP_HOST is not set)' };
      const address = delivery.email?.trim() ?? '';
      if (!isDeliverableAddress(address)) return { kind: 'failed', code: 'no_address', error: 'The member has no usable e-mail address' };
      try {
        // A member who unsubscribed after the newsletter started gets no more marketing e-mail from it.
        if (!content.serviceNotice && !(await tracking().hasMarketingConsent(delivery.memberRef))) {
          return { kind: 'failed', code: 'unsubscribed', error: 'The member withdrew marketing consent' };
        }
        const urls = tracking().urls(delivery.id);
        const rendered = renderEmail({ content, language: delivery.language, vars, urls });
        const messageId = `<nl.${content.id}.${delivery.id}@${messageDomain}>`;
        const accepted = await deliver(address, rendered, urls, messageId);
        return { kind: 'sent', messageId: accepted };
      } catch (error) {
        return classifySmtpError(error);
      }
    },

    /** A test e-mail to `address` (no tracking: links go straight to their targets, no pixel). */
    async sendTest(address: string, content: NewsletterContent, vars: RecipientVars, language: Language): Promise<TestSendResult> {
      if (!settings.email.enabled) return { ok: false, error: 'E-mail is not configured (SMTP_HOST is not set)' };
      const to = address?.trim() ?? '';
      if (!isDeliverableAddress(to)) return { ok: false, error: `"${to}" is not an e-mail address that can be sent to` };
      try {
        const urls = tracking().urls(0);
        const rendered = renderEmail({ content, language, vars, urls });
        const messageId = `<nl.${content.id}.test.${Date.now().toString(36)}@${messageDomain}>`;
        const accepted = await deliver(to, rendered, urls, messageId, { 'X-Newsletter-Test': 'yes' });
        return { ok: true, messageId: accepted };
      } catch (error) {
        return { ok: false, error: describeSmtpError(error) };
      }
    },
  };
};
