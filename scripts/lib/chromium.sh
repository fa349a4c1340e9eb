# shellcheck shell=bash
# Installs Debian's `chromium` when /usr/bin/chromium is missing, for the admin panel's browser tests
# (tests/browser: playwright-core drives this Chromium through `executablePath`; no browser is ever downloaded).
# Sourced by scripts/test.sh, which skips the browser suite with one line saying why when this returns non-zero
# (the reason is in CHROMIUM_PROBLEM, and on stderr).
# CHROMIUM_PATH (default /usr/bin/chromium) names another Chromium binary; the tests read the same variable.

CHROMIUM_PROBLEM=

chromium_problem() {
  CHROMIUM_PROBLEM=$1
  echo "$1" >&2
  return 1
}

ensure_chromium() {
  local binary=${CHROMIUM_PATH:-/usr/bin/chromium}
  CHROMIUM_PROBLEM=
  if [ -x "$binary" ]; then
    return 0
  fi
  if [ "$binary" != /usr/bin/chromium ]; then
    chromium_problem "CHROMIUM_PATH=$binary is not an executable file"
    return 1
  fi
  if ! command -v apt-get >/dev/null 2>&1; then
    chromium_problem "Chromium is not installed and there is no apt-get to install it (install Chromium and set CHROMIUM_PATH)"
    return 1
  fi
  if [ "$(id -u)" -ne 0 ]; then
    chromium_problem "Chromium is not installed and this user cannot install it (run as root, or: apt-get install chromium)"
    return 1
  fi
  echo "==> installing chromium from Debian's packages"
  apt-get update -qq || true
  # DejaVu has the Cyrillic glyphs the screenshots of the Russian admin need.
  if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null; then
    chromium_problem "the chromium package could not be installed (apt-get install chromium failed)"
    return 1
  fi
  if [ ! -x /usr/bin/chromium ]; then
    chromium_problem "the chromium package is installed but /usr/bin/chromium is missing"
    return 1
  fi
}
