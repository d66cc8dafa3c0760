"""A crawl frontier shared by many crawler processes and machines, on Redis (scrapy-redis).

``python -m crawler crawl … --frontier redis://head:6379/0`` makes this process one worker
of the target's running crawl (or starts one): scrapy-redis holds the seen-set and the
queue, keyed by the crawl's id (:mod:`crawler.crawl.frontier.state`); the queue and middlewares
of :mod:`crawler.crawl.frontier.worker` keep every host at two downloads at a time across all
workers; each worker writes its own WARCs (its id in their names). ``--status`` prints the
crawls and their workers (:mod:`crawler.crawl.frontier.status`). Without ``--frontier`` nothing
here is loaded.
"""

from __future__ import annotations

from typing import Any

import redis

from crawler.core.errors import ReportError
from crawler.crawl.frontier.state import join_crawl, new_worker_id, redis_client
from crawler.crawl.jobdir import job_key


class FrontierError(ReportError):
    reason = "frontier/unavailable"


def connect(url: str) -> redis.Redis:
    """A Redis client that answered a PING; FrontierError (one line) otherwise."""
    if not url.startswith(("redis://", "rediss://", "unix://")):
        raise FrontierError(f"--frontier takes a redis:// URL, not {url!r}")
    try:
        server = redis_client(url)
        server.ping()
    except (redis.RedisError, ValueError) as exc:
        raise FrontierError(f"cannot reach the frontier at {url}: {exc}") from None
    return server


def configure(settings: Any, url: str, target: dict[str, Any], crawl_id: str | None = None) -> str:
    """Turn ``settings`` into a worker's of the target's crawl; returns the crawl id."""
    server = connect(url)
    key = job_key(target)
    crawl = join_crawl(server, key, crawl_id)
    worker = new_worker_id()
    prefix = f"govreports:{crawl}"
    values: dict[str, Any] = {
        "FRONTIER_URL": url,
        "FRONTIER_TARGET": key,
        "FRONTIER_CRAWL_ID": crawl,
        "FRONTIER_WORKER": worker,
        "REDIS_URL": url,
        "SCHEDULER": "crawler.crawl.frontier.worker.FrontierScheduler",
        "SCHEDULER_QUEUE_CLASS": "crawler.crawl.frontier.worker.HostLeaseQueue",
        "SCHEDULER_QUEUE_KEY": f"{prefix}:queue",
        "DUPEFILTER_CLASS": "scrapy_redis.dupefilter.RFPDupeFilter",
        "SCHEDULER_DUPEFILTER_KEY": f"{prefix}:dupefilter",
        # one worker finishing never wipes the shared state; a new crawl id starts afresh
        "SCHEDULER_PERSIST": True,
        "SCHEDULER_FLUSH_ON_START": False,
        # the parse workers commit each document (STORE_IN_WORKERS); with that off, a group's writes
        # still commit at once: the group lock makes batches safe for merging
        # (tests/test_frontier_store.py), but a two-worker crawl once gave a record that differed
        # from the single process's with batched writes (test_frontier_render, under a loaded
        # suite; not reproduced alone, nor in 4 loaded runs since): other workers see writes at once
        "STORE_BATCH_SIZE": 1,
        # each worker's WARCs carry its id: files of several workers never collide, index.cdxj merges them
        "ARCHIVE_PREFIX": f"govreports-{worker}",
    }
    for name, value in values.items():
        settings.set(name, value, priority="cmdline")
    downloader = dict(settings.getdict("DOWNLOADER_MIDDLEWARES"))
    downloader["crawler.crawl.frontier.worker.LeaseMiddleware"] = 990  # closest to the network: around the download only
    settings.set("DOWNLOADER_MIDDLEWARES", downloader, priority="cmdline")
    spider = dict(settings.getdict("SPIDER_MIDDLEWARES"))
    spider["crawler.crawl.frontier.worker.DoneMiddleware"] = 10  # closest to the engine: after every link is queued
    settings.set("SPIDER_MIDDLEWARES", spider, priority="cmdline")
    extensions = dict(settings.getdict("EXTENSIONS"))
    extensions["crawler.crawl.frontier.worker.FrontierExtension"] = 600
    settings.set("EXTENSIONS", extensions, priority="cmdline")
    return crawl
