import { rateLimit } from '../../../middlewares/rate-limit';

/**
 * Custom ticket routes. Loaded before the core router (files load in name order), so /tickets/mine is matched
 * before the core /tickets/:id. POST /api/tickets and GET /api/tickets/:id are the core routes, whose
 * controller actions answer members with their own tickets only (controllers/ticket.ts).
 */
export default {
  routes: [
    // The member's own tickets; the owner is the signed-in account, never a parameter.
    {
      method: 'GET',
      path: '/tickets/mine',
      handler: 'ticket.mine',
      config: { middlewares: [rateLimit('member')] },
    },
    {
      method: 'POST',
      path: '/tickets/:documentId/messages',
      handler: 'ticket.reply',
      config: { middlewares: [rateLimit('member'), rateLimit('ticketReply', { refused: 'Too many replies' })] },
    },
  ],
};
