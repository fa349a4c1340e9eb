import { rateLimit } from '../../../middlewares/rate-limit';

/**
 * Custom booking routes. Loaded before the core router (files load in name order), so a literal path such
 * as /bookings/quote is matched before the core /bookings/:id.
 */
export default {
  routes: [
    {
      method: 'GET',
      path: '/availability',
      handler: 'booking.availability',
      // Anyone may look at free slots, as in the original bot before sign-in.
      config: { auth: false },
    },
    {
      method: 'POST',
      path: '/bookings/quote',
      handler: 'booking.quote',
      config: { middlewares: [rateLimit('member'), rateLimit('bookingQuote', { refused: 'Too many price quotes' })] },
    },
    // The member's own bookings; the owner is the signed-in account, never a parameter.
    {
      method: 'GET',
      path: '/bookings/mine',
      handler: 'booking.mine',
      config: { middlewares: [rateLimit('member')] },
    },
    {
      method: 'POST',
      path: '/bookings/:documentId/cancel',
      handler: 'booking.cancel',
      config: { middlewares: [rateLimit('member')] },
    },
    {
      method: 'POST',
      path: '/bookings/:documentId/pay',
      handler: 'booking.pay',
      config: { middlewares: [rateLimit('member')] },
    },
    {
      method: 'POST',
      path: '/bookings/:documentId/reschedule',
      handler: 'booking.reschedule',
      config: { middlewares: [rateLimit('member')] },
    },
  ],
};
