// A jest reporter: when a test file fails, prints the last lines of the server log it wrote (server-log.js).
const fs = require('fs');
const path = require('path');
const { serverLogFile } = require('./server-log-path');

const TAIL_LINES = Number(process.env.TEST_LOG_TAIL_LINES || 80);

class ServerLogReporter {
  onTestResult(_test, result) {
    if (result.numFailingTests === 0 && !result.testExecError) return;
    const file = serverLogFile(result.testFilePath);
    if (!fs.existsSync(file)) return;
    const lines = fs.readFileSync(file, 'utf8').trimEnd().split('\n');
    if (lines.length === 1 && lines[0] === '') return;
    const shown = lines.slice(-TAIL_LINES);
    const where = path.relative(process.cwd(), file);
    process.stderr.write(
      `\n--- server log of ${path.basename(result.testFilePath)}: last ${shown.length} of ${lines.length} lines ` +
        `(all of it: ${where}) ---\n${shown.join('\n')}\n--- end of server log ---\n\n`,
    );
  }
}

module.exports = ServerLogReporter;
