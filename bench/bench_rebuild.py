"""Rebuild benchmark: reports/s at 1 worker and at every core, the driver's memory and its serial share.

Writes a gzipped WARC holding the evaluation fixtures (PDF, DOCX, HTML reports) under as
many portal hosts as it takes to reach ``--documents`` documents, then rebuilds it into
fresh SQLite stores with 1 worker and with every core, in this one process. Prints
reports/s, the driver's peak RSS (this process, sampled every 0.1 s; workers excluded)
and the serial share: the driver's CPU time over the rebuild's wall time. The index and plan
phase is printed too: nothing is parsed while it runs, and the benchmark's one WARC file is
indexed by one process (several files are indexed in parallel).

    .venv/bin/python bench/bench_rebuild.py --documents 10000
"""

from __future__ import annotations

import argparse
import io
import math
import os
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from warcio.statusandheaders import StatusAndHeaders  # noqa: E402
from warcio.warcwriter import WARCWriter  # noqa: E402

from crawler.rebuild.local import rebuild  # noqa: E402
from crawler.store.database import Store  # noqa: E402

FIXTURES = ROOT / "tests" / "eval" / "fixtures"
TYPES = {".pdf": "application/pdf", ".docx": "application/octet-stream", ".html": "text/html"}


def write_warc(path: Path, copies: int) -> int:
    docs = [p for p in sorted(FIXTURES.iterdir()) if p.suffix in TYPES]
    with path.open("wb") as fh:
        writer = WARCWriter(fh, gzip=True, warc_version="1.1")
        for i in range(copies):
            for doc in docs:
                body = doc.read_bytes()
                url = f"http://bench{i}.example.gov.cn/zfxxgknb/{doc.name}"
                headers = StatusAndHeaders(
                    "200 OK", [("Content-Type", TYPES[doc.suffix]), ("Content-Length", str(len(body)))], protocol="HTTP/1.1"
                )
                writer.write_record(writer.create_warc_record(url, "response", payload=io.BytesIO(body), http_headers=headers))
    return copies * len(docs)


def peak_rss(stop: threading.Event, out: list[float]) -> None:
    proc = psutil.Process()
    while not stop.is_set():
        out.append(proc.memory_info().rss / 2**20)
        time.sleep(0.1)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=10000, help="report documents in the WARC (about)")
    parser.add_argument("--workers", type=int, nargs="+", help="worker counts to run (default: 1 and every core)")
    args = parser.parse_args(argv)
    per_copy = len([p for p in FIXTURES.iterdir() if p.suffix in TYPES])
    copies = max(1, math.ceil(args.documents / per_copy))
    cores = os.cpu_count() or 1
    with tempfile.TemporaryDirectory() as tmp:
        warc = Path(tmp) / "bench.warc.gz"
        n = write_warc(warc, copies)
        size = warc.stat().st_size
        results = {}
        for workers in sorted(set(args.workers or (1, cores))):
            store = Store(f"sqlite:///{Path(tmp) / f'w{workers}.sqlite'}")
            samples: list[float] = []
            stop = threading.Event()
            sampler = threading.Thread(target=peak_rss, args=(stop, samples), daemon=True)
            sampler.start()
            summary = rebuild([warc], store, [], workers=workers)
            stop.set()
            sampler.join()
            results[workers] = (summary, max(samples))
            store.close()
    print(f"WARC: {n} report documents ({copies} copies of the fixtures under other hosts), {size / 2**20:.1f} MiB")
    for workers, (summary, rss) in results.items():
        print(
            f"{workers} worker(s): {summary.documents} documents in {summary.seconds:.2f} s"
            f" = {summary.documents / summary.seconds:.1f} reports parsed/s; driver peak RSS {rss:.0f} MB;"
            f" serial share (driver CPU / wall) {summary.driver_seconds / summary.seconds:.1%};"
            f" index and plan {summary.plan_seconds:.1f} s ({summary.plan_seconds / summary.seconds:.1%} of wall)"
        )
    if len(results) > 1:
        few, most = min(results), max(results)
        print(f"scaling {most} / {few} worker(s): {results[few][0].seconds / results[most][0].seconds:.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
