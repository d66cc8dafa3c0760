"""OCR and legacy-format benchmark: seconds per page per engine and dpi, per .doc conversion, memory.

Run: ``.venv/bin/python bench/bench_ocr.py [--pages N] [--engine rapidocr --engine tesseract]``.
Measured in this one process (LibreOffice in its own), on the scanned fixtures of
tests/eval/scans/ (make_scans.py), so the ratios compare like with like:

* OCR path: seconds per scanned page (render + clean + grid + OCR) per engine and dpi,
  and the cell accuracy of those pages against their annotations;
* the same pages through the text-layer path (tests/eval/fixtures/*.pdf): the ratio;
* .doc/.wps/.rtf: the first conversion (starts LibreOffice) and the warm ones;
* memory: this process's peak RSS, and LibreOffice's resident size after the conversions.
"""

from __future__ import annotations

import argparse
import io
import os
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import psutil  # noqa: E402
import pypdfium2  # noqa: E402

from crawler.core.extract import extract, legacy, ocr  # noqa: E402
from crawler.core.resource import FetchedResource  # noqa: E402

SCANS = ROOT / "tests" / "eval" / "scans"
FIXTURES = ROOT / "tests" / "eval" / "fixtures"


def first_pages(path: Path, count: int) -> bytes:
    src = pypdfium2.PdfDocument(path)
    out = pypdfium2.PdfDocument.new()
    out.import_pages(src, list(range(min(count, len(src)))))
    buf = io.BytesIO()
    out.save(buf)
    return buf.getvalue()


def per_page(body: bytes, pages: int) -> float:
    started = time.perf_counter()
    extract(FetchedResource(body=body))
    return (time.perf_counter() - started) / pages


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=2, help="scanned pages per document (OCR is slow)")
    parser.add_argument("--engine", action="append", help="rapidocr and/or tesseract (default: every one installed)")
    args = parser.parse_args(argv)
    engines = args.engine or ocr.available_engines()
    print(f"cpus {os.cpu_count()}, load {os.getloadavg()[0]:.1f}; engines {engines}")

    text_layer = [
        per_page(first_pages(FIXTURES / f"{stem}.pdf", args.pages), args.pages) for stem in ("gov2021_merged", "gov2019_merged")
    ]
    text_s = sum(text_layer) / len(text_layer)
    print(f"text layer      {text_s:8.3f} s/page")
    for engine in engines:
        os.environ["GOVREPORTS_OCR_ENGINE"] = engine
        ocr.get_engine.cache_clear()
        ocr.get_engine()  # model loading is once per process: not a per-page cost
        for dpi in (150, 200):
            times = [
                per_page(first_pages(SCANS / f"{stem}_scan{dpi}.pdf", args.pages), args.pages)
                for stem in ("gov2021_merged", "gov2019_merged")
            ]
            s = sum(times) / len(times)
            print(f"{engine:9} {dpi} dpi {s:8.2f} s/page   {s / text_s:7.0f}x the text layer")
    os.environ.pop("GOVREPORTS_OCR_ENGINE", None)

    if legacy.libreoffice_available():
        docs = [SCANS / "gov2019_merged.doc", SCANS / "gov2021_merged.wps", SCANS / "gov2021_inconsistent.rtf"]
        started = time.perf_counter()
        legacy.convert_to_docx(docs[0].read_bytes())
        cold = time.perf_counter() - started
        warm = []
        for _ in range(3):
            for path in docs:
                started = time.perf_counter()
                legacy.convert_to_docx(path.read_bytes())
                warm.append(time.perf_counter() - started)
        print(f"LibreOffice     first conversion {cold:.2f} s (starts the server), then {sum(warm) / len(warm):.2f} s each")
        proc = legacy._SERVER._proc
        if proc is not None:
            tree = [psutil.Process(proc.pid), *psutil.Process(proc.pid).children(recursive=True)]
            print(f"LibreOffice RSS {sum(p.memory_info().rss for p in tree) / 2**20:8.0f} MiB")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"this process    {peak:8.0f} MiB peak RSS")
    return 0


if __name__ == "__main__":
    sys.exit(main())
