/**
 * The support inbox as Support uses it: a member's ticket answered with a photo from the thread view; the reply
 * shows in the thread and reaches the member on Telegram (the stand-in) as a photo with the text as its caption,
 * sent by the outbox worker of the server.
 */
import { png } from '../helpers/images';
import { SUPPORT, eventually, startBrowserApp, type BrowserApp, type StaffSession } from './harness';
import { normalise } from './russian';
import { seedMember, seedTicket, type SeededMember } from './seed';

const MESSAGE_UID = 'api::ticket-message.ticket-message';

describe('the support inbox (Support)', () => {
  let app: BrowserApp;
  let support: StaffSession;
  let member: SeededMember;
  let ticket: string;
  const SUBJECT = 'Не печатает принтер';
  const QUESTION = 'Принтер на третьем этаже пишет «замятие бумаги»';
  const REPLY = 'Бумагу достали, принтер снова печатает. Вот фото лотка.';

  beforeAll(async () => {
    app = await startBrowserApp();
    member = await seedMember(app.strapi, app.telegram, 'Мария', 'Волкова');
    ticket = await seedTicket(app.strapi, member, SUBJECT, QUESTION, 'high');
    support = await app.login(SUPPORT);
  }, 300000);

  afterAll(async () => {
    await app?.stop();
  });

  it('answers a ticket with a photo: the reply is in the thread and arrives on Telegram as a photo', async () => {
    // Given the member's open ticket in the inbox
    await support.open('/admin/plugins/booking-desk/inbox');
    const row = support.page.getByTestId('inbox-ticket').filter({ hasText: SUBJECT }).first();
    await row.waitFor().catch(() => {
      throw new Error(`The inbox shows no data-testid="inbox-ticket" row with the subject "${SUBJECT}"`);
    });
    await support.shot('inbox-list', { doc: true });

    // When Support opens it, sees the member's message, writes a reply, attaches a photo and sends it
    await row.click();
    await support.page.getByTestId('inbox-message').filter({ hasText: QUESTION }).first().waitFor();
    const messagesBefore = await support.page.getByTestId('inbox-message').count();
    const reply = support.page.getByTestId('inbox-reply-text');
    const replyInput = ['INPUT', 'TEXTAREA'].includes(await reply.evaluate((element) => element.tagName)) ? reply : reply.locator('textarea, input').first();
    await replyInput.fill(REPLY);
    const files = support.page.getByTestId('inbox-reply-files');
    const fileInput = (await files.evaluate((element) => element.tagName)) === 'INPUT' ? files : files.locator('input[type="file"]').first();
    await fileInput.setInputFiles({ name: 'tray.png', mimeType: 'image/png', buffer: png(320, 240, [40, 120, 200]) });
    await support.shot('inbox-reply', { doc: true });
    await support.page.getByTestId('inbox-reply-send').click();

    // Then the reply is in the thread, with its photo
    await eventually('the reply in the thread', async () => (await support.page.getByTestId('inbox-message').count()) > messagesBefore).catch(async (error: Error) => {
      await support.shot('inbox-reply-not-shown');
      const alerts = await support.page.getByRole('alert').allInnerTexts();
      throw new Error(`${error.message}; alerts on the page: ${JSON.stringify(alerts)}; browser errors: ${JSON.stringify(support.errors)}`);
    });
    const sent = support.page.getByTestId('inbox-message').filter({ hasText: REPLY.slice(0, 30) }).last();
    await sent.waitFor();
    expect(await sent.locator('img').count()).toBeGreaterThanOrEqual(1);
    await support.shot('inbox-replied', { doc: true });

    // And it is stored as a staff message with one attachment
    const stored = await app.strapi.db.query(MESSAGE_UID).findOne({
      where: { ticket: { documentId: ticket }, authorType: 'staff' },
      populate: { attachments: true },
    });
    expect(normalise(stored.body)).toBe(normalise(REPLY));
    expect(stored.attachments).toHaveLength(1);

    // And the member receives it on Telegram as a photo whose caption carries the reply
    const photo = await eventually(
      'the photo on the Telegram stand-in',
      async () => app.telegram.calls('sendPhoto').find((call) => String(call.params.chat_id) === String(member.chatId) && call.status === 200),
      20000,
    );
    expect(photo).toBeDefined();
    const delivered = app.telegram.chat(member.chatId).filter((entry) => entry.from === 'bot');
    const withPhoto = delivered.find((entry) => Array.isArray((entry.message as { photo?: unknown[] }).photo));
    expect(withPhoto).toBeDefined();
    expect(withPhoto?.text ?? '').toContain(REPLY.slice(0, 30));
    support.expectNoConsoleErrors();
  });
});
