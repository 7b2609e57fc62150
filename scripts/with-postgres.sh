#!/usr/bin/env bash
# Runs a command against a throw-away PostgreSQL (Debian's packages) on 127.0.0.1 and a free port, with
# TEST_DATABASE_URL pointing at it; the server is stopped and its directory removed when the command ends.
#   bash scripts/with-postgres.sh [command...]     (default: the database tests)
set -euo pipefail
cd "$(dirname "$0")/.."

bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
if [[ -z "$bindir" || ! -x "$bindir/initdb" ]]; then
  echo "PostgreSQL server binaries not found. Install them (as root): apt-get update && apt-get install -y postgresql" >&2
  exit 1
fi

# initdb refuses to run as root, so the cluster belongs to the postgres user when we are root.
as_pg() {
  if [[ $(id -u) -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}

port=$(node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
dir=$(mktemp -d "${TMPDIR:-/tmp}/techdiary-pg-XXXXXX")
[[ $(id -u) -eq 0 ]] && chown postgres: "$dir"

stop_pg() {
  if [[ -f "$dir/data/postmaster.pid" ]]; then
    as_pg "$bindir/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || {
      pid=$(head -n 1 "$dir/data/postmaster.pid" 2>/dev/null || true)
      [[ -n "$pid" ]] && kill -KILL "$pid" 2>/dev/null || true
    }
  fi
  rm -rf "$dir"
}
trap stop_pg EXIT

as_pg "$bindir/initdb" -D "$dir/data" -U postgres -A trust --no-locale -E UTF8 --no-sync >"$dir/initdb.log" 2>&1 ||
  { cat "$dir/initdb.log" >&2; exit 1; }
# Durability is irrelevant for a test cluster; these settings make CREATE DATABASE per test file cheap.
as_pg "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
  -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
  start >/dev/null || { cat "$dir/server.log" >&2; exit 1; }
echo "PostgreSQL $("$bindir/postgres" --version | awk '{print $NF}') on 127.0.0.1:$port (pid $(head -n 1 "$dir/data/postmaster.pid"))"

export TEST_DATABASE_URL="postgres://postgres@127.0.0.1:$port/postgres"
if [[ $# -eq 0 ]]; then
  set -- npx vitest run --project node tests/db
fi
"$@"
