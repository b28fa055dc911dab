#!/usr/bin/env bash
# Print the path of a Python >= 3.12 to use for civility's virtualenv.
#
# Order: $PYTHON if set (an error if it is too old or does not run), else the first of
# python3.13, python3.12, python3 on PATH that really runs and is >= 3.12 (pyenv shims for
# versions that are not selected fail to run and are skipped), else the newest pyenv-installed
# Python >= 3.12 under $(pyenv root)/versions/*/bin/python.
set -uo pipefail

MIN_MAJOR=3
MIN_MINOR=12
HINT="civility needs Python >= ${MIN_MAJOR}.${MIN_MINOR}: install it or run make PYTHON=/path/to/python3.12"

# version_of CMD: print "major minor" of the interpreter, or nothing if it does not run.
version_of() {
    "$1" -c 'import sys; print(sys.version_info[0], sys.version_info[1])' 2>/dev/null </dev/null
}

# good CMD: true if CMD runs and is new enough.
good() {
    local v major minor
    v=$(version_of "$1") || return 1
    read -r major minor <<<"$v"
    [[ "$major" =~ ^[0-9]+$ && "$minor" =~ ^[0-9]+$ ]] || return 1
    ((major > MIN_MAJOR || (major == MIN_MAJOR && minor >= MIN_MINOR)))
}

# absolute CMD: print an absolute path for CMD (a name on PATH or a path).
absolute() {
    local p
    if [[ "$1" == */* ]]; then
        p="$1"
    else
        p=$(command -v "$1") || return 1
    fi
    # Ask the interpreter itself: a shim or wrapper resolves to the real executable.
    "$p" -c 'import sys; print(sys.executable)' 2>/dev/null </dev/null || echo "$p"
}

if [[ -n "${PYTHON:-}" ]]; then
    if good "$PYTHON"; then
        absolute "$PYTHON"
        exit 0
    fi
    v=$(version_of "$PYTHON" | tr ' ' .)
    if [[ -n "$v" ]]; then
        echo "PYTHON=$PYTHON is Python $v; $HINT" >&2
    else
        echo "PYTHON=$PYTHON does not run as a Python interpreter; $HINT" >&2
    fi
    exit 1
fi

for name in python3.13 python3.12 python3; do
    if command -v "$name" >/dev/null 2>&1 && good "$name"; then
        absolute "$name"
        exit 0
    fi
done

pyenv_root=$(pyenv root 2>/dev/null || echo "$HOME/.pyenv")
best=""
best_key=-1
for candidate in "$pyenv_root"/versions/*/bin/python; do
    [[ -x "$candidate" ]] || continue
    good "$candidate" || continue
    read -r major minor <<<"$(version_of "$candidate")"
    micro=$("$candidate" -c 'import sys; print(sys.version_info[2])' 2>/dev/null </dev/null || echo 0)
    key=$((major * 1000000 + minor * 1000 + micro))
    if ((key > best_key)); then
        best_key=$key
        best=$candidate
    fi
done
if [[ -n "$best" ]]; then
    echo "$best"
    exit 0
fi

echo "$HINT" >&2
exit 1
