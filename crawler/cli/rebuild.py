"""``python -m crawler rebuild WARC…``: re-parse every report in WARC files into a store, offline."""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path
from typing import Any

from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from archive.reader import warc_files
from archive.repair import repair_all
from crawler.cli.options import add_store_options, open_store, positive, positive_seconds
from crawler.core.workers import Limits
from crawler.rebuild.local import rebuild
from crawler.registry.regions import load_registry


def add_parser(sub: Any) -> None:
    p = sub.add_parser("rebuild", help="re-parse every report in WARC files (ours or other tools') into a store, offline")
    p.add_argument("warcs", nargs="+", type=Path, help="WARC files or folders of them")
    p.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="parser processes (default: all cores)")
    p.add_argument("--registry", type=Path, help="another registry file (regions of the portals)")
    p.add_argument(
        "--parse-timeout", type=positive_seconds, default=Limits.timeout, metavar="SECONDS",
        help=f"wall-clock limit per document (default {Limits.timeout:g})",
    )  # fmt: skip
    p.add_argument(
        "--parse-memory", type=positive, default=Limits.memory_mb, metavar="MB",
        help=f"memory limit of a parser worker (default {Limits.memory_mb})",
    )  # fmt: skip
    p.add_argument(
        "--scheduler", metavar="tcp://HOST:8786",
        help="parse on a Dask cluster (`dask scheduler` + `dask worker`s; local:N for a LocalCluster of N processes)",
    )  # fmt: skip
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

        limits = Limits(timeout=args.parse_timeout, memory_mb=args.parse_memory)
        # a crawl killed mid-write left a torn tail: cut it (with a warning), unless a crawl is still writing there
        repair_all(warc_files(args.warcs), quiet_seconds=60)
        try:
            if args.scheduler:
                from crawler.rebuild.distributed import rebuild_on_dask

                summary = rebuild_on_dask(
                    args.warcs, store, regions, args.scheduler, progress=progress, plan_workers=args.workers
                )
            else:
                summary = rebuild(args.warcs, store, regions, workers=args.workers, progress=progress, limits=limits)
        except KeyboardInterrupt:
            # the workers are gone (the pool stops in rebuild's finally); finished groups are stored
            bar.stop()
            print("interrupted: the reports finished so far are stored; run the rebuild again for the rest", file=sys.stderr)
            return 130
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
        *(f"    {f['url']}: {f['error']} [{f['reason']}]" for f in summary.failures[:20]),
        *([f"    … and {len(summary.failures) - 20} more"] if len(summary.failures) > 20 else []),
        f"  store: {where}",
    ]
    print("\n".join(lines), file=sys.stderr)
    return 0
