"""``python -m crawler rebuild WARC…``: re-parse every report in WARC files into a store, offline."""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path
from typing import Any

from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from crawler.commands.options import add_store_options, open_store
from crawler.rebuild import rebuild
from crawler.registry import load_registry


def add_parser(sub: Any) -> None:
    p = sub.add_parser("rebuild", help="re-parse every report in WARC files (ours or other tools') into a store, offline")
    p.add_argument("warcs", nargs="+", type=Path, help="WARC files or folders of them")
    p.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="parser processes (default: all cores)")
    p.add_argument("--registry", type=Path, help="another registry file (regions of the portals)")
    add_store_options(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    store = open_store(args)
    regions = load_registry(args.registry)
    started = time.perf_counter()
    with Progress(
        TextColumn("parsing"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(), console=None, transient=False,
    ) as bar:  # fmt: skip
        task = bar.add_task("documents", total=None)

        def progress(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        try:
            summary = rebuild(args.warcs, store, regions, workers=args.workers, progress=progress)
        finally:
            store.close()
    took = time.perf_counter() - started
    where = args.db or str(args.data_dir / "records.sqlite")
    lines = [
        "",
        "Rebuild summary",
        f"  {summary.warc_files} WARC files, {summary.captures} responses and revisits, {summary.groups} reports' documents ({summary.documents}) in {took:.1f} s",
        f"  documents parsed {summary.parsed}, not reports {summary.not_reports}, failures {len(summary.failures)}",
        f"  reports: {summary.reports.get('new', 0)} new, {summary.reports.get('already stored', 0)} already in the store",
        *(f"    {f['url']}: {f['error']}" for f in summary.failures[:20]),
        f"  store: {where}",
    ]
    print("\n".join(lines), file=sys.stderr)
    return 0
