"""Rolling WARC/1.1 writer over warcio, free of Scrapy.

One open file at a time, a ``warcinfo`` record first in every file, each record its own gzip
member (WARC 1.1 Annex D), file names ``{prefix}-{timestamp}-{serial}-{host}.warc.gz``
(Annex C) and rollover once a file reaches ``max_size``.  Record ids and dates come from
injectable factories so tests can produce byte-identical archives.

Digests: warcio 1.8.1 hard-codes sha1 (``RecordBuilder._create_digester`` has no option), so
records carry ``sha1:<base32>`` digests, the format CDX/dedup tools expect; :func:`payload_digest`
computes the same value for revisit look-ups.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import os
import random
import re
import socket
import threading
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from io import BytesIO
from pathlib import Path
from typing import IO, Any
from urllib.parse import urlsplit

from warcio.statusandheaders import StatusAndHeaders

from archive.warc_gzip import GzipLevelWriter

Headers = list[tuple[str, str]]
_Fields = Sequence[tuple[str, str | None]]  # WARC header fields; None values are left out
_Req = tuple[str, Headers, bytes]  # method, headers, body
_Resp = tuple[int, str, Headers, bytes]  # status, reason, headers, body

WARC_VERSION = "WARC/1.1"
SOFTWARE = "govreports-crawler"
CONFORMS_TO = "http://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/"
REQUEST_NOTE = (
    "request records are reconstructed from what Scrapy exposes (Twisted adds Host/Connection outside its view, "
    "Scrapy title-cases header names); response bodies are de-chunked but keep their Content-Encoding"
)
REVISIT_PROFILES = {
    "server-not-modified": "http://netpreserve.org/warc/1.1/revisit/server-not-modified",
    "identical-payload-digest": "http://netpreserve.org/warc/1.1/revisit/identical-payload-digest",
}
TRUNCATION_REASONS = frozenset({"length", "time", "disconnect", "unspecified"})
_HTTP1 = re.compile(r"HTTP/1\.[01]")
_HOST_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
_LINE_BREAKS = re.compile(r"\s*[\r\n]+\s*")


@dataclass(frozen=True)
class WarcPosition:
    """Where a record landed: file name (not path), byte offset of its start (gzip member) and id."""

    file: str
    offset: int
    record_id: str

    def as_dict(self) -> dict[str, object]:
        return {"file": self.file, "offset": self.offset, "record_id": self.record_id}


def warc_date(moment: datetime) -> str:
    """Format a ``WARC-Date`` (UTC, microseconds only when non-zero; naive means UTC).

    >>> warc_date(datetime(2024, 5, 1, 8, 30, 0, 250, tzinfo=UTC))
    '2024-05-01T08:30:00.000250Z'
    """
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC)
    text = moment.strftime("%Y-%m-%dT%H:%M:%S")
    return f"{text}.{moment.microsecond:06d}Z" if moment.microsecond else f"{text}Z"


def payload_digest(body: bytes) -> str:
    """Digest in the form warcio writes to ``WARC-Payload-Digest``.

    >>> payload_digest(b"")
    'sha1:3I42H3S6NNFQ2MSVX7XZKYAYSCX5QBYJ'
    """
    return "sha1:" + base64.b32encode(hashlib.sha1(body).digest()).decode("ascii")


def _checked(pairs: Headers) -> Headers:
    # A CR/LF inside a name or value would forge extra header lines in the stored message.
    for name, value in pairs:
        if any(c in name or c in value for c in "\r\n"):
            raise ValueError(f"header {name!r} contains CR/LF")
    return list(pairs)


def _warc_fields(fields: dict[str, str]) -> bytes:
    # Values are folded onto one line (an error message may span several); names must stay clean.
    folded = [(name, _LINE_BREAKS.sub(" ", value)) for name, value in fields.items()]
    return "".join(f"{name}: {value}\r\n" for name, value in _checked(folded)).encode("utf-8")


def _as_warc_date(value: str | None) -> str | None:
    """Normalise an ISO 8601 date (e.g. ``datetime.isoformat()``) to WARC-Date form; keep anything else."""
    try:
        return warc_date(datetime.fromisoformat(value)) if value else value
    except ValueError:
        return value


def _has(headers: Headers, name: str) -> bool:
    return any(key.lower() == name for key, _ in headers)


def _wire_protocol(protocol: str) -> tuple[str, str | None]:
    """HTTP/1.x is stored as is; h2/h3 get an HTTP/1.1 rendering plus ``WARC-Protocol`` (as Heritrix)."""
    if _HTTP1.fullmatch(protocol.upper()):
        return protocol.upper(), None
    lowered = protocol.lower()
    return "HTTP/1.1", {"http/2": "h2", "http/2.0": "h2", "http/3": "h3"}.get(lowered, lowered)


class _WireHeaders(StatusAndHeaders):  # type: ignore[misc]  # warcio is untyped
    """Headers stored as octets, line by line: latin-1 text (Scrapy's header bytes, decoded) maps back to the bytes received.

    warcio percent-encodes non-ASCII values instead, and rewrites ``filename=`` to ``filename*=UTF-8''…``.
    """

    def compute_headers_buffer(self, header_filter: Any = None) -> None:
        lines = (self.to_str(header_filter) + "\r\n").splitlines(keepends=True)
        self.headers_buff = b"".join(_octets(line) for line in lines)


def _octets(text: str) -> bytes:
    """Latin-1 when possible (lossless for decoded header bytes), else UTF-8 (real Unicode text).

    >>> _octets("\u00e5\u00b9\u00b4"), _octets("\u5e74")
    (b'\\xe5\\xb9\\xb4', b'\\xe5\\xb9\\xb4')
    """
    try:
        return text.encode("latin-1")
    except UnicodeEncodeError:
        return text.encode("utf-8")


def _request_http(url: str, method: str, protocol: str, headers: Headers, body: bytes) -> _WireHeaders:
    parts = urlsplit(url)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    headers = _checked(headers)
    if not _has(headers, "host"):
        headers.insert(0, ("Host", parts.netloc.rpartition("@")[2]))
    if body and not _has(headers, "content-length"):
        headers.append(("Content-Length", str(len(body))))
    return _WireHeaders(f"{target} {protocol}", headers, protocol=method.upper())


def _response_http(protocol: str, status: int, reason: str, headers: Headers) -> _WireHeaders:
    # The body is already de-chunked: a kept Transfer-Encoding would make readers de-chunk it again.
    kept = [
        ("X-Orig-Transfer-Encoding" if key.lower() == "transfer-encoding" else key, value) for key, value in _checked(headers)
    ]
    return _WireHeaders(f"{status} {reason}".rstrip(), kept, protocol=protocol)


class RollingWarcWriter:
    """Thread-safe rolling WARC/1.1 writer; see the module docstring for the file layout."""

    def __init__(
        self,
        directory: Path,
        *,
        prefix: str = "govreports",
        max_size: int = 100 * 2**20,
        gzip: bool = True,
        warcinfo: dict[str, str] | None = None,
        record_id_factory: Callable[[], str] | None = None,
        clock: Callable[[], datetime] | None = None,
        hostname: str | None = None,
    ) -> None:
        self._directory = Path(directory)
        self._prefix = prefix
        self._max_size = max_size
        self._gzip = gzip
        self._warcinfo = dict(warcinfo or {})
        _warc_fields(self._warcinfo)  # refuse CR/LF now rather than when a file is already open
        # version-4 UUIDs from a generator seeded by os.urandom once: uuid4() reads the kernel's
        # random source for every record (two per exchange), a measurable share of the crawl
        rng = random.Random(os.urandom(32))
        self._new_id = record_id_factory or (lambda: f"<urn:uuid:{uuid.UUID(int=rng.getrandbits(128), version=4)}>")
        self._clock = clock or (lambda: datetime.now(UTC))
        self._hostname = _HOST_UNSAFE.sub("-", hostname or socket.gethostname()).strip("-") or "localhost"
        self._lock = threading.Lock()
        self._fh: IO[bytes] | None = None
        self._path: Path | None = None
        self._writer: Any = None
        self._serial = 0
        self._finished: list[Path] = []
        self._closed = False

    # -- public API -------------------------------------------------------------------------
    def write_response(
        self,
        *,
        url: str,
        method: str,
        request_headers: Headers,
        request_body: bytes | None,
        protocol: str,
        status: int,
        reason: str,
        response_headers: Headers,
        body: bytes,
        ip_address: str | None = None,
        fetched_at: datetime | None = None,
        truncated: str | None = None,
    ) -> WarcPosition:
        """Write a response record and its request record; return the response's position."""
        if truncated is not None and truncated not in TRUNCATION_REASONS:
            raise ValueError(f"WARC-Truncated must be one of {sorted(TRUNCATION_REASONS)}, not {truncated!r}")
        extra = [("WARC-IP-Address", ip_address), ("WARC-Truncated", truncated)]
        req = (method, request_headers, request_body or b"")
        return self._exchange("response", url, protocol, req, (status, reason, response_headers, body), extra, fetched_at)

    def write_revisit(
        self,
        *,
        url: str,
        method: str,
        request_headers: Headers,
        protocol: str,
        status: int,
        reason: str,
        response_headers: Headers,
        refers_to_record_id: str | None,
        refers_to_uri: str | None,
        refers_to_date: str | None,
        payload_digest: str | None,
        profile: str = "server-not-modified",
        fetched_at: datetime | None = None,
    ) -> WarcPosition:
        """Write a revisit record (headers only) and its request record; return the revisit's position.

        ``profile`` is ``server-not-modified`` (a 304) or ``identical-payload-digest`` (needs
        ``payload_digest``), or the full profile URI; ``refers_to_date`` may be any ISO 8601 date.
        """
        profile_uri = REVISIT_PROFILES.get(profile, profile)
        if profile_uri not in REVISIT_PROFILES.values():
            raise ValueError(f"unknown revisit profile {profile!r}")
        if profile_uri == REVISIT_PROFILES["identical-payload-digest"] and not payload_digest:
            raise ValueError("the identical-payload-digest profile requires payload_digest")
        extra = [
            ("WARC-Profile", profile_uri),
            ("WARC-Refers-To", refers_to_record_id),
            ("WARC-Refers-To-Target-URI", refers_to_uri),
            ("WARC-Refers-To-Date", _as_warc_date(refers_to_date)),
            ("WARC-Payload-Digest", payload_digest),
        ]
        req = (method, request_headers, b"")
        return self._exchange("revisit", url, protocol, req, (status, reason, response_headers, b""), extra, fetched_at)

    def write_resource(
        self, *, url: str, content_type: str, body: bytes, concurrent_to: str | None = None, fetched_at: datetime | None = None
    ) -> WarcPosition:
        """Write a ``resource`` record, e.g. a rendered DOM under ``urn:dom:…`` or the page URL."""
        with self._lock:
            self._ensure_open()
            date = warc_date(fetched_at or self._clock())
            return self._write(self._record("resource", url, date, [("WARC-Concurrent-To", concurrent_to)], content_type, body))

    def write_metadata(self, *, url: str, fields: dict[str, str], concurrent_to: str | None = None) -> WarcPosition:
        """Write a ``metadata`` record of WARC fields, e.g. ``{"fetch-error": "timeout"}``; line breaks are folded."""
        block = _warc_fields(fields)
        with self._lock:
            self._ensure_open()
            date = warc_date(self._clock())
            extra = [("WARC-Concurrent-To", concurrent_to)]
            return self._write(self._record("metadata", url, date, extra, "application/warc-fields", block))

    def finished(self) -> list[Path]:
        """Files closed so far (complete, safe to index or upload)."""
        with self._lock:
            return list(self._finished)

    def close(self) -> list[Path]:
        """Close the open file (idempotent); return every file this writer wrote, oldest first."""
        with self._lock:
            try:
                self._close_current()
            finally:
                self._closed = True
            return list(self._finished)

    # -- internals ----------------------------------------------------------------------------
    def _exchange(
        self, rec_type: str, url: str, protocol: str, req: _Req, resp: _Resp, extra: _Fields, at: datetime | None
    ) -> WarcPosition:
        url = url.split("#", 1)[0]  # the fragment never reaches the server
        wire, warc_protocol = _wire_protocol(protocol)
        resp_http = _response_http(wire, resp[0], resp[1], resp[2])
        req_http = _request_http(url, req[0], wire, req[1], req[2])
        with self._lock:
            self._ensure_open()
            date = warc_date(at or self._clock())
            extra = [("WARC-Protocol", warc_protocol), *extra]
            response = self._record(rec_type, url, date, extra, "application/http;msgtype=response", resp[3], resp_http)
            concurrent = [("WARC-Concurrent-To", str(response.rec_headers.get_header("WARC-Record-ID")))]
            request = self._record("request", url, date, concurrent, "application/http;msgtype=request", req[2], req_http)
            # Response first, then request: warcio's write_request_response_pair order, which
            # cdxj-indexer relies on to pair them (bufferiter.concur_req_resp).
            return self._write(response, request)

    # -- the methods below are called with the lock held --
    def _record(self, rec_type: str, uri: str, date: str, extra: _Fields, ctype: str, payload: bytes, http: Any = None) -> Any:
        fields = [("WARC-Type", rec_type), ("WARC-Record-ID", self._new_id()), ("WARC-Date", date)]
        if uri:
            fields.append(("WARC-Target-URI", uri))
        fields += _checked([(name, value) for name, value in extra if value is not None])
        fields.append(("Content-Type", ctype))
        # Complete warc_headers keep warcio from generating ids/dates; it only appends digests and Content-Length.
        headers = StatusAndHeaders("", fields, protocol=WARC_VERSION)
        return self._writer.create_warc_record(
            uri, rec_type, BytesIO(payload), len(payload), warc_headers=headers, http_headers=http
        )

    def _ensure_open(self) -> None:
        if self._closed:
            raise ValueError("RollingWarcWriter is closed")
        if self._fh is not None:
            return
        self._directory.mkdir(parents=True, exist_ok=True)
        now = self._clock()
        stamp = (now.astimezone(UTC) if now.tzinfo else now).strftime("%Y%m%d%H%M%S")
        suffix = ".warc.gz" if self._gzip else ".warc"
        while True:
            path = self._directory / f"{self._prefix}-{stamp}-{self._serial:05d}-{self._hostname}{suffix}"
            self._serial += 1
            try:
                self._fh = path.open("xb")
                break
            except FileExistsError:
                continue
        self._path = path
        self._writer = GzipLevelWriter(self._fh, gzip=self._gzip, warc_version=WARC_VERSION)
        info = {"software": SOFTWARE, "format": "WARC File Format 1.1", "conformsTo": CONFORMS_TO, "hostname": self._hostname}
        info.update(self._warcinfo)
        info["requestRecords"] = REQUEST_NOTE
        record = self._record(
            "warcinfo", "", warc_date(now), [("WARC-Filename", path.name)], "application/warc-fields", _warc_fields(info)
        )
        self._write(record, roll=False)

    def _write(self, *records: Any, roll: bool = True) -> WarcPosition:
        assert self._fh is not None and self._path is not None
        offset = self._fh.tell()
        try:
            for record in records:
                self._writer.write_record(record)  # flushes after each record (ends its gzip member)
        except BaseException:
            self._abandon(offset)
            raise
        position = WarcPosition(self._path.name, offset, str(records[0].rec_headers.get_header("WARC-Record-ID")))
        if roll and self._fh.tell() >= self._max_size:
            self._close_current()
        return position

    def _abandon(self, offset: int) -> None:
        """After a failed write: cut the partial record off and end the file; the next write opens a new one."""
        fh, path = self._fh, self._path
        assert fh is not None and path is not None
        self._fh, self._path, self._writer = None, None, None
        with contextlib.suppress(OSError):
            fh.seek(offset)
            fh.truncate()
        with contextlib.suppress(OSError):
            fh.close()
        if offset:
            self._finished.append(path)
        else:  # its warcinfo failed: no file may lack one
            path.unlink(missing_ok=True)

    def _close_current(self) -> None:
        fh, path = self._fh, self._path
        self._fh, self._path, self._writer = None, None, None
        if fh is not None and path is not None:
            self._finished.append(path)
            fh.close()
