"""Storing a report group's documents: the one way the crawl and the rebuild write a report.

:func:`store_documents` saves the documents (one ``documents`` row each), merges the group
(:func:`crawler.core.merge.merge_group`) and puts the report, as ONE step under the group's
lock (``Store.group_step``, :mod:`crawler.store.grouplock`): two documents of a group finishing
in two workers must not each store a merge that misses the other. With a batch open the lock
stays with the batch until it commits, so batching is as safe as a commit per group.

The crawl pipeline stores a document at a time as each parse finishes, and merges with what
the store already holds of the group (``whole_group=False``); the rebuild has the whole
group's documents together and merges exactly those (``whole_group=True``), so a rebuild
never mixes in a stale parse of an earlier crawl.

:func:`parse_and_store` is what a crawl's parse worker runs when it can open the store
itself (a file or a server, not an in-memory database): parse, then store, in the worker,
so the crawl process neither unpickles the record nor merges and writes it.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, cast

from crawler.core.merge import merge_group
from crawler.core.record_types import Record, StoredDocument
from crawler.core.resource import FetchedResource
from crawler.core.workers import Outcome
from crawler.registry.regions import Region
from crawler.store.database import Store, shared_store

logger = logging.getLogger(__name__)


def document_columns(document: StoredDocument) -> dict[str, Any]:
    """The ``documents`` columns a document sets (its URL is the key; an absent key keeps its stored value)."""
    return {k: v for k, v in document.items() if k != "url"}


def fetched_document(url: str, body: bytes, parsed: Outcome, columns: dict[str, Any]) -> StoredDocument:
    """The ``documents`` row of a fetched and parsed document: its parse, its bytes' hash, its other columns."""
    outcome, record, error, _reason = parsed
    sha256 = hashlib.sha256(body).hexdigest()
    return cast(StoredDocument, {"url": url, "outcome": outcome, "record": record, "error": error, "sha256": sha256, **columns})


def store_documents(
    store: Store, group_key: str, documents: Sequence[StoredDocument], region: Region | None, *, whole_group: bool = False
) -> Record | None:
    """Save ``documents`` of the group, merge it and put its report; returns the report (None: no parse yet).

    ``region``: the registry entry of the portal (fills what the report's own names leave out).
    ``whole_group``: ``documents`` are all of the group (the rebuild); else the group's other
    stored documents join the merge (the crawl, a document at a time).
    Raises what the store raises (the caller lists the group as not stored and goes on).
    """
    with store.group_step(group_key):
        for document in documents:
            store.save_document(document["url"], **{"group_key": group_key, **document_columns(document)})
        members = list(documents) if whole_group else store.group_documents(group_key)
        merged = merge_group(members, group_key, region)
        if merged is not None:
            store.put_report(group_key, merged, region_path=region.path if region else None)
    return merged


@dataclass(frozen=True)
class DocumentTask:
    """One fetched document for a parse worker to parse and store itself."""

    store_url: str
    group_key: str
    resource: FetchedResource
    columns: dict[str, Any]  # its other ``documents`` columns (role, status, etag, warc …): never the parse's
    region: Region | None


def parse_and_store(parse: Callable[[FetchedResource], Outcome], task: DocumentTask) -> tuple[Outcome, str | None]:
    """In a worker: parse the document, store it with its group's merge; (outcome without the record, store error).

    The worker opens the store once (:func:`shared_store`); every document commits on its own
    (the group lock held until then, :func:`store_documents`), so what a worker acknowledged
    is on disk whatever later happens to the crawl. A store that refuses the document is its
    failure alone: the error goes back, and the crawl lists the document as not stored.
    """
    parsed = parse(task.resource)
    outcome, _record, error, reason = parsed
    document = fetched_document(task.resource.url or task.group_key, task.resource.body, parsed, task.columns)
    store = shared_store(task.store_url)
    try:
        with store.batch():
            store_documents(store, task.group_key, [document], task.region)
    except Exception as exc:  # the store refusing one document is that document's failure
        logger.debug("storing %s failed", document["url"], exc_info=exc)
        return (outcome, None, error, reason), f"{type(exc).__name__}: {exc}"[:500]
    return (outcome, None, error, reason), None
