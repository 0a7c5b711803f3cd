#!/usr/bin/env bash
# `make dist-check`: run the bundle from a copy outside the source tree, on a fresh data dir.
# First start: `rft --version`, `rft db upgrade` and `rft demo` create, migrate and fill a new
# embedded database; then `rft --self-test` runs every check offscreen.
set -euo pipefail
bundle="$(cd "$(dirname "$0")/dist/rft" && pwd)"
scratch="$(mktemp -d "${TMPDIR:-/tmp}/rft-dist-check.XXXXXX")"
trap 'rm -rf "$scratch"' EXIT
cp -a "$bundle" "$scratch/rft"
cd "$scratch"
export RFT_DATA_DIR="$scratch/data" QT_QPA_PLATFORM=offscreen
unset DATABASE_URL PYTHONPATH PYTHONHOME VIRTUAL_ENV
export PYTHON_KEYRING_BACKEND=keyring.backends.fail.Keyring
rft() { "$scratch/rft/rft" "$@"; }

echo "bundle: $(du -sh "$scratch/rft" | cut -f1) in $bundle"
rft --version
rft db upgrade
rft demo
test -s "$RFT_DATA_DIR/rft.sqlite3" || { echo "dist-check: no database was created" >&2; exit 1; }
rft sessions --json > "$scratch/sessions.json"
head -c 200 "$scratch/sessions.json"; echo
rft --self-test
