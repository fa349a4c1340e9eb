// Runs before each test file: the Strapi servers it boots log to a file of its own (config/logger.ts reads
// LOG_FILE), emptied here, so jest's output shows test results; server-log-reporter.js prints the file's tail
// when the test file fails.
const fs = require('fs');
const path = require('path');
const { serverLogFile } = require('./server-log-path');

const file = serverLogFile(expect.getState().testPath);
fs.mkdirSync(path.dirname(file), { recursive: true });
fs.writeFileSync(file, '');
process.env.LOG_FILE = file;
