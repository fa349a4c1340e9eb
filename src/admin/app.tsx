/**
 * App-level customisation of the admin panel (Strapi 5: `config`, `register`, `bootstrap` of src/admin/app.tsx).
 *
 * - Languages: Russian and English (English is built in). Russian is the default: staff accounts the project
 *   creates have `preferedLanguage: 'ru'`, which the admin applies after login; before login (the login page of
 *   a browser that never chose a language) Strapi reads the language from localStorage and falls back to
 *   English, with no setting for another default, so `register` stores Russian there when nothing is stored yet.
 *   A language a person picks (profile page) is kept.
 * - Content-manager names: every content type and field label in both languages (src/bootstrap/admin-labels.ts).
 * - The home page is the staff's (plugins/booking-desk/admin/src/widgets): Strapi's developer widgets are
 *   removed, and so are the onboarding guided tour ("Discover your application!", "Create your schema",
 *   "Deploy your application to Strapi Cloud"), the release notifications (a call to GitHub) and the
 *   "Introducing the new Media Library" banner. See docs/ADMIN.md, Home page for how each is turned off.
 */
import type { StrapiApp } from '@strapi/strapi/admin';
import { contentManagerTranslations } from '../bootstrap/admin-labels';
// Strapi's own texts its Russian translation lacks (5.54: admin, content manager, media library, i18n, e-mail,
// users & permissions), so staff never see English in between; tests/unit/admin-russian-translations.test.ts fails
// when a Strapi upgrade adds texts that neither Strapi's ru nor this file translates.
import strapiRussian from './translations/ru.json';

/** The admin's own localStorage keys (Strapi 5.54: reducer.ts, GuidedTour/Context.tsx, MediaLibraryBanner.tsx). */
const LANGUAGE_KEY = 'strapi-admin-language';
const GUIDED_TOUR_KEY = 'STRAPI_GUIDED_TOUR';
const MEDIA_LIBRARY_BANNER_KEY = 'STRAPI_MEDIA_LIBRARY_BANNER_DISMISSED_FOR_';

/** The home page's subtitle, and Strapi's home-page texts its Russian translation lacks (5.54). */
const HOME_TEXTS = {
  ru: {
    'HomePage.header.subtitle': 'Что происходит в коворкинге сегодня',
    'HomePage.addWidget.button': 'Добавить виджет',
    'HomePage.addWidget.title': 'Добавить виджет',
    'HomePage.addWidget.noWidgetsAvailable': 'Нет виджетов для добавления',
    'HomePage.widget.delete': 'Убрать',
    'HomePage.widget.drag': 'Перетащите, чтобы переставить',
    'global.home': 'Главная',
    'global.error': 'Что-то пошло не так',
    'global.more': 'Ещё',
    'global.new': 'Новое',
    'search.placeholder': 'Поиск',
  },
  en: { 'HomePage.header.subtitle': 'What is happening in the space today' },
};

function storage(): Storage | null {
  try {
    return window.localStorage;
  } catch {
    return null;
  }
}

/** The login page (and anything before a user's own language is known) in Russian, unless a language was chosen. */
function defaultToRussian(store: Storage): void {
  if (!store.getItem(LANGUAGE_KEY)) store.setItem(LANGUAGE_KEY, 'ru');
}

/**
 * The guided tour in the state its own "Skip" button leaves: `enabled: false` (Strapi shows it only in
 * development builds, to the first Super Admin, but has no setting to turn it off). Kept off at every load, so
 * "Reset guided tour" on the profile page does not bring it back.
 */
function turnOffGuidedTour(store: Storage): void {
  let state: Record<string, unknown> = {};
  try {
    const stored = JSON.parse(store.getItem(GUIDED_TOUR_KEY) ?? '{}');
    if (stored && typeof stored === 'object') state = stored;
  } catch {
    // A value the tour cannot read is replaced.
  }
  // Missing tours are filled in by the tour's own migration (GuidedTour/utils/migrations.ts).
  store.setItem(GUIDED_TOUR_KEY, JSON.stringify({ tours: {}, completedActions: [], hidden: false, ...state, enabled: false }));
}

/**
 * The "Introducing the new Media Library" banner, dismissed as its close button does. Its key carries the
 * project's uuid from GET /admin/init (`false` here: telemetry is disabled in package.json, so Strapi sends no
 * uuid; `undefined` before that answer arrives); the uuid is looked up too in case telemetry gets enabled.
 */
function dismissMediaLibraryBanner(store: Storage): void {
  const dismiss = (uuid: unknown) => {
    for (const legacy of [true, false]) store.setItem(`${MEDIA_LIBRARY_BANNER_KEY}${legacy}:${String(uuid)}`, 'true');
  };
  dismiss(false);
  dismiss(undefined);
  const backend = (window as unknown as { strapi?: { backendURL?: string } }).strapi?.backendURL ?? '';
  fetch(`${backend}/admin/init`)
    .then((res) => (res.ok ? res.json() : null))
    .then((body: { data?: { uuid?: unknown } } | null) => {
      if (body?.data?.uuid) dismiss(body.data.uuid);
    })
    .catch(() => undefined);
}

export default {
  config: {
    locales: ['ru'],
    // No effect on Strapi 5.54's guided tour (see turnOffGuidedTour); kept for versions that read it.
    tutorials: false,
    notifications: { releases: false },
    translations: {
      ru: { ...strapiRussian, ...contentManagerTranslations('ru'), ...HOME_TEXTS.ru },
      en: { ...contentManagerTranslations('en'), ...HOME_TEXTS.en },
    },
  },
  register(app: StrapiApp) {
    const store = storage();
    if (store) {
      defaultToRussian(store);
      turnOffGuidedTour(store);
      dismissMediaLibraryBanner(store);
    }
    // Runs after every plugin's register: only the staff widgets stay on the home page (Strapi's profile,
    // project statistics, Cloud deploy, content-manager entries and chart widgets go, for every role).
    app.widgets.register((widgets) => widgets.filter((widget) => widget.pluginId === 'booking-desk'));
  },
  bootstrap() {},
};
