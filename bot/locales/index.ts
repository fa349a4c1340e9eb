import { en } from './en';
import { ru, type Locale } from './ru';

export type { Locale };
export type Language = 'ru' | 'en';
export const locales: Record<Language, Locale> = { ru, en };

/** ru or en from Telegram's language_code; anything else gets the default. */
export function languageFromTelegram(code: string | undefined, fallback: Language): Language {
  if (!code) return fallback;
  const base = code.toLowerCase().split('-')[0];
  return base === 'en' ? 'en' : base === 'ru' || base === 'uk' || base === 'be' || base === 'kk' ? 'ru' : fallback;
}
