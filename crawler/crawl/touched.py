"""The report groups a crawl touched, with what each showed before: on disk, not in memory.

The pipeline must know, at the end of a crawl, which groups (report pages) it stored and
whether each one's record is new, changed or unchanged, and which agencies' cross-year
checks to recompute. Held as a dict of URL → digest, that costs ~150 bytes a group and
grows for as long as the crawl runs (15 MB at 100,000 groups, per worker). Here a group is
one line appended to a temporary file (its URL and the 16-byte digest of the record it
showed before, if any), and "touched already?" is asked of a :class:`SeenUrls` (8 bytes a
group). The end of the crawl reads the file back a chunk at a time.
"""

from __future__ import annotations

import json
import os
import tempfile
import threading
import weakref
from collections.abc import Iterator

from crawler.crawl.seen import SeenUrls

_BLOCK = 1 << 20


class TouchedGroups:
    """Groups in the order first touched, each with its record's digest before the crawl (None: no record)."""

    def __init__(self) -> None:
        self._seen = SeenUrls()
        # unlinked at once, so gone with the process whatever happens; closed by the pipeline at its end,
        # or when this object goes (a pipeline that never finished)
        self._file = tempfile.TemporaryFile(prefix="govreports-touched-")  # noqa: SIM115
        self._closer = weakref.finalize(self, self._file.close)
        self._lock = threading.Lock()  # the store's thread adds, the reactor's asks
        self._count = 0

    def __contains__(self, group_key: object) -> bool:
        return group_key in self._seen

    def __len__(self) -> int:
        return self._count

    def add(self, group_key: str, before: bytes | None) -> None:
        """Remember ``group_key`` once, with the digest of what it showed before (a second add is ignored)."""
        with self._lock:
            if group_key in self._seen:
                return
            self._seen.add(group_key)
            line = json.dumps([group_key, before.hex() if before is not None else None], ensure_ascii=False)
            self._file.write(line.encode("utf-8") + b"\n")
            self._count += 1

    def chunks(self, size: int = 5000) -> Iterator[dict[str, bytes | None]]:
        """group → digest before, ``size`` groups at a time, in the order they were touched."""
        with self._lock:
            self._file.flush()
            end = self._file.tell()
        chunk: dict[str, bytes | None] = {}
        for line in self._lines(end):
            group, before = json.loads(line)
            chunk[group] = bytes.fromhex(before) if before is not None else None
            if len(chunk) >= size:
                yield chunk
                chunk = {}
        if chunk:
            yield chunk

    def _lines(self, end: int) -> Iterator[bytes]:
        """The file's lines up to ``end``, read with pread: the writer's position stays where it is."""
        fd, offset, rest = self._file.fileno(), 0, b""
        while offset < end:
            block = os.pread(fd, min(_BLOCK, end - offset), offset)
            if not block:
                break
            offset += len(block)
            *lines, rest = (rest + block).split(b"\n")
            yield from lines
        if rest:
            yield rest

    def groups(self) -> Iterator[str]:
        """The touched groups, in the order touched, streamed from the file."""
        for chunk in self.chunks():
            yield from chunk

    def close(self) -> None:
        self._closer()
