#!/usr/bin/env bash
# The one test command: installs what is missing, type-checks, runs every test.
#   scripts/test.sh                 unit + API tests on SQLite, then the bot's end-to-end tests on SQLite
#                                   (installs redis-server from Debian's packages when missing, for the tests that
#                                   share state through Redis, which are skipped with a message when that fails)
#   TEST_POSTGRES=1 scripts/test.sh also the API tests against PostgreSQL 15 (always on with CI=true;
#                                   installs PostgreSQL from Debian's packages when it is missing)
# Then `npm audit --omit=dev` against .audit-allowlist.json, the production build with its /documentation check,
# start-local.sh stopped by SIGTERM (scripts/check-start-local.sh), and the admin panel's browser tests in Debian's
# Chromium (installed when missing; skipped with one line saying why where it cannot be). Server logs of each test
# file go to .tmp/logs/ (the tail is printed when the file fails).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/deps.sh
source scripts/lib/postgres.sh
source scripts/lib/redis.sh
source scripts/lib/chromium.sh
source scripts/lib/build-stamp.sh

started=$(date +%s)
mkdir -p .tmp
rm -f .tmp/jest-*.json

ensure_node_modules

echo "==> compiling plugins and type-checking"
node scripts/build-plugins.js
npx tsc --noEmit -p tsconfig.json
npx tsc --noEmit -p tests/tsconfig.json
npx tsc --noEmit -p src/admin/tsconfig.json
npx tsc --noEmit -p bot/tsconfig.json

status=0
failed_checks=0

echo "==> generated Strapi types match the schemas"
npx strapi ts:generate-types --silent
if git rev-parse --is-inside-work-tree >/dev/null 2>&1 && ! git diff --quiet -- types/generated; then
  echo "types/generated was stale and has been regenerated: commit it" >&2
  status=1
  failed_checks=$((failed_checks + 1))
fi

# redis-server for the tests that share state through Redis (newsletter rate, two-instance rate limits, the bot's
# restart); each skips itself with a message when it cannot be installed.
ensure_redis || true

echo "==> unit and API tests (SQLite)"
npx jest --runInBand --selectProjects unit api --json --outputFile=.tmp/jest-sqlite.json || status=1

echo "==> security tests (SQLite; the two-instance rate-limit test uses redis-server)"
npx jest --runInBand --selectProjects security --json --outputFile=.tmp/jest-security.json || status=1

echo "==> bot end-to-end tests (SQLite)"
npx jest --runInBand --selectProjects bot --json --outputFile=.tmp/jest-bot.json || status=1

if [ "${CI:-}" = "true" ] || [ "${TEST_POSTGRES:-}" = "1" ]; then
  echo "==> API tests (PostgreSQL)"
  ensure_postgres
  npx jest --runInBand --selectProjects api --json --outputFile=.tmp/jest-postgres.json || status=1
fi

echo "==> npm audit --omit=dev (high and critical advisories must be on .audit-allowlist.json)"
node scripts/lib/audit.js || { status=1; failed_checks=$((failed_checks + 1)); }

echo "==> production build (server + admin panel), /documentation under strapi start, start-local.sh and SIGTERM"
fingerprint=$(build_fingerprint)
admin_built=0
if npm run build >.tmp/build.log 2>&1; then
  admin_built=1
  # start-local.sh reuses this build instead of making its own.
  echo "$fingerprint" >"$BUILD_STAMP"
  scripts/check-documentation.sh || { status=1; failed_checks=$((failed_checks + 1)); }
  scripts/check-start-local.sh || { status=1; failed_checks=$((failed_checks + 1)); }
else
  tail -40 .tmp/build.log
  echo "production build failed" >&2
  status=1
  failed_checks=$((failed_checks + 1))
fi

# The admin panel in a real Chromium (tests/browser, docs/ADMIN.md, Browser tests): reuses the admin bundle
# the build above wrote to dist/build (hence TEST_DIST_DIR=dist); screenshots go to .tmp/artefacts/screenshots/.
if [ "$admin_built" != 1 ] || [ ! -f dist/build/index.html ]; then
  echo "browser tests skipped: the production build step made no admin panel (dist/build)"
  status=1
elif ensure_chromium 2>/dev/null; then
  echo "==> browser tests of the admin panel (Chromium from Debian's packages)"
  TEST_DIST_DIR=dist npx jest --runInBand --selectProjects browser --json --outputFile=.tmp/jest-browser.json || status=1
else
  echo "browser tests skipped: $CHROMIUM_PROBLEM"
fi

if command -v docker >/dev/null 2>&1 && docker compose version >/dev/null 2>&1; then
  echo "==> docker compose config"
  docker compose config --quiet || { status=1; failed_checks=$((failed_checks + 1)); }
else
  echo "==> docker compose not available here: compose file not validated by docker"
fi

echo "==> finished in $(( $(date +%s) - started )) s"
FAILED_CHECKS=$failed_checks node scripts/lib/jest-summary.js .tmp/jest-*.json || status=1
exit $status
