#!/usr/bin/env node
// Writes .env from .env.example with fresh random secrets and a generated first admin login.
// Never overwrites an existing .env. Prints the admin credentials once, on creation.
const crypto = require('crypto');
const fs = require('fs');
const path = require('path');

const root = path.resolve(__dirname, '..', '..');
const target = path.join(root, '.env');
if (fs.existsSync(target)) {
  console.log('.env exists: left as it is');
  process.exit(0);
}

const secret = () => crypto.randomBytes(24).toString('base64');
// Meets Strapi's admin password rules: upper and lower case letters and a digit, 8+ characters.
const adminPassword = () => `Cw${crypto.randomBytes(9).toString('base64url')}7a`;

const values = {
  APP_KEYS: [secret(), secret(), secret(), secret()].join(','),
  API_TOKEN_SALT: secret(),
  ADMIN_JWT_SECRET: secret(),
  TRANSFER_TOKEN_SALT: secret(),
  JWT_SECRET: secret(),
  ENCRYPTION_KEY: secret(),
  ADMIN_EMAIL: process.env.ADMIN_EMAIL || 'admin@coworking.local',
  ADMIN_PASSWORD: process.env.ADMIN_PASSWORD || adminPassword(),
  BOT_SERVICE_TOKEN: crypto.randomBytes(32).toString('hex'),
  SEED_DEMO: 'true',
  DOCUMENTATION_PUBLIC: 'true',
};

const lines = fs.readFileSync(path.join(root, '.env.example'), 'utf8').split('\n');
const seen = new Set();
const output = lines.map((line) => {
  const match = /^#?\s*([A-Z][A-Z0-9_]*)=/.exec(line);
  if (!match || !(match[1] in values)) return line;
  seen.add(match[1]);
  return `${match[1]}=${values[match[1]]}`;
});
for (const [key, value] of Object.entries(values)) if (!seen.has(key)) output.push(`${key}=${value}`);

fs.writeFileSync(target, output.join('\n'), { mode: 0o600 });
console.log('.env created with generated secrets.');
console.log(`First staff login (shown once, also in .env): ${values.ADMIN_EMAIL} / ${values.ADMIN_PASSWORD}`);
