import fs from 'fs';
import path from 'path';
import { winston, formats } from '@strapi/logger';

// LOG_LEVEL: error | warn | info | http | verbose | debug (tests default to error).
// LOG_FORMAT=json gives one JSON object per line for log shippers.
// LOG_FILE writes the log to that file instead of stdout (the tests give each test file its own, see
// tests/helpers/server-log.js, so jest's output shows results and not the server's log).
const level = process.env.LOG_LEVEL ?? (process.env.NODE_ENV === 'test' ? 'error' : 'http');
const file = process.env.LOG_FILE;
const format =
  process.env.LOG_FORMAT === 'json'
    ? winston.format.combine(formats.excludeColors, winston.format.timestamp(), winston.format.json())
    : formats.prettyPrint({ timestamps: 'YYYY-MM-DD HH:mm:ss.SSS', colors: !file && Boolean(process.stdout.isTTY) });

function transport() {
  if (!file) return new winston.transports.Console({ level });
  fs.mkdirSync(path.dirname(file), { recursive: true });
  return new winston.transports.File({ filename: file, level });
}

// The format is the logger's, not the transport's: Strapi's default logger format (coloured) would run first.
export default {
  level,
  format,
  transports: [transport()],
};
