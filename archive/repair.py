"""Find and cut a torn WARC tail: the bytes after the last whole record of a file a crash left open.

A crawl killed while writing (``kill -9``, a power cut, a full disk) leaves its open WARC
ending in part of a record. Everything before it is intact: our writer flushes each record
as its own gzip member (WARC 1.1 Annex D). :func:`whole_length` walks the file without
keeping bodies (each gzip member inflated to its end, each record's ``Content-Length``
checked) and returns where the last whole record ends; :func:`repair` truncates the file
there and says so with a warning, so every later reader (warcio, pywb, the rebuild) sees a
valid file. A record torn in the middle of a file (not a tail) is left alone: cutting it
would lose the records after it, and warcio reports it where it is.
"""

from __future__ import annotations

import logging
import os
import re
import time
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

logger = logging.getLogger(__name__)

_CHUNK = 1 << 20
_HEAD_MAX = 1 << 16  # the WARC header block of one record: far below this
_CONTENT_LENGTH = re.compile(rb"^content-length:[ \t]*(\d+)[ \t]*$", re.IGNORECASE | re.MULTILINE)
_END = b"\r\n\r\n"


@dataclass(frozen=True)
class Repaired:
    """A file whose torn tail was cut: its size before and after."""

    path: Path
    size: int
    kept: int

    @property
    def cut(self) -> int:
        return self.size - self.kept

    def describe(self) -> str:
        return f"{self.path.name}: torn tail of {self.cut} bytes cut after the last whole record (at byte {self.kept})"


def _record_complete(data: bytes, total: int) -> bool:
    """Whether an inflated gzip member of ``total`` bytes, starting with ``data``, holds a whole WARC record."""
    if not data.startswith(b"WARC/"):
        return False
    head_end = data.find(_END)
    if head_end < 0:
        return False
    m = _CONTENT_LENGTH.search(data[:head_end])
    if m is None:
        return False
    # a member may hold several records (other tools): the first one at least must be whole
    return total >= head_end + 4 + int(m.group(1)) + len(_END)


def _gzip_whole_length(fh: BinaryIO) -> int:
    """Offset after the last gzip member that inflates to its end and holds a whole record."""
    good = 0
    start = 0  # file offset of the member being read
    pending = b""  # bytes read from the file but not yet given to a decompressor
    while True:
        buf = pending or fh.read(_CHUNK)
        if not buf:
            return good
        inflater = zlib.decompressobj(wbits=31)
        head = bytearray()
        total = 0
        consumed = 0  # bytes of this member given to the inflater
        while True:
            try:
                out = inflater.decompress(buf)
            except zlib.error:
                return good  # not gzip from here on: whatever follows is no whole record
            total += len(out)
            if len(head) < _HEAD_MAX:
                head += out[: _HEAD_MAX - len(head)]
            if inflater.eof:
                used = len(buf) - len(inflater.unused_data)
                consumed += used
                pending = inflater.unused_data
                break
            consumed += len(buf)
            buf = fh.read(_CHUNK)
            if not buf:
                return good  # the member never ends: the torn tail starts at it
        if not _record_complete(bytes(head), total):
            return good
        start += consumed
        good = start


def _plain_whole_length(fh: BinaryIO, size: int) -> int:
    """Offset after the last whole record of an uncompressed WARC."""
    good = 0
    while good < size:
        fh.seek(good)
        head = fh.read(_HEAD_MAX)
        head_end = head.find(_END)
        if not head.startswith(b"WARC/") or head_end < 0:
            return good
        m = _CONTENT_LENGTH.search(head[:head_end])
        if m is None:
            return good
        end = good + head_end + 4 + int(m.group(1)) + len(_END)
        if end > size:
            return good
        fh.seek(end - len(_END))
        if fh.read(len(_END)) != _END:
            return good
        good = end
    return good


def whole_length(path: Path) -> int:
    """The number of leading bytes of ``path`` that are whole WARC records (the file size when nothing is torn)."""
    with path.open("rb") as fh:
        if path.name.endswith(".gz"):
            return _gzip_whole_length(fh)
        return _plain_whole_length(fh, os.fstat(fh.fileno()).st_size)


def repair(path: Path) -> Repaired | None:
    """Cut ``path`` after its last whole record if its tail is torn; None when it is whole.

    A file with no whole record at all (killed while writing its warcinfo) is left alone and
    reported: no reader could use it, and removing data is not this function's call.
    """
    size = path.stat().st_size
    kept = whole_length(path)
    if kept == size:
        return None
    repaired = Repaired(path, size, kept)
    if kept == 0:
        logger.warning("%s: no whole WARC record in %d bytes; left as it is", path.name, size)
        return repaired
    with path.open("r+b") as fh:
        fh.truncate(kept)
        os.fsync(fh.fileno())
    logger.warning("%s", repaired.describe())
    return repaired


def repair_all(paths: Iterable[Path], quiet_seconds: float = 0.0) -> list[Repaired]:
    """:func:`repair` every WARC in ``paths``; files written to in the last ``quiet_seconds`` are only checked.

    The rebuild passes a quiet time: a crawl may still be appending to its newest file, whose
    tail is then merely unfinished, not torn.
    """
    out: list[Repaired] = []
    now = time.time()
    for path in paths:
        if not path.name.endswith((".warc", ".warc.gz")) or not path.is_file():
            continue
        try:
            if quiet_seconds and now - path.stat().st_mtime < quiet_seconds:
                size, kept = path.stat().st_size, whole_length(path)
                if kept != size:
                    logger.warning("%s: ends in a partial record but was written to just now; not cut", path.name)
                continue
            done = repair(path)
        except OSError as exc:
            logger.warning("%s: cannot check for a torn tail: %s", path.name, exc)
            continue
        if done is not None:
            out.append(done)
    return out
