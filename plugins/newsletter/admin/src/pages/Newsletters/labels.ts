/** Texts and badge colours of the Newsletters page (translations/{ru,en}.json, keys `newsletter.<…>`). */
import { useCallback } from 'react';
import { useIntl } from 'react-intl';
import { getTranslation } from '../../pluginId';
import type { AudienceSpec, Channel, DeliveryState, NewsletterState, TariffOption } from './types';
import { formatRubles } from '../../time';

export type Translate = (key: string, defaultMessage: string, values?: Record<string, string | number>) => string;

/** `t(key, default, values)` for this plugin's keys, and the admin's locale. */
export function useT() {
  const { formatMessage, locale } = useIntl();
  const t: Translate = useCallback(
    (key, defaultMessage, values) => formatMessage({ id: getTranslation(key), defaultMessage }, values),
    [formatMessage],
  );
  return { t, locale };
}

const STATE_TEXT: Record<NewsletterState, string> = {
  draft: 'Draft',
  scheduled: 'Scheduled',
  sending: 'Sending',
  paused: 'Paused',
  sent: 'Sent',
  failed: 'Failed',
  cancelled: 'Cancelled',
};

export const stateLabel = (t: Translate, state: NewsletterState) => t(`state.${state}`, STATE_TEXT[state] ?? state);

type BadgeVariant = 'primary' | 'secondary' | 'success' | 'warning' | 'danger' | 'neutral' | 'alternative';

export const stateVariant = (state: NewsletterState): BadgeVariant =>
  ({ draft: 'neutral', scheduled: 'secondary', sending: 'primary', paused: 'warning', sent: 'success', failed: 'danger', cancelled: 'neutral' })[state] as BadgeVariant;

const DELIVERY_TEXT: Record<DeliveryState, string> = {
  queued: 'Queued',
  sending: 'Sending',
  sent: 'Sent',
  failed: 'Failed',
  blocked: 'Blocked the bot',
  cancelled: 'Cancelled',
};

export const deliveryLabel = (t: Translate, state: DeliveryState) => t(`delivery.state.${state}`, DELIVERY_TEXT[state] ?? state);

export const deliveryVariant = (state: DeliveryState): BadgeVariant =>
  ({ queued: 'neutral', sending: 'primary', sent: 'success', failed: 'danger', blocked: 'warning', cancelled: 'neutral' })[state] as BadgeVariant;

export const channelLabel = (t: Translate, channel: Channel) => (channel === 'telegram' ? t('channel.telegram', 'Telegram') : t('channel.email', 'E-mail'));

const ERROR_TEXT: Record<string, string> = {
  bot_blocked: 'The member blocked the bot',
  user_deactivated: 'The Telegram account is deleted',
  chat_not_found: 'Telegram does not know this chat',
  bad_request: 'Telegram refused the message',
  telegram_unavailable: 'Telegram did not answer (tried again, gave up)',
  network: 'Network error (tried again, gave up)',
  too_many_attempts: 'Too many attempts',
  smtp_rejected: 'The mail server refused the address',
  smtp_unavailable: 'The mail server did not answer (tried again, gave up)',
  unsubscribed: 'The member unsubscribed',
  no_address: 'No address on this channel',
  channel_off: 'The channel was switched off',
};

/** The failure code of a delivery in words (unknown codes: the code itself). */
export const errorCodeLabel = (t: Translate, code: string) => (ERROR_TEXT[code] ? t(`error.${code}`, ERROR_TEXT[code]) : code);

const SEGMENT_TEXT: Record<string, string> = {
  all: 'All members',
  new: 'New members',
  active: 'Active members',
  inactive: 'Inactive members',
  vip: 'VIP members',
  tariff: 'By tariff booked',
  upcoming: 'With a booking on a date',
  custom: 'Custom list',
};

export const segmentLabel = (t: Translate, segment: string) => t(`segment.${segment}`, SEGMENT_TEXT[segment] ?? segment);

/** One line about an audience: "Active members · booked within 30 days". */
export function audienceSummary(t: Translate, locale: string, audience: AudienceSpec | null | undefined, tariffs: TariffOption[] = []): string {
  if (!audience) return '—';
  const p = audience.params ?? {};
  const name = segmentLabel(t, audience.segment);
  const num = (value: unknown) => (typeof value === 'number' ? value : Number(value ?? 0));
  switch (audience.segment) {
    case 'new':
      return `${name} · ${t('summary.new', 'registered within {days} days', { days: num(p.days) })}`;
    case 'active':
      return `${name} · ${t('summary.active', 'booked within {days} days', { days: num(p.days) })}`;
    case 'inactive':
      return `${name} · ${t('summary.inactive', 'no booking for {days} days', { days: num(p.days) })}`;
    case 'vip': {
      const parts: string[] = [];
      if (p.minBookings !== undefined) parts.push(t('summary.vipBookings', '≥ {count} bookings', { count: num(p.minBookings) }));
      if (p.minSpent !== undefined) parts.push(t('summary.vipSpent', '≥ {amount} spent', { amount: formatRubles(num(p.minSpent), locale) }));
      return `${name} · ${parts.join(` ${t('summary.or', 'or')} `)}`;
    }
    case 'tariff': {
      const ids = Array.isArray(p.tariffs) ? (p.tariffs as string[]) : [];
      const names = ids.map((id) => tariffs.find((tariff) => tariff.documentId === id)?.name ?? id);
      return `${name} · ${names.join(', ')} · ${String(p.from ?? '')} – ${String(p.to ?? '')}`;
    }
    case 'upcoming':
      return `${name} · ${String(p.date ?? '')}`;
    case 'custom': {
      const count = (Array.isArray(p.telegramIds) ? p.telegramIds.length : 0) + (Array.isArray(p.members) ? p.members.length : 0);
      return `${name} · ${t('summary.custom', '{count} in the list', { count })}`;
    }
    default:
      return name;
  }
}
