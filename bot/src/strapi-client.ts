/**
 * Typed HTTP client of the member endpoints (shared/API.md, docs/API.md). The bot signs every member in with
 * its service credential (POST /api/auth/telegram) and keeps each member's JWT until shortly before it
 * expires (the token's `exp`), so most updates cost no sign-in round trip.
 */
import type { MemberDto } from '../../types/contracts/member';

/** The signed-in member, as the API answers it (types/contracts/member.ts). */
export type Member = MemberDto;

export interface Tariff {
  documentId: string;
  name: string;
  slug: string;
  description?: string | null;
  billingUnit: 'hour' | 'day' | 'month';
  price: number;
  minUnits: number;
  maxUnits: number;
  requiresApproval: boolean;
  trialOnce: boolean;
}

export interface Slot {
  startAt: string;
  endAt: string;
  free: boolean;
}

export type Availability =
  | { date: string; tariff: string; resource: string; slots: Slot[] }
  | { date: string; tariff: string; resource: string; free: number; capacity: number; taken: number };

export interface Discount {
  kind: string;
  label: string;
  amount: number;
}

export interface Quote {
  priceBase: number;
  discounts: Discount[];
  priceTotal: number;
  currency: string;
  available: boolean;
}

export interface Booking {
  documentId: string;
  status: string;
  startAt: string;
  endAt: string;
  units: number;
  priceBase: number;
  discounts: Discount[];
  priceTotal: number;
  paidAmount: number;
  currency: string;
  tariff: string;
  tariffName: string;
  billingUnit: string;
  resourceName: string;
  promocode: string | null;
  cancellation: { allowed: boolean; refundAmount: number; policy: 'full' | 'partial' | 'none'; freeUntil: string };
  payment: { documentId: string; status: string; confirmationUrl: string | null } | null;
  refund?: { amount: number; currency: string; policy: string; state: string } | null;
}

export interface Ticket {
  documentId: string;
  subject?: string;
  body?: string;
  status: string;
  createdAt?: string;
  messages?: { body: string; author?: string; createdAt?: string }[];
}

export interface ProfileBody {
  fullName: string;
  phone: string;
  email: string;
  consentTerms: true;
  consentMarketing?: boolean;
  referralCode?: string;
  language?: 'ru' | 'en';
}

export interface TelegramIdentity {
  telegramId: number | string;
  username?: string;
  language?: 'ru' | 'en';
}

/** A non-2xx answer of the API, with Strapi's error envelope. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: { error?: { name?: string; message?: string; details?: Record<string, unknown> } } | null,
    readonly path: string,
  ) {
    super(`${path}: ${status} ${body?.error?.message ?? ''}`.trim());
  }
  get details(): Record<string, unknown> {
    return this.body?.error?.details ?? {};
  }
  /** `details.reason` or `details.code`, the machine-readable cause the API gives. */
  get reason(): string | undefined {
    const details = this.details;
    return (details.reason ?? details.code) as string | undefined;
  }
}

export interface Session {
  jwt: string;
  member: Member;
  /** ms since epoch after which the JWT is not used any more. */
  renewAt: number;
}

/** The `exp` of a JWT (seconds since epoch), or undefined when it has none or cannot be read. */
export function jwtExpiry(jwt: string): number | undefined {
  try {
    const payload = JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString('utf8'));
    return typeof payload.exp === 'number' ? payload.exp : undefined;
  } catch {
    return undefined;
  }
}

export interface StrapiClientOptions {
  baseUrl: string;
  serviceToken: string;
  /** Renew this long before `exp`. */
  renewMarginMs?: number;
  fetch?: typeof fetch;
  now?: () => number;
  timeoutMs?: number;
  /** How long the tariff list is reused, ms (default 30 s; 0 asks every time). */
  tariffCacheMs?: number;
}

export type MemberApi = ReturnType<StrapiClient['forMember']>;

export class StrapiClient {
  private readonly sessions = new Map<string, Session>();
  private tariffs?: { fetchedAt: number; list: Promise<Tariff[]> };
  private readonly fetchImpl: typeof fetch;
  private readonly now: () => number;

  constructor(private readonly options: StrapiClientOptions) {
    this.fetchImpl = options.fetch ?? fetch;
    this.now = options.now ?? Date.now;
  }

  private async request<T>(method: string, path: string, init: { token?: string; body?: unknown; headers?: Record<string, string>; form?: FormData } = {}): Promise<T> {
    const headers: Record<string, string> = { Accept: 'application/json', ...init.headers };
    if (init.token) headers.Authorization = `Bearer ${init.token}`;
    let body: string | FormData | undefined;
    if (init.form) body = init.form;
    else if (init.body !== undefined) {
      headers['Content-Type'] = 'application/json';
      body = JSON.stringify(init.body);
    }
    const res = await this.fetchImpl(`${this.options.baseUrl}${path}`, {
      method,
      headers,
      body,
      signal: AbortSignal.timeout(this.options.timeoutMs ?? 15_000),
    });
    const text = await res.text();
    let json: unknown = null;
    try {
      json = text ? JSON.parse(text) : null;
    } catch {
      json = null;
    }
    if (!res.ok) throw new ApiError(res.status, json as ApiError['body'], `${method} ${path}`);
    return json as T;
  }

  /** POST /api/auth/telegram; the result is cached until shortly before the JWT expires. 403 = banned. */
  async signIn(identity: TelegramIdentity, { fresh = false } = {}): Promise<Session> {
    const key = String(identity.telegramId);
    const cached = this.sessions.get(key);
    if (!fresh && cached && cached.renewAt > this.now()) return cached;
    const answer = await this.request<{ jwt: string; user: Member; isRegistered: boolean }>('POST', '/api/auth/telegram', {
      token: this.options.serviceToken,
      body: { telegramId: String(identity.telegramId), username: identity.username, language: identity.language },
    });
    const exp = jwtExpiry(answer.jwt);
    const margin = this.options.renewMarginMs ?? 60_000;
    const renewAt = exp ? exp * 1000 - margin : this.now() + 5 * 60_000;
    const session: Session = { jwt: answer.jwt, member: { ...answer.user, isRegistered: answer.isRegistered }, renewAt };
    this.sessions.set(key, session);
    return session;
  }

  /**
   * POST /api/auth/telegram/bot-status: the member blocked the bot (`blocked`) or started it again. Resolves
   * false when the API knows no such member (nothing to mark).
   */
  async reportBotStatus(telegramId: number, blocked: boolean): Promise<boolean> {
    try {
      await this.request('POST', '/api/auth/telegram/bot-status', { token: this.options.serviceToken, body: { telegramId: String(telegramId), blocked } });
      return true;
    } catch (error) {
      if (error instanceof ApiError && error.status === 404) return false;
      throw error;
    }
  }

  /** Forget a member's cached sign-in (after a 401, or in tests). */
  forget(telegramId: number | string): void {
    this.sessions.delete(String(telegramId));
  }

  /** Keeps the cached member in step with what the API answered. */
  private remember(telegramId: string, member: Member): void {
    const session = this.sessions.get(telegramId);
    if (session) session.member = { ...member, isRegistered: member.isRegistered ?? member.registeredAt !== null };
  }

  /**
   * GET /api/tariffs, cheapest first. Every booking flow starts with it, and it is Strapi's core find (the most
   * expensive read, docs/PERFORMANCE.md), so the list is shared for `tariffCacheMs`, concurrent callers included.
   * A tariff staff switch off meanwhile is refused by the quote and the booking, which the flow explains.
   */
  getTariffs(): Promise<Tariff[]> {
    const ttl = this.options.tariffCacheMs ?? 30_000;
    if (this.tariffs && this.now() - this.tariffs.fetchedAt < ttl) return this.tariffs.list;
    const list = this.request<{ data: Tariff[] }>('GET', '/api/tariffs?pagination[pageSize]=100').then((answer) =>
      [...answer.data].sort((a, b) => a.price - b.price),
    );
    const entry = { fetchedAt: this.now(), list };
    this.tariffs = entry;
    // A failed fetch is not kept: the next caller asks again.
    list.catch(() => {
      if (this.tariffs === entry) this.tariffs = undefined;
    });
    return list;
  }

  async getAvailability(tariff: string, date: string): Promise<Availability> {
    const query = new URLSearchParams({ tariff, date });
    return (await this.request<{ data: Availability }>('GET', `/api/availability?${query}`)).data;
  }

  /** The member endpoints, signed in as this Telegram user (one retry with a fresh JWT after a 401). */
  forMember(identity: TelegramIdentity) {
    const telegramId = String(identity.telegramId);
    const call = async <T>(method: string, path: string, init: { body?: unknown; headers?: Record<string, string>; form?: () => FormData } = {}) => {
      for (let attempt = 0; ; attempt += 1) {
        const { jwt } = await this.signIn(identity, { fresh: attempt > 0 });
        try {
          return await this.request<T>(method, path, { token: jwt, body: init.body, headers: init.headers, form: init.form?.() });
        } catch (error) {
          if (error instanceof ApiError && error.status === 401 && attempt === 0) continue;
          throw error;
        }
      }
    };
    return {
      updateProfile: async (body: ProfileBody): Promise<Member> => {
        const member = (await call<{ data: Member }>('PUT', '/api/profile', { body })).data;
        this.remember(telegramId, member);
        return member;
      },
      quote: async (body: { tariff: string; startAt: string; units: number; promocode?: string }) =>
        (await call<{ data: Quote }>('POST', '/api/bookings/quote', { body })).data,
      createBooking: async (body: { tariff: string; startAt: string; units: number; promocode?: string }, idempotencyKey: string) =>
        (await call<{ data: Booking }>('POST', '/api/bookings', { body, headers: { 'Idempotency-Key': idempotencyKey } })).data,
      myBookings: async (query: { when?: 'upcoming' | 'past'; status?: string; pageSize?: number }) => {
        const params = new URLSearchParams();
        if (query.when) params.set('when', query.when);
        if (query.status) params.set('status', query.status);
        params.set('pageSize', String(query.pageSize ?? 10));
        return (await call<{ data: Booking[] }>('GET', `/api/bookings/mine?${params}`)).data;
      },
      cancelBooking: async (documentId: string) =>
        (await call<{ data: Booking }>('POST', `/api/bookings/${encodeURIComponent(documentId)}/cancel`, { body: {} })).data,
      /** The same booking (tariff, resource, units) at another start; 409 taken or not movable, 422 outside the rules. */
      rescheduleBooking: async (documentId: string, startAt: string) =>
        (await call<{ data: Booking }>('POST', `/api/bookings/${encodeURIComponent(documentId)}/reschedule`, { body: { startAt } })).data,
      payBooking: async (documentId: string) =>
        (await call<{ data: { confirmationUrl: string | null } }>('POST', `/api/bookings/${encodeURIComponent(documentId)}/pay`)).data,
      createTicket: async (input: { subject: string; body: string; photos: { bytes: Uint8Array; name: string; type: string }[] }) =>
        (
          await call<{ data: Ticket }>('POST', '/api/tickets', {
            form: () => {
              const form = new FormData();
              form.set('subject', input.subject);
              form.set('body', input.body);
              for (const photo of input.photos) form.append('attachments', new Blob([photo.bytes], { type: photo.type }), photo.name);
              return form;
            },
          })
        ).data,
      myTickets: async () => (await call<{ data: Ticket[] }>('GET', '/api/tickets/mine')).data,
      ticket: async (documentId: string) => (await call<{ data: Ticket }>('GET', `/api/tickets/${encodeURIComponent(documentId)}`)).data,
      replyToTicket: async (documentId: string, body: string) =>
        (await call<{ data: unknown }>('POST', `/api/tickets/${encodeURIComponent(documentId)}/messages`, { body: { body } })).data,
    };
  }
}
