// How the browser tests start Chromium: Debian's package (scripts/lib/chromium.sh installs it), driven by
// playwright-core through executablePath; no browser is ever downloaded. Playwright gives every launch a fresh
// temporary profile (its user-data-dir), removed when the browser closes.
const fs = require('fs');

const chromiumPath = () => process.env.CHROMIUM_PATH || '/usr/bin/chromium';

function launchOptions() {
  const executablePath = chromiumPath();
  if (!fs.existsSync(executablePath)) {
    throw new Error(
      `Chromium is not at ${executablePath}: install Debian's package (apt-get install chromium; scripts/test.sh does it ` +
        'through scripts/lib/chromium.sh) or set CHROMIUM_PATH',
    );
  }
  return {
    executablePath,
    headless: true,
    args: [
      '--no-sandbox',
      '--headless',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  };
}

module.exports = { chromiumPath, launchOptions };
