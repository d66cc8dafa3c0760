"""DOCX → Document with python-docx: paragraphs and tables in body order.

Merged cells are resolved from the XML (``w:gridSpan``, ``w:vMerge``) so the
text of a merged cell lands once in the grid; python-docx's own ``row.cells``
would repeat it in every position the merge covers.

Before python-docx reads anything, the zip is checked against
:mod:`crawler.core.limits`: the sizes its directory declares, then the bytes each
part really inflates to (counted while streaming, so a part that lies about
its size is caught after at most the limit): a zip bomb is refused with
``extract/docx/too-large`` instead of filling memory.
"""

from __future__ import annotations

import io
import zipfile
import zlib

import docx
from docx.document import Document as DocxDocument
from docx.oxml.ns import qn
from lxml import etree

from crawler.core.document import Block, Document, Table, pad_rows
from crawler.core.errors import ExtractionError
from crawler.core.limits import Limits, current

_W_P, _W_TBL, _W_TR, _W_TC = qn("w:p"), qn("w:tbl"), qn("w:tr"), qn("w:tc")
_W_T, _W_TAB, _W_BR = qn("w:t"), qn("w:tab"), qn("w:br")
_W_VAL = qn("w:val")
_CHUNK = 1 << 20  # inflated bytes read at a time while counting a part's real size


def extract_docx(body: bytes, limits: Limits | None = None) -> Document:
    """Paragraphs and table grids of a DOCX, in body order; ExtractionError for a bomb or a broken file."""
    check_zip(body, limits or current())
    try:
        package: DocxDocument = docx.Document(io.BytesIO(body))
    except (zipfile.BadZipFile, KeyError, ValueError, etree.XMLSyntaxError, EOFError, zlib.error, NotImplementedError) as exc:
        raise ExtractionError(f"unreadable DOCX: {exc}", "extract/docx/corrupt") from exc
    # a damaged or hand-made document.xml can have another root, or a w:document without a w:body
    body_element = getattr(package.element, "body", None)
    if body_element is None:
        raise ExtractionError("DOCX has no document body (w:body)", "extract/docx/corrupt")
    blocks: list[Block] = []
    for child in body_element.iterchildren():
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
    return Document(blocks=blocks, source_format="docx", title=_title(package))


def _title(package: DocxDocument) -> str | None:
    """The title in docProps/core.xml; a broken core.xml loses the title, not the document."""
    try:
        title = package.core_properties.title
    except (AttributeError, KeyError, ValueError, etree.XMLSyntaxError):
        return None
    return (title or "").strip() or None


def check_zip(body: bytes, limits: Limits) -> None:
    """Refuse a zip whose parts declare, or really inflate to, more than the limits allow."""
    try:
        with zipfile.ZipFile(io.BytesIO(body)) as zf:
            infos = zf.infolist()
            if len(infos) > limits.max_zip_entries:
                raise ExtractionError(
                    f"DOCX has {len(infos)} parts (limit {limits.max_zip_entries})", "extract/docx/too-many-parts"
                )
            declared = sum(info.file_size for info in infos)
            if declared > limits.max_inflated_bytes:
                raise ExtractionError(
                    f"DOCX inflates to {declared} bytes (limit {limits.max_inflated_bytes}): a zip bomb?",
                    "extract/docx/too-large",
                )
            inflated = 0
            for info in infos:
                # the directory can lie: count what each part really inflates to, never holding more than a chunk
                with zf.open(info) as part:
                    while chunk := part.read(_CHUNK):
                        inflated += len(chunk)
                        if inflated > limits.max_inflated_bytes:
                            raise ExtractionError(
                                f"DOCX inflates to more than {limits.max_inflated_bytes} bytes: a zip bomb?",
                                "extract/docx/too-large",
                            )
    except (
        zipfile.BadZipFile,
        zipfile.LargeZipFile,
        EOFError,
        zlib.error,
        NotImplementedError,
        RuntimeError,
        ValueError,
        OSError,
    ) as exc:
        # RuntimeError: zipfile's word for a part encrypted with a password
        raise ExtractionError(f"unreadable DOCX: {exc}", "extract/docx/corrupt") from exc


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
                row.extend([""] * _count(before.get(_W_VAL), 0))
        for tc in tr.iterchildren(_W_TC):
            tc_pr = tc.find(qn("w:tcPr"))
            span, continued = 1, False
            if tc_pr is not None:
                grid_span = tc_pr.find(qn("w:gridSpan"))
                if grid_span is not None:
                    span = max(1, _count(grid_span.get(_W_VAL), 1))
                v_merge = tc_pr.find(qn("w:vMerge"))
                # <w:vMerge/> without a value continues the merge from the row above
                continued = v_merge is not None and v_merge.get(_W_VAL, "continue") == "continue"
            row.append("" if continued else _cell_text(tc))
            row.extend([""] * (span - 1))
        rows.append(row)
    return pad_rows(rows)


# Word's own tables stop at 63 columns; a larger span or offset is a broken or hostile file
_MAX_SPAN = 64


def _count(value: str | None, default: int) -> int:
    """A span or offset attribute as a sane count: malformed → the default, huge → capped."""
    try:
        n = int(value) if value is not None else default
    except ValueError:
        return default
    return min(max(n, 0), _MAX_SPAN)
