#!/usr/bin/env bash
# Set up, then run every check CI runs: lint, types, tests, the parser's evaluation gate.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
.venv/bin/ruff check .
.venv/bin/ruff format --check .
.venv/bin/mypy
# the slow suites (a whole OCR page, a timing-sensitive distributed kill) run with `pytest -m slow`
.venv/bin/python -m pytest -q -m "not slow"
.venv/bin/python tests/eval/gate.py
