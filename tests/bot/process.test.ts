/**
 * The bot as it ships: the bundle of scripts/bundle-bot.js (what the Dockerfile's `bot` stage runs) started as its
 * own process with nothing but environment variables, against the real Strapi and the Telegram stand-in. Covers
 * what the in-process tests do not: bot/src/main.ts (config from the environment, commands, long polling through
 * the runner, the shutdown on SIGTERM) and that the bundle needs no node_modules.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { StandInUser } from '../stand-ins/telegram/server';
import { BOT_SERVICE_TOKEN, expectMessage, lastMessageId, sleep, startHarness, USER_UID, type Harness } from './harness';

jest.setTimeout(90_000);

const appDir = path.resolve(__dirname, '..', '..');

describe('the bundled bot process', () => {
  let h: Harness;
  let bundleDir: string;
  let bot: ChildProcess | undefined;
  let output = '';

  beforeAll(async () => {
    // Outside the checkout, so nothing can be resolved from the project's node_modules.
    bundleDir = mkdtempSync(path.join(tmpdir(), 'bot-bundle-'));
    execFileSync(process.execPath, [path.join(appDir, 'scripts', 'bundle-bot.js'), path.join(bundleDir, 'bot.js')], { cwd: appDir, stdio: 'pipe' });
    h = await startHarness();
    await h.stopBot(); // the in-process bot of the harness; the bundle takes over the same token
  }, 120_000);

  afterAll(async () => {
    if (bot && bot.exitCode === null) bot.kill('SIGKILL');
    await h?.close();
    rmSync(bundleDir, { recursive: true, force: true });
  });

  function startBundle(): ChildProcess {
    const child = spawn(process.execPath, ['bot.js'], {
      cwd: bundleDir,
      env: {
        PATH: process.env.PATH,
        BOT_TOKEN: h.telegram.token,
        TELEGRAM_API_ROOT: h.telegram.apiRoot,
        STRAPI_URL: h.strapiUrl,
        BOT_SERVICE_TOKEN,
        SPACE_TIMEZONE: 'Europe/Moscow',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.on('data', (chunk) => (output += String(chunk)));
    child.stderr!.on('data', (chunk) => (output += String(chunk)));
    return child;
  }

  it('answers a member, reports a blocked bot, and stops cleanly on SIGTERM', async () => {
    bot = startBundle();

    const lena: StandInUser = { id: 3001, first_name: 'Lena', language_code: 'ru' };
    const after = lastMessageId(h.telegram, lena.id);
    h.telegram.sendText(lena, '/start');
    await expectMessage(h.telegram, lena, 'Добро пожаловать', after, 20_000).catch((error: Error) => {
      throw new Error(`${error.message}\nbot output:\n${output}`);
    });
    expect(output).toMatch(/long polling .*, up to 100 updates at once/);
    // The commands menu in both languages, set at start.
    const commands = h.telegram.calls('setMyCommands');
    expect(commands.map((call) => (call.params.language_code as string | undefined) ?? 'default').sort()).toEqual(['default', 'en']);

    // Blocking the bot reaches the API through the my_chat_member update.
    h.telegram.blockBot(lena);
    const deadline = Date.now() + 10_000;
    while (!(await h.app.strapi.db.query(USER_UID).findOne({ where: { telegramId: String(lena.id) } }))?.botBlocked) {
      if (Date.now() > deadline) throw new Error(`botBlocked was not set; bot output:\n${output}`);
      await sleep(100);
    }

    const exited = new Promise<number | null>((resolve) => bot!.once('exit', (code) => resolve(code)));
    bot.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(output).toContain('SIGTERM: stopping');
    expect(output).not.toMatch(/failed|Error/);
  });
});
