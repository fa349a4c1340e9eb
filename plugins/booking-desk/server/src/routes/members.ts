import { permissionOf, requires, type ActionName } from '../actions';

/** The admin user must hold at least one of these actions (policies/has-any-permission.ts). */
const requiresAny = (...actions: ActionName[]) => ({
  name: 'plugin::booking-desk.has-any-permission',
  config: { actions: actions.map(permissionOf) },
});

/** Messages through the bot are limited per staff member (config/rate-limits.ts `staffMessage`). */
const staffMessageLimit = {
  name: 'global::rate-limit',
  config: { rule: 'staffMessage', by: 'staff', refused: 'Too many messages to members' },
};

/** Admin routes of the member card (docs/ADMIN.md, Member card). */
export default [
  {
    method: 'GET',
    path: '/members',
    handler: 'members.find',
    // The member card's search, and the member picker of the calendar's create dialog.
    config: { policies: [requiresAny('membersRead', 'createBooking')] },
  },
  {
    method: 'GET',
    path: '/members/:documentId',
    handler: 'members.findOne',
    config: { policies: [requires('membersRead')] },
  },
  {
    method: 'POST',
    path: '/members/:documentId/ban',
    handler: 'members.ban',
    config: { policies: [requires('membersBan')] },
  },
  {
    method: 'POST',
    path: '/members/:documentId/unban',
    handler: 'members.unban',
    config: { policies: [requires('membersBan')] },
  },
  {
    method: 'POST',
    path: '/members/:documentId/message',
    handler: 'members.message',
    config: { policies: [requires('membersMessage')], middlewares: [staffMessageLimit] },
  },
  {
    method: 'POST',
    path: '/members/:documentId/notes',
    handler: 'members.addNote',
    config: { policies: [requires('membersNotes')] },
  },
];
