"""Accuracy of the legacy-format and OCR paths on tests/eval/scans/, per format and scan resolution.

Scores with the gate's own ``evaluate`` against tests/eval/scans/annotations.json (the
source fixtures' truth, copied), and checks the issue's floors. OCR is slow (tens of
seconds a page on a shared CPU), so this is run by hand or with ``--only``, not in CI.

    python tests/eval/scans/evaluate.py                       # everything
    python tests/eval/scans/evaluate.py --only pdf-ocr-200    # one format
    GOVREPORTS_OCR_ENGINE=tesseract python tests/eval/scans/evaluate.py --only image
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]
sys.path.insert(0, str(ROOT))

from crawler.core.errors import ReportError  # noqa: E402
from crawler.core.report import process  # noqa: E402
from crawler.core.resource import FetchedResource  # noqa: E402
from tests.eval.gate import Score, evaluate, resolve  # noqa: E402

ANNOTATIONS = HERE / "annotations.json"
#: the issue's floors for cells read by OCR; converted documents must be exact
FLOORS = {"pdf-ocr-200": 0.99, "pdf-ocr-150": 0.98, "doc": 1.0, "wps": 1.0, "rtf": 1.0}


def run(only: set[str] | None = None) -> dict[str, dict[str, Any]]:
    results: dict[str, dict[str, Any]] = defaultdict(lambda: {"score": Score(), "seconds": 0.0, "pages": 0})
    for doc in json.loads(ANNOTATIONS.read_text("utf-8")):
        if only and doc["format"] not in only:
            continue
        entry = results[doc["format"]]
        started = time.perf_counter()
        try:
            record = process(FetchedResource.from_path(resolve(doc)))
        except ReportError as exc:
            entry["score"].field(False, f"{Path(doc['path']).name}: parse failed: {exc}")
            continue
        entry["seconds"] += time.perf_counter() - started
        entry["pages"] += record.get("pages") or 1
        entry["score"].documents += 1
        evaluate(doc, record, entry["score"])
        if record.get("ocr"):
            entry.setdefault("confidence", []).append(record["ocr"]["mean_confidence"])
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", action="append", help="a format to evaluate (repeatable)")
    args = parser.parse_args(argv)
    results = run(set(args.only) if args.only else None)
    failed = False
    print(f"{'format':12} {'docs':>4} {'fields':>14} {'cells':>16} {'s/page':>7}  floor")
    for fmt, entry in sorted(results.items()):
        s: Score = entry["score"]
        fa = s.fields_ok / s.fields if s.fields else 1.0
        ca = s.cells_ok / s.cells if s.cells else 1.0
        floor = FLOORS.get(fmt)
        below = floor is not None and ca < floor
        failed |= below
        per_page = entry["seconds"] / entry["pages"] if entry["pages"] else 0.0
        print(
            f"{fmt:12} {s.documents:>4} {s.fields_ok:>5}/{s.fields:<4}{fa:>6.1%} {s.cells_ok:>6}/{s.cells:<5}{ca:>6.1%}"
            f" {per_page:>7.1f}  {'' if floor is None else f'{floor:.0%}'}{'  BELOW FLOOR' if below else ''}"
        )
        for miss in s.misses[:25]:
            print(f"  miss: {miss}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
