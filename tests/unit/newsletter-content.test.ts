/**
 * The newsletter's content rules (plugins/newsletter/server/src/domain): Telegram HTML as Telegram parses it and
 * its length after parsing (checked against the Telegram stand-in's port of TDLib's parser on the same samples),
 * the message / caption / album limits, buttons, e-mail parts and template variables, the state machine.
 */
import { contentIssues, createSchema, telegramShape, updateSchema, validateForSending, type ComposedContent } from '../../plugins/newsletter/server/src/domain/content';
import { canDelete, canEdit, nextState, refusalMessage, TRANSITIONS, type NewsletterAction } from '../../plugins/newsletter/server/src/domain/state';
import { checkTelegramHtml } from '../../plugins/newsletter/server/src/domain/telegram-html';
import { recipientVars, renderTemplate, unknownVariables } from '../../plugins/newsletter/server/src/domain/template';
import { NEWSLETTER_STATES, type NewsletterState, type RecipientVars } from '../../plugins/newsletter/server/src/types';
import { formatText } from '../stand-ins/telegram/entities';

/** What the stand-in (TDLib's parser) makes of `html` sent with parse_mode HTML: the text, or the error. */
function standIn(html: string): { ok: true; text: string } | { ok: false; error: string } {
  try {
    return { ok: true, text: formatText(html, 'HTML', undefined).text };
  } catch (error) {
    return { ok: false, error: (error as Error).message };
  }
}

const empty: ComposedContent = { body: null, bodyEn: null, subject: null, subjectEn: null, emailHtml: null, emailHtmlEn: null, buttons: [] };

describe('Telegram HTML', () => {
  // Valid in Telegram: our validator accepts it and shows exactly the text Telegram shows.
  const valid = [
    'Plain text',
    '<b>bold</b> <strong>strong</strong> <i>it</i> <em>em</em> <u>u</u> <ins>ins</ins> <s>s</s> <strike>st</strike> <del>del</del>',
    '<a href="https://example.com/x?a=1&amp;b=2">link</a> and <a href="tg://resolve?domain=cowork">tg</a>',
    "<a href='http://example.com'>single quotes</a>",
    '<B>upper case</B> and <b>closed by</>',
    '<code>x &lt; y &amp;&amp; y &gt; z</code>',
    '<pre><code class="language-python">print(1)</code></pre>',
    '<pre>pre</pre>',
    '<tg-spoiler>secret</tg-spoiler> <span class="tg-spoiler">also</span>',
    '<blockquote>quote</blockquote> <blockquote expandable>long quote</blockquote>',
    '<tg-emoji emoji-id="5368324170671202286">👍</tg-emoji>',
    'Entities: &quot;q&quot; &#65; &#x42; &#x1F600; &lt;tag&gt;',
    'Tom & Jerry, a&b, & alone',
    '  \n  trimmed at both ends \n\n ',
    '<b>nested <i>italic <u>under</u></i></b>',
    '<b attr="ignored" class=x>unknown attributes are ignored</b>',
    'Привет, {{firstName}}! Скидка 10 % — до 31.12.',
    '😀 emoji outside the BMP',
    '&#0; and &#99999999; stay as typed',
  ];
  it.each(valid)('accepts %p and agrees with Telegram on the text', (html) => {
    const ours = checkTelegramHtml(html);
    const theirs = standIn(html);
    expect(theirs.ok).toBe(true);
    expect(ours.ok).toBe(true);
    if (ours.ok && theirs.ok) {
      expect(ours.text).toBe(theirs.text);
      expect(ours.length).toBe(theirs.text.length); // UTF-16 code units
    }
  });

  // Refused by Telegram: refused by us too, with a message naming the tag and where it is.
  const invalid: Array<[string, RegExp]> = [
    ['<p>paragraph</p>', /Unsupported tag <p> at character 1/],
    ['Hello <br> world', /Unsupported tag <br> at character 7/],
    ['<div>x</div>', /<div>/],
    ['<b>bold', /<b> at character 1 is never closed/],
    ['bold</b>', /<\/b> at character 5 closes nothing/],
    ['<b><i>x</b></i>', /<\/b> at character 8 does not match <i> opened at character 4/],
    ['a < b', /starts a tag/],
    ['<b', /not closed with ">"/],
    ['<span>x</span>', /<span> at character 1 must have class="tg-spoiler"/],
    ['<span class="other">x</span>', /tg-spoiler/],
    ['<tg-emoji>x</tg-emoji>', /emoji-id/],
    ['<b class=a"b">x</b>', /must be in quotes/],
    ['&#xD800; lone surrogate', /surrogate/],
  ];
  it.each(invalid)('refuses %p as Telegram does', (html, message) => {
    const ours = checkTelegramHtml(html);
    expect(standIn(html).ok).toBe(false);
    expect(ours.ok).toBe(false);
    if (!ours.ok) expect(ours.message).toMatch(message);
  });

  // Stricter than Telegram on purpose: Telegram would not refuse these but would show something nobody meant.
  const stricter: Array<[string, RegExp]> = [
    ['<a href="javascript:alert(1)">x</a>', /http:\/\/, https:\/\/ or tg:\/\//],
    ['<a href="ftp://example.com">x</a>', /http:\/\/, https:\/\/ or tg:\/\//],
    ['<a>no href</a>', /has no href/],
    ['A&nbsp;B', /Unsupported entity "&nbsp;" at character 2/],
  ];
  it.each(stricter)('refuses %p although Telegram would take it', (html, message) => {
    expect(standIn(html).ok).toBe(true);
    const ours = checkTelegramHtml(html);
    expect(ours.ok).toBe(false);
    if (!ours.ok) expect(ours.message).toMatch(message);
  });

  it('counts the text after parsing in UTF-16 code units (an emoji outside the BMP is 2)', () => {
    const check = checkTelegramHtml('<b>ab</b>&amp;😀');
    expect(check).toEqual({ ok: true, text: 'ab&😀', length: 5 });
  });
});

describe('content rules', () => {
  const telegram = ['telegram'] as const;
  const text = (length: number) => 'x'.repeat(length);

  it('takes a message of 4,096 characters after parsing, markup not counted', () => {
    expect(contentIssues({ ...empty, body: `<b>${text(4096)}</b>` }, { channels: telegram, mediaCount: 0 })).toEqual([]);
    const over = contentIssues({ ...empty, body: text(4097) }, { channels: telegram, mediaCount: 0 });
    expect(over).toEqual([expect.objectContaining({ field: 'body', code: 'too_long', message: expect.stringMatching(/4,097 characters; a Telegram message holds 4,096/) })]);
  });

  it('limits the text to a 1,024-character caption with exactly one image', () => {
    expect(contentIssues({ ...empty, body: text(1024) }, { channels: telegram, mediaCount: 1 })).toEqual([]);
    expect(contentIssues({ ...empty, body: text(1025) }, { channels: telegram, mediaCount: 1 })).toEqual([
      expect.objectContaining({ code: 'too_long', message: expect.stringMatching(/photo caption holds 1,024/) }),
    ]);
  });

  it('with 2–10 images sends a longer text after the album, so the limit is 4,096', () => {
    expect(contentIssues({ ...empty, body: text(4096) }, { channels: telegram, mediaCount: 2 })).toEqual([]);
    expect(contentIssues({ ...empty, body: text(4097) }, { channels: telegram, mediaCount: 10 })[0].code).toBe('too_long');
    expect(telegramShape(1024, 2, 0)).toBe('album');
    expect(telegramShape(1025, 2, 0)).toBe('album+text');
    expect(telegramShape(10, 3, 1)).toBe('album+text');
    expect(telegramShape(10, 1, 1)).toBe('photo');
    expect(telegramShape(10, 0, 0)).toBe('text');
  });

  it('refuses an 11th image and invalid markup in the English variant', () => {
    expect(contentIssues(empty, { channels: telegram, mediaCount: 11 })[0]).toMatchObject({ field: 'media', code: 'too_many_images' });
    expect(contentIssues({ ...empty, body: 'ok', bodyEn: '<p>x</p>' }, { channels: telegram, mediaCount: 0 })[0]).toMatchObject({
      field: 'bodyEn',
      code: 'html_invalid',
      message: expect.stringMatching(/^The English text: Unsupported tag <p>/),
    });
  });

  it('refuses unknown template variables wherever they are', () => {
    const issues = contentIssues({ ...empty, body: 'Hi {{firstName}} {{ nickname }}', subject: '{{foo}}' }, { channels: ['telegram', 'email'], mediaCount: 0 });
    expect(issues.map((i) => [i.field, i.code])).toEqual([
      ['body', 'unknown_variable'],
      ['subject', 'unknown_variable'],
    ]);
    expect(issues[0].message).toMatch(/\{\{nickname\}\}/);
  });

  it('for sending, needs each channel’s parts; a draft may be unfinished', () => {
    expect(contentIssues(empty, { channels: ['telegram', 'email'], mediaCount: 0 })).toEqual([]);
    expect(validateForSending(empty, ['telegram'], 0).map((i) => i.field)).toEqual(['body']);
    expect(validateForSending(empty, ['email'], 0).map((i) => i.field)).toEqual(['subject', 'emailHtml']);
    // The e-mail falls back to the Telegram body.
    expect(validateForSending({ ...empty, subject: 'News', body: 'Hello' }, ['email'], 0)).toEqual([]);
    expect(validateForSending({ ...empty, subject: 'News', emailHtml: '<p>Hello</p>' }, ['email'], 0)).toEqual([]);
  });

  it('parses the create and update bodies: wrong shapes, bad buttons, defaults', () => {
    const ok = createSchema.parse({ title: 'Closure', channels: ['telegram'], body: 'x' });
    expect(ok).toMatchObject({ buttons: [], audience: { segment: 'all', params: {} }, serviceNotice: false });
    expect(createSchema.safeParse({ title: 'Closure', channels: ['telegram'], extra: 1 }).success).toBe(false);
    expect(createSchema.safeParse({ title: 'Closure', channels: [] }).success).toBe(false);
    expect(createSchema.safeParse({ title: 'Closure', channels: ['telegram', 'telegram'] }).success).toBe(false);
    expect(createSchema.safeParse({ title: 'Closure', channels: ['sms'] }).success).toBe(false);
    const buttons = (list: unknown) => createSchema.safeParse({ title: 'Closure', channels: ['telegram'], buttons: list }).success;
    expect(buttons([{ text: 'Book', url: 'https://example.com' }, { text: 'Bot', url: 'tg://resolve?domain=x' }])).toBe(true);
    expect(buttons([{ text: 'Bad', url: 'javascript:alert(1)' }])).toBe(false);
    expect(buttons([{ text: '', url: 'https://example.com' }])).toBe(false);
    expect(buttons([{ text: 'x'.repeat(65), url: 'https://example.com' }])).toBe(false);
    expect(buttons(Array.from({ length: 11 }, () => ({ text: 'a', url: 'https://example.com' })))).toBe(false);
    expect(updateSchema.parse({ body: '  ' })).toEqual({ body: null });
    expect(updateSchema.parse({})).toEqual({});
  });
});

describe('template variables', () => {
  const vars: RecipientVars = recipientVars({ fullName: 'Анна <Петрова> & Co', email: 'anna@example.com', phone: '+79990000000', telegramUsername: 'anna', successfulBookings: 3 });

  it('renders every variable, HTML-escaped, spaces inside braces allowed', () => {
    expect(renderTemplate('{{firstName}}|{{ lastName }}|{{fullName}}|{{email}}|{{phone}}|{{username}}|{{successfulBookings}}', vars)).toBe(
      'Анна|&lt;Петрова&gt; &amp; Co|Анна &lt;Петрова&gt; &amp; Co|anna@example.com|+79990000000|anna|3',
    );
    expect(renderTemplate('{{lastName}}', vars, { escape: false })).toBe('<Петрова> & Co');
    // The result is still valid Telegram HTML.
    expect(checkTelegramHtml(renderTemplate('<b>{{fullName}}</b>', vars)).ok).toBe(true);
  });

  it('leaves unknown names alone and lists them', () => {
    expect(unknownVariables('{{firstName}} {{x}} {{ y }} {{x}}')).toEqual(['x', 'y']);
    expect(renderTemplate('{{x}}', vars)).toBe('{{x}}');
  });

  it('does not show a placeholder e-mail', () => {
    expect(recipientVars({ fullName: null, email: 'tg123@telegram.invalid' })).toMatchObject({ email: '', firstName: '', fullName: '' });
  });
});

describe('newsletter states', () => {
  const table: Array<[NewsletterState, NewsletterAction, NewsletterState | null]> = [
    ['draft', 'send', 'sending'],
    ['draft', 'schedule', 'scheduled'],
    ['scheduled', 'schedule', 'scheduled'],
    ['scheduled', 'send', 'sending'],
    ['scheduled', 'start', 'sending'],
    ['scheduled', 'unschedule', 'draft'],
    ['scheduled', 'cancel', 'cancelled'],
    ['sending', 'pause', 'paused'],
    ['paused', 'resume', 'sending'],
    ['sending', 'cancel', 'cancelled'],
    ['paused', 'cancel', 'cancelled'],
    ['sending', 'finish', 'sent'],
    ['sending', 'fail', 'failed'],
    ['sent', 'resend', 'sending'],
    ['failed', 'resend', 'sending'],
    // Refused.
    ['sending', 'send', null],
    ['paused', 'send', null],
    ['sent', 'send', null],
    ['draft', 'pause', null],
    ['paused', 'pause', null],
    ['sending', 'resume', null],
    ['sent', 'cancel', null],
    ['cancelled', 'resend', null],
    ['draft', 'resend', null],
    ['draft', 'cancel', null],
    ['paused', 'finish', null],
  ];
  it.each(table)('%s --%s--> %s', (from, action, to) => {
    expect(nextState(from, action)).toBe(to);
  });

  it('has no way out of cancelled', () => {
    for (const action of Object.keys(TRANSITIONS) as NewsletterAction[]) expect(nextState('cancelled', action)).toBeNull();
  });

  it('edits drafts and scheduled ones only; deletes anything not being sent', () => {
    expect(NEWSLETTER_STATES.filter(canEdit)).toEqual(['draft', 'scheduled']);
    expect(NEWSLETTER_STATES.filter((s) => !canDelete(s))).toEqual(['sending', 'paused']);
  });

  it('explains a refusal', () => {
    expect(refusalMessage('sent', 'pause')).toBe('The newsletter is already sent, so it cannot be paused (only when it is being sent).');
  });
});
