/**
 * What "the admin is in Russian" means in the browser tests: the page's language is ru, the main menu shows our
 * pages under their Russian labels (plugins/booking-desk/admin/src/translations/ru) next to Strapi's own Russian
 * ("Редактор контента"), and the page's heading is Russian text.
 */
import fs from 'fs';
import path from 'path';
import type { Page } from 'playwright-core';
import { ru } from './harness';

/** Strapi's own Russian for the content manager's menu entry (@strapi/admin translations/ru.json). */
export const STRAPI_RU_CONTENT_MANAGER = 'Редактор контента';

/** Our menu entries and the Russian label each must have. */
export const MENU_KEYS = ['booking-desk.menu.calendar', 'booking-desk.menu.members', 'booking-desk.menu.inbox'] as const;

/** All Russian texts of the booking desk, merged from its per-feature files (every translations/ru/*.json). */
export function russianTexts(): Record<string, string> {
  const dir = path.join(__dirname, '..', '..', 'plugins', 'booking-desk', 'admin', 'src', 'translations', 'ru');
  const features = fs.readdirSync(dir).filter((name) => name.endsWith('.json')).map((name) => name.slice(0, -'.json'.length));
  return Object.assign({}, ...features.map((feature) => ru(feature)));
}

/** The English text of a key (plugins/booking-desk/admin/src/translations/en), for reports. */
export function englishText(key: string): string | undefined {
  const file = path.join(__dirname, '..', '..', 'plugins', 'booking-desk', 'admin', 'src', 'translations', 'en');
  const merged = Object.assign({}, ...fs.readdirSync(file).filter((name) => name.endsWith('.json')).map((name) => JSON.parse(fs.readFileSync(path.join(file, name), 'utf8'))));
  return merged[key];
}

/**
 * The label a control shows for this key: the Russian text, or, when the Russian file lacks the key, the English
 * one (what the admin falls back to) with the missing translation added to `problems`, so a test can go on and
 * report everything at the end.
 */
export function label(key: string, problems: string[]): string {
  const value = russianTexts()[key];
  if (value) return value;
  problems.push(`the Russian translation ${key} is missing (plugins/booking-desk/admin/src/translations/ru)`);
  const fallback = englishText(key);
  if (!fallback) throw new Error(`No translation of ${key} in Russian or English`);
  return fallback;
}

/** A translation that must exist: fails with the key named when the Russian file lacks it. */
export function text(key: string): string {
  const value = russianTexts()[key];
  if (!value) throw new Error(`The Russian translation ${key} is missing (plugins/booking-desk/admin/src/translations/ru/*.json)`);
  return value;
}

const CYRILLIC = /[А-Яа-яЁё]/;

/** Non-breaking and thin spaces as plain spaces, runs of space as one (Intl formats money with U+00A0 / U+202F). */
export const normalise = (value: string) => value.replace(/[\u00a0\u202f\u2009]/g, ' ').replace(/\s+/g, ' ').trim();

/** What keeps the admin shell from being Russian on this page (empty when it is): language, menu labels. */
export async function russianShellProblems(page: Page): Promise<string[]> {
  const problems: string[] = [];
  const lang = await page.locator('html').getAttribute('lang');
  if (lang !== 'ru') problems.push(`the admin's language is "${lang}", not ru`);
  const texts = russianTexts();
  const missingKeys = MENU_KEYS.filter((key) => !texts[key]);
  if (missingKeys.length > 0) problems.push(`Russian translations missing: ${missingKeys.join(', ')} (plugins/booking-desk/admin/src/translations/ru)`);
  const navText = normalise(await page.locator('nav').first().innerText());
  const labels = [STRAPI_RU_CONTENT_MANAGER, ...MENU_KEYS.filter((key) => texts[key]).map((key) => texts[key])];
  const missing = labels.filter((label) => !navText.includes(label));
  if (missing.length > 0) problems.push(`the main menu lacks ${missing.map((label) => `"${label}"`).join(', ')}; it reads: ${navText}`);
  return problems;
}

export async function expectRussianShell(page: Page): Promise<void> {
  const problems = await russianShellProblems(page);
  if (problems.length > 0) throw new Error(`Not in Russian on ${page.url()}: ${problems.join('; ')}`);
}

/** The page's first heading (waiting for it up to `timeoutMs`), or null when there is none. */
export async function heading(page: Page, timeoutMs = 10000): Promise<string | null> {
  const first = page.locator('main h1, h1').first();
  try {
    await first.waitFor({ timeout: timeoutMs });
  } catch {
    return null;
  }
  return normalise(await first.innerText());
}

export const isRussian = (value: string) => CYRILLIC.test(value);
