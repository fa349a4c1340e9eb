/**
 * The newsletters' e-mail channel end to end (docs/NEWSLETTERS.md, E-mail): the real Strapi with the nodemailer
 * provider talking SMTP to the stand-in (tests/stand-ins/smtp), a newsletter composed and sent through the admin
 * API, the dispatcher driven tick by tick. Headers, both parts, variables, tracking links followed over HTTP,
 * tampered tokens, one-click unsubscribe, 4xx retried and 5xx failed on chosen recipients, and EMAIL_RATE.
 */
import request from 'supertest';
import type { Core } from '@strapi/strapi';
import { startStrapi, type TestApp } from '../helpers/strapi';
import { staffToken } from '../helpers/auth';
import { startSmtpStandIn, type SmtpMessage, type SmtpStandIn } from '../stand-ins/smtp/server';
import { signToken } from '../../plugins/newsletter/server/src/domain/tracking-token';

const PUBLIC_URL = 'https://space.example';
const SECRET = 'email-test-tracking-secret';
const EMAIL_RATE = 10;

let smtp: SmtpStandIn;
let app: TestApp;
let strapi: Core.Strapi;
let token: string;
let counter = 0;

interface Member {
  id: number;
  documentId: string;
  email: string;
}

async function createMember(fields: { fullName: string; language?: 'ru' | 'en'; consentMarketing?: boolean }): Promise<Member> {
  const role = await strapi.db.query('plugin::users-permissions.role').findOne({ where: { type: 'authenticated' } });
  counter += 1;
  const username = `mail-${process.pid}-${Date.now()}-${counter}`;
  const email = `${username}@mail.example.com`;
  const member = await strapi.documents('plugin::users-permissions.user').create({
    data: {
      username,
      email,
      provider: 'local',
      confirmed: true,
      role: role.id,
      registeredAt: new Date(),
      fullName: fields.fullName,
      language: fields.language ?? 'ru',
      consentTerms: true,
      consentMarketing: fields.consentMarketing ?? true,
      isBanned: false,
      botBlocked: false,
    } as never,
  });
  return { id: Number(member.id), documentId: member.documentId, email };
}

const knex = () => strapi.db.connection;

async function newsletterRow(documentId: string) {
  return knex()('newsletters').where('document_id', documentId).first();
}

async function deliveryOf(newsletterId: number, member: Member) {
  return knex()('newsletter_deliveries').where({ newsletter_ref: newsletterId, member_ref: member.id, channel: 'email' }).first();
}

const DEFAULT_HTML =
  '<h1>Hello, {{firstName}}!</h1><p>Dear {{fullName}}, see <a href="https://space.example/events?x=1&amp;y=2">the events</a> ' +
  'and <a href="https://partner.example/offer">the offer</a>. Again: <a href="https://space.example/events?x=1&amp;y=2">events</a>.</p>' +
  '<script>alert(1)</script>';

async function compose(members: Member[], fields: Record<string, unknown> = {}): Promise<string> {
  const res = await request(strapi.server.httpServer)
    .post('/newsletter/newsletters')
    .set('Authorization', `Bearer ${token}`)
    .send({
      title: 'May events',
      channels: ['email'],
      subject: 'Новости для {{firstName}}',
      subjectEn: 'News for {{firstName}}',
      emailHtml: DEFAULT_HTML,
      emailHtmlEn: '<p>English version for {{firstName}}: <a href="https://space.example/en/events">events</a></p>',
      audience: { segment: 'custom', params: { members: members.map((m) => m.documentId) } },
      ...fields,
    });
  expect(res.status).toBe(201);
  return res.body.data.documentId as string;
}

/** Sends the newsletter and drives the dispatcher until it is finished. */
async function sendAndDrain(documentId: string, maxMs = 30_000): Promise<Record<string, unknown>> {
  const res = await request(strapi.server.httpServer).post(`/newsletter/newsletters/${documentId}/send`).set('Authorization', `Bearer ${token}`).send({});
  expect(res.status).toBe(200);
  const dispatcher = strapi.plugin('newsletter').service('dispatcher') as { tick(now?: Date): Promise<unknown> };
  const until = Date.now() + maxMs;
  for (;;) {
    await dispatcher.tick();
    const row = await newsletterRow(documentId);
    if (row.state === 'sent' || row.state === 'failed') return row;
    if (Date.now() > until) throw new Error(`newsletter still ${row.state} after ${maxMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 30));
  }
}

/** The tracked links of an e-mail's HTML, as paths on this server with their link numbers. */
function clickLinks(message: SmtpMessage): Array<{ path: string; n: number }> {
  const found = [...message.html.matchAll(/href="https:\/\/space\.example(\/api\/newsletter\/c\/[^"?]+\?l=(\d+))"/g)];
  return [...new Map(found.map((m) => [m[1], { path: m[1].replace(/&amp;/g, '&'), n: Number(m[2]) }])).values()];
}

const pathOf = (url: string) => url.replace(PUBLIC_URL, '');

beforeAll(async () => {
  smtp = await startSmtpStandIn({ auth: { user: 'mailer', pass: 'mailer-pass' } });
  app = await startStrapi({
    SMTP_HOST: '127.0.0.1',
    SMTP_PORT: String(smtp.port),
    SMTP_FROM: 'Coworking <news@space.example>',
    SMTP_USER: 'mailer',
    SMTP_PASS: 'mailer-pass',
    EMAIL_RATE: String(EMAIL_RATE),
    PUBLIC_URL,
    NEWSLETTER_TRACKING_SECRET: SECRET,
    NEWSLETTER_WORKER: 'false',
    NEWSLETTER_RETRY_BASE_MS: '0',
    BOT_TOKEN: '',
  });
  strapi = app.strapi;
  token = await staffToken(strapi, 'strapi-super-admin');
});

afterAll(async () => {
  await app?.stop();
  await smtp?.close();
});

describe('an e-mail newsletter', () => {
  let anna: Member;
  let john: Member;
  let documentId: string;
  let newsletterId: number;
  let annaMail: SmtpMessage;
  let johnMail: SmtpMessage;

  beforeAll(async () => {
    // Given a Russian and an English reader with marketing consent
    anna = await createMember({ fullName: 'Anna Petrova', language: 'ru' });
    john = await createMember({ fullName: 'John Smith', language: 'en' });
    smtp.reset();
    // When a newsletter goes to both by e-mail
    documentId = await compose([anna, john]);
    const row = await sendAndDrain(documentId);
    newsletterId = Number(row.id);
    expect(row.state).toBe('sent');
    [annaMail] = smtp.messagesTo(anna.email);
    [johnMail] = smtp.messagesTo(john.email);
  });

  it('sends exactly one message to each, through the authenticated SMTP session', () => {
    expect(smtp.messagesTo(anna.email)).toHaveLength(1);
    expect(smtp.messagesTo(john.email)).toHaveLength(1);
    expect(annaMail.user).toBe('mailer');
    expect(annaMail.envelope).toEqual({ from: 'news@space.example', to: [anna.email] });
  });

  it('has the sender, the subject in the reader’s language with variables, and the RFC 8058 headers', async () => {
    expect(annaMail.from).toBe('"Coworking" <news@space.example>');
    expect(annaMail.subject).toBe('Новости для Anna');
    expect(johnMail.subject).toBe('News for John');
    const unsubscribe = annaMail.rawHeaders['list-unsubscribe'];
    expect(unsubscribe).toMatch(/^List-Unsubscribe: <https:\/\/space\.example\/api\/newsletter\/u\/[0-9a-z]+\.[A-Za-z0-9_-]{22}>$/);
    expect(annaMail.rawHeaders['list-unsubscribe-post']).toBe('List-Unsubscribe-Post: List-Unsubscribe=One-Click');
    // The Message-ID is the delivery's providerMessageId
    const delivery = await deliveryOf(newsletterId, anna);
    expect(delivery.state).toBe('sent');
    expect(annaMail.messageId).toBe(delivery.provider_message_id);
    expect(annaMail.messageId).toMatch(/^<nl\.\d+\.\d+@space\.example>$/);
  });

  it('has a sanitised HTML part and a plain-text part, both personalised, with the footer and the open pixel', () => {
    expect(annaMail.html).toContain('<h1>Hello, Anna!</h1>');
    expect(annaMail.html).toContain('Dear Anna Petrova');
    expect(annaMail.html).not.toContain('<script');
    expect(annaMail.html).toMatch(/<img src="https:\/\/space\.example\/api\/newsletter\/o\/[^"]+" width="1" height="1"/);
    expect(annaMail.html).toContain('Отписаться от рассылок');
    expect(annaMail.text).toContain('Hello, Anna!');
    expect(annaMail.text).toContain('Dear Anna Petrova');
    expect(annaMail.text).toMatch(/the events\s+\[https:\/\/space\.example\/api\/newsletter\/c\/[^\]]+\?l=1\]/);
    expect(annaMail.text).toContain('Отписаться от рассылок [https://space.example/api/newsletter/u/');
    // No link leads straight to its target: every http(s) link is a tracked one
    expect(annaMail.html).not.toContain('href="https://partner.example');
    expect(johnMail.html).toContain('English version for John');
    expect(johnMail.html).toContain('Unsubscribe from newsletters');
  });

  it('follows a tracked link to its target, marks the delivery clicked (and opened) and counts it once per delivery', async () => {
    const links = clickLinks(annaMail);
    expect(links.map((l) => l.n)).toEqual([1, 2]);
    const server = request(strapi.server.httpServer);
    expect((await deliveryOf(newsletterId, anna)).opened_at).toBeNull();

    const first = await server.get(links[0].path);
    expect(first.status).toBe(302);
    expect(first.headers.location).toBe('https://space.example/events?x=1&y=2');
    expect(first.headers['cache-control']).toContain('no-store');
    const second = await server.get(links[1].path);
    expect(second.status).toBe(302);
    expect(second.headers.location).toBe('https://partner.example/offer');
    await server.get(links[0].path).expect(302);

    const delivery = await deliveryOf(newsletterId, anna);
    expect(delivery.clicked_at).not.toBeNull();
    expect(delivery.opened_at).not.toBeNull();
    expect(delivery.click_count).toBe(3);
    const row = await newsletterRow(documentId);
    expect(row.clicked_count).toBe(1);
    expect(row.opened_count).toBe(1);
    // The English reader's link 1 is the English HTML's link
    const johnLinks = clickLinks(johnMail);
    const johnFirst = await server.get(johnLinks[0].path);
    expect(johnFirst.headers.location).toBe('https://space.example/en/events');
    expect((await newsletterRow(documentId)).clicked_count).toBe(2);
  });

  it('answers the open pixel as an uncached 43-byte GIF and counts the first open once', async () => {
    const pixel = /<img src="https:\/\/space\.example(\/api\/newsletter\/o\/[^"]+)"/.exec(johnMail.html)![1];
    const before = Number((await newsletterRow(documentId)).opened_count);
    const res = await request(strapi.server.httpServer).get(pixel).buffer(true).parse((r, cb) => {
      const chunks: Buffer[] = [];
      r.on('data', (c: Buffer) => chunks.push(c));
      r.on('end', () => cb(null, Buffer.concat(chunks)));
    });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('image/gif');
    expect(res.headers['cache-control']).toContain('no-store');
    expect((res.body as Buffer).length).toBe(43);
    expect((res.body as Buffer).subarray(0, 6).toString()).toBe('GIF89a');
    // John had clicked already, which implies an open: no new open counted
    expect(Number((await newsletterRow(documentId)).opened_count)).toBe(before);
    expect((await deliveryOf(newsletterId, john)).opened_at).not.toBeNull();
  });

  it('refuses a tampered token, another link number and a link that is not in the newsletter, without redirecting', async () => {
    const server = request(strapi.server.httpServer);
    const [link1] = clickLinks(annaMail);
    const tokenPart = /\/c\/([^?]+)\?/.exec(link1.path)![1];
    // Link 1's token with l=2: the signature covers the link number
    const other = await server.get(`/api/newsletter/c/${tokenPart}?l=2`);
    expect(other.status).toBe(404);
    expect(other.headers.location).toBeUndefined();
    // One character of the MAC changed
    const mac = tokenPart.split('.')[1];
    const tampered = `${tokenPart.split('.')[0]}.${mac[0] === 'A' ? 'B' : 'A'}${mac.slice(1)}`;
    expect((await server.get(`/api/newsletter/c/${tampered}?l=1`)).status).toBe(404);
    // A correctly signed token for link 7, which this newsletter does not have
    const delivery = await deliveryOf(newsletterId, anna);
    const seven = await server.get(`/api/newsletter/c/${signToken(SECRET, 'click', delivery.id, 7)}?l=7`);
    expect(seven.status).toBe(404);
    expect(seven.headers.location).toBeUndefined();
    // A target in the query is ignored: only the link number counts
    const withUrl = await server.get(`${link1.path}&url=https://evil.example/`);
    expect(withUrl.headers.location).toBe('https://space.example/events?x=1&y=2');
    // Malformed link numbers and tokens
    expect((await server.get(`/api/newsletter/c/${tokenPart}?l=abc`)).status).toBe(400);
    expect((await server.get(`/api/newsletter/c/${tokenPart}`)).status).toBe(400);
    expect((await server.get('/api/newsletter/o/not-a-token')).status).toBe(404);
    // A token of another kind: the open token is not a click token
    const pixel = /\/api\/newsletter\/o\/([^"]+)"/.exec(annaMail.html)![1];
    expect((await server.get(`/api/newsletter/c/${pixel}?l=1`)).status).toBe(404);
    // Nothing was counted by the refused requests (the one with the extra `url` was a real click of link 1)
    expect((await deliveryOf(newsletterId, anna)).click_count).toBe(4);
  });

  it('unsubscribes in one click (RFC 8058): consent cleared, audited once, and the member leaves marketing audiences', async () => {
    const server = request(strapi.server.httpServer);
    const url = /<(https:[^>]+)>/.exec(annaMail.rawHeaders['list-unsubscribe'])![1];
    // The page a browser sees: a confirmation with a POST button, nothing changed yet
    const page = await server.get(pathOf(url));
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toContain('text/html');
    expect(page.text).toContain('<form method="post"');
    expect(page.text).toContain('Unsubscribe');
    let member = await knex()('up_users').where('id', anna.id).first();
    expect(Boolean(member.consent_marketing)).toBe(true);

    // A mail client's one-click POST
    const res = await server.post(pathOf(url)).type('form').send('List-Unsubscribe=One-Click');
    expect(res.status).toBe(200);
    member = await knex()('up_users').where('id', anna.id).first();
    expect(Boolean(member.consent_marketing)).toBe(false);
    // Idempotent
    expect((await server.post(pathOf(url)).type('form').send('List-Unsubscribe=One-Click')).status).toBe(200);
    const audits = await strapi.db.query('api::audit-log.audit-log').findMany({ where: { action: 'member.unsubscribed', subjectId: anna.documentId } });
    expect(audits).toHaveLength(1);
    expect(audits[0]).toMatchObject({ actorType: 'member', before: { consentMarketing: true }, after: { consentMarketing: false, newsletter: documentId } });
    // The page now says so
    expect((await server.get(pathOf(url))).text).toContain('already unsubscribed');

    // A marketing newsletter no longer reaches her; a service notice still does
    const preview = (serviceNotice: boolean) =>
      server
        .post('/newsletter/audience/preview')
        .set('Authorization', `Bearer ${token}`)
        .send({ audience: { segment: 'custom', params: { members: [anna.documentId, john.documentId] } }, channels: ['email'], serviceNotice });
    expect((await preview(false)).body.data.count).toBe(1);
    expect((await preview(true)).body.data.count).toBe(2);
  });

  it('refuses a tampered unsubscribe token and changes nothing', async () => {
    const server = request(strapi.server.httpServer);
    const url = /<(https:[^>]+)>/.exec(johnMail.rawHeaders['list-unsubscribe'])![1];
    const [id, mac] = pathOf(url).split('/').pop()!.split('.');
    const otherId = (parseInt(id, 36) + 1).toString(36);
    expect((await server.post(`/api/newsletter/u/${otherId}.${mac}`).type('form').send('List-Unsubscribe=One-Click')).status).toBe(404);
    // A mail client or script gets Strapi's error envelope; a person's browser gets the page saying what to do.
    const scripted = await server.get(`/api/newsletter/u/${id}.x${mac.slice(1)}`);
    expect(scripted.status).toBe(404);
    expect(scripted.body.error).toMatchObject({ status: 404, name: 'NotFoundError' });
    const browser = await server.get(`/api/newsletter/u/${id}.x${mac.slice(1)}`).set('Accept', 'text/html,application/xhtml+xml');
    expect(browser.status).toBe(404);
    expect(browser.text).toContain('Ссылка для отписки недействительна');
    const member = await knex()('up_users').where('id', john.id).first();
    expect(Boolean(member.consent_marketing)).toBe(true);
  });
});

describe('SMTP failures', () => {
  it('retries a 4xx until it is delivered, fails a 5xx without retrying, and counts both right', async () => {
    // Given four readers: one greylisted twice at RCPT, one refused once after DATA, one with no such mailbox, one fine
    const greylisted = await createMember({ fullName: 'Grey Listed' });
    const busy = await createMember({ fullName: 'Busy Box' });
    const missing = await createMember({ fullName: 'No Such' });
    const fine = await createMember({ fullName: 'Fine Reader' });
    smtp.reset();
    smtp.fail(greylisted.email, { code: 451, message: 'Greylisted, try again later', times: 2 });
    smtp.fail(busy.email, { code: 452, stage: 'data', message: 'Mailbox busy', times: 1 });
    smtp.fail(missing.email, { code: 550, message: 'No such user here' });
    const documentId = await compose([greylisted, busy, missing, fine]);

    // When it is sent
    const row = await sendAndDrain(documentId);
    const id = Number(row.id);

    // Then the transient ones were retried and delivered once each
    expect(smtp.refusals.filter((r) => r.recipient === greylisted.email)).toHaveLength(2);
    expect(smtp.messagesTo(greylisted.email)).toHaveLength(1);
    expect(smtp.messagesTo(busy.email)).toHaveLength(1);
    expect(smtp.messagesTo(fine.email)).toHaveLength(1);
    expect(await deliveryOf(id, greylisted)).toMatchObject({ state: 'sent', attempts: 3 });
    expect(await deliveryOf(id, busy)).toMatchObject({ state: 'sent', attempts: 2 });
    // and the permanent one was tried once and failed with the server's reply
    expect(smtp.refusals.filter((r) => r.recipient === missing.email)).toHaveLength(1);
    expect(smtp.messagesTo(missing.email)).toHaveLength(0);
    const failed = await deliveryOf(id, missing);
    expect(failed).toMatchObject({ state: 'failed', error_code: 'smtp_rejected', attempts: 1 });
    expect(failed.error).toContain('No such user here');
    expect(row).toMatchObject({ state: 'sent', sent_count: 3, failed_count: 1, total_count: 4 });
    smtp.clearFailures();
  });
});

describe('EMAIL_RATE', () => {
  it('spaces the messages at about the configured rate', async () => {
    const count = 24;
    const members: Member[] = [];
    for (let i = 0; i < count; i += 1) members.push(await createMember({ fullName: `Rate Reader ${i}` }));
    smtp.reset();
    const documentId = await compose(members);
    await sendAndDrain(documentId);
    const times = smtp.messages.map((m) => m.at.getTime()).sort((a, b) => a - b);
    expect(times).toHaveLength(count);
    // From the fifth message on: the first ones also open the pooled SMTP connections (up to 3) and log in, which
    // delays their arrival and would shorten the span measured.
    const skip = 4;
    const seconds = (times[count - 1] - times[skip]) / 1000;
    const expected = (count - 1 - skip) / EMAIL_RATE;
    // At most the rate (some slack for timer granularity), and not far below it
    expect(seconds).toBeGreaterThanOrEqual(expected * 0.85);
    expect(seconds).toBeLessThan(expected * 3 + 1);
  });
});

describe('a test send', () => {
  it('sends the untracked e-mail to the given address', async () => {
    const reader = await createMember({ fullName: 'Test Target' });
    const documentId = await compose([reader]);
    smtp.reset();
    const res = await request(strapi.server.httpServer)
      .post(`/newsletter/newsletters/${documentId}/test`)
      .set('Authorization', `Bearer ${token}`)
      .send({ email: 'staff.tester@mail.example.com' });
    expect(res.status).toBe(200);
    expect(res.body.data.email).toMatchObject({ ok: true, messageId: expect.stringMatching(/^<nl\./) });
    const [message] = smtp.messagesTo('staff.tester@mail.example.com');
    expect(message).toBeDefined();
    // Links go straight to their targets; no pixel
    expect(message.html).toContain('href="https://space.example/events?x=1&amp;y=2"');
    expect(message.html).not.toContain('/api/newsletter/o/');
    // Its unsubscribe link changes nothing
    const url = /<(https:[^>]+)>/.exec(message.rawHeaders['list-unsubscribe'])![1];
    const page = await request(strapi.server.httpServer).post(pathOf(url)).type('form').send('List-Unsubscribe=One-Click');
    expect(page.status).toBe(200);
    expect(page.text).toContain('test e-mail');
  });
});
