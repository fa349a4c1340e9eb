import { factories } from '@strapi/strapi';

/**
 * Staff notes on members. Written by the booking desk's member card (POST /booking-desk/members/:documentId/notes,
 * audited); there are no REST routes, so neither members nor API tokens can reach them. Staff read them in the
 * member card and in the content manager (docs/ROLES.md).
 */
export default factories.createCoreService('api::member-note.member-note');
