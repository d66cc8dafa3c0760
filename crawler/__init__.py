"""The open crawler and archive of China's government information-disclosure annual reports.

The packages follow the data flow (docs/ARCHITECTURE.md draws it):

* :mod:`crawler.core` -- document -> record, no Scrapy, no store: extraction, normalisation,
  the shared parser, merging a page with its attachments, the parse worker pool;
* :mod:`crawler.crawl` -- what runs inside Scrapy: settings, items, middlewares, retry,
  progress, the books, link discovery, rendering, challenges, job state, the Redis frontier;
* :mod:`crawler.store` -- the record store (SQLite or PostgreSQL) and what reads it;
* :mod:`crawler.rebuild` -- records again from WARC files, locally or on Dask;
* :mod:`crawler.registry` -- regions, divisions and portals, and the tools that keep them;
* :mod:`crawler.publish` -- exports, the data package, the Datasette browser, the static site;
* :mod:`crawler.cli` -- ``python -m crawler``; :mod:`crawler.demo` -- the mock portals.

The public Python API (:mod:`crawler.api`)::

    from crawler import parse, open_store
    record = parse("report.pdf")                      # the record the CLI prints, typed
    with open_store("data") as store:                 # a data directory or postgresql://…
        for r in store.reports(region="江苏省", year=2024, failed_check="T3-1"): ...

The API's names load on first use, so ``import crawler.core.errors`` (a worker process, the
spider) does not pay for the parser and the store.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from crawler.api import open_store, parse
    from crawler.core.errors import ReportError
    from crawler.core.record_types import Record
    from crawler.store.queries import ReportStore

_EXPORTS = {
    "parse": "crawler.api",
    "open_store": "crawler.api",
    "ReportError": "crawler.core.errors",
    "Record": "crawler.core.record_types",
    "ReportStore": "crawler.store.queries",
}
__all__ = ["Record", "ReportError", "ReportStore", "open_store", "parse"]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'crawler' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # later lookups skip this function
    return value
