"""extract → normalise → parse → record: the one path every entry point uses.

``python -m crawler parse``, the crawl pipelines and the rebuild from WARCs
all call :func:`process`; the record it returns is validated against the
published JSON Schema (``crawler/schema/record.schema.json``).
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any, cast

import fastjsonschema

from crawler.core.document import Document
from crawler.core.errors import NotAReportError, ReportError
from crawler.core.extract import extract
from crawler.core.parse import parse_document
from crawler.core.record_types import Record
from crawler.core.resource import FetchedResource

logger = logging.getLogger(__name__)

SCHEMA_VERSION = 1
SCHEMA_PATH = Path(__file__).resolve().parents[1] / "schema" / "record.schema.json"


def content_fingerprint(parsed: dict[str, Any]) -> str:
    """What the report says: its three tables when it has any numbers, else its normalised text.

    The PDF and the DOCX of one report (different bytes, same numbers) share
    a fingerprint, so they are one report.
    """
    tables = {k: _numbers_only(parsed.get(k)) for k in ("proactive", "requests", "review_litigation")}
    if any(v is not None for v in _leaves(tables)):
        canonical = json.dumps(tables, sort_keys=True, ensure_ascii=False)
    else:
        canonical = parsed.get("text", "")
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _numbers_only(value: Any) -> Any:
    """A table without its printed labels: a PDF and a DOCX wrap labels differently."""
    if isinstance(value, dict):
        return {k: _numbers_only(v) for k, v in value.items() if k not in {"labels", "label"}}
    if isinstance(value, list):
        return [_numbers_only(v) for v in value]
    return value


def _leaves(value: Any) -> list[Any]:
    if isinstance(value, dict):
        return [leaf for v in value.values() for leaf in _leaves(v)]
    if isinstance(value, list):
        return [leaf for v in value for leaf in _leaves(v)]
    return [value]


def record_id(agency: str | None, year: int | None, fingerprint: str) -> str:
    """Stable id: the same agency, year and content give the same id on every crawl and rebuild."""
    key = f"{agency or ''}|{year or ''}|{fingerprint}"
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:20]


def process(resource: FetchedResource) -> Record:
    """Turn one fetched document into a validated record (raises ReportError subclasses)."""
    doc = extract(resource)
    return build_record(doc, resource)


def build_record(doc: Document, resource: FetchedResource) -> Record:
    parsed = parse_document(doc)
    record: dict[str, Any] = {
        "schema_version": SCHEMA_VERSION,
        "id": record_id(parsed["agency"], parsed["year"], content_fingerprint(parsed)),
        "url": resource.url,
        "source_format": doc.source_format,
        "sha256": resource.sha256,
        "fetched_at": resource.fetched_at,
        "warc": resource.warc,
        "page_url": resource.page_url if resource.page_url else resource.url,
        "pages": doc.pages,
    }
    if doc.ocr is not None:
        record["ocr"] = doc.ocr
    record.update(parsed)
    validate(record)
    # the schema just checked the dict; tests/test_record_types.py holds Record to that schema
    return cast(Record, record)


class RecordInvalid(ReportError):
    """A record breaks the published JSON Schema: a parser bug, never the document's fault."""

    reason = "parse/invalid-record"


@functools.lru_cache(maxsize=1)
def _validator() -> Callable[[Any], Any]:
    # fastjsonschema compiles the schema to Python once per process: ~30x cheaper per record than
    # jsonschema's interpreter, same verdicts (tests/test_schema_validation.py compares the two).
    schema = json.loads(SCHEMA_PATH.read_text("utf-8"))
    return fastjsonschema.compile(schema)  # type: ignore[no-any-return]


def validate(record: dict[str, Any]) -> None:
    """Raise :class:`RecordInvalid` when a record breaks the published contract."""
    try:
        _validator()(record)
    except fastjsonschema.JsonSchemaValueException as exc:
        raise RecordInvalid(f"record breaks the schema: {exc.message}") from exc


def try_process(resource: FetchedResource) -> tuple[str, Record | None, str | None, str | None]:
    """:func:`process`, never raising for a document: (outcome, record, error, reason).

    outcome is "parsed", "not_report" or "failed". Picklable both ways, for worker processes.
    This is the one catch-all per document: an exception the parser did not foresee is a bug,
    logged with its traceback and counted as ``parse/bug``, never a crash of the caller.
    """
    try:
        return "parsed", process(resource), None, None
    except NotAReportError as exc:
        return "not_report", None, str(exc), exc.reason
    except ReportError as exc:
        return "failed", None, str(exc), exc.reason
    except RecursionError:
        return "failed", None, "document nested too deeply to parse", "parse/too-deep"
    except MemoryError:
        return "failed", None, "out of memory while parsing", "parse/memory"
    except Exception as exc:
        logger.debug("parser bug on %s", resource.url or "a local file", exc_info=True)
        logger.error("parser bug on %s: %s: %s", resource.url or "a local file", type(exc).__name__, exc)
        return "failed", None, f"parser bug: {type(exc).__name__}: {exc}", "parse/bug"
