"""Scrapy-facing items: what spiders hand to the pipelines."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class FetchedDocument:
    """One fetched candidate document: a report page or an attachment of one."""

    url: str
    group_key: str  # the report page's URL: a page and its attachments are one report
    role: str  # "page" | "attachment"
    status: int
    headers: dict[str, str]
    body: bytes
    fetched_at: str
    warc: dict[str, Any] | None = None
    links: list[str] = field(default_factory=list)  # attachments found on a page
    # what the crawl state knew of this URL before (a crawler.store.database.Prior or None), when it was looked up:
    # the pipeline decides from it whether the bytes changed, without a store query
    prior: Any = None
    prior_checked: bool = False


@dataclass
class FetchFailure:
    """A fetch that produced no usable document (timeout, DNS, 4xx/5xx after retries)."""

    url: str
    group_key: str | None
    role: str
    error: str
    status: int | None = None
