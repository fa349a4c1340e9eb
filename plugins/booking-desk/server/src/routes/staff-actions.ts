import { requires, type ActionName } from '../actions';

const staffAction = (path: string, handler: string, action: ActionName) => ({
  method: 'POST',
  path: `/bookings/:documentId/${path}`,
  handler: `bookings.${handler}`,
  config: { policies: [requires(action)] },
});

/** State changes of one booking, each through the booking state machine (docs/ADMIN.md). */
export default [
  staffAction('confirm', 'confirm', 'confirm'),
  staffAction('reject', 'reject', 'confirm'),
  staffAction('cancel', 'cancel', 'cancel'),
  staffAction('mark-paid', 'markPaid', 'markPaid'),
  staffAction('reschedule', 'reschedule', 'reschedule'),
];
