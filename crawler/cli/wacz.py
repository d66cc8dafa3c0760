"""``python -m crawler wacz``: the crawl's archive as one WACZ 1.1.1 package (ReplayWeb.page, pywb).

The package holds every WARC of ``<data-dir>/warc`` (stored as they are), a CDXJ index regenerated
from them, and ``pages/pages.jsonl`` listing each stored report's page and documents (from the
record store: ``--data-dir`` / ``--db`` as for ``export``). See :mod:`archive.wacz`.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from archive.wacz import DEFAULT_TITLE, WaczError, build_wacz, find_warcs, pages_from_records
from crawler.cli.options import add_store_options, open_store


def add_parser(sub: Any) -> None:
    p = sub.add_parser("wacz", help="package the WARCs, their index and the report pages as a WACZ file")
    p.add_argument("--out", type=Path, required=True, help="the package to write (a name ending in .wacz)")
    p.add_argument("--title", default=DEFAULT_TITLE, help="the collection's title in datapackage.json")
    p.add_argument("--description", help="a longer description (Markdown) in datapackage.json")
    add_store_options(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    warc_dir = Path(args.data_dir) / "warc"
    warcs = find_warcs(warc_dir)
    if not warcs:
        raise WaczError(f"no WARC files in {warc_dir} (crawl first, or name the data folder with --data-dir)", "wacz/no_warcs")
    store = open_store(args)
    try:
        pages = pages_from_records(store.records(), {p.name for p in warcs})
        summary = build_wacz(args.out, warcs, pages, title=args.title, description=args.description)
    finally:
        store.close()
    print(
        f"{summary.path}: {summary.warcs} WARC file{'s' if summary.warcs != 1 else ''}, {summary.pages} pages, "
        f"{summary.index_lines} index lines, {_size(summary.size)}",
        file=sys.stderr,
    )
    return 0


def _size(n: int) -> str:
    value = float(n)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if value < 1024 or unit == "GiB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{n} B"  # unreachable
