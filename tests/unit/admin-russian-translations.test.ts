/**
 * Staff read the admin in Russian (issue 14): every text of the Strapi packages staff work in is translated,
 * by Strapi's own ru translation or by ours (src/admin/translations/ru.json, merged in src/admin/app.tsx).
 * A Strapi upgrade that adds texts fails here, naming each key, instead of showing staff English.
 */
import fs from 'fs';
import path from 'path';
import { parse, TYPE, type MessageFormatElement } from '@formatjs/icu-messageformat-parser';

type Messages = Record<string, string>;

const STRAPI = path.join(__dirname, '..', '..', 'node_modules', '@strapi');

/** The packages staff see (menu, content manager, media library, login, profile, home, their settings pages) and the prefix the admin gives their keys. */
const PACKAGES: { name: string; dir: string; prefix: string }[] = [
  { name: '@strapi/admin', dir: 'admin/dist/admin/admin/src/translations', prefix: '' },
  { name: '@strapi/content-manager', dir: 'content-manager/dist/admin/translations', prefix: 'content-manager.' },
  { name: '@strapi/upload', dir: 'upload/dist/admin/translations', prefix: 'upload.' },
  { name: '@strapi/plugin-users-permissions', dir: 'plugin-users-permissions/dist/admin/translations', prefix: 'users-permissions.' },
  { name: '@strapi/i18n', dir: 'i18n/dist/admin/translations', prefix: 'i18n.' },
  { name: '@strapi/email', dir: 'email/dist/admin/translations', prefix: 'email.' },
];

/** A package's translation module as the admin bundles it (`<locale>.json.js`, CommonJS). */
function strapiMessages(dir: string, locale: string): Messages {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const loaded = require(path.join(STRAPI, dir, `${locale}.json.js`)) as { default?: Messages } & Messages;
  return loaded.default ?? loaded;
}

/** Texts Strapi's code asks for with only a default message in it, no entry in en.json; the file that asks. */
const CODE_ONLY: Record<string, string> = {
  'content-manager.form.Input.hint.character.unit': 'content-manager/dist/admin/pages/EditView/components/InputRenderer.js',
};

const ours = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'src', 'admin', 'translations', 'ru.json'), 'utf8')) as Messages;

const english: Messages = {};
const strapiRussian: Messages = {};
for (const { dir, prefix } of PACKAGES) {
  for (const [key, value] of Object.entries(strapiMessages(dir, 'en'))) english[prefix + key] = value;
  for (const [key, value] of Object.entries(strapiMessages(dir, 'ru'))) if (value) strapiRussian[prefix + key] = value;
}

/** The arguments ({count}, {name}) and rich-text tags (<b>) a message uses, in every branch of its plurals and selects. */
function argumentsOf(message: string): string[] {
  const found = new Set<string>();
  const walk = (elements: MessageFormatElement[]) => {
    for (const element of elements) {
      if (element.type === TYPE.tag) {
        found.add(`<${element.value}>`);
        walk(element.children);
      } else if (element.type === TYPE.plural || element.type === TYPE.select) {
        found.add(`{${element.value}}`);
        for (const option of Object.values(element.options)) walk(option.value);
      } else if (element.type !== TYPE.literal && element.type !== TYPE.pound) {
        found.add(`{${element.value}}`);
      }
    }
  };
  walk(parse(message));
  return [...found].sort();
}

describe('Russian texts of the admin (Strapi packages staff use)', () => {
  it('every English text of these packages has a Russian one, Strapi’s or ours', () => {
    // Given the English texts of each package, When we look each key up in Strapi's ru and in ours
    const untranslated = Object.keys(english).filter((key) => !strapiRussian[key] && !ours[key]);

    // Then none is left to fall back to English (a new Strapi version's texts go into src/admin/translations/ru.json)
    expect(untranslated).toEqual([]);
  });

  it('knows its packages: each has texts in English and Strapi ships Russian for it', () => {
    for (const { dir } of PACKAGES) {
      expect(Object.keys(strapiMessages(dir, 'en')).length).toBeGreaterThan(0);
      expect(Object.keys(strapiMessages(dir, 'ru')).length).toBeGreaterThan(0);
    }
  });

  it('every text of ours translates a text Strapi has (no misspelt or stale keys)', () => {
    const asked = (key: string) => key in CODE_ONLY && fs.readFileSync(path.join(STRAPI, CODE_ONLY[key]), 'utf8').includes(`'${key}'`);
    expect(Object.keys(ours).filter((key) => !(key in english) && !asked(key))).toEqual([]);
  });

  it('every text of ours is Russian, parses as an ICU message and keeps the English one’s arguments and tags', () => {
    const problems: string[] = [];
    for (const [key, russian] of Object.entries(ours)) {
      if (typeof russian !== 'string' || russian.trim() === '') {
        problems.push(`${key}: empty`);
        continue;
      }
      try {
        const ourArguments = argumentsOf(russian);
        if (!(key in english)) continue;
        const want = argumentsOf(english[key]).join(' ');
        const got = ourArguments.join(' ');
        if (want !== got) problems.push(`${key}: has ${got || 'no arguments'}, English has ${want || 'none'}`);
      } catch (error) {
        problems.push(`${key}: ${(error as Error).message}`);
      }
      // Texts that are only names or codes (DKIM, OAuth2, X, noopener…) stay as they are.
      if (!/[А-Яа-яЁё]/u.test(russian) && russian !== english[key]) problems.push(`${key}: not Russian ("${russian}")`);
    }
    expect(problems).toEqual([]);
  });

  it('a Russian plural names the Russian forms where the English one counts', () => {
    // "1 файл, 2 файла, 5 файлов": a plural of ours with `one` and `other` only is fine for cases where Russian
    // forms coincide; this checks the parser sees the forms we wrote, e.g. in the media library's item count.
    const plural = parse(ours['upload.header.content.item-count'])[0];
    expect(plural.type).toBe(TYPE.plural);
    expect(Object.keys((plural as { options: Record<string, unknown> }).options).sort()).toEqual(['few', 'many', 'one', 'other']);
  });
});
