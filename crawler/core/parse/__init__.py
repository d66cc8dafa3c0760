"""THE shared parser: a Document becomes a report record (../shared/RECORD.md).

The command line, the crawl pipelines and the rebuild from WARCs all call
:func:`parse_document` (through :func:`crawler.core.report.process`); nothing else
turns report text into numbers.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from crawler.core.document import Block, Document, Table
from crawler.core.errors import NotAReportError
from crawler.core.normalize import join_wrapped_lines, normalize_cell, normalize_text
from crawler.core.parse.checks import narrative_checks, request_checks, review_checks
from crawler.core.parse.figures import find_figures
from crawler.core.parse.identity import find_identity
from crawler.core.parse.kind import refusal
from crawler.core.parse.proactive_table import parse_proactive, template_votes
from crawler.core.parse.requests_table import parse_requests
from crawler.core.parse.review_table import parse_review
from crawler.core.parse.rows import zone_rows
from crawler.core.parse.sections import split_sections
from crawler.core.parse.template import cited_template, label_votes
from crawler.core.record_types import Check
from crawler.core.titles import is_report_title

PARSER_VERSION = "1.1.0"


def normalize_blocks(doc: Document) -> list[Block]:
    """The document normalised once: prose with wrapped lines joined, table cells normalised."""
    out: list[Block] = []
    run: list[str] = []
    for block in doc.blocks:
        if isinstance(block, Table):
            out.extend(join_wrapped_lines(run))
            run = []
            rows = [[normalize_cell(c) for c in row] for row in block.rows]
            out.append(Table(rows=rows, notes=block.notes, row_lengths=block.row_lengths))
        else:
            text = normalize_text(block)
            if text:
                run.append(text)
    out.extend(join_wrapped_lines(run))
    return out


def full_text(blocks: list[Block]) -> str:
    """The whole text: prose paragraphs and table rows (cells joined by " | ") in order."""
    parts: list[str] = []
    for block in blocks:
        if isinstance(block, Table):
            parts.extend(" | ".join(row) for row in block.rows if any(row))
        else:
            parts.append(block)
    return "\n".join(parts)


def parse_document(doc: Document, today: dt.date | None = None) -> dict[str, Any]:
    """Parse one extracted document into the report fields of the record.

    Identity and provenance fields that depend on where the bytes came from
    (url, sha256, warc …) are added by :func:`crawler.core.report.process`.
    """
    today = today or dt.date.today()
    warnings = list(doc.warnings)
    blocks = normalize_blocks(doc)
    paragraphs = [b for b in blocks if isinstance(b, str)]
    text = full_text(blocks)
    zones = zone_rows(blocks)
    if "信息公开" not in text and not any(zones.values()):
        raise NotAReportError("not a government information-disclosure annual report (no 信息公开 text, no report tables)")
    identity = find_identity(paragraphs, doc.title, doc.published_date, max_year=today.year, publisher=doc.publisher)
    refused = refusal(identity.title, paragraphs, any(zones.values()), is_report_title(identity.title))
    if refused:
        raise NotAReportError(refused)  # a 函, a 通知 … filed among the reports
    if identity.year is None:
        warnings.append("no report year found")

    requests, notes = parse_requests(zones["requests"])
    warnings.extend(notes)
    template = _template(zones, requests, identity.year, text)
    proactive, notes = parse_proactive(zones["proactive"], template)
    warnings.extend(notes)
    review, notes = parse_review(zones["review"])
    warnings.extend(notes)
    if template != "pre2019":
        for name, table in (("二", proactive), ("三", requests), ("四", review)):
            if table is None:
                warnings.append(f"table {name} not found")

    # the report's year lets the finder drop sentences about other years; tables give 附表 rows
    found = find_figures(blocks, year=identity.year)
    figures, figure_sources = found.values(), found.sources()
    sections = split_sections(paragraphs)
    if not any(zones.values()) and not sections and not figures and not is_report_title(identity.title):
        # a list of reports, a column page: it names reports but is none of them. (A report's
        # own page that only says 详见附件 stays: its title and date are the report's.)
        raise NotAReportError("not an annual report: no report tables, no numbered parts, no figures")
    checks: list[Check] = []
    if requests:
        checks += request_checks(requests)
    if review:
        checks += review_checks(review)
    checks += narrative_checks(figures, requests, review, scopes=found.scopes())

    return {
        "title": identity.title,
        "agency": identity.agency,
        "region": identity.region,
        "year": identity.year,
        "published_date": identity.published_date,
        "template": template,
        "sections": sections,
        "text": text,
        "proactive": proactive,
        "requests": requests,
        "review_litigation": review,
        "figures": figures,
        "figure_sources": figure_sources,
        "figure_evidence": found.evidence(),
        "checks": checks,
        "failed_checks": sorted({c["rule"] + ":" + c["scope"] for c in checks if c["ok"] is False}),
        "warnings": warnings,
        "parser_version": PARSER_VERSION,
    }


def _template(zones: dict[str, Any], requests: dict[str, Any] | None, year: int | None, text: str = "") -> str:
    """2019 or 2021 from the tables' layout; pre2019 when the report shows none of either.

    When the layout cannot tell (tables flattened into text, headers lost), the labels only
    one template prints decide, then the circular the text cites, then the year.
    """
    votes = template_votes(zones["proactive"])
    if requests:
        rows = requests["rows"]
        if any(k.startswith("other.") for k in rows):
            votes["2021"] += 2
        elif "other" in rows:
            votes["2019"] += 2
    if votes["2019"] == votes["2021"] == 0:
        votes = label_votes(text.split("\n"))
    if votes["2019"] == votes["2021"] == 0:
        cited = cited_template(text)
        if cited is not None:
            return cited
        if not (requests or zones["review"]):
            return "pre2019"
        return "2021" if (year or 0) >= 2021 else "2019"
    return "2021" if votes["2021"] >= votes["2019"] else "2019"
