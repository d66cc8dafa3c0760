#!/usr/bin/env bash
# Set up, then run every check CI runs: lint, types, tests, the parser's evaluation gate.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
.venv/bin/ruff check .
.venv/bin/ruff format --check .
.venv/bin/mypy
.venv/bin/python -m pytest -q
.venv/bin/python tests/eval/gate.py
