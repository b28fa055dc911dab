#!/usr/bin/env bash
# Run a command against a throw-away PostgreSQL cluster.
#
#   scripts/test-postgres.sh CMD [ARGS...]   start a cluster in a temporary directory, create the
#                                            database "civility", run CMD with DATABASE_URL pointing
#                                            at it, then stop the cluster and delete the directory;
#                                            exits with CMD's exit code.
#   scripts/test-postgres.sh --find          print the PostgreSQL server binary directory.
#
# The server binaries come from $PG_BIN, else the newest /usr/lib/postgresql/*/bin, else
# `pg_config --bindir`. Without them the script exits 3. The cluster listens on a Unix socket in
# the temporary directory only (no TCP port), so several runs can happen side by side. As root
# the server runs as the "postgres" user (PostgreSQL refuses to run as root).
set -euo pipefail

find_pg_bin() {
    local dir
    if [[ -n "${PG_BIN:-}" ]]; then
        if [[ -x "$PG_BIN/initdb" && -x "$PG_BIN/pg_ctl" ]]; then
            echo "$PG_BIN"
            return 0
        fi
        echo "test-postgres: PG_BIN=$PG_BIN has no initdb/pg_ctl" >&2
        return 1
    fi
    dir=$(find /usr/lib/postgresql -mindepth 2 -maxdepth 2 -type d -name bin 2>/dev/null |
        sort -V | while read -r d; do
            [[ -x "$d/initdb" && -x "$d/pg_ctl" ]] && echo "$d"
        done | tail -n 1) || true
    if [[ -n "$dir" ]]; then
        echo "$dir"
        return 0
    fi
    if command -v pg_config >/dev/null 2>&1; then
        dir=$(pg_config --bindir 2>/dev/null) || true
        if [[ -n "$dir" && -x "$dir/initdb" && -x "$dir/pg_ctl" ]]; then
            echo "$dir"
            return 0
        fi
    fi
    return 1
}

if ! PG_BIN=$(find_pg_bin); then
    echo "test-postgres: PostgreSQL server binaries (initdb, pg_ctl) not found;" \
        "install the Debian package 'postgresql' or set PG_BIN" >&2
    exit 3
fi

if [[ "${1:-}" == "--find" ]]; then
    echo "$PG_BIN"
    exit 0
fi
if [[ $# -eq 0 ]]; then
    echo "usage: $0 CMD [ARGS...]   |   $0 --find" >&2
    exit 2
fi

# Run a PostgreSQL program as the postgres user when we are root, directly otherwise. The
# subshell changes into the temporary directory so that postgres never needs access to our
# working directory.
as_pg() {
    if [[ $(id -u) -eq 0 ]]; then
        (cd "$PGTMP" && runuser -u postgres -- "$@")
    else
        (cd "$PGTMP" && "$@")
    fi
}

if [[ $(id -u) -eq 0 ]] && ! id postgres >/dev/null 2>&1; then
    echo "test-postgres: running as root but there is no 'postgres' user to run the server" >&2
    exit 3
fi

PGTMP=$(mktemp -d "${TMPDIR:-/tmp}/civility-pg.XXXXXX")
chmod 755 "$PGTMP"
if [[ $(id -u) -eq 0 ]]; then
    chown postgres: "$PGTMP"
fi
PGDATA_DIR="$PGTMP/data"
PGLOG="$PGTMP/server.log"
started=0

cleanup() {
    local rc=$?
    trap - EXIT INT TERM
    if [[ $started -eq 1 ]]; then
        as_pg "$PG_BIN/pg_ctl" -D "$PGDATA_DIR" -m immediate -w stop >/dev/null 2>&1 || true
    fi
    rm -rf "$PGTMP"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

if ! as_pg "$PG_BIN/initdb" -D "$PGDATA_DIR" -A trust -U postgres -E UTF8 --locale=C.UTF-8 \
    >"$PGTMP/initdb.log" 2>&1; then
    echo "test-postgres: initdb failed:" >&2
    cat "$PGTMP/initdb.log" >&2
    exit 1
fi

started=1
if ! as_pg "$PG_BIN/pg_ctl" -D "$PGDATA_DIR" -l "$PGLOG" -w -t 60 \
    -o "-k $PGTMP -c listen_addresses='' -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
    start >/dev/null; then
    echo "test-postgres: the server did not start; its log:" >&2
    cat "$PGLOG" >&2 || true
    exit 1
fi

"$PG_BIN/createdb" -h "$PGTMP" -U postgres civility 2>/dev/null ||
    as_pg "$PG_BIN/createdb" -h "$PGTMP" -U postgres civility

export DATABASE_URL="postgres://postgres@/civility?host=$PGTMP"
echo "test-postgres: PostgreSQL $("$PG_BIN/postgres" --version | awk '{print $3}')" \
    "running in $PGTMP" >&2

rc=0
"$@" || rc=$?
exit "$rc"
