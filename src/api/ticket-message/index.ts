import type { Core } from '@strapi/strapi';
import { staffReplyNotification } from './document-middlewares/staff-reply';

export default {
  /** Staff replies notify the member through the outbox, whoever writes them (document-middlewares/staff-reply.ts). */
  register({ strapi }: { strapi: Core.Strapi }) {
    strapi.documents.use(staffReplyNotification(strapi));
  },
};
