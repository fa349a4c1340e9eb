# shellcheck shell=bash
# `npm ci` when node_modules is missing or was installed from another package-lock.json.

ensure_node_modules() {
  local stamp=node_modules/.package-lock.sha1
  local want
  want=$(sha1sum package-lock.json | cut -d' ' -f1)
  if [ -d node_modules ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
    return 0
  fi
  echo "==> npm ci (node_modules missing or stale)"
  npm ci --no-audit --no-fund
  echo "$want" > "$stamp"
  if node -e 'const [a, b] = process.versions.node.split(".").map(Number); process.exit(a > 22 || (a === 22 && b >= 13) ? 1 : 0)'; then
    echo "note: the EBADENGINE warnings for preferred-pm and which-pm above are expected on this Node version (README, Requirements)"
  fi
}
