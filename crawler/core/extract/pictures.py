"""Recognise pictures (PNG, JPEG, GIF, TIFF, BMP) by their first bytes.

Kept apart from :mod:`crawler.core.extract.image_tables` so that sniffing a format
does not load OpenCV and numpy: only a picture or a scanned page needs them.
"""

from __future__ import annotations


def image_kind(head: bytes) -> str | None:
    """``png``, ``jpeg``, ``gif``, ``tiff`` or ``bmp`` from the first bytes, else None."""
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "gif"
    if head.startswith((b"II*\x00", b"MM\x00*")):
        return "tiff"
    if head.startswith(b"BM") and len(head) >= 26 and head[14] in (12, 40, 52, 56, 108, 124):
        return "bmp"  # the DIB header size, so text starting "BM" is not taken for a bitmap
    return None
