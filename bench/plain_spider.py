"""The baseline of bench/bench_crawl.py: plain Scrapy fetching a list of URLs, nothing else.

No archive, no pipelines, no parsing: what Scrapy costs on its own. Prints
the elapsed seconds and the page count as JSON on stdout.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import scrapy
from scrapy.crawler import CrawlerProcess


class PlainSpider(scrapy.Spider):
    name = "plain"

    def __init__(self, urls_file: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.start_urls = Path(urls_file).read_text("utf-8").split()

    def parse(self, response: Any) -> None:
        return None


def main(argv: list[str]) -> int:
    urls_file, concurrency = argv[0], int(argv[1])
    process = CrawlerProcess(
        {
            "LOG_LEVEL": "WARNING", "ROBOTSTXT_OBEY": True, "CONCURRENT_REQUESTS": concurrency,
            "CONCURRENT_REQUESTS_PER_DOMAIN": concurrency, "DOWNLOAD_DELAY": 0, "AUTOTHROTTLE_ENABLED": False,
            "TELNETCONSOLE_ENABLED": False, "HTTPERROR_ALLOW_ALL": True,
        }
    )  # fmt: skip
    crawler = process.create_crawler(PlainSpider)
    process.crawl(crawler, urls_file=urls_file)
    process.start()
    stats = crawler.stats.get_stats()
    print(json.dumps({"elapsed": stats.get("elapsed_time_seconds"), "pages": stats.get("response_received_count", 0)}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
