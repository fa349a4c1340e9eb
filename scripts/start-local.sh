#!/usr/bin/env bash
# One command from a fresh clone to a running LOCAL DEMO on SQLite with demo data:
# install, configure (.env with generated secrets), build, seed, run on port 1337. Not a production setup
# (that is docker-compose.yml): it serves the API docs publicly and loads demo members.
# Safe to run again: .env is never overwritten, the build is redone only when sources changed,
# and seeding is an idempotent upsert.
#
# SIGTERM or Ctrl+C stops everything it started (Strapi, the YooKassa stand-in, the bot) before it exits.
# ENV_PATH (default .env) names the env file, as it does for Strapi itself.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/deps.sh
source scripts/lib/build-stamp.sh

ensure_node_modules
node scripts/lib/make-env.js
env_file=${ENV_PATH:-.env}

# Variables already set in the environment win over .env, as they do for Strapi itself.
while IFS='=' read -r key value; do
  [[ $key =~ ^[A-Z_][A-Z0-9_]*$ ]] || continue
  [ -n "${!key+x}" ] || export "$key=$value"
done < "$env_file"
export NODE_ENV=${NODE_ENV:-production}
# This is the local demo: honour SEED_DEMO and DOCUMENTATION_PUBLIC under NODE_ENV=production (config/demo.ts).
export ALLOW_DEMO_SETTINGS=true
PORT=${PORT:-1337}

mkdir -p .tmp
current=$(build_fingerprint)
if [ ! -f "$BUILD_STAMP" ] || [ "$(cat "$BUILD_STAMP")" != "$current" ] || [ ! -d dist/build ]; then
  echo "==> building (server and admin panel; about 2 minutes)"
  npm run build
  echo "$current" > "$BUILD_STAMP"
else
  echo "==> build is up to date"
fi

# Every process started below is a node process of ours (no npx or npm wrapper in between), so signalling
# these pids reaches the programs themselves.
server="" stand_in="" bot=""
stop_all() {
  trap - INT TERM EXIT
  local pids=() pid
  for pid in $server $stand_in $bot; do
    if kill -0 "$pid" 2>/dev/null; then pids+=("$pid"); fi
  done
  [ ${#pids[@]} -gt 0 ] || return 0
  kill -TERM "${pids[@]}" 2>/dev/null || true
  # Strapi closes its database and HTTP server on SIGTERM; give everything 15 s, then force it.
  local alive
  for _ in $(seq 1 150); do
    alive=0
    for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
    [ "$alive" = 1 ] || return 0
    sleep 0.1
  done
  kill -KILL "${pids[@]}" 2>/dev/null || true
}
trap 'stop_all; exit 130' INT
trap 'stop_all; exit 143' TERM
trap 'stop_all' EXIT

# Without YooKassa keys, payments go to the local stand-in (tests/stand-ins/yookassa): a labelled test
# checkout, so a booking can be paid end to end. It is never started when real keys are configured.
checkout_note="YooKassa:       your shop (YOOKASSA_SHOP_ID is set)"
if [ -z "${YOOKASSA_SHOP_ID:-}" ] || [ -z "${YOOKASSA_SECRET_KEY:-}" ]; then
  STAND_IN_PORT=${YOOKASSA_STANDIN_PORT:-$((PORT + 1))}
  npx esbuild tests/stand-ins/yookassa/cli.ts --bundle --platform=node --target=node20 \
    --outfile=.tmp/yookassa-stand-in.js --log-level=warning
  export YOOKASSA_SHOP_ID=local-test-shop YOOKASSA_SECRET_KEY="test_$(node -e 'process.stdout.write(require("crypto").randomBytes(12).toString("hex"))')"
  webhook_url="http://127.0.0.1:$PORT/api/yookassa/webhook"
  rm -f .tmp/yookassa-stand-in.url
  PORT=$STAND_IN_PORT HOST=127.0.0.1 YOOKASSA_WEBHOOK_URL=$webhook_url \
    node .tmp/yookassa-stand-in.js > .tmp/yookassa-stand-in.url &
  stand_in=$!
  for _ in $(seq 1 50); do [ -s .tmp/yookassa-stand-in.url ] && break; sleep 0.1; done
  export YOOKASSA_API_URL=$(head -n1 .tmp/yookassa-stand-in.url)
  export YOOKASSA_WEBHOOK_ALLOWED_IPS=127.0.0.1,::1
  checkout_note="YooKassa:       LOCAL TEST CHECKOUT at $YOOKASSA_API_URL (no real money; set YOOKASSA_SHOP_ID/SECRET_KEY for a real shop)"
fi

echo "==> starting Strapi on port $PORT (demo data: ${SEED_DEMO:-false})"
node node_modules/@strapi/strapi/bin/strapi.js start &
server=$!

for _ in $(seq 1 180); do
  if curl -fsS "http://127.0.0.1:$PORT/api/monitoring/health" >/dev/null 2>&1; then break; fi
  if ! kill -0 "$server" 2>/dev/null; then echo "Strapi exited during start-up" >&2; exit 1; fi
  sleep 1
done

bot_note="Telegram bot:   not started (set BOT_TOKEN in .env to run it beside the API)"
if [ -n "${BOT_TOKEN:-}" ]; then
  npm run --silent build:bot
  STRAPI_URL="http://127.0.0.1:$PORT" node bot/dist/bot/src/main.js > .tmp/bot.log 2>&1 &
  bot=$!
  bot_note="Telegram bot:   running (log: .tmp/bot.log)"
fi

cat <<INFO

  Coworking platform is running (local demo).
    Admin panel:    http://localhost:$PORT/admin   (login: ${ADMIN_EMAIL:-see .env} / password in .env: ADMIN_PASSWORD)
    REST API:       http://localhost:$PORT/api/tariffs   (public; the member endpoints need a token, see docs/API.md)
    Documentation:  http://localhost:$PORT/documentation
    Health:         http://localhost:$PORT/api/monitoring/health
    $checkout_note
    $bot_note
  Stop with Ctrl+C.

INFO
wait "$server"
