"""The open crawler and archive of China's government information-disclosure annual reports.

``crawler`` holds the Scrapy project settings and the framework-free core:
extraction (:mod:`crawler.extract`), normalisation (:mod:`crawler.normalize`)
and the shared parser (:mod:`crawler.parse`), joined in :mod:`crawler.report`.

The public Python API (:mod:`crawler.api`)::

    from crawler import parse, open_store
    record = parse("report.pdf")                      # the record the CLI prints, typed
    with open_store("data") as store:                 # a data directory or postgresql://…
        for r in store.reports(region="江苏省", year=2024, failed_check="T3-1"): ...

``parse`` here is the function: the parser subpackage of the same name is imported first
(its code is reached as ``crawler.parse.*`` imports, which resolve through ``sys.modules``),
then the function is bound over the attribute the import system left on this package.
"""

from __future__ import annotations

import crawler.parse as _parser_package  # noqa: F401  (loaded before the function takes its name)
from crawler.api import open_store, parse
from crawler.errors import ReportError
from crawler.queries import ReportStore
from crawler.record_types import Record

__all__ = ["Record", "ReportError", "ReportStore", "open_store", "parse"]
