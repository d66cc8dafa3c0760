"""Tests of archive.decoded: a browser's decoded body archived with headers that say so."""

from __future__ import annotations

import gzip
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator

from archive.decoded import decoded_headers
from archive.writer import RollingWarcWriter

PAGE = "<html><body><p>主动公开政府信息 128 条</p></body></html>".encode()
# as a browser reports them for a gzip-encoded, chunked HTTP/2 answer: the body it hands over is PAGE, decoded
SERVER_HEADERS = [
    (":status", "200"),
    ("Content-Type", "text/html; charset=utf-8"),
    ("Content-Encoding", "gzip"),
    ("Content-Length", str(len(gzip.compress(PAGE)))),
    ("Transfer-Encoding", "chunked"),
    ("Set-Cookie", "a=1"),
    ("Set-Cookie", "b=2"),
]


def test_encodings_renamed_length_restated_pseudo_headers_dropped() -> None:
    assert decoded_headers(SERVER_HEADERS, len(PAGE)) == [
        ("Content-Type", "text/html; charset=utf-8"),
        ("X-Orig-Content-Encoding", "gzip"),
        ("X-Orig-Transfer-Encoding", "chunked"),
        ("Set-Cookie", "a=1"),
        ("Set-Cookie", "b=2"),
        ("Content-Length", str(len(PAGE))),
    ]


def test_names_are_matched_in_any_case_and_keep_their_spelling() -> None:
    fixed = decoded_headers([("content-encoding", "br"), ("CONTENT-LENGTH", "9"), ("ETag", '"v1"')], 0)
    assert fixed == [("X-Orig-content-encoding", "br"), ("ETag", '"v1"'), ("Content-Length", "0")]


def test_plain_headers_only_gain_the_length() -> None:
    assert decoded_headers([], 5) == [("Content-Length", "5")]
    assert decoded_headers([("Content-Type", "image/png")], 5) == [("Content-Type", "image/png"), ("Content-Length", "5")]


def _archived(tmp_path: Path, headers: list[tuple[str, str]]) -> tuple[dict[str, str], bytes]:
    """The stored HTTP headers (lower-cased names) and payload of the one response archived."""
    writer = RollingWarcWriter(tmp_path / "warcs", gzip=True)
    writer.write_response(
        url="https://www.gov.cn/list.html", method="GET", request_headers=[], request_body=None, protocol="HTTP/1.1",
        status=200, reason="OK", response_headers=headers, body=PAGE,
    )  # fmt: skip
    [path] = writer.close()
    with path.open("rb") as fh:
        record = next(r for r in ArchiveIterator(fh) if r.rec_type == "response")
        stored = {name.lower(): value for name, value in record.http_headers.headers}
        return stored, bytes(record.raw_stream.read())


def test_the_stored_record_describes_the_body_it_holds(tmp_path: Path) -> None:
    stored, payload = _archived(tmp_path / "fixed", decoded_headers(SERVER_HEADERS, len(PAGE)))
    assert payload == PAGE
    assert int(stored["content-length"]) == len(PAGE)
    assert "content-encoding" not in stored and stored["x-orig-content-encoding"] == "gzip"
    # the server's headers as they came: a replay would announce gzip and the wrong length for a plain body
    stored, payload = _archived(tmp_path / "as_sent", [(n, v) for n, v in SERVER_HEADERS if not n.startswith(":")])
    assert payload == PAGE and stored["content-encoding"] == "gzip" and int(stored["content-length"]) != len(PAGE)
