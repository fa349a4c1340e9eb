import { requires } from '../actions';

/**
 * Admin routes of the support inbox (docs/ADMIN.md, Support inbox): `inbox.read` to see tickets, `inbox.reply`
 * to answer them and change their state, priority and assignee. `/tickets/assignees` comes before
 * `/tickets/:documentId` (and is no documentId anyway).
 */
export default [
  { method: 'GET', path: '/tickets', handler: 'inbox.find', config: { policies: [requires('inboxRead')] } },
  { method: 'GET', path: '/tickets/assignees', handler: 'inbox.assignees', config: { policies: [requires('inboxRead')] } },
  { method: 'GET', path: '/tickets/:documentId', handler: 'inbox.findOne', config: { policies: [requires('inboxRead')] } },
  { method: 'POST', path: '/tickets/:documentId/reply', handler: 'inbox.reply', config: { policies: [requires('inboxReply')] } },
  { method: 'PATCH', path: '/tickets/:documentId', handler: 'inbox.update', config: { policies: [requires('inboxReply')] } },
];
