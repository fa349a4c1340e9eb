import type { IntlShape } from 'react-intl';
import { getTranslation } from '../../pluginId';
import type { StateFilter, TicketPriority } from './types';

type BadgeVariant = 'success' | 'primary' | 'danger' | 'warning' | 'neutral' | 'secondary';

const STATES: Record<StateFilter, { label: string; variant: BadgeVariant }> = {
  open: { label: 'Open', variant: 'danger' },
  in_progress: { label: 'In progress', variant: 'primary' },
  waiting: { label: 'Waiting for the member', variant: 'secondary' },
  resolved: { label: 'Resolved', variant: 'success' },
  closed: { label: 'Closed', variant: 'neutral' },
};

const PRIORITIES: Record<TicketPriority, { label: string; variant: BadgeVariant }> = {
  urgent: { label: 'Urgent', variant: 'danger' },
  high: { label: 'High', variant: 'warning' },
  normal: { label: 'Normal', variant: 'neutral' },
  low: { label: 'Low', variant: 'secondary' },
};

export const inboxText = (formatMessage: IntlShape['formatMessage'], key: string, defaultMessage: string, values?: Record<string, string | number>) =>
  formatMessage({ id: getTranslation(`inbox.${key}`), defaultMessage }, values);

export const stateLabel = (formatMessage: IntlShape['formatMessage'], state: StateFilter) =>
  STATES[state] ? inboxText(formatMessage, `state.${state}`, STATES[state].label) : state;
export const stateVariant = (state: StateFilter): BadgeVariant => STATES[state]?.variant ?? 'neutral';

export const priorityLabel = (formatMessage: IntlShape['formatMessage'], priority: TicketPriority) =>
  PRIORITIES[priority] ? inboxText(formatMessage, `priority.${priority}`, PRIORITIES[priority].label) : priority;
export const priorityVariant = (priority: TicketPriority): BadgeVariant => PRIORITIES[priority]?.variant ?? 'neutral';

/** "12 дек., 14:05" in the admin's language and the browser's time zone. */
export const formatWhen = (locale: string, iso: string) =>
  new Intl.DateTimeFormat(locale, { day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(new Date(iso));

export const memberLabel = (member: { fullName: string | null; telegramUsername: string | null } | null, fallback: string) =>
  member?.fullName || (member?.telegramUsername ? `@${member.telegramUsername}` : fallback);
