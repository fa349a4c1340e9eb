#!/usr/bin/env bash
# Production check of /documentation, which jest cannot do (it never runs `strapi start` with
# NODE_ENV=production on the built admin). Builds nothing: run `npm run build` first.
#
# Usage: scripts/check-documentation.sh
#   Boots the built app with `strapi start`, NODE_ENV=production, on a free port of 127.0.0.1 and a
#   throwaway SQLite database (the app's .env is ignored), then checks that without credentials the page
#   and the spec answer 401 (the production default), that the UI assets are served, and that a staff
#   member's admin JWT gets the page and a valid spec. Exits non-zero on the first failure and prints
#   the server log. Env: CHECK_DOCUMENTATION_TIMEOUT (seconds to wait for the boot, default 180).
set -euo pipefail

cd "$(dirname "$0")/.."
if [ ! -f dist/src/index.js ] || [ ! -d dist/build ] || [ ! -f plugins/api-docs/dist/server/index.js ]; then
  echo "check-documentation: no production build here; run 'npm run build' first" >&2
  exit 1
fi

work=$(mktemp -d)
server_pid=""
cleanup() {
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
    kill "$server_pid"
    wait "$server_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

fail() {
  echo "check-documentation: FAILED: $*" >&2
  echo "--- server log ---" >&2
  cat "$work/server.log" >&2
  exit 1
}

port=$(node -e 'const s = require("net").createServer().listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); });')
base="http://127.0.0.1:$port"
admin_email="docs-check@example.com"
admin_password="Docs-Check-Passw0rd"

: >"$work/empty.env"
# Only what a production boot needs; DOCUMENTATION_PUBLIC stays unset to check the production default.
env -u DOCUMENTATION_PUBLIC \
  ENV_PATH="$work/empty.env" \
  NODE_ENV=production \
  HOST=127.0.0.1 \
  PORT="$port" \
  PUBLIC_URL="" \
  DATABASE_CLIENT=sqlite \
  DATABASE_FILENAME="$work/data.db" \
  APP_KEYS=checkKeyA,checkKeyB \
  API_TOKEN_SALT=check-api-token-salt \
  ADMIN_JWT_SECRET=check-admin-jwt-secret \
  TRANSFER_TOKEN_SALT=check-transfer-token-salt \
  JWT_SECRET=check-jwt-secret \
  ENCRYPTION_KEY=check-encryption-key-0123456789 \
  ADMIN_EMAIL="$admin_email" \
  ADMIN_PASSWORD="$admin_password" \
  SEED_DEMO=false \
  STRAPI_DISABLE_CRON=true \
  STRAPI_TELEMETRY_DISABLED=true \
  node_modules/.bin/strapi start >"$work/server.log" 2>&1 &
server_pid=$!

deadline=$((SECONDS + ${CHECK_DOCUMENTATION_TIMEOUT:-180}))
until curl -fs -o /dev/null "$base/api/monitoring/health"; do
  kill -0 "$server_pid" 2>/dev/null || fail "strapi start exited during boot"
  [ "$SECONDS" -lt "$deadline" ] || fail "no answer on $base within ${CHECK_DOCUMENTATION_TIMEOUT:-180} s"
  sleep 1
done

# status PATH [curl options...]: the HTTP status of GET PATH.
status() {
  local path=$1
  shift
  curl -sS -o "$work/body" -w '%{http_code}' "$@" "$base$path"
}

checks=0
expect_status() {
  local want=$1 got
  shift
  got=$(status "$@")
  [ "$got" = "$want" ] || fail "GET $1 answered $got, expected $want"
  checks=$((checks + 1))
}

expect_status 401 /documentation
expect_status 401 /documentation/openapi.json
expect_status 200 /documentation/assets/swagger-ui-bundle.js

login=$(curl -sS -H 'Content-Type: application/json' \
  -d "{\"email\":\"$admin_email\",\"password\":\"$admin_password\"}" "$base/admin/login")
token=$(node -e 'process.stdout.write(JSON.parse(process.argv[1]).data?.token ?? "")' "$login")
[ -n "$token" ] || fail "admin login failed: $login"

expect_status 200 /documentation -H "Authorization: Bearer $token"
grep -q 'assets/swagger-ui-bundle.js' "$work/body" || fail "the page does not load Swagger UI"
expect_status 200 /documentation/openapi.json -H "Authorization: Bearer $token"
node -e '
  const spec = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
  const problems = [];
  if (!/^3\.\d+\.\d+$/.test(spec.openapi)) problems.push(`openapi is ${spec.openapi}`);
  const id = spec.paths?.["/api/bookings/{id}"]?.get?.parameters?.find((p) => p.in === "path" && p.name === "id");
  if (id?.schema?.type !== "string" || id.schema.format !== undefined) problems.push("GET /api/bookings/{id}: id is not a documentId string");
  if (!spec.paths?.["/api/monitoring/health"]?.get) problems.push("GET /api/monitoring/health is missing");
  const confirm = spec.paths?.["/booking-desk/bookings/{documentId}/confirm"]?.post;
  if (!confirm || JSON.stringify(confirm.security) !== JSON.stringify([{ adminAuth: [] }])) problems.push("POST /booking-desk/bookings/{documentId}/confirm is missing or not behind the admin JWT");
  if (!spec.components?.securitySchemes?.adminAuth) problems.push("the adminAuth security scheme is missing");
  if (problems.length) { console.error(problems.join("\n")); process.exit(1); }
' "$work/body" || fail "the spec served in production is wrong"
checks=$((checks + 1))

echo "check-documentation: OK ($checks checks against strapi start, NODE_ENV=production)"
