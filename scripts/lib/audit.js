#!/usr/bin/env node
// `npm audit --omit=dev` against .audit-allowlist.json: exits 1 when a high or critical advisory of a production
// dependency is not on the list, or when a listed entry is past its review date. Listed advisories are printed as
// notes; entries that no longer match anything are reported so they can be removed.
// When the advisory service cannot be reached (an offline mirror), says so and exits 0, or 1 with AUDIT_REQUIRED=1.
// AUDIT_JSON=<file> reads a saved `npm audit --json` report instead of calling npm.
const { spawnSync } = require('child_process');
const fs = require('fs');
const path = require('path');

const root = path.resolve(__dirname, '..', '..');
const BLOCKING = new Set(['high', 'critical']);

function readReport() {
  if (process.env.AUDIT_JSON) return JSON.parse(fs.readFileSync(process.env.AUDIT_JSON, 'utf8'));
  const run = spawnSync('npm', ['audit', '--omit=dev', '--json'], { cwd: root, encoding: 'utf8', maxBuffer: 64 << 20 });
  try {
    return JSON.parse(run.stdout);
  } catch {
    return { error: { summary: (run.stderr || 'no output').trim().split('\n').pop() } };
  }
}

/** Each advisory once: { id (GHSA or npm id), source, package, severity, title, url }. */
function advisoriesOf(report) {
  const found = new Map();
  for (const vulnerability of Object.values(report.vulnerabilities ?? {})) {
    for (const via of vulnerability.via) {
      if (typeof via === 'string') continue; // a dependency path; its advisory is listed under that package
      const ghsa = /GHSA-[\w-]+/.exec(via.url ?? '')?.[0];
      const id = ghsa ?? String(via.source);
      found.set(id, { id, source: via.source, package: via.name, severity: via.severity, title: via.title, url: via.url });
    }
  }
  return [...found.values()];
}

const report = readReport();
if (report.error || !report.vulnerabilities) {
  const why = report.error?.summary || report.message || 'unexpected answer';
  console.log(`npm audit: NOT CHECKED, the advisory service could not be reached (${why})`);
  process.exit(process.env.AUDIT_REQUIRED === '1' ? 1 : 0);
}

const allowlist = JSON.parse(fs.readFileSync(path.join(root, '.audit-allowlist.json'), 'utf8')).advisories;
const today = new Date().toISOString().slice(0, 10);
const listed = (advisory) =>
  allowlist.find((entry) => String(entry.id) === advisory.id || String(entry.id) === String(advisory.source));

let failures = 0;
const advisories = advisoriesOf(report);
for (const advisory of advisories.filter((candidate) => BLOCKING.has(candidate.severity))) {
  const entry = listed(advisory);
  const line = `${advisory.severity} ${advisory.id} in ${advisory.package}: ${advisory.title} (${advisory.url})`;
  if (!entry) {
    console.log(`npm audit: NOT ALLOWED ${line}`);
    failures++;
  } else if (entry.reviewBy < today) {
    console.log(`npm audit: REVIEW EXPIRED (${entry.reviewBy}) ${line}`);
    failures++;
  } else {
    console.log(`npm audit: allowed until ${entry.reviewBy}: ${line} — ${entry.reason}`);
  }
}
for (const entry of allowlist) {
  if (!advisories.some((advisory) => listed(advisory) === entry)) {
    console.log(`npm audit: .audit-allowlist.json entry ${entry.id} (${entry.package}) matches nothing any more: remove it`);
  }
}
const counts = report.metadata?.vulnerabilities ?? {};
console.log(
  `npm audit: ${advisories.length} advisories in production dependencies ` +
    `(critical ${counts.critical ?? 0}, high ${counts.high ?? 0}, moderate ${counts.moderate ?? 0}, low ${counts.low ?? 0}); ` +
    `${failures} blocking`,
);
process.exit(failures > 0 ? 1 : 0);
