"""Distributed benchmark: the shared crawl frontier (1, 2, 4 workers) and the rebuild on Dask.

Crawl: the demo county portal served on ``--hosts`` loopback addresses (127.0.0.10 …), each
answering in ``--latency`` seconds, one registry region listing them all; 1, 2 and 4
``crawl --frontier`` worker processes share a Redis db (``--redis``, flushed) and a SQLite
store, with a politeness delay of ``--delay`` seconds per host (FRONTIER_HOST_DELAY). Prints
pages/s, the ratio to the ideal (hosts / delay: every host busy all the time), the peak of
requests in flight per host, and Redis commands per page (server-wide counter: run it on a
Redis nobody else uses). A run without Redis (one process, Scrapy's own DOWNLOAD_DELAY) is
the baseline.

Rebuild: the same WARC (the evaluation fixtures under many hosts, as bench_rebuild.py writes
it) rebuilt by the local process pool with 1 worker, by a Dask LocalCluster of 2 processes,
and by a ``dask scheduler`` with two ``dask worker`` processes; reports/s, and the cost per
task over the 1-process time.

Memory (``--memory-pages N``, default 100,000 when given without a number): one frontier
worker crawls the demo portal's long report column (list pages chained by next links, stub
report pages) until about N pages are fetched; its resident memory is sampled every
``--sample-every`` seconds and the curve printed (each tenth, the last sample still fetching, peak) with
whether it stays flat after the warm-up: what a worker costs over a long crawl. The worker's
end (draining parses, cross-year checks, counting reports) is printed apart.

    .venv/bin/python bench/bench_distributed.py [--hosts 8 --delay 0.25 --extra-pages 40 --documents 400]
    .venv/bin/python bench/bench_distributed.py --memory-pages 20000
"""

from __future__ import annotations

import argparse
import json
import math
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import psutil  # noqa: E402
import redis  # noqa: E402

from bench.bench_rebuild import write_warc  # noqa: E402
from crawler.demo.inflight import HostFarm  # noqa: E402
from crawler.demo.portal import DemoPortal  # noqa: E402
from crawler.rebuild.distributed import rebuild_on_dask  # noqa: E402
from crawler.rebuild.local import rebuild  # noqa: E402
from crawler.store.database import Store  # noqa: E402

DASK = Path(sys.executable).parent / "dask"
OFFSITE = "127.0.0.9"  # the farm's hosts are 127.0.0.10, .11 …


def farm_of(hosts: int, extra_pages: int, latency: float) -> HostFarm:
    return HostFarm([f"127.0.0.{10 + i}" for i in range(hosts)], OFFSITE, latency=latency, extra_pages=extra_pages)


def _registry(farm: HostFarm, path: Path) -> Path:
    portals = [
        {"name": f"示范县{i}人民政府", "url": u, "family": "trs", "report_columns": []} for i, u in enumerate(farm.base_urls)
    ]
    region = {"path": "演示省/示范市/示范县", "province": "演示省", "city": "示范市", "county": "示范县", "level": "county",
              "portals": portals}  # fmt: skip
    path.write_text(json.dumps({"schema": 1, "note": "bench", "regions": [region]}, ensure_ascii=False), "utf-8")
    return path


def crawl_run(farm: HostFarm, registry: Path, data: Path, workers: int, delay: float, frontier: str | None) -> dict[str, Any]:
    farm.reset()
    args = [sys.executable, "-m", "crawler", "crawl", "--region", "演示省/示范市/示范县", "--registry", str(registry),
            "--data-dir", str(data), "--render", "never", "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "RETRY_BACKOFF_BASE=0.05",
            "-s", "CONCURRENT_REQUESTS=16", "-s", "PROGRESS_INTERVAL=60"]  # fmt: skip
    if frontier:
        args += [
            "--frontier",
            frontier,
            "-s",
            "DOWNLOAD_DELAY=0",
            "-s",
            f"FRONTIER_HOST_DELAY={delay}",
            "-s",
            "FRONTIER_HEARTBEAT=1",
        ]
    else:
        args += ["-s", f"DOWNLOAD_DELAY={delay}", "-s", "RANDOMIZE_DOWNLOAD_DELAY=False"]
    client = redis.Redis.from_url(frontier) if frontier else None
    if client is not None:
        client.flushdb()
    before = int(client.info("stats")["total_commands_processed"]) if client is not None else 0
    started = time.perf_counter()
    procs = [
        subprocess.Popen(args, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True) for _ in range(workers)
    ]
    errors = [p.communicate()[1] for p in procs]
    took = time.perf_counter() - started
    after = int(client.info("stats")["total_commands_processed"]) if client is not None else 0
    trips = sum(int(client.get(k) or 0) for k in client.scan_iter(match="govreports:*:round_trips")) if client is not None else 0
    for p, err in zip(procs, errors):
        if p.returncode != 0:
            raise SystemExit(f"a worker failed ({p.returncode}): {err[-2000:]}")
    # the first request of every worker waits for Python and Scrapy to start: time from the first page served
    pages = len(farm.requests_log)
    stamps = [e["t"] for e in farm.requests_log if "t" in e]
    active = (max(stamps) - min(stamps)) if len(stamps) > 1 else took
    return {
        "workers": workers, "redis": bool(frontier), "pages": pages, "seconds": took, "active_seconds": active,
        "pages_per_s": pages / active, "peak_per_host": max(farm.peak.values()), "redis_commands": after - before, "round_trips": trips,
    }  # fmt: skip


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def rebuild_runs(tmp: Path, documents: int) -> list[dict[str, Any]]:
    warc = tmp / "bench.warc.gz"
    per_copy = len([p for p in (ROOT / "tests" / "eval" / "fixtures").iterdir() if p.suffix in {".pdf", ".docx", ".html"}])
    n = write_warc(warc, max(1, documents // per_copy))
    out = []

    def run(name: str, fn: Any) -> None:
        store = Store(f"sqlite:///{tmp / (''.join(c for c in name if c.isalnum()) + '.sqlite')}")
        started = time.perf_counter()
        summary = fn(store)
        took = time.perf_counter() - started
        out.append({"run": name, "documents": summary.documents, "seconds": took, "per_s": summary.documents / took,
                    "reports": store.count_reports(), "failures": len(summary.failures)})  # fmt: skip
        store.close()

    run("1 process (process pool)", lambda s: rebuild([warc], s, [], workers=1))
    run("LocalCluster(2)", lambda s: rebuild_on_dask([warc], s, [], "local:2"))
    port = _free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    sched = subprocess.Popen([str(DASK), "scheduler", "--host", "127.0.0.1", "--port", str(port), "--no-dashboard"],
                             cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    command = [str(DASK), "worker", f"tcp://127.0.0.1:{port}", "--nworkers", "1", "--nthreads", "1", "--host", "127.0.0.1"]
    workers = [
        subprocess.Popen([*command, "--no-dashboard"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(2)
    ]
    try:
        from distributed import Client

        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with Client(f"tcp://127.0.0.1:{port}", timeout=5) as c:  # type: ignore[no-untyped-call]  # distributed is untyped
                    if len(c.scheduler_info()["workers"]) >= 2:
                        break
            except OSError:
                time.sleep(0.5)
        run("dask scheduler + 2 workers", lambda s: rebuild_on_dask([warc], s, [], f"tcp://127.0.0.1:{port}"))
    finally:
        for p in [*workers, sched]:
            p.terminate()
            p.wait(timeout=20)
    for row in out:
        row["warc_documents"] = n
    return out


def memory_run(pages: int, per_page: int, every: float, frontier: str) -> dict[str, Any]:
    """One frontier worker over about ``pages`` pages; its RSS (MB) sampled every ``every`` seconds."""
    list_pages = math.ceil(pages / (per_page + 1))
    client = redis.Redis.from_url(frontier)
    client.flushdb()
    samples: list[tuple[float, int, float]] = []  # (seconds, pages served so far, RSS MB)
    with (
        DemoPortal(long_list_pages=list_pages, long_list_per_page=per_page, report_body="stub") as portal,
        tempfile.TemporaryDirectory() as tmp,
    ):
        args = [sys.executable, "-m", "crawler", "crawl", "--start-url", portal.base_url, "--data-dir", str(Path(tmp) / "data"),
                "--render", "never", "--frontier", frontier, "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "DOWNLOAD_DELAY=0",
                "-s", "FRONTIER_HOST_DELAY=0", "-s", "FRONTIER_HEARTBEAT=2", "-s", "PROGRESS_INTERVAL=0"]  # fmt: skip
        started = time.perf_counter()
        proc = subprocess.Popen(args, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        # the worker's log goes to a thread: a full pipe would stall it
        err: list[str] = []
        reader = threading.Thread(target=lambda: err.append(proc.stderr.read() if proc.stderr else ""), daemon=True)
        reader.start()
        watched = psutil.Process(proc.pid)
        while proc.poll() is None:
            try:
                rss = watched.memory_info().rss / 2**20
            except psutil.Error:
                break
            with portal.lock:
                served = len(portal.requests_log)
            samples.append((time.perf_counter() - started, served, rss))
            time.sleep(every)
        proc.wait()
        reader.join(timeout=30)
        took = time.perf_counter() - started
        if proc.returncode != 0:
            raise SystemExit(f"the worker failed ({proc.returncode}): {''.join(err)[-2000:]}")
        with portal.lock:
            served = len(portal.requests_log)
    client.flushdb()
    return {"pages": served, "seconds": took, "samples": samples, "list_pages": list_pages}


def print_memory(run: dict[str, Any]) -> None:
    samples = run["samples"]
    # the crawl phase is the samples taken while pages were still being served; from the first one that
    # finds them all served, the worker is ending (draining parses, the corpus checks, the counts by
    # report): reported apart, it is not per page
    final = samples[-1][1]
    fetched = max((i for i, s in enumerate(samples) if s[1] < final), default=len(samples) - 1)
    crawl, after = samples[: fetched + 1], samples[fetched + 1 :]
    if len(crawl) < 5:
        print(f"{run['pages']} pages in {run['seconds']:.0f} s: too short to draw a curve ({len(crawl)} samples)")
        return
    print(f"Memory: one frontier worker, {run['pages']} pages ({run['list_pages']} list pages) in {run['seconds']:.0f} s,"
          f" {run['pages'] / run['seconds']:.0f} pages/s; RSS sampled {len(samples)} times")  # fmt: skip
    print("| point | seconds | pages served | RSS MB |")
    print("|---|---|---|---|")
    last = len(crawl) - 1
    tenths = [(f"{10 * k}%", k * last // 10) for k in range(1, 10)]  # where in the crawl it grows, if it does
    points = [("start", 0), *tenths, ("last sample fetching", last)]
    for name, i in points:
        t, served, rss = crawl[i]
        print(f"| {name} | {t:.0f} | {served} | {rss:.0f} |")
    if after:
        print(f"| end of the worker | {after[-1][0]:.0f} | {after[-1][1]} | {after[-1][2]:.0f} |")
    peak = max(s[2] for s in crawl)
    # the first quarter is the warm-up (imports, the first pages, SQLite's cache): growth is judged after it
    warm, end = crawl[last // 4], crawl[last]
    pages = max(1, end[1] - warm[1])
    per_10k = (end[2] - warm[2]) / pages * 10_000
    flat = end[2] - warm[2] <= max(0.1 * warm[2], 10.0)
    print(f"crawl: peak {peak:.0f} MB; from 25% to the last sample fetching {end[2] - warm[2]:+.0f} MB over {pages} pages"
          f" ({per_10k:+.1f} MB per 10,000 pages): {'flat' if flat else 'GROWING'}")  # fmt: skip
    if after:
        print(f"end of the worker: {after[-1][0] - crawl[-1][0]:.0f} s, peak {max(s[2] for s in after):.0f} MB")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hosts", type=int, default=8)
    parser.add_argument("--delay", type=float, default=0.25, help="politeness delay per host, seconds")
    parser.add_argument("--latency", type=float, default=0.05, help="seconds a host takes to answer")
    parser.add_argument("--extra-pages", type=int, default=40, help="filler list pages per host")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/14")
    parser.add_argument("--documents", type=int, default=400, help="report documents in the rebuild's WARC")
    parser.add_argument("--skip-crawl", action="store_true")
    parser.add_argument("--skip-rebuild", action="store_true")
    parser.add_argument("--memory-pages", type=int, nargs="?", const=100_000, default=0,
                        help="only the memory run: one worker over about this many pages (100,000 if no number)")  # fmt: skip
    parser.add_argument("--per-page", type=int, default=20, help="reports per list page in the memory run")
    parser.add_argument("--sample-every", type=float, default=3.0, help="seconds between RSS samples in the memory run")
    args = parser.parse_args(argv)
    if args.memory_pages:
        print_memory(memory_run(args.memory_pages, args.per_page, args.sample_every, args.redis))
        return 0

    with tempfile.TemporaryDirectory() as tmpdir:
        tmp = Path(tmpdir)
        if not args.skip_crawl:
            farm = farm_of(args.hosts, args.extra_pages, args.latency)
            registry = _registry(farm, tmp / "regions.json")
            ideal = args.hosts / args.delay
            with farm:
                rows = [crawl_run(farm, registry, tmp / "base", 1, args.delay, None)]
                for workers in (1, 2, 4):
                    rows.append(crawl_run(farm, registry, tmp / f"w{workers}", workers, args.delay, args.redis))
            print(f"Crawl: {args.hosts} hosts x {1 / args.delay:g} requests/s (delay {args.delay} s, latency {args.latency} s)"
                  f" = ideal {ideal:g} pages/s")  # fmt: skip
            print(
                "| workers | Redis | pages | wall s | fetching s | pages/s | / ideal | peak in flight per host | Redis round trips/page | Redis commands/page |"
            )
            print("|---|---|---|---|---|---|---|---|---|---|")
            for r in rows:
                per_page = (
                    f"{r['round_trips'] / r['pages']:.1f} | {r['redis_commands'] / r['pages']:.1f}" if r["redis"] else "— | —"
                )
                print(f"| {r['workers']} | {'yes' if r['redis'] else 'no'} | {r['pages']} | {r['seconds']:.1f} | {r['active_seconds']:.1f}"
                      f" | {r['pages_per_s']:.1f} | {r['pages_per_s'] / ideal:.2f} | {r['peak_per_host']} | {per_page} |")  # fmt: skip
        if not args.skip_rebuild:
            rows = rebuild_runs(tmp, args.documents)
            base = rows[0]
            print(f"\nRebuild: {rows[0]['warc_documents']} report documents in one WARC")
            print("| run | documents | seconds | reports parsed/s | overhead per task vs 1 process (ms) | failures |")
            print("|---|---|---|---|---|---|")
            for r in rows:
                overhead = (r["seconds"] * 2 - base["seconds"]) / r["documents"] * 1000 if r is not base else 0.0
                print(
                    f"| {r['run']} | {r['documents']} | {r['seconds']:.2f} | {r['per_s']:.1f} | {overhead:.1f} | {r['failures']} |"
                )
    return 0


if __name__ == "__main__":
    sys.exit(main())
