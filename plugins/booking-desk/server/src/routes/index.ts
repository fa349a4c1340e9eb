import { ACTIONS, permissionOf } from '../actions';

const staffAction = (path: string, handler: string, action: keyof typeof ACTIONS) => ({
  method: 'POST',
  path: `/bookings/:documentId/${path}`,
  handler: `bookings.${handler}`,
  config: { policies: [{ name: 'admin::hasPermissions', config: { actions: [permissionOf(action)] } }] },
});

/** Admin routes, served under /booking-desk (admin JWT; each guarded by its RBAC action). */
export default {
  admin: {
    type: 'admin',
    routes: [
      staffAction('confirm', 'confirm', 'confirm'),
      staffAction('reject', 'reject', 'confirm'),
      staffAction('cancel', 'cancel', 'cancel'),
      staffAction('mark-paid', 'markPaid', 'markPaid'),
      staffAction('reschedule', 'reschedule', 'reschedule'),
    ],
  },
};
