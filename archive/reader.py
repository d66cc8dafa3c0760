"""Read records back from WARCs, through warcio's parser only.

:func:`read_response` fetches one response record by its position (file and
offset), for revalidated fetches (a 304 answered from the archive) and for
the rebuild path.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed

from crawler.errors import ReportError


class ArchiveReadError(ReportError):
    reason = "archive/unreadable"


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
                return ArchivedResponse(
                    url=record.rec_headers.get_header("WARC-Target-URI"),
                    status=status,
                    headers=list(record.http_headers.headers),
                    body=record.raw_stream.read(),
                    date=record.rec_headers.get_header("WARC-Date"),
                    record_id=record.rec_headers.get_header("WARC-Record-ID"),
                )
    except (OSError, ArchiveLoadFailed, ValueError) as exc:
        raise ArchiveReadError(f"cannot read {file}@{offset}: {exc}") from exc
    raise ArchiveReadError(f"no record at {file}@{offset}")
