/**
 * The Newsletters page as a manager uses it (issue 15; docs/NEWSLETTERS.md, For staff): a newsletter with a photo
 * composed in the admin, the live recipient count (members with marketing consent only), sent after the confirm
 * dialog, the progress bar refreshing itself (paused and resumed on the way) up to 100 %, and the per-recipient
 * results. The dispatcher of the server sends through the Telegram stand-in, which receives exactly one photo per
 * recipient.
 */
import { png } from '../helpers/images';
import { eventually, MARKETING, startBrowserApp, type BrowserApp, type StaffSession } from './harness';
import { normalise } from './russian';
import { seedMember, type SeededMember } from './seed';

const USER_UID = 'plugin::users-permissions.user';
const NEWSLETTER_UID = 'api::newsletter.newsletter';
const DELIVERY_UID = 'api::newsletter-delivery.newsletter-delivery';
const FIRST_NAMES = ['Анна', 'Борис', 'Вера', 'Глеб', 'Дарья', 'Егор', 'Жанна', 'Захар', 'Ирина', 'Кирилл'];
const LAST_NAMES = ['Иванова', 'Петров', 'Сидорова'];
const WITH_CONSENT = 30;
const WITHOUT_CONSENT = 3;
const TITLE = 'Закрытие на праздники';
const BODY = 'Коворкинг закрыт <b>31 декабря и 1 января</b>. С наступающим, {{firstName}}!';

describe('newsletters (marketing)', () => {
  let app: BrowserApp;
  let staff: StaffSession;
  let consenting: SeededMember[];
  let refusing: SeededMember[];

  beforeAll(async () => {
    // A slow rate (5 msg/s) so the progress view is seen moving before it reaches 100 %.
    app = await startBrowserApp({ NEWSLETTER_RATE: '5', NEWSLETTER_POLL_MS: '200', NEWSLETTER_WORKER: 'true' });
    consenting = [];
    refusing = [];
    for (let i = 0; i < WITH_CONSENT + WITHOUT_CONSENT; i += 1) {
      const member = await seedMember(app.strapi, app.telegram, FIRST_NAMES[i % FIRST_NAMES.length], LAST_NAMES[i % LAST_NAMES.length]);
      const consent = i < WITH_CONSENT;
      await app.strapi.db.query(USER_UID).update({ where: { id: member.id }, data: { consentMarketing: consent } });
      (consent ? consenting : refusing).push(member);
    }
    // The Marketing role: newsletters are its job (read, send, manage), and it has nothing else of the workspace.
    staff = await app.login(MARKETING);
  }, 300000);

  afterAll(async () => {
    await app?.stop();
  });

  it('composes a newsletter with a photo, sees the recipient count, sends it and watches it reach 100 %', async () => {
    const page = staff.page;

    // Given the Newsletters page with no newsletters yet
    await staff.open('/admin/plugins/newsletter');
    await page.getByTestId('newsletter-empty').waitFor();
    expect(normalise(await page.locator('h1').first().innerText())).toBe('Рассылки');

    // When the manager writes a newsletter to all members in Telegram with one photo
    await page.getByTestId('newsletter-new').click();
    await page.getByTestId('newsletter-title').fill(TITLE);
    expect(await page.getByTestId('newsletter-channel-telegram').isChecked()).toBe(true);
    // (an unclosed tag is pointed out while typing, as the server would refuse it)
    await page.getByTestId('newsletter-body').fill('<b>Коворкинг закрыт');
    await page.getByText('Тег <b> не закрыт.').waitFor();
    await page.getByTestId('newsletter-body').fill(BODY);
    await page.getByText('Тег <b> не закрыт.').waitFor({ state: 'detached' });
    await page.getByTestId('newsletter-media-input').setInputFiles({ name: 'closed.png', mimeType: 'image/png', buffer: png(640, 360, [30, 90, 160]) });
    await eventually('the photo thumbnail', async () => (await page.getByTestId('newsletter-media-item').count()) === 1, 20000).catch(async (error: Error) => {
      await staff.shot('newsletters-upload-failed');
      const alerts = await page.getByTestId('newsletter-media-error').allInnerTexts();
      throw new Error(`${error.message}; media errors: ${JSON.stringify(alerts)}; browser errors: ${JSON.stringify(staff.errors)}`);
    });
    // The draft was created for the upload: the address is the newsletter's now
    await page.waitForURL(/\/admin\/plugins\/newsletter\/[a-z0-9]+$/);
    // With one photo the text is a caption: the counter shows the 1,024 limit
    expect(normalise(await page.getByTestId('newsletter-body-counter').innerText())).toMatch(/\/ 1024$/);

    // Then the live preview counts the members with marketing consent only
    const count = page.getByTestId('newsletter-preview-count');
    await eventually('the recipient count', async () => (await count.getAttribute('data-count')) === String(WITH_CONSENT), 15000).catch(async (error: Error) => {
      const text = await page.getByTestId('newsletter-preview').innerText().catch(() => '(no preview)');
      throw new Error(`${error.message}; the preview reads: ${text}`);
    });
    expect(normalise(await count.innerText())).toBe(`${WITH_CONSENT} получателей`);
    await staff.shot('newsletters-compose', { doc: true });

    // When it is sent after the confirm dialog, which names the number of recipients
    await page.getByTestId('newsletter-send').click();
    const dialog = page.getByTestId('newsletter-confirm-send');
    await dialog.waitFor();
    expect(normalise(await dialog.innerText())).toContain(`${WITH_CONSENT} участников`);
    await page.getByTestId('newsletter-confirm-send-confirm').click();

    // Then the progress view appears and refreshes itself while the server sends
    const percent = page.getByTestId('newsletter-progress-percent');
    await percent.waitFor();
    await eventually('a fifth of the recipients reached', async () => Number(await percent.getAttribute('data-percent')) >= 20, 20000);
    // (the recipient table follows the progress)
    await eventually('delivered rows in the table', async () => (await page.locator('[data-testid="newsletter-delivery"][data-state="sent"]').count()) > 0, 10000);
    await staff.shot('newsletters-progress', { doc: true });

    // When the manager pauses it, nothing more goes out; when they resume it, it goes on
    await page.getByTestId('newsletter-pause').click();
    await eventually('the state "Приостановлена"', async () => (await page.getByTestId('newsletter-state').getAttribute('data-state')) === 'paused', 10000);
    await page.getByTestId('newsletter-resume').waitFor();
    await page.waitForTimeout(1000); // sends already in flight when it was paused finish
    const sentWhilePaused = app.telegram.calls('sendPhoto').length;
    await page.waitForTimeout(1500);
    expect(app.telegram.calls('sendPhoto').length).toBe(sentWhilePaused);
    expect(sentWhilePaused).toBeLessThan(WITH_CONSENT);
    await page.getByTestId('newsletter-resume').click();
    await eventually('the state "Отправляется" again', async () => (await page.getByTestId('newsletter-state').getAttribute('data-state')) !== 'paused', 10000);
    await eventually('the progress bar at 100 %', async () => (await percent.getAttribute('data-percent')) === '100', 60000).catch(async (error: Error) => {
      await staff.shot('newsletters-progress-stuck');
      const line = await page.getByTestId('newsletter-progress').innerText().catch(() => '');
      throw new Error(`${error.message}; the progress view reads: ${normalise(line)}`);
    });
    await eventually('the state "Отправлена"', async () => (await page.getByTestId('newsletter-state').getAttribute('data-state')) === 'sent', 20000);
    expect(await page.getByTestId('newsletter-progress-sent').innerText()).toBe(String(WITH_CONSENT));
    expect(await page.getByTestId('newsletter-progress-remaining').innerText()).toBe('0');

    // And the recipients table lists them as delivered (first page of 20)
    await eventually('the delivered recipients in the table', async () => (await page.locator('[data-testid="newsletter-delivery"][data-state="sent"]').count()) === 20, 15000);
    await page.getByTestId('newsletter-progress').scrollIntoViewIfNeeded();
    await staff.shot('newsletters-results', { doc: true });

    // And every consenting member got exactly one photo with the caption; nobody without consent got anything
    const photos = app.telegram.calls('sendPhoto').filter((call) => call.status === 200);
    const chats = photos.map((call) => String(call.params.chat_id));
    expect(chats.sort()).toEqual(consenting.map((member) => String(member.chatId)).sort());
    for (const member of refusing) expect(chats).not.toContain(String(member.chatId));
    const first = app.telegram.chat(consenting[0].chatId).find((entry) => entry.from === 'bot');
    expect(first?.text ?? '').toContain('31 декабря и 1 января');

    // And the history shows it sent, with its counters
    const stored = await app.strapi.db.query(NEWSLETTER_UID).findOne({ where: { title: TITLE } });
    expect(stored.state).toBe('sent');
    const deliveries = await app.strapi.db.query(DELIVERY_UID).count({ where: { state: 'sent' } });
    expect(deliveries).toBe(WITH_CONSENT);
    await page.getByTestId('newsletter-back').click();
    const row = page.getByTestId('newsletter-row').filter({ hasText: TITLE });
    await row.waitFor();
    expect(normalise(await row.getByTestId('newsletter-row-counters').innerText())).toBe(`${WITH_CONSENT} / 0 / 0 из ${WITH_CONSENT}`);
    await staff.shot('newsletters-list', { doc: true });
    staff.expectNoConsoleErrors();
  });
});
