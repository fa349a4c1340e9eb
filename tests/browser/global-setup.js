// Runs once per `jest` run of the browser project: compiles the app (the shared global setup), makes sure the
// admin panel bundle exists (admin-build.js), and starts the one Chromium the whole suite shares; test files
// connect to it through BROWSER_WS_ENDPOINT and open a context of their own.
const compile = require('../helpers/global-setup');
const { ensureAdminBuild } = require('./admin-build');
const { chromiumPath, launchOptions } = require('./chromium');

module.exports = async () => {
  await compile();
  const line = await ensureAdminBuild(process.env.TEST_DIST_DIR);
  process.stderr.write(`\nbrowser tests: ${line}; Chromium ${chromiumPath()}\n`);
  const { chromium } = require('playwright-core');
  const server = await chromium.launchServer(launchOptions());
  globalThis.__BROWSER_SERVER__ = server;
  process.env.BROWSER_WS_ENDPOINT = server.wsEndpoint();
};
