/**
 * The admin RBAC actions of the booking desk (Settings → Roles → Plugins → Booking desk). Each page and each
 * staff action has its own, so a role can, say, answer tickets without being able to cancel paid bookings.
 * src/bootstrap/admin-roles.ts gives them to the staff roles (docs/ROLES.md).
 */
export const ACTIONS = {
  // Booking state changes through the state machine.
  confirm: { uid: 'confirm', displayName: 'Confirm or reject booking requests' },
  cancel: { uid: 'cancel', displayName: 'Cancel bookings (with a refund)' },
  markPaid: { uid: 'mark-paid', displayName: 'Mark bookings as paid at the desk' },
  reschedule: { uid: 'reschedule', displayName: 'Move bookings to another time' },
  // Bookings calendar page.
  calendarRead: { uid: 'calendar.read', displayName: 'See the bookings calendar' },
  createBooking: { uid: 'bookings.create', displayName: 'Create bookings for members' },
  correctPrice: { uid: 'bookings.price', displayName: 'Correct booking prices (audited)' },
  // Member card page.
  membersRead: { uid: 'members.read', displayName: 'See member cards' },
  membersBan: { uid: 'members.ban', displayName: 'Ban and unban members' },
  membersMessage: { uid: 'members.message', displayName: 'Send members a message through the bot' },
  membersNotes: { uid: 'members.notes', displayName: 'Write staff notes on members' },
  // Support inbox page.
  inboxRead: { uid: 'inbox.read', displayName: 'See the support inbox' },
  inboxReply: { uid: 'inbox.reply', displayName: 'Answer tickets, change their status and assignee' },
  // Home-page widgets with money in them.
  revenueRead: { uid: 'revenue.read', displayName: 'See revenue figures' },
} as const;

export type ActionName = keyof typeof ACTIONS;

export const PLUGIN_ID = 'booking-desk';

export const permissionOf = (action: ActionName) => `plugin::${PLUGIN_ID}.${ACTIONS[action].uid}`;

/** A route policy: the admin user must hold every one of these actions. */
export const requires = (...actions: ActionName[]) => ({
  name: 'admin::hasPermissions',
  config: { actions: actions.map(permissionOf) },
});
