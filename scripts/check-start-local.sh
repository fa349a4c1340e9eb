#!/usr/bin/env bash
# Checks scripts/start-local.sh as a process manager uses it: start it, wait until it serves, check that the URLs
# its banner prints answer, send SIGTERM to the script alone, then check that the script exited, that nothing it
# started is left running and that its ports are free. Builds nothing: run after `npm run build` with the build
# stamp written (scripts/test.sh does both), else start-local.sh rebuilds first (about 2 minutes).
#
# Uses a throwaway env file, SQLite database and free ports; no demo data, no bot, the YooKassa stand-in on.
# Env: CHECK_START_LOCAL_TIMEOUT (seconds to wait for the start, default 240).
set -euo pipefail
cd "$(dirname "$0")/.."

work=$(mktemp -d)
script_pid=""
# The script runs in a session of its own (setsid), so everything it started can be found, and killed if left.
session_pids() { ps -o pid= -s "$script_pid" 2>/dev/null | tr -d ' ' || true; }
cleanup() {
  if [ -n "$script_pid" ]; then
    local left
    left=$(session_pids)
    # shellcheck disable=SC2086
    [ -z "$left" ] || kill -KILL $left 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

fail() {
  echo "check-start-local: FAILED: $*" >&2
  echo "--- start-local.sh output ---" >&2
  cat "$work/out.log" >&2
  exit 1
}

free_port() { node -e 'const s = require("net").createServer().listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); });'; }
port=$(free_port)
stand_in_port=$(free_port)
listening() { (echo >"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

env -u BOT_TOKEN -u YOOKASSA_SHOP_ID -u YOOKASSA_SECRET_KEY \
  ENV_PATH="$work/demo.env" \
  PORT="$port" \
  HOST=127.0.0.1 \
  YOOKASSA_STANDIN_PORT="$stand_in_port" \
  DATABASE_CLIENT=sqlite \
  DATABASE_FILENAME="$work/data.db" \
  SEED_DEMO=false \
  STRAPI_DISABLE_CRON=true \
  setsid bash scripts/start-local.sh >"$work/out.log" 2>&1 </dev/null &
script_pid=$!

deadline=$((SECONDS + ${CHECK_START_LOCAL_TIMEOUT:-240}))
until grep -q 'Stop with Ctrl+C' "$work/out.log"; do
  kill -0 "$script_pid" 2>/dev/null || fail "start-local.sh exited during start-up"
  [ "$SECONDS" -lt "$deadline" ] || fail "no banner within ${CHECK_START_LOCAL_TIMEOUT:-240} s"
  sleep 1
done

checks=0
# Every URL of the banner's API lines answers 200 (the admin panel, the docs, the health check, the REST example).
urls=$(grep -oE 'http://localhost:[0-9]+/[^ )]*' "$work/out.log" | sort -u)
[ "$(echo "$urls" | wc -l)" -ge 4 ] || fail "the banner lists fewer than 4 URLs: $urls"
for url in $urls; do
  code=$(curl -sS -o /dev/null -w '%{http_code}' "${url/localhost/127.0.0.1}") || code=000
  [ "$code" = 200 ] || fail "$url (printed by the banner) answered $code"
  checks=$((checks + 1))
done
listening "$stand_in_port" || fail "the YooKassa stand-in is not listening on $stand_in_port"

started=$(session_pids | wc -l)
[ "$started" -ge 3 ] || fail "expected the script, Strapi and the stand-in in its session, found $started processes"

# SIGTERM to the script's pid only, as `kill` or a process manager stopping its main process does.
kill -TERM "$script_pid"
for _ in $(seq 1 300); do
  kill -0 "$script_pid" 2>/dev/null || break
  sleep 0.1
done
kill -0 "$script_pid" 2>/dev/null && fail "start-local.sh still running 30 s after SIGTERM"
wait "$script_pid" 2>/dev/null || true
checks=$((checks + 1))

left=$(ps -o pid=,args= -s "$script_pid" 2>/dev/null || true)
[ -z "$left" ] || fail "processes left running after SIGTERM: $left"
! listening "$port" || fail "port $port (Strapi) still open after SIGTERM"
! listening "$stand_in_port" || fail "port $stand_in_port (YooKassa stand-in) still open after SIGTERM"
checks=$((checks + 3))

echo "check-start-local: OK ($checks checks: banner URLs answer; SIGTERM stops Strapi and the stand-in and frees their ports)"
