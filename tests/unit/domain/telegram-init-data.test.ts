import { signInitData, verifyInitData } from '../../../src/domain/telegram-init-data';

const BOT_TOKEN = '123456:ABC-token';
const now = new Date('2026-11-25T12:00:00Z');
const authDate = String(now.getTime() / 1000 - 60);
const user = JSON.stringify({ id: 42, username: 'neo', language_code: 'en' });

describe('verifyInitData', () => {
  it('accepts initData signed with the bot token', () => {
    // Given initData signed as Telegram does
    const initData = signInitData({ auth_date: authDate, query_id: 'AAE', user }, BOT_TOKEN);

    // When it is verified, then the user it names comes back
    const check = verifyInitData(initData, BOT_TOKEN, now, 86400);
    expect(check).toEqual({ ok: true, user: { id: 42, username: 'neo', language_code: 'en' }, authDate: new Date(Number(authDate) * 1000) });
  });

  it('matches Telegram\'s data-check-string: fields sorted by key, hash excluded, values decoded', () => {
    // Given fields in any order, with characters that URL encoding changes
    const initData = signInitData({ user, query_id: 'A&B=C', auth_date: authDate }, BOT_TOKEN);

    // Then the signature still verifies after the round trip through the query string
    expect(verifyInitData(initData, BOT_TOKEN, now, 86400).ok).toBe(true);
  });

  it.each([
    ['another bot token', (s: string) => s, '654321:OTHER'],
    ['a changed field', (s: string) => s.replace('neo', 'trinity'), BOT_TOKEN],
  ])('refuses %s', (_case, mutate, token) => {
    const initData = mutate(signInitData({ auth_date: authDate, user }, BOT_TOKEN));
    expect(verifyInitData(initData, token, now, 86400)).toEqual({ ok: false, reason: 'bad_signature' });
  });

  it('refuses initData older than the allowed age', () => {
    const old = String(now.getTime() / 1000 - 86401);
    expect(verifyInitData(signInitData({ auth_date: old, user }, BOT_TOKEN), BOT_TOKEN, now, 86400)).toEqual({ ok: false, reason: 'stale' });
  });

  it.each(['', 'auth_date=1', 'hash=zz&auth_date=1', `hash=${'a'.repeat(64)}&auth_date=soon`])('refuses malformed input %j', (input) => {
    expect(verifyInitData(input, BOT_TOKEN, now, 86400)).toEqual({ ok: false, reason: 'malformed' });
  });

  it('refuses signed initData that names no user', () => {
    expect(verifyInitData(signInitData({ auth_date: authDate }, BOT_TOKEN), BOT_TOKEN, now, 86400)).toEqual({ ok: false, reason: 'no_user' });
  });
});
