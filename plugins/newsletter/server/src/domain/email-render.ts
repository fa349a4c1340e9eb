/**
 * One newsletter e-mail for one recipient (docs/NEWSLETTERS.md, E-mail). Pure: no Strapi, no I/O.
 *
 * 1. The variant: subject and HTML in the member's language (`subjectEn` / `emailHtmlEn` when set and the member
 *    reads English), else the Russian ones; when there is no e-mail HTML the e-mail is made from the Telegram body
 *    (Telegram HTML is a subset of HTML: newlines become <br>). The newsletter's URL buttons follow as links. The
 *    subject falls back to the title.
 * 2. Sanitising with sanitize-html: a fixed list of tags, attributes and inline styles; links only http(s), mailto
 *    and tel; images only http(s); scripts, styles, forms, event handlers and `javascript:` are dropped.
 * 3. Links: every http(s) href of the sanitised HTML, in document order and deduplicated, gets a number from 1
 *    (`linksOf`). For a tracked send each is replaced by the click URL of its number; the click route recomputes the
 *    same list from the newsletter's stored content, so a redirect can only ever go to a link of that newsletter.
 * 4. Variables `{{firstName}}`, `{{lastName}}`, `{{fullName}}`, `{{email}}`, `{{phone}}`, `{{username}}`,
 *    `{{successfulBookings}}` are replaced (HTML-escaped in the body, as is in the subject) after the links are
 *    rewritten, so a variable never changes where a link goes. Unknown `{{names}}` are left as they are (a test
 *    send shows them).
 * 5. An unsubscribe footer (ru / en) and, for tracked sends, the 1×1 open pixel; the plain-text part is made from
 *    the same HTML with html-to-text.
 */
import sanitizeHtml from 'sanitize-html';
import { convert } from 'html-to-text';
import type { Language, NewsletterContent, RecipientVars } from '../types';

export type EmailContent = Pick<
  NewsletterContent,
  'title' | 'subject' | 'subjectEn' | 'emailHtml' | 'emailHtmlEn' | 'body' | 'bodyEn' | 'buttons'
>;

export const TEMPLATE_VARIABLES = ['firstName', 'lastName', 'fullName', 'email', 'phone', 'username', 'successfulBookings'] as const;
export type TemplateVariable = (typeof TEMPLATE_VARIABLES)[number];

const VARIABLE_PATTERN = /\{\{\s*([A-Za-z][A-Za-z0-9_]*)\s*\}\}/g;
const KNOWN_VARIABLES: ReadonlySet<string> = new Set(TEMPLATE_VARIABLES);
/** Subjects longer than this are cut (RFC 5322 recommends 78 per line; mail clients show ~100). */
export const MAX_SUBJECT_LENGTH = 250;

const present = (value: string | null | undefined): value is string => typeof value === 'string' && value.trim() !== '';

export const escapeHtml = (value: string): string =>
  value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');

/** Whether `href` is a link that gets tracked (and may be redirected to). */
export const isTrackableHref = (href: string): boolean => /^https?:\/\/[^\s]/i.test(href);

/** An address that can be sent to: one @, a dotted domain, not the reserved `.invalid` placeholder domain. */
export function isDeliverableAddress(address: string | null | undefined): address is string {
  if (typeof address !== 'string' || address.length > 254) return false;
  const match = /^[^\s@<>()[\]\\,;:"]{1,64}@((?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63})$/.exec(address);
  return match !== null && !/\.(invalid|localhost)$/i.test(match[1]);
}

// ---------------------------------------------------------------------------------------------------------------
// Sanitising

const SAFE_STYLE = /^(?!.*(?:url|expression|image|image-set|element|var|env|attr)\s*\()[-#(),.%\w\s'"!]+$/i;
const STYLE_PROPERTIES = [
  'color',
  'background-color',
  'background',
  'text-align',
  'text-decoration',
  'text-transform',
  'font-size',
  'font-weight',
  'font-style',
  'font-family',
  'line-height',
  'letter-spacing',
  'margin',
  'margin-top',
  'margin-right',
  'margin-bottom',
  'margin-left',
  'padding',
  'padding-top',
  'padding-right',
  'padding-bottom',
  'padding-left',
  'border',
  'border-top',
  'border-right',
  'border-bottom',
  'border-left',
  'border-radius',
  'border-collapse',
  'width',
  'max-width',
  'min-width',
  'height',
  'max-height',
  'display',
  'vertical-align',
  'white-space',
];

const TABLE_ATTRIBUTES = ['width', 'align', 'valign', 'bgcolor', 'colspan', 'rowspan', 'cellpadding', 'cellspacing', 'border', 'role'];

const SANITIZE_OPTIONS: sanitizeHtml.IOptions = {
  allowedTags: [...sanitizeHtml.defaults.allowedTags, 'img', 'del', 'ins', 'strike', 'center', 'font'],
  allowedAttributes: {
    '*': ['style', 'dir', 'lang', 'title', 'align'],
    a: ['href', 'name', 'target'],
    img: ['src', 'alt', 'width', 'height'],
    table: TABLE_ATTRIBUTES,
    tbody: TABLE_ATTRIBUTES,
    thead: TABLE_ATTRIBUTES,
    tfoot: TABLE_ATTRIBUTES,
    tr: TABLE_ATTRIBUTES,
    td: TABLE_ATTRIBUTES,
    th: TABLE_ATTRIBUTES,
    col: TABLE_ATTRIBUTES,
    colgroup: TABLE_ATTRIBUTES,
    font: ['color', 'size', 'face'],
  },
  allowedSchemes: ['http', 'https', 'mailto', 'tel'],
  allowedSchemesByTag: { img: ['http', 'https'] },
  allowedSchemesAppliedToAttributes: ['href', 'src', 'cite'],
  allowProtocolRelative: false,
  allowedStyles: { '*': Object.fromEntries(STYLE_PROPERTIES.map((property) => [property, [SAFE_STYLE]])) },
  disallowedTagsMode: 'discard',
  // An image without an absolute http(s) address cannot be shown in a mail client.
  exclusiveFilter: (frame) => frame.tag === 'img' && !/^https?:\/\//i.test(String(frame.attribs.src ?? '').trim()),
};

/** The HTML with everything outside the e-mail allow-list removed. */
export const sanitizeEmailHtml = (html: string): string => sanitizeHtml(html, SANITIZE_OPTIONS);

/** Runs `visit` on each link's href (decoded, trimmed) in document order; its answer replaces the href when not null. */
function mapLinks(html: string, visit: (href: string) => string | null): string {
  return sanitizeHtml(html, {
    ...SANITIZE_OPTIONS,
    transformTags: {
      a: (tagName, attribs) => {
        const href = typeof attribs.href === 'string' ? attribs.href.trim() : '';
        const replaced = href === '' ? null : visit(href);
        return { tagName, attribs: replaced === null ? attribs : { ...attribs, href: replaced } };
      },
    },
  });
}

/** The tracked links of sanitised HTML: http(s) hrefs in document order, each once. Link n is `links[n - 1]`. */
export function linksOf(html: string): string[] {
  const links: string[] = [];
  mapLinks(html, (href) => {
    if (isTrackableHref(href) && !links.includes(href)) links.push(href);
    return null;
  });
  return links;
}

// ---------------------------------------------------------------------------------------------------------------
// The variant

/** Telegram HTML (ParseMode HTML) as e-mail HTML: its tags are a subset; newlines become line breaks. */
export function telegramToEmailHtml(body: string): string {
  const normalised = body.replace(/\r\n?/g, '\n').replace(/<(\/?)tg-spoiler>/g, '<$1span>');
  return `<p>${normalised.replace(/\n/g, '<br />\n')}</p>`;
}

function buttonsHtml(buttons: EmailContent['buttons']): string {
  const usable = (buttons ?? []).filter((button) => present(button?.text) && present(button?.url) && isTrackableHref(button.url.trim()));
  if (usable.length === 0) return '';
  const links = usable.map(
    (button) =>
      `<a href="${escapeHtml(button.url.trim())}" style="display: inline-block; padding: 10px 18px; margin: 0 8px 8px 0; ` +
      `background-color: #2f6fed; color: #ffffff; text-decoration: none; border-radius: 6px">${escapeHtml(button.text)}</a>`,
  );
  return `<p style="margin-top: 24px">${links.join(' ')}</p>`;
}

export interface EmailSource {
  /** The subject before variables (plain text). */
  subject: string;
  /** The sanitised HTML before links are rewritten and variables replaced, buttons included. */
  html: string;
}

/** The subject and sanitised HTML a member reading `language` gets (the click route recomputes it). */
export function emailSource(content: EmailContent, language: Language): EmailSource {
  const english = language === 'en';
  const subject = (english && present(content.subjectEn) ? content.subjectEn : present(content.subject) ? content.subject : content.title) ?? '';
  let html: string;
  if (english && present(content.emailHtmlEn)) html = content.emailHtmlEn;
  else if (present(content.emailHtml)) html = content.emailHtml;
  else {
    const body = english && present(content.bodyEn) ? content.bodyEn : content.body ?? '';
    html = telegramToEmailHtml(body);
  }
  return { subject: subject.replace(/\s+/g, ' ').trim(), html: sanitizeEmailHtml(html + buttonsHtml(content.buttons)) };
}

/** The tracked links of what a member reading `language` gets from `content`: link n is `[n - 1]`. */
export const trackedLinks = (content: EmailContent, language: Language): string[] => linksOf(emailSource(content, language).html);

// ---------------------------------------------------------------------------------------------------------------
// Variables

/** `template` with the known `{{variables}}` replaced (HTML-escaped when `html`). */
export function renderVariables(template: string, vars: Partial<RecipientVars>, html: boolean): string {
  return template.replace(VARIABLE_PATTERN, (whole, name: string) => {
    if (!KNOWN_VARIABLES.has(name)) return whole;
    const raw = vars[name as TemplateVariable];
    const value = raw === null || raw === undefined ? '' : String(raw);
    return html ? escapeHtml(value) : value;
  });
}

// ---------------------------------------------------------------------------------------------------------------
// The e-mail

export interface TrackingUrls {
  /** The open pixel's URL; null: no pixel (test sends). */
  open: string | null;
  /** The click URL of link n; null: links are left as they are (test sends). */
  click: ((n: number) => string) | null;
  /** The unsubscribe page (the footer's link, and List-Unsubscribe). */
  unsubscribe: string;
}

export interface RenderedEmail {
  subject: string;
  html: string;
  text: string;
  /** The newsletter's tracked links, link n at [n - 1]. */
  links: string[];
}

const FOOTER: Record<Language, { notice: string; marketing: string; unsubscribe: string }> = {
  ru: {
    marketing: 'Вы получили это письмо, потому что согласились получать рассылки коворкинга.',
    notice: 'Это служебное сообщение коворкинга.',
    unsubscribe: 'Отписаться от рассылок',
  },
  en: {
    marketing: 'You receive this e-mail because you agreed to receive the coworking space’s newsletters.',
    notice: 'This is a service message from the coworking space.',
    unsubscribe: 'Unsubscribe from newsletters',
  },
};

const TEXT_OPTIONS = {
  wordwrap: 100,
  selectors: [
    { selector: 'img', format: 'skip' },
    { selector: 'a', options: { hideLinkHrefIfSameAsText: true } },
    ...['h1', 'h2', 'h3', 'h4', 'h5', 'h6'].map((selector) => ({ selector, options: { uppercase: false } })),
  ],
};

export interface RenderInput {
  content: EmailContent & { serviceNotice?: boolean };
  language: Language;
  vars: Partial<RecipientVars>;
  urls: TrackingUrls;
}

export function renderEmail({ content, language, vars, urls }: RenderInput): RenderedEmail {
  const source = emailSource(content, language);
  const links = linksOf(source.html);
  const tracked = urls.click
    ? mapLinks(source.html, (href) => {
        const index = isTrackableHref(href) ? links.indexOf(href) : -1;
        return index >= 0 && urls.click ? urls.click(index + 1) : null;
      })
    : source.html;
  const body = renderVariables(tracked, vars, true);
  const subject = renderVariables(source.subject, vars, false).replace(/\s+/g, ' ').trim().slice(0, MAX_SUBJECT_LENGTH);
  const words = FOOTER[language] ?? FOOTER.ru;
  const footer =
    `<p>${escapeHtml(content.serviceNotice ? words.notice : words.marketing)}</p>` +
    `<p><a href="${escapeHtml(urls.unsubscribe)}">${escapeHtml(words.unsubscribe)}</a></p>`;
  const pixel = urls.open
    ? `<img src="${escapeHtml(urls.open)}" width="1" height="1" alt="" style="display: block; width: 1px; height: 1px; border: 0" />`
    : '';
  const font = 'font-family: Arial, Helvetica, sans-serif';
  const html =
    `<!DOCTYPE html>\n<html lang="${language}"><head><meta charset="utf-8" />` +
    `<meta name="viewport" content="width=device-width, initial-scale=1" /><title>${escapeHtml(subject)}</title></head>` +
    `<body style="margin: 0; padding: 0; background-color: #f4f4f5">` +
    `<div style="max-width: 600px; margin: 0 auto; padding: 24px; background-color: #ffffff; ${font}; font-size: 16px; line-height: 1.5; color: #18181b">${body}</div>` +
    `<div style="max-width: 600px; margin: 0 auto; padding: 16px 24px; ${font}; font-size: 12px; line-height: 1.5; color: #71717a">${footer}</div>` +
    `${pixel}</body></html>`;
  const text = convert(`${body}<hr />${footer}`, TEXT_OPTIONS).trim();
  return { subject, html, text, links };
}
