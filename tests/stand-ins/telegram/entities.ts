/**
 * Message text formatting as Telegram does it: a port of TDLib's parse_html (td/telegram/MessageEntity.cpp),
 * byte offsets and error texts included, plus the bot_command detection Telegram applies to every text.
 * Markdown and MarkdownV2 are not parsed (see README).
 */
import { badRequest } from './request';
import type { TgMessageEntity } from './types';

export interface FormattedText {
  text: string;
  entities: TgMessageEntity[];
}

class HtmlError extends Error {}

const SUPPORTED_TAGS = new Set([
  'a',
  'b',
  'strong',
  'i',
  'em',
  's',
  'strike',
  'del',
  'u',
  'ins',
  'tg-spoiler',
  'tg-emoji',
  'span',
  'pre',
  'code',
  'blockquote',
]);

// TDLib's sort order: offset, then longer first, then this priority.
const TYPE_PRIORITY: Record<string, number> = {
  blockquote: 0,
  expandable_blockquote: 0,
  pre: 11,
  code: 20,
  text_link: 49,
  text_mention: 49,
  bot_command: 50,
  bold: 90,
  italic: 91,
  underline: 92,
  strikethrough: 93,
  spoiler: 94,
  custom_emoji: 99,
};

const isSpace = (c: number): boolean => c === 0x20 || c === 0x09 || c === 0x0d || c === 0x0a || c === 0x0b || c === 0;
const isDigit = (c: number): boolean => c >= 0x30 && c <= 0x39;
const isAlpha = (c: number): boolean => (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
const isAlnum = (c: number): boolean => isDigit(c) || isAlpha(c);
const isHexDigit = (c: number): boolean => isDigit(c) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);

function pushUtf8(out: number[], code: number): void {
  for (const byte of Buffer.from(String.fromCodePoint(code), 'utf8')) out.push(byte);
}

/** `&lt;`, `&gt;`, `&amp;`, `&quot;` and numeric references; anything else stays literal text. */
function decodeHtmlEntity(bytes: Buffer, pos: number): { code: number; end: number } | undefined {
  const at = (i: number): number => (i < bytes.length ? bytes[i] : 0);
  let end = pos + 1;
  let code = 0;
  if (at(pos + 1) === 0x23) {
    end++;
    if (at(pos + 2) === 0x78) {
      end++;
      while (isHexDigit(at(end))) code = code * 16 + parseInt(String.fromCharCode(at(end++)), 16);
    } else {
      while (isDigit(at(end))) code = code * 10 + (at(end++) - 0x30);
    }
    if (code === 0 || code >= 0x10ffff || end - pos >= 10) return undefined;
  } else {
    while (isAlpha(at(end))) end++;
    const name = bytes.toString('latin1', pos + 1, end);
    const named: Record<string, number> = { lt: 0x3c, gt: 0x3e, amp: 0x26, quot: 0x22 };
    if (!(name in named)) return undefined;
    code = named[name];
  }
  if (at(end) === 0x3b) end++;
  return { code, end };
}

/** Telegram accepts these link schemes and adds http:// to a bare host. */
function checkedLink(url: string): string | undefined {
  if (url === '' || /\s/.test(url)) return undefined;
  const withScheme = /^[a-z][a-z0-9+.-]*:/i.test(url) ? url : `http://${url}`;
  try {
    const parsed = new URL(withScheme);
    if (!['http:', 'https:', 'tg:', 'ton:', 'tonsite:'].includes(parsed.protocol)) return undefined;
    if ((parsed.protocol === 'http:' || parsed.protocol === 'https:') && parsed.hostname === '') return undefined;
    return parsed.href;
  } catch {
    return undefined;
  }
}

interface OpenTag {
  tag: string;
  argument: string;
  utf16Offset: number;
  outputStart: number;
}

function parseHtmlOrThrow(html: string): FormattedText {
  const bytes = Buffer.from(html, 'utf8');
  const at = (i: number): number => (i < bytes.length ? bytes[i] : 0);
  const out: number[] = [];
  const entities: TgMessageEntity[] = [];
  const stack: OpenTag[] = [];
  let utf16 = 0;

  const appendDecoded = (code: number): void => {
    if (code >= 0xd800 && code <= 0xdfff) {
      throw new HtmlError(
        'Text contains invalid Unicode characters after decoding HTML entities, check for unmatched surrogate code units',
      );
    }
    utf16 += code > 0xffff ? 2 : 1;
    pushUtf8(out, code);
  };

  for (let i = 0; i < bytes.length; i++) {
    const c = bytes[i];
    if (c === 0x26) {
      const decoded = decodeHtmlEntity(bytes, i);
      if (decoded) {
        appendDecoded(decoded.code);
        i = decoded.end - 1;
        continue;
      }
    }
    if (c !== 0x3c) {
      // Count UTF-16 units on the first byte of each UTF-8 sequence; 4-byte sequences are surrogate pairs.
      if ((c & 0xc0) !== 0x80) utf16 += c >= 0xf0 ? 2 : 1;
      out.push(c);
      continue;
    }

    const beginPos = i++;
    if (at(i) !== 0x2f) {
      while (!isSpace(at(i)) && at(i) !== 0x3e) i++;
      if (at(i) === 0) throw new HtmlError(`Unclosed start tag at byte offset ${beginPos}`);
      const tag = bytes.toString('utf8', beginPos + 1, i).toLowerCase();
      if (!SUPPORTED_TAGS.has(tag)) throw new HtmlError(`Unsupported start tag "${tag}" at byte offset ${beginPos}`);

      let argument = '';
      while (at(i) !== 0x3e) {
        while (at(i) !== 0 && isSpace(at(i))) i++;
        if (at(i) === 0x3e) break;
        const attributeBegin = i;
        while (!isSpace(at(i)) && at(i) !== 0x3d && at(i) !== 0x3e) i++;
        const attribute = bytes.toString('utf8', attributeBegin, i);
        if (attribute === '') {
          throw new HtmlError(`Empty attribute name in the tag "${tag}" at byte offset ${beginPos}`);
        }
        while (at(i) !== 0 && isSpace(at(i))) i++;
        if (at(i) === 0) throw new HtmlError(`Unclosed start tag "${tag}" at byte offset ${beginPos}`);
        if (at(i) !== 0x3d) {
          // An attribute without a value: only <blockquote expandable> gives it a meaning.
          if (tag === 'blockquote' && attribute === 'expandable') argument = 'expandable';
          continue;
        }
        i++;
        while (at(i) !== 0 && isSpace(at(i))) i++;
        if (at(i) === 0) throw new HtmlError(`Unclosed start tag "${tag}" at byte offset ${beginPos}`);

        let value: string;
        if (at(i) !== 0x27 && at(i) !== 0x22) {
          // A name token: letters, digits, periods and hyphens, case-insensitive.
          const tokenBegin = i;
          while (isAlnum(at(i)) || at(i) === 0x2e || at(i) === 0x2d) i++;
          value = bytes.toString('latin1', tokenBegin, i).toLowerCase();
          if (!isSpace(at(i)) && at(i) !== 0x3e) {
            throw new HtmlError(`Unexpected end of name token at byte offset ${tokenBegin}`);
          }
        } else {
          const quote = at(i++);
          const valueBytes: number[] = [];
          while (at(i) !== quote && at(i) !== 0) {
            if (at(i) === 0x26) {
              const decoded = decodeHtmlEntity(bytes, i);
              if (decoded) {
                pushUtf8(valueBytes, decoded.code);
                i = decoded.end;
                continue;
              }
            }
            valueBytes.push(at(i++));
          }
          if (at(i) === quote) i++;
          value = Buffer.from(valueBytes).toString('utf8');
        }
        if (at(i) === 0) throw new HtmlError(`Unclosed start tag at byte offset ${beginPos}`);

        if (tag === 'a' && attribute === 'href') argument = value;
        else if (tag === 'code' && attribute === 'class' && value.startsWith('language-')) argument = value.slice(9);
        else if (tag === 'span' && attribute === 'class' && value.startsWith('tg-')) argument = value.slice(3);
        else if (tag === 'tg-emoji' && attribute === 'emoji-id') argument = value;
      }
      if (tag === 'span' && argument !== 'spoiler') {
        throw new HtmlError(`Tag "span" must have class "tg-spoiler" at byte offset ${beginPos}`);
      }
      stack.push({ tag, argument, utf16Offset: utf16, outputStart: out.length });
      continue;
    }

    if (stack.length === 0) throw new HtmlError(`Unexpected end tag at byte offset ${beginPos}`);
    while (!isSpace(at(i)) && at(i) !== 0x3e) i++;
    const endTag = bytes.toString('utf8', beginPos + 2, i).toLowerCase();
    while (isSpace(at(i)) && at(i) !== 0) i++;
    if (at(i) !== 0x3e) throw new HtmlError(`Unclosed end tag at byte offset ${beginPos}`);
    const open = stack[stack.length - 1];
    if (endTag !== '' && endTag !== open.tag) {
      throw new HtmlError(
        `Unmatched end tag at byte offset ${beginPos}, expected "</${open.tag}>", found "</${endTag}>"`,
      );
    }
    if (utf16 > open.utf16Offset) addEntity(entities, open, utf16 - open.utf16Offset, out);
    stack.pop();
  }
  if (stack.length > 0) {
    throw new HtmlError(`Can't find end tag corresponding to start tag "${stack[stack.length - 1].tag}"`);
  }
  // A language is kept only on pre entities.
  for (const entity of entities) if (entity.type === 'code') delete entity.language;
  return { text: Buffer.from(out).toString('utf8'), entities: sortEntities(entities) };
}

function addEntity(entities: TgMessageEntity[], open: OpenTag, length: number, out: number[]): void {
  const offset = open.utf16Offset;
  const last = entities[entities.length - 1];
  const sameSpan = last !== undefined && last.offset === offset && last.length === length;
  switch (open.tag) {
    case 'i':
    case 'em':
      entities.push({ type: 'italic', offset, length });
      return;
    case 'b':
    case 'strong':
      entities.push({ type: 'bold', offset, length });
      return;
    case 's':
    case 'strike':
    case 'del':
      entities.push({ type: 'strikethrough', offset, length });
      return;
    case 'u':
    case 'ins':
      entities.push({ type: 'underline', offset, length });
      return;
    case 'tg-spoiler':
    case 'span':
      entities.push({ type: 'spoiler', offset, length });
      return;
    case 'tg-emoji':
      if (!/^[1-9]\d*$/.test(open.argument)) throw new HtmlError('Invalid custom emoji identifier specified');
      entities.push({ type: 'custom_emoji', offset, length, custom_emoji_id: open.argument });
      return;
    case 'a': {
      const url = checkedLink(open.argument || Buffer.from(out.slice(open.outputStart)).toString('utf8'));
      if (url !== undefined) entities.push({ type: 'text_link', offset, length, url });
      return;
    }
    case 'pre':
      // <pre><code class="language-x"> closes code first; pre then takes its language.
      if (sameSpan && last.type === 'code' && last.language) last.type = 'pre';
      else entities.push({ type: 'pre', offset, length });
      return;
    case 'code':
      if (sameSpan && last.type === 'pre' && open.argument !== '') last.language = open.argument;
      else entities.push({ type: 'code', offset, length, ...(open.argument ? { language: open.argument } : {}) });
      return;
    case 'blockquote':
      entities.push({ type: open.argument === 'expandable' ? 'expandable_blockquote' : 'blockquote', offset, length });
      return;
    default:
      throw new HtmlError(`Unsupported start tag "${open.tag}"`);
  }
}

function sortEntities(entities: TgMessageEntity[]): TgMessageEntity[] {
  return [...entities].sort(
    (a, b) =>
      a.offset - b.offset || b.length - a.length || (TYPE_PRIORITY[a.type] ?? 50) - (TYPE_PRIORITY[b.type] ?? 50),
  );
}

/** Parses HTML markup, answering errors as the Bot API does. */
export function parseHtml(html: string): FormattedText {
  try {
    return parseHtmlOrThrow(html);
  } catch (error) {
    if (error instanceof HtmlError) throw badRequest(`can't parse entities: ${error.message}`);
    throw error;
  }
}

const ENTITY_TYPES_FROM_BOTS = new Set([
  'bold',
  'italic',
  'underline',
  'strikethrough',
  'spoiler',
  'code',
  'pre',
  'text_link',
  'text_mention',
  'custom_emoji',
  'blockquote',
  'expandable_blockquote',
]);
// Telegram finds these by itself and ignores them when a bot sends them.
const AUTO_DETECTED = new Set([
  'mention',
  'hashtag',
  'cashtag',
  'bot_command',
  'url',
  'email',
  'phone_number',
  'bank_card_number',
]);

/** text + parse_mode + explicit entities → Telegram's stored text, as Client::get_formatted_text decides. */
export function formatText(text: string, parseMode: string | undefined, explicitEntities: unknown): FormattedText {
  const mode = (parseMode ?? '').toLowerCase();
  let formatted: FormattedText;
  if (text !== '' && mode !== '' && mode !== 'none') {
    if (mode === 'html') formatted = parseHtml(text);
    else if (mode === 'markdown' || mode === 'markdownv2') formatted = { text, entities: [] };
    else throw badRequest('unsupported parse_mode');
  } else {
    formatted = { text, entities: readExplicitEntities(explicitEntities) };
  }
  return detectBotCommands(trimText(formatted));
}

function readExplicitEntities(value: unknown): TgMessageEntity[] {
  if (!Array.isArray(value)) return [];
  const entities: TgMessageEntity[] = [];
  for (const item of value as unknown[]) {
    if (item === null || typeof item !== 'object') throw badRequest("can't parse MessageEntity: expected an Object");
    const entity = item as Record<string, unknown>;
    const type = String(entity.type ?? '');
    if (AUTO_DETECTED.has(type)) continue;
    if (!ENTITY_TYPES_FROM_BOTS.has(type)) throw badRequest("can't parse MessageEntity: Unsupported type specified");
    const parsed: TgMessageEntity = { type, offset: Number(entity.offset), length: Number(entity.length) };
    for (const key of ['url', 'language', 'custom_emoji_id'] as const) {
      if (typeof entity[key] === 'string') parsed[key] = entity[key] as string;
    }
    entities.push(parsed);
  }
  return sortEntities(entities);
}

const TRIMMED = new Set([' ', '\n', '\t', '\r']);

/** Spaces and newlines are cut from both ends (from the start only up to the first entity). */
function trimText({ text, entities }: FormattedText): FormattedText {
  const firstEntity = entities.reduce((min, entity) => Math.min(min, entity.offset), text.length);
  let start = 0;
  while (start < firstEntity && TRIMMED.has(text[start])) start++;
  let end = text.length;
  while (end > start && TRIMMED.has(text[end - 1])) end--;
  const moved = entities
    .map((entity) => {
      const from = Math.max(entity.offset, start);
      const to = Math.min(entity.offset + entity.length, end);
      return { ...entity, offset: from - start, length: to - from };
    })
    .filter((entity) => entity.length > 0);
  return { text: text.slice(start, end), entities: moved };
}

function codePointBefore(text: string, index: number): string | undefined {
  if (index === 0) return undefined;
  const unit = text.charCodeAt(index - 1);
  return unit >= 0xdc00 && unit <= 0xdfff && index >= 2 ? text.slice(index - 2, index) : text[index - 1];
}

const isWordChar = (ch: string | undefined): boolean => ch !== undefined && /[\p{L}\p{N}_]/u.test(ch);

/** TDLib's match_bot_commands: /(?<!\b|[\/<>])\/([a-zA-Z0-9_]{1,64})(?:@([a-zA-Z0-9_]{3,32}))?(?!\B|[\/<>])/ */
export function findBotCommands(text: string): TgMessageEntity[] {
  const found: TgMessageEntity[] = [];
  const isName = (ch: string | undefined): boolean => ch !== undefined && /[a-zA-Z0-9_]/.test(ch);
  for (let i = text.indexOf('/'); i >= 0; i = text.indexOf('/', i + 1)) {
    const previous = codePointBefore(text, i);
    if (previous !== undefined && (isWordChar(previous) || '/<>'.includes(previous))) continue;
    let end = i + 1;
    while (isName(text[end])) end++;
    if (end - i - 1 < 1 || end - i - 1 > 64) continue;
    if (text[end] === '@') {
      let mentionEnd = end + 1;
      while (isName(text[mentionEnd])) mentionEnd++;
      const size = mentionEnd - end - 1;
      if (size < 3 || size > 32) continue;
      end = mentionEnd;
    }
    const next = end < text.length ? String.fromCodePoint(text.codePointAt(end) ?? 0) : undefined;
    if (next !== undefined && (isWordChar(next) || '/<>'.includes(next))) continue;
    found.push({ type: 'bot_command', offset: i, length: end - i });
  }
  return found;
}

function detectBotCommands({ text, entities }: FormattedText): FormattedText {
  const blocked = entities.filter((e) => e.type === 'code' || e.type === 'pre' || e.type === 'text_link');
  const commands = findBotCommands(text).filter(
    (command) =>
      !blocked.some((e) => command.offset < e.offset + e.length && e.offset < command.offset + command.length),
  );
  return { text, entities: commands.length > 0 ? sortEntities([...entities, ...commands]) : entities };
}

/** Telegram's limits are counted in characters (code points) after parsing. */
export const characterCount = (text: string): number => [...text].length;
