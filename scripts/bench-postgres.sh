#!/usr/bin/env bash
# A throw-away PostgreSQL cluster that stays up for measuring (seed_city, benchmark).
#
#   scripts/bench-postgres.sh start [DIR]   initdb (UTF-8, C.UTF-8 locale so pg_trgm indexes
#                                           Chinese text) and start a server on a Unix socket in
#                                           DIR (default /tmp/civility-bench-pg), create the
#                                           database "civility" and print its DATABASE_URL
#   scripts/bench-postgres.sh url [DIR]     print the DATABASE_URL of a running cluster
#   scripts/bench-postgres.sh stop [DIR]    stop the server and delete DIR
#
# No TCP port is opened. As root the server runs as "postgres". The server binaries are found
# as scripts/test-postgres.sh finds them.
set -euo pipefail

action=${1:-}
DIR=${2:-/tmp/civility-bench-pg}
PG_BIN=$("$(dirname "$0")/test-postgres.sh" --find) || exit 3

as_pg() {
    if [[ $(id -u) -eq 0 ]]; then
        (cd "$DIR" && runuser -u postgres -- "$@")
    else
        (cd "$DIR" && "$@")
    fi
}

url() { echo "postgres://postgres@/civility?host=$DIR"; }

case "$action" in
start)
    if [[ -e "$DIR" ]]; then
        echo "bench-postgres: $DIR exists; stop it first" >&2
        exit 1
    fi
    mkdir -p "$DIR"
    chmod 755 "$DIR"
    [[ $(id -u) -eq 0 ]] && chown postgres: "$DIR"
    as_pg "$PG_BIN/initdb" -D "$DIR/data" -A trust -U postgres -E UTF8 --locale=C.UTF-8 \
        >"$DIR/initdb.log" 2>&1
    as_pg "$PG_BIN/pg_ctl" -D "$DIR/data" -l "$DIR/server.log" -w -t 60 \
        -o "-k $DIR -c listen_addresses='' -c shared_buffers=512MB -c work_mem=32MB -c max_connections=200 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
        start >/dev/null
    "$PG_BIN/createdb" -h "$DIR" -U postgres civility
    url
    ;;
url) url ;;
stop)
    if [[ -d "$DIR/data" ]]; then
        as_pg "$PG_BIN/pg_ctl" -D "$DIR/data" -m fast -w stop >/dev/null 2>&1 || true
    fi
    rm -rf "$DIR"
    ;;
*)
    echo "usage: $0 start|url|stop [DIR]" >&2
    exit 2
    ;;
esac
