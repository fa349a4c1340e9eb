/**
 * Translations, one file per feature and locale (translations/<locale>/<feature>.json), merged per locale.
 * Keys carry the plugin id prefix (`booking-desk.calendar.title`). Russian is the staff's first language;
 * English is the fallback for any key missing in another locale.
 */
const FEATURES = ['menu', 'common', 'actions', 'calendar', 'members', 'inbox', 'home', 'money'] as const;
const LOCALES = ['ru', 'en'] as const;
type Locale = (typeof LOCALES)[number];

const loaders: Record<Locale, Record<(typeof FEATURES)[number], () => Promise<{ default: Record<string, string> }>>> = {
  en: {
    menu: () => import('./en/menu.json'),
    common: () => import('./en/common.json'),
    actions: () => import('./en/actions.json'),
    calendar: () => import('./en/calendar.json'),
    members: () => import('./en/members.json'),
    inbox: () => import('./en/inbox.json'),
    home: () => import('./en/home.json'),
    money: () => import('./en/money.json'),
  },
  ru: {
    menu: () => import('./ru/menu.json'),
    common: () => import('./ru/common.json'),
    actions: () => import('./ru/actions.json'),
    calendar: () => import('./ru/calendar.json'),
    members: () => import('./ru/members.json'),
    inbox: () => import('./ru/inbox.json'),
    home: () => import('./ru/home.json'),
    money: () => import('./ru/money.json'),
  },
};

async function messagesOf(locale: Locale): Promise<Record<string, string>> {
  const parts = await Promise.all(FEATURES.map((feature) => loaders[locale][feature]()));
  return Object.assign({}, ...parts.map((part) => part.default));
}

export async function loadTranslations({ locales }: { locales: string[] }) {
  return Promise.all(
    locales.map(async (locale) => ({
      locale,
      data: (LOCALES as readonly string[]).includes(locale) ? await messagesOf(locale as Locale) : {},
    })),
  );
}
