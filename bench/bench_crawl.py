"""Crawl benchmark: our crawl (archive + store + parsing on) against plain Scrapy on the same pages.

Serves the demo portal with a long report column: ``--list-pages`` list pages chained only
by "下一页" links, a report on every list item (``--per-page`` items a page); ``--pages
20000`` sizes the column for that many pages in all. Crawls it with ``python -m crawler
crawl`` (render never, no delays, default DEPTH_LIMIT: pagination does not count), then has
plain Scrapy fetch exactly the URLs that crawl fetched (from its CDXJ index) with the same
concurrency, in the same run. For each it prints pages/s, CPU milliseconds per page (the
crawl process alone, the share of its main thread, and with its parser workers) and peak
RSS (sampled every 0.2 s), then the ratios ours / plain.

    .venv/bin/python bench/bench_crawl.py                       # 100 list pages × 20 reports
    .venv/bin/python bench/bench_crawl.py --pages 20000         # the 20,000-page mode
    .venv/bin/python bench/bench_crawl.py --report-body stub    # short report pages: the crawl, not the parser

``full`` report pages are whole 2021-template reports (each parsed in a worker, ~10 ms of
CPU); ``stub`` pages only name the report, so the parse is cheap and the figures show the
crawl's own cost. The portal's server runs in this process and counts for neither side.
"""

from __future__ import annotations

import argparse
import json
import math
import re
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psutil

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from crawler.demo.portal import DemoPortal  # noqa: E402


@dataclass
class Run:
    proc: subprocess.CompletedProcess[str]
    seconds: float
    cpu_main: float  # CPU seconds of the process itself
    cpu_children: float  # CPU seconds of its children (parser workers)
    cpu_main_thread: float  # of cpu_main: the main thread's (the reactor: Scrapy, the spider, the archive)
    peak_main_mb: float
    peak_tree_mb: float
    curve: list[tuple[float, float]]  # (seconds, RSS MB of the process) every few seconds


def curve_line(curve: list[tuple[float, float]]) -> str:
    """The process's RSS at the start, the quartiles and the end of the run: flat or growing."""
    if len(curve) < 5:
        return ""
    last = len(curve) - 1
    points = ", ".join(f"{name} {curve[i][1]:.0f} MB ({curve[i][0]:.0f} s)" for name, i in
                       (("start", 0), ("25%", last // 4), ("50%", last // 2), ("75%", 3 * last // 4), ("end", last)))  # fmt: skip
    return f"RSS of the crawl process over the run: {points}"


def run_measured(cmd: list[str]) -> Run:
    """Run a command; its wall time, CPU time (itself, its children) and peak RSS."""
    # the output goes to files, not pipes: a long crawl's warnings would fill a pipe read only at the end and stall it
    with tempfile.TemporaryFile("w+") as out_file, tempfile.TemporaryFile("w+") as err_file:
        return _measured(cmd, out_file, err_file)


def _measured(cmd: list[str], out_file: Any, err_file: Any) -> Run:
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=out_file, stderr=err_file, text=True)
    ps = psutil.Process(proc.pid)
    peak_main = peak_tree = 0.0
    main_cpu = 0.0
    thread_cpu: dict[int, float] = {}
    child_cpu: dict[int, float] = {}
    curve: list[tuple[float, float]] = []
    while proc.poll() is None:
        try:
            main = ps.memory_info().rss
            times = ps.cpu_times()
            main_cpu = times.user + times.system
            # the other threads are the store's, pebble's and the thread pool's: where the rest goes
            thread_cpu.update((t.id, t.user_time + t.system_time) for t in ps.threads())
            tree = main
            for child in ps.children(recursive=True):
                try:
                    tree += child.memory_info().rss
                    t = child.cpu_times()
                    child_cpu[child.pid] = t.user + t.system
                except psutil.Error:
                    continue
            peak_main, peak_tree = max(peak_main, main / 2**20), max(peak_tree, tree / 2**20)
            now = time.perf_counter() - started
            if main and (not curve or now - curve[-1][0] >= 5.0):
                curve.append((now, main / 2**20))
        except psutil.Error:
            pass
        time.sleep(0.2)
    proc.wait()
    out_file.seek(0)
    err_file.seek(0)
    out, err = out_file.read(), err_file.read()
    seconds = time.perf_counter() - started
    return Run(
        subprocess.CompletedProcess(cmd, proc.returncode, out, err),
        seconds,
        main_cpu,
        sum(child_cpu.values()),
        thread_cpu.get(proc.pid, main_cpu),
        peak_main,
        peak_tree,
        curve,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--list-pages", type=int, default=100, help="list pages of the report column (chained by 下一页)")
    parser.add_argument("--per-page", type=int, default=20, help="reports on each list page")
    parser.add_argument("--pages", type=int, default=0, help="size the column for about this many pages in all (e.g. 20000)")
    parser.add_argument("--report-body", choices=["full", "stub"], default="full")
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("-s", "--set", action="append", default=[], metavar="NAME=VALUE", help="a setting for our crawl")
    args = parser.parse_args(argv)
    list_pages = math.ceil(args.pages / (args.per_page + 1)) if args.pages else args.list_pages
    with (
        DemoPortal(long_list_pages=list_pages, long_list_per_page=args.per_page, report_body=args.report_body) as portal,
        tempfile.TemporaryDirectory() as tmp,
    ):
        data = Path(tmp) / "data"
        ours = run_measured(
            [sys.executable, "-m", "crawler", "crawl", "--start-url", portal.base_url, "--data-dir", str(data),
             "--render", "never", "-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False",
             "-s", f"CONCURRENT_REQUESTS={args.concurrency}", "-s", f"CONCURRENT_REQUESTS_PER_DOMAIN={args.concurrency}",
             "-s", "PROGRESS_INTERVAL=0", *(x for kv in args.set for x in ("-s", kv))]
        )  # fmt: skip
        if ours.proc.returncode != 0:
            print(ours.proc.stderr[-3000:])
            return 1
        m = re.search(r"finished: \w+ in ([\d.]+) s", ours.proc.stderr)
        pages = int(re.search(r"pages fetched: (\d+)", ours.proc.stderr).group(1))  # type: ignore[union-attr]
        reports = re.search(r"reports: (\d+) new", ours.proc.stderr)
        ours_elapsed = float(m.group(1)) if m else ours.seconds
        urls = sorted(
            {json.loads(line.split(" ", 2)[2])["url"] for line in (data / "warc" / "index.cdxj").read_text().splitlines()}
        )
        urls = [u for u in urls if not u.endswith("/robots.txt")]
        urls_file = Path(tmp) / "urls.txt"
        urls_file.write_text("\n".join(urls), "utf-8")
        plain = run_measured([sys.executable, str(ROOT / "bench" / "plain_spider.py"), str(urls_file), str(args.concurrency)])
        if plain.proc.returncode != 0:
            print(plain.proc.stderr[-3000:])
            return 1
        base = json.loads(plain.proc.stdout.strip().splitlines()[-1])
    long_reports = len(portal.expected()["long_list"]["report_page_urls"])
    ours_rate, plain_rate = pages / ours_elapsed, base["pages"] / base["elapsed"]
    ours_ms, plain_ms = 1000 * ours.cpu_main / pages, 1000 * plain.cpu_main / base["pages"]
    workers_ms = 1000 * ours.cpu_children / pages
    reactor_ms = 1000 * ours.cpu_main_thread / pages
    print(
        f"portal: demo + a column of {list_pages} list pages chained by 下一页, {args.per_page} reports each"
        f" ({long_reports} reports, {args.report_body} pages); concurrency {args.concurrency}; render never"
    )
    print(
        f"ours  (archive + store + parse): {pages:6d} pages ({reports.group(1) if reports else '?'} reports stored)"
        f" in {ours_elapsed:6.1f} s = {ours_rate:6.1f} pages/s; CPU {ours_ms:5.2f} ms/page in the crawl process"
        f" ({reactor_ms:.2f} of them in its main thread; +{workers_ms:5.2f} in parser workers); peak RSS {ours.peak_main_mb:.0f} MB (with workers {ours.peak_tree_mb:.0f})"
    )
    if curve_line(ours.curve):
        print(curve_line(ours.curve))
    print(
        f"plain Scrapy, same URLs:         {base['pages']:6d} pages in {base['elapsed']:6.1f} s = {plain_rate:6.1f} pages/s;"
        f" CPU {plain_ms:5.2f} ms/page; peak RSS {plain.peak_main_mb:.0f} MB"
    )
    print(
        f"ratios ours / plain: pages/s {ours_rate / plain_rate:.2f} (goal >= 0.8);"
        f" CPU per page {ours_ms / plain_ms:.2f}x (goal <= 2), {(ours_ms + workers_ms) / plain_ms:.2f}x with the parser workers"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
