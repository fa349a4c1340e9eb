/**
 * The browser tests' harness (docs/ADMIN.md, Browser tests): the real Strapi serving the built admin panel on
 * a free port with a fresh SQLite database, the Telegram and YooKassa stand-ins wired in through the environment,
 * the outbox worker polling, and staff sessions in the suite's one Chromium (tests/browser/global-setup.js).
 *
 * Staff log in through the API (POST /admin/login, as tests/helpers/auth.ts does) and the token is seeded where the
 * 5.54 admin keeps a remembered session (localStorage `jwtToken` = JSON string, `isLoggedIn` = "true"; see
 * @strapi/admin reducer.mjs getStoredToken), so no test pays for the login form. The admin language is not
 * seeded: whatever the page shows comes from the project's defaults and the staff account.
 *
 * Every page records its console errors and uncaught exceptions; `expectNoConsoleErrors()` fails a test on any,
 * listing them. Screenshots go to .tmp/artefacts/screenshots/<name>.png (CI artefacts); those marked `doc` are
 * also copied to docs/screenshots/ when UPDATE_DOC_SCREENSHOTS=1.
 */
import fs from 'fs';
import type { AddressInfo } from 'net';
import path from 'path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import type { Core } from '@strapi/strapi';
import { adminLogin, createStaffUser } from '../helpers/auth';
import { SPACE_TIMEZONE } from '../helpers/booking-fixtures';
import { startStrapi } from '../helpers/strapi';
import { startTelegramStandIn, type TelegramStandIn } from '../stand-ins/telegram/server';
import { startYooKassaStandIn, type YooKassaStandIn } from '../stand-ins/yookassa/server';

const appDir = path.resolve(__dirname, '..', '..');
export const SCREENSHOT_DIR = path.join(appDir, '.tmp', 'artefacts', 'screenshots');
export const DOC_SCREENSHOT_DIR = path.join(appDir, 'docs', 'screenshots');
export const VIEWPORT = { width: 1440, height: 900 };

export const MANAGER = 'coworking-manager';
export const SUPPORT = 'coworking-support';
export const MARKETING = 'coworking-marketing';

/** A logged-in staff member's browser tab. */
export interface StaffSession {
  email: string;
  token: string;
  context: BrowserContext;
  page: Page;
  /** Console errors and uncaught exceptions of every page of this session so far, with the URL they came from. */
  errors: string[];
  /** Opens an admin path (e.g. `/admin/plugins/booking-desk/calendar`) and waits for the admin's menu. */
  open(adminPath: string): Promise<void>;
  /** Saves a full-page screenshot as <name>.png; `doc` ones are docs material (see the top of the file). */
  shot(name: string, options?: { doc?: boolean }): Promise<string>;
  /** Fails, listing them, if any page of this session logged a console error or threw. */
  expectNoConsoleErrors(): void;
  close(): Promise<void>;
}

export interface BrowserApp {
  strapi: Core.Strapi;
  /** http://127.0.0.1:<port>, where the admin is at /admin. */
  url: string;
  telegram: TelegramStandIn;
  yookassa: YooKassaStandIn;
  /** A new staff account with this admin role code, logged in through the API, in a browser context of its own. */
  login(roleCode: string): Promise<StaffSession>;
  stop(): Promise<void>;
}

let browserPromise: Promise<Browser> | null = null;

/** The suite's Chromium (started by global-setup.js); one connection per test file. */
function browser(): Promise<Browser> {
  if (!browserPromise) {
    const endpoint = process.env.BROWSER_WS_ENDPOINT;
    if (!endpoint) throw new Error('BROWSER_WS_ENDPOINT is not set: run the browser tests with --selectProjects browser (its global setup starts Chromium)');
    browserPromise = chromium.connect(endpoint);
  }
  return browserPromise;
}

/**
 * Boots the compiled app serving its admin panel (tests/helpers/strapi.ts) on a fresh SQLite database and
 * listens on a free port.
 */
async function bootStrapi(env: Record<string, string>) {
  const app = await startStrapi({ ...env, DATABASE_CLIENT: 'sqlite' }, { serveAdminPanel: true });
  await new Promise<void>((resolve) => app.strapi.server.httpServer.listen(0, '127.0.0.1', resolve));
  const { port } = app.strapi.server.httpServer.address() as AddressInfo;
  return { strapi: app.strapi, url: `http://127.0.0.1:${port}`, stop: () => app.stop() };
}

/** Starts the stand-ins and the server; `env` goes on top of the defaults below. */
export async function startBrowserApp(env: Record<string, string> = {}): Promise<BrowserApp> {
  const telegram = await startTelegramStandIn({ rateLimits: false, repeatPollFloorSeconds: 0 });
  const yookassa = await startYooKassaStandIn({ shopId: '100500', secretKey: 'test_secret' });
  const server = await bootStrapi({
    SPACE_TIMEZONE,
    BOT_TOKEN: telegram.token,
    TELEGRAM_API_ROOT: telegram.apiRoot,
    YOOKASSA_SHOP_ID: '100500',
    YOOKASSA_SECRET_KEY: 'test_secret',
    YOOKASSA_API_URL: yookassa.url,
    YOOKASSA_RETURN_URL: 'https://t.me/coworking_test_bot',
    YOOKASSA_WEBHOOK_ALLOWED_IPS: '127.0.0.1,::1',
    YOOKASSA_RECONCILE_AFTER_MS: '0',
    // The outbox worker runs in this server (Telegram messages, refunds), polling often so a test sees them soon.
    OUTBOX_WORKER: 'true',
    OUTBOX_POLL_MS: '200',
    OUTBOX_BACKOFF_BASE_MS: '500',
    OUTBOX_BACKOFF_JITTER: '0',
    ...env,
  });
  yookassa.setWebhookUrl(`${server.url}/api/yookassa/webhook`);
  const connection = await browser();
  const sessions: StaffSession[] = [];

  async function login(roleCode: string): Promise<StaffSession> {
    const { email } = await createStaffUser(server.strapi, roleCode);
    const token = await adminLogin(server.strapi, email);
    const context = await connection.newContext({
      baseURL: server.url,
      viewport: VIEWPORT,
      locale: 'ru-RU',
      timezoneId: SPACE_TIMEZONE,
      storageState: {
        cookies: [],
        origins: [
          {
            origin: server.url,
            localStorage: [
              { name: 'jwtToken', value: JSON.stringify(token) },
              { name: 'isLoggedIn', value: 'true' },
            ],
          },
        ],
      },
    });
    context.setDefaultTimeout(20000);
    context.setDefaultNavigationTimeout(30000);
    const errors: string[] = [];
    const watch = (page: Page) => {
      page.on('console', (message) => {
        if (message.type() !== 'error') return;
        const where = message.location()?.url ? ` (${message.location().url})` : '';
        errors.push(`console.error on ${page.url()}: ${message.text()}${where}`);
      });
      page.on('pageerror', (error) => errors.push(`uncaught exception on ${page.url()}: ${error.stack ?? error.message}`));
    };
    context.on('page', watch);
    const page = await context.newPage();
    const session: StaffSession = {
      email,
      token,
      context,
      page,
      errors,
      async open(adminPath) {
        await page.goto(adminPath, { waitUntil: 'domcontentloaded' });
        // The admin's main navigation is there once the app has loaded the user, permissions and menu.
        await page.locator('nav').first().waitFor();
      },
      async shot(name, options = {}) {
        fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
        const file = path.join(SCREENSHOT_DIR, `${name}.png`);
        // The admin scrolls inside its layout, not the document: make the window as tall as the tallest scrolling
        // content (up to 2,400 px) for the picture, then put it back.
        const contentHeight = Number(
          await page.evaluate(
            `Math.max(document.documentElement.scrollHeight, ...Array.from(document.querySelectorAll('main, main *')).map((e) => e.scrollHeight + e.getBoundingClientRect().top))`,
          ),
        );
        const height = Math.min(Math.max(Math.ceil(contentHeight), VIEWPORT.height), 2400);
        if (height > VIEWPORT.height) await page.setViewportSize({ width: VIEWPORT.width, height });
        try {
          await page.screenshot({ path: file, fullPage: true, animations: 'disabled' });
        } finally {
          if (height > VIEWPORT.height) await page.setViewportSize(VIEWPORT);
        }
        if (options.doc && process.env.UPDATE_DOC_SCREENSHOTS === '1') {
          fs.mkdirSync(DOC_SCREENSHOT_DIR, { recursive: true });
          fs.copyFileSync(file, path.join(DOC_SCREENSHOT_DIR, `${name}.png`));
        }
        return file;
      },
      expectNoConsoleErrors() {
        if (errors.length > 0) {
          throw new Error(`The browser logged ${errors.length} error(s):\n${errors.map((line) => `  - ${line}`).join('\n')}`);
        }
      },
      async close() {
        await context.close();
      },
    };
    sessions.push(session);
    return session;
  }

  return {
    strapi: server.strapi,
    url: server.url,
    telegram,
    yookassa,
    login,
    async stop() {
      for (const session of sessions) await session.close().catch(() => undefined);
      yookassa.setAutoWebhooks(false);
      await yookassa.webhooksSettled();
      await server.stop();
      await telegram.close();
      await yookassa.close();
    },
  };
}

/** Polls `check` until it returns a value other than undefined/false, or fails with `what` after `timeoutMs`. */
export async function eventually<T>(what: string, check: () => Promise<T | undefined | false | null>, timeoutMs = 15000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false && value !== null) return value;
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** Today's date in the space's timezone as YYYY-MM-DD. */
export function today(): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: SPACE_TIMEZONE, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
}

/** Texts of Russian translation files: `ru('calendar')` reads plugins/booking-desk/admin/src/translations/ru/calendar.json. */
export function ru(feature: string): Record<string, string> {
  const file = path.join(appDir, 'plugins', 'booking-desk', 'admin', 'src', 'translations', 'ru', `${feature}.json`);
  return JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, string>;
}
