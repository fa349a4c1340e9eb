/**
 * Template variables of a newsletter (docs/NEWSLETTERS.md, Personalisation): `{{firstName}}`, `{{lastName}}`,
 * `{{fullName}}`, `{{email}}`, `{{phone}}`, `{{username}}`, `{{successfulBookings}}`, spaces inside the braces
 * allowed. Values are HTML-escaped (both Telegram HTML and e-mail HTML need it); an unknown name is refused when
 * the newsletter is saved (422), so rendering never meets one. Pure.
 */
import type { RecipientVars } from '../types';

export const TEMPLATE_VARIABLES = ['firstName', 'lastName', 'fullName', 'email', 'phone', 'username', 'successfulBookings'] as const;
export type TemplateVariable = (typeof TEMPLATE_VARIABLES)[number];

const KNOWN: ReadonlySet<string> = new Set(TEMPLATE_VARIABLES);
const PLACEHOLDER = /\{\{\s*([^{}]*?)\s*\}\}/g;

/** The names used in `text` that are not template variables (each once, in order of appearance). */
export function unknownVariables(text: string | null | undefined): string[] {
  if (!text) return [];
  const unknown: string[] = [];
  for (const match of text.matchAll(PLACEHOLDER)) {
    const name = match[1];
    if (!KNOWN.has(name) && !unknown.includes(name)) unknown.push(name);
  }
  return unknown;
}

export const escapeHtml = (text: string): string =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');

/** The first and last name from a full name: the first word, and the rest. */
export function splitName(fullName: string | null | undefined): { firstName: string; lastName: string } {
  const words = (fullName ?? '').trim().split(/\s+/).filter(Boolean);
  return { firstName: words[0] ?? '', lastName: words.slice(1).join(' ') };
}

/** Recipient variables from a member's columns (what the dispatcher reads with the claim). */
export function recipientVars(member: {
  fullName?: string | null;
  email?: string | null;
  phone?: string | null;
  telegramUsername?: string | null;
  successfulBookings?: number | null;
}): RecipientVars {
  const { firstName, lastName } = splitName(member.fullName);
  const email = member.email && !/@telegram\.invalid$/i.test(member.email) ? member.email : '';
  return {
    firstName,
    lastName,
    fullName: (member.fullName ?? '').trim(),
    email,
    phone: member.phone ?? '',
    username: member.telegramUsername ?? '',
    successfulBookings: member.successfulBookings ?? 0,
  };
}

export interface RenderOptions {
  /** HTML-escape the values (default true: Telegram HTML and e-mail HTML); false for a plain-text subject. */
  escape?: boolean;
}

/** Replaces every known `{{name}}` with the recipient's value; unknown ones are left as written. */
export function renderTemplate(text: string, vars: RecipientVars, options: RenderOptions = {}): string {
  const escape = options.escape ?? true;
  return text.replace(PLACEHOLDER, (whole, name: string) => {
    if (!KNOWN.has(name)) return whole;
    const value = String(vars[name as TemplateVariable] ?? '');
    return escape ? escapeHtml(value) : value;
  });
}
