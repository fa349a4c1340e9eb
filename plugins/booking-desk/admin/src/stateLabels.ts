import type { IntlShape } from 'react-intl';
import type { BookingState } from '../../../../src/domain/booking-state';
import { getTranslation } from './pluginId';

type BadgeVariant = 'success' | 'primary' | 'danger' | 'warning' | 'neutral' | 'secondary';

const STATES: { readonly [S in BookingState]: { defaultMessage: string; variant: BadgeVariant } } = {
  pending_payment: { defaultMessage: 'Pending payment', variant: 'warning' },
  awaiting_confirmation: { defaultMessage: 'Awaiting confirmation', variant: 'secondary' },
  confirmed: { defaultMessage: 'Confirmed', variant: 'success' },
  completed: { defaultMessage: 'Completed', variant: 'neutral' },
  rejected: { defaultMessage: 'Rejected', variant: 'danger' },
  cancelled: { defaultMessage: 'Cancelled', variant: 'danger' },
  expired: { defaultMessage: 'Expired', variant: 'neutral' },
};

/** The state's display name; an unknown value (a newer server) is shown as it is. */
export const stateLabel = (formatMessage: IntlShape['formatMessage'], state: BookingState): string => {
  const entry = STATES[state];
  return entry ? formatMessage({ id: getTranslation(`state.${state}`), defaultMessage: entry.defaultMessage }) : state;
};

export const stateVariant = (state: BookingState): BadgeVariant => STATES[state]?.variant ?? 'neutral';
