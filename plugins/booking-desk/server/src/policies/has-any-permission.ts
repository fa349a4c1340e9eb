/**
 * Route policy `plugin::booking-desk.has-any-permission`: the admin user must hold AT LEAST ONE of the listed
 * actions (Strapi's `admin::hasPermissions` requires all of them). Used where two features share a read, e.g.
 * the member search serves the member card (`members.read`) and the calendar's create dialog (`bookings.create`).
 *
 *   config: { policies: [requiresAny('membersRead', 'createBooking')] }
 */
interface Ability {
  can(action: string, subject?: string): boolean;
}

interface PolicyContext {
  state: { userAbility?: Ability };
}

export default (policyContext: PolicyContext, config: { actions?: unknown }) => {
  const actions = Array.isArray(config?.actions) ? config.actions.filter((action): action is string => typeof action === 'string') : [];
  const ability = policyContext.state.userAbility;
  if (!ability || actions.length === 0) return false;
  return actions.some((action) => ability.can(action));
};
