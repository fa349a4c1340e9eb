/**
 * Staff read every plugin page in Russian or English (issue 14): each translation file of our plugins' admin
 * parts has the same keys in both languages, the same ICU placeholders in each pair, and keys prefixed with
 * the plugin id (Strapi's convention, so two plugins cannot overwrite each other's texts).
 */
import { parse, type MessageFormatElement } from '@formatjs/icu-messageformat-parser';
import fs from 'fs';
import path from 'path';

const pluginsDir = path.resolve(__dirname, '..', '..', 'plugins');

/** Every `<locale>.json` or `<locale>/<feature>.json` under a plugin's admin translations, merged per locale. */
function translationsOf(plugin: string): Record<string, Record<string, string>> | null {
  const dir = path.join(pluginsDir, plugin, 'admin', 'src', 'translations');
  if (!fs.existsSync(dir)) return null;
  const merged: Record<string, Record<string, string>> = {};
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const read = (file: string) => JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, string>;
    if (entry.isDirectory()) {
      for (const file of fs.readdirSync(path.join(dir, entry.name)).filter((name) => name.endsWith('.json'))) {
        merged[entry.name] = { ...merged[entry.name], ...read(path.join(dir, entry.name, file)) };
      }
    } else if (entry.name.endsWith('.json')) {
      const locale = entry.name.replace(/\.json$/, '');
      merged[locale] = { ...merged[locale], ...read(path.join(dir, entry.name)) };
    }
  }
  return merged;
}

/** The argument names of an ICU message (plural branches included); parsing also proves the syntax is valid. */
function placeholders(text: string): string[] {
  const names = new Set<string>();
  const walk = (elements: MessageFormatElement[]) => {
    for (const element of elements) {
      // Literals (0) and `#` (7) name no argument; every other element does.
      if (element.type !== 0 && element.type !== 7) names.add(element.value);
      if ('options' in element) for (const option of Object.values(element.options)) walk(option.value);
      if ('children' in element) walk(element.children);
    }
  };
  walk(parse(text));
  return [...names].sort();
}

const pluginsWithAdmin = fs
  .readdirSync(pluginsDir)
  .filter((name) => fs.existsSync(path.join(pluginsDir, name, 'admin', 'src')));

describe.each(pluginsWithAdmin)('admin translations of plugins/%s', (plugin) => {
  const translations = translationsOf(plugin);

  it('has Russian and English', () => {
    expect(translations).not.toBeNull();
    expect(Object.keys(translations ?? {}).sort()).toEqual(['en', 'ru']);
  });

  it('has the same keys in both, each prefixed with the plugin id', () => {
    const { en = {}, ru = {} } = translations ?? {};
    expect(Object.keys(en).length).toBeGreaterThan(0);
    expect(Object.keys(ru).sort()).toEqual(Object.keys(en).sort());
    expect(Object.keys(en).filter((key) => !key.startsWith(`${plugin}.`))).toEqual([]);
  });

  it('keeps the placeholders of each text in both languages, and no text is empty', () => {
    const { en = {}, ru = {} } = translations ?? {};
    const mismatched = Object.keys(en).filter((key) => key in ru && placeholders(en[key]).join() !== placeholders(ru[key]).join());
    expect(mismatched).toEqual([]);
    expect(Object.entries({ ...en, ...ru }).filter(([, text]) => text.trim() === '')).toEqual([]);
  });
});
