// Runs once per `jest` run: compile our plugins and the app, so test files only load the result.
// TEST_DIST_DIR (default dist/) lets two test runs on one machine compile into separate folders.
const { execFileSync } = require('child_process');
const path = require('path');

module.exports = async () => {
  const appDir = path.resolve(__dirname, '..', '..');
  const distDir = path.resolve(appDir, process.env.TEST_DIST_DIR || 'dist');
  process.env.TEST_DIST_DIR = distDir;
  execFileSync(process.execPath, [path.join(appDir, 'scripts/build-plugins.js')], { cwd: appDir, stdio: 'inherit' });
  const { compile } = require('@strapi/typescript-utils');
  await compile(appDir, {
    configOptions: { options: { outDir: distDir, tsBuildInfoFile: path.join(distDir, '.tsbuildinfo') } },
  });
};
