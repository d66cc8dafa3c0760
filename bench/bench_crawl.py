"""Crawl benchmark: our crawl (archive + pipelines on) against plain Scrapy on the same pages.

Serves the demo portal with N extra list pages (a portal of a few thousand
pages), crawls it with ``python -m crawler crawl`` (render never, no delays),
collects the URLs that crawl fetched from its CDXJ index, and has plain Scrapy
fetch exactly those URLs with the same concurrency, in the same run. Prints
pages/s of both, the ratio, and each process's peak memory (RSS sampled every
0.1 s with psutil) at each quarter of the crawl, to show whether memory stays
flat as the crawl grows.

    .venv/bin/python bench/bench_crawl.py --extra-pages 2000
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from crawler.demo.portal import DemoPortal  # noqa: E402


def run_measured(cmd: list[str]) -> tuple[subprocess.CompletedProcess[str], list[float]]:
    """Run a command; return it and its RSS samples (MB, the process and its children)."""
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    samples: list[float] = []
    ps = psutil.Process(proc.pid)
    while proc.poll() is None:
        try:
            rss = ps.memory_info().rss + sum(c.memory_info().rss for c in ps.children(recursive=True))
            samples.append(rss / 2**20)
        except psutil.Error:
            pass
        time.sleep(0.1)
    out, err = proc.communicate()
    return subprocess.CompletedProcess(cmd, proc.returncode, out, err), samples


def quarters(samples: list[float]) -> str:
    if not samples:
        return "n/a"
    n = len(samples)
    return " / ".join(f"{max(samples[: max(1, n * q // 4)]):.0f}" for q in (1, 2, 3, 4))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--extra-pages", type=int, default=2000, help="filler list pages added to the portal")
    parser.add_argument("--concurrency", type=int, default=16)
    args = parser.parse_args(argv)
    with DemoPortal(extra_list_pages=args.extra_pages) as portal, tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "data"
        ours, ours_mem = run_measured(
            [sys.executable, "-m", "crawler", "crawl", "--start-url", portal.base_url, "--data-dir", str(data),
             "--render", "never", "-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False",
             "-s", f"CONCURRENT_REQUESTS={args.concurrency}", "-s", f"CONCURRENT_REQUESTS_PER_DOMAIN={args.concurrency}",
             "-s", "PROGRESS_INTERVAL=0", "-s", "DEPTH_LIMIT=0"]
        )  # fmt: skip
        if ours.returncode != 0:
            print(ours.stderr[-3000:])
            return 1
        m = re.search(r"finished: \w+ in ([\d.]+) s", ours.stderr)
        pages = int(re.search(r"pages fetched: (\d+)", ours.stderr).group(1))  # type: ignore[union-attr]
        ours_elapsed = float(m.group(1)) if m else float("nan")
        urls = sorted(
            {json.loads(line.split(" ", 2)[2])["url"] for line in (data / "warc" / "index.cdxj").read_text().splitlines()}
        )
        urls = [u for u in urls if not u.endswith("/robots.txt")]
        urls_file = Path(tmp) / "urls.txt"
        urls_file.write_text("\n".join(urls), "utf-8")
        plain, plain_mem = run_measured(
            [sys.executable, str(ROOT / "bench" / "plain_spider.py"), str(urls_file), str(args.concurrency)]
        )
        if plain.returncode != 0:
            print(plain.stderr[-3000:])
            return 1
        base = json.loads(plain.stdout.strip().splitlines()[-1])
    ours_rate = pages / ours_elapsed
    plain_rate = base["pages"] / base["elapsed"]
    print(f"portal: demo + {args.extra_pages} list pages; concurrency {args.concurrency}; render never")
    print(
        f"ours  (archive + store + parse): {pages:5d} pages in {ours_elapsed:6.1f} s = {ours_rate:6.1f} pages/s; peak RSS MB by quarter: {quarters(ours_mem)}"
    )
    print(
        f"plain Scrapy, same URLs:         {base['pages']:5d} pages in {base['elapsed']:6.1f} s = {plain_rate:6.1f} pages/s; peak RSS MB by quarter: {quarters(plain_mem)}"
    )
    print(f"ratio ours / plain: {ours_rate / plain_rate:.2f} (goal >= 0.8)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
