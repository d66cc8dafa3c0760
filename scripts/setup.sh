#!/usr/bin/env bash
# Create or reuse .venv in the repository root and install the pinned requirements.
# Debian's Chromium (for lists only scripts fill) is installed with apt when missing and
# we are root; without it crawls still run, with --render never.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x /usr/bin/chromium ] && [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  (apt-get install -y -qq chromium >/dev/null 2>&1 || { apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq chromium >/dev/null 2>&1; }) \
    || echo "warning: could not install chromium; browser rendering will be unavailable" >&2
fi
PY=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$PY" -m venv .venv
.venv/bin/python -m pip install -q --disable-pip-version-check -r requirements.txt
