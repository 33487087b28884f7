#!/usr/bin/env bash
# Starts, idempotently, the PostgreSQL server the tests use: its own cluster in $CRM_PG_DATA (default
# /var/tmp/crm-test-pg), listening on 127.0.0.1:$CRM_PG_PORT (default 54329) only, trust authentication on
# loopback. Durability settings are off: it holds throw-away test databases. Prints the admin connection string.
set -euo pipefail
# Several test assemblies may call this at once on a fresh machine: one at a time, across processes.
exec 9>"/tmp/crm-test-pg.lock"
flock 9
port=${CRM_PG_PORT:-54329}
data=${CRM_PG_DATA:-/var/tmp/crm-test-pg}
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
if [ -z "$bin" ]; then
  echo "postgres.sh: PostgreSQL is not installed; run .ci/install-deps.sh" >&2
  exit 1
fi

as_owner() {
  # initdb and the server refuse to run as root.
  if [ "$(id -u)" -eq 0 ]; then su postgres -s /bin/bash -c "$1"; else bash -c "$1"; fi
}

if [ ! -f "$data/PG_VERSION" ]; then
  mkdir -p "$data"
  [ "$(id -u)" -eq 0 ] && chown postgres:postgres "$data"
  as_owner "'$bin/initdb' -D '$data' -U postgres --auth=trust --encoding=UTF8 --no-locale" >/dev/null
fi

if ! as_owner "'$bin/pg_ctl' -D '$data' status" >/dev/null 2>&1; then
  # 9>&-: the server must not inherit the lock's descriptor, or it holds the lock for as long as it runs and the
  # next caller of this script waits for ever.
  as_owner "'$bin/pg_ctl' -D '$data' -l '$data/server.log' -w -t 60 start -o \"-p $port -k /tmp -c listen_addresses=127.0.0.1 -c max_connections=400 -c fsync=off -c synchronous_commit=off -c full_page_writes=off\"" >/dev/null 9>&-
fi

echo "Host=127.0.0.1;Port=$port;Username=postgres;Database=postgres"
