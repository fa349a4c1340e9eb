/**
 * reply_markup as the Bot API reads it (Client::get_reply_markup): unknown fields are ignored, a markup with
 * nothing in it means "no markup", and buttons are echoed back with only the fields Telegram keeps.
 */
import { badRequest, BotApiError } from './request';
import type {
  TgInlineKeyboardButton,
  TgInlineKeyboardMarkup,
  TgKeyboardButton,
  TgReplyKeyboardMarkup,
  TgReplyMarkup,
} from './types';

const INLINE_ACTIONS = [
  'url',
  'callback_data',
  'web_app',
  'login_url',
  'switch_inline_query',
  'switch_inline_query_current_chat',
  'switch_inline_query_chosen_chat',
  'copy_text',
  'callback_game',
  'pay',
] as const;

const KEYBOARD_ACTIONS = [
  'request_contact',
  'request_location',
  'request_poll',
  'request_users',
  'request_chat',
  'web_app',
] as const;

const isObject = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

function requireString(object: Record<string, unknown>, field: string): string {
  if (!(field in object)) throw new Error(`Can't find field "${field}"`);
  const value = object[field];
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  throw new Error(`Field "${field}" must be of type String`);
}

function readKeyboardButton(button: unknown): TgKeyboardButton {
  if (typeof button === 'string') return { text: button };
  if (!isObject(button)) throw new Error('KeyboardButton must be a String or an Object');
  const read: Record<string, unknown> = { text: requireString(button, 'text') };
  for (const action of KEYBOARD_ACTIONS) if (button[action] !== undefined) read[action] = button[action];
  return read as TgKeyboardButton;
}

function readInlineButton(button: unknown): TgInlineKeyboardButton {
  if (!isObject(button)) throw new Error('InlineKeyboardButton must be an Object');
  const text = requireString(button, 'text');
  for (const action of INLINE_ACTIONS) {
    const value = button[action];
    if (value === undefined || value === null) continue;
    // An empty url or callback_data does not make a button of that kind.
    if ((action === 'url' || action === 'callback_data') && value === '') continue;
    return { text, [action]: value };
  }
  throw new Error('Text buttons are unallowed in the inline keyboard');
}

function readRows<T>(value: unknown, field: string, type: string, readButton: (b: unknown) => T, what: string): T[][] {
  if (!Array.isArray(value)) throw badRequest(`Field "${field}" of the ${type} must be an Array`);
  return value.map((row: unknown) => {
    if (!Array.isArray(row)) throw badRequest(`Field "${field}" of the ${type} must be an Array of Arrays`);
    return row.map((button: unknown) => {
      try {
        return readButton(button);
      } catch (error) {
        if (error instanceof BotApiError) throw error;
        throw badRequest(`can't parse ${what}: ${(error as Error).message}`);
      }
    });
  });
}

function readFlag(object: Record<string, unknown>, field: string, owner: string): boolean | undefined {
  const value = object[field];
  if (value === undefined) return undefined;
  if (typeof value !== 'boolean') throw badRequest(`Field "${field}" of the ${owner} must be of the type Boolean`);
  return value;
}

/** Reads a reply_markup value (object or JSON text); undefined when absent or empty. */
export function readReplyMarkup(raw: unknown): TgReplyMarkup | undefined {
  if (raw === undefined || raw === null || raw === '') return undefined;
  let value: unknown = raw;
  if (typeof raw === 'string') {
    try {
      value = JSON.parse(raw) as unknown;
    } catch {
      throw badRequest("can't parse reply keyboard markup JSON object");
    }
  }
  if (!isObject(value)) throw badRequest('object expected as reply markup');

  const keyboard =
    value.keyboard === undefined
      ? []
      : readRows(value.keyboard, 'keyboard', 'ReplyKeyboardMarkup', readKeyboardButton, 'keyboard button');
  const inline =
    value.inline_keyboard === undefined
      ? []
      : readRows(
          value.inline_keyboard,
          'inline_keyboard',
          'InlineKeyboardMarkup',
          readInlineButton,
          'inline keyboard button',
        );
  const resize = readFlag(value, 'resize_keyboard', 'ReplyKeyboardMarkup');
  const oneTime = readFlag(value, 'one_time_keyboard', 'ReplyKeyboardMarkup');
  const persistent = readFlag(value, 'is_persistent', 'ReplyKeyboardMarkup');
  const remove = readFlag(value, 'remove_keyboard', 'ReplyKeyboardRemove');
  const selective = readFlag(value, 'selective', 'reply markup');
  const forceReply = readFlag(value, 'force_reply', 'reply markup');
  const placeholder = typeof value.input_field_placeholder === 'string' ? value.input_field_placeholder : undefined;

  if (keyboard.some((row) => row.length > 0)) {
    const markup: TgReplyKeyboardMarkup = { keyboard };
    if (persistent) markup.is_persistent = true;
    if (resize) markup.resize_keyboard = true;
    if (oneTime) markup.one_time_keyboard = true;
    if (placeholder) markup.input_field_placeholder = placeholder;
    if (selective) markup.selective = true;
    return markup;
  }
  if (inline.some((row) => row.length > 0)) return { inline_keyboard: inline.filter((row) => row.length > 0) };
  if (remove) return selective ? { remove_keyboard: true, selective: true } : { remove_keyboard: true };
  if (forceReply) {
    return {
      force_reply: true,
      ...(placeholder ? { input_field_placeholder: placeholder } : {}),
      ...(selective ? { selective: true } : {}),
    };
  }
  return undefined;
}

export const isInlineKeyboard = (markup: TgReplyMarkup | undefined): markup is TgInlineKeyboardMarkup =>
  markup !== undefined && 'inline_keyboard' in markup;

export const isReplyKeyboard = (markup: TgReplyMarkup | undefined): markup is TgReplyKeyboardMarkup =>
  markup !== undefined && 'keyboard' in markup;

/** Checks Telegram's servers make after the Bot API accepted the markup (MTProto error names). */
export function checkInlineButtons(markup: TgReplyMarkup | undefined): void {
  if (!isInlineKeyboard(markup)) return;
  for (const button of markup.inline_keyboard.flat()) {
    if (typeof button.callback_data === 'string' && Buffer.byteLength(button.callback_data, 'utf8') > 64) {
      throw badRequest('BUTTON_DATA_INVALID');
    }
    if (button.url !== undefined && !isButtonUrl(String(button.url))) throw badRequest('BUTTON_URL_INVALID');
  }
}

function isButtonUrl(url: string): boolean {
  if (/\s/.test(url)) return false;
  const withScheme = /^[a-z][a-z0-9+.-]*:/i.test(url) ? url : `http://${url}`;
  try {
    const parsed = new URL(withScheme);
    if (parsed.protocol === 'tg:') return true;
    return (parsed.protocol === 'http:' || parsed.protocol === 'https:') && parsed.hostname !== '';
  } catch {
    return false;
  }
}
