import { factories } from '@strapi/strapi';
import { rateLimit } from '../../../middlewares/rate-limit';

// POST /api/tickets and GET /api/tickets/:id answer members with their own tickets (controllers/ticket.ts).
export default factories.createCoreRouter('api::ticket.ticket', {
  config: {
    create: { middlewares: [rateLimit('member'), rateLimit('ticketCreate', { refused: 'Too many new tickets' })] },
    findOne: { middlewares: [rateLimit('member')] },
  },
});
