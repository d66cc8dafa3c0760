"""``python -m crawler coverage``: per division and year, the organs found, whether each reported, the gaps."""

from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path
from typing import Any

from crawler.cli.options import add_store_options, open_store
from crawler.core.errors import ReportError
from crawler.publish.summary import line
from crawler.registry.coverage import COLUMNS, coverage_rows, unregistered
from crawler.registry.divisions import DivisionError
from crawler.registry.divisions import load as load_divisions
from crawler.registry.regions import load_registry


def add_parser(sub: Any) -> None:
    p = sub.add_parser("coverage", help="who reported, who did not: organs per division and year against the store")
    p.add_argument("--year", type=int, help="the year reported on (default: every year in the store)")
    p.add_argument("--region", help="a division: a code (320800) or a name or path (江苏省, 江苏省/淮安市)")
    p.add_argument("--format", choices=["table", "csv"], default="table")
    p.add_argument("--out", type=Path, help="write to this file instead of stdout")
    p.add_argument("--registry", type=Path, help="another registry file")
    add_store_options(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if args.year is not None and not 1990 <= args.year <= 2100:
        raise ReportError(f"--year {args.year}: a year such as 2024", reason="options/invalid")
    divisions = load_divisions()
    within = None
    if args.region:
        try:
            within = divisions.resolve(args.region).code
        except DivisionError as exc:
            raise ReportError(f"--region: {exc}", reason="options/invalid") from None
    regions = load_registry(args.registry)
    store = open_store(args)
    try:
        rows = coverage_rows(regions, store.records(), divisions, args.year, within)
    finally:
        store.close()
    out = args.out.open("w", encoding="utf-8", newline="") if args.out else sys.stdout
    try:
        if args.format == "csv":
            writer = csv.DictWriter(out, fieldnames=COLUMNS)
            writer.writeheader()
            writer.writerows(rows)
        else:
            _table(rows, unregistered(divisions, regions, within) if within else [], out)
    finally:
        if args.out:
            out.close()
    return 0


def _table(rows: list[dict[str, Any]], missing: list[dict[str, Any]], out: Any) -> None:
    widths = [8, 28, 26, 6, 9, 9]
    print(
        line(["code", "division", "organ", "year", "reports", "status"], widths),
        file=out,
    )
    for row in rows:
        cells = [row["code"] or "-", row["division"], row["organ"], str(row["year"]), str(row["reports"]), row["status"]]
        print(line(cells, widths), file=out)
    gaps = sum(r["status"] == "gap" for r in rows)
    organs = len({r["url"] for r in rows})
    print(f"\n{organs} organs, {len(rows) - gaps} reported, {gaps} gaps", file=out)
    if missing:
        shown = ", ".join(f"{m['division']} {m['code']}" for m in missing[:12])
        more = f" and {len(missing) - 12} more" if len(missing) > 12 else ""
        print(f"{len(missing)} divisions with no registered organ: {shown}{more}", file=out)
