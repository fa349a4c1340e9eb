/**
 * A local Telegram Bot API stand-in: serves /bot<token>/<method> and /file/bot<token>/<path> like
 * api.telegram.org, keeps each private chat's history, and lets tests act as users and assert on what the bot did.
 * Behaviour and error texts follow the official Bot API server (tdlib/telegram-bot-api) and TDLib; see README.md.
 */
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

import { characterCount, formatText, type FormattedText } from './entities';
import { DEFAULT_RATE_LIMITS, FloodControl, type BucketLimit, type RateLimits } from './flood';
import { checkInlineButtons, isInlineKeyboard, isReplyKeyboard, readReplyMarkup } from './markup';
import { photoDimensionsValid, readImageInfo } from './media';
import {
  badRequest,
  BotApiError,
  forbidden,
  Params,
  parseRequest,
  tooManyRequests,
  type UploadedFile,
} from './request';
import type {
  TgBotCommand,
  TgBotUser,
  TgCallbackQuery,
  TgChat,
  TgFile,
  TgFileMedia,
  TgInlineKeyboardButton,
  TgMessage,
  TgPhotoSize,
  TgReplyKeyboardMarkup,
  TgReplyMarkup,
  TgResponse,
  TgResponseParameters,
  TgUpdate,
  TgUser,
  TgWebhookInfo,
} from './types';

export type * from './types';
export type { BucketLimit, RateLimits } from './flood';

/** A Telegram user the tests act as; their private chat with the bot has the same id. */
export interface StandInUser {
  id: number;
  first_name: string;
  last_name?: string;
  username?: string;
  language_code?: string;
}

export interface TelegramStandInOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  host?: string;
  /** The only token the stand-in accepts; its digits before ':' are the bot's id. */
  token?: string;
  bot?: { first_name?: string; username?: string };
  /** false switches flood control off; partial limits are merged with the defaults (1/s per chat, burst 5; 30/s overall). */
  rateLimits?: false | { perChat?: Partial<BucketLimit>; global?: Partial<BucketLimit> };
  /** The clock for message dates, flood control and callback query expiry (timers stay real). Default Date.now. */
  now?: () => number;
  /** How long answerCallbackQuery is accepted after the press. Default 15 s. */
  callbackQueryTimeoutMs?: number;
  /** The first update_id. Default 100000001. */
  firstUpdateId?: number;
  /** Telegram raises the timeout of a quick repeated empty poll with the same offset to 3 s; 0 switches that off. */
  repeatPollFloorSeconds?: number;
  /** A second 409 Conflict within this time is answered this much later, as Telegram does. Default 3000. */
  conflictRepeatDelayMs?: number;
  /** Webhook retries: at once after the first failure, then this base doubling up to 60 s. Default 2000. */
  webhookRetryBaseMs?: number;
  /** How long a webhook may take to answer. Default 10000. */
  webhookTimeoutMs?: number;
  /** Called with one line per API call (the CLI prints them). */
  log?: (line: string) => void;
  /**
   * Every Bot API call is answered this many milliseconds after it was executed (the message is in the chat at
   * once; the answer travels back late), like a real network round trip. Default 0. `setLatency()` changes it.
   */
  latencyMs?: number;
}

export interface RecordedCall {
  method: string;
  params: Record<string, unknown>;
  status: number;
  response: TgResponse;
  /** The stand-in's clock when the call was answered. */
  at: number;
  /** 'webhook-reply' for a method the bot returned in its webhook response body. */
  via: 'http' | 'webhook-reply';
}

/** One message of a chat as it is now (edits applied), for assertions. */
export interface ChatEntry {
  message_id: number;
  from: 'bot' | 'user';
  /** The text, or the caption of a media message. */
  text?: string;
  /** Button texts by row, of the inline keyboard or of the reply keyboard sent with the message. */
  buttons: string[][];
  /** Any markup the bot sent with it, reply keyboards included (a Message itself only carries inline ones). */
  reply_markup?: TgReplyMarkup;
  /** The text or caption as the bot sent it, before parse_mode was applied. */
  source?: { text: string; parse_mode?: string };
  deleted: boolean;
  /** The Message object as Telegram would return it now. */
  message: TgMessage;
}

export interface CallbackAnswer {
  text?: string;
  show_alert: boolean;
  url?: string;
  cache_time?: number;
}

export interface ForcedFailure {
  error_code: number;
  description: string;
  parameters?: TgResponseParameters;
}

export type ButtonTarget = string | { messageId: number; data: string };

/** A failure injected for one chat by `failFor()`. */
interface ChatFailure {
  failure: ForcedFailure;
  /** Calls still to fail; Infinity until cleared. */
  remaining: number;
  /** Lower-case method names it applies to; undefined: every method addressed to the chat (chat_id). */
  methods?: Set<string>;
}

const DEFAULT_TOKEN = '123456789:AAF-stand-in-token_for_tests_0000000';
const LONG_POLL_MAX_TIMEOUT = 50;
// Telegram answers a waiting poll shortly after an update arrives, so that updates close together come together.
const LONG_POLL_WAIT_AFTER_MS = 10;
const MAX_UPLOAD_BYTES = 50 * 1024 * 1024;
const MAX_PHOTO_BYTES = 10 * 1024 * 1024;
const MAX_DOWNLOAD_BYTES = 20 * 1024 * 1024;
const DEFAULT_EXCLUDED_UPDATES = new Set(['chat_member', 'message_reaction', 'message_reaction_count']);
const UPDATE_TYPES = [
  'message',
  'edited_message',
  'channel_post',
  'edited_channel_post',
  'business_connection',
  'business_message',
  'edited_business_message',
  'deleted_business_messages',
  'message_reaction',
  'message_reaction_count',
  'inline_query',
  'chosen_inline_result',
  'callback_query',
  'shipping_query',
  'pre_checkout_query',
  'purchased_paid_media',
  'poll',
  'poll_answer',
  'my_chat_member',
  'chat_member',
  'chat_join_request',
  'chat_boost',
  'removed_chat_boost',
];
const CHAT_ACTIONS = new Set([
  'typing',
  'upload_photo',
  'record_video',
  'upload_video',
  'record_voice',
  'upload_voice',
  'record_audio',
  'upload_audio',
  'upload_document',
  'choose_sticker',
  'find_location',
  'record_video_note',
  'upload_video_note',
]);
const CONFLICT_OTHER_POLL =
  'Conflict: terminated by other getUpdates request; make sure that only one bot instance is running';
const CONFLICT_SET_WEBHOOK = 'Conflict: terminated by setWebhook request';
const CONFLICT_WEBHOOK_ACTIVE =
  "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first";
const NOT_MODIFIED =
  'message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message';
const QUERY_TOO_OLD = 'query is too old and response timeout expired or query ID is invalid';

type FileKind = 'photo' | 'video' | 'document' | 'audio';
// TDLib's names, used in "can't use file of type X as Y".
const FILE_KIND_NAMES: Record<FileKind, string> = {
  photo: 'Photo',
  video: 'Video',
  document: 'Document',
  audio: 'Audio',
};

interface StoredFile {
  file_id: string;
  file_unique_id: string;
  kind: FileKind;
  file_path: string;
  bytes: Buffer;
  mime_type: string;
  file_name?: string;
  width?: number;
  height?: number;
}

interface StoredMessage {
  message: TgMessage;
  fromBot: boolean;
  deleted: boolean;
  markup?: TgReplyMarkup;
  source?: { text: string; parse_mode?: string };
}

interface ChatState {
  user: TgUser;
  chat: TgChat;
  nextMessageId: number;
  messages: Map<number, StoredMessage>;
  blocked: boolean;
  chatInstance: string;
  replyKeyboard?: TgReplyKeyboardMarkup;
  lastAction?: { action: string; at: number };
}

interface PendingQuery {
  query: TgCallbackQuery;
  createdAt: number;
  answer?: CallbackAnswer;
}

interface WaitingPoll {
  limit: number;
  resolve: (result: HandlerResult) => void;
  reject: (error: BotApiError) => void;
  timer: NodeJS.Timeout;
  wake?: NodeJS.Timeout;
}

interface Webhook {
  url: string;
  secretToken?: string;
  maxConnections: number;
  ipAddress?: string;
}

interface HandlerResult {
  result: unknown;
  description?: string;
}

interface CallContext {
  /** Aborted when the HTTP client hangs up (ends a long poll). */
  signal?: AbortSignal;
}

type Handler = (params: Params, context: CallContext) => HandlerResult | Promise<HandlerResult>;

interface InputMedia {
  kind: FileKind;
  upload?: UploadedFile;
  reference?: string;
  caption: FormattedText;
  source?: { text: string; parse_mode?: string };
  item: Record<string, unknown>;
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value);
const clone = <T>(value: T): T => structuredClone(value);
const clamp = (value: number, min: number, max: number): number => Math.min(max, Math.max(min, value));
const sameJson = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

export class TelegramStandIn {
  readonly token: string;
  readonly botInfo: TgBotUser;
  private readonly server: http.Server;
  private readonly now: () => number;
  private readonly flood: FloodControl;
  private readonly settings: Required<
    Pick<
      TelegramStandInOptions,
      | 'callbackQueryTimeoutMs'
      | 'repeatPollFloorSeconds'
      | 'conflictRepeatDelayMs'
      | 'webhookRetryBaseMs'
      | 'webhookTimeoutMs'
    >
  >;
  private readonly log?: (line: string) => void;
  private readonly handlers: Map<string, { name: string; handler: Handler }>;

  private readonly chats = new Map<number, ChatState>();
  private readonly files = new Map<string, StoredFile>();
  private readonly filesByPath = new Map<string, StoredFile>();
  private readonly callbackQueries = new Map<string, PendingQuery>();
  private readonly commandSets = new Map<string, TgBotCommand[]>();
  private readonly recorded: RecordedCall[] = [];
  private readonly forced = new Map<string, ForcedFailure[]>();
  private readonly chatFailures = new Map<number, ChatFailure[]>();
  private latency = 0;
  private readonly waiters = new Set<() => void>();
  private readonly timers = new Set<NodeJS.Timeout>();

  private pending: TgUpdate[] = [];
  private nextUpdateId: number;
  private allowedUpdates: Set<string> | undefined;
  private poll: WaitingPoll | undefined;
  private previousPoll = { offset: Number.NaN, startedAt: 0 };
  private nextConflictAt = 0;
  private webhook: Webhook | undefined;
  private webhookGeneration = 0;
  private webhookAbort: AbortController | undefined;
  // Wake-ups for delivery loops: idle ones wait for an update, failing ones sleep until their retry.
  private readonly webhookIdle = new Set<() => void>();
  private readonly webhookRetry = new Set<() => void>();
  private lastWebhookError: { date: number; message: string } | undefined;
  private nextSetWebhookAt = 0;
  private counter = 0;
  private closed = false;
  private portNumber = 0;
  private readonly host: string;

  constructor(options: TelegramStandInOptions = {}) {
    this.token = options.token ?? DEFAULT_TOKEN;
    const botId = Number(/^(\d+):/.exec(this.token)?.[1] ?? 0);
    this.botInfo = {
      id: botId,
      is_bot: true,
      first_name: options.bot?.first_name ?? 'Coworking Test Bot',
      username: options.bot?.username ?? 'coworking_test_bot',
      can_join_groups: true,
      can_read_all_group_messages: false,
      supports_inline_queries: false,
      can_connect_to_business: false,
      has_main_web_app: false,
    };
    this.now = options.now ?? Date.now;
    this.flood = new FloodControl(mergeLimits(options.rateLimits), this.now);
    this.settings = {
      callbackQueryTimeoutMs: options.callbackQueryTimeoutMs ?? 15_000,
      repeatPollFloorSeconds: options.repeatPollFloorSeconds ?? 3,
      conflictRepeatDelayMs: options.conflictRepeatDelayMs ?? 3000,
      webhookRetryBaseMs: options.webhookRetryBaseMs ?? 2000,
      webhookTimeoutMs: options.webhookTimeoutMs ?? 10_000,
    };
    this.log = options.log;
    this.latency = Math.max(0, options.latencyMs ?? 0);
    this.nextUpdateId = options.firstUpdateId ?? 100_000_001;
    this.host = options.host ?? '127.0.0.1';
    this.handlers = this.createHandlers();
    this.server = http.createServer((req, res) => {
      this.handleHttp(req, res).catch((error: unknown) => {
        this.log?.(`stand-in failure: ${String(error)}`);
        if (!res.headersSent) sendJson(res, 500, { ok: false, error_code: 500, description: 'Internal Server Error' });
      });
    });
  }

  /** Starts listening; startTelegramStandIn() does this for you. */
  async listen(port = 0): Promise<this> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, this.host, () => resolve());
    });
    this.portNumber = (this.server.address() as AddressInfo).port;
    return this;
  }

  get port(): number {
    return this.portNumber;
  }

  /** What grammY takes as `client.apiRoot`: requests go to `${apiRoot}/bot${token}/${method}`. */
  get apiRoot(): string {
    return `http://${this.host}:${this.portNumber}`;
  }

  url(method: string): string {
    return `${this.apiRoot}/bot${this.token}/${method}`;
  }

  fileUrl(filePath: string): string {
    return `${this.apiRoot}/file/bot${this.token}/${filePath}`;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    if (this.poll) this.finishPoll(this.poll, { result: [] });
    this.webhookAbort?.abort();
    wakeAll(this.webhookIdle);
    wakeAll(this.webhookRetry);
    for (const waiter of [...this.waiters]) waiter();
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  // ---------------------------------------------------------------- acting as a user

  /** Makes the user's chat known, as if they had started the bot earlier; no update is sent. */
  addUser(user: StandInUser): void {
    this.chatOf(user);
  }

  /** The user sends a text; commands get a bot_command entity, as Telegram adds it. */
  sendText(user: StandInUser, text: string): TgUpdate {
    const chat = this.prepareUserAction(user);
    const formatted = formatText(text, undefined, undefined);
    if (formatted.text === '') throw new Error('Telegram clients do not send empty messages');
    return this.userMessage(chat, {
      text: formatted.text,
      ...(formatted.entities.length ? { entities: formatted.entities } : {}),
    });
  }

  /**
   * The user presses a button. By text: the callback button with that text in the latest bot message carrying it
   * (a callback_query update), or else a button of the current reply keyboard (which sends its text).
   * By { messageId, data }: a callback_query for that bot message with that data (stale or forged data included).
   */
  pressButton(user: StandInUser, target: ButtonTarget): TgUpdate {
    const chat = this.prepareUserAction(user);
    if (typeof target !== 'string') {
      const stored = chat.messages.get(target.messageId);
      if (!stored || stored.deleted || !stored.fromBot) {
        throw new Error(`No bot message ${target.messageId} in chat ${chat.chat.id}`);
      }
      return this.callbackQuery(chat, stored, target.data);
    }

    const botMessages = [...chat.messages.values()].filter((m) => m.fromBot && !m.deleted).reverse();
    for (const stored of botMessages) {
      const button = stored.message.reply_markup?.inline_keyboard.flat().find((b) => b.text === target);
      if (!button) continue;
      if (typeof button.callback_data !== 'string') {
        throw new Error(`Button "${target}" is not a callback button (${describeButton(button)}); it sends no update`);
      }
      return this.callbackQuery(chat, stored, button.callback_data);
    }
    const replyButton = chat.replyKeyboard?.keyboard.flat().find((b) => b.text === target);
    if (replyButton) {
      if (replyButton.request_contact) throw new Error(`"${target}" requests the contact: use shareContact()`);
      return this.sendText(user, replyButton.text);
    }
    const available = botMessages
      .flatMap((m) => m.message.reply_markup?.inline_keyboard.flat().map((b) => b.text) ?? [])
      .concat(chat.replyKeyboard?.keyboard.flat().map((b) => b.text) ?? []);
    throw new Error(`No button "${target}" in chat ${chat.chat.id}; buttons: ${JSON.stringify(available)}`);
  }

  /** The user shares their own contact (the request_contact button, or the attachment menu). */
  shareContact(user: StandInUser, phone: string): TgUpdate {
    const chat = this.prepareUserAction(user);
    return this.userMessage(chat, {
      contact: {
        phone_number: phone,
        first_name: user.first_name,
        ...(user.last_name ? { last_name: user.last_name } : {}),
        user_id: user.id,
      },
    });
  }

  /** The user sends a photo; the file is then available to getFile and the download URL. */
  sendPhoto(user: StandInUser, photo: { bytes: Buffer | Uint8Array; caption?: string }): TgUpdate {
    const chat = this.prepareUserAction(user);
    const bytes = Buffer.from(photo.bytes);
    const info = readImageInfo(bytes);
    if (!info) throw new Error('sendPhoto: the bytes are not a JPEG, PNG, GIF, WebP or BMP image');
    const file = this.storeFile('photo', bytes, info.mimeType, undefined, info);
    const caption = photo.caption ? formatText(photo.caption, undefined, undefined) : undefined;
    return this.userMessage(chat, {
      photo: [photoSize(file)],
      ...(caption?.text ? { caption: caption.text } : {}),
      ...(caption?.entities.length ? { caption_entities: caption.entities } : {}),
    });
  }

  /** The user blocks the bot: a my_chat_member update (member → kicked); sends to the chat then get 403. */
  blockBot(user: StandInUser): TgUpdate {
    const chat = this.chatOf(user);
    chat.blocked = true;
    return this.memberUpdate(chat, 'member', 'kicked');
  }

  unblockBot(user: StandInUser): TgUpdate {
    const chat = this.chatOf(user);
    chat.blocked = false;
    return this.memberUpdate(chat, 'kicked', 'member');
  }

  /** Queues any update (e.g. pre_checkout_query); the stand-in assigns update_id. */
  injectUpdate(update: Omit<TgUpdate, 'update_id'>): TgUpdate {
    const [kind] = Object.keys(update);
    if (!kind) throw new Error('injectUpdate: the update has no content');
    return this.enqueue(kind, update[kind]);
  }

  // ---------------------------------------------------------------- control

  /** The next `times` calls of `method` fail with `failure` (default: 429, retry after 1 s) before anything else. */
  failNext(method: string, times = 1, failure?: ForcedFailure): void {
    const error = failure ?? {
      error_code: 429,
      description: 'Too Many Requests: retry after 1',
      parameters: { retry_after: 1 },
    };
    const key = method.toLowerCase();
    const queue = this.forced.get(key) ?? [];
    for (let i = 0; i < times; i++) queue.push(error);
    this.forced.set(key, queue);
  }

  /** Shorthand for failNext with Telegram's 429 answer. */
  forceTooManyRequests(method: string, times = 1, retryAfter = 1): void {
    const { code, description, parameters } = tooManyRequests(retryAfter);
    this.failNext(method, times, { error_code: code, description, parameters });
  }

  setRateLimits(limits: TelegramStandInOptions['rateLimits']): void {
    this.flood.configure(mergeLimits(limits));
  }

  /**
   * Calls addressed to `chatId` (its `chat_id`) fail with `failure` the next `times` times (default: until
   * `clearFailures()`), before anything else is checked. `methods` limits it (default: every method with that
   * chat_id, e.g. sendMessage, sendPhoto, sendMediaGroup). Failures for one chat are used in the order given.
   * E.g. `failFor(1001, { error_code: 403, description: 'Forbidden: user is deactivated' })`,
   * `failFor(1002, { error_code: 429, description: 'Too Many Requests: retry after 2', parameters: { retry_after: 2 } }, 1)`,
   * `failFor(1003, { error_code: 500, description: 'Internal Server Error' }, 2)`,
   * `failFor(1004, { error_code: 400, description: 'Bad Request: chat not found' })`.
   */
  failFor(chatId: number | string, failure: ForcedFailure, times = Infinity, methods?: string[]): void {
    const id = Number(chatId);
    if (!Number.isFinite(id)) throw new Error(`failFor: chat id ${String(chatId)} is not a number`);
    if (!(times > 0)) return;
    const list = this.chatFailures.get(id) ?? [];
    list.push({
      failure: clone(failure),
      remaining: times,
      ...(methods?.length ? { methods: new Set(methods.map((m) => m.toLowerCase())) } : {}),
    });
    this.chatFailures.set(id, list);
  }

  /** Removes the failures injected with failFor() (for one chat, or all). */
  clearFailures(chatId?: number | string): void {
    if (chatId === undefined) this.chatFailures.clear();
    else this.chatFailures.delete(Number(chatId));
  }

  /** Delays every Bot API answer by `ms` from now on (0 switches it off). */
  setLatency(ms: number): void {
    this.latency = Math.max(0, Number(ms) || 0);
  }

  get latencyMs(): number {
    return this.latency;
  }

  // ---------------------------------------------------------------- assertions

  /** Every answered API call, oldest first; a method name filters them (any letter case). */
  calls(method?: string): RecordedCall[] {
    const key = method?.toLowerCase();
    return this.recorded.filter((call) => key === undefined || call.method.toLowerCase() === key).map(clone);
  }

  /**
   * Calls per chat (by `chat_id`), for exactly-once checks: a Map of chat id → number of calls. `method` (a name or
   * a list; default: every method with a chat_id) filters them; by default only successful calls (`ok: true`)
   * count, `{ all: true }` counts failed ones too. One sendMediaGroup is one call however many items it has.
   */
  callsPerChat(method?: string | string[], options: { all?: boolean } = {}): Map<number, number> {
    const names = method === undefined ? undefined : new Set((Array.isArray(method) ? method : [method]).map((m) => m.toLowerCase()));
    const counts = new Map<number, number>();
    for (const call of this.recorded) {
      if (names && !names.has(call.method.toLowerCase())) continue;
      if (!options.all && !call.response.ok) continue;
      const raw = call.params.chat_id;
      if (raw === undefined || raw === null || raw === '') continue;
      const id = Number(raw);
      if (!Number.isFinite(id)) continue;
      counts.set(id, (counts.get(id) ?? 0) + 1);
    }
    return counts;
  }

  /** Counts of the answered calls by method and HTTP status, e.g. { sendMessage: { '200': 980, '429': 3 } }. */
  stats(): Record<string, Record<string, number>> {
    const stats: Record<string, Record<string, number>> = {};
    for (const call of this.recorded) {
      const byStatus = (stats[call.method] ??= {});
      byStatus[String(call.status)] = (byStatus[String(call.status)] ?? 0) + 1;
    }
    return stats;
  }

  /** Forgets the recorded calls (chats and files stay), e.g. between phases of a long run. */
  clearCalls(): void {
    this.recorded.length = 0;
  }

  /** The bot's messages in the user's chat as they are now (edits applied, deleted ones left out). */
  chat(userId: number): ChatEntry[] {
    return this.history(userId).filter((entry) => entry.from === 'bot' && !entry.deleted);
  }

  /** Every message of the chat, the user's and deleted ones included. */
  history(userId: number): ChatEntry[] {
    const chat = this.chats.get(userId);
    return chat ? [...chat.messages.values()].map(toEntry) : [];
  }

  /** The reply keyboard the user currently has, if any. */
  replyKeyboard(userId: number): TgReplyKeyboardMarkup | undefined {
    const keyboard = this.chats.get(userId)?.replyKeyboard;
    return keyboard && clone(keyboard);
  }

  isBlocked(userId: number): boolean {
    return this.chats.get(userId)?.blocked ?? false;
  }

  /** The last sendChatAction for the chat. */
  chatAction(userId: number): string | undefined {
    return this.chats.get(userId)?.lastAction?.action;
  }

  callbackAnswer(queryId: string): CallbackAnswer | undefined {
    const answer = this.callbackQueries.get(queryId)?.answer;
    return answer && clone(answer);
  }

  /** The commands set for a scope (default scope) and language (none). */
  commands(scope: Record<string, unknown> = { type: 'default' }, languageCode = ''): TgBotCommand[] {
    return clone(this.commandSets.get(commandKey(scope, languageCode)) ?? []);
  }

  /** The bytes behind a file_id. */
  file(fileId: string): Buffer | undefined {
    const file = this.files.get(fileId);
    return file && Buffer.from(file.bytes);
  }

  /** Updates not yet confirmed by getUpdates nor accepted by the webhook. */
  pendingUpdates(): TgUpdate[] {
    return clone(this.pending);
  }

  /** Resolves with the latest bot message matching the predicate, now or when it arrives or is edited. */
  waitForMessage(
    userId: number,
    predicate: (entry: ChatEntry) => boolean = () => true,
    timeoutMs = 2000,
  ): Promise<ChatEntry> {
    return this.waitFor(
      () => [...this.chat(userId)].reverse().find(predicate),
      timeoutMs,
      () =>
        `waitForMessage(${userId}) timed out after ${timeoutMs} ms; chat: ${JSON.stringify(this.chat(userId).map((e) => e.text))}`,
    );
  }

  /** Resolves with the calls of `method` (all when undefined) once there are at least `count`. */
  waitForCalls(method?: string, count = 1, timeoutMs = 2000): Promise<RecordedCall[]> {
    return this.waitFor(
      () => {
        const calls = this.calls(method);
        return calls.length >= count ? calls : undefined;
      },
      timeoutMs,
      () =>
        `waitForCalls(${method ?? '*'}, ${count}) timed out after ${timeoutMs} ms; got ${this.calls(method).length}`,
    );
  }

  // ---------------------------------------------------------------- HTTP

  private async handleHttp(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://stand-in');
    const path = safeDecode(url.pathname);

    if (path.startsWith('/_stand-in/')) return this.handleControl(req, res, path, url);

    const download = /^\/file\/bot([^/]*)\/(.+)$/.exec(path);
    if (download) {
      const denied = this.checkToken(download[1]);
      if (denied) return sendJson(res, denied.error_code, denied);
      const file = this.filesByPath.get(download[2]);
      if (!file) return sendJson(res, 404, { ok: false, error_code: 404, description: 'Not Found' });
      res.writeHead(200, { 'Content-Type': file.mime_type, 'Content-Length': file.bytes.length });
      res.end(file.bytes);
      return;
    }

    const api = /^\/bot([^/]*)\/([^/]*)\/?$/.exec(path);
    if (!api) return sendJson(res, 404, { ok: false, error_code: 404, description: 'Not Found' });
    const denied = this.checkToken(api[1]);
    if (denied) return sendJson(res, denied.error_code, denied);
    const entry = this.handlers.get(api[2].toLowerCase());
    if (!entry) {
      const response: TgResponse = { ok: false, error_code: 404, description: 'Not Found' };
      this.record(api[2], new Params({}), 404, response, 'http');
      return sendJson(res, 404, response);
    }

    const body = await readBody(req, MAX_UPLOAD_BYTES);
    if (body === undefined) {
      // The rest of the upload is still coming: answer, then close the connection so it cannot be reused.
      res.setHeader('Connection', 'close');
      res.on('finish', () => req.destroy());
      return sendJson(res, 413, { ok: false, error_code: 413, description: 'Request Entity Too Large' });
    }
    let params: Params;
    try {
      params = parseRequest(url.searchParams, req.headers['content-type'], body);
    } catch (error) {
      if (!(error instanceof BotApiError)) throw error;
      const response = errorResponse(error);
      this.record(entry.name, new Params({}), error.code, response, 'http');
      return sendJson(res, error.code, response);
    }

    // A long poll whose client hangs up stops waiting.
    const abort = new AbortController();
    res.on('close', () => {
      if (!res.writableFinished) abort.abort();
    });
    const { status, response } = await this.execute(entry.name, params, { signal: abort.signal });
    if (abort.signal.aborted || res.destroyed) return;
    this.record(entry.name, params, status, response, 'http');
    // The call has taken effect; with latency its answer arrives late (a client that dies meanwhile never learns
    // of it, which is what crash tests need).
    if (this.latency > 0) {
      await new Promise<void>((resolve) => this.setTimer(resolve, this.latency));
      if (res.destroyed || this.closed) return;
    }
    sendJson(res, status, response);
  }

  private checkToken(token: string): Extract<TgResponse, { ok: false }> | undefined {
    // A token that is not "<digits>:<secret>" is not routed at all; a well-formed unknown one is unauthorized.
    if (!/^\d+:[\w-]+$/.test(token)) return { ok: false, error_code: 404, description: 'Not Found' };
    if (token !== this.token) return { ok: false, error_code: 401, description: 'Unauthorized' };
    return undefined;
  }

  private async execute(
    method: string,
    params: Params,
    context: CallContext,
  ): Promise<{ status: number; response: TgResponse }> {
    const entry = this.handlers.get(method.toLowerCase());
    if (!entry) return { status: 404, response: { ok: false, error_code: 404, description: 'Not Found' } };
    try {
      const forced = this.forced.get(entry.name.toLowerCase())?.shift() ?? this.chatFailure(entry.name, params);
      if (forced) throw new BotApiError(forced.error_code, forced.description, forced.parameters);
      const { result, description } = await entry.handler(params, context);
      return { status: 200, response: { ok: true, result, ...(description ? { description } : {}) } };
    } catch (error) {
      if (error instanceof BotApiError) return { status: error.code, response: errorResponse(error) };
      this.log?.(`stand-in failure in ${method}: ${error instanceof Error ? error.stack : String(error)}`);
      return { status: 500, response: { ok: false, error_code: 500, description: 'Internal Server Error' } };
    }
  }

  /** The failure injected by failFor() for this call's chat, if any (and counts it down). */
  private chatFailure(method: string, params: Params): ForcedFailure | undefined {
    if (this.chatFailures.size === 0) return undefined;
    const raw = (params.str('chat_id') ?? '').trim();
    if (!/^-?\d+$/.test(raw)) return undefined;
    const list = this.chatFailures.get(Number(raw));
    const key = method.toLowerCase();
    const index = list?.findIndex((f) => f.remaining > 0 && (!f.methods || f.methods.has(key))) ?? -1;
    if (!list || index < 0) return undefined;
    const found = list[index];
    found.remaining -= 1;
    if (found.remaining <= 0) list.splice(index, 1);
    if (list.length === 0) this.chatFailures.delete(Number(raw));
    return clone(found.failure);
  }

  private record(method: string, params: Params, status: number, response: TgResponse, via: RecordedCall['via']): void {
    this.recorded.push({ method, params: params.toRecord(), status, response, at: this.now(), via });
    this.log?.(
      `${via === 'webhook-reply' ? 'webhook reply ' : ''}${method} -> ${
        response.ok ? 'ok' : `${response.error_code} ${response.description}`
      }`,
    );
    this.notify();
  }

  // ---------------------------------------------------------------- methods

  private createHandlers(): Map<string, { name: string; handler: Handler }> {
    const handlers: Record<string, Handler> = {
      getMe: () => ({ result: this.botInfo }),
      getUpdates: (p, context) => this.getUpdates(p, context),
      setWebhook: (p) => this.setWebhook(p, true),
      deleteWebhook: (p) => this.setWebhook(p, false),
      getWebhookInfo: () => ({ result: this.webhookInfo() }),
      sendMessage: (p) => this.sendMessage(p),
      editMessageText: (p) => this.editMessageText(p),
      editMessageReplyMarkup: (p) => this.editMessageReplyMarkup(p),
      answerCallbackQuery: (p) => this.answerCallbackQuery(p),
      sendPhoto: (p) => this.sendPhotoMethod(p),
      sendMediaGroup: (p) => this.sendMediaGroup(p),
      getFile: (p) => this.getFile(p),
      deleteMessage: (p) => this.deleteMessage(p),
      setMyCommands: (p) => this.setMyCommands(p),
      getMyCommands: (p) => ({ result: this.commandSets.get(this.commandScopeKey(p)) ?? [] }),
      deleteMyCommands: (p) => {
        this.commandSets.delete(this.commandScopeKey(p));
        return { result: true };
      },
      sendChatAction: (p) => this.sendChatAction(p),
    };
    // Bot API method names are case-insensitive.
    return new Map(Object.entries(handlers).map(([name, handler]) => [name.toLowerCase(), { name, handler }]));
  }

  private async getUpdates(p: Params, context: CallContext): Promise<HandlerResult> {
    if (this.webhook) throw await this.conflict(CONFLICT_WEBHOOK_ACTIVE);
    const offset = p.int('offset') ?? 0;
    const limit = clamp(p.int('limit') ?? 100, 1, 100);
    let timeout = clamp(p.int('timeout') ?? 0, 0, LONG_POLL_MAX_TIMEOUT);
    this.updateAllowedUpdates(p);

    // Telegram slows down a client that re-polls with the same offset and a short timeout.
    const floor = this.settings.repeatPollFloorSeconds;
    const startedAt = Date.now();
    if (
      offset === this.previousPoll.offset &&
      timeout < floor &&
      startedAt < this.previousPoll.startedAt + floor * 1000
    ) {
      timeout = floor;
    }
    this.previousPoll = { offset, startedAt };

    this.confirmUpdates(offset);
    const batch = this.pending.slice(0, limit);
    if (timeout === 0 || batch.length > 0) return { result: clone(batch) };

    // Only a poll that is going to wait ends the one already waiting.
    if (this.poll) this.abortPoll(CONFLICT_OTHER_POLL);
    return new Promise<HandlerResult>((resolve, reject) => {
      const poll: WaitingPoll = {
        limit,
        resolve,
        reject,
        timer: this.setTimer(() => this.finishPoll(poll, { result: [] }), timeout * 1000),
      };
      this.poll = poll;
      context.signal?.addEventListener('abort', () => this.finishPoll(poll, { result: [] }));
    });
  }

  /** Updates below the offset are confirmed and forgotten; a negative offset keeps only the last -offset ones. */
  private confirmUpdates(offset: number): void {
    if (offset > 0) this.pending = this.pending.filter((update) => update.update_id >= offset);
    else if (offset < 0) this.pending = this.pending.slice(offset);
  }

  private finishPoll(poll: WaitingPoll, result: HandlerResult | BotApiError): void {
    if (this.poll !== poll) return;
    this.poll = undefined;
    clearTimeout(poll.timer);
    if (poll.wake) clearTimeout(poll.wake);
    if (result instanceof BotApiError) poll.reject(result);
    else poll.resolve(result);
  }

  private abortPoll(description: string): void {
    const poll = this.poll;
    if (!poll) return;
    this.poll = undefined;
    clearTimeout(poll.timer);
    if (poll.wake) clearTimeout(poll.wake);
    void this.conflict(description).then((error) => poll.reject(error));
  }

  private wakePoll(): void {
    const poll = this.poll;
    if (!poll || poll.wake) return;
    poll.wake = this.setTimer(() => {
      poll.wake = undefined;
      this.finishPoll(poll, { result: clone(this.pending.slice(0, poll.limit)) });
    }, LONG_POLL_WAIT_AFTER_MS);
  }

  /** 409 Conflict; a second one within the delay is answered only after it, as Telegram does. */
  private conflict(description: string): Promise<BotApiError> {
    const error = new BotApiError(409, description);
    const now = Date.now();
    if (now >= this.nextConflictAt) {
      this.nextConflictAt = now + this.settings.conflictRepeatDelayMs;
      return Promise.resolve(error);
    }
    return new Promise((resolve) => this.setTimer(() => resolve(error), this.settings.conflictRepeatDelayMs));
  }

  private updateAllowedUpdates(p: Params): void {
    let raw = p.raw('allowed_updates');
    if (raw === undefined || raw === null || raw === '') return;
    if (typeof raw === 'string') {
      try {
        raw = JSON.parse(raw) as unknown;
      } catch {
        return;
      }
    }
    if (!Array.isArray(raw)) return;
    const known = raw.map((name) => String(name).toLowerCase()).filter((name) => UPDATE_TYPES.includes(name));
    // An empty list, or one naming nothing known, means the default.
    this.allowedUpdates = known.length > 0 ? new Set(known) : undefined;
  }

  private isAllowed(kind: string): boolean {
    return this.allowedUpdates ? this.allowedUpdates.has(kind) : !DEFAULT_EXCLUDED_UPDATES.has(kind);
  }

  private setWebhook(p: Params, isSet: boolean): HandlerResult {
    const url = isSet ? (p.str('url') ?? '') : '';
    const drop = p.bool('drop_pending_updates');
    if (url !== '') {
      // At most one new webhook URL a second.
      if (this.flood.enabled && Date.now() < this.nextSetWebhookAt) throw tooManyRequests(1);
      this.nextSetWebhookAt = Date.now() + 1000;
    }
    const secretToken = isSet ? p.str('secret_token') || undefined : undefined;
    if (secretToken !== undefined && secretToken.length > 256) throw badRequest('secret token is too long');
    if (secretToken !== undefined && !/^[A-Za-z0-9_-]+$/.test(secretToken)) {
      throw badRequest('secret token contains unallowed characters');
    }
    const maxConnections = clamp(p.int('max_connections') ?? 40, 1, 100);
    const ipAddress = p.str('ip_address') || undefined;

    const current = this.webhook;
    if (
      !drop &&
      (url === '' ? current === undefined : current?.url === url) &&
      (current === undefined ||
        (current.secretToken === secretToken &&
          current.maxConnections === maxConnections &&
          current.ipAddress === ipAddress))
    ) {
      this.updateAllowedUpdates(p);
      return { result: true, description: url === '' ? 'Webhook is already deleted' : 'Webhook is already set' };
    }

    if (url !== '') {
      // Telegram requires https on ports 443, 80, 88 or 8443; like a server run with --local, this takes any.
      const parsed = safeUrl(/^[a-z][a-z0-9+.-]*:\/\//i.test(url) ? url : `https://${url}`);
      if (!parsed || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')) {
        throw badRequest('invalid webhook URL specified');
      }
      if (this.poll) this.abortPoll(CONFLICT_SET_WEBHOOK);
    }
    if (drop) this.pending = [];
    // Replacing or removing the webhook ends its delivery in progress; the update in flight stays pending.
    this.webhookGeneration++;
    this.webhookAbort?.abort();
    wakeAll(this.webhookRetry);
    wakeAll(this.webhookIdle);
    this.lastWebhookError = undefined;

    if (url === '') {
      this.webhook = undefined;
      return { result: true, description: current ? 'Webhook was deleted' : 'Webhook is already deleted' };
    }
    this.webhook = { url, secretToken, maxConnections, ipAddress };
    this.updateAllowedUpdates(p);
    void this.deliverToWebhook(this.webhookGeneration);
    return { result: true, description: 'Webhook was set' };
  }

  private webhookInfo(): TgWebhookInfo {
    const info: TgWebhookInfo = {
      url: this.webhook?.url ?? '',
      has_custom_certificate: false,
      pending_update_count: this.pending.length,
    };
    if (this.webhook?.ipAddress) info.ip_address = this.webhook.ipAddress;
    if (this.lastWebhookError) {
      info.last_error_date = this.lastWebhookError.date;
      info.last_error_message = this.lastWebhookError.message;
    }
    if (this.webhook) info.max_connections = this.webhook.maxConnections;
    if (this.allowedUpdates) info.allowed_updates = [...this.allowedUpdates];
    return info;
  }

  /** Posts pending updates one at a time, in order, until the webhook changes; failures are retried with back-off. */
  private async deliverToWebhook(generation: number): Promise<void> {
    let failures = 0;
    const current = (): boolean => !this.closed && this.webhookGeneration === generation && this.webhook !== undefined;
    while (current()) {
      const update = this.pending[0];
      const hook = this.webhook;
      if (!update || !hook) {
        await new Promise<void>((resolve) => this.webhookIdle.add(resolve));
        continue;
      }

      const abort = new AbortController();
      this.webhookAbort = abort;
      const timer = this.setTimer(() => abort.abort(new Error('read timeout')), this.settings.webhookTimeoutMs);
      let error: string | undefined;
      let reply: unknown;
      try {
        const response = await fetch(hook.url, {
          method: 'POST',
          headers: {
            'Content-Type': 'application/json',
            ...(hook.secretToken ? { 'X-Telegram-Bot-Api-Secret-Token': hook.secretToken } : {}),
          },
          body: JSON.stringify(update),
          signal: abort.signal,
        });
        const text = await response.text();
        if (response.status >= 200 && response.status < 300) reply = safeJson(text);
        else error = `Wrong response from the webhook: ${response.status} ${response.statusText}`;
      } catch (caught) {
        error = describeConnectionError(caught, abort.signal);
      } finally {
        clearTimeout(timer);
        this.timers.delete(timer);
      }
      if (!current()) return;

      if (error === undefined) {
        failures = 0;
        const index = this.pending.indexOf(update);
        if (index >= 0) this.pending.splice(index, 1);
        this.notify();
        await this.runWebhookReply(reply);
        continue;
      }
      this.lastWebhookError = { date: this.unixNow(), message: error };
      failures++;
      const delay = failures === 1 ? 0 : Math.min(this.settings.webhookRetryBaseMs * 2 ** (failures - 2), 60_000);
      await new Promise<void>((resolve) => {
        const wake = (): void => {
          clearTimeout(retry);
          this.timers.delete(retry);
          this.webhookRetry.delete(wake);
          resolve();
        };
        const retry = this.setTimer(wake, delay);
        this.webhookRetry.add(wake);
      });
    }
  }

  /** A webhook may answer with a method call in its body; Telegram runs it and drops the result. */
  private async runWebhookReply(reply: unknown): Promise<void> {
    if (!isObject(reply) || typeof reply.method !== 'string') return;
    const { method, ...rest } = reply;
    if (/^(get|setwebhook$|deletewebhook$|close$|logout$)/i.test(method)) return;
    const entry = this.handlers.get(method.toLowerCase());
    if (!entry) return;
    const params = new Params(rest);
    const { status, response } = await this.execute(entry.name, params, {});
    this.record(entry.name, params, status, response, 'webhook-reply');
  }

  private sendMessage(p: Params): HandlerResult {
    const raw = p.str('text') ?? '';
    if (raw === '') throw badRequest('message text is empty');
    const formatted = formatText(raw, p.str('parse_mode'), lenientJson(p, 'entities'));
    const markup = readReplyMarkup(p.raw('reply_markup'));
    const chat = this.requireChat(p);
    const replyTo = this.replyTarget(chat, p);
    checkText(formatted, 'message is too long');
    this.assertDeliverable(chat, markup, 1);
    const message = this.storeBotMessage(
      chat,
      { text: formatted.text, ...(formatted.entities.length ? { entities: formatted.entities } : {}) },
      markup,
      { text: raw, ...(p.str('parse_mode') ? { parse_mode: p.str('parse_mode') } : {}) },
      replyTo,
    );
    return { result: message };
  }

  private editMessageText(p: Params): HandlerResult {
    if (p.has('inline_message_id')) throw badRequest('MESSAGE_ID_INVALID');
    const raw = p.str('text') ?? '';
    if (raw === '') throw badRequest('message text is empty');
    const formatted = formatText(raw, p.str('parse_mode'), lenientJson(p, 'entities'));
    const markup = this.readInlineMarkup(p);
    const { chat, stored } = this.messageToEdit(p);
    if (stored.message.text === undefined) throw badRequest('there is no text in the message to edit');
    if (formatted.text === '') throw badRequest('text must be non-empty');
    if (characterCount(formatted.text) > 4096) throw badRequest('MESSAGE_TOO_LONG');
    this.assertReachable(chat);
    checkInlineButtons(markup);
    const entities = formatted.entities.length ? formatted.entities : undefined;
    if (
      stored.message.text === formatted.text &&
      sameJson(stored.message.entities, entities) &&
      sameJson(stored.message.reply_markup, markup)
    ) {
      throw badRequest(NOT_MODIFIED);
    }
    stored.message.text = formatted.text;
    if (entities) stored.message.entities = entities;
    else delete stored.message.entities;
    stored.source = { text: raw, ...(p.str('parse_mode') ? { parse_mode: p.str('parse_mode') } : {}) };
    // Without reply_markup the edit removes the inline keyboard, as on Telegram.
    this.applyEdit(stored, markup);
    stored.message.edit_date = this.unixNow();
    return { result: clone(stored.message) };
  }

  private editMessageReplyMarkup(p: Params): HandlerResult {
    if (p.has('inline_message_id')) throw badRequest('MESSAGE_ID_INVALID');
    const markup = this.readInlineMarkup(p);
    const { chat, stored } = this.messageToEdit(p);
    this.assertReachable(chat);
    checkInlineButtons(markup);
    if (sameJson(stored.message.reply_markup, markup)) throw badRequest(NOT_MODIFIED);
    this.applyEdit(stored, markup);
    return { result: clone(stored.message) };
  }

  private readInlineMarkup(p: Params): TgReplyMarkup | undefined {
    const markup = readReplyMarkup(p.raw('reply_markup'));
    if (markup !== undefined && !isInlineKeyboard(markup)) throw badRequest('inline keyboard expected');
    return markup;
  }

  private messageToEdit(p: Params): { chat: ChatState; stored: StoredMessage } {
    if (!p.has('message_id')) throw badRequest('message identifier is not specified');
    const chat = this.requireChat(p);
    const stored = chat.messages.get(p.int('message_id') ?? 0);
    if (!stored || stored.deleted) throw badRequest('message to edit not found');
    if (!stored.fromBot) throw badRequest("message can't be edited");
    return { chat, stored };
  }

  private applyEdit(stored: StoredMessage, markup: TgReplyMarkup | undefined): void {
    if (isInlineKeyboard(markup)) {
      stored.message.reply_markup = markup;
      stored.markup = markup;
    } else {
      delete stored.message.reply_markup;
      if (isInlineKeyboard(stored.markup)) stored.markup = undefined;
    }
    this.notify();
  }

  private deleteMessage(p: Params): HandlerResult {
    if (!p.has('message_id')) throw badRequest('message identifier is not specified');
    const chat = this.requireChat(p);
    const stored = chat.messages.get(p.int('message_id') ?? 0);
    if (!stored || stored.deleted) throw badRequest('message to delete not found');
    // Bots may delete messages in private chats for 48 hours.
    if (this.unixNow() - stored.message.date > 48 * 3600) throw badRequest("message can't be deleted");
    stored.deleted = true;
    this.notify();
    return { result: true };
  }

  private answerCallbackQuery(p: Params): HandlerResult {
    const pendingQuery = this.callbackQueries.get(p.str('callback_query_id') ?? '');
    if (
      !pendingQuery ||
      pendingQuery.answer ||
      this.now() - pendingQuery.createdAt > this.settings.callbackQueryTimeoutMs
    ) {
      throw badRequest(QUERY_TOO_OLD);
    }
    const answer: CallbackAnswer = { show_alert: p.bool('show_alert') };
    const text = p.str('text');
    if (text) answer.text = text;
    const url = p.str('url');
    if (url) answer.url = url;
    if (p.has('cache_time')) answer.cache_time = p.int('cache_time');
    pendingQuery.answer = answer;
    this.notify();
    return { result: true };
  }

  private async sendPhotoMethod(p: Params): Promise<HandlerResult> {
    const caption = this.readCaption(p.str('caption'), p.str('parse_mode'), lenientJson(p, 'caption_entities'));
    const markup = readReplyMarkup(p.raw('reply_markup'));
    const upload = p.file('photo');
    const reference = upload ? undefined : p.str('photo');
    if (!upload && (!reference || reference.startsWith('attach://')))
      throw badRequest('there is no photo in the request');
    const chat = this.requireChat(p);
    const replyTo = this.replyTarget(chat, p);
    const file = await this.resolveInputFile('photo', upload, reference);
    checkCaption(caption.formatted);
    this.assertDeliverable(chat, markup, 1);
    const message = this.storeBotMessage(
      chat,
      { photo: [photoSize(file)], ...captionFields(caption.formatted) },
      markup,
      caption.source,
      replyTo,
    );
    return { result: message };
  }

  private async sendMediaGroup(p: Params): Promise<HandlerResult> {
    if (!p.has('media')) throw badRequest('parameter "media" is required');
    const media = p.json('media', "can't parse media JSON object");
    if (!Array.isArray(media)) throw badRequest('expected an Array of InputMedia');
    const items = media.map((item: unknown) => this.readInputMedia(p, item));
    if (items.length === 0) throw badRequest('there are no messages to send');
    if (items.length > 10) throw badRequest('too many messages to send as an album');
    for (const kind of ['document', 'audio'] as const) {
      if (items.some((i) => i.kind === kind) && items.some((i) => i.kind !== kind)) {
        throw badRequest(`${kind} can't be mixed with other media types`);
      }
    }
    const chat = this.requireChat(p);
    const replyTo = this.replyTarget(chat, p);
    const files: StoredFile[] = [];
    for (const item of items) {
      files.push(await this.resolveInputFile(item.kind, item.upload, item.reference, item.item));
      checkCaption(item.caption);
    }
    this.assertDeliverable(chat, undefined, items.length);
    // A single item is sent as an ordinary message, outside any album.
    const mediaGroupId = items.length > 1 ? this.nextDigits(18) : undefined;
    const messages = items.map((item, index) =>
      this.storeBotMessage(
        chat,
        {
          ...(mediaGroupId ? { media_group_id: mediaGroupId } : {}),
          ...mediaContent(item.kind, files[index], item.item),
          ...captionFields(item.caption),
        },
        undefined,
        item.source,
        replyTo,
      ),
    );
    return { result: messages };
  }

  private readInputMedia(p: Params, value: unknown): InputMedia {
    if (!isObject(value)) throw badRequest("can't parse InputMedia: expected an Object");
    const caption = this.readCaption(
      typeof value.caption === 'string' ? value.caption : undefined,
      typeof value.parse_mode === 'string' ? value.parse_mode : undefined,
      value.caption_entities,
    );
    if (typeof value.media !== 'string') throw badRequest(`can't parse InputMedia: Can't find field "media"`);
    const upload = p.attached(value.media);
    if (value.media.startsWith('attach://') && !upload) throw badRequest("can't parse InputMedia: media not found");
    const type = String(value.type ?? '');
    if (type === 'animation')
      throw badRequest(`can't parse InputMedia: type "animation" can't be used in sendMediaGroup`);
    if (!['photo', 'video', 'document', 'audio'].includes(type)) {
      throw badRequest(`can't parse InputMedia: type "${type}" is unsupported`);
    }
    return {
      kind: type as FileKind,
      upload,
      reference: upload ? undefined : value.media,
      caption: caption.formatted,
      source: caption.source,
      item: value,
    };
  }

  private readCaption(
    text: string | undefined,
    parseMode: string | undefined,
    entities: unknown,
  ): { formatted: FormattedText; source?: { text: string; parse_mode?: string } } {
    if (!text) return { formatted: { text: '', entities: [] } };
    return {
      formatted: formatText(text, parseMode, entities),
      source: { text, ...(parseMode ? { parse_mode: parseMode } : {}) },
    };
  }

  /** An upload, an HTTP URL Telegram downloads, or a file_id of a file the bot already has. */
  private async resolveInputFile(
    kind: FileKind,
    upload: UploadedFile | undefined,
    reference: string | undefined,
    item: Record<string, unknown> = {},
  ): Promise<StoredFile> {
    if (upload) return this.acceptFileBytes(kind, upload.bytes, upload.contentType, upload.filename, false);
    const ref = reference ?? '';
    if (/^https?:\/\//i.test(ref)) {
      let bytes: Buffer;
      let contentType: string;
      try {
        const response = await fetch(ref, { signal: AbortSignal.timeout(10_000) });
        if (!response.ok) throw new Error(String(response.status));
        bytes = Buffer.from(await response.arrayBuffer());
        contentType = response.headers.get('content-type') ?? 'application/octet-stream';
      } catch {
        throw badRequest('failed to get HTTP URL content');
      }
      const name = typeof item.file_name === 'string' ? item.file_name : new URL(ref).pathname.split('/').pop();
      return this.acceptFileBytes(kind, bytes, contentType, name, true);
    }
    const known = this.files.get(ref);
    if (!known) throw badRequest('wrong file identifier/HTTP URL specified');
    if (known.kind !== kind) {
      throw badRequest(`can't use file of type ${FILE_KIND_NAMES[known.kind]} as ${FILE_KIND_NAMES[kind]}`);
    }
    return known;
  }

  private acceptFileBytes(
    kind: FileKind,
    bytes: Buffer,
    contentType: string,
    fileName: string | undefined,
    fromUrl: boolean,
  ): StoredFile {
    if (bytes.length === 0) throw badRequest('file must be non-empty');
    if (kind !== 'photo') return this.storeFile(kind, bytes, contentType, fileName);
    if (bytes.length > MAX_PHOTO_BYTES) throw badRequest('file is too big');
    const info = readImageInfo(bytes);
    if (!info) throw badRequest(fromUrl ? 'wrong type of the web page content' : 'IMAGE_PROCESS_FAILED');
    if (!photoDimensionsValid(info)) throw badRequest('PHOTO_INVALID_DIMENSIONS');
    return this.storeFile('photo', bytes, info.mimeType, undefined, info);
  }

  private getFile(p: Params): HandlerResult {
    const file = this.files.get(p.str('file_id') ?? '');
    if (!file) throw badRequest('invalid file_id');
    if (file.bytes.length > MAX_DOWNLOAD_BYTES) throw badRequest('file is too big');
    const result: TgFile = {
      file_id: file.file_id,
      file_unique_id: file.file_unique_id,
      file_size: file.bytes.length,
      file_path: file.file_path,
    };
    return { result };
  }

  private setMyCommands(p: Params): HandlerResult {
    const raw = p.json('commands', "can't parse commands JSON object") ?? [];
    if (!Array.isArray(raw)) throw badRequest('expected an Array of BotCommand');
    const commands = raw.map((item: unknown): TgBotCommand => {
      if (!isObject(item)) throw badRequest("can't parse BotCommand: expected an Object");
      for (const field of ['command', 'description']) {
        if (typeof item[field] !== 'string') throw badRequest(`can't parse BotCommand: Can't find field "${field}"`);
      }
      return { command: String(item.command), description: String(item.description) };
    });
    if (commands.length > 100) throw badRequest('BOT_COMMANDS_TOO_MUCH');
    for (const { command, description } of commands) {
      if (!/^[a-z0-9_]{1,32}$/.test(command)) throw badRequest('BOT_COMMAND_INVALID');
      if (description.trim() === '' || characterCount(description) > 256) {
        throw badRequest('BOT_COMMAND_DESCRIPTION_INVALID');
      }
    }
    this.commandSets.set(this.commandScopeKey(p), commands);
    return { result: true };
  }

  private commandScopeKey(p: Params): string {
    const scope = p.json('scope', "can't parse BotCommandScope JSON object") ?? { type: 'default' };
    if (!isObject(scope)) throw badRequest("can't parse BotCommandScope JSON object");
    return commandKey(scope, p.str('language_code') ?? '');
  }

  private sendChatAction(p: Params): HandlerResult {
    const action = (p.str('action') ?? '').toLowerCase();
    if (!CHAT_ACTIONS.has(action)) throw badRequest('wrong parameter action in request');
    const chat = this.requireChat(p);
    this.assertReachable(chat);
    chat.lastAction = { action, at: this.now() };
    return { result: true };
  }

  // ---------------------------------------------------------------- chats, messages, updates

  private requireChat(p: Params): ChatState {
    const raw = (p.str('chat_id') ?? '').trim();
    if (raw === '') throw badRequest('chat_id is empty');
    // Private chats cannot be addressed by @username; only known numeric ids resolve.
    const chat = /^-?\d+$/.test(raw) ? this.chats.get(Number(raw)) : undefined;
    if (!chat) throw badRequest('chat not found');
    return chat;
  }

  private replyTarget(chat: ChatState, p: Params): TgMessage | undefined {
    const parameters = p.json('reply_parameters', "can't parse reply parameters JSON object");
    let messageId = p.int('reply_to_message_id') ?? 0;
    let allowWithout = p.bool('allow_sending_without_reply');
    if (isObject(parameters)) {
      messageId = Number(parameters.message_id ?? 0);
      allowWithout = parameters.allow_sending_without_reply === true;
    }
    if (messageId <= 0) return undefined;
    const stored = chat.messages.get(messageId);
    if (!stored || stored.deleted) {
      if (allowWithout) return undefined;
      throw badRequest('message to be replied not found');
    }
    const { reply_to_message: _nested, ...replied } = clone(stored.message);
    return replied;
  }

  private assertReachable(chat: ChatState): void {
    if (chat.blocked) throw forbidden('bot was blocked by the user');
  }

  /** The checks Telegram's servers make when a message goes out: block, buttons, then flood control. */
  private assertDeliverable(chat: ChatState, markup: TgReplyMarkup | undefined, count: number): void {
    this.assertReachable(chat);
    checkInlineButtons(markup);
    const decision = this.flood.take(chat.chat.id, count);
    if (!decision.allowed) throw tooManyRequests(decision.retryAfter);
  }

  private storeBotMessage(
    chat: ChatState,
    content: Partial<TgMessage>,
    markup: TgReplyMarkup | undefined,
    source: { text: string; parse_mode?: string } | undefined,
    replyTo: TgMessage | undefined,
  ): TgMessage {
    const { id, is_bot, first_name, username } = this.botInfo;
    const message: TgMessage = {
      message_id: chat.nextMessageId++,
      from: { id, is_bot, first_name, username },
      chat: clone(chat.chat),
      date: this.unixNow(),
      ...(replyTo ? { reply_to_message: replyTo } : {}),
      ...content,
    };
    if (isInlineKeyboard(markup)) message.reply_markup = markup;
    if (isReplyKeyboard(markup)) chat.replyKeyboard = markup;
    if (markup && 'remove_keyboard' in markup) chat.replyKeyboard = undefined;
    chat.messages.set(message.message_id, { message, fromBot: true, deleted: false, markup, source });
    this.notify();
    return clone(message);
  }

  private chatOf(user: StandInUser): ChatState {
    const from: TgUser = {
      id: user.id,
      is_bot: false,
      first_name: user.first_name,
      ...(user.last_name ? { last_name: user.last_name } : {}),
      ...(user.username ? { username: user.username } : {}),
      ...(user.language_code ? { language_code: user.language_code } : {}),
    };
    const chat: TgChat = {
      id: user.id,
      type: 'private',
      first_name: user.first_name,
      ...(user.last_name ? { last_name: user.last_name } : {}),
      ...(user.username ? { username: user.username } : {}),
    };
    const existing = this.chats.get(user.id);
    if (existing) {
      existing.user = from;
      existing.chat = chat;
      return existing;
    }
    const state: ChatState = {
      user: from,
      chat,
      nextMessageId: 1,
      messages: new Map(),
      blocked: false,
      chatInstance: this.nextDigits(19, '-'),
    };
    this.chats.set(user.id, state);
    return state;
  }

  /** Writing to a bot one has blocked goes through the app's Restart button, which unblocks it first. */
  private prepareUserAction(user: StandInUser): ChatState {
    const chat = this.chatOf(user);
    if (chat.blocked) this.unblockBot(user);
    return chat;
  }

  private userMessage(chat: ChatState, content: Partial<TgMessage>): TgUpdate {
    const message: TgMessage = {
      message_id: chat.nextMessageId++,
      from: clone(chat.user),
      chat: clone(chat.chat),
      date: this.unixNow(),
      ...content,
    };
    chat.messages.set(message.message_id, { message, fromBot: false, deleted: false });
    return this.enqueue('message', clone(message));
  }

  private callbackQuery(chat: ChatState, stored: StoredMessage, data: string): TgUpdate {
    const query: TgCallbackQuery = {
      id: this.nextDigits(19),
      from: clone(chat.user),
      message: clone(stored.message),
      chat_instance: chat.chatInstance,
      data,
    };
    this.callbackQueries.set(query.id, { query, createdAt: this.now() });
    return this.enqueue('callback_query', query);
  }

  private memberUpdate(chat: ChatState, from: 'member' | 'kicked', to: 'member' | 'kicked'): TgUpdate {
    const { id, is_bot, first_name, username } = this.botInfo;
    const bot: TgUser = { id, is_bot, first_name, username };
    return this.enqueue('my_chat_member', {
      chat: clone(chat.chat),
      from: clone(chat.user),
      date: this.unixNow(),
      old_chat_member: { user: bot, status: from, ...(from === 'kicked' ? { until_date: 0 } : {}) },
      new_chat_member: { user: bot, status: to, ...(to === 'kicked' ? { until_date: 0 } : {}) },
    });
  }

  /** Telegram drops updates the bot did not ask for when they happen, not when they are fetched. */
  private enqueue(kind: string, payload: unknown): TgUpdate {
    const update: TgUpdate = { update_id: this.nextUpdateId++, [kind]: payload };
    if (this.isAllowed(kind)) {
      this.pending.push(update);
      this.wakePoll();
      wakeAll(this.webhookIdle);
    }
    this.notify();
    return clone(update);
  }

  private storeFile(
    kind: FileKind,
    bytes: Buffer,
    mimeType: string,
    fileName: string | undefined,
    size?: { width: number; height: number },
  ): StoredFile {
    const n = ++this.counter;
    const folder = { photo: 'photos', video: 'videos', document: 'documents', audio: 'music' }[kind];
    const extension =
      kind === 'photo'
        ? 'jpg'
        : (/\.([A-Za-z0-9]{1,8})$/.exec(fileName ?? '')?.[1] ?? { video: 'mp4', document: 'bin', audio: 'mp3' }[kind]);
    const prefix = {
      photo: 'AgACAgIAAxkBAAI',
      video: 'BAACAgIAAxkBAAI',
      document: 'BQACAgIAAxkBAAI',
      audio: 'CQACAgIAAxkBAAI',
    }[kind];
    const file: StoredFile = {
      file_id: `${prefix}${randomBytes(30).toString('base64url')}`,
      file_unique_id: `AQAD${randomBytes(9).toString('base64url')}`,
      kind,
      file_path: `${folder}/file_${n}.${extension}`,
      bytes: Buffer.from(bytes),
      mime_type: mimeType,
      ...(fileName ? { file_name: fileName } : {}),
      ...(size ? { width: size.width, height: size.height } : {}),
    };
    this.files.set(file.file_id, file);
    this.filesByPath.set(file.file_path, file);
    return file;
  }

  private nextDigits(length: number, sign = ''): string {
    const n = ++this.counter;
    return `${sign}${'4'}${String(n).padStart(length - 1, '0')}`;
  }

  private unixNow(): number {
    return Math.floor(this.now() / 1000);
  }

  private setTimer(callback: () => void, ms: number): NodeJS.Timeout {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      callback();
    }, ms);
    this.timers.add(timer);
    return timer;
  }

  private notify(): void {
    for (const waiter of [...this.waiters]) waiter();
  }

  private waitFor<T>(check: () => T | undefined, timeoutMs: number, describe: () => string): Promise<T> {
    const ready = check();
    if (ready !== undefined) return Promise.resolve(ready);
    return new Promise<T>((resolve, reject) => {
      const done = (): void => {
        clearTimeout(timer);
        this.waiters.delete(waiter);
      };
      const waiter = (): void => {
        if (this.closed) {
          done();
          reject(new Error('the Telegram stand-in was closed'));
          return;
        }
        const value = check();
        if (value !== undefined) {
          done();
          resolve(value);
        }
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(describe()));
      }, timeoutMs);
      this.waiters.add(waiter);
    });
  }

  // ---------------------------------------------------------------- control API for the CLI

  /**
   * JSON routes under /_stand-in/ so another process (or curl) can act as users:
   * POST sendText {user,text} · pressButton {user,button} · shareContact {user,phone} · sendPhoto {user,base64,caption}
   * · blockBot {user} · unblockBot {user} · addUser {user} · addUsers {users} · failNext {method,times,error_code?,description?,retry_after?}
   * · failFor {chatId,error_code,description?,parameters?|retry_after?,times?,methods?} · clearFailures {chatId?}
   * · latency {ms} · rateLimits {limits: false | { perChat?, global? }} · clearCalls {};
   * GET chat/<userId> · calls?method=<name> · callsPerChat?method=<name>&all=true · stats.
   */
  private async handleControl(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    path: string,
    url: URL,
  ): Promise<void> {
    const route = path.slice('/_stand-in/'.length);
    try {
      if (req.method === 'GET' && route.startsWith('chat/')) {
        return sendJson(res, 200, { ok: true, result: this.history(Number(route.slice(5))) });
      }
      if (req.method === 'GET' && route === 'calls') {
        return sendJson(res, 200, { ok: true, result: this.calls(url.searchParams.get('method') ?? undefined) });
      }
      if (req.method === 'GET' && route === 'callsPerChat') {
        const methods = url.searchParams.getAll('method');
        const counts = this.callsPerChat(methods.length ? methods : undefined, {
          all: url.searchParams.get('all') === 'true',
        });
        return sendJson(res, 200, { ok: true, result: Object.fromEntries(counts) });
      }
      if (req.method === 'GET' && route === 'stats') {
        return sendJson(res, 200, { ok: true, result: this.stats() });
      }
      if (req.method !== 'POST') return sendJson(res, 404, { ok: false, description: 'Not Found' });
      const body = safeJson((await readBody(req, MAX_UPLOAD_BYTES))?.toString('utf8') ?? '');
      if (!isObject(body)) throw new Error('a JSON object body is expected');
      const user = body.user as StandInUser;
      const actions: Record<string, () => unknown> = {
        sendText: () => this.sendText(user, String(body.text)),
        pressButton: () => this.pressButton(user, body.button as ButtonTarget),
        shareContact: () => this.shareContact(user, String(body.phone)),
        sendPhoto: () =>
          this.sendPhoto(user, {
            bytes: Buffer.from(String(body.base64), 'base64'),
            caption: typeof body.caption === 'string' ? body.caption : undefined,
          }),
        blockBot: () => this.blockBot(user),
        unblockBot: () => this.unblockBot(user),
        addUser: () => this.addUser(user),
        addUsers: () => {
          if (!Array.isArray(body.users)) throw new Error('users: [{ id, first_name }] is required');
          for (const one of body.users as StandInUser[]) this.addUser(one);
          return (body.users as unknown[]).length;
        },
        failFor: () => {
          const code = Number(body.error_code ?? 429);
          const retryAfter = body.retry_after === undefined ? undefined : Number(body.retry_after);
          const parameters = isObject(body.parameters)
            ? (body.parameters as TgResponseParameters)
            : code === 429
              ? { retry_after: retryAfter ?? 1 }
              : undefined;
          this.failFor(
            Number(body.chatId),
            {
              error_code: code,
              description: String(
                body.description ?? (code === 429 ? `Too Many Requests: retry after ${parameters?.retry_after ?? 1}` : 'Internal Server Error'),
              ),
              ...(parameters ? { parameters } : {}),
            },
            body.times === undefined || body.times === null ? Infinity : Number(body.times),
            Array.isArray(body.methods) ? body.methods.map(String) : undefined,
          );
        },
        clearFailures: () => this.clearFailures(body.chatId === undefined ? undefined : Number(body.chatId)),
        latency: () => this.setLatency(Number(body.ms ?? 0)),
        rateLimits: () => this.setRateLimits(body.limits === false || body.limits === 'off' ? false : (body.limits as TelegramStandInOptions['rateLimits'])),
        clearCalls: () => this.clearCalls(),
        failNext: () =>
          this.failNext(String(body.method), Number(body.times ?? 1), {
            error_code: Number(body.error_code ?? 429),
            description: String(body.description ?? `Too Many Requests: retry after ${Number(body.retry_after ?? 1)}`),
            ...(body.error_code === undefined || body.error_code === 429
              ? { parameters: { retry_after: Number(body.retry_after ?? 1) } }
              : {}),
          }),
      };
      const action = actions[route];
      if (!action) return sendJson(res, 404, { ok: false, description: 'Not Found' });
      const userless = ['addUser', 'addUsers', 'failNext', 'failFor', 'clearFailures', 'latency', 'rateLimits', 'clearCalls'];
      if (!userless.includes(route) && (!isObject(user) || typeof user.id !== 'number')) {
        throw new Error('user: { id, first_name } is required');
      }
      return sendJson(res, 200, { ok: true, result: action() ?? true });
    } catch (error) {
      return sendJson(res, 400, { ok: false, description: (error as Error).message });
    }
  }
}

/** Starts a stand-in on 127.0.0.1 (port 0 by default: a free one). */
export async function startTelegramStandIn(options: TelegramStandInOptions = {}): Promise<TelegramStandIn> {
  return new TelegramStandIn(options).listen(options.port ?? 0);
}

// ------------------------------------------------------------------ helpers

function wakeAll(wakers: Set<() => void>): void {
  const all = [...wakers];
  wakers.clear();
  for (const wake of all) wake();
}

function mergeLimits(limits: TelegramStandInOptions['rateLimits']): RateLimits | false {
  if (limits === false) return false;
  return {
    perChat: { ...DEFAULT_RATE_LIMITS.perChat, ...limits?.perChat },
    global: { ...DEFAULT_RATE_LIMITS.global, ...limits?.global },
  };
}

function checkText(formatted: FormattedText, tooLong: string): void {
  if (formatted.text === '') throw badRequest('text must be non-empty');
  if (characterCount(formatted.text) > 4096) throw badRequest(tooLong);
}

function checkCaption(caption: FormattedText): void {
  if (characterCount(caption.text) > 1024) throw badRequest('message caption is too long');
}

function captionFields(caption: FormattedText): Partial<TgMessage> {
  if (caption.text === '') return {};
  return { caption: caption.text, ...(caption.entities.length ? { caption_entities: caption.entities } : {}) };
}

function photoSize(file: StoredFile): TgPhotoSize {
  return {
    file_id: file.file_id,
    file_unique_id: file.file_unique_id,
    width: file.width ?? 0,
    height: file.height ?? 0,
    file_size: file.bytes.length,
  };
}

function mediaContent(kind: FileKind, file: StoredFile, item: Record<string, unknown>): Partial<TgMessage> {
  if (kind === 'photo') return { photo: [photoSize(file)] };
  const media: TgFileMedia = {
    file_id: file.file_id,
    file_unique_id: file.file_unique_id,
    file_size: file.bytes.length,
    mime_type: file.mime_type,
    ...(file.file_name ? { file_name: file.file_name } : {}),
  };
  // Telegram takes a video's or audio's attributes from the sender; the stand-in never reads media content.
  if (kind === 'video') {
    return {
      video: {
        ...media,
        width: Number(item.width ?? 0),
        height: Number(item.height ?? 0),
        duration: Number(item.duration ?? 0),
      },
    };
  }
  if (kind === 'audio') return { audio: { ...media, duration: Number(item.duration ?? 0) } };
  return { document: media };
}

function commandKey(scope: Record<string, unknown>, languageCode: string): string {
  return JSON.stringify([scope.type ?? 'default', scope.chat_id ?? null, scope.user_id ?? null, languageCode]);
}

function toEntry(stored: StoredMessage): ChatEntry {
  const markup = stored.markup;
  const rows: { text: string }[][] = isInlineKeyboard(markup)
    ? markup.inline_keyboard
    : isReplyKeyboard(markup)
      ? markup.keyboard
      : [];
  const text = stored.message.text ?? stored.message.caption;
  return {
    message_id: stored.message.message_id,
    from: stored.fromBot ? 'bot' : 'user',
    ...(text !== undefined ? { text } : {}),
    buttons: rows.map((row) => row.map((button) => button.text)),
    ...(markup ? { reply_markup: clone(markup) } : {}),
    ...(stored.source ? { source: clone(stored.source) } : {}),
    deleted: stored.deleted,
    message: clone(stored.message),
  };
}

function describeButton(button: TgInlineKeyboardButton): string {
  return Object.keys(button)
    .filter((key) => key !== 'text')
    .join(', ');
}

function lenientJson(p: Params, name: string): unknown {
  // The Bot API ignores an entities parameter it cannot parse.
  try {
    return p.json(name, '');
  } catch {
    return undefined;
  }
}

function errorResponse(error: BotApiError): TgResponse {
  return {
    ok: false,
    error_code: error.code,
    description: error.description,
    ...(error.parameters ? { parameters: error.parameters } : {}),
  };
}

function sendJson(res: http.ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

/** The body, or undefined when it is larger than the limit (the rest is then read and dropped). */
function readBody(req: http.IncomingMessage, limit: number): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooBig = false;
    req.on('data', (chunk: Buffer) => {
      if (tooBig) return;
      size += chunk.length;
      if (size <= limit) return void chunks.push(chunk);
      tooBig = true;
      chunks.length = 0;
      resolve(undefined);
    });
    req.on('end', () => {
      if (!tooBig) resolve(Buffer.concat(chunks));
    });
    req.on('error', reject);
  });
}

function safeDecode(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}

function safeUrl(text: string): URL | undefined {
  try {
    return new URL(text);
  } catch {
    return undefined;
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** Connection failures in the words Telegram reports them in getWebhookInfo.last_error_message. */
function describeConnectionError(error: unknown, signal: AbortSignal): string {
  if (signal.aborted) return 'Read timeout expired';
  const code = (error as { cause?: { code?: string } }).cause?.code;
  const known: Record<string, string> = {
    ECONNREFUSED: 'Connection refused',
    ECONNRESET: 'Connection reset by peer',
    ETIMEDOUT: 'Connection timed out',
    EHOSTUNREACH: 'No route to host',
    ENETUNREACH: 'Network is unreachable',
    EPIPE: 'Broken pipe',
    ENOTFOUND: 'Failed to resolve host: Name or service not known',
  };
  return (code && known[code]) ?? (error instanceof Error ? error.message : String(error));
}
