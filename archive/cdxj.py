"""Sorted CDXJ index (``index.cdxj``) of WARC files, built with cdxj-indexer's Python API.

Each line is ``<surt> <timestamp> {json}`` with at least ``url``, ``mime``, ``status``,
``digest``, ``length``, ``offset`` and ``filename`` (the WARC's base name), as pywb and
py-wacz expect. Indexed records are cdxj-indexer's defaults: response, revisit, and
resource/metadata records that are not ``application/warc-fields``.
"""

from __future__ import annotations

import fcntl
import heapq
import os
import tempfile
from pathlib import Path

from cdxj_indexer.main import CDXJIndexer


def write_index(warc_paths: list[Path], out: Path) -> int:
    """Index ``warc_paths`` into ``out`` (sorted, duplicates removed) and return the line count.

    The index is written to a temporary file in the same folder and renamed over ``out``, so a
    reader never sees a half-written index and a failure leaves the previous one in place.

    Args:
        warc_paths: WARC files (``.warc`` or ``.warc.gz``); the ``filename`` field is each base name.
        out: Destination, e.g. ``<ARCHIVE_DIR>/index.cdxj``.

    Returns:
        Number of lines written.

    Raises:
        warcio.exceptions.ArchiveLoadFailed: a WARC cannot be parsed.
    """
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{out.name}.", dir=out.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            # sort=True wraps the output in cdxj-indexer's SortingWriter (external merge sort,
            # drops duplicate lines); post_append=True keys POST/PUT captures by method and body
            # like pywb does, so they cannot shadow a GET of the same URL.
            indexer = CDXJIndexer(output=fh, inputs=[str(path) for path in warc_paths], sort=True, post_append=True)
            try:
                indexer.process_all()
            finally:
                # For records without WARC-Payload-Digest (e.g. a 304 revisit) cdxj-indexer creates a
                # BufferWARCWriter whose spooled temp file it never closes (a ResourceWarning).
                if indexer.writer is not None:
                    indexer.writer.out.close()
        with open(tmp_name, encoding="utf-8") as written:
            lines = sum(1 for _ in written)
        os.chmod(tmp_name, 0o644)  # mkstemp creates 0600; the index is as readable as the WARCs
        os.replace(tmp_name, out)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise
    return lines


def add_to_index(warc_paths: list[Path], index: Path) -> int:
    """Index only ``warc_paths`` and merge their lines into ``index`` (kept sorted, no duplicates).

    A periodic crawl adds its own WARCs without re-reading the whole archive.
    Returns the line count of the merged index. Crawler processes sharing an archive folder
    (workers of one distributed crawl) take turns through a lock file beside the index:
    each reads the index another one just replaced, so no worker's lines are lost.
    """
    index = Path(index)
    index.parent.mkdir(parents=True, exist_ok=True)
    with open(index.with_name(f".{index.name}.lock"), "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        return _merge_into(warc_paths, index)


def _merge_into(warc_paths: list[Path], index: Path) -> int:
    fresh = index.with_name(f".{index.name}.new")
    try:
        write_index(warc_paths, fresh)
        if not index.exists():
            os.replace(fresh, index)
            with open(index, encoding="utf-8") as fh:
                return sum(1 for _ in fh)
        fd, tmp_name = tempfile.mkstemp(prefix=f".{index.name}.", dir=index.parent)
        count = 0
        with (
            os.fdopen(fd, "w", encoding="utf-8", newline="\n") as out,
            open(index, encoding="utf-8") as old,
            open(fresh, encoding="utf-8") as new,
        ):
            previous = None
            for line in heapq.merge(old, new):
                if line != previous:
                    out.write(line)
                    count += 1
                previous = line
        os.chmod(tmp_name, 0o644)
        os.replace(tmp_name, index)
        return count
    finally:
        fresh.unlink(missing_ok=True)
