// Boots the compiled app (TEST_DIST_DIR, compiled by the jest global setup) as a process of its own, for tests
// that kill the server (SIGKILL) and start it again on the same database. The environment configures it as it
// would in production (PORT, DATABASE_FILENAME, BOT_TOKEN, …). Prints "READY <port>" once it listens.
const path = require('path');

const appDir = path.resolve(__dirname, '..', '..');
const distDir = path.resolve(appDir, process.env.TEST_DIST_DIR || 'dist');

(async () => {
  const { createStrapi } = require('@strapi/strapi');
  const strapi = createStrapi({ appDir, distDir, autoReload: false, serveAdminPanel: false });
  await strapi.start();
  console.log(`READY ${strapi.config.get('server.port')}`);
})().catch((error) => {
  console.error(error);
  process.exit(1);
});
