"""One report from several documents: a page and its PDF / DOCX attachments.

The document whose parse carries the most (table cells, identity) is the
report's record; the others fill what it lacks (a publication date from the
page's metadata) and every document is listed in ``sources``.
"""

from __future__ import annotations

from typing import Any

from crawler.core.parse.region import region_code
from crawler.core.report import content_fingerprint, record_id, validate
from crawler.registry.regions import Region

# between parses that carry as much, the one read from a text layer wins over one read by OCR
_FORMAT_RANK = {"pdf": 4, "docx": 3, "doc": 3, "rtf": 3, "html": 2, "text": 1, "pdf-ocr": 0, "image": 0}


def record_score(record: dict[str, Any]) -> int:
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


def fill_region(found: dict[str, Any], region: Region) -> dict[str, Any]:
    """Fill what the report's names left empty from the portal's region, when the two agree.

    A county portal's page naming only its own county gets the province and
    city; a page of another place (a city portal hosting a district's report,
    a report of elsewhere republished) keeps what it names and nothing else.
    """
    keys = ("province", "city", "county")
    registry = {k: getattr(region, k) for k in keys}
    named = [k for k in keys if found.get(k)]
    if any(registry[k] != found[k] for k in named):
        return found
    if named and registry[named[-1]] is None:
        return found  # the report is deeper than the region: cannot tell it lies inside
    filled: dict[str, Any] = {k: found.get(k) or registry[k] for k in keys}
    filled["code"] = region_code(filled) or found.get("code")  # the code of what is now named
    return filled


def merge_group(documents: list[dict[str, Any]], group_key: str, region: Region | None = None) -> dict[str, Any] | None:
    """The group's record, or None while no document of it parsed as a report.

    ``region`` is the registry entry of the portal the report was found on: it
    fills the parts of the record's region the report's own names left empty.
    """
    parsed = [d for d in documents if d.get("record")]
    if not parsed:
        return None
    # a picture of a table names no report: the page (or a file) gives the identity, the pictures only tables
    whole = [d for d in parsed if d.get("role") != "image"] or parsed
    best = max(
        whole,
        key=lambda d: (record_score(d["record"]), _FORMAT_RANK.get(d["record"]["source_format"], 0), d["url"]),
    )
    record = dict(best["record"])
    for other in parsed:
        for field in ("published_date", "agency"):
            if record.get(field) is None and other["record"].get(field) is not None and other.get("role") != "image":
                record[field] = other["record"][field]
    if best.get("role") != "image":
        _fill_tables(record, [d for d in parsed if d.get("role") == "image"])
    record["page_url"] = group_key
    if region is not None:
        record["region"] = fill_region(dict(record.get("region") or {}), region)
    record["sources"] = [
        {
            "url": d["url"],
            "role": d.get("role"),
            "source_format": (d.get("record") or {}).get("source_format"),
            "content_type": d.get("content_type"),
            "sha256": d.get("sha256"),
            "fetched_at": d.get("fetched_at"),
            "warc": {"file": d["warc_file"], "offset": d["warc_offset"], "record_id": d["warc_record_id"]}
            if d.get("warc_file")
            else None,
            "outcome": d.get("outcome"),
            "error": d.get("error"),
        }
        for d in sorted(documents, key=lambda d: (d.get("role") != "page", d["url"]))
    ]
    validate(record)
    return record


_TABLES = (("proactive", "二", "T2"), ("requests", "三", "T3"), ("review_litigation", "四", "T4"))


def _fill_tables(record: dict[str, Any], pictures: list[dict[str, Any]]) -> None:
    """The tables the record lacks, from the report's pictures (the one carrying most of each wins).

    The record's id is recomputed from its now complete tables, as a parse of the whole
    report would compute it; the pictures' own arithmetic checks come along with their tables.
    """
    filled = []
    for key, name, rule in _TABLES:
        if record.get(key) is not None:
            continue
        donors = [d for d in pictures if d["record"].get(key) is not None]
        if not donors:
            continue
        donor = max(donors, key=lambda d: (record_score({key: d["record"][key]}), d["url"]))["record"]
        record[key] = donor[key]
        record["checks"] = [*record.get("checks", []), *(c for c in donor.get("checks", []) if c["rule"].startswith(rule))]
        record["warnings"] = [w for w in record.get("warnings", []) if w != f"table {name} not found"]
        record["warnings"].append(f"table {name} read by OCR from a picture in the page: {donor['url']}")
        filled.append(key)
    if filled:
        checks = record.get("checks", [])
        record["failed_checks"] = sorted({c["rule"] + ":" + c["scope"] for c in checks if c["ok"] is False})
        record["id"] = record_id(record.get("agency"), record.get("year"), content_fingerprint(record))
