#!/usr/bin/env bash
# Create or reuse .venv in the repository root and install everything the project needs.
# Debian packages (fonts for PDF fixtures, Chromium for Playwright) are installed when
# apt-get is available and we are root; the Python side comes from requirements.txt.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  missing=""
  command -v chromium >/dev/null 2>&1 || missing="$missing chromium"
  [ -n "$missing" ] && { apt-get update -qq >/dev/null 2>&1 || true; DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null 2>&1 || echo "warning: could not install$missing" >&2; }
fi
PY=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$PY" -m venv .venv
.venv/bin/python -m pip install -q --disable-pip-version-check -r requirements.txt
