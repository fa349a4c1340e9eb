#!/usr/bin/env node
/**
 * Bundles the Telegram bot (bot/src/main.ts with its dependencies) into one file that runs on a bare Node 20+,
 * with no node_modules: what the Dockerfile's `bot` stage ships. Usage: node scripts/bundle-bot.js [outfile]
 * (default bot/dist/bot.js). `npm run bot` keeps compiling with tsc for development.
 */
'use strict';

const path = require('path');
const esbuild = require('esbuild');

const appDir = path.resolve(__dirname, '..');
const outfile = path.resolve(process.argv[2] ?? path.join(appDir, 'bot', 'dist', 'bot.js'));

esbuild.buildSync({
  absWorkingDir: appDir,
  entryPoints: ['bot/src/main.ts'],
  outfile,
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  // node-fetch (grammY's HTTP client) recognises an AbortSignal by its class name; bundling must not rename it.
  keepNames: true,
  sourcemap: 'linked',
  logLevel: 'warning',
});
console.log(`bot bundled into ${path.relative(process.cwd(), outfile)}`);
