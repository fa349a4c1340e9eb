/**
 * The admin RBAC actions of the Newsletters page (Settings → Roles → Plugins → Newsletters):
 * `read` to see newsletters, their progress and recipients; `send` to start, schedule, pause, resume and cancel;
 * `manage` to compose, edit, delete, upload images, keep templates and test-send. Resending to the failed
 * recipients needs both `send` and `manage`. src/bootstrap/admin-roles.ts gives them to the staff roles.
 */
export const PLUGIN_ID = 'newsletter';

export const ACTIONS = {
  read: { uid: 'read', displayName: 'See newsletters, their progress and recipients' },
  send: { uid: 'send', displayName: 'Send, schedule, pause, resume and cancel newsletters' },
  manage: { uid: 'manage', displayName: 'Compose, edit, delete and resend newsletters; templates; test sends' },
} as const;

export type ActionName = keyof typeof ACTIONS;

export const permissionOf = (action: ActionName) => `plugin::${PLUGIN_ID}.${ACTIONS[action].uid}`;

/** A route policy: the admin user must hold every one of these actions. */
export const requires = (...actions: ActionName[]) => ({
  name: 'admin::hasPermissions',
  config: { actions: actions.map(permissionOf) },
});
