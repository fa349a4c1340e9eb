#!/usr/bin/env node
// Loads the demo data into the database configured by the environment (.env), then exits.
//   npm run seed                 uses the compiled app in dist/ (run `npm run build` first)
//   node scripts/seed.js <dir>   uses the compiled app in <dir> instead
// Safe to run any number of times: rows already present are left alone (see database/seed).
const fs = require('fs');
const path = require('path');

const appDir = path.resolve(__dirname, '..');
const distDir = path.resolve(appDir, process.argv[2] ?? 'dist');
const seedModule = path.join(distDir, 'database', 'seed', 'index.js');

async function main() {
  if (!fs.existsSync(seedModule)) {
    console.error(`${path.relative(appDir, seedModule)} not found: build the app first (npm run build).`);
    return 1;
  }
  // The seed runs below, where its report is printed; keep the bootstrap from running it first.
  process.env.SEED_DEMO = 'false';
  // A one-off process: the outbox worker and cron jobs belong to the running server.
  process.env.OUTBOX_WORKER = 'false';
  process.env.STRAPI_DISABLE_CRON = 'true';
  const { createStrapi } = require('@strapi/strapi');
  const strapi = await createStrapi({ appDir, distDir, autoReload: false, serveAdminPanel: false }).load();
  try {
    const { seedDemoData } = require(seedModule);
    const report = await seedDemoData(strapi);
    console.log(`Demo data (anchor ${report.anchor}) written in ${report.durationMs} ms:`);
    for (const [name, { created, existing }] of Object.entries(report.counts)) {
      console.log(`  ${name.padEnd(16)} ${String(created).padStart(5)} new ${String(existing).padStart(6)} already present`);
    }
    const { successfulBookings, promocodeUsedCount } = report.updated;
    console.log(`  counters brought up to date: ${successfulBookings} members' successfulBookings, ${promocodeUsedCount} promo codes' usedCount`);
    return 0;
  } finally {
    await strapi.destroy();
  }
}

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
