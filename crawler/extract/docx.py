"""DOCX → Document with python-docx: paragraphs and tables in body order.

Merged cells are resolved from the XML (``w:gridSpan``, ``w:vMerge``) so the
text of a merged cell lands once in the grid; python-docx's own ``row.cells``
would repeat it in every position the merge covers.
"""

from __future__ import annotations

import io
import zipfile

import docx
from docx.document import Document as DocxDocument
from docx.oxml.ns import qn
from lxml import etree

from crawler.document import Block, Document, Table, pad_rows
from crawler.errors import ExtractionError

_W_P, _W_TBL, _W_TR, _W_TC = qn("w:p"), qn("w:tbl"), qn("w:tr"), qn("w:tc")
_W_T, _W_TAB, _W_BR = qn("w:t"), qn("w:tab"), qn("w:br")
_W_VAL = qn("w:val")


def extract_docx(body: bytes) -> Document:
    try:
        package: DocxDocument = docx.Document(io.BytesIO(body))
    except (zipfile.BadZipFile, KeyError, ValueError, etree.XMLSyntaxError) as exc:
        raise ExtractionError(f"unreadable DOCX: {exc}", "extract/docx/corrupt") from exc
    blocks: list[Block] = []
    for child in package.element.body.iterchildren():
        if child.tag == _W_P:
            text = _paragraph_text(child).strip()
            if text:
                blocks.extend(ln for ln in text.split("\n") if ln.strip())
        elif child.tag == _W_TBL:
            grid = table_grid(child)
            if grid:
                blocks.append(Table(rows=grid))
    if not blocks:
        raise ExtractionError("DOCX has no text", "extract/docx/empty")
    title = (package.core_properties.title or "").strip() or None
    return Document(blocks=blocks, source_format="docx", title=title)


def _paragraph_text(p: etree._Element) -> str:
    parts: list[str] = []
    for node in p.iter(_W_T, _W_TAB, _W_BR):
        if node.tag == _W_T:
            parts.append(node.text or "")
        elif node.tag == _W_TAB:
            parts.append(" ")
        else:
            parts.append("\n")
    return "".join(parts)


def _cell_text(tc: etree._Element) -> str:
    return "\n".join(t for t in (_paragraph_text(p).strip() for p in tc.iter(_W_P)) if t)


def table_grid(tbl: etree._Element) -> list[list[str]]:
    """The grid of one ``w:tbl``: merged cells' text once, covered positions empty."""
    rows: list[list[str]] = []
    for tr in tbl.iterchildren(_W_TR):
        row: list[str] = []
        tr_pr = tr.find(qn("w:trPr"))
        if tr_pr is not None:
            before = tr_pr.find(qn("w:gridBefore"))
            if before is not None:
                row.extend([""] * int(before.get(_W_VAL, "0")))
        for tc in tr.iterchildren(_W_TC):
            tc_pr = tc.find(qn("w:tcPr"))
            span, continued = 1, False
            if tc_pr is not None:
                grid_span = tc_pr.find(qn("w:gridSpan"))
                if grid_span is not None:
                    span = max(1, int(grid_span.get(_W_VAL, "1")))
                v_merge = tc_pr.find(qn("w:vMerge"))
                # <w:vMerge/> without a value continues the merge from the row above
                continued = v_merge is not None and v_merge.get(_W_VAL, "continue") == "continue"
            row.append("" if continued else _cell_text(tc))
            row.extend([""] * (span - 1))
        rows.append(row)
    return pad_rows(rows)
