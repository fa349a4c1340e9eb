/**
 * The signed tokens of e-mail tracking and unsubscribe links (plugins/newsletter/server/src/domain/tracking-token.ts).
 */
import { parseLinkNumber, signToken, verifyToken } from '../../plugins/newsletter/server/src/domain/tracking-token';
import { classifySmtpError } from '../../plugins/newsletter/server/src/domain/smtp-errors';

const SECRET = 'test-secret';

describe('tracking tokens', () => {
  it('verifies a token for the delivery and purpose it was signed for', () => {
    // Given tokens for delivery 1234
    const open = signToken(SECRET, 'open', 1234);
    const click = signToken(SECRET, 'click', 1234, 3);
    const unsubscribe = signToken(SECRET, 'unsubscribe', 1234);
    // Then each verifies to the delivery id for its own purpose
    expect(verifyToken(SECRET, 'open', open)).toBe(1234);
    expect(verifyToken(SECRET, 'click', click, 3)).toBe(1234);
    expect(verifyToken(SECRET, 'unsubscribe', unsubscribe)).toBe(1234);
    // and is URL-safe and short
    for (const token of [open, click, unsubscribe]) expect(token).toMatch(/^[0-9a-z]+\.[A-Za-z0-9_-]{22}$/);
  });

  it('refuses a token used for another purpose, another link or with another secret', () => {
    const open = signToken(SECRET, 'open', 77);
    const click = signToken(SECRET, 'click', 77, 2);
    expect(verifyToken(SECRET, 'unsubscribe', open)).toBeNull();
    expect(verifyToken(SECRET, 'click', open, 1)).toBeNull();
    expect(verifyToken(SECRET, 'click', click, 1)).toBeNull();
    expect(verifyToken(SECRET, 'click', click, 3)).toBeNull();
    expect(verifyToken(SECRET, 'open', click)).toBeNull();
    expect(verifyToken('another-secret', 'open', open)).toBeNull();
  });

  it('refuses a token whose delivery id or MAC was changed', () => {
    const token = signToken(SECRET, 'unsubscribe', 1000);
    const [id, mac] = token.split('.');
    // Another delivery's id with this MAC
    expect(verifyToken(SECRET, 'unsubscribe', `${(1001).toString(36)}.${mac}`)).toBeNull();
    // One character of the MAC changed
    const flipped = mac.slice(0, -1) + (mac.endsWith('A') ? 'B' : 'A');
    expect(verifyToken(SECRET, 'unsubscribe', `${id}.${flipped}`)).toBeNull();
    // A leading zero (a second spelling of the same id) is refused
    expect(verifyToken(SECRET, 'unsubscribe', `0${id}.${mac}`)).toBeNull();
  });

  it.each([
    ['', 'empty'],
    ['abc', 'no MAC'],
    ['.AAAAAAAAAAAAAAAAAAAAAA', 'no id'],
    ['1.short', 'MAC too short'],
    ['1.' + 'A'.repeat(60), 'too long'],
    ['-1.AAAAAAAAAAAAAAAAAAAAAA', 'negative id'],
    ['1.AAAAAAAAAAAAAAAAAAAA$$', 'not base64url'],
  ])('refuses a malformed token (%s: %s) without throwing', (token) => {
    expect(verifyToken(SECRET, 'open', token)).toBeNull();
  });

  it('refuses non-strings', () => {
    expect(verifyToken(SECRET, 'open', undefined)).toBeNull();
    expect(verifyToken(SECRET, 'open', ['1.x'])).toBeNull();
  });

  it('signs test sends (delivery 0) and refuses to sign bad input', () => {
    expect(verifyToken(SECRET, 'unsubscribe', signToken(SECRET, 'unsubscribe', 0))).toBe(0);
    expect(() => signToken(SECRET, 'open', -1)).toThrow(RangeError);
    expect(() => signToken(SECRET, 'open', 1.5)).toThrow(RangeError);
    expect(() => signToken(SECRET, 'click', 1, 0)).toThrow(RangeError);
    expect(() => signToken(SECRET, 'click', 1)).toThrow(RangeError);
  });

  it('parses the link number of the query strictly', () => {
    expect(parseLinkNumber('1')).toBe(1);
    expect(parseLinkNumber('42')).toBe(42);
    for (const bad of [undefined, '', '0', '01', '-1', '1.5', '1e2', ' 1', '10000', ['1'], 'x']) expect(parseLinkNumber(bad)).toBeNull();
  });
});

describe('SMTP errors', () => {
  const error = (fields: Record<string, unknown>) => Object.assign(new Error(String(fields.response ?? fields.message ?? 'x')), fields);

  it('retries 4xx replies and connection problems as smtp_unavailable', () => {
    expect(classifySmtpError(error({ code: 'EENVELOPE', responseCode: 450, response: '450 4.2.0 Mailbox busy', command: 'RCPT TO' }))).toMatchObject({
      kind: 'retry',
      code: 'smtp_unavailable',
      error: expect.stringContaining('450 4.2.0 Mailbox busy'),
    });
    expect(classifySmtpError(error({ code: 'EMESSAGE', responseCode: 421, response: '421 closing' }))).toMatchObject({ kind: 'retry' });
    for (const code of ['ECONNECTION', 'ETIMEDOUT', 'ESOCKET', 'EDNS', 'ECONNREFUSED', 'EAUTH']) {
      expect(classifySmtpError(error({ code, message: 'Connection problem' }))).toMatchObject({ kind: 'retry', code: 'smtp_unavailable' });
    }
    // A refused login is configuration, not the recipient: retried even with a 5xx reply
    expect(classifySmtpError(error({ code: 'EAUTH', responseCode: 535, response: '535 bad credentials' }))).toMatchObject({ kind: 'retry' });
  });

  it('fails 5xx replies as smtp_rejected, never retried', () => {
    expect(classifySmtpError(error({ code: 'EENVELOPE', responseCode: 550, response: '550 5.1.1 No such user', command: 'RCPT TO' }))).toEqual({
      kind: 'failed',
      code: 'smtp_rejected',
      error: '550 5.1.1 No such user (after RCPT TO)',
    });
    expect(classifySmtpError(error({ code: 'EMESSAGE', responseCode: 554, response: '554 spam' }))).toMatchObject({ kind: 'failed', code: 'smtp_rejected' });
    // The reply code only in the text
    expect(classifySmtpError(error({ response: '552 5.3.4 too big' }))).toMatchObject({ kind: 'failed', code: 'smtp_rejected' });
  });

  it('fails a send refused for lack of configuration as channel_off, and retries the unexpected', () => {
    const notConfigured = Object.assign(new Error('E-mail is not configured'), { name: 'EmailNotConfiguredError' });
    expect(classifySmtpError(notConfigured)).toMatchObject({ kind: 'failed', code: 'channel_off' });
    expect(classifySmtpError(new TypeError('boom'))).toMatchObject({ kind: 'retry', code: 'smtp_unavailable', error: 'boom' });
    expect(classifySmtpError(undefined)).toMatchObject({ kind: 'retry' });
  });
});
