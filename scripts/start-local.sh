#!/usr/bin/env bash
# One command from a fresh clone to a running platform on SQLite with demo data:
# install, configure (.env with generated secrets), build, seed, run on port 1337.
# Safe to run again: .env is never overwritten, the build is redone only when sources changed,
# and seeding is an idempotent upsert.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/deps.sh

ensure_node_modules
node scripts/lib/make-env.js

# Variables already set in the environment win over .env, as they do for Strapi itself.
while IFS='=' read -r key value; do
  [[ $key =~ ^[A-Z_][A-Z0-9_]*$ ]] || continue
  [ -n "${!key+x}" ] || export "$key=$value"
done < .env
export NODE_ENV=${NODE_ENV:-production}
PORT=${PORT:-1337}

mkdir -p .tmp
stamp=.tmp/build.sha1
sources=$(ls -d src config plugins database types 2>/dev/null || true)
# shellcheck disable=SC2086
current=$( (cat package-lock.json; find $sources -type f -not -path 'plugins/*/dist/*' -not -name '*.tsbuildinfo' -print0 \
  | sort -z | xargs -0 sha1sum) | sha1sum | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$current" ] || [ ! -d dist/build ]; then
  echo "==> building (server and admin panel; about 2 minutes)"
  npm run build
  echo "$current" > "$stamp"
else
  echo "==> build is up to date"
fi

# Without YooKassa keys, payments go to the local stand-in (tests/stand-ins/yookassa): a labelled test
# checkout, so a booking can be paid end to end. It is never started when real keys are configured.
stand_in=""
checkout_note="YooKassa:       your shop (YOOKASSA_SHOP_ID is set)"
if [ -z "${YOOKASSA_SHOP_ID:-}" ] || [ -z "${YOOKASSA_SECRET_KEY:-}" ]; then
  STAND_IN_PORT=${YOOKASSA_STANDIN_PORT:-$((PORT + 1))}
  npx esbuild tests/stand-ins/yookassa/cli.ts --bundle --platform=node --target=node20 \
    --outfile=.tmp/yookassa-stand-in.js --log-level=warning
  export YOOKASSA_SHOP_ID=local-test-shop YOOKASSA_SECRET_KEY="test_$(node -e 'process.stdout.write(require("crypto").randomBytes(12).toString("hex"))')"
  webhook_url="http://127.0.0.1:$PORT/api/yookassa/webhook"
  PORT=$STAND_IN_PORT HOST=127.0.0.1 YOOKASSA_WEBHOOK_URL=$webhook_url \
    node .tmp/yookassa-stand-in.js > .tmp/yookassa-stand-in.url &
  stand_in=$!
  for _ in $(seq 1 50); do [ -s .tmp/yookassa-stand-in.url ] && break; sleep 0.1; done
  export YOOKASSA_API_URL=$(head -n1 .tmp/yookassa-stand-in.url)
  export YOOKASSA_WEBHOOK_ALLOWED_IPS=127.0.0.1,::1
  checkout_note="YooKassa:       LOCAL TEST CHECKOUT at $YOOKASSA_API_URL (no real money; set YOOKASSA_SHOP_ID/SECRET_KEY for a real shop)"
fi

echo "==> starting Strapi on port $PORT (demo data: ${SEED_DEMO:-false})"
npx strapi start &
server=$!
trap 'kill "$server" $stand_in 2>/dev/null; wait "$server" 2>/dev/null' INT TERM

for _ in $(seq 1 180); do
  if curl -fsS "http://127.0.0.1:$PORT/api/monitoring/health" >/dev/null 2>&1; then break; fi
  if ! kill -0 "$server" 2>/dev/null; then echo "Strapi exited during start-up" >&2; exit 1; fi
  sleep 1
done

bot_note="Telegram bot:   not started (set BOT_TOKEN in .env to run it beside the API)"
bot=""
if [ -n "${BOT_TOKEN:-}" ]; then
  STRAPI_URL="http://127.0.0.1:$PORT" npm run --silent bot > .tmp/bot.log 2>&1 &
  bot=$!
  trap 'kill "$server" $stand_in $bot 2>/dev/null; wait "$server" 2>/dev/null' INT TERM
  bot_note="Telegram bot:   running (log: .tmp/bot.log)"
fi

cat <<INFO

  Coworking platform is running.
    Admin panel:    http://localhost:$PORT/admin   (login: ${ADMIN_EMAIL:-see .env} / password in .env: ADMIN_PASSWORD)
    REST API:       http://localhost:$PORT/api     (e.g. http://localhost:$PORT/api/tariffs)
    Documentation:  http://localhost:$PORT/documentation
    Health:         http://localhost:$PORT/api/monitoring/health
    $checkout_note
    $bot_note
  Stop with Ctrl+C.

INFO
wait "$server"
