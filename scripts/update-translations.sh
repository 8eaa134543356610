#!/usr/bin/env bash
# Refreshes the translation source (resources/translations/ndnclient_ja.ts) from the GUI's
# tr() calls, with Qt's own lupdate; then translate the new entries (pyside6-linguist, or by
# hand) and run scripts/build-translations.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
# VENV names another virtual environment than .venv, if you keep one elsewhere.
"${VENV:-.venv}"/bin/pyside6-lupdate -no-obsolete -locations none ndnclient/ui/*.py ndnclient/ui/pages/*.py \
    -ts resources/translations/ndnclient_ja.ts
