#!/usr/bin/env node
// The bench's server process: what `strapi start` does (createStrapi(...).start() on a compiled app),
// pointed at the bench's own compiled copy (BENCH_DIST_DIR) and without the admin panel bundle.
// Started by bench/lib/common.js startServer() with its own environment; not meant to be run by hand.
const path = require('path');

const appDir = path.resolve(__dirname, '..', '..');
const distDir = process.env.BENCH_DIST_DIR;
if (!distDir) {
  console.error('BENCH_DIST_DIR is not set: start it through a bench (`npm run bench:booking`, `npm run bench:bot`).');
  process.exit(2);
}

const { createStrapi } = require('@strapi/strapi');

createStrapi({ appDir, distDir, autoReload: false, serveAdminPanel: false })
  .start()
  .then((strapi) => {
    if (process.send) process.send({ ready: true, port: strapi.config.get('server.port') });
  })
  .catch((error) => {
    console.error(error);
    process.exit(1);
  });
