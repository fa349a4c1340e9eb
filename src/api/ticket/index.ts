import type { Core } from '@strapi/strapi';
import type { AttachmentUrlsService } from './services/attachment-urls';

const signInUploadPlugin = (strapi: Core.Strapi) => (strapi.service('api::ticket.attachment-urls') as AttachmentUrlsService).signInUploadPlugin();

export default {
  /**
   * Ticket attachments get signed links wherever the upload plugin shows them (services/attachment-urls.ts).
   * The upload plugin's register (which makes the provider) and bootstrap (which reads isPrivate once) may run
   * before or after this API's: whichever of our two hooks first finds the provider extends it, and both run
   * before the upload plugin's bootstrap when this API is registered first.
   */
  register({ strapi }: { strapi: Core.Strapi }) {
    signInUploadPlugin(strapi);
  },
  bootstrap({ strapi }: { strapi: Core.Strapi }) {
    if (!signInUploadPlugin(strapi)) throw new Error('The upload plugin has no provider: ticket attachment links cannot be signed');
  },
};
