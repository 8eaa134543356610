#!/usr/bin/env bash
# Builds the .qm the GUI loads at start from the .ts sources, with Qt's own lrelease.
set -euo pipefail
cd "$(dirname "$0")/.."
# VENV names another virtual environment than .venv, if you keep one elsewhere.
for source in resources/translations/*.ts; do
    "${VENV:-.venv}"/bin/pyside6-lrelease -silent "$source" -qm "${source%.ts}.qm"
done
