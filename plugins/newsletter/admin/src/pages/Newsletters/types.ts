/**
 * The shapes of the newsletter admin API as the page reads them. The answers' shapes are the server's own
 * (plugins/newsletter/server/src), imported with `import type` only: erased by the bundler, so no server code
 * reaches the admin bundle. The runtime lists the page iterates over are spelled here, checked against the
 * server's types.
 */
import type { Segment } from '../../../../server/src/domain/audience';
import type { Channel, DeliveryState, NewsletterState, NewsletterView as ServerNewsletterView } from '../../../../server/src/types';

export type { Segment } from '../../../../server/src/domain/audience';
export type {
  Channel,
  Counters,
  DeliveryState,
  Language,
  MediaView,
  NewsletterState,
  ProgressView,
  UrlButton,
} from '../../../../server/src/types';
export type { DeliveryView } from '../../../../server/src/services/deliveries';
export type { ChannelSettingsView as Settings } from '../../../../server/src/services/settings';
export type { MemberPick, AudienceCount as Preview } from '../../../../server/src/services/audience';

export const CHANNELS = ['telegram', 'email'] as const satisfies readonly Channel[];
export const NEWSLETTER_STATES = ['draft', 'scheduled', 'sending', 'paused', 'sent', 'failed', 'cancelled'] as const satisfies readonly NewsletterState[];
export const DELIVERY_STATES = ['queued', 'sending', 'sent', 'failed', 'blocked', 'cancelled'] as const satisfies readonly DeliveryState[];
export const SEGMENTS = ['all', 'new', 'active', 'inactive', 'vip', 'tariff', 'upcoming', 'custom'] as const satisfies readonly Segment[];

/** An audience as the editor builds it (the server validates the params per segment: domain/audience.ts). */
export interface AudienceSpec {
  segment: Segment;
  params: Record<string, unknown>;
}

export interface NewsletterView extends Omit<ServerNewsletterView, 'audience'> {
  audience: AudienceSpec;
}

export interface Pagination {
  page: number;
  pageSize: number;
  total: number;
  pageCount: number;
}

export interface ListAnswer<T> {
  data: T[];
  meta: { pagination: Pagination };
}

export interface Template {
  documentId: string;
  name: string;
  description: string | null;
  subject: string | null;
  html: string | null;
  body: string | null;
}

export interface TariffOption {
  documentId: string;
  name: string;
}

export interface TestAnswer {
  telegram?: { ok: boolean; messageId?: string | number; error?: string };
  email?: { ok: boolean; messageId?: string; error?: string };
}

/** What the editor sends to POST/PUT /newsletter/newsletters. */
export type NewsletterInput = Pick<
  NewsletterView,
  'title' | 'channels' | 'body' | 'bodyEn' | 'subject' | 'subjectEn' | 'emailHtml' | 'emailHtmlEn' | 'buttons' | 'audience' | 'serviceNotice'
>;

export const EDITABLE_STATES: NewsletterState[] = ['draft', 'scheduled'];
export const RUNNING_STATES: NewsletterState[] = ['scheduled', 'sending', 'paused'];
export const MAX_IMAGES = 10;
export const MAX_BUTTONS = 10;
