"""Decode document bytes to text: declared charset first, then detection.

Declared gb2312 / gbk are read as gb18030, their superset: portals declare
gb2312 and then use characters outside it (生僻字 in names).
"""

from __future__ import annotations

import re

import charset_normalizer

_GB_FAMILY = {"gb2312", "gbk", "gb18030", "x-gbk", "gb_2312-80", "cp936", "euc-cn"}
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-]+)""", re.IGNORECASE)
_HEADER_CHARSET = re.compile(r"charset\s*=\s*[\"']?([A-Za-z0-9_\-]+)", re.IGNORECASE)


def canonical_charset(name: str | None) -> str | None:
    if not name:
        return None
    name = name.strip().lower()
    if name in _GB_FAMILY:
        return "gb18030"
    if name in {"big5", "big5-hkscs", "cp950"}:
        return "big5hkscs"
    return name


def declared_charset(body: bytes, content_type: str | None = None) -> str | None:
    """The charset the HTTP header or the page's own meta tag declares, if any."""
    if content_type:
        m = _HEADER_CHARSET.search(content_type)
        if m:
            return canonical_charset(m.group(1))
    meta = _META_CHARSET.search(body[:4096])
    if meta:
        return canonical_charset(meta.group(1).decode("ascii", "ignore"))
    return None


def decode(body: bytes, content_type: str | None = None) -> tuple[str, str]:
    """Return (text, charset used). Never raises on undecodable bytes."""
    if body.startswith(b"\xef\xbb\xbf"):
        return body[3:].decode("utf-8", "replace"), "utf-8"
    declared = declared_charset(body, content_type)
    if declared:
        try:
            return body.decode(declared), declared
        except (LookupError, UnicodeDecodeError):
            pass  # a wrong declaration is common; fall through to detection
    try:
        return body.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    best = charset_normalizer.from_bytes(body).best()
    charset = canonical_charset(best.encoding if best else None) or "gb18030"
    return body.decode(charset, "replace"), charset
