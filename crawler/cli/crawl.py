"""``python -m crawler crawl``: crawl a registry region or any portal into WARCs and the store."""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import sys
from pathlib import Path
from typing import Any

from scrapy.crawler import CrawlerProcess
from scrapy.settings import Settings
from scrapy.utils.misc import load_object

from crawler.cli.options import add_store_options, open_store, positive, positive_seconds
from crawler.core.errors import ReportError
from crawler.core.workers import terminate_all
from crawler.crawl import jobdir
from crawler.crawl.progress import crawl_summary
from crawler.crawl.settings import CHROMIUM
from crawler.registry.regions import load_registry, select
from crawler.store.database import database_url


def add_parser(sub: Any) -> None:
    p = sub.add_parser("crawl", help="crawl a region from the registry, or any portal, for annual reports")
    where = p.add_mutually_exclusive_group(required=True)
    where.add_argument("--region", help="a registry region and its children, e.g. 浙江省/温州市/瑞安市")
    where.add_argument("--start-url", help="any portal's address")
    where.add_argument("--due", action="store_true", help="every registry region whose schedule says it is due, once each")
    where.add_argument("--status", action="store_true", help="with --frontier: its crawls, queues, busy hosts and workers")
    add_crawl_options(p)
    p.add_argument("--frontier", metavar="redis://HOST:PORT/DB", help="join the shared crawl frontier in Redis (many workers)")
    p.add_argument("--crawl-id", help="with --frontier: join this crawl id (default: the target's running crawl, else a new one)")
    p.add_argument("--now", type=_moment, help=argparse.SUPPRESS)  # --due as if at this ISO time (tests, dry runs)
    p.set_defaults(func=run)


def _moment(text: str) -> dt.datetime:
    try:
        when = dt.datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError("an ISO date and time such as 2025-02-01T03:00") from None
    return when if when.tzinfo else when.replace(tzinfo=dt.UTC)


def add_crawl_options(p: Any) -> None:
    add_store_options(p)
    p.add_argument(
        "--render", choices=["auto", "never", "always"], default="auto", help="use Chromium (Playwright) for lists scripts fill"
    )
    p.add_argument("--max-pages", type=positive, help="stop after this many pages")
    p.add_argument("--since", type=_year, help="skip reports on years before this one")
    p.add_argument("--registry", type=Path, help="another registry file")
    p.add_argument(
        "--parse-timeout", type=positive_seconds, metavar="SECONDS", help="wall-clock limit per document (PARSE_TIMEOUT, 120)"
    )
    p.add_argument("--parse-memory", type=positive, metavar="MB", help="memory limit of a parser worker (PARSE_MEMORY_MB, 1536)")
    p.add_argument(
        "-s",
        "--set",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        type=_setting,
        help="a Scrapy setting, as `scrapy crawl -s` (e.g. DOWNLOAD_DELAY=2)",
    )


def _setting(text: str) -> tuple[str, str]:
    name, sep, value = text.partition("=")
    if not sep or not name.isidentifier() or not name.isupper():
        raise argparse.ArgumentTypeError("NAME=VALUE with an upper-case Scrapy setting name")
    return name, value


def _year(text: str) -> int:
    value = int(text)
    if not 2000 <= value <= 2100:
        raise argparse.ArgumentTypeError("a year such as 2021")
    return value


def crawl_settings(args: argparse.Namespace, **overrides: Any) -> Settings:
    settings = Settings()
    settings.setmodule("crawler.crawl.settings", priority="project")
    data_dir: Path = args.data_dir
    settings.set("DATA_DIR", str(data_dir), priority="cmdline")
    settings.set("ARCHIVE_DIR", str(data_dir / "warc"), priority="cmdline")
    settings.set("STORE_URL", database_url(data_dir, args.db), priority="cmdline")
    settings.set("LOG_LEVEL", "WARNING", priority="cmdline")
    settings.set("LOG_FORMAT", "%(levelname)s %(name)s: %(message)s", priority="cmdline")
    if args.max_pages:
        settings.set("CLOSESPIDER_PAGECOUNT", args.max_pages, priority="cmdline")
    if args.render == "never":
        settings.set("DOWNLOAD_HANDLERS", {}, priority="cmdline")
    if args.parse_timeout:
        settings.set("PARSE_TIMEOUT", args.parse_timeout, priority="cmdline")
    if args.parse_memory:
        settings.set("PARSE_MEMORY_MB", args.parse_memory, priority="cmdline")
    for key, value in overrides.items():
        settings.set(key, value, priority="cmdline")
    for key, value in args.set:
        settings.set(key, value, priority="cmdline")
    return settings


def run(args: argparse.Namespace, start_url: str | None = None, **overrides: Any) -> int:
    if getattr(args, "status", False):
        return _frontier_status(args)
    if getattr(args, "due", False):
        from crawler.cli.due import run_due

        return run_due(args)
    if args.render != "never" and not Path(CHROMIUM).exists():
        print(f"warning: {CHROMIUM} not found (apt install chromium); lists that need scripts will be missed", file=sys.stderr)
        args.render = "never"
    region = getattr(args, "region", None)
    if region:
        select(load_registry(args.registry), region)  # an unknown region stops here, before anything starts
    open_store(args).close()  # an unreachable database stops here too
    args.data_dir.mkdir(parents=True, exist_ok=True)
    settings = crawl_settings(args, **overrides)
    _check_parse_function(settings)
    _check_archive(settings)
    # crash safety: a killed run of the same command is resumed from its WARCs (crawler/crawl/jobdir.py)
    target = {"region": region, "start_url": start_url or getattr(args, "start_url", None), "since": args.since,
              "registry": str(args.registry) if args.registry else None}  # fmt: skip
    frontier_url = getattr(args, "frontier", None)
    job = None if frontier_url else jobdir.start(args.data_dir, args.data_dir / "warc", target, settings)
    if frontier_url:  # the shared frontier in Redis is the job state: workers join, leave, die, resume
        from crawler.crawl import frontier

        crawl_id = frontier.configure(settings, frontier_url, target, getattr(args, "crawl_id", None))
        print(f"frontier: worker {settings['FRONTIER_WORKER']} of crawl {crawl_id}", file=sys.stderr)
    _show_progress()
    process = CrawlerProcess(settings)
    crawler = process.create_crawler("reports")
    process.crawl(
        crawler, region=region, start_url=start_url or getattr(args, "start_url", None), since=args.since,
        render=args.render, registry=str(args.registry) if args.registry else None,
    )  # fmt: skip
    process.start()
    terminate_all()  # after a second Ctrl-C no pipeline closed: no parser worker may outlive the crawl
    stats = crawler.stats.get_stats() if crawler.stats else {}
    where = args.db or str(args.data_dir / "records.sqlite")
    # the failed checks of the reports this crawl touched, read by the pipeline at its end
    checks = stats.get("reports/failed_checks") or []
    print(crawl_summary(stats, checks, str(args.data_dir / "warc"), where), file=sys.stderr)
    if stats.get("frontier/books"):  # a worker of a shared crawl: the crawl's books besides its own
        from crawler.crawl.frontier.status import books_line

        print(books_line(stats["frontier/books"]), file=sys.stderr)
    if stats.get("finish_reason") in {"shutdown", None}:
        print(
            "interrupted: what was fetched is in the WARCs; documents not parsed are listed, and the next crawl"
            " (or `rebuild`) parses them",
            file=sys.stderr,
        )
        return 130
    if stats.get("finish_reason") not in {"finished", "closespider_pagecount"}:
        print(f"error: the crawl stopped early ({stats.get('finish_reason')})", file=sys.stderr)
        return 1
    if job is not None:
        job.finish()
    return 0


def _frontier_status(args: argparse.Namespace) -> int:
    if not getattr(args, "frontier", None):
        raise ReportError("--status needs --frontier redis://…", reason="options/invalid")
    from crawler.crawl.frontier import connect
    from crawler.crawl.frontier.status import crawls, format_status

    print(format_status(crawls(connect(args.frontier))))
    return 0


def _check_archive(settings: Settings) -> None:
    """ARCHIVE_* are read when the extension starts, where a bad value would end the crawl with a traceback."""
    from archive.extension import ArchiveConfig

    if settings.getbool("ARCHIVE_ENABLED"):
        ArchiveConfig.from_settings(settings)  # ArchiveConfigError is a ReportError: one line, exit status 2


def _check_parse_function(settings: Settings) -> None:
    """PARSE_FUNCTION is loaded in the pipeline, where a bad name would end the crawl with a traceback."""
    name = settings.get("PARSE_FUNCTION") or "crawler.core.report.try_process"
    try:
        function = load_object(name)
    except (ImportError, AttributeError, ValueError, NameError) as exc:
        raise ReportError(f"PARSE_FUNCTION={name}: cannot be loaded ({exc})", reason="options/invalid") from None
    if not callable(function):
        raise ReportError(f"PARSE_FUNCTION={name}: not a function", reason="options/invalid")


def _show_progress() -> None:
    """Progress lines on stderr at INFO while everything else logs from WARNING up."""
    progress = logging.getLogger("crawler.crawl.progress")
    if not progress.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(asctime)s %(message)s", "%H:%M:%S"))
        progress.addHandler(handler)
    progress.setLevel(logging.INFO)
    progress.propagate = False
