import { requires } from '../actions';

/**
 * Admin routes of the Newsletters page (docs/ADMIN.md, Newsletters; docs/NEWSLETTERS.md). Mounted under
 * `/newsletter`, admin JWT + RBAC, Strapi's error envelope. The paths up to `/deliveries.csv` are the contract
 * of issue 15; the rest serve the page.
 */
export default [
  // Newsletters: history, compose, edit (draft or scheduled only), delete.
  { method: 'GET', path: '/newsletters', handler: 'newsletters.find', config: { policies: [requires('read')] } },
  { method: 'POST', path: '/newsletters', handler: 'newsletters.create', config: { policies: [requires('manage')] } },
  { method: 'GET', path: '/newsletters/:documentId', handler: 'newsletters.findOne', config: { policies: [requires('read')] } },
  { method: 'PUT', path: '/newsletters/:documentId', handler: 'newsletters.update', config: { policies: [requires('manage')] } },
  { method: 'DELETE', path: '/newsletters/:documentId', handler: 'newsletters.delete', config: { policies: [requires('manage')] } },
  // Images (≤ 10, validated by content): multipart field `files`.
  { method: 'POST', path: '/newsletters/:documentId/media', handler: 'media.upload', config: { policies: [requires('manage')] } },
  { method: 'DELETE', path: '/newsletters/:documentId/media/:fileId', handler: 'media.remove', config: { policies: [requires('manage')] } },
  // Recipient count of an audience, live while composing.
  { method: 'POST', path: '/audience/preview', handler: 'audience.preview', config: { policies: [requires('read')] } },
  // Sending.
  { method: 'POST', path: '/newsletters/:documentId/test', handler: 'sending.test', config: { policies: [requires('manage')] } },
  { method: 'POST', path: '/newsletters/:documentId/send', handler: 'sending.send', config: { policies: [requires('send')] } },
  { method: 'POST', path: '/newsletters/:documentId/pause', handler: 'sending.pause', config: { policies: [requires('send')] } },
  { method: 'POST', path: '/newsletters/:documentId/resume', handler: 'sending.resume', config: { policies: [requires('send')] } },
  { method: 'POST', path: '/newsletters/:documentId/cancel', handler: 'sending.cancel', config: { policies: [requires('send')] } },
  { method: 'POST', path: '/newsletters/:documentId/resend', handler: 'sending.resend', config: { policies: [requires('send', 'manage')] } },
  // Progress and recipients.
  { method: 'GET', path: '/newsletters/:documentId/progress', handler: 'deliveries.progress', config: { policies: [requires('read')] } },
  { method: 'GET', path: '/newsletters/:documentId/deliveries', handler: 'deliveries.find', config: { policies: [requires('read')] } },
  { method: 'GET', path: '/newsletters/:documentId/deliveries.csv', handler: 'deliveries.csv', config: { policies: [requires('read')] } },
  // What the page needs besides: channel availability and the staff member's own Telegram id for test sends,
  // member picks for a custom list, reusable templates.
  { method: 'GET', path: '/settings', handler: 'settings.find', config: { policies: [requires('read')] } },
  { method: 'PUT', path: '/settings/me', handler: 'settings.updateMine', config: { policies: [requires('manage')] } },
  { method: 'GET', path: '/members', handler: 'audience.members', config: { policies: [requires('manage')] } },
  { method: 'GET', path: '/templates', handler: 'templates.find', config: { policies: [requires('read')] } },
  { method: 'POST', path: '/templates', handler: 'templates.create', config: { policies: [requires('manage')] } },
  { method: 'PUT', path: '/templates/:documentId', handler: 'templates.update', config: { policies: [requires('manage')] } },
  { method: 'DELETE', path: '/templates/:documentId', handler: 'templates.delete', config: { policies: [requires('manage')] } },
];
