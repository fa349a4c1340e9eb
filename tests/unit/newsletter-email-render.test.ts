/**
 * One newsletter e-mail for one recipient (plugins/newsletter/server/src/domain/email-render.ts): the variant by
 * language, sanitising, numbered tracked links, variables, footer, pixel and the plain-text part.
 */
import {
  emailSource,
  isDeliverableAddress,
  linksOf,
  renderEmail,
  renderVariables,
  sanitizeEmailHtml,
  trackedLinks,
  type EmailContent,
  type TrackingUrls,
} from '../../plugins/newsletter/server/src/domain/email-render';

const content = (fields: Partial<EmailContent> = {}): EmailContent & { serviceNotice: boolean } => ({
  title: 'May events',
  subject: 'Новости мая, {{firstName}}',
  subjectEn: null,
  emailHtml: null,
  emailHtmlEn: null,
  body: 'Привет!',
  bodyEn: null,
  buttons: [],
  serviceNotice: false,
  ...fields,
});

const urls: TrackingUrls = {
  open: 'https://space.example/api/newsletter/o/OPEN',
  click: (n) => `https://space.example/api/newsletter/c/CLICK${n}?l=${n}`,
  unsubscribe: 'https://space.example/api/newsletter/u/UNSUB',
};

const vars = { firstName: 'Anna', lastName: 'Ivanova', fullName: 'Anna Ivanova', email: 'anna@example.com', phone: '', username: 'anna', successfulBookings: 3 };

describe('the variant', () => {
  it('uses the English subject and HTML for English readers when they are set, the Russian ones otherwise', () => {
    const c = content({ subject: 'Тема', subjectEn: 'Subject', emailHtml: '<p>Русский</p>', emailHtmlEn: '<p>English</p>' });
    expect(emailSource(c, 'en')).toEqual({ subject: 'Subject', html: '<p>English</p>' });
    expect(emailSource(c, 'ru')).toEqual({ subject: 'Тема', html: '<p>Русский</p>' });
    // No English variant: English readers get the Russian one
    expect(emailSource(content({ subject: 'Тема', emailHtml: '<p>Русский</p>' }), 'en')).toEqual({ subject: 'Тема', html: '<p>Русский</p>' });
  });

  it('falls back to the title when there is no subject', () => {
    expect(emailSource(content({ subject: '  ' }), 'ru').subject).toBe('May events');
  });

  it('makes the e-mail from the Telegram body (newlines become line breaks) when there is no e-mail HTML', () => {
    const c = content({ body: '<b>Открытие</b>\nзала <a href="https://space.example/hall">тут</a>', bodyEn: '<i>Opening</i>\nof the hall' });
    expect(emailSource(c, 'ru').html).toBe('<p><b>Открытие</b><br />\nзала <a href="https://space.example/hall">тут</a></p>');
    expect(emailSource(c, 'en').html).toBe('<p><i>Opening</i><br />\nof the hall</p>');
  });

  it('adds the URL buttons as links after the body', () => {
    const c = content({ emailHtml: '<p>Hi</p>', buttons: [{ text: 'Book <now>', url: 'https://space.example/book' }] });
    const { html } = emailSource(c, 'ru');
    expect(html).toContain('<a href="https://space.example/book"');
    expect(html).toContain('>Book &lt;now&gt;</a>');
    expect(trackedLinks(c, 'ru')).toEqual(['https://space.example/book']);
  });
});

describe('sanitising', () => {
  it.each([
    ['<script>alert(1)</script><p>ok</p>', '<p>ok</p>'],
    ['<p onclick="alert(1)">ok</p>', '<p>ok</p>'],
    ['<a href="javascript:alert(1)">x</a>', '<a>x</a>'],
    ['<a href="//evil.example/x">x</a>', '<a>x</a>'],
    ['<img src="data:image/png;base64,AAAA" /><img src="x" />', ''],
    ['<iframe src="https://evil.example"></iframe><p>ok</p>', '<p>ok</p>'],
    ['<style>p{color:red}</style><p>ok</p>', '<p>ok</p>'],
    ['<form action="https://evil.example"><input name="a" /></form>', ''],
    ['<p style="color: red; background: url(https://evil.example/t.gif)">x</p>', '<p style="color:red">x</p>'],
  ])('removes what a mail must not carry: %s', (dirty, clean) => {
    expect(sanitizeEmailHtml(dirty)).toBe(clean);
  });

  it('keeps the formatting e-mails use', () => {
    const html =
      '<h2>Title</h2><p style="text-align:center;color:#333">x <b>b</b> <i>i</i> <u>u</u></p>' +
      '<table width="100%" cellpadding="0"><tr><td align="center">c</td></tr></table>' +
      '<img src="https://cdn.example/a.png" alt="A" width="200" /><a href="mailto:hi@space.example">mail</a>';
    expect(sanitizeEmailHtml(html)).toBe(html);
  });
});

describe('links', () => {
  it('numbers every http(s) link once, in document order', () => {
    const html =
      '<a href="https://a.example/1">a</a><a href="mailto:x@y.example">m</a><a href=" https://b.example/2?x=1&amp;y=2 ">b</a>' +
      '<a href="https://a.example/1">again</a><a href="tel:+70000000000">t</a><a href="HTTP://c.example">c</a>';
    expect(linksOf(sanitizeEmailHtml(html))).toEqual(['https://a.example/1', 'https://b.example/2?x=1&y=2', 'HTTP://c.example']);
  });

  it('rewrites each tracked link to the click URL of its number and leaves the others', () => {
    const c = content({
      emailHtml: '<p><a href="https://a.example/1">one</a> <a href="https://b.example/2">two</a> <a href="https://a.example/1">one again</a> <a href="mailto:x@y.example">mail</a></p>',
    });
    const email = renderEmail({ content: c, language: 'ru', vars, urls });
    expect(email.links).toEqual(['https://a.example/1', 'https://b.example/2']);
    expect(email.html).toContain('<a href="https://space.example/api/newsletter/c/CLICK1?l=1">one</a>');
    expect(email.html).toContain('<a href="https://space.example/api/newsletter/c/CLICK2?l=2">two</a>');
    expect(email.html).toContain('<a href="https://space.example/api/newsletter/c/CLICK1?l=1">one again</a>');
    expect(email.html).toContain('<a href="mailto:x@y.example">mail</a>');
    expect(email.html).not.toContain('https://a.example/1');
    expect(email.text).toContain('one [https://space.example/api/newsletter/c/CLICK1?l=1]');
  });

  it('keeps the links as they are for a test send (no click URLs, no pixel)', () => {
    const c = content({ emailHtml: '<a href="https://a.example/1">one</a>' });
    const email = renderEmail({ content: c, language: 'ru', vars, urls: { open: null, click: null, unsubscribe: urls.unsubscribe } });
    expect(email.html).toContain('<a href="https://a.example/1">one</a>');
    expect(email.html).not.toContain('/o/');
  });

  it('does not let a variable change where a link goes', () => {
    const c = content({ emailHtml: '<a href="https://a.example/?n={{firstName}}">x</a>' });
    const email = renderEmail({ content: c, language: 'ru', vars: { ...vars, firstName: 'evil' }, urls });
    expect(email.links).toEqual(['https://a.example/?n={{firstName}}']);
    expect(email.html).toContain('href="https://space.example/api/newsletter/c/CLICK1?l=1"');
  });
});

describe('variables', () => {
  it('replaces the known variables, HTML-escaped in the body and as is in the subject', () => {
    const c = content({ subject: 'Hi {{ firstName }}, {{successfulBookings}} visits', emailHtml: '<p>Dear {{fullName}} ({{email}}), {{unknown}}</p>' });
    const email = renderEmail({ content: c, language: 'ru', vars: { ...vars, fullName: '<b>Anna</b> & co' }, urls });
    expect(email.subject).toBe('Hi Anna, 3 visits');
    expect(email.html).toContain('<p>Dear &lt;b&gt;Anna&lt;/b&gt; &amp; co (anna@example.com), {{unknown}}</p>');
    expect(email.text).toContain('Dear <b>Anna</b> & co (anna@example.com), {{unknown}}');
  });

  it('renders missing values as empty', () => {
    expect(renderVariables('[{{phone}}][{{lastName}}]', { phone: '' }, true)).toBe('[][]');
  });
});

describe('the e-mail', () => {
  it('has the footer with the unsubscribe link in the reader’s language, the pixel and both parts', () => {
    const en = renderEmail({ content: content({ emailHtml: '<p>Hello</p>' }), language: 'en', vars, urls });
    expect(en.html).toMatch(/^<!DOCTYPE html>\n<html lang="en">/);
    expect(en.html).toContain('<a href="https://space.example/api/newsletter/u/UNSUB">Unsubscribe from newsletters</a>');
    expect(en.html).toContain('<img src="https://space.example/api/newsletter/o/OPEN" width="1" height="1" alt=""');
    expect(en.text).toContain('Hello');
    expect(en.text).toContain('Unsubscribe from newsletters [https://space.example/api/newsletter/u/UNSUB]');
    expect(en.text).not.toContain('/o/OPEN');
    const ru = renderEmail({ content: content({ emailHtml: '<p>Привет</p>' }), language: 'ru', vars, urls });
    expect(ru.html).toContain('Отписаться от рассылок</a>');
    expect(ru.html).toContain('согласились получать рассылки');
    const notice = renderEmail({ content: { ...content({ emailHtml: '<p>x</p>' }), serviceNotice: true }, language: 'ru', vars, urls });
    expect(notice.html).toContain('служебное сообщение');
  });

  it('cuts an over-long subject and keeps it on one line', () => {
    const email = renderEmail({ content: content({ subject: `a\nb ${'x'.repeat(400)}` }), language: 'ru', vars, urls });
    expect(email.subject.startsWith('a b x')).toBe(true);
    expect(email.subject).toHaveLength(250);
  });
});

describe('addresses', () => {
  it.each(['anna@example.com', 'a.b+c@mail.space.example.org', 'x@xn--80ak6aa92e.com'])('sends to %s', (address) => {
    expect(isDeliverableAddress(address)).toBe(true);
  });
  it.each(['', 'anna', 'anna@', '@example.com', 'anna@localhost', 'tg123@members.invalid', 'a b@example.com', 'a@b@example.com', null, undefined])(
    'does not send to %s',
    (address) => {
      expect(isDeliverableAddress(address as string)).toBe(false);
    },
  );
});
