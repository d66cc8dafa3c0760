#!/usr/bin/env bash
# Set up .venv, then run the main job end to end on the embedded defaults: serve the bundled
# demo portal on 127.0.0.1 and crawl it into ./data (WARCs under data/warc, SQLite store
# data/records.sqlite), then export the records as JSON lines.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
.venv/bin/python -m crawler demo --data-dir data
.venv/bin/python -m crawler export --format jsonl --data-dir data --out data/records.jsonl
