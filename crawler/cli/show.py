"""``python -m crawler show ID``: one stored record, as the parse summary shows it."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from crawler.cli.options import add_store_options, open_store
from crawler.core.errors import ReportError
from crawler.publish.summary import render


class UnknownRecord(ReportError):
    reason = "store/unknown_id"


def add_parser(sub: Any) -> None:
    p = sub.add_parser("show", help="print one stored record (by id, or a unique id prefix)")
    p.add_argument("id")
    p.add_argument("--json", action="store_true", help="the record as JSON")
    add_store_options(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    store = open_store(args)
    try:
        matches = [i for i in store.report_ids() if i.startswith(args.id)]
        if len(matches) != 1:
            what = "no record" if not matches else f"{len(matches)} records"
            raise UnknownRecord(f"{what} with id {args.id!r} in {args.db or args.data_dir / 'records.sqlite'}")
        record = store.record(matches[0])
    finally:
        store.close()
    if args.json:
        json.dump(record, sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    else:
        print(render(record))
        sources = record.get("sources") or []
        if sources:
            print("Sources")
            for s in sources:
                warc = s.get("warc") or {}
                print(
                    f"  {s.get('role')}: {s['url']} ({s.get('source_format') or s.get('content_type')}, {s.get('outcome')}) {warc.get('file', '')}@{warc.get('offset', '')}"
                )
        failed = [c for c in record.get("corpus_checks", []) if c["ok"] is False]
        for c in failed:
            print(f"  FAILED {c['rule']} [{c['scope']}] {c['detail']}")
    return 0
