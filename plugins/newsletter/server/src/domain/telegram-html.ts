/**
 * Telegram HTML as Telegram parses it (parse_mode "HTML"; TDLib's parse_html in td/telegram/MessageEntity.cpp),
 * checked before a newsletter is saved or sent, so staff see the mistake in the editor instead of a 400 from
 * Telegram in the middle of a run. Pure: no I/O.
 *
 * Accepted, as Telegram accepts them: <b> <strong> <i> <em> <u> <ins> <s> <strike> <del> <code> <pre>
 * (with an optional <code class="language-x"> inside), <tg-spoiler>, <span class="tg-spoiler">, <blockquote>
 * (optionally `expandable`), <tg-emoji emoji-id="…"> and <a href="…">; the entities &lt; &gt; &amp; &quot; and
 * numeric ones (&#123; &#x1F600;). A tag name is case-insensitive, other attributes are ignored (as Telegram
 * ignores them), `</>` closes the innermost tag.
 *
 * Stricter than Telegram, on purpose (Telegram would not refuse these, it would show something nobody meant):
 * - an <a> must carry an href with an http://, https:// or tg:// address (Telegram silently drops a link it cannot
 *   use, leaving plain text);
 * - a named entity other than the four (e.g. &nbsp;) is an error (Telegram shows it literally as "&nbsp;").
 *   A lone "&" (as in "Tom & Jerry") is fine.
 *
 * Length: Telegram counts the text after parsing (tags removed, entities decoded, leading and trailing
 * whitespace trimmed). We count UTF-16 code units, what the Bot API's limits are documented in; an emoji outside
 * the Basic Multilingual Plane counts 2. Limits: 4,096 for a message, 1,024 for a photo (or album) caption.
 */

export const MESSAGE_MAX = 4096;
export const CAPTION_MAX = 1024;

export type TelegramHtmlCheck =
  | { ok: true; text: string; length: number }
  | { ok: false; message: string; /** 0-based index in the source where the problem is. */ position: number };

class HtmlProblem extends Error {
  constructor(
    message: string,
    readonly position: number,
  ) {
    super(message);
  }
}

const SUPPORTED_TAGS = new Set(['a', 'b', 'strong', 'i', 'em', 's', 'strike', 'del', 'u', 'ins', 'tg-spoiler', 'tg-emoji', 'span', 'pre', 'code', 'blockquote']);
const NAMED_ENTITIES: Readonly<Record<string, string>> = { lt: '<', gt: '>', amp: '&', quot: '"' };
const LINK_SCHEMES = new Set(['http:', 'https:', 'tg:']);

const isSpace = (ch: string | undefined) => ch === ' ' || ch === '\t' || ch === '\r' || ch === '\n' || ch === '\v';
const isAlpha = (ch: string | undefined) => ch !== undefined && /^[A-Za-z]$/.test(ch);
const isDigit = (ch: string | undefined) => ch !== undefined && ch >= '0' && ch <= '9';
const isHex = (ch: string | undefined) => ch !== undefined && /^[0-9A-Fa-f]$/.test(ch);

/** Human position: "character N" counted from 1. */
const where = (position: number) => `at character ${position + 1}`;

interface Decoded {
  value: string;
  end: number;
}

/** An entity at `pos` (which holds "&"), as TDLib's decode_html_entity; null when it is plain text. */
function decodeEntity(html: string, pos: number): Decoded | null {
  let end = pos + 1;
  if (html[end] === '#') {
    end += 1;
    let code = 0;
    const hex = html[end] === 'x' || html[end] === 'X';
    if (hex) end += 1;
    const digitsFrom = end;
    while (hex ? isHex(html[end]) : isDigit(html[end])) {
      code = code * (hex ? 16 : 10) + parseInt(html[end], hex ? 16 : 10);
      end += 1;
      if (code > 0x10ffff) break;
    }
    if (end === digitsFrom) return null;
    // As Telegram: an impossible number is not a reference, the text stays as typed.
    if (code === 0 || code >= 0x10ffff || end - pos >= 10) return null;
    if (code >= 0xd800 && code <= 0xdfff) {
      throw new HtmlProblem(`The character reference "${html.slice(pos, end)}" ${where(pos)} is half of a surrogate pair, not a character`, pos);
    }
    if (html[end] === ';') end += 1;
    return { value: String.fromCodePoint(code), end };
  }
  while (isAlpha(html[end])) end += 1;
  const name = html.slice(pos + 1, end);
  if (name === '') return null;
  if (name in NAMED_ENTITIES) {
    if (html[end] === ';') end += 1;
    return { value: NAMED_ENTITIES[name], end };
  }
  if (html[end] === ';') {
    throw new HtmlProblem(
      `Unsupported entity "&${name};" ${where(pos)}: Telegram knows only &lt; &gt; &amp; &quot; and numeric ones (&#160;); type the character itself`,
      pos,
    );
  }
  return null;
}

function checkedHref(href: string): boolean {
  if (href === '' || /\s/.test(href)) return false;
  try {
    const url = new URL(href);
    if (!LINK_SCHEMES.has(url.protocol)) return false;
    return url.protocol === 'tg:' || url.hostname !== '';
  } catch {
    return false;
  }
}

interface Open {
  tag: string;
  position: number;
  /** Output length when the tag opened. */
  start: number;
  href: string | null;
  emojiId: string | null;
}

function parse(html: string): { text: string; firstEntity: number } {
  let out = '';
  const stack: Open[] = [];
  let firstEntity = Number.POSITIVE_INFINITY;
  let i = 0;
  while (i < html.length) {
    const ch = html[i];
    if (ch === '&') {
      const decoded = decodeEntity(html, i);
      if (decoded) {
        out += decoded.value;
        i = decoded.end;
        continue;
      }
      out += ch;
      i += 1;
      continue;
    }
    if (ch !== '<') {
      out += ch;
      i += 1;
      continue;
    }
    const begin = i;
    i += 1;
    if (html[i] !== '/') {
      // A start tag: the name up to a space or ">".
      while (i < html.length && !isSpace(html[i]) && html[i] !== '>') i += 1;
      const tag = html.slice(begin + 1, i).toLowerCase();
      if (i >= html.length) {
        throw new HtmlProblem(`The tag "<${tag}" ${where(begin)} is not closed with ">" (write &lt; for a literal "<")`, begin);
      }
      if (!SUPPORTED_TAGS.has(tag)) {
        throw new HtmlProblem(
          tag === ''
            ? `A "<" ${where(begin)} starts a tag: write &lt; for a literal "<"`
            : `Unsupported tag <${tag}> ${where(begin)}: Telegram allows b, i, u, s, a, code, pre, blockquote, tg-spoiler and tg-emoji`,
          begin,
        );
      }
      const open: Open = { tag, position: begin, start: out.length, href: null, emojiId: null };
      let spanClass: string | null = null;
      while (html[i] !== '>') {
        while (isSpace(html[i])) i += 1;
        if (html[i] === '>') break;
        const nameFrom = i;
        while (i < html.length && !isSpace(html[i]) && html[i] !== '=' && html[i] !== '>') i += 1;
        const attribute = html.slice(nameFrom, i).toLowerCase();
        if (attribute === '') throw new HtmlProblem(`An attribute of <${tag}> ${where(begin)} has no name`, nameFrom);
        while (isSpace(html[i])) i += 1;
        if (i >= html.length) throw new HtmlProblem(`The tag <${tag}> ${where(begin)} is not closed with ">"`, begin);
        if (html[i] !== '=') continue; // an attribute without a value (e.g. <blockquote expandable>)
        i += 1;
        while (isSpace(html[i])) i += 1;
        if (i >= html.length) throw new HtmlProblem(`The tag <${tag}> ${where(begin)} is not closed with ">"`, begin);
        let value = '';
        if (html[i] !== '"' && html[i] !== "'") {
          const tokenFrom = i;
          while (i < html.length && /[A-Za-z0-9.-]/.test(html[i])) i += 1;
          value = html.slice(tokenFrom, i).toLowerCase();
          if (!isSpace(html[i]) && html[i] !== '>') {
            throw new HtmlProblem(`The value of "${attribute}" in <${tag}> ${where(tokenFrom)} must be in quotes`, tokenFrom);
          }
        } else {
          const quote = html[i];
          i += 1;
          while (i < html.length && html[i] !== quote) {
            if (html[i] === '&') {
              const decoded = decodeEntity(html, i);
              if (decoded) {
                value += decoded.value;
                i = decoded.end;
                continue;
              }
            }
            value += html[i];
            i += 1;
          }
          if (html[i] === quote) i += 1;
        }
        if (i >= html.length) throw new HtmlProblem(`The tag <${tag}> ${where(begin)} is not closed with ">"`, begin);
        if (tag === 'a' && attribute === 'href') open.href = value;
        else if (tag === 'span' && attribute === 'class') spanClass = value;
        else if (tag === 'tg-emoji' && attribute === 'emoji-id') open.emojiId = value;
      }
      i += 1; // ">"
      if (tag === 'span' && spanClass !== 'tg-spoiler') {
        throw new HtmlProblem(`<span> ${where(begin)} must have class="tg-spoiler" (the only span Telegram knows)`, begin);
      }
      if (tag === 'a' && (open.href === null || !checkedHref(open.href))) {
        throw new HtmlProblem(
          open.href === null
            ? `The link <a> ${where(begin)} has no href="…"`
            : `The link ${where(begin)} goes to "${open.href.slice(0, 100)}": use a full http://, https:// or tg:// address`,
          begin,
        );
      }
      if (tag === 'tg-emoji' && !/^[1-9][0-9]{0,19}$/.test(open.emojiId ?? '')) {
        throw new HtmlProblem(`<tg-emoji> ${where(begin)} needs emoji-id="…" with the custom emoji's numeric id`, begin);
      }
      stack.push(open);
      continue;
    }
    // An end tag.
    i += 1;
    const nameFrom = i;
    while (i < html.length && !isSpace(html[i]) && html[i] !== '>') i += 1;
    const endTag = html.slice(nameFrom, i).toLowerCase();
    while (isSpace(html[i])) i += 1;
    if (html[i] !== '>') throw new HtmlProblem(`The end tag "</${endTag}" ${where(begin)} is not closed with ">"`, begin);
    i += 1;
    const open = stack.pop();
    if (!open) throw new HtmlProblem(`The end tag </${endTag}> ${where(begin)} closes nothing: no tag is open here`, begin);
    if (endTag !== '' && endTag !== open.tag) {
      throw new HtmlProblem(`The end tag </${endTag}> ${where(begin)} does not match <${open.tag}> opened ${where(open.position)}`, begin);
    }
    if (out.length > open.start) firstEntity = Math.min(firstEntity, open.start);
  }
  const unclosed = stack[stack.length - 1];
  if (unclosed) throw new HtmlProblem(`The tag <${unclosed.tag}> ${where(unclosed.position)} is never closed (add </${unclosed.tag}>)`, unclosed.position);
  return { text: out, firstEntity };
}

const TRIMMED = new Set([' ', '\n', '\t', '\r']);

/** Telegram trims spaces and newlines at both ends (at the start, only up to the first formatted piece). */
function trim(text: string, firstEntity: number): string {
  let start = 0;
  while (start < Math.min(firstEntity, text.length) && TRIMMED.has(text[start])) start += 1;
  let end = text.length;
  while (end > start && TRIMMED.has(text[end - 1])) end -= 1;
  return text.slice(start, end);
}

/** Checks Telegram HTML; on success returns the text Telegram would show and its length in UTF-16 code units. */
export function checkTelegramHtml(html: string): TelegramHtmlCheck {
  try {
    const { text, firstEntity } = parse(html);
    const shown = trim(text, firstEntity);
    return { ok: true, text: shown, length: shown.length };
  } catch (error) {
    if (error instanceof HtmlProblem) return { ok: false, message: error.message, position: error.position };
    throw error;
  }
}

/** Text length as Telegram limits it: UTF-16 code units. */
export const telegramLength = (text: string): number => text.length;

/** Escapes text for Telegram HTML (and HTML in general): & < > ". */
export const escapeHtml = (text: string): string =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
