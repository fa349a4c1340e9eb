import { winston, formats } from '@strapi/logger';

// LOG_LEVEL: error | warn | info | http | verbose | debug (tests default to error).
// LOG_FORMAT=json gives one JSON object per line for log shippers.
const level = process.env.LOG_LEVEL ?? (process.env.NODE_ENV === 'test' ? 'error' : 'http');
const format =
  process.env.LOG_FORMAT === 'json'
    ? winston.format.combine(formats.excludeColors, winston.format.timestamp(), winston.format.json())
    : formats.prettyPrint({ timestamps: 'YYYY-MM-DD HH:mm:ss.SSS', colors: Boolean(process.stdout.isTTY) });

export default {
  level,
  transports: [new winston.transports.Console({ level, format })],
};
