"""The Python API: parse a report, open a store. Re-exported by ``crawler`` (``from crawler import parse, open_store``).

``parse`` runs the command line's own path (:func:`crawler.core.report.process`), so it returns
the record ``python -m crawler parse FILE --json`` prints, typed as
:class:`crawler.core.record_types.Record`. Failures raise :class:`crawler.core.errors.ReportError`
subclasses with the CLI's one-line reasons.
"""

from __future__ import annotations

import os
from pathlib import Path

from crawler.core.errors import ReportError
from crawler.core.record_types import Record
from crawler.core.report import process
from crawler.core.resource import FetchedResource
from crawler.store.database import Store, StoreError, database_url
from crawler.store.queries import ReportStore


def parse(source: str | os.PathLike[str] | bytes, url: str | None = None) -> Record:
    """One report document (a path, or its bytes) → its validated record.

    The format is sniffed from the bytes (PDF, DOCX, HTML, extracted text), as on the
    command line; ``url`` is recorded as where the document was published.
    """
    if isinstance(source, bytes | bytearray | memoryview):
        resource = FetchedResource(body=bytes(source), url=url)
    else:
        try:
            resource = FetchedResource.from_path(Path(source), url=url)
        except OSError as exc:
            raise ReportError(f"cannot read {source}: {exc.strerror or exc}", reason="input/unreadable") from exc
    return process(resource)


def open_store(location: str | os.PathLike[str]) -> ReportStore:
    """The store of a data directory (its ``records.sqlite``) or of a database URL (``postgresql://…``).

    A data directory without a store is an error rather than a new empty store: a
    mistyped path should not look like a corpus with no reports.
    """
    text = os.fspath(location)
    if "://" in text:
        return ReportStore(Store(database_url(Path("."), text)))
    data_dir = Path(text)
    if not (data_dir / "records.sqlite").is_file():
        raise StoreError(f"no record store in {data_dir} (records.sqlite is missing): crawl or rebuild into it first")
    return ReportStore(Store(database_url(data_dir, None)))
