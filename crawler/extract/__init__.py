"""Bytes → Document: sniff the format from the bytes, then call that format's extractor.

The format is decided by content, not by URL suffix or Content-Type: portals
serve DOCX as ``application/octet-stream`` and PDFs under ``.html`` names.
"""

from __future__ import annotations

import io
import re
import zipfile

from crawler.document import Document
from crawler.errors import ExtractionError
from crawler.extract.docx import extract_docx
from crawler.extract.html import extract_html
from crawler.extract.html_images import add_picture_tables
from crawler.extract.legacy import extract_legacy, legacy_kind
from crawler.extract.pdf import extract_pdf
from crawler.extract.pictures import image_kind
from crawler.extract.text import extract_text
from crawler.resource import FetchedResource

_HTML_START = re.compile(
    rb"^\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body|meta|table|div|p|title)\b", re.IGNORECASE | re.DOTALL
)


def sniff_format(body: bytes, content_type: str | None = None, filename: str | None = None) -> str:
    """One of ``pdf``, ``docx``, ``doc``, ``rtf``, ``image``, ``html``, ``text``, or ``binary``."""
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
        return "doc"  # OLE2 (.doc, .wps, .xls) or RTF: crawler/extract/legacy.py tells them apart
    if image_kind(head):
        return "image"
    if _HTML_START.match(head.lstrip(b"\xef\xbb\xbf")) or (content_type or "").startswith(("text/html", "application/xhtml")):
        return "html"
    if b"\x00" in head:
        return "binary"
    return "text"


def extract(resource: FetchedResource) -> Document:
    """Extract one document; raises :class:`ExtractionError` with a clear reason."""
    body = resource.body
    if not body or not body.strip():
        raise ExtractionError("empty document", "extract/empty")
    fmt = sniff_format(body, resource.content_type, resource.filename)
    if fmt == "pdf":
        return extract_pdf(body)
    if fmt == "docx":
        return extract_docx(body)
    if fmt == "html":
        doc = extract_html(body, resource.content_type, resource.url)
        return add_picture_tables(doc, body, resource.content_type, resource.local_path)
    if fmt == "text":
        return extract_text(body, resource.content_type)
    if fmt == "doc":
        return extract_legacy(body, legacy_kind(body) or "doc")
    if fmt == "image":
        from crawler.extract.image_tables import extract_image  # OpenCV loads only for pictures

        return extract_image(body)
    raise ExtractionError("unknown binary format", "extract/unknown_format")
