/**
 * Client-side check of a Telegram HTML body, mirroring the server's (docs/NEWSLETTERS.md, Composing): only the
 * tags Telegram accepts (b, strong, i, em, u, ins, s, strike, del, a href, code, pre, blockquote, tg-spoiler,
 * span class="tg-spoiler"), each closed in order, links with an http(s) or tg:// address, only the entities
 * &lt; &gt; &amp; &quot; and numeric ones, and the visible text (tags removed, entities decoded, trimmed, counted
 * in UTF-16 code units as the server does: server/src/domain/telegram-html.ts) within 4,096 characters, or 1,024
 * as the caption of a single photo (with 2–10 images the text goes as its own message). The server has the last
 * word; its 422 is shown next to the field.
 */
export const TEXT_LIMIT = 4096;
export const CAPTION_LIMIT = 1024;

const ALLOWED = new Set(['b', 'strong', 'i', 'em', 'u', 'ins', 's', 'strike', 'del', 'a', 'code', 'pre', 'blockquote', 'tg-spoiler', 'span', 'tg-emoji']);
const ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"' };

export type HtmlProblem =
  | { code: 'unknownTag'; tag: string }
  | { code: 'unclosedTag'; tag: string }
  | { code: 'unexpectedClose'; tag: string }
  | { code: 'strayBracket' }
  | { code: 'linkWithoutHref' }
  | { code: 'badHref'; href: string }
  | { code: 'badSpan' }
  | { code: 'badEntity'; entity: string }
  | { code: 'tooLong'; length: number; max: number };

export interface HtmlCheck {
  /** The visible text's length in characters. */
  length: number;
  problems: HtmlProblem[];
}

const decode = (text: string) =>
  text.replace(/&(#x[0-9a-f]+|#[0-9]+|[a-z]+);/gi, (whole, name: string) => {
    if (name[0] === '#') {
      const code = name[1] === 'x' || name[1] === 'X' ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
      return Number.isFinite(code) && code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    }
    return ENTITIES[name.toLowerCase()] ?? whole;
  });

/** Visible length of a Telegram HTML text (tags out, entities decoded, trimmed), in UTF-16 code units. */
export function visibleLength(html: string): number {
  return decode(html.replace(/<[^>]*>/g, '')).trim().length;
}

/** Checks the markup and the length against `max` (TEXT_LIMIT, or CAPTION_LIMIT with one photo). */
export function checkTelegramHtml(html: string, max: number): HtmlCheck {
  const problems: HtmlProblem[] = [];
  const stack: string[] = [];
  let text = '';
  let i = 0;
  while (i < html.length) {
    const lt = html.indexOf('<', i);
    if (lt === -1) {
      text += html.slice(i);
      break;
    }
    text += html.slice(i, lt);
    const gt = html.indexOf('>', lt);
    if (gt === -1) {
      problems.push({ code: 'strayBracket' });
      text += html.slice(lt);
      break;
    }
    const inside = html.slice(lt + 1, gt).trim();
    i = gt + 1;
    const closing = inside.startsWith('/');
    const name = (closing ? inside.slice(1) : inside).trim().split(/[\s/]/)[0]?.toLowerCase() ?? '';
    if (!/^[a-z][a-z0-9-]*$/.test(name)) {
      problems.push({ code: 'strayBracket' });
      continue;
    }
    if (!ALLOWED.has(name)) {
      problems.push({ code: 'unknownTag', tag: name });
      continue;
    }
    if (closing) {
      if (stack[stack.length - 1] === name) stack.pop();
      else problems.push({ code: 'unexpectedClose', tag: name });
      continue;
    }
    const attributes = inside.slice(name.length);
    if (name === 'a') {
      const href = /href\s*=\s*("([^"]*)"|'([^']*)'|([^\s>]+))/i.exec(attributes);
      const value = href ? decode(href[2] ?? href[3] ?? href[4] ?? '') : null;
      if (!value) problems.push({ code: 'linkWithoutHref' });
      else if (!/^(https?:\/\/[^\s]+|tg:\/\/[^\s]+|mailto:[^\s]+)$/i.test(value)) problems.push({ code: 'badHref', href: value });
    }
    if (name === 'span' && !/class\s*=\s*["']?tg-spoiler/i.test(attributes)) problems.push({ code: 'badSpan' });
    stack.push(name);
  }
  for (const tag of stack.reverse()) problems.push({ code: 'unclosedTag', tag });
  for (const match of text.matchAll(/&([a-z][a-z0-9]*);/gi)) {
    if (!(match[1].toLowerCase() in ENTITIES)) problems.push({ code: 'badEntity', entity: match[0] });
  }
  const length = decode(text).trim().length;
  if (length > max) problems.push({ code: 'tooLong', length, max });
  return { length, problems };
}

/** The caption limit applies when exactly one photo goes with the text. */
export const limitFor = (imageCount: number) => (imageCount === 1 ? CAPTION_LIMIT : TEXT_LIMIT);
