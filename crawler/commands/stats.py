"""``python -m crawler stats``: coverage by region and year (reports, templates, failed checks), and the crawl's
failures and skips from the crawl state: every URL that could not be fetched, read or parsed, and every
URL left alone on purpose (off-site, robots.txt, duplicate, depth limit …), each with its reason."""

from __future__ import annotations

import argparse
import json
from collections import defaultdict
from typing import Any

import sqlalchemy as sa

from crawler.commands.options import add_store_options, open_store
from crawler.store import documents
from crawler.summary import pad


def add_parser(sub: Any) -> None:
    p = sub.add_parser("stats", help="coverage of the store by region and year")
    p.add_argument("--format", choices=["table", "json"], default="table")
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
    finally:
        store.close()
    if args.format == "json":
        print(json.dumps(data, ensure_ascii=False, indent=2))
        return 0
    head = ["region", "year", "reports", "2021", "2019", "pre2019", "failed checks", "corpus X-1/X-2 failed"]
    widths = [34, 6, 8, 6, 6, 8, 14, 22]
    print("  ".join(pad(h, w) for h, w in zip(head, widths, strict=True)))
    for row in data["by_region_year"]:
        t = row["templates"]
        cells = [row["region"], str(row["year"] or "?"), str(row["reports"]), str(t.get("2021", 0)), str(t.get("2019", 0)),
                 str(t.get("pre2019", 0)), f"{row['failed_checks']} in {row['reports_failing_checks']}", str(row["corpus_failed"])]  # fmt: skip
        print("  ".join(pad(c, w) for c, w in zip(cells, widths, strict=True)))
    print(f"\n{data['reports']} reports; {len(data['parse_failures'])} URLs could not be fetched, read or parsed")
    for f in data["parse_failures"]:
        print(f"  {f['url']}: {f['error']}")
    if data["skipped"]:
        print(f"{len(data['skipped'])} URLs skipped on purpose")
        for f in data["skipped"]:
            print(f"  {f['url']} [{f['kind']}]: {f['reason']}")
    if data["corpus_check_failures"]:
        print("Cross-year checks failed:")
        for c in data["corpus_check_failures"][:50]:
            print(f"  {c['agency']} {c['year']} {c['rule']} [{c['scope']}] {c['detail']}")
    return 0
