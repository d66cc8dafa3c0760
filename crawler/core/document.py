"""The format-neutral document every extractor produces and the parser reads.

A document is an ordered list of blocks: paragraphs (one string each) and tables
(a rectangular grid of cell strings). Merged cells are resolved once: the text
sits in the top-left position of the span, the other positions covered by the
span are empty strings, so a label is never counted twice.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Table:
    """A table as a rectangular grid of cell texts (spans resolved)."""

    rows: list[list[str]]
    # Free-form notes from the extractor ("joined over a page break", ...).
    notes: list[str] = field(default_factory=list)
    # How many cells each row printed before it was padded to the grid's width, when the
    # extractor read the grid from text where a row may simply stop (a pipe or tab dump): the
    # cells past a row's end are unknown, not printed blank. None when every row was printed in
    # full (HTML, DOCX and PDF grids: a short row there is the document's own layout).
    row_lengths: list[int] | None = None

    @property
    def width(self) -> int:
        return max((len(r) for r in self.rows), default=0)


Block = str | Table


@dataclass
class Document:
    """Ordered blocks plus what the container format told us about the document."""

    blocks: list[Block]
    source_format: str
    title: str | None = None
    published_date: str | None = None
    # the organ the page names as its publisher (发布机构 / 来源), when the page says so
    publisher: str | None = None
    warnings: list[str] = field(default_factory=list)
    pages: int | None = None
    # Set when the text was read by OCR: {"engine": ..., "mean_confidence": ..., "pages": ...}
    ocr: dict[str, object] | None = None

    @property
    def paragraphs(self) -> list[str]:
        return [b for b in self.blocks if isinstance(b, str)]

    @property
    def tables(self) -> list[Table]:
        return [b for b in self.blocks if isinstance(b, Table)]


def pad_rows(rows: list[list[str]]) -> list[list[str]]:
    """Make a ragged grid rectangular by padding short rows with empty cells."""
    width = max((len(r) for r in rows), default=0)
    return [r + [""] * (width - len(r)) for r in rows]
