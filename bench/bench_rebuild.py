"""Rebuild benchmark: reports/s from WARCs on one core and on all cores, and the share spent reading WARCs.

Writes a gzipped WARC holding each evaluation fixture (PDF, DOCX, HTML reports)
under K portal hosts, then rebuilds it into fresh SQLite stores with 1 worker
and with every core, in this one process. Reading = indexing the WARC, reading
each HTML page's links, and loading the documents' bodies.

    .venv/bin/python bench/bench_rebuild.py --copies 8
"""

from __future__ import annotations

import argparse
import io
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from warcio.statusandheaders import StatusAndHeaders  # noqa: E402
from warcio.warcwriter import WARCWriter  # noqa: E402

from archive.reader import load  # noqa: E402
from crawler.rebuild import plan, rebuild  # noqa: E402
from crawler.store import Store  # noqa: E402

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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, default=8)
    args = parser.parse_args(argv)
    cores = os.cpu_count() or 1
    with tempfile.TemporaryDirectory() as tmp:
        warc = Path(tmp) / "bench.warc.gz"
        n = write_warc(warc, args.copies)
        size = warc.stat().st_size
        start = time.perf_counter()
        groups, _ = plan([warc])
        for members in groups.values():
            for _, capture in members:
                load(capture)
        t_read = time.perf_counter() - start
        results = {}
        for workers in sorted({1, cores}):
            store = Store(f"sqlite:///{Path(tmp) / f'w{workers}.sqlite'}")
            start = time.perf_counter()
            summary = rebuild([warc], store, [], workers=workers)
            results[workers] = (time.perf_counter() - start, summary)
            store.close()
    print(f"WARC: {n} report documents ({args.copies} copies of the fixtures under other hosts), {size / 2**20:.1f} MiB")
    for workers, (took, summary) in results.items():
        # every document is a whole report; identical copies then share one id (one stored row)
        print(
            f"{workers} worker(s): {summary.documents} documents in {took:.2f} s = {summary.documents / took:.1f} reports parsed/s"
        )
    one, allc = results[1][0], results[max(results)][0]
    print(f"scaling {cores} cores / 1 core: {one / allc:.2f}x")
    print(f"reading WARCs (index, page links, bodies): {t_read:.2f} s = {t_read / one:.0%} of the one-core rebuild")
    return 0


if __name__ == "__main__":
    sys.exit(main())
