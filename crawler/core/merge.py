"""One report from several documents: a page and its PDF / DOCX attachments.

The document whose parse carries the most (table cells, identity) is the
report's record; the others fill what it lacks (a publication date from the
page's metadata) and every document is listed in ``sources``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, cast

from crawler.core.parse.region import region_code
from crawler.core.record_types import Check, Record, Source, StoredDocument
from crawler.core.record_types import Region as RecordRegion
from crawler.core.report import content_fingerprint, record_id, validate
from crawler.registry.regions import Region

# between parses that carry as much, the one read from a text layer wins over one read by OCR
_FORMAT_RANK = {"pdf": 4, "docx": 3, "doc": 3, "rtf": 3, "html": 2, "text": 1, "pdf-ocr": 0, "image": 0}


def record_score(record: Mapping[str, Any]) -> int:
    """How much a parse carries: filled table cells, and its identity fields."""
    cells = 0
    for key, item in (record.get("proactive") or {}).items():
        if isinstance(item, dict) and key != "labels":
            cells += sum(v is not None for v in item.values())
    for values in ((record.get("requests") or {}).get("rows") or {}).values():
        cells += sum(v is not None for v in values)
    for group in (record.get("review_litigation") or {}).values():
        cells += sum(v is not None for v in group.values())
    return cells + 5 * (record.get("year") is not None) + 3 * bool(record.get("agency")) + len(record.get("sections", []))


def fill_region(found: RecordRegion, region: Region) -> RecordRegion:
    """Fill what the report's names left empty from the portal's region, when the two agree.

    A county portal's page naming only its own county gets the province and
    city; a page of another place (a city portal hosting a district's report,
    a report of elsewhere republished) keeps what it names and nothing else.
    """
    keys = ("province", "city", "county")
    registry = {k: getattr(region, k) for k in keys}
    named = [k for k in keys if found.get(k)]
    if any(registry[k] != found.get(k) for k in named):
        return found
    if named and registry[named[-1]] is None:
        return found  # the report is deeper than the region: cannot tell it lies inside
    filled = RecordRegion(
        province=found.get("province") or region.province,
        city=found.get("city") or region.city,
        county=found.get("county") or region.county,
    )
    named_now = {"province": filled["province"], "city": filled["city"], "county": filled["county"]}
    filled["code"] = region_code(named_now) or found.get("code")  # the code of what is now named
    return filled


def merge_group(documents: Sequence[StoredDocument], group_key: str, region: Region | None = None) -> Record | None:
    """The group's record, or None while no document of it parsed as a report.

    ``region`` is the registry entry of the portal the report was found on: it
    fills the parts of the record's region the report's own names left empty.
    """
    parsed = [(d, r) for d in documents if (r := d.get("record"))]
    if not parsed:
        return None
    # a picture of a table names no report: the page (or a file) gives the identity, the pictures only tables
    whole = [p for p in parsed if p[0].get("role") != "image"] or parsed
    best, chosen = max(whole, key=lambda p: (record_score(p[1]), _FORMAT_RANK.get(p[1]["source_format"], 0), p[0]["url"]))
    record = cast(Record, dict(chosen))  # a copy: the documents' own parses stay as stored
    for other, parse in parsed:
        if other.get("role") == "image":
            continue
        if record.get("published_date") is None and parse.get("published_date") is not None:
            record["published_date"] = parse["published_date"]
        if record.get("agency") is None and parse.get("agency") is not None:
            record["agency"] = parse["agency"]
    if best.get("role") != "image":
        _fill_tables(record, [(d["url"], r) for d, r in parsed if d.get("role") == "image"])
    record["page_url"] = group_key
    if region is not None:
        record["region"] = fill_region(cast(RecordRegion, dict(record.get("region") or {})), region)
    record["sources"] = [_source(d) for d in sorted(documents, key=lambda d: (d.get("role") != "page", d["url"]))]
    validate(cast(dict[str, Any], record))  # the JSON-schema check takes any JSON object
    return record


def _source(document: StoredDocument) -> Source:
    """How a record lists one document of its group."""
    warc, parse = document.get("warc"), document.get("record")
    return Source(
        url=document["url"], role=document.get("role"), source_format=parse["source_format"] if parse else None,
        content_type=document.get("content_type"), sha256=document.get("sha256"), fetched_at=document.get("fetched_at"),
        warc=dict(warc) if warc else None, outcome=document.get("outcome"), error=document.get("error"),
    )  # fmt: skip


_TABLES = (("proactive", "二", "T2"), ("requests", "三", "T3"), ("review_litigation", "四", "T4"))


def _fill_tables(record: Record, pictures: list[tuple[str, Record]]) -> None:
    """The tables the record lacks, from the report's pictures (the one carrying most of each wins).

    The record's id is recomputed from its now complete tables, as a parse of the whole
    report would compute it; the pictures' own arithmetic checks come along with their tables.
    """
    filled = []
    for key, name, rule in _TABLES:
        if record.get(key) is not None:
            continue
        donors = [(url, r) for url, r in pictures if r.get(key) is not None]
        if not donors:
            continue
        url, donor = max(donors, key=lambda d: (record_score({key: d[1].get(key)}), d[0]))
        record[key] = donor[key]  # type: ignore[literal-required]  # one of the three table keys
        checks: list[Check] = [*record.get("checks", []), *(c for c in donor.get("checks", []) if c["rule"].startswith(rule))]
        record["checks"] = checks
        record["warnings"] = [w for w in record.get("warnings", []) if w != f"table {name} not found"]
        record["warnings"].append(f"table {name} read by OCR from a picture in the page: {url}")
        filled.append(key)
    if filled:
        checks = record.get("checks", [])
        record["failed_checks"] = sorted({c["rule"] + ":" + c.get("scope", "") for c in checks if c["ok"] is False})
        record["id"] = record_id(record.get("agency"), record.get("year"), content_fingerprint(cast(dict[str, Any], record)))
