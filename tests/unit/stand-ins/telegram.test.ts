import http from 'node:http';
import type { AddressInfo } from 'node:net';

import {
  startTelegramStandIn,
  type StandInUser,
  type TelegramStandIn,
  type TelegramStandInOptions,
  type TgFile,
  type TgMessage,
  type TgResponse,
  type TgUpdate,
  type TgWebhookInfo,
} from '../../stand-ins/telegram/server';

// A 1×1 PNG, the smallest photo Telegram accepts.
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
  'base64',
);
const anna: StandInUser = { id: 1001, first_name: 'Anna', username: 'anna', language_code: 'ru' };

let standIn: TelegramStandIn;

async function start(options: TelegramStandInOptions = {}): Promise<TelegramStandIn> {
  standIn = await startTelegramStandIn({ rateLimits: false, ...options });
  return standIn;
}

afterEach(async () => {
  await standIn?.close();
});

/** Calls a Bot API method with a JSON body, as grammY does without files. */
async function call<T = unknown>(
  method: string,
  params: Record<string, unknown> = {},
  url = standIn.url(method),
): Promise<{ status: number; body: TgResponse & { result?: T } }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(params),
  });
  return { status: response.status, body: (await response.json()) as TgResponse & { result?: T } };
}

/** Polls a condition on state outside the stand-in (e.g. a test webhook receiver). */
async function until(condition: () => boolean, timeoutMs = 2000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const inlineKeyboard = (...rows: [text: string, data: string][][]) => ({
  inline_keyboard: rows.map((row) => row.map(([text, callback_data]) => ({ text, callback_data }))),
});

describe('Telegram Bot API stand-in: routing and errors', () => {
  it('answers 401 for an unknown token, 404 for a malformed one and 404 for an unknown method', async () => {
    // Given a stand-in with its own token
    await start();

    // When calls use another token, a token of the wrong shape and a method Telegram does not have
    const unknownToken = await call('getMe', {}, `${standIn.apiRoot}/bot999:nope/getMe`);
    const malformed = await call('getMe', {}, `${standIn.apiRoot}/botnot-a-token/getMe`);
    const unknownMethod = await call('getMyWishes');

    // Then each gets Telegram's answer, and method names are case-insensitive
    expect(unknownToken).toEqual({ status: 401, body: { ok: false, error_code: 401, description: 'Unauthorized' } });
    expect(malformed).toEqual({ status: 404, body: { ok: false, error_code: 404, description: 'Not Found' } });
    expect(unknownMethod).toEqual({ status: 404, body: { ok: false, error_code: 404, description: 'Not Found' } });
    const me = await call('GETME');
    expect(me.body).toEqual({ ok: true, result: expect.objectContaining({ id: 123456789, is_bot: true }) });
  });

  it('reads GET query strings and urlencoded forms too, and refuses unknown chats', async () => {
    await start();
    standIn.addUser(anna);

    const viaQuery = await fetch(`${standIn.url('sendMessage')}?chat_id=${anna.id}&text=hi`);
    const viaForm = await fetch(standIn.url('sendMessage'), {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ chat_id: '42', text: 'hi' }).toString(),
    });
    const noChat = await call('sendMessage', { text: 'hi' });

    expect(viaQuery.status).toBe(200);
    expect(await viaForm.json()).toEqual({ ok: false, error_code: 400, description: 'Bad Request: chat not found' });
    expect(noChat.body).toMatchObject({ description: 'Bad Request: chat_id is empty' });
    expect(standIn.chat(anna.id).map((m) => m.text)).toEqual(['hi']);
  });
});

describe('Telegram Bot API stand-in: updates', () => {
  it('long polling returns a text sent during the poll, with a bot_command entity, and confirms by offset', async () => {
    // Given a bot waiting in a long poll
    await start();
    const poll = call<TgUpdate[]>('getUpdates', { timeout: 5 });

    // When the user sends /start while the poll waits
    await new Promise((resolve) => setTimeout(resolve, 50));
    const sent = standIn.sendText(anna, '/start r_abc');
    const first = await poll;

    // Then the poll returns that update as Telegram builds it
    expect(first.status).toBe(200);
    expect(first.body.result).toEqual([sent]);
    const message = first.body.result?.[0].message as TgMessage;
    expect(message).toMatchObject({
      message_id: 1,
      from: { id: anna.id, is_bot: false, first_name: 'Anna', username: 'anna', language_code: 'ru' },
      chat: { id: anna.id, type: 'private', first_name: 'Anna', username: 'anna' },
      text: '/start r_abc',
      entities: [{ type: 'bot_command', offset: 0, length: 6 }],
    });

    // And calling again with offset = update_id + 1 confirms it, so it is never returned again
    const again = await call<TgUpdate[]>('getUpdates', { offset: sent.update_id + 1, timeout: 0 });
    expect(again.body.result).toEqual([]);
    expect(standIn.pendingUpdates()).toEqual([]);
  });

  it('ends a waiting poll with 409 when another poller starts waiting', async () => {
    // (Telegram would stretch the second 1 s poll to 3 s, as it repeats the offset; switched off here for speed.)
    await start({ repeatPollFloorSeconds: 0 });
    const first = call('getUpdates', { timeout: 5 });
    await new Promise((resolve) => setTimeout(resolve, 50));
    const second = call('getUpdates', { timeout: 1 });

    expect(await first).toEqual({
      status: 409,
      body: {
        ok: false,
        error_code: 409,
        description:
          'Conflict: terminated by other getUpdates request; make sure that only one bot instance is running',
      },
    });
    expect((await second).body).toEqual({ ok: true, result: [] });
  });

  it('keeps updates the bot did not ask for out of the queue', async () => {
    await start();
    await call('getUpdates', { allowed_updates: ['callback_query'] });

    standIn.sendText(anna, 'ignored');

    expect(standIn.pendingUpdates()).toEqual([]);
  });
});

describe('Telegram Bot API stand-in: chats', () => {
  it('pressing a button yields a callback_query carrying its data, answerable once', async () => {
    // Given the bot sent a menu with inline buttons
    await start();
    standIn.addUser(anna);
    const sent = await call<TgMessage>('sendMessage', {
      chat_id: anna.id,
      text: 'Choose a room',
      reply_markup: inlineKeyboard([
        ['Small room', 'room:1'],
        ['Big room', 'room:2'],
      ]),
    });

    // When the user presses "Big room"
    const update = standIn.pressButton(anna, 'Big room');

    // Then the callback_query names the user, the message and the button's data
    expect(update.callback_query).toMatchObject({
      from: { id: anna.id },
      message: { message_id: sent.body.result?.message_id, text: 'Choose a room' },
      data: 'room:2',
    });
    const queryId = update.callback_query?.id as string;
    expect(await call('answerCallbackQuery', { callback_query_id: queryId, text: 'Booked' })).toEqual({
      status: 200,
      body: { ok: true, result: true },
    });
    expect(standIn.callbackAnswer(queryId)).toEqual({ text: 'Booked', show_alert: false });
    // And a second answer is refused as Telegram refuses it
    expect((await call('answerCallbackQuery', { callback_query_id: queryId })).body).toMatchObject({
      error_code: 400,
      description: 'Bad Request: query is too old and response timeout expired or query ID is invalid',
    });
  });

  it('applies edits to the chat history and refuses an edit that changes nothing', async () => {
    // Given a message with a keyboard
    await start();
    standIn.addUser(anna);
    const sent = await call<TgMessage>('sendMessage', {
      chat_id: anna.id,
      text: 'Booking <b>pending</b>',
      parse_mode: 'HTML',
      reply_markup: inlineKeyboard([['Pay', 'pay:7']]),
    });
    const messageId = sent.body.result?.message_id;

    // When the bot edits its text and keyboard
    const edited = await call<TgMessage>('editMessageText', {
      chat_id: anna.id,
      message_id: messageId,
      text: 'Booking <b>paid</b>',
      parse_mode: 'HTML',
      reply_markup: inlineKeyboard([['Receipt', 'receipt:7']]),
    });

    // Then the history shows the latest state, with entities in UTF-16 offsets
    expect(edited.body.result).toMatchObject({ text: 'Booking paid', edit_date: expect.any(Number) });
    expect(standIn.chat(anna.id)).toEqual([
      expect.objectContaining({
        message_id: messageId,
        text: 'Booking paid',
        buttons: [['Receipt']],
        source: { text: 'Booking <b>paid</b>', parse_mode: 'HTML' },
        message: expect.objectContaining({ entities: [{ type: 'bold', offset: 8, length: 4 }] }),
      }),
    ]);

    // And the same edit again is "message is not modified"
    const same = await call('editMessageText', {
      chat_id: anna.id,
      message_id: messageId,
      text: 'Booking <b>paid</b>',
      parse_mode: 'HTML',
      reply_markup: inlineKeyboard([['Receipt', 'receipt:7']]),
    });
    expect(same).toEqual({
      status: 400,
      body: {
        ok: false,
        error_code: 400,
        description:
          'Bad Request: message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message',
      },
    });
    // And an edit without reply_markup removes the keyboard, as on Telegram
    await call('editMessageText', { chat_id: anna.id, message_id: messageId, text: 'Done' });
    expect(standIn.chat(anna.id)[0]).toMatchObject({ text: 'Done', buttons: [] });
    // And unknown messages cannot be edited
    expect((await call('editMessageText', { chat_id: anna.id, message_id: 99, text: 'x' })).body).toMatchObject({
      description: 'Bad Request: message to edit not found',
    });
  });

  it('answers 403 while the user has blocked the bot, and tells the bot with my_chat_member', async () => {
    await start();
    standIn.addUser(anna);

    const update = standIn.blockBot(anna);
    const blocked = await call('sendMessage', { chat_id: anna.id, text: 'Reminder' });

    expect(update.my_chat_member).toMatchObject({
      old_chat_member: { status: 'member' },
      new_chat_member: { status: 'kicked', user: { is_bot: true } },
    });
    expect(blocked).toEqual({
      status: 403,
      body: { ok: false, error_code: 403, description: 'Forbidden: bot was blocked by the user' },
    });
    standIn.unblockBot(anna);
    expect((await call('sendMessage', { chat_id: anna.id, text: 'Reminder' })).status).toBe(200);
  });

  it('refuses HTML Telegram cannot parse, with its byte offsets', async () => {
    await start();
    standIn.addUser(anna);

    const unclosed = await call('sendMessage', { chat_id: anna.id, text: 'Привет, <b>Anna', parse_mode: 'HTML' });
    const unknownTag = await call('sendMessage', { chat_id: anna.id, text: 'Привет <br> Anna', parse_mode: 'HTML' });
    const crossed = await call('sendMessage', { chat_id: anna.id, text: '<b><i>x</b></i>', parse_mode: 'HTML' });

    expect(unclosed.body).toEqual({
      ok: false,
      error_code: 400,
      description: `Bad Request: can't parse entities: Can't find end tag corresponding to start tag "b"`,
    });
    // "Привет " is 13 bytes of UTF-8
    expect(unknownTag.body).toMatchObject({
      description: `Bad Request: can't parse entities: Unsupported start tag "br" at byte offset 13`,
    });
    expect(crossed.body).toMatchObject({
      description: `Bad Request: can't parse entities: Unmatched end tag at byte offset 7, expected "</i>", found "</b>"`,
    });
    expect(standIn.chat(anna.id)).toEqual([]);
  });

  it('refuses callback_data over 64 bytes and text buttons in an inline keyboard', async () => {
    await start();
    standIn.addUser(anna);

    const longData = await call('sendMessage', {
      chat_id: anna.id,
      text: 'x',
      reply_markup: inlineKeyboard([['Too long', 'я'.repeat(33)]]),
    });
    const textButton = await call('sendMessage', {
      chat_id: anna.id,
      text: 'x',
      reply_markup: { inline_keyboard: [[{ text: 'Plain' }]] },
    });

    expect(longData.body).toMatchObject({ error_code: 400, description: 'Bad Request: BUTTON_DATA_INVALID' });
    expect(textButton.body).toMatchObject({
      description: "Bad Request: can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard",
    });
  });

  it('keeps the reply keyboard, and a pressed reply button sends its text', async () => {
    await start();
    standIn.addUser(anna);
    await call('sendMessage', {
      chat_id: anna.id,
      text: 'Share your phone',
      reply_markup: { keyboard: [[{ text: 'Share', request_contact: true }], ['Later']], resize_keyboard: true },
    });

    const later = standIn.pressButton(anna, 'Later');
    const contact = standIn.shareContact(anna, '+79990001122');

    expect(standIn.chat(anna.id)[0].buttons).toEqual([['Share'], ['Later']]);
    expect(later.message?.text).toBe('Later');
    expect(contact.message?.contact).toEqual({ phone_number: '+79990001122', first_name: 'Anna', user_id: anna.id });
    expect(() => standIn.pressButton(anna, 'Share')).toThrow(/shareContact/);
  });
});

describe('Telegram Bot API stand-in: flood control', () => {
  it('answers 429 with retry_after after the per-chat burst, and sends again once the time has passed', async () => {
    // Given flood limits of 1 message/s per chat with a burst of 3, on a clock we control
    let now = 1_700_000_000_000;
    await start({ rateLimits: { perChat: { perSecond: 1, burst: 3 } }, now: () => now });
    standIn.addUser(anna);

    // When the bot sends four messages at once
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) statuses.push((await call('sendMessage', { chat_id: anna.id, text: `#${i}` })).status);
    const refused = await call('sendMessage', { chat_id: anna.id, text: '#3' });

    // Then the fourth is refused with Telegram's 429 and the seconds to wait
    expect(statuses).toEqual([200, 200, 200]);
    expect(refused).toEqual({
      status: 429,
      body: {
        ok: false,
        error_code: 429,
        description: 'Too Many Requests: retry after 1',
        parameters: { retry_after: 1 },
      },
    });
    // And after retry_after seconds the same request goes through
    now += 1000;
    expect((await call('sendMessage', { chat_id: anna.id, text: '#3' })).status).toBe(200);
    expect(standIn.chat(anna.id).map((m) => m.text)).toEqual(['#0', '#1', '#2', '#3']);
  });

  it('can force the next calls of a method to answer 429', async () => {
    await start();
    standIn.addUser(anna);
    standIn.forceTooManyRequests('sendMessage', 2, 7);

    const answers = [];
    for (let i = 0; i < 3; i++) answers.push((await call('sendMessage', { chat_id: anna.id, text: 'x' })).body);

    expect(answers.map((a) => (a.ok ? 'ok' : a.parameters?.retry_after))).toEqual([7, 7, 'ok']);
    expect(standIn.calls('sendMessage').map((c) => c.status)).toEqual([429, 429, 200]);
  });
});

describe('Telegram Bot API stand-in: webhook', () => {
  it('posts updates with the secret header, runs a method in the reply, and refuses getUpdates meanwhile', async () => {
    // Given a webhook receiver that answers the first update with a sendMessage
    await start();
    const received: { secret: string | undefined; update: TgUpdate }[] = [];
    const receiver = http.createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
      req.on('end', () => {
        const update = JSON.parse(body) as TgUpdate;
        received.push({ secret: req.headers['x-telegram-bot-api-secret-token'] as string | undefined, update });
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify({ method: 'sendMessage', chat_id: update.message?.chat.id, text: 'Hello!' }));
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    const hookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/telegram`;

    try {
      // When the bot sets the webhook with a secret and the user writes
      const set = await call('setWebhook', { url: hookUrl, secret_token: 's3cr3t_-x' });
      standIn.sendText(anna, 'hi');
      const reply = await standIn.waitForMessage(anna.id, (m) => m.text === 'Hello!');
      await standIn.waitForCalls('sendMessage');

      // Then the update arrived with the header, and the method in the reply was run
      expect(set.body).toEqual({ ok: true, result: true, description: 'Webhook was set' });
      expect(received).toEqual([
        { secret: 's3cr3t_-x', update: expect.objectContaining({ message: expect.anything() }) },
      ]);
      expect(reply.from).toBe('bot');
      expect(standIn.calls('sendMessage')[0].via).toBe('webhook-reply');
      const info = await call<TgWebhookInfo>('getWebhookInfo');
      expect(info.body.result).toMatchObject({ url: hookUrl, pending_update_count: 0 });

      // And getUpdates is a conflict while the webhook is set
      expect(await call('getUpdates')).toEqual({
        status: 409,
        body: {
          ok: false,
          error_code: 409,
          description:
            "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first",
        },
      });
      expect((await call('deleteWebhook')).body).toEqual({
        ok: true,
        result: true,
        description: 'Webhook was deleted',
      });
    } finally {
      await new Promise((resolve) => receiver.close(resolve));
    }
  });

  it('ends a waiting poll when a webhook is set, and a replaced webhook gets the next updates', async () => {
    // Given a bot in a long poll and a receiver with two paths
    await start();
    const paths: string[] = [];
    const receiver = http.createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        paths.push(req.url ?? '');
        res.end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
    try {
      const poll = call('getUpdates', { timeout: 5 });
      await new Promise((resolve) => setTimeout(resolve, 50));

      // When the webhook is set, used, then replaced while idle
      await call('setWebhook', { url: `${base}/a` });
      standIn.sendText(anna, 'one');
      await until(() => paths.length === 1);
      await call('setWebhook', { url: `${base}/b`, secret_token: 'new' });
      standIn.sendText(anna, 'two');
      await until(() => paths.length === 2);

      // Then the poll ended with Telegram's conflict, and each webhook got its update
      expect((await poll).body).toEqual({
        ok: false,
        error_code: 409,
        description: 'Conflict: terminated by setWebhook request',
      });
      expect(paths).toEqual(['/a', '/b']);
    } finally {
      await call('deleteWebhook');
      await new Promise((resolve) => receiver.close(resolve));
    }
  });

  it('keeps an update pending and reports the error while the webhook fails', async () => {
    await start();
    const receiver = http.createServer((_req, res) => {
      res.writeHead(500);
      res.end();
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    try {
      await call('setWebhook', { url: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/` });
      standIn.sendText(anna, 'hi');
      await new Promise((resolve) => setTimeout(resolve, 200));

      const info = await call<TgWebhookInfo>('getWebhookInfo');
      expect(info.body.result).toMatchObject({
        pending_update_count: 1,
        last_error_message: 'Wrong response from the webhook: 500 Internal Server Error',
      });
    } finally {
      await call('deleteWebhook');
      await new Promise((resolve) => receiver.close(resolve));
    }
  });
});

describe('Telegram Bot API stand-in: files', () => {
  it('takes a multipart sendPhoto, and serves the photo back through getFile and the download URL', async () => {
    // Given the bot uploads a photo with a caption
    await start();
    standIn.addUser(anna);
    const form = new FormData();
    form.append('chat_id', String(anna.id));
    form.append('caption', 'Room <i>A</i>');
    form.append('parse_mode', 'HTML');
    form.append('photo', new Blob([PNG], { type: 'image/png' }), 'room.png');
    const sent = await fetch(standIn.url('sendPhoto'), { method: 'POST', body: form });
    const message = ((await sent.json()) as { result: TgMessage }).result;

    // When it asks for the file and downloads it
    const fileId = message.photo?.[0].file_id as string;
    const file = await call<TgFile>('getFile', { file_id: fileId });
    const download = await fetch(standIn.fileUrl(file.body.result?.file_path as string));

    // Then the bytes round-trip and the message carries the parsed caption
    expect(message).toMatchObject({
      caption: 'Room A',
      caption_entities: [{ type: 'italic', offset: 5, length: 1 }],
      photo: [{ width: 1, height: 1, file_size: PNG.length }],
    });
    expect(file.body.result).toMatchObject({ file_id: fileId, file_path: expect.stringMatching(/^photos\//) });
    expect(Buffer.from(await download.arrayBuffer()).equals(PNG)).toBe(true);
    expect(standIn.calls('sendPhoto')[0].params.photo).toEqual({
      filename: 'room.png',
      contentType: 'image/png',
      size: PNG.length,
    });
  });

  it('reads multipart the way grammY writes it: attach:// and an unquoted filename', async () => {
    await start();
    standIn.addUser(anna);
    const boundary = '----------grammy0boundary';
    const body = Buffer.concat([
      Buffer.from(
        `--${boundary}\r\ncontent-disposition:form-data;name="chat_id"\r\n\r\n${anna.id}\r\n` +
          `--${boundary}\r\ncontent-disposition:form-data;name="photo"\r\n\r\nattach://x1y2\r\n` +
          `--${boundary}\r\ncontent-disposition:form-data;name="x1y2";filename=room.png\r\n` +
          'content-type:application/octet-stream\r\n\r\n',
      ),
      PNG,
      Buffer.from(`\r\n--${boundary}--\r\n`),
    ]);

    const response = await fetch(standIn.url('sendPhoto'), {
      method: 'POST',
      headers: { 'Content-Type': `multipart/form-data; boundary=${boundary}` },
      body,
    });

    expect(response.status).toBe(200);
    const fileId = ((await response.json()) as { result: TgMessage }).result.photo?.[0].file_id as string;
    expect(standIn.file(fileId)?.equals(PNG)).toBe(true);
  });

  it('sends an album with attach:// uploads and a reused file_id, and refuses bytes that are not an image', async () => {
    await start();
    standIn.addUser(anna);
    const userPhoto = standIn.sendPhoto(anna, { bytes: PNG, caption: 'my desk' });
    const reused = userPhoto.message?.photo?.[0].file_id as string;

    const form = new FormData();
    form.append('chat_id', String(anna.id));
    form.append(
      'media',
      JSON.stringify([
        { type: 'photo', media: 'attach://first', caption: 'Album' },
        { type: 'photo', media: reused },
      ]),
    );
    form.append('first', new Blob([PNG], { type: 'image/png' }), 'first.png');
    const album = (await (await fetch(standIn.url('sendMediaGroup'), { method: 'POST', body: form })).json()) as {
      result: TgMessage[];
    };
    const notImage = new FormData();
    notImage.append('chat_id', String(anna.id));
    notImage.append('photo', new Blob([Buffer.from('%PDF-1.4')]), 'doc.pdf');
    const refused = await (await fetch(standIn.url('sendPhoto'), { method: 'POST', body: notImage })).json();

    expect(album.result).toHaveLength(2);
    expect(album.result[0].media_group_id).toBeDefined();
    expect(album.result[1].media_group_id).toBe(album.result[0].media_group_id);
    expect(album.result[1].photo?.[0].file_id).toBe(reused);
    expect(album.result.map((m) => m.message_id)).toEqual([2, 3]);
    expect(refused).toEqual({ ok: false, error_code: 400, description: 'Bad Request: IMAGE_PROCESS_FAILED' });
    expect((await call('sendMediaGroup', { chat_id: anna.id, media: [] })).body).toMatchObject({
      description: 'Bad Request: there are no messages to send',
    });
  });
});
