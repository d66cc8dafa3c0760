"""Bytes → Document: sniff the format from the bytes, then call that format's extractor.

The format is decided by content, not by URL suffix or Content-Type: portals
serve DOCX as ``application/octet-stream`` and PDFs under ``.html`` names.
UTF-16 and UTF-32 text is recognised by its byte order mark or its zero
bytes (:func:`crawler.core.extract.encoding.unicode_encoding`), not taken for binary.

The limits of :mod:`crawler.core.limits` are applied here (document bytes, text
extracted) and by the extractors (PDF pages, inflated DOCX parts).
"""

from __future__ import annotations

import io
import re
import zipfile

from crawler.core.document import Document
from crawler.core.errors import ExtractionError
from crawler.core.extract.docx import extract_docx
from crawler.core.extract.encoding import unicode_encoding
from crawler.core.extract.html import extract_html
from crawler.core.extract.html_images import add_picture_tables
from crawler.core.extract.legacy import extract_legacy, legacy_kind
from crawler.core.extract.pdf import extract_pdf
from crawler.core.extract.pictures import image_kind
from crawler.core.extract.text import extract_text
from crawler.core.limits import Limits, current
from crawler.core.resource import FetchedResource

_HTML_START = re.compile(
    rb"^\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body|meta|table|div|p|title)\b", re.IGNORECASE | re.DOTALL
)


def sniff_format(body: bytes, content_type: str | None = None) -> str:
    """One of ``pdf``, ``docx``, ``doc``, ``image``, ``html``, ``text``, or ``binary``, from the bytes.

    ``content_type`` only tells markup from plain text when the bytes do not say; a file's name is never read.
    """
    head = body[:2048]
    if b"%PDF-" in body[:1024]:
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        try:
            names = zipfile.ZipFile(io.BytesIO(body)).namelist()
        except zipfile.BadZipFile:
            return "binary"
        return "docx" if "word/document.xml" in names else "binary"
    if head.startswith(b"\xd0\xcf\x11\xe0") or legacy_kind(head) == "rtf":
        return "doc"  # OLE2 (.doc, .wps, .xls) or RTF: crawler/core/extract/legacy.py tells them apart
    if image_kind(head):
        return "image"
    unicode = unicode_encoding(body)
    if unicode and unicode[0] != "utf-8":
        codec, bom = unicode
        # sniff the markup as UTF-8, the encoding the pattern is written in
        head = body[bom : bom + 2048].decode(codec, "replace").encode("utf-8")
        html = _HTML_START.match(head) or (content_type or "").startswith(("text/html", "application/xhtml"))
        return "html" if html else "text"
    if _HTML_START.match(head.lstrip(b"\xef\xbb\xbf")) or (content_type or "").startswith(("text/html", "application/xhtml")):
        return "html"
    if b"\x00" in head:
        return "binary"
    return "text"


def extract(resource: FetchedResource, limits: Limits | None = None) -> Document:
    """Extract one document; raises :class:`ExtractionError` with a clear reason."""
    limits = limits or current()
    body = resource.body
    if not body or not body.strip():
        raise ExtractionError("empty document", "extract/empty")
    if len(body) > limits.max_document_bytes:
        raise ExtractionError(
            f"document is {len(body)} bytes (limit {limits.max_document_bytes}, GOVREPORTS_MAX_DOCUMENT_BYTES)",
            "extract/too-large",
        )
    fmt = sniff_format(body, resource.content_type)
    if fmt in {"html", "text"} and len(body) > limits.max_markup_bytes:
        raise ExtractionError(
            f"{fmt.upper()} document is {len(body)} bytes (limit {limits.max_markup_bytes}, GOVREPORTS_MAX_MARKUP_BYTES)",
            f"extract/{fmt}/too-large",
        )
    try:
        doc = _extract(fmt, body, resource, limits)
    except RecursionError as exc:
        # markup nested thousands deep (a broken or hostile page) exhausts any recursive tree walk
        raise ExtractionError("document nested too deeply to read", "extract/too-deep") from exc
    chars = text_length(doc)
    if chars > limits.max_text_chars:
        raise ExtractionError(
            f"document has {chars} characters of text (limit {limits.max_text_chars}, GOVREPORTS_MAX_TEXT_CHARS)",
            "extract/too-much-text",
        )
    return doc


def text_length(doc: Document) -> int:
    """Characters of text in a document: paragraphs and table cells."""
    return sum(len(b) if isinstance(b, str) else sum(len(c) for row in b.rows for c in row) for b in doc.blocks)


def _extract(fmt: str, body: bytes, resource: FetchedResource, limits: Limits) -> Document:
    if fmt == "pdf":
        return extract_pdf(body, limits)
    if fmt == "docx":
        return extract_docx(body, limits)
    if fmt == "html":
        doc = extract_html(body, resource.content_type, resource.url)
        return add_picture_tables(doc, body, resource.content_type, resource.local_path)
    if fmt == "text":
        return extract_text(body, resource.content_type)
    if fmt == "doc":
        return extract_legacy(body, legacy_kind(body) or "doc")
    if fmt == "image":
        from crawler.core.extract.image_tables import extract_image  # OpenCV loads only for pictures

        return extract_image(body)
    raise ExtractionError("unknown binary format", "extract/unknown_format")
