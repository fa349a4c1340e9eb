#!/usr/bin/env node
// Compiles the server part of every local plugin in plugins/ (Strapi loads it from plugins/<name>/dist,
// and neither `strapi build` nor the tests' compileStrapi does this step).
const { execFileSync } = require('child_process');
const fs = require('fs');
const path = require('path');

const root = path.resolve(__dirname, '..');
const tsc = require.resolve('typescript/bin/tsc');
const pluginsDir = path.join(root, 'plugins');

for (const name of fs.readdirSync(pluginsDir).sort()) {
  const project = path.join(pluginsDir, name, 'tsconfig.server.json');
  if (!fs.existsSync(project)) continue;
  execFileSync(process.execPath, [tsc, '-p', project], { stdio: 'inherit', cwd: root });
  console.log(`plugins/${name}: server compiled`);
}
