"""The report record as typed dictionaries, for programs that use the Python API.

These mirror ``crawler/schema/record.schema.json`` (the published contract, RECORD.md):
every object with named properties in the schema is a TypedDict here, its required
properties plain keys and the others ``NotRequired``. ``tests/test_record_types.py``
walks the schema and these classes side by side and fails on any key, requiredness or
leaf type that differs, so a field added to the schema must be added here too.

Keys that are not Python identifiers (table 三's ``withheld.state_secret`` …) use the
functional TypedDict syntax.
"""

from typing import Any, Literal, NotRequired, TypedDict

#: a number as printed in the report; None when the cell is blank, "/", "-", "无" or unreadable
Cell = float | None


class WarcLocation(TypedDict):
    file: str
    offset: int
    record_id: str


class Region(TypedDict):
    province: str | None
    city: str | None
    county: str | None
    #: GB/T 2260 code of the deepest division named (crawler/data/divisions.json)
    code: NotRequired[str | None]


class Section(TypedDict):
    number: str
    heading: str
    text: str


class ProactiveItem(TypedDict, total=False):
    """One 第二十条 item of table 二: which fields it has depends on the item and the template."""

    made: Cell
    repealed: Cell
    in_force: Cell
    published: Cell
    total: Cell
    previous: Cell
    change: Cell
    decisions: Cell
    amount_10k_yuan: Cell
    items: Cell
    amount: Cell


class ProactiveExtraRow(TypedDict):
    label: str
    values: list[Cell]


class Proactive(TypedDict, total=False):
    regulations: ProactiveItem
    normative_documents: ProactiveItem
    licensing: ProactiveItem
    other_services: ProactiveItem
    penalty: ProactiveItem
    enforcement: ProactiveItem
    fees: ProactiveItem
    procurement: ProactiveItem
    extra_rows: list[ProactiveExtraRow]
    labels: dict[str, str]


RequestColumn = Literal[
    "natural_person",
    "commercial_enterprise",
    "research_institution",
    "social_welfare_org",
    "legal_service_org",
    "other_org",
    "total",
]

#: table 三's rows, each the seven columns' values; a report has the rows its template prints
RequestRows = TypedDict(
    "RequestRows",
    {
        "new": list[Cell],
        "carried_over": list[Cell],
        "disclosed": list[Cell],
        "partially_disclosed": list[Cell],
        "withheld.state_secret": list[Cell],
        "withheld.prohibited_by_law": list[Cell],
        "withheld.three_safeties": list[Cell],
        "withheld.third_party": list[Cell],
        "withheld.internal_affairs": list[Cell],
        "withheld.process_info": list[Cell],
        "withheld.enforcement_files": list[Cell],
        "withheld.admin_query": list[Cell],
        "unavailable.not_held": list[Cell],
        "unavailable.needs_creation": list[Cell],
        "unavailable.unclear": list[Cell],
        "not_processed.petition": list[Cell],
        "not_processed.duplicate": list[Cell],
        "not_processed.publication": list[Cell],
        "not_processed.excessive": list[Cell],
        "not_processed.confirmation": list[Cell],
        "other": list[Cell],
        "other.overdue_correction": list[Cell],
        "other.overdue_fee": list[Cell],
        "other.other": list[Cell],
        "result_total": list[Cell],
        "carried_forward": list[Cell],
    },
    total=False,
)


class RequestExtraRow(TypedDict):
    label: str
    values: list[Cell]
    kind: Literal["subtotal", "unknown", "duplicate"]
    category: NotRequired[str]
    in_outcomes: NotRequired[bool]


class Requests(TypedDict):
    columns: list[RequestColumn]
    rows: RequestRows
    extra_rows: list[RequestExtraRow]
    labels: NotRequired[dict[str, str]]


class Outcomes(TypedDict):
    """结果维持, 结果纠正, 其他结果, 尚未审结, 总计."""

    upheld: Cell
    corrected: Cell
    other: Cell
    pending: Cell
    total: Cell


class ReviewLitigation(TypedDict):
    review: Outcomes
    litigation_direct: Outcomes
    litigation_after_review: Outcomes


class FigureEvidence(TypedDict):
    value: float
    sentence: str
    source: Literal["text", "table"]
    part: NotRequired[str | None]
    scope: NotRequired[str | None]


class Check(TypedDict):
    """One consistency rule evaluated on the report (or across years, in ``corpus_checks``)."""

    rule: str
    ok: bool | None
    detail: str
    scope: NotRequired[str]


class Source(TypedDict):
    """A page or attachment of the report, as a crawl fetched it."""

    url: str
    role: NotRequired[str | None]
    source_format: NotRequired[str | None]
    sha256: NotRequired[str | None]
    fetched_at: NotRequired[str | None]
    # the schema leaves a source's WARC location open (an attachment may come from another tool's WARC)
    warc: NotRequired[dict[str, Any] | None]
    outcome: NotRequired[str | None]
    error: NotRequired[str | None]
    content_type: NotRequired[str | None]


class Ocr(TypedDict):
    """Present when the numbers were read by OCR: the engine and its mean confidence (0-1)."""

    engine: str
    mean_confidence: float | None
    pages: NotRequired[int]


class Record(TypedDict):
    """One parsed 政府信息公开工作年度报告 (RECORD.md)."""

    schema_version: Literal[1]
    id: str
    url: str | None
    source_format: Literal["html", "pdf", "docx", "text", "doc", "rtf", "pdf-ocr", "image"]
    sha256: str
    fetched_at: str | None
    warc: WarcLocation | None
    page_url: str | None
    parser_version: str
    pages: NotRequired[int | None]
    title: str
    agency: str | None
    region: Region
    year: int | None
    published_date: str | None
    template: Literal["pre2019", "2019", "2021"]
    sections: list[Section]
    text: str
    proactive: Proactive | None
    requests: Requests | None
    review_litigation: ReviewLitigation | None
    figures: dict[str, float]
    figure_sources: NotRequired[dict[str, str]]
    figure_evidence: NotRequired[dict[str, FigureEvidence]]
    checks: list[Check]
    failed_checks: NotRequired[list[str]]
    warnings: list[str]
    sources: NotRequired[list[Source]]
    corpus_checks: NotRequired[list[Check]]
    ocr: NotRequired[Ocr]


class StoredDocument(TypedDict):
    """A fetched document of a report group as the store keeps it (one ``documents`` row).

    What the crawl and the rebuild hand to ``crawler.store.documents.store_documents``
    and what ``Store.group_documents`` reads back for ``crawler.core.merge.merge_group``.
    A key left out is not known to the writer and keeps its stored value (the rebuild
    knows no page's links; an unchanged fetch only its check time); a key present as
    None stores NULL (a parse that no longer fails clears its error).
    """

    url: str
    #: "parsed", "not_report", "failed" (the crawl's books also store "skipped", "read" …)
    outcome: str | None
    record: Record | None
    group_key: NotRequired[str | None]
    #: "page", "attachment" or "image"
    role: NotRequired[str | None]
    error: NotRequired[str | None]
    status: NotRequired[int | None]
    sha256: NotRequired[str | None]
    content_type: NotRequired[str | None]
    etag: NotRequired[str | None]
    last_modified: NotRequired[str | None]
    fetched_at: NotRequired[str | None]
    checked_at: NotRequired[str | None]
    #: the WARC response record holding the bytes
    warc: NotRequired[WarcLocation | None]
    #: the links an HTML page held
    links: NotRequired[list[str] | None]
