// Where the server log of one test file goes: .tmp/logs/<path under tests/>.log, e.g. .tmp/logs/api/booking.test.ts.log.
const path = require('path');

const appDir = path.resolve(__dirname, '..', '..');

module.exports.serverLogFile = (testPath) =>
  path.join(appDir, '.tmp', 'logs', `${path.relative(path.join(appDir, 'tests'), testPath)}.log`);
