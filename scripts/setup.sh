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
# LibreOffice (legacy .doc/.wps/.rtf attachments, converted to DOCX; crawler/core/extract/legacy.py) with its
# python3-uno for unoserver, and Tesseract's Chinese model (the OCR fallback): from Debian, when missing.
if { [ ! -x /usr/bin/soffice ] || [ ! -x /usr/bin/tesseract ]; } && [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  DEB_OFFICE=(libreoffice-writer-nogui python3-uno tesseract-ocr tesseract-ocr-chi-sim)
  (apt-get install -y -qq "${DEB_OFFICE[@]}" >/dev/null 2>&1 || { apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq "${DEB_OFFICE[@]}" >/dev/null 2>&1; }) \
    || echo "warning: could not install LibreOffice/Tesseract; .doc/.wps/.rtf reports will be refused (exit 2)" >&2
elif [ ! -x /usr/bin/soffice ]; then
  echo "warning: LibreOffice is missing (not root?); .doc/.wps/.rtf reports will be refused: apt-get install libreoffice-writer-nogui python3-uno" >&2
fi
PY=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$PY" -m venv .venv
.venv/bin/python -m pip install -q --disable-pip-version-check -r requirements.txt
# RapidOCR's wheel carries its PP-OCR models (no download at run time) but requires the GUI build of
# OpenCV, which needs libGL and would clash with opencv-python-headless (requirements.txt): so --no-deps,
# its other dependencies are pinned in requirements.txt.
.venv/bin/python -m pip install -q --disable-pip-version-check --no-deps rapidocr_onnxruntime==1.4.4
# pywb (scripts/replay.sh, tests/test_replay.py, docs/REPLAY.md) lives in its own .venv-pywb:
# it would downgrade cryptography and pyOpenSSL under Scrapy, and its brotlipy installs a
# `brotli` module that shadows Brotli's (no Decompressor.process, which Scrapy calls).
# Installed (exact pins, from PyPI) only when pywb 2.10.0 is not already there.
PYWB_PINS=(
  pywb==2.10.0 brotlipy==0.7.0 certauth==1.3.0 certifi==2026.10.18 cffi==2.1.1 charset-normalizer==3.5.2
  cryptography==47.0.0 defusedxml==0.7.1 fakeredis==0.16.0 filelock==4.2.11 gevent==26.9.0 greenlet==3.5.6
  idna==3.20 Jinja2==3.1.6 MarkupSafe==3.0.4 portalocker==4.4.2 Py3AMF==0.9.1 pycparser==3.12 pyOpenSSL==26.1.0
  python-dateutil==4.0.0 PyYAML==6.0.3 redis==2.10.6 requests==2.34.2 requests-file==3.0.1 six==1.17.0 surt==0.3.1
  tldextract==5.4.0 typing_extensions==4.16.0 tzdata==2026.6 ua-parser==1.0.2 ua-parser-builtins==202610
  urllib3==2.8.0 warcio==1.8.1 webassets==2.0 webencodings==0.6.1 Werkzeug==3.1.7 wsgiprox==1.5.2
  zope.event==6.2 zope.interface==8.7
)
if ! .venv-pywb/bin/python -c 'import sys, pywb; sys.exit(pywb.__version__ != "2.10.0")' >/dev/null 2>&1; then
  { [ -x .venv-pywb/bin/python ] || "$PY" -m venv .venv-pywb; } \
    && .venv-pywb/bin/python -m pip install -q --disable-pip-version-check "${PYWB_PINS[@]}" \
    || echo "warning: could not install pywb into .venv-pywb; replay (tests/test_replay.py) will be unavailable" >&2
fi
