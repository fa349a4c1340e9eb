#!/usr/bin/env node
// Adds up jest --json result files (plus FAILED_CHECKS, script-level checks that failed) and prints
// one closing line: "tests: N passed, N failed".
const fs = require('fs');

let passed = 0;
let failed = Number(process.env.FAILED_CHECKS || 0);
let skipped = 0;
for (const file of process.argv.slice(2)) {
  const result = JSON.parse(fs.readFileSync(file, 'utf8'));
  passed += result.numPassedTests;
  failed += result.numFailedTests + (result.numRuntimeErrorTestSuites || 0);
  skipped += result.numPendingTests + result.numTodoTests;
}
console.log(`tests: ${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(failed > 0 ? 1 : 0);
