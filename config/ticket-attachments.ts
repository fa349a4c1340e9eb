import type { Core } from '@strapi/strapi';

/** Settings of ticket attachments (docs/API.md, "Ticket attachments"), read once at boot: `strapi.config.get('ticket-attachments')`. */
export interface TicketAttachmentSettings {
  /** TICKET_ATTACHMENT_URL_TTL_SECONDS (default 3600, 60..604800): how long a signed attachment link works. */
  urlTtlSeconds: number;
  /** ATTACHMENT_MAX_PIXELS (default 40000000): width × height per image, read from its header before decoding. */
  maxPixels: number;
}

type Env = Core.Config.Shared.ConfigParams['env'];

function wholeNumber(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env(name, '');
  if (raw.trim() === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) throw new Error(`${name} must be a whole number within ${min}..${max}, got "${raw}"`);
  return value;
}

export default ({ env }: Core.Config.Shared.ConfigParams): TicketAttachmentSettings => ({
  urlTtlSeconds: wholeNumber(env, 'TICKET_ATTACHMENT_URL_TTL_SECONDS', 3600, 60, 604_800),
  maxPixels: wholeNumber(env, 'ATTACHMENT_MAX_PIXELS', 40_000_000, 1, 268_402_689),
});
