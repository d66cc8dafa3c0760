"""Headers for a response whose body a browser already decoded, so the WARC record stays true.

A browser (Playwright, for rendered lists and for cookie challenges) hands over a response's
body after undoing its ``Content-Encoding`` and chunking, but its headers as the server sent
them. Archived together, a reader would gunzip or de-chunk a plain body again, and the
``Content-Length`` would not be the body's. :func:`decoded_headers` renames the two encodings
to ``X-Orig-Content-Encoding`` / ``X-Orig-Transfer-Encoding`` (kept for the record, inert for
readers), drops HTTP/2 pseudo-headers (``:status``), which are no HTTP/1.1 header lines, and
states the length of the body actually stored.
"""

from __future__ import annotations

from collections.abc import Iterable

_ENCODINGS = frozenset({"content-encoding", "transfer-encoding"})


def decoded_headers(headers: Iterable[tuple[str, str]], body_length: int) -> list[tuple[str, str]]:
    """``headers`` (name, value) in their order, rewritten for a decoded body of ``body_length`` bytes."""
    fixed: list[tuple[str, str]] = []
    for name, value in headers:
        if name.startswith(":"):
            continue
        low = name.lower()
        if low == "content-length":
            continue  # the server's figure counts the encoded bytes
        fixed.append((f"X-Orig-{name}", value) if low in _ENCODINGS else (name, value))
    fixed.append(("Content-Length", str(body_length)))
    return fixed
