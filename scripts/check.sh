#!/usr/bin/env bash
# The static checks CI runs before the tests: ruff (lint and format) and mypy (strict).
# Run it before every commit: a file ruff would reformat fails CI.
set -euo pipefail
cd "$(dirname "$0")/.."
.venv/bin/ruff check .
.venv/bin/ruff format --check .
.venv/bin/mypy
