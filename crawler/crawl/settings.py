"""Scrapy settings of the project, read once by each component through ``from_crawler``.

Grouped as Scrapy's default_settings: identity, politeness and faults, then the
project's own groups (enable flag first): DATA_DIR, ARCHIVE_*, STORE_URL,
INCREMENTAL_*, PLAYWRIGHT_* (and CHROMIUM, the browser's path). ``python -m crawler crawl`` overrides DATA_DIR,
STORE_URL, ARCHIVE_DIR and the render mode from its options; ``scrapy crawl
reports`` uses these defaults (./data).
"""

from pathlib import Path

BOT_NAME = "govreports"
SPIDER_MODULES = ["spiders"]
NEWSPIDER_MODULE = "spiders"

# Politeness and faults ----------------------------------------------------------------
USER_AGENT = "govreports-crawler/0.2 (+https://github.com/open-gov-reports/crawler; research archive of 政府信息公开年报)"
ROBOTSTXT_OBEY = True
CONCURRENT_REQUESTS = 8
CONCURRENT_REQUESTS_PER_DOMAIN = 2
# Scrapy starts this many asyncio workers for every response's callback output; a list page
# yields a handful of requests and a report page a document or two: 100 (the default) made
# the crawl spend more time creating tasks than parsing pages (bench/bench_crawl.py).
CONCURRENT_ITEMS = 8
# Scrapy pauses downloads while the responses being scraped (their callbacks and the items
# they yielded, still in the pipeline) hold more than this many bytes of bodies (each counted
# as at least 1 KB). Documents waiting for room in the parse backlog (PARSE_QUEUE_*) keep
# their responses here: this bounds their bytes, PARSE_QUEUE_WAITING their number.
SCRAPER_SLOT_MAX_ACTIVE_SIZE = 5_000_000
DOWNLOAD_DELAY = 0.5
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
RETRY_ENABLED = True
RETRY_TIMES = 3
# 5xx, 429 and timeouts are retried (with the exponential backoff below); other 4xx never.
# A Retry-After on 429/503 is waited for, at most RETRY_AFTER_MAX seconds.
RETRY_HTTP_CODES = [429, 500, 502, 503, 504, 522, 524]
RETRY_BACKOFF_BASE = 1.0
RETRY_BACKOFF_MAX = 60.0
RETRY_AFTER_MAX = 120.0
DOWNLOAD_TIMEOUT = 60
DOWNLOAD_MAXSIZE = 64 * 2**20
DOWNLOAD_WARNSIZE = 16 * 2**20
# hops between columns and sites; a list's own pages (next links, TRS pages, list APIs) do not
# count (crawler.crawl.middlewares.ListDepthMiddleware): a column of 500 pages is read to its end
DEPTH_LIMIT = 8
# ... but a chain of list pages that gave no new report link for this many pages in a row
# (an endless calendar, an archive of notices) is not followed further: listed "stale list"
LIST_STALE_PAGES = 5
REDIRECT_MAX_TIMES = 10
COOKIES_ENABLED = True
TELNETCONSOLE_ENABLED = False
REQUEST_FINGERPRINTER_IMPLEMENTATION = "2.7"
TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
FEED_EXPORT_ENCODING = "utf-8"
LOGSTATS_INTERVAL = 0
# Scrapy reads each callback's source (inspect.getsource) on every response to warn about a
# generator returning a value: 2% of the crawl's main thread; ruff and the tests cover it
WARN_ON_GENERATOR_RETURN_VALUE = False

DOWNLOADER_MIDDLEWARES = {
    # first of all: a request waits here while PARSE_QUEUE_WAITING documents wait for the parsers
    "crawler.crawl.middlewares.ParseBacklogGate": 10,
    # before RobotsTxt (100): a redirect off the portal's hosts is refused before anything of that host is fetched
    "crawler.crawl.middlewares.RedirectScopeMiddleware": 50,
    # closer to the downloader than HttpCompression (590) and Retry (550): a 304 becomes the archived response
    "crawler.crawl.middlewares.ConditionalRequestMiddleware": 950,
    # between the downloader and HttpCompression (590): a gzip label on a plain body is dropped, not fatal
    "crawler.crawl.middlewares.LenientDecodingMiddleware": 595,
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "crawler.crawl.retry.BackoffRetryMiddleware": 550,
}
# closer to the spider than DepthMiddleware (900): the crawl's books see every request a page yields
SPIDER_MIDDLEWARES = {
    "crawler.crawl.middlewares.BooksMiddleware": 950,
    "scrapy.spidermiddlewares.depth.DepthMiddleware": None,
    "crawler.crawl.middlewares.ListDepthMiddleware": 900,
}
ITEM_PIPELINES = {"pipelines.reports.ReportPipeline": 300}
EXTENSIONS = {
    "archive.extension.WarcArchiveExtension": 100,
    "crawler.crawl.progress.CrawlProgress": 500,
    # counts the browser's processes too (psutil); warns before the machine runs short
    "scrapy.extensions.memusage.MemoryUsage": None,
    "scrapy_playwright.memusage.ScrapyPlaywrightMemoryUsageExtension": 0,
}
MEMUSAGE_ENABLED = True
MEMUSAGE_WARNING_MB = 2048
MEMUSAGE_LIMIT_MB = 0

# Data folder: the default home of the WARCs and the store below, and where the challenge
# middleware keeps the cookies it earned (DATA_DIR/challenge). ``python -m crawler crawl``
# sets all three from --data-dir; with ``scrapy crawl -s DATA_DIR=…`` set ARCHIVE_DIR and
# STORE_URL as well, as their defaults are computed from this one when the module loads.
DATA_DIR = str(Path("data"))

# Archive (WARC) -------------------------------------------------------------------------
ARCHIVE_ENABLED = True
ARCHIVE_DIR = str(Path(DATA_DIR) / "warc")
ARCHIVE_GZIP = True
ARCHIVE_MAX_SIZE = 100 * 2**20
ARCHIVE_PREFIX = "govreports"

# Record store, parsing and incremental crawls -------------------------------------------------
STORE_URL = f"sqlite:///{Path(DATA_DIR).resolve() / 'records.sqlite'}"
PARSE_WORKERS = 0  # worker processes for the parser; 0: one per core but one, at most 4
INCREMENTAL_ENABLED = True
# the store's writes are committed in batches: this many writes, or a batch this old (seconds);
# and always at the end of a crawl, when it is stopped, and at exit. A crash loses at most the
# open batch, whose documents the next crawl parses again (their bytes are in the WARCs).
STORE_BATCH_SIZE = 200
STORE_BATCH_SECONDS = 2.0
# the parse workers store what they parse (a commit per document, under the group's lock), so
# the crawl process's CPU goes to crawling; the batches above then apply to an in-memory store
# (which no worker can open) or with STORE_IN_WORKERS off
STORE_IN_WORKERS = True

# Parse workers: per-document limits, the queue before them, Ctrl-C ---------------------------
PARSE_TIMEOUT = 120.0  # seconds of wall-clock time a document may take; then its worker is killed (parse/timeout)
PARSE_MEMORY_MB = 1536  # a worker's memory; past it the worker is replaced (parse/memory)
# documents fetched and waiting for (or in) a worker, and their bytes: when either bound is
# reached the pipeline makes Scrapy wait, so downloads pause instead of memory growing
PARSE_QUEUE_DOCUMENTS = 0  # 0: four per worker, at least 8
PARSE_QUEUE_MB = 256
# documents waiting for room in that queue, each holding its response: past this many, no new
# download starts until the parsers catch up (crawler.crawl.middlewares.ParseBacklogGate); 0: off
PARSE_QUEUE_WAITING = 32
PARSE_SHUTDOWN_GRACE = 5.0  # after Ctrl-C, seconds the documents in workers get before they are listed parse/interrupted
PARSE_FUNCTION = "crawler.core.report.try_process"  # what a worker runs per document (tests put a misbehaving one here)

# Progress ---------------------------------------------------------------------------------
PROGRESS_INTERVAL = 10.0

# Browser (scrapy-playwright with Debian's Chromium), used only for requests marked playwright ----
DOWNLOAD_HANDLERS = {
    "http": "scrapy_playwright.handler.ScrapyPlaywrightDownloadHandler",
    "https": "scrapy_playwright.handler.ScrapyPlaywrightDownloadHandler",
}
# Debian's Chromium, the one browser binary: rendering here, the challenge solver
# (crawler.crawl.challenge) and the crawl command's check that it is installed read this name
CHROMIUM = "/usr/bin/chromium"
PLAYWRIGHT_BROWSER_TYPE = "chromium"
PLAYWRIGHT_LAUNCH_OPTIONS = {
    "executable_path": CHROMIUM,
    "headless": True,
    "args": ["--no-sandbox", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
}
PLAYWRIGHT_MAX_CONTEXTS = 1
PLAYWRIGHT_MAX_PAGES_PER_CONTEXT = 2
PLAYWRIGHT_DEFAULT_NAVIGATION_TIMEOUT = 30_000
# a rendered list is read once its links have not changed for RENDER_SETTLE_QUIET seconds,
# or after RENDER_SETTLE_TIMEOUT seconds with what was rendered by then (listed as a failure)
RENDER_SETTLE_TIMEOUT = 15.0
RENDER_SETTLE_QUIET = 1.0

# Anti-bot cookie challenges (crawler/crawl/challenge_middleware.py) ---------------------------
# between HttpCompression (590) and Retry (550): it reads the decoded challenge page before a
# 521 is retried; the browser solves each host once, its cookies go on every later request
DOWNLOADER_MIDDLEWARES["crawler.crawl.challenge_middleware.ChallengeMiddleware"] = 580
# after CookiesMiddleware (700), which rewrites the Cookie header: the earned cookies are added to it
DOWNLOADER_MIDDLEWARES["crawler.crawl.challenge_middleware.ChallengeCookieMiddleware"] = 750
CHALLENGE_ENABLED = True
CHALLENGE_MAX_ATTEMPTS = 3  # solves per host and run before the host is given up
CHALLENGE_BACKOFF = 30.0  # seconds before a second solve for a host, doubled each time
