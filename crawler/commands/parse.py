"""``python -m crawler parse FILE``: one report file into a record (JSON or a readable summary)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from crawler.errors import ReportError
from crawler.report import process
from crawler.resource import FetchedResource
from crawler.summary import render


def add_parser(sub: Any) -> None:
    p = sub.add_parser("parse", help="parse one report file (PDF, DOCX, HTML or text) into a record")
    p.add_argument("file", type=Path, help="the report document")
    p.add_argument("--json", action="store_true", help="print the record as JSON (RECORD.md) instead of a summary")
    p.add_argument("--url", help="where the document was published (recorded as provenance)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    path: Path = args.file
    try:
        resource = FetchedResource.from_path(path, url=args.url)
    except OSError as exc:
        print(f"error: cannot read {path}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    try:
        record = process(resource)
    except ReportError as exc:
        print(f"error: {path}: {exc}", file=sys.stderr)
        return 2
    if args.json:
        json.dump(record, sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    else:
        print(render(record))
    return 0
