/**
 * Request contracts of the member identity endpoints, shared by the API (validation) and the bot
 * (what it sends). Messages are written for the person who typed the value.
 */
import { z } from 'zod';

/**
 * What a member (and the bot on their behalf) sees of their own account: the `user` of POST /api/auth/telegram
 * and the `data` of PUT /api/profile.
 */
export interface MemberDto {
  documentId: string;
  telegramId: string | null;
  telegramUsername: string | null;
  fullName: string | null;
  phone: string | null;
  email: string | null;
  language: 'ru' | 'en';
  consentMarketing: boolean;
  referralCode: string | null;
  registeredAt: string | null;
  isRegistered: boolean;
}

/**
 * The answer of POST /api/auth/telegram: a member session. `jwt` is the short-lived access token (Authorization:
 * Bearer); `refreshToken` renews it through POST /api/auth/refresh, which rotates the refresh token as well.
 */
export interface MemberSession {
  jwt: string;
  refreshToken: string;
  user: MemberDto;
  isRegistered: boolean;
}

const telegramId = z
  .union([z.string(), z.number()])
  .transform((value) => String(value))
  .pipe(z.string().regex(/^[1-9][0-9]{0,19}$/, 'telegramId must be a Telegram user id (digits)'));

/** POST /api/auth/telegram with the bot's service credential. */
export const telegramServiceAuthSchema = z
  .object({
    telegramId,
    username: z.string().trim().max(64).optional(),
    language: z.enum(['ru', 'en']).optional(),
  })
  .strict();

/**
 * POST /api/auth/telegram/bot-status with the bot's service credential: Telegram told the bot (a `my_chat_member`
 * update) that the member blocked it (`blocked: true`) or started it again (`false`).
 */
export const telegramBotStatusSchema = z.object({ telegramId, blocked: z.boolean() }).strict();

/** POST /api/auth/telegram from a Mini App. */
export const telegramInitDataAuthSchema = z.object({ initData: z.string().min(1).max(4096) }).strict();

// Letters of any alphabet, spaces, hyphens and apostrophes; 2-100 characters.
const FULL_NAME = /^[\p{L}][\p{L} '’-]*[\p{L}]$/u;

/**
 * Normalises the phone formats the original bot accepted (+7…, 8…, 7…, or ten digits starting with 9, with
 * spaces, dashes, dots or brackets) to +7XXXXXXXXXX; returns null for anything else.
 */
export function normaliseRussianPhone(input: string): string | null {
  const digits = input.replace(/[\s\-().]/g, '');
  const match = /^(?:\+7|8|7)?(9\d{9}|[3-8]\d{9})$/.exec(digits);
  if (!match || (digits.startsWith('+') && !digits.startsWith('+7'))) return null;
  return `+7${match[1]}`;
}

/** PUT /api/profile: completes or edits a member's registration. */
export const profileSchema = z
  .object({
    fullName: z
      .string({ required_error: 'Enter your full name' })
      .trim()
      .min(2, 'The name must be at least 2 characters long')
      .max(100, 'The name must be at most 100 characters long')
      .regex(FULL_NAME, 'Use letters, spaces, hyphens and apostrophes only'),
    phone: z
      .string({ required_error: 'Enter your phone number' })
      .transform((value, ctx) => {
        const phone = normaliseRussianPhone(value);
        if (phone === null) {
          ctx.addIssue({ code: z.ZodIssueCode.custom, message: 'Enter a Russian phone number, for example +7 900 123-45-67' });
          return z.NEVER;
        }
        return phone;
      }),
    email: z
      .string({ required_error: 'Enter your e-mail' })
      .trim()
      .toLowerCase()
      .max(254, 'The e-mail is too long')
      .email('Enter a valid e-mail, for example name@example.com'),
    consentTerms: z.literal(true, {
      errorMap: () => ({ message: 'You must accept the rules of the space to register' }),
    }),
    consentMarketing: z.boolean().optional(),
    referralCode: z.string().trim().regex(/^[A-Za-z0-9_-]{6,32}$/, 'This is not a referral code').optional(),
    language: z.enum(['ru', 'en']).optional(),
  })
  .strict();

export type ProfileInput = z.infer<typeof profileSchema>;
