"""``python -m crawler export``: the stored records for other tools."""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
from typing import Any

from crawler.commands.options import add_store_options, open_store


def add_parser(sub: Any) -> None:
    p = sub.add_parser("export", help="write the stored records (one JSON object per line)")
    p.add_argument("--format", choices=["jsonl"], default="jsonl")
    p.add_argument("--out", help="a file to write (default: standard output)")
    p.add_argument("--region", help="only this registry region and its children")
    add_store_options(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    store = open_store(args)
    count = 0
    with contextlib.ExitStack() as stack:
        stack.callback(store.close)
        out = stack.enter_context(open(args.out, "w", encoding="utf-8")) if args.out else sys.stdout
        for record in store.records(args.region):
            out.write(json.dumps(record, ensure_ascii=False, sort_keys=True) + "\n")
            count += 1
    if args.out:
        print(f"{count} records written to {args.out}", file=sys.stderr)
    return 0
