#!/usr/bin/env bash
# Browse a crawl's archive with pywb: serve DATA_DIR/warc in place, through the CDXJ index the
# crawl wrote (DATA_DIR/warc/index.cdxj), as the collection "govreports" on loopback.
# Restart it after a crawl to see the new captures.
#
#   scripts/replay.sh [--data-dir DIR] [--port PORT] [--bind ADDR]
#
# Defaults: --data-dir ./data, --port 8080, --bind 127.0.0.1. pywb comes from .venv-pywb
# (scripts/setup.sh installs it; PYWB_BIN=/dir/with/wayback overrides). The config goes to
# DATA_DIR/pywb/config.yaml; collections made there with `wb-manager` are served too.
# Then open http://127.0.0.1:8080/govreports/ ; Ctrl-C stops the server.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
DATA=./data PORT=8080 BIND=127.0.0.1
while [ $# -gt 0 ]; do
  case "$1" in
    --data-dir) DATA=${2:?--data-dir needs a value}; shift 2 ;;
    --port) PORT=${2:?--port needs a value}; shift 2 ;;
    --bind) BIND=${2:?--bind needs a value}; shift 2 ;;
    -h | --help) sed -n '2,11s/^# \{0,1\}//p' "$0"; exit 0 ;;
    *) echo "error: unknown argument: $1 (see --help)" >&2; exit 2 ;;
  esac
done
BIN=${PYWB_BIN:-$ROOT/.venv-pywb/bin}
if [ ! -x "$BIN/wayback" ]; then
  echo "error: pywb is not installed in $BIN (run scripts/setup.sh)" >&2
  exit 2
fi
if [ ! -f "$DATA/warc/index.cdxj" ]; then
  echo "error: no $DATA/warc/index.cdxj (crawl first: .venv/bin/python -m crawler crawl ... --data-dir $DATA)" >&2
  exit 2
fi
WARC=$(cd "$DATA/warc" && pwd)
mkdir -p "$DATA/pywb"
# The replay index: the crawl's index without the 304 revisits that incremental crawls write
# (pywb would replay those as empty "304 Not Modified" pages instead of the archived page).
PY=$BIN/python
[ -x "$PY" ] || PY=python3
"$PY" - "$WARC/index.cdxj" "$DATA/pywb/index.cdxj" <<'EOF'
import json, os, sys
src, dst = sys.argv[1], sys.argv[2]
with open(src, encoding="utf-8") as lines, open(dst + ".tmp", "w", encoding="utf-8", newline="\n") as out:
    for line in lines:
        fields = json.loads(line.split(" ", 2)[2])
        if not (fields.get("mime") == "warc/revisit" and fields.get("status") == "304"):
            out.write(line)
os.replace(dst + ".tmp", dst)
EOF
Q=${WARC//\'/\'\'}  # YAML single-quoted: ' doubled
cat >"$DATA/pywb/config.yaml" <<EOF
# Written by scripts/replay.sh: the crawl's WARCs in place; index.cdxj beside this file is the
# crawl's index without 304 revisits, rewritten each time the script starts.
collections:
  govreports:
    index_paths: ./index.cdxj
    archive_paths: '$Q/'
EOF
echo "replay: http://$BIND:$PORT/govreports/ (archive $WARC); Ctrl-C to stop" >&2
cd "$DATA/pywb"
exec "$BIN/wayback" --port "$PORT" --bind "$BIND"
