"""Read WARCs back, through warcio's parser only (gzipped or not, WARC/1.0 or 1.1, any order).

:func:`read_response` fetches one response record by its position, for
revalidated fetches (a 304 answered from the archive). :func:`scan` indexes
every response and revisit of some WARC files without keeping bodies, and
:func:`load` reads the bodies of the captures a rebuild needs.

Given a ``problems`` list, :func:`scan` makes each record its own failure boundary: a
record it cannot use (a malformed target URI, a body that will not decode, a callback
that fails on it) is noted there with its reason and skipped, and a file that breaks
off (truncated, not a WARC) keeps the records read before the break; the record the break
cuts is noted (``archive/truncated``), never taken as whole.
"""

from __future__ import annotations

import logging
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed

from crawler.core.errors import ReportError

logger = logging.getLogger(__name__)

# what warcio and the decoders raise on damaged input
_READ_ERRORS = (OSError, ArchiveLoadFailed, ValueError, EOFError, zlib.error)


class ArchiveReadError(ReportError):
    reason = "archive/unreadable"


@dataclass(frozen=True)
class ReadProblem:
    """A record or file :func:`scan` could not use."""

    where: str  # the record's target URI, or file@offset
    error: str
    reason: str  # archive/unreadable (a file), archive/bad-uri, archive/truncated, archive/record


@dataclass(frozen=True)
class ArchivedResponse:
    url: str
    status: int
    headers: list[tuple[str, str]]
    body: bytes  # the payload as it came over the wire (still content-encoded)
    date: str | None
    record_id: str | None


def read_response(warc_dir: Path, file: str, offset: int) -> ArchivedResponse:
    path = warc_dir / file
    try:
        with path.open("rb") as fh:
            fh.seek(offset)
            for record in ArchiveIterator(fh):
                if record.rec_type != "response" or record.http_headers is None:
                    raise ArchiveReadError(f"{file}@{offset} is a {record.rec_type} record, not a response")
                status = int(record.http_headers.get_statuscode())
                body = record.raw_stream.read()
                if _missing(record):
                    raise ArchiveReadError(f"{file}@{offset} is cut off: {_missing(record)} bytes of its block missing")
                return ArchivedResponse(
                    url=record.rec_headers.get_header("WARC-Target-URI"),
                    status=status,
                    headers=list(record.http_headers.headers),
                    body=body,
                    date=record.rec_headers.get_header("WARC-Date"),
                    record_id=record.rec_headers.get_header("WARC-Record-ID"),
                )
    except (OSError, ArchiveLoadFailed, ValueError) as exc:
        raise ArchiveReadError(f"cannot read {file}@{offset}: {exc}") from exc
    raise ArchiveReadError(f"no record at {file}@{offset}")


@dataclass(frozen=True, slots=True)
class Capture:
    """One response or revisit record, without its body."""

    url: str
    kind: str  # "response" | "revisit"
    status: int | None
    date: str
    record_id: str
    file: Path
    offset: int
    content_type: str
    refers_to: str | None = None  # a revisit's original record id


def warc_files(paths: Iterable[Path]) -> list[Path]:
    """The WARC files named, or found in the folders named, in a stable order."""
    out: list[Path] = []
    for path in paths:
        if path.is_dir():
            out.extend(sorted(p for p in path.rglob("*") if p.name.endswith((".warc", ".warc.gz", ".arc.gz"))))
        elif path.exists():
            out.append(path)
        else:
            raise ArchiveReadError(f"no such WARC file or folder: {path}")
    return out


def scan(
    files: list[Path], on_html: Callable[[Capture, bytes], None] | None = None, problems: list[ReadProblem] | None = None
) -> list[Capture]:
    """Every response and revisit record; ``on_html`` also gets each HTML page's decoded body.

    Without ``problems`` the first damaged record or file raises ArchiveReadError; with it,
    each is noted there and the scan goes on.
    """
    captures: list[Capture] = []
    for path in files:
        try:
            with path.open("rb") as fh:
                it = ArchiveIterator(fh)
                for record in it:
                    if record.rec_type not in {"response", "revisit"}:
                        continue
                    where = f"{path.name}@{it.offset}"
                    if record.http_headers is None:
                        # warcio parses HTTP only under an http(s) URI: a relative one would vanish unnoticed
                        # (dns: and other schemes are not web captures and are left alone)
                        url = record.rec_headers.get_header("WARC-Target-URI") or ""
                        if not urlsplit(url).scheme:
                            _note(
                                problems,
                                ReadProblem(where, f"malformed WARC-Target-URI {url!r}: not an absolute URL", "archive/bad-uri"),
                            )
                        continue
                    try:
                        capture = _capture(record, path, it.offset)
                    except ValueError as exc:
                        _note(problems, ReadProblem(where, str(exc), "archive/bad-uri"))
                        continue
                    html = (
                        on_html is not None
                        and capture.kind == "response"
                        and capture.status == 200
                        and "html" in capture.content_type
                    )
                    body: bytes | None = None
                    error: Exception | None = None
                    if html:
                        try:
                            body = record.content_stream().read()
                        except Exception as exc:  # noqa: BLE001 - one page: the rest of the file is still read
                            error = exc
                    it.read_to_end(record)
                    missing = _missing(record)
                    if missing:
                        # a record cut off (a torn file's last one): its bytes are not what was fetched
                        _note(
                            problems,
                            ReadProblem(where, f"record cut off: {missing} bytes of its block missing", "archive/truncated"),
                        )
                        continue
                    captures.append(capture)
                    if not html:
                        continue
                    try:
                        if error is not None:
                            raise error
                        assert on_html is not None and body is not None
                        on_html(capture, body)
                    except Exception as exc:  # one page: the rest of the file is still read
                        logger.debug("%s (%s) failed", capture.url, where, exc_info=exc)
                        _note(
                            problems,
                            ReadProblem(capture.url, f"page not read: {type(exc).__name__}: {exc}", "archive/record"),
                        )
        except _READ_ERRORS as exc:
            _note(problems, ReadProblem(path.name, f"cannot read {path.name}: {exc}", "archive/unreadable"))
    return captures


def _missing(record: Any) -> int:
    """Bytes of a record's block its file ends before (0 for a whole record), once the block was read."""
    return max(0, int(getattr(record.raw_stream, "limit", 0) or 0))


def _note(problems: list[ReadProblem] | None, problem: ReadProblem) -> None:
    if problems is None:
        raise ArchiveReadError(f"{problem.where}: {problem.error}", reason=problem.reason)
    problems.append(problem)


def _capture(record: Any, path: Path, offset: int) -> Capture:
    """A record's index entry; ValueError for a target URI nothing downstream could resolve against."""
    headers = record.rec_headers
    url = headers.get_header("WARC-Target-URI")
    if not url:
        raise ValueError("a record without WARC-Target-URI")
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018  # a bad port raises only when read
    except ValueError as exc:
        raise ValueError(f"malformed WARC-Target-URI {url!r}: {exc}") from None
    if not parts.scheme or not parts.netloc:
        raise ValueError(f"malformed WARC-Target-URI {url!r}: not an absolute URL")
    try:
        status: int | None = int(record.http_headers.get_statuscode())
    except (TypeError, ValueError):
        status = None
    return Capture(
        url=url,
        kind=record.rec_type,
        status=status,
        date=headers.get_header("WARC-Date") or "",
        record_id=headers.get_header("WARC-Record-ID") or "",
        file=path,
        offset=offset,
        content_type=(record.http_headers.get_header("Content-Type") or "").lower(),
        refers_to=headers.get_header("WARC-Refers-To"),
    )


@dataclass(frozen=True)
class LoadedResponse:
    capture: Capture
    headers: dict[str, str]  # first value of each, lower-case names
    body: bytes  # decoded: transfer and content encodings removed, as a crawl's pipeline sees it


def load(capture: Capture) -> LoadedResponse:
    """The decoded body and headers of one response capture."""
    try:
        with capture.file.open("rb") as fh:
            fh.seek(capture.offset)
            record = next(iter(ArchiveIterator(fh)))
            headers: dict[str, str] = {}
            for name, value in record.http_headers.headers:
                headers.setdefault(name.lower(), value)
            body = record.content_stream().read()
            missing = _missing(record)
    except (*_READ_ERRORS, StopIteration) as exc:
        raise ArchiveReadError(f"cannot read {capture.file.name}@{capture.offset}: {exc}") from exc
    if missing:
        raise ArchiveReadError(f"{capture.file.name}@{capture.offset} is cut off: {missing} bytes of its block missing")
    return LoadedResponse(capture=capture, headers=headers, body=body)


def latest_captures(captures: list[Capture]) -> dict[str, Capture]:
    """URL → the response holding its latest content (a revisit resolved to its original)."""
    by_id = {c.record_id: c for c in captures if c.kind == "response"}
    latest: dict[str, Capture] = {}
    for capture in sorted(captures, key=lambda c: c.date):
        if capture.kind == "revisit":
            original = by_id.get(capture.refers_to or "")
            if original is None:
                continue  # the original is in a WARC not given: the last response stands
            capture = original
        if capture.status == 200:
            latest[capture.url] = capture
    return latest
