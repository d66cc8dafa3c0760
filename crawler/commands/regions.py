"""``python -m crawler regions``: the registry of regions and their portals."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from crawler.registry import format_table, load_registry, select


def add_parser(sub: Any) -> None:
    p = sub.add_parser("regions", help="list the registry: regions and their portals")
    p.add_argument("query", nargs="?", help="only this region and its children, e.g. 江苏省/淮安市")
    p.add_argument("--registry", type=Path, help="another registry file (default: crawler/data/regions.json)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    regions = load_registry(args.registry)
    if args.query:
        regions = select(regions, args.query)
    print(format_table(regions))
    return 0
