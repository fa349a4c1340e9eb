# shellcheck shell=bash
# Installs redis-server from Debian's packages when it is missing, for the bot's restart-with-Redis test
# (tests/bot/redis-restart.test.ts starts its own throwaway server on a free port and skips, saying why,
# when there is no redis-server). Sourced by scripts/test.sh.

ensure_redis() {
  if command -v redis-server >/dev/null 2>&1; then
    return 0
  fi
  if [ "$(id -u)" -ne 0 ]; then
    echo "redis-server is not installed and this user cannot install it (run as root, or: apt-get install redis-server); the bot's Redis test will be skipped" >&2
    return 1
  fi
  echo "==> installing redis-server from Debian's packages"
  apt-get update -qq || true
  if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null; then
    echo "redis-server could not be installed; the bot's Redis test will be skipped" >&2
    return 1
  fi
  # The package starts a system service where systemd runs; the test does not use it.
  command -v redis-server >/dev/null 2>&1
}
