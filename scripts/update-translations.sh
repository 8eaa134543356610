#!/usr/bin/env bash
# Refreshes the translation source (resources/translations/ndnclient_ja.ts) from the GUI's
# tr() calls, with Qt's own lupdate; then translate the new entries (pyside6-linguist, or by
# hand) and run scripts/build-translations.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
# VENV names another virtual environment than .venv, if you keep one elsewhere.
# Every module of the GUI package, sub-packages included (sorted: the same order everywhere).
mapfile -t sources < <(find ndnclient/ui -name '*.py' | sort)
"${VENV:-.venv}"/bin/pyside6-lupdate -no-obsolete -locations none "${sources[@]}" \
    -ts resources/translations/ndnclient_ja.ts
