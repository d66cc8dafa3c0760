"""Report tables published as pictures inside an HTML page (``<img>`` instead of ``<table>``).

For a page saved to disk, the picture is the file its relative ``src`` names beside
the page; each one that holds a ruled table is read by OCR and its tables are put
into the document where the picture stood (after the text that precedes it).
The crawl fetches such pictures itself and calls
:func:`crawler.core.extract.image_tables.tables_from_image` with their bytes.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urlsplit

import lxml.html
from lxml import etree

from crawler.core.document import Block, Document
from crawler.core.errors import ExtractionError
from crawler.core.extract.encoding import decode
from crawler.core.extract.ocr import available_engines, get_engine
from crawler.core.extract.pictures import image_kind

#: pictures bigger than this are not report tables (and would take minutes to read)
MAX_PICTURE_BYTES = 20 * 1024 * 1024


def add_picture_tables(doc: Document, body: bytes, content_type: str | None, page_path: str | None) -> Document:
    """Insert the tables of the page's local pictures into ``doc``; a no-op for crawled bytes."""
    if page_path is None or not available_engines():
        return doc
    try:
        text, _ = decode(body, content_type)
        tree = lxml.html.document_fromstring(text)
    except (ValueError, etree.ParserError):
        return doc
    base = Path(page_path).resolve().parent
    from crawler.core.extract.image_tables import tables_from_image  # OpenCV: loaded only for pages with pictures

    added = 0
    confidences: list[float] = []
    for img in tree.iter("img"):
        picture = _local_file(base, img.get("src") or "")
        if picture is None:
            continue
        try:
            read = tables_from_image(picture.read_bytes())
        except ExtractionError as exc:
            doc.warnings.append(f"picture {picture.name}: {exc}")
            continue
        if not read.blocks:
            continue
        at = _position(doc.blocks, _text_before(img))
        doc.blocks[at:at] = read.blocks
        doc.warnings.extend(f"picture {picture.name}: {w}" for w in read.warnings)
        confidences.extend(read.confidences)
        added += len(read.blocks)
    if added:
        doc.warnings.append(f"{added} table(s) read by OCR from pictures in the page")
        mean = round(sum(confidences) / len(confidences), 4) if confidences else None
        doc.ocr = {"engine": get_engine().name, "mean_confidence": mean, "pages": 0}
    return doc


def _local_file(base: Path, src: str) -> Path | None:
    parts = urlsplit(src.strip())
    if parts.scheme or parts.netloc or not parts.path:
        return None  # remote or inline (data:) pictures are the crawl's business
    path = (base / unquote(parts.path)).resolve()
    if not path.is_file() or path.stat().st_size > MAX_PICTURE_BYTES:
        return None
    with path.open("rb") as fh:
        return path if image_kind(fh.read(32)) else None


def _text_before(img: etree._Element) -> str:
    """The last words of text before the picture in document order."""
    texts: list[str] = []
    for node in img.itersiblings(preceding=True):
        texts.append(node.text_content() if isinstance(node, lxml.html.HtmlElement) else "")
        if "".join(texts).strip():
            break
    parent = img.getparent()
    if not "".join(texts).strip() and parent is not None:
        return _text_before(parent) if parent.getparent() is not None else ""
    return "".join(reversed(texts)).strip()[-30:]


def _position(blocks: list[Block], before: str) -> int:
    """Index just after the block that ends with ``before`` (the end of the document if none does)."""
    key = "".join(before.split())[-12:]
    if key:
        for index in range(len(blocks) - 1, -1, -1):
            block = blocks[index]
            if isinstance(block, str) and key in "".join(block.split()):
                return index + 1
    return len(blocks)
