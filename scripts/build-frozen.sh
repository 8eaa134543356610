#!/usr/bin/env bash
# Builds the frozen one-folder program dist/ndnclient/ (ndnclient and ndnclient-gui) with the
# checked-in PyInstaller spec. Run scripts/setup.sh first (it installs PyInstaller in .venv).
set -euo pipefail
cd "$(dirname "$0")/.."
# VENV names another virtual environment than .venv, if you keep one elsewhere.
VENV="${VENV:-.venv}" bash scripts/build-translations.sh
"${VENV:-.venv}"/bin/pyinstaller --noconfirm --clean --log-level WARN \
    --distpath dist --workpath build/pyinstaller installer/ndnclient.spec
echo "build-frozen: dist/ndnclient/ ($(du -sh dist/ndnclient | cut -f1))"
