"""``python -m crawler stats``: coverage by region and year (reports, templates, failed checks), and the crawl's
failures and skips from the crawl state: every URL that could not be fetched, read or parsed, and every
URL left alone on purpose (off-site, robots.txt, duplicate, depth limit …), each with its reason."""

from __future__ import annotations

import argparse
import json
from collections import defaultdict
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from crawler.cli.options import add_store_options, open_store
from crawler.publish.summary import line
from crawler.registry.coverage import province_totals
from crawler.registry.divisions import load as load_divisions
from crawler.registry.regions import load_registry
from crawler.store.database import documents


def add_parser(sub: Any) -> None:
    p = sub.add_parser("stats", help="coverage of the store by region and year")
    p.add_argument("--format", choices=["table", "json"], default="table")
    p.add_argument("--registry", type=Path, help="the registry for the per-province totals (default: the shipped one)")
    add_store_options(p)
    p.set_defaults(func=run)


def coverage(store: Any) -> dict[str, Any]:
    rows: dict[tuple[str, int | None], dict[str, Any]] = defaultdict(
        lambda: {"reports": 0, "templates": defaultdict(int), "failed_checks": 0, "reports_failing_checks": 0, "corpus_failed": 0}
    )
    corpus_failures: list[dict[str, Any]] = []
    for record in store.records():
        region = "/".join(v for v in (record.get("region") or {}).values() if v) or "(unknown)"
        row = rows[(region, record.get("year"))]
        row["reports"] += 1
        row["templates"][record.get("template")] += 1
        failed = record.get("failed_checks", [])
        row["failed_checks"] += len(failed)
        row["reports_failing_checks"] += bool(failed)
        for check in record.get("corpus_checks", []):
            if check["ok"] is False:
                row["corpus_failed"] += 1
                corpus_failures.append({"id": record["id"], "agency": record.get("agency"), "year": record.get("year"), **check})
    failures = store.failed_documents()
    query = sa.select(documents.c.url, documents.c.role, documents.c.error).where(documents.c.outcome == "skipped")
    with store.engine.connect() as conn:
        skipped = [
            {"url": u, "kind": k, "reason": r} for u, k, r in conn.execute(query.order_by(documents.c.error, documents.c.url))
        ]
    return {
        "by_region_year": [
            {"region": region, "year": year, **row, "templates": dict(row["templates"])}
            for (region, year), row in sorted(rows.items(), key=lambda kv: (kv[0][0], kv[0][1] or 0))
        ],
        "reports": sum(r["reports"] for r in rows.values()),
        "parse_failures": failures,
        "skipped": skipped,
        "corpus_check_failures": corpus_failures,
    }


def run(args: argparse.Namespace) -> int:
    store = open_store(args)
    try:
        data = coverage(store)
        data["by_province"] = province_totals(load_divisions(), load_registry(getattr(args, "registry", None)), store.records())
    finally:
        store.close()
    if args.format == "json":
        print(json.dumps(data, ensure_ascii=False, indent=2))
        return 0
    head = ["region", "year", "reports", "2021", "2019", "pre2019", "failed checks", "corpus X-1/X-2 failed"]
    widths = [34, 6, 8, 6, 6, 8, 14, 22]
    print(line(head, widths))
    for row in data["by_region_year"]:
        t = row["templates"]
        cells = [row["region"], str(row["year"] or "?"), str(row["reports"]), str(t.get("2021", 0)), str(t.get("2019", 0)),
                 str(t.get("pre2019", 0)), f"{row['failed_checks']} in {row['reports_failing_checks']}", str(row["corpus_failed"])]  # fmt: skip
        print(line(cells, widths))
    print(f"\n{data['reports']} reports; {len(data['parse_failures'])} URLs could not be fetched, read or parsed")
    for f in data["parse_failures"]:
        print(f"  {f['url']}: {f['error']}")
    if data["skipped"]:
        print(f"{len(data['skipped'])} URLs skipped on purpose")
        for f in data["skipped"]:
            print(f"  {f['url']} [{f['kind']}]: {f['reason']}")
    _print_provinces(data["by_province"])
    if data["corpus_check_failures"]:
        print("Cross-year checks failed:")
        for c in data["corpus_check_failures"][:50]:
            print(f"  {c['agency']} {c['year']} {c['rule']} [{c['scope']}] {c['detail']}")
    return 0


def _print_provinces(rows: list[dict[str, Any]]) -> None:
    """Per province against the official division list: divisions with a registered organ, reports stored."""
    shown = [r for r in rows if r["organs"] or r["reports"]]
    print(f"\nBy province (of {len(rows)} on the division list; {len(rows) - len(shown)} with no organ and no report not shown)")
    head, widths = ["code", "province", "divisions registered", "organs", "reports", "years"], [8, 18, 22, 8, 8, 20]
    print(line(head, widths))
    for r in shown:
        years = f"{r['years'][0]}-{r['years'][-1]}" if len(r["years"]) > 1 else "".join(map(str, r["years"]))
        cells = [
            r["code"],
            r["province"],
            f"{r['divisions_registered']} of {r['divisions']}",
            str(r["organs"]),
            str(r["reports"]),
            years,
        ]
        print(line(cells, widths))
