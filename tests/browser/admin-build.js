// The admin panel bundle the browser tests load. Strapi serves it from `<distDir>/build` (admin.serveAdminPanel,
// @strapi/admin's serve-admin-panel route), so the tests need a build in the dist folder they boot from:
//   - scripts/test.sh runs `npm run build` first, which writes dist/build; the browser project then compiles into
//     dist/ as well (TEST_DIST_DIR unset) and reuses that bundle, never building twice;
//   - a developer running the browser project alone gets a bundle built once into `<TEST_DIST_DIR>/build` (Strapi's
//     own build steps, run in a child process: a minute or two) and rebuilt when an admin source file is newer;
//   - a stale dist/build is never rebuilt here (other processes may be serving it): the log says to run `npm run build`.
// BROWSER_ADMIN_REBUILD=1 forces a rebuild into `<TEST_DIST_DIR>/build` (refused for the shared dist/);
// BROWSER_ADMIN_REBUILD=0 uses an existing build even when it is older than the sources.
//
// `node tests/browser/admin-build.js <distDir>` is the child process: it builds the bundle into <distDir>/build
// from the compiled config in <distDir>/config (the jest global setup compiles it first).
const { spawn } = require('child_process');
const fs = require('fs');
const path = require('path');

const appDir = path.resolve(__dirname, '..', '..');

/** The newest modification time among the files the admin bundle is made from. */
function newestAdminSource() {
  let newest = 0;
  const visit = (entry) => {
    let stat;
    try {
      stat = fs.statSync(entry);
    } catch {
      return;
    }
    if (stat.isDirectory()) {
      for (const name of fs.readdirSync(entry)) if (name !== 'node_modules' && name !== 'dist') visit(path.join(entry, name));
    } else if (stat.mtimeMs > newest) {
      newest = stat.mtimeMs;
    }
  };
  visit(path.join(appDir, 'src', 'admin'));
  visit(path.join(appDir, 'config', 'admin.ts'));
  visit(path.join(appDir, 'config', 'plugins.ts'));
  const pluginsDir = path.join(appDir, 'plugins');
  for (const name of fs.existsSync(pluginsDir) ? fs.readdirSync(pluginsDir) : []) {
    visit(path.join(pluginsDir, name, 'admin'));
    visit(path.join(pluginsDir, name, 'package.json'));
  }
  return newest;
}

function runBuild(distDir, logFile) {
  return new Promise((resolve, reject) => {
    fs.mkdirSync(path.dirname(logFile), { recursive: true });
    const out = fs.openSync(logFile, 'w');
    const child = spawn(process.execPath, [__filename, distDir], {
      cwd: appDir,
      env: { ...process.env, NODE_ENV: 'production' },
      stdio: ['ignore', out, out],
    });
    child.on('error', reject);
    child.on('exit', (code) => {
      fs.closeSync(out);
      if (code === 0) return resolve();
      const tail = fs.readFileSync(logFile, 'utf8').trimEnd().split('\n').slice(-30).join('\n');
      reject(new Error(`building the admin panel into ${distDir}/build failed (exit ${code}); ${logFile}:\n${tail}`));
    });
  });
}

/**
 * Makes sure `<distDir>/build` holds an admin bundle of the current sources (see the top of this file).
 * Returns a line for the log.
 */
async function ensureAdminBuild(distDir) {
  const buildDir = path.join(distDir, 'build');
  const index = path.join(buildDir, 'index.html');
  const shared = path.resolve(distDir) === path.join(appDir, 'dist');
  const exists = fs.existsSync(index);
  const stale = exists && fs.statSync(index).mtimeMs < newestAdminSource();
  const forced = process.env.BROWSER_ADMIN_REBUILD === '1';
  if (exists && process.env.BROWSER_ADMIN_REBUILD === '0') return `admin panel: ${path.relative(appDir, buildDir)} (as it is: BROWSER_ADMIN_REBUILD=0)`;
  if (exists && !stale && !forced) return `admin panel: ${path.relative(appDir, buildDir)}`;
  if (exists && shared) {
    const why = forced ? 'BROWSER_ADMIN_REBUILD=1 does not rebuild the shared dist/build' : 'dist/build is older than the admin sources';
    return `admin panel: ${why}; testing it as it is (run \`npm run build\`, or set TEST_DIST_DIR for a private build)`;
  }
  const logFile = path.join(appDir, '.tmp', 'logs', 'browser', 'admin-build.log');
  const started = Date.now();
  process.stderr.write(
    `\nbrowser tests: building the admin panel into ${path.relative(appDir, buildDir)} ` +
      `(${forced ? 'BROWSER_ADMIN_REBUILD=1' : exists ? 'its sources changed' : 'there is none yet'}; this takes a minute or two, log: ${path.relative(appDir, logFile)})\n`,
  );
  await runBuild(distDir, logFile);
  if (!fs.existsSync(index)) throw new Error(`the admin build finished but ${index} is missing; see ${logFile}`);
  return `admin panel: built into ${path.relative(appDir, buildDir)} in ${Math.round((Date.now() - started) / 1000)} s`;
}

module.exports = { ensureAdminBuild };

// The child process: Strapi's build steps (createBuildContext → static client files → Vite), the ones
// `strapi build` runs after compiling, with the dist folder as the output. createBuildContext empties
// <distDir>/build first. The generated entry files go to .strapi/client as with `strapi build`.
if (require.main === module) {
  const distDir = path.resolve(process.argv[2] || '');
  const strapiNode = path.join(path.dirname(require.resolve('@strapi/strapi/package.json')), 'dist', 'src', 'node');
  const { createBuildContext } = require(path.join(strapiNode, 'create-build-context.js'));
  const { writeStaticClientFiles } = require(path.join(strapiNode, 'staticFiles.js'));
  const { build } = require(path.join(strapiNode, 'vite', 'build.js'));
  // config/*.ts reads these at load time; the values do not reach the bundle.
  require(path.join(appDir, 'tests', 'helpers', 'test-env.js'));
  process.env.NODE_ENV = 'production';
  const say = (...args) => console.log(...args);
  const logger = {
    debug: () => {},
    info: say,
    log: say,
    warn: say,
    warning: say,
    error: say,
    success: say,
    spinner: (text) => ({ text, start() { say(text); return this; }, succeed() {}, fail() {} }),
  };
  (async () => {
    if (!fs.existsSync(path.join(distDir, 'config'))) throw new Error(`${distDir}/config is missing: compile the app first`);
    const ctx = await createBuildContext({
      cwd: appDir,
      logger,
      tsconfig: { config: { options: { outDir: distDir } } },
      options: { minify: true, sourcemap: false },
    });
    await writeStaticClientFiles(ctx);
    await build(ctx);
    say(`built ${ctx.distPath}`);
    process.exit(0);
  })().catch((error) => {
    console.error(error);
    process.exit(1);
  });
}
