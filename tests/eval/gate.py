"""Evaluation gate: field and cell accuracy of the parser on the annotated documents.

Prints accuracy per source format and fails (exit 1) when a figure is under
its pinned floor in ``tests/eval/floors.json``. ``--update`` raises floors to
the figures just measured; it never lowers one (edit the file by hand, and
say why in the commit, if a floor must come down).

    python tests/eval/gate.py            # CI
    python tests/eval/gate.py --update   # after an improvement
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import os
import sys
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from crawler.core.errors import NotAReportError, ReportError  # noqa: E402
from crawler.core.parse.labels import REQUEST_COLUMNS  # noqa: E402
from crawler.core.report import process  # noqa: E402
from crawler.core.resource import FetchedResource  # noqa: E402

HERE = Path(__file__).resolve().parent


def _shared_dir() -> Path:
    """The team's shared folder: $GOVREPORTS_SHARED, else beside the checkout, else /work/shared."""
    for candidate in (os.environ.get("GOVREPORTS_SHARED"), ROOT.parent / "shared", "/work/shared"):
        if candidate and Path(candidate).is_dir():
            return Path(candidate).resolve()
    return ROOT.parent / "shared"


SHARED = _shared_dir()
ANNOTATIONS = [
    HERE / "annotations_real.json",
    HERE / "fixtures" / "annotations.json",
    HERE / "real_inputs" / "annotations.json",
]
# Sets whose every document must parse exactly (tests/test_eval_documents.py checks them one by
# one). A new set (say, shapes real tools produce) is scored here per format while the parser
# catches up; its formats get floors once it does, and then it joins this list.
PINNED = list(ANNOTATIONS)
FLOORS = HERE / "floors.json"
IDENTITY_FIELDS = ("title", "agency", "year", "published_date", "template")


@dataclass
class Score:
    fields_ok: int = 0
    fields: int = 0
    cells_ok: int = 0
    cells: int = 0
    documents: int = 0
    misses: list[str] = field(default_factory=list)

    def field(self, ok: bool, what: str) -> None:
        self.fields += 1
        self.fields_ok += ok
        if not ok:
            self.misses.append(what)

    def cell(self, ok: bool, what: str) -> None:
        self.cells += 1
        self.cells_ok += ok
        if not ok:
            self.misses.append(what)


def load_annotations(*, tracked: bool = False) -> list[dict[str, Any]]:
    """The pinned annotation sets; with ``tracked`` every set the gate scores."""
    docs: list[dict[str, Any]] = []
    for path in ANNOTATIONS if tracked else PINNED:
        if path.exists():
            docs.extend(json.loads(path.read_text("utf-8")))
    return docs


def resolve(doc: dict[str, Any]) -> Path:
    """Annotation paths are relative to the repository; "../shared/…" means the shared folder."""
    if doc["path"].startswith("../shared/"):
        return SHARED / doc["path"].removeprefix("../shared/")
    return (ROOT / doc["path"]).resolve()


def cell_value(record: dict[str, Any], path: str) -> Any:
    table, key, column = path.split("/")
    if table == "requests":
        rows = (record.get("requests") or {}).get("rows", {})
        return rows[key][REQUEST_COLUMNS.index(column)] if key in rows else "<missing row>"
    section = record.get(table) or {}
    return section.get(key, {}).get(column, "<missing>") if key in section else "<missing row>"


def same(a: Any, b: Any) -> bool:
    if isinstance(a, (int, float)) and isinstance(b, (int, float)) and not isinstance(a, bool) and not isinstance(b, bool):
        return abs(a - b) < 1e-6
    return bool(a == b)


def evaluate(doc: dict[str, Any], record: dict[str, Any], score: Score) -> None:
    name = Path(doc["path"]).name
    for f in IDENTITY_FIELDS:
        if f in doc["fields"]:
            score.field(same(record.get(f), doc["fields"][f]), f"{name}: {f} = {record.get(f)!r}, expected {doc['fields'][f]!r}")
    for k, v in doc["fields"].get("region", {}).items():
        got = record["region"].get(k)
        score.field(got == v, f"{name}: region.{k} = {got!r}, expected {v!r}")
    if "sections" in doc:
        got_sections = [s["heading"] for s in record["sections"]]
        score.field(got_sections == doc["sections"], f"{name}: sections {got_sections}")
    if "failed_checks" in doc:
        failed = sorted({c["rule"] for c in record["checks"] if c["ok"] is False})
        score.field(
            failed == sorted(doc["failed_checks"]), f"{name}: failed checks {failed}, expected {sorted(doc['failed_checks'])}"
        )
    for label in doc.get("extra_rows", []):
        extras = (record.get("requests") or {}).get("extra_rows", []) + (record.get("proactive") or {}).get("extra_rows", [])
        score.field(any(label in e["label"] for e in extras), f"{name}: extra row {label!r} not kept")
    for figure, value in doc.get("figures", {}).items():
        got = record["figures"].get(figure)
        score.field(same(got, value), f"{name}: figure {figure} = {got!r}, expected {value!r}")
    for path, expected in doc.get("cells", {}).items():
        got = cell_value(record, path)
        score.cell(
            same(got, expected) if expected is not None else got is None, f"{name}: {path} = {got!r}, expected {expected!r}"
        )


def corpus_digest(docs: list[dict[str, Any]]) -> str:
    """One hash over the annotations and the input bytes: a changed corpus shows."""
    h = hashlib.sha256()
    for doc in docs:
        h.update(json.dumps(doc, sort_keys=True, ensure_ascii=False).encode())
        path = resolve(doc)
        if path.exists():
            h.update(hashlib.sha256(path.read_bytes()).digest())
    return h.hexdigest()[:16]


# The one refusal an annotation can expect: a document read fine that is not an annual report
# (a 函, a 通知, a list page filed in a report column). Scored as one field.
REFUSALS = {"not a report": NotAReportError}


def run() -> tuple[dict[str, Score], list[str]]:
    scores: dict[str, Score] = defaultdict(Score)
    skipped: list[str] = []
    for doc in load_annotations(tracked=True):
        path = resolve(doc)
        if not path.exists():
            skipped.append(doc["path"])
            continue
        score = scores[doc["format"]]
        score.documents += 1
        refusal = REFUSALS[doc["refused"]] if "refused" in doc else None
        try:
            record = process(FetchedResource.from_path(path, url=doc.get("url")))
        except ReportError as exc:
            if refusal is not None:
                score.field(isinstance(exc, refusal), f"{path.name}: refused with {exc.reason}: {exc}, expected {doc['refused']}")
            else:
                score.field(False, f"{path.name}: parse failed: {exc}")
            continue
        if refusal is not None:
            score.field(False, f"{path.name}: parsed as a report ({record.get('title')!r}), expected refused: {doc['refused']}")
            continue
        evaluate(doc, record, score)
    return scores, skipped


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--update", action="store_true", help="raise the floors to the measured figures")
    parser.add_argument("--misses", type=int, default=40, metavar="N", help="misses to list per format (default 40)")
    args = parser.parse_args(argv)
    scores, skipped = run()
    floors: dict[str, dict[str, float]] = json.loads(FLOORS.read_text("utf-8")) if FLOORS.exists() else {}
    print(f"corpus {corpus_digest(load_annotations(tracked=True))}")
    print(f"{'format':10} {'docs':>4} {'fields':>14} {'cells':>16}   floors (fields / cells)")
    failed = False
    measured: dict[str, dict[str, float]] = {}
    for fmt in sorted(scores):
        s = scores[fmt]
        fa = s.fields_ok / s.fields if s.fields else 1.0
        ca = s.cells_ok / s.cells if s.cells else 1.0
        # rounded down: a floor rounded up (31/32 → 0.9688) would fail the figure it was taken from
        measured[fmt] = {"fields": math.floor(fa * 10000) / 10000, "cells": math.floor(ca * 10000) / 10000}
        floor = floors.get(fmt, {"fields": 0.0, "cells": 0.0})
        below = fa < floor["fields"] or ca < floor["cells"]
        failed |= below
        print(
            f"{fmt:10} {s.documents:>4} {s.fields_ok:>5}/{s.fields:<4}{fa:>6.1%} {s.cells_ok:>6}/{s.cells:<5}{ca:>6.1%}"
            f"   {floor['fields']:.1%} / {floor['cells']:.1%}{'  BELOW FLOOR' if below else ''}"
        )
    for fmt in sorted(floors):
        if fmt not in scores:
            print(f"{fmt:10} no documents found (floor not checked)")
    for s in scores.values():
        for miss in s.misses[: args.misses]:
            print(f"  miss: {miss}")
    if skipped:
        print(f"skipped (absent): {', '.join(skipped)}")
    if args.update:
        for fmt, m in measured.items():
            old = floors.get(fmt, {"fields": 0.0, "cells": 0.0})
            floors[fmt] = {k: max(old.get(k, 0.0), m[k]) for k in ("fields", "cells")}
        FLOORS.write_text(json.dumps(floors, indent=1, sort_keys=True) + "\n", "utf-8")
        print(f"floors written to {FLOORS}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
