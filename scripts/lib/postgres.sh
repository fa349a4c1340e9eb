# shellcheck shell=bash
# Installs (from Debian's packages, when missing) and starts a local PostgreSQL 15 for the test suite,
# with a login role that may create databases. Sourced by scripts/test.sh.

PG_VERSION=15
PG_TEST_USER=${PG_TEST_USER:-coworking}
PG_TEST_PASSWORD=${PG_TEST_PASSWORD:-coworking}

pg_as_postgres() { su postgres -s /bin/sh -c "$*"; }

ensure_postgres() {
  if [ ! -x "/usr/lib/postgresql/$PG_VERSION/bin/postgres" ]; then
    if [ "$(id -u)" -ne 0 ]; then
      echo "PostgreSQL $PG_VERSION is not installed and this user cannot install it (run as root, or: apt-get install postgresql-$PG_VERSION)" >&2
      return 1
    fi
    echo "==> installing PostgreSQL $PG_VERSION from Debian's packages"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "postgresql-$PG_VERSION" >/dev/null
  fi
  if ! pg_lsclusters -h 2>/dev/null | awk '{print $1, $2}' | grep -q "^$PG_VERSION main$"; then
    pg_createcluster "$PG_VERSION" main >/dev/null
  fi
  if ! pg_lsclusters -h | awk -v v="$PG_VERSION" '$1 == v && $2 == "main" {print $4}' | grep -q online; then
    pg_ctlcluster "$PG_VERSION" main start
  fi
  for _ in $(seq 1 30); do
    pg_isready -q -h 127.0.0.1 -p 5432 && break
    sleep 1
  done
  pg_isready -q -h 127.0.0.1 -p 5432 || { echo "PostgreSQL did not become ready" >&2; return 1; }
  if ! pg_as_postgres "psql -tAc \"select 1 from pg_roles where rolname = '$PG_TEST_USER'\"" | grep -q 1; then
    pg_as_postgres "psql -qc \"create role $PG_TEST_USER login createdb password '$PG_TEST_PASSWORD'\""
  fi
  export DATABASE_CLIENT=postgres DATABASE_HOST=127.0.0.1 DATABASE_PORT=5432
  export DATABASE_USERNAME=$PG_TEST_USER DATABASE_PASSWORD=$PG_TEST_PASSWORD
}
