"""Parser benchmark: reports/s and pages/s per format, against the naive pdfplumber baseline.

Run: ``.venv/bin/python bench/bench_parse.py [--repeat N] [--cpu]``. Everything is
measured in this one process, so ratios compare like with like:

* extraction (bytes → Document) per format, over the corpus and the fixtures;
* the parse itself (normalise + parse a Document), which must cost under a
  tenth of extraction;
* the naive baseline: pdfplumber ``extract_text`` + ``extract_tables`` on every
  page of the same PDFs, and our PDF extraction's speed-up over it (the two
  take turns in each round, so load from elsewhere on the machine hits both;
  the best round of each is kept).
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import io  # noqa: E402

import pdfplumber  # noqa: E402

from crawler.core.extract import extract, sniff_format  # noqa: E402
from crawler.core.normalize import normalize_text  # noqa: E402
from crawler.core.parse import parse_document  # noqa: E402
from crawler.core.parse.labels import label_core  # noqa: E402
from crawler.core.parse.requests_table import _match  # noqa: E402
from crawler.core.resource import FetchedResource  # noqa: E402
from tests.eval.gate import SHARED  # noqa: E402

INPUTS = [
    *sorted((ROOT / "tests" / "eval" / "fixtures").glob("*.*")),
    *sorted((SHARED / "corpus").glob("*.pdf")),
    *sorted((SHARED / "corpus").glob("*.docx")),
    *sorted((SHARED / "seeds").glob("*.txt")),
]


def naive_pdf(body: bytes) -> int:
    """The baseline: every page's text and tables, as a first script would do it."""
    with pdfplumber.open(io.BytesIO(body)) as pdf:
        for page in pdf.pages:
            page.extract_text()
            page.extract_tables()
        return len(pdf.pages)


def cold_parse(doc) -> None:
    """Parse with the label and text caches emptied: no document profits from the previous one."""
    normalize_text.cache_clear()
    label_core.cache_clear()
    _match.cache_clear()
    parse_document(doc)


clock = time.perf_counter  # --cpu: time.process_time, this process's CPU time, less hit by other load


def timed(fn, repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = clock()
        fn()
        best = min(best, clock() - start)
    return best


def interleaved(fns: list[Callable[[], object]], repeat: int) -> list[float]:
    """Best time of each function over ``repeat`` rounds, the functions taking turns in each round."""
    best = [float("inf")] * len(fns)
    for _ in range(repeat):
        for i, fn in enumerate(fns):
            start = clock()
            fn()
            best[i] = min(best[i], clock() - start)
    return best


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement; the best is kept")
    parser.add_argument(
        "--cpu", action="store_true", help="measure CPU time of this process instead of wall time (a shared machine)"
    )
    args = parser.parse_args(argv)
    global clock
    clock = time.process_time if args.cpu else time.perf_counter
    files = [p for p in INPUTS if p.suffix in {".pdf", ".docx", ".html", ".txt"}]
    bodies = {p: p.read_bytes() for p in files}
    by_format: dict[str, list[Path]] = defaultdict(list)
    for p, body in bodies.items():
        by_format[sniff_format(body)].append(p)

    print(
        f"{'format':7} {'docs':>4} {'pages':>5} {'extract s':>10} {'parse s':>9} {'parse/extract':>13} {'reports/s':>10} {'pages/s':>8}"
    )
    totals = {"extract": 0.0, "parse": 0.0}
    for fmt in sorted(by_format):
        paths = by_format[fmt]
        resources = [FetchedResource(body=bodies[p], filename=p.name) for p in paths]
        docs = [extract(r) for r in resources]
        pages = sum(d.pages or 1 for d in docs)
        t_extract = timed(lambda resources=resources: [extract(r) for r in resources], args.repeat)
        t_parse = timed(lambda docs=docs: [cold_parse(d) for d in docs], args.repeat)
        totals["extract"] += t_extract
        totals["parse"] += t_parse
        print(
            f"{fmt:7} {len(paths):>4} {pages:>5} {t_extract:>10.3f} {t_parse:>9.3f} {t_parse / t_extract:>13.3f}"
            f" {len(paths) / (t_extract + t_parse):>10.1f} {pages / (t_extract + t_parse):>8.1f}"
        )
    print(f"parse cost / extraction cost, all formats: {totals['parse'] / totals['extract']:.3f} (goal < 0.1)")

    pdfs = [bodies[p] for p in by_format.get("pdf", [])]
    if pdfs:
        pages = sum(naive_pdf(b) for b in pdfs)
        # alternate the two in each round, so a busy machine slows both alike; keep each one's best
        t_naive, t_ours = interleaved(
            [lambda: [naive_pdf(b) for b in pdfs], lambda: [extract(FetchedResource(body=b)) for b in pdfs]],
            args.repeat,
        )
        print(f"PDF baseline (pdfplumber extract_text + extract_tables, every page): {pages / t_naive:.1f} pages/s")
        print(
            f"PDF ours (extract → Document):                                      {pages / t_ours:.1f} pages/s"
            f" ({1000 * t_ours / pages:.1f} ms/page)"
        )
        print(f"speed-up over the baseline: {t_naive / t_ours:.2f}x (goal 6x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
