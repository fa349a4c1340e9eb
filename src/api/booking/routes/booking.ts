import { factories } from '@strapi/strapi';
import { rateLimit } from '../../../middlewares/rate-limit';

// POST /api/bookings is the member booking endpoint (controllers/booking.ts).
export default factories.createCoreRouter('api::booking.booking', {
  config: { create: { middlewares: [rateLimit('member'), rateLimit('bookingCreate', { refused: 'Too many booking attempts' })] } },
});
