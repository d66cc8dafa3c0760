#!/usr/bin/env bash
# Set up, then run the main job end to end on the embedded defaults: parse every bundled
# and shared report into records (JSONL under data/) and print a summary of each.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
mkdir -p data
out=data/records.jsonl
: > "$out"
for f in tests/eval/fixtures/*.pdf tests/eval/fixtures/*.docx tests/eval/fixtures/*.html ../shared/corpus/*.pdf ../shared/seeds/*.txt; do
  [ -e "$f" ] || continue
  if .venv/bin/python -m crawler parse "$f" --json | .venv/bin/python -c 'import json,sys; print(json.dumps(json.load(sys.stdin), ensure_ascii=False))' >> "$out"; then
    echo "parsed $f"
  fi
done
.venv/bin/python -m crawler parse tests/eval/fixtures/gov2021_gbk.html
echo "records: $(wc -l < "$out") in $out"
