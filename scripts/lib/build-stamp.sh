# shellcheck shell=bash
# The fingerprint of what `npm run build` compiles (the lock file and the server's sources). start-local.sh
# rebuilds when it differs from .tmp/build.sha1; test.sh writes the file after its production build, so the
# start-local check that follows reuses that build.

build_fingerprint() {
  local sources
  sources=$(ls -d src config plugins database types 2>/dev/null || true)
  # shellcheck disable=SC2086
  (cat package-lock.json; find $sources -type f -not -path 'plugins/*/dist/*' -not -name '*.tsbuildinfo' -print0 \
    | sort -z | xargs -0 sha1sum) | sha1sum | cut -d' ' -f1
}

BUILD_STAMP=.tmp/build.sha1
