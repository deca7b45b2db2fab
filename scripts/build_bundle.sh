#!/usr/bin/env bash
# Build the one-folder Linux bundle (dist/storemon/) in a throw-away venv, then smoke-test it.
#
#   scripts/build_bundle.sh                 # build into ./dist, run the smoke tests
#   DIST=/tmp/out scripts/build_bundle.sh   # build elsewhere
#   PYTHON=python3.12 scripts/build_bundle.sh
#
# The smoke tests run the bundle, not the source: the main window opens once on an empty
# STOREMON_HOME (which also creates the schema through the bundled migrations and fills the demo
# chain), the kiosk opens once, and a weekly PDF report is painted. Exit status 0 means all passed.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
PYTHON="${PYTHON:-python3}"
DIST="${DIST:-$ROOT/dist}"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/storemon-bundle.XXXXXX")"
cleanup() { rm -rf "$WORK"; }
trap cleanup EXIT
started=$SECONDS

step() { printf '\n== %s (%ds)\n' "$*" $((SECONDS - started)); }

step "copying the source (the build never writes into the work tree)"
tar -C "$ROOT" --exclude=./.venv --exclude=./.git --exclude=./dist --exclude=./build \
    --exclude='*.egg-info' --exclude='__pycache__' --exclude=./.hypothesis -cf - . |
    (mkdir "$WORK/src" && tar -C "$WORK/src" -xf -)

step "creating a throw-away venv and installing storemon[postgres] + pyinstaller"
"$PYTHON" -m venv "$WORK/venv"
"$WORK/venv/bin/python" -m pip install -q --upgrade pip
"$WORK/venv/bin/python" -m pip install -q "$WORK/src[postgres]" "pyinstaller>=6.6"

step "building with packaging/storemon.spec"
(cd "$WORK" && "$WORK/venv/bin/pyinstaller" --noconfirm --clean --log-level WARN \
    --distpath "$DIST" --workpath "$WORK/build" "$WORK/src/packaging/storemon.spec")
BUNDLE="$DIST/storemon"
du -sh "$BUNDLE"

step "smoke test: storemon gui --smoke"
HOME_DIR="$WORK/home"
export QT_QPA_PLATFORM=offscreen STOREMON_HOME="$HOME_DIR"
unset STOREMON_DB_URL
"$BUNDLE/storemon" --version
"$BUNDLE/storemon" gui --smoke

step "smoke test: storemon kiosk --smoke and a weekly PDF report"
store="$("$BUNDLE/storemon" report stores --format csv | awk -F, 'NR == 2 { print $2 }')"
if [ -f "$WORK/src/ui/kiosk/__init__.py" ]; then
    "$BUNDLE/storemon" kiosk --store "$store" --smoke
    echo "kiosk: ok ($store)"
else
    echo "kiosk: not built yet (no ui/kiosk/); skipped"
fi
if "$BUNDLE/storemon" report weekly --help >/dev/null 2>&1; then
    week="$(date -d 'last week' +%G-W%V)"
    "$BUNDLE/storemon" report weekly --store "$store" --week "$week" --format pdf --language zh_CN \
        --output "$WORK/weekly.pdf"
    head -c 5 "$WORK/weekly.pdf" | grep -q '%PDF-'
else
    echo "report weekly: not in this CLI yet; skipped"
fi

step "done: $BUNDLE/storemon passed its smoke tests"
