/**
 * Signed, expiring links to ticket attachments for this server (domain/attachment-urls.ts holds the rules):
 * `strapi.service('api::ticket.attachment-urls')`. Used by the member API, by the upload plugin (so the admin's
 * media library and content manager show working links) and by the private-uploads middleware that checks them.
 */
import type { Core } from '@strapi/strapi';
import type { TicketAttachmentSettings } from '../../../../config/ticket-attachments';
import { signingSecrets, signUploadUrl, verifyUploadSignature, type SignatureVerdict } from '../domain/attachment-urls';

interface UploadProvider {
  extend(methods: Record<string, unknown>): void;
}

const extendedProviders = new WeakSet<object>();

const attachmentUrlsService = ({ strapi }: { strapi: Core.Strapi }) => {
  let secrets: Buffer[] | undefined;
  const keys = () => (secrets ??= signingSecrets((strapi.config.get('server.app.keys') as string[] | undefined) ?? []));
  const ttlSeconds = () => (strapi.config.get('ticket-attachments') as TicketAttachmentSettings).urlTtlSeconds;

  const sign = (url: string, nowMs = Date.now()): string => signUploadUrl(url, keys(), ttlSeconds(), nowMs);

  return {
    /** `url` signed when it is a private attachment of this server; any other URL unchanged. */
    sign,

    verify(canonicalPath: string, query: Record<string, unknown>, nowMs = Date.now()): SignatureVerdict {
      return verifyUploadSignature(canonicalPath, query, keys(), nowMs);
    },

    /**
     * Declares the upload provider private with our signer, so every file the upload plugin hands out (admin
     * media library, content manager, /api/upload) carries signed links for ticket attachments and plain ones
     * for everything else. Must run before the upload plugin's bootstrap, which installs the Document Service
     * signing only for a private provider; returns false while the provider does not exist yet.
     */
    signInUploadPlugin(): boolean {
      const provider = strapi.plugin('upload')?.provider as UploadProvider | undefined;
      if (!provider) return false;
      if (extendedProviders.has(provider)) return true;
      provider.extend({
        isPrivate: () => true,
        getSignedUrl: (file: { url: string }) => ({ url: sign(file.url) }),
      });
      extendedProviders.add(provider);
      return true;
    },
  };
};

export type AttachmentUrlsService = ReturnType<typeof attachmentUrlsService>;
export default attachmentUrlsService;
