/**
 * An SMTP server for tests (README.md next to this file): records every message it accepts, parsed with mailparser,
 * and answers chosen 4xx / 5xx replies for chosen recipients. Built on `smtp-server` (nodemailer's), so the client
 * side (Strapi's nodemailer provider) talks real SMTP over a real socket.
 */
import { SMTPServer, type SMTPServerAddress, type SMTPServerSession } from 'smtp-server';
import { simpleParser, type AddressObject } from 'mailparser';

export type FailureStage = 'rcpt' | 'data';

export interface FailureRule {
  /** SMTP reply code, 400..599. */
  code: number;
  /** Reply text (default: a generic one for the class). */
  message?: string;
  /** Where the reply is given: RCPT TO (default) or after DATA. */
  stage?: FailureStage;
  /** How many times, then the recipient is accepted again (default: always). */
  times?: number;
}

export interface SmtpMessage {
  /** Order of acceptance, from 1. */
  seq: number;
  envelope: { from: string; to: string[] };
  /** Header names lower-cased; values as mailparser decodes them (strings, or structured for address headers). */
  headers: Record<string, unknown>;
  /** Each header as received, unfolded (lower-cased name → `Name: value`; the last one of a repeated name). */
  rawHeaders: Record<string, string>;
  messageId: string | null;
  subject: string;
  from: string;
  to: string[];
  html: string;
  text: string;
  raw: string;
  /** Whether the session was authenticated, and as whom. */
  user: string | null;
  at: Date;
}

export interface SmtpAttempt {
  stage: FailureStage;
  recipient: string;
  code: number;
  at: Date;
}

export interface SmtpStandInOptions {
  host?: string;
  port?: number;
  /** Require AUTH with these credentials (PLAIN / LOGIN over the plain connection). Without: AUTH is optional. */
  auth?: { user: string; pass: string };
  /** Delay before each message's reply, in ms (default 0). */
  latencyMs?: number;
}

export interface SmtpStandIn {
  host: string;
  port: number;
  /** Every accepted message, in order. */
  messages: SmtpMessage[];
  /** Every refusal the stand-in gave (injected failures). */
  refusals: SmtpAttempt[];
  /** Messages whose envelope includes `address` (case-insensitive). */
  messagesTo(address: string): SmtpMessage[];
  /** Answers `rule.code` for `address` (RCPT TO by default) `rule.times` times (default: every time). */
  fail(address: string, rule: FailureRule): void;
  /** Forgets the failure rules. */
  clearFailures(): void;
  setLatency(ms: number): void;
  /** Forgets the recorded messages and refusals. */
  reset(): void;
  /** Resolves with the messages once at least `count` were accepted (rejects after timeoutMs). */
  waitForMessages(count: number, timeoutMs?: number): Promise<SmtpMessage[]>;
  close(): Promise<void>;
}

const DEFAULT_TEXT: Record<string, string> = {
  '4': 'Requested action aborted: try again later',
  '5': 'Mailbox unavailable',
};

interface ActiveRule extends FailureRule {
  left: number;
}

const addressesOf = (value: AddressObject | AddressObject[] | undefined): string[] =>
  (Array.isArray(value) ? value : value ? [value] : []).flatMap((group) => group.value.map((entry) => entry.address ?? '')).filter(Boolean);

function smtpError(code: number, message: string): Error & { responseCode: number } {
  const error = new Error(message) as Error & { responseCode: number };
  error.responseCode = code;
  return error;
}

export async function startSmtpStandIn(options: SmtpStandInOptions = {}): Promise<SmtpStandIn> {
  const host = options.host ?? '127.0.0.1';
  let latencyMs = options.latencyMs ?? 0;
  const messages: SmtpMessage[] = [];
  const refusals: SmtpAttempt[] = [];
  const rules = new Map<string, ActiveRule>();
  const waiters: Array<() => void> = [];
  const key = (address: string) => address.trim().toLowerCase();

  /** The failure to answer for `address` at `stage` now, consuming one of its times. */
  function takeFailure(address: string, stage: FailureStage): ActiveRule | null {
    const rule = rules.get(key(address));
    if (!rule || (rule.stage ?? 'rcpt') !== stage || rule.left <= 0) return null;
    rule.left -= 1;
    refusals.push({ stage, recipient: key(address), code: rule.code, at: new Date() });
    return rule;
  }

  const replyOf = (rule: FailureRule) => {
    const cls = String(rule.code)[0];
    const enhanced = cls === '4' ? '4.2.0' : '5.1.1';
    return smtpError(rule.code, `${enhanced} ${rule.message ?? DEFAULT_TEXT[cls] ?? 'Refused'}`);
  };

  const server = new SMTPServer({
    secure: false,
    disabledCommands: ['STARTTLS'],
    authOptional: !options.auth,
    allowInsecureAuth: true,
    disableReverseLookup: true,
    logger: false,
    banner: 'SMTP stand-in',
    closeTimeout: 200,
    size: 25 * 1024 * 1024,
    onAuth(auth, _session, callback) {
      if (!options.auth) return callback(null, { user: auth.username ?? '' });
      if (auth.username === options.auth.user && auth.password === options.auth.pass) return callback(null, { user: auth.username });
      return callback(smtpError(535, '5.7.8 Authentication credentials invalid'));
    },
    onRcptTo(address: SMTPServerAddress, _session: SMTPServerSession, callback) {
      const rule = takeFailure(address.address, 'rcpt');
      if (rule) return callback(replyOf(rule));
      callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        void (async () => {
          if (latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, latencyMs));
          const recipients = session.envelope.rcptTo.map((r) => r.address);
          for (const recipient of recipients) {
            const rule = takeFailure(recipient, 'data');
            if (rule) return callback(replyOf(rule));
          }
          const raw = Buffer.concat(chunks).toString('utf8');
          try {
            const parsed = await simpleParser(raw);
            const headers: Record<string, unknown> = {};
            for (const [name, value] of parsed.headers) headers[name.toLowerCase()] = value;
            const rawHeaders: Record<string, string> = {};
            for (const line of parsed.headerLines) rawHeaders[line.key.toLowerCase()] = line.line.replace(/\r?\n(?=[ \t])/g, '');
            messages.push({
              seq: messages.length + 1,
              envelope: { from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '', to: recipients },
              headers,
              rawHeaders,
              messageId: parsed.messageId ?? null,
              subject: parsed.subject ?? '',
              from: parsed.from?.text ?? '',
              to: addressesOf(parsed.to),
              html: typeof parsed.html === 'string' ? parsed.html : '',
              text: parsed.text ?? '',
              raw,
              user: (session.user as string | undefined) ?? null,
              at: new Date(),
            });
            waiters.splice(0).forEach((wake) => wake());
            callback(null, 'Message queued');
          } catch (error) {
            callback(smtpError(451, `4.3.0 Could not parse the message: ${(error as Error).message}`));
          }
        })();
      });
    },
  });
  server.on('error', () => undefined);

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.server.address() as { port: number }).port;

  return {
    host,
    port,
    messages,
    refusals,
    messagesTo: (address) => messages.filter((m) => m.envelope.to.some((to) => key(to) === key(address))),
    fail(address, rule) {
      if (!Number.isInteger(rule.code) || rule.code < 400 || rule.code > 599) throw new RangeError(`code must be 400..599, got ${rule.code}`);
      rules.set(key(address), { ...rule, left: rule.times ?? Number.POSITIVE_INFINITY });
    },
    clearFailures: () => rules.clear(),
    setLatency(ms) {
      latencyMs = ms;
    },
    reset() {
      messages.splice(0);
      refusals.splice(0);
    },
    waitForMessages(count, timeoutMs = 10_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (messages.length >= count) {
            clearTimeout(timer);
            resolve(messages.slice());
            return true;
          }
          return false;
        };
        const timer = setTimeout(() => reject(new Error(`waited ${timeoutMs} ms for ${count} messages, got ${messages.length}`)), timeoutMs);
        if (check()) return;
        const again = () => {
          if (!check()) waiters.push(again);
        };
        waiters.push(again);
      });
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
