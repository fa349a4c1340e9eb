import type { Context, SessionFlavor, StorageAdapter } from 'grammy';
import type { Language, Locale } from '../locales';
import type { BotConfig } from './config';
import type { Member, MemberApi, StrapiClient } from './strapi-client';

/** Where a text message from the member goes next. */
export type Step =
  | 'reg:name'
  | 'reg:phone'
  | 'reg:email'
  | 'book:promo'
  | 'profile:name'
  | 'profile:phone'
  | 'profile:email'
  | 'ticket:body'
  | 'ticket:photos'
  | 'ticket:reply';

export type BookingStage = 'tariff' | 'date' | 'time' | 'units' | 'promo' | 'summary' | 'done';

/** The booking being put together; `flow` tags its buttons so buttons of an older flow are recognised. */
export interface BookingDraft {
  flow: string;
  stage: BookingStage;
  tariff?: string;
  tariffName?: string;
  billingUnit?: 'hour' | 'day' | 'month';
  minUnits?: number;
  maxUnits?: number;
  date?: string;
  startAt?: string;
  /** The most units the chosen start allows (free consecutive hours, or the tariff's maximum). */
  unitsLimit?: number;
  units?: number;
  promocode?: string;
  /** Sent with POST /api/bookings; kept until the flow ends, so a repeated confirm cannot book twice. */
  idempotencyKey?: string;
  bookingId?: string;
}

/** Moving one of the member's bookings to another time; `flow` tags its buttons like the booking draft's. */
export interface MoveDraft {
  flow: string;
  stage: 'date' | 'time' | 'confirm';
  booking: string;
  tariff: string;
  tariffName: string;
  billingUnit: 'hour' | 'day' | 'month';
  units: number;
  /** The booking's current interval, shown as "old → new". */
  startAt: string;
  endAt: string;
  date?: string;
  newStartAt?: string;
}

export interface SessionData {
  step?: Step;
  reg?: { referralCode?: string; fullName?: string; phone?: string };
  booking?: BookingDraft;
  move?: MoveDraft;
  ticket?: { body?: string; photos: string[]; replyTo?: string };
}

/** Raise when the storage layout changes, so old sessions start afresh instead of being misread. */
export const SESSION_VERSION = 1;

export interface BotDeps {
  config: BotConfig;
  strapi: StrapiClient;
  /** Session storage; in memory when omitted. */
  storage?: StorageAdapter<SessionData>;
  now?: () => Date;
  log?: (message: string, error?: unknown) => void;
}

export interface BotFlavor {
  deps: BotDeps;
  /** The signed-in member (set for every update that has a sender). */
  member: Member;
  memberApi: MemberApi;
  lang: Language;
  t: Locale;
}

export type BotContext = Context & SessionFlavor<SessionData> & BotFlavor;
