"""Decode document bytes to text: declared charset first, then detection.

Declared gb2312 / gbk are read as gb18030, their superset: portals declare
gb2312 and then use characters outside it (生僻字 in names).

Before any of that, the bytes themselves can say they are Unicode: a byte
order mark (UTF-8, UTF-16, UTF-32), or, without one, the zero bytes that
UTF-16 and UTF-32 put in the high half of every ASCII character (markup,
digits, line breaks): they fall on one parity of positions only.
:func:`unicode_encoding` is shared with the format sniffing, which would
otherwise call such text "binary" for its NULs.
"""

from __future__ import annotations

import re

import charset_normalizer

_GB_FAMILY = {"gb2312", "gbk", "gb18030", "x-gbk", "gb_2312-80", "cp936", "euc-cn"}
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-]+)""", re.IGNORECASE)
_HEADER_CHARSET = re.compile(r"charset\s*=\s*[\"']?([A-Za-z0-9_\-]+)", re.IGNORECASE)


# longest first: the UTF-32-LE mark starts with the UTF-16-LE one
_BOMS = (
    (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\xef\xbb\xbf", "utf-8"),
    (b"\xfe\xff", "utf-16-be"),
    (b"\xff\xfe", "utf-16-le"),
)
_WIDE_SAMPLE = 4096  # a multiple of 4: whole UTF-32 and UTF-16 units
_WIDE_FAMILY = {
    "utf-16",
    "utf-16le",
    "utf-16be",
    "utf-16-le",
    "utf-16-be",
    "utf-32",
    "utf-32le",
    "utf-32be",
    "utf-32-le",
    "utf-32-be",
}


def unicode_encoding(body: bytes) -> tuple[str, int] | None:
    """(codec, length of its byte order mark) when the bytes show a Unicode encoding, else None.

    >>> unicode_encoding("\ufeff年度报告".encode("utf-16-le"))
    ('utf-16-le', 2)
    >>> unicode_encoding("<html><p>2021年</p></html>".encode("utf-16-be"))
    ('utf-16-be', 0)
    >>> unicode_encoding("<html>年度报告</html>".encode("gb18030")) is None
    True
    """
    for bom, codec in _BOMS:
        if body.startswith(bom):
            return codec, len(bom)
    wide = _wide_without_bom(body[:_WIDE_SAMPLE])
    return (wide, 0) if wide else None


def _wide_without_bom(head: bytes) -> str | None:
    n = len(head) - len(head) % 4
    if n < 8:
        return None
    head = head[:n]
    lanes = [head[i::4].count(0) for i in range(4)]
    quarter = n // 4
    candidate: str | None = None
    # UTF-32: the top byte of every character is zero, the next one nearly always (BMP text)
    if lanes[3] == quarter and lanes[2] >= 0.9 * quarter and lanes[0] < quarter // 2:
        candidate = "utf-32-le"
    elif lanes[0] == quarter and lanes[1] >= 0.9 * quarter and lanes[3] < quarter // 2:
        candidate = "utf-32-be"
    else:
        even, odd = lanes[0] + lanes[2], lanes[1] + lanes[3]
        # Chinese text has no zero bytes in UTF-16, but its digits, spaces and line breaks do;
        # binary data has zeros on both parities
        if odd >= max(4, n // 100) and even <= odd // 20:
            candidate = "utf-16-le"
        elif even >= max(4, n // 100) and odd <= even // 20:
            candidate = "utf-16-be"
    if candidate is None:
        return None
    # the decoded sample must read as text, not as a binary table of small numbers
    sample = head.decode(candidate, "replace")
    texty = sum(1 for ch in sample if ch.isprintable() or ch in "\t\n\r\f")
    return candidate if texty >= 0.95 * len(sample) else None


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


# C0 controls other than tab and line ends: XML (hence lxml) refuses them, and no report text
# needs them; a form feed (a page break in text dumps) or a vertical tab ends a line.
_CONTROLS: dict[int, int | None] = dict.fromkeys((*range(0x09), *range(0x0E, 0x20)))
_CONTROLS.update({0x0B: ord("\n"), 0x0C: ord("\n")})
_ANY_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")


def decode(body: bytes, content_type: str | None = None) -> tuple[str, str]:
    """Return (text, charset used), control characters removed. Never raises on undecodable bytes."""
    text, charset = _decode(body, content_type)
    return (text.translate(_CONTROLS) if _ANY_CONTROL.search(text) else text), charset


def _decode(body: bytes, content_type: str | None) -> tuple[str, str]:
    unicode = unicode_encoding(body)
    if unicode:
        codec, bom = unicode
        return body[bom:].decode(codec, "replace"), codec
    declared = declared_charset(body, content_type)
    if declared and declared.replace("_", "-") in _WIDE_FAMILY:
        declared = None  # the bytes showed no UTF-16/32 above: the declaration is wrong
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
