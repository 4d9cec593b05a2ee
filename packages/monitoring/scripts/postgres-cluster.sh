#!/usr/bin/env bash
# A throwaway PostgreSQL 15 cluster for the prediction log tests.
#   start: prints "<url> <folder>" on stdout once the server accepts connections
#   stop <folder>: stops it and removes the folder
# PostgreSQL refuses to run as root, so as root the cluster belongs to the `postgres` user.
set -euo pipefail
BIN="${TANDEM_POSTGRES_BIN:-/usr/lib/postgresql/15/bin}"
as_owner() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
case "${1:-}" in
  start)
    dir="$(mktemp -d /tmp/tandem-postgres-XXXXXX)"
    [ "$(id -u)" = 0 ] && chown postgres: "$dir"
    as_owner "$BIN/initdb" -D "$dir/data" -A trust -U postgres --no-sync >"$dir/initdb.log" 2>&1
    # A free port: ask the kernel for one, then hand it to the server.
    port="$(node -e "const s=require('net').createServer();s.listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")"
    as_owner "$BIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
      -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off" start >/dev/null
    echo "postgres://postgres@127.0.0.1:$port/postgres $dir"
    ;;
  stop)
    dir="${2:?usage: postgres-cluster.sh stop <folder>}"
    as_owner "$BIN/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
    rm -rf "$dir"
    ;;
  *)
    echo "usage: postgres-cluster.sh start | stop <folder>" >&2
    exit 2
    ;;
esac
