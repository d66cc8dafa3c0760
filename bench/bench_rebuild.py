"""Rebuild benchmark: reports/s at 1 worker and at every core, the driver's memory and its serial share.

Writes gzipped WARC files holding the evaluation fixtures (PDF, DOCX, HTML reports) under as
many portal hosts as it takes to reach ``--documents`` documents, rolled over at 100 MiB as a
crawl's are (``--warc-mib``), then rebuilds it into
fresh SQLite stores with 1 worker and with every core, in this one process. Prints
reports/s, the driver's peak RSS (this process, sampled every 0.1 s; workers excluded)
and the serial share: the driver's CPU time over the rebuild's wall time. The index and plan
phase is printed too: nothing is parsed while it runs; its WARC files are indexed in
parallel, one file per process. The copies of a fixture show the same report (one id), so
each stored group adds its sources to one of a few reports: harder on the store than an
archive of distinct reports.

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


def _fixtures() -> list[tuple[bytes, Path]]:
    return [(p.read_bytes(), p) for p in sorted(FIXTURES.iterdir()) if p.suffix in TYPES]


def _write_copy(writer: WARCWriter, docs: list[tuple[bytes, Path]], i: int) -> None:
    """The fixtures once, under the i-th host."""
    for body, doc in docs:
        url = f"http://bench{i}.example.gov.cn/zfxxgknb/{doc.name}"
        headers = StatusAndHeaders(
            "200 OK", [("Content-Type", TYPES[doc.suffix]), ("Content-Length", str(len(body)))], protocol="HTTP/1.1"
        )
        writer.write_record(writer.create_warc_record(url, "response", payload=io.BytesIO(body), http_headers=headers))


def write_warc(path: Path, copies: int) -> int:
    """The fixtures ``copies`` times under other hosts, in one gzipped WARC file (bench_distributed.py's)."""
    docs = _fixtures()
    with path.open("wb") as fh:
        writer = WARCWriter(fh, gzip=True, warc_version="1.1")
        for i in range(copies):
            _write_copy(writer, docs, i)
    return copies * len(docs)


def write_warcs(folder: Path, copies: int, max_bytes: int) -> int:
    """The fixtures ``copies`` times under other hosts, in gzipped WARC files rolled over at ``max_bytes`` as a crawl's are."""
    docs = _fixtures()
    files, fh = 0, None
    try:
        for i in range(copies):
            if fh is None or fh.tell() >= max_bytes:
                if fh is not None:
                    fh.close()
                files += 1
                fh = (folder / f"bench-{files:05d}.warc.gz").open("wb")
                writer = WARCWriter(fh, gzip=True, warc_version="1.1")
            _write_copy(writer, docs, i)
    finally:
        if fh is not None:
            fh.close()
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
    parser.add_argument(
        "--warc-mib", type=float, default=100, help="roll over to a new WARC file at this size (the crawl's default: 100)"
    )
    args = parser.parse_args(argv)
    per_copy = len([p for p in FIXTURES.iterdir() if p.suffix in TYPES])
    copies = max(1, math.ceil(args.documents / per_copy))
    cores = os.cpu_count() or 1
    with tempfile.TemporaryDirectory() as tmp:
        warcs = Path(tmp) / "warc"
        warcs.mkdir()
        n = write_warcs(warcs, copies, int(args.warc_mib * 2**20))
        files = sorted(warcs.iterdir())
        size = sum(f.stat().st_size for f in files)
        results = {}
        for workers in sorted(set(args.workers or (1, cores))):
            store = Store(f"sqlite:///{Path(tmp) / f'w{workers}.sqlite'}")
            samples: list[float] = []
            stop = threading.Event()
            sampler = threading.Thread(target=peak_rss, args=(stop, samples), daemon=True)
            sampler.start()
            summary = rebuild([warcs], store, [], workers=workers)
            stop.set()
            sampler.join()
            results[workers] = (summary, max(samples))
            store.close()
    print(
        f"WARC: {n} report documents ({copies} copies of the fixtures under other hosts),"
        f" {size / 2**20:.1f} MiB in {len(files)} file(s)"
    )
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
