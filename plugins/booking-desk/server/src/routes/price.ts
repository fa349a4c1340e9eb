import { requires } from '../actions';

/** Admin routes of the price feature (docs/ADMIN.md, Integrity of records): an audited price correction of one booking. */
export default [
  {
    method: 'POST',
    path: '/bookings/:documentId/price',
    handler: 'price.correct',
    config: { policies: [requires('correctPrice')] },
  },
] as Array<Record<string, unknown>>;
