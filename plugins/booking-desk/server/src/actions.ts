/**
 * The admin RBAC actions of the booking desk (Settings → Roles → Plugins → Booking desk). Each staff action
 * on a booking needs its own, so a role can, say, confirm requests without being able to cancel paid bookings.
 */
export const ACTIONS = {
  confirm: { uid: 'confirm', displayName: 'Confirm or reject booking requests' },
  cancel: { uid: 'cancel', displayName: 'Cancel bookings (with a refund)' },
  markPaid: { uid: 'mark-paid', displayName: 'Mark bookings as paid at the desk' },
  reschedule: { uid: 'reschedule', displayName: 'Move bookings to another time' },
} as const;

export const PLUGIN_ID = 'booking-desk';

export const permissionOf = (action: keyof typeof ACTIONS) => `plugin::${PLUGIN_ID}.${ACTIONS[action].uid}`;
