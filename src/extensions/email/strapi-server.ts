/**
 * The e-mail plugin, made safe until a real provider is configured:
 *
 * - `POST /api/email` is not served. It lets any full-access API token make the server send arbitrary mail
 *   (and answered 500 to a body without recipients); staff mail goes through our own features.
 * - Strapi's default provider, sendmail, delivers straight to the recipients' mail servers from this host. Unless
 *   `EMAIL_PROVIDER` names a provider or `SMTP_HOST` configures the nodemailer one (config/plugins.ts), every send
 *   fails with a clear error instead, so nothing (an admin's password-reset mail, say) is ever sent without a
 *   configured provider; callers log the failure.
 * - On shutdown a pooled SMTP transport closes its connections.
 */
import type { Core } from '@strapi/strapi';

interface EmailPluginServer {
  bootstrap: (deps: { strapi: Core.Strapi }) => Promise<void> | void;
  destroy?: (deps: { strapi: Core.Strapi }) => Promise<void> | void;
  routes: Record<string, unknown>;
}

/** Whether a provider is configured: EMAIL_PROVIDER, or SMTP_HOST for the nodemailer provider. */
export const emailConfigured = (env: NodeJS.ProcessEnv = process.env): boolean =>
  (env.EMAIL_PROVIDER ?? '').trim() !== '' || (env.SMTP_HOST ?? '').trim() !== '';

export class EmailNotConfiguredError extends Error {
  constructor() {
    super('E-mail is not configured (set SMTP_HOST, or EMAIL_PROVIDER and its settings): nothing was sent');
    this.name = 'EmailNotConfiguredError';
  }
}

export default (plugin: EmailPluginServer) => {
  plugin.routes['content-api'] = { type: 'content-api', routes: [] };

  const bootstrap = plugin.bootstrap;
  plugin.bootstrap = async ({ strapi }) => {
    await bootstrap({ strapi });
    if (!emailConfigured()) {
      const refuse = async () => {
        throw new EmailNotConfiguredError();
      };
      (strapi.plugin('email') as unknown as { provider: unknown }).provider = { send: refuse };
    }
  };
  const destroy = plugin.destroy;
  plugin.destroy = async ({ strapi }) => {
    await destroy?.({ strapi });
    const provider = (strapi.plugin('email') as unknown as { provider?: { close?: () => void } }).provider;
    try {
      provider?.close?.();
    } catch {
      // closing is best effort
    }
  };
  return plugin;
};
