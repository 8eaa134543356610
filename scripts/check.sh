#!/usr/bin/env bash
# The static checks CI runs before the tests, and .pre-commit-config.yaml before a commit:
# ruff (lint, including the layer rules, and format), mypy (strict, the package and the tests)
# and the import-cycle check (docs/architecture.md). A file ruff would reformat fails CI.
set -euo pipefail
cd "$(dirname "$0")/.."
.venv/bin/ruff check .
.venv/bin/ruff format --check .
.venv/bin/mypy
.venv/bin/python scripts/import-cycles.py
