"""``crawl --due``: crawl every registry region whose schedule says it is due, once, and record when.

The last successful crawl of each region is in :mod:`crawler.store.runs`; :func:`crawler.registry.schedule.is_due`
decides. A due region whose whole subtree is due is crawled as a region (``--region PATH``: its
portals, report columns and children); a due region with children that are not due is crawled
by its own portals only (``--start-url``), so nothing is crawled before its time. Each crawl is a
child process (a Scrapy reactor runs once per process), one after another, politeness intact.
"""

from __future__ import annotations

import argparse
import datetime as dt
import subprocess
import sys
from pathlib import Path

from crawler.cli.options import open_store
from crawler.registry.regions import Region, load_registry
from crawler.registry.schedule import is_due
from crawler.store.runs import RunBook


def plan(regions: list[Region], due: set[str]) -> list[tuple[list[str], list[Region]]]:
    """(crawl arguments, regions it covers) for the due regions, parents before children."""

    def subtree(region: Region) -> list[Region]:
        return [r for r in regions if r.path == region.path or r.path.startswith(region.path + "/")]

    covered: set[str] = set()
    steps: list[tuple[list[str], list[Region]]] = []
    for region in sorted((r for r in regions if r.path in due), key=lambda r: r.path.count("/")):
        if region.path in covered:
            continue
        below = subtree(region)
        if all(r.path in due for r in below):
            steps.append((["--region", region.path], below))
            covered.update(r.path for r in below)
        else:
            for portal in region.portals:
                steps.append((["--start-url", portal.url], [region]))
            covered.add(region.path)
    return steps


def run_due(args: argparse.Namespace) -> int:
    regions = load_registry(args.registry)
    now = args.now or dt.datetime.now(dt.UTC)
    store = open_store(args)
    try:
        book = RunBook(store.engine)
        last = book.last_runs()
    finally:
        store.close()
    due = {r.path for r in regions if is_due(r.schedule, last.get(r.path), now)}
    if not due:
        print(f"nothing is due at {now:%Y-%m-%d %H:%M} ({len(regions)} regions; last runs in the store)", file=sys.stderr)
        return 0
    steps = plan(regions, due)
    print(f"{len(due)} regions due: {len(steps)} crawls", file=sys.stderr)
    worst = 0
    for arguments, covered in steps:
        started = dt.datetime.now(dt.UTC)
        command = [sys.executable, "-m", "crawler", "crawl", *arguments, *_passed_on(args)]
        print(f"crawl {' '.join(arguments)} ({', '.join(r.path for r in covered)})", file=sys.stderr)
        status = subprocess.run(command, check=False).returncode
        store = open_store(args)
        try:
            RunBook(store.engine).record_run(
                [(r.path, r.code) for r in covered], started, args.now or dt.datetime.now(dt.UTC), status, " ".join(arguments)
            )
        finally:
            store.close()
        if status == 130:
            return 130  # interrupted: the remaining regions stay due
        worst = max(worst, status)
    return worst


def _passed_on(args: argparse.Namespace) -> list[str]:
    out = ["--data-dir", str(Path(args.data_dir)), "--render", args.render]
    if args.db:
        out += ["--db", args.db]
    if args.registry:
        out += ["--registry", str(args.registry)]
    if args.max_pages:
        out += ["--max-pages", str(args.max_pages)]
    if args.since:
        out += ["--since", str(args.since)]
    if args.parse_timeout:
        out += ["--parse-timeout", str(args.parse_timeout)]
    if args.parse_memory:
        out += ["--parse-memory", str(args.parse_memory)]
    for name, value in args.set:
        out += ["-s", f"{name}={value}"]
    return out
