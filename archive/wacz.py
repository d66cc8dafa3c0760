"""WACZ 1.1.1 packages (Web Archive Collection Zipped) of the crawl's WARCs, built as a stream.

A package is a ZIP holding::

    archive/<name>.warc.gz      the WARC files as they are (ZIP_STORED: already gzipped per record)
    indexes/index.cdxj          a sorted CDXJ index of them, regenerated (archive.cdxj.write_index)
    pages/pages.jsonl           a header line, then one entry per report page and report document
    datapackage.json            profile, wacz_version, resources (name, path, sha256 hash, bytes), ...
    datapackage-digest.json     the sha256 of datapackage.json

(https://specs.webrecorder.net/wacz/1.1.1/). Nothing is held in memory whole: every member is
copied from a file in 1 MiB chunks, hashed (sha256) while it is copied, so ``datapackage.json``
needs no second read; the package is written to a temporary file next to the destination and
renamed over it at the end, so a reader never sees half a package and a failure leaves no debris.

Pages come from the record store (:func:`pages_from_records`): every document listed in a
record's ``sources`` whose WARC is in the package, with its ``fetched_at`` (the WARC-Date of its
response record) as ``ts``, so each page resolves to a line of the index.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
import time
import zipfile
import zlib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any
from urllib.parse import unquote, urlsplit

from archive.cdxj import write_index
from archive.writer import SOFTWARE, warc_date
from crawler.core.errors import ReportError, first_line

WACZ_VERSION = "1.1.1"
PAGES_HEADER: dict[str, str] = {"format": "json-pages-1.0", "id": "pages", "title": "All Pages"}
DEFAULT_TITLE = "政府信息公开工作年度报告 (govreports crawl)"
ARCHIVE_DIR = "archive"
INDEX_PATH = "indexes/index.cdxj"
PAGES_PATH = "pages/pages.jsonl"
DATAPACKAGE_PATH = "datapackage.json"
DIGEST_PATH = "datapackage-digest.json"
WARC_SUFFIXES = (".warc.gz", ".warc")
CHUNK_SIZE = 1 << 20


class WaczError(ReportError):
    """The package cannot be built: no WARCs, a WARC that cannot be read or changes, an unwritable path."""

    reason = "wacz/failed"


@dataclass(frozen=True)
class Page:
    """One entry of ``pages/pages.jsonl``: a URL and the RFC 3339 time of its capture."""

    url: str
    ts: str
    title: str | None = None

    @property
    def id(self) -> str:
        """A stable identifier: the same capture gets the same id in every package."""
        return hashlib.sha256(f"{self.ts} {self.url}".encode()).hexdigest()[:20]

    def as_dict(self) -> dict[str, str]:
        entry = {"id": self.id, "url": self.url, "ts": self.ts}
        if self.title:
            entry["title"] = self.title
        return entry


@dataclass(frozen=True)
class Resource:
    """One file of the package as ``datapackage.json`` lists it."""

    name: str
    path: str
    hash: str  # "sha256:<hex>" of the file's own bytes (not of its compressed form in the ZIP)
    bytes: int

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "path": self.path, "hash": self.hash, "bytes": self.bytes}


@dataclass(frozen=True)
class WaczSummary:
    """What :func:`build_wacz` wrote."""

    path: Path
    warcs: int
    pages: int
    index_lines: int
    size: int  # bytes of the .wacz file
    resources: tuple[Resource, ...]
    datapackage_hash: str


def find_warcs(warc_dir: Path) -> list[Path]:
    """The WARC files directly in ``warc_dir`` (``.warc.gz`` / ``.warc``), sorted by name; [] if there is none."""
    if not warc_dir.is_dir():
        return []
    return sorted(p for p in warc_dir.iterdir() if p.is_file() and p.name.endswith(WARC_SUFFIXES))


def pages_from_records(records: Iterable[Mapping[str, Any]], warc_files: set[str] | None = None) -> Iterator[Page]:
    """The pages of stored records: each report page and report document in their ``sources``.

    A source is a page when it has a URL, a ``fetched_at`` readable as a date and a WARC position;
    with ``warc_files`` (base names), only sources whose WARC is one of them. The report page gets
    the record's title, an attachment the title and its file name. Each (url, ts) appears once.
    A record without ``sources`` stands for itself (its own ``url``, ``fetched_at``, ``warc``).
    """
    seen: set[tuple[str, str]] = set()
    for record in records:
        title = record.get("title") or " ".join(str(record[k]) for k in ("agency", "year") if record.get(k)) or None
        sources = record.get("sources") or [{**record, "role": "page"}]
        for source in sources:
            url, warc = source.get("url"), source.get("warc")
            ts = _rfc3339(source.get("fetched_at"))
            if not url or ts is None or not warc or not warc.get("file"):
                continue
            if warc_files is not None and warc["file"] not in warc_files:
                continue
            if (url, ts) in seen:
                continue
            seen.add((url, ts))
            yield Page(url=url, ts=ts, title=_page_title(title, url, source.get("role")))


def build_wacz(
    out: Path,
    warc_paths: Sequence[Path],
    pages: Iterable[Page],
    *,
    title: str | None = DEFAULT_TITLE,
    description: str | None = None,
    software: str = SOFTWARE,
    created: datetime | None = None,
) -> WaczSummary:
    """Write a WACZ 1.1.1 package of ``warc_paths`` with ``pages`` to ``out`` (replaced atomically).

    Args:
        out: The package, a name ending in ``.wacz``; its folder is created when missing.
        warc_paths: The WARC files; each becomes ``archive/<base name>`` (base names must differ).
        pages: The entries of ``pages/pages.jsonl`` after its header (consumed once, as a stream).
        title, description: The collection's ``title`` / ``description`` in ``datapackage.json`` (None: left out).
        software: ``datapackage.json``'s ``software``.
        created: ``datapackage.json``'s ``created`` (default: now, UTC).

    Returns:
        What was written: counts, the package's size, its resources and the datapackage hash.

    Raises:
        WaczError: no WARC given, a name clash, an unreadable WARC, a WARC that changed while it was
            packaged (a crawl still writing), or the package cannot be written.
    """
    out = Path(out)
    warcs, sizes = _checked_inputs(out, warc_paths)
    moment = created or datetime.now(UTC)
    with _replaced_atomically(out) as tmp, tempfile.TemporaryDirectory(prefix=f".{out.name}.", dir=out.parent) as work:
        index_file, pages_file = Path(work) / "index.cdxj", Path(work) / "pages.jsonl"
        index_lines = _write_index(warcs, index_file)
        page_count = _write_pages(pages, pages_file)
        with zipfile.ZipFile(tmp, "w", allowZip64=True) as zf:
            resources = _add_warcs(zf, warcs, sizes)
            resources.append(_add_file(zf, index_file, INDEX_PATH, zipfile.ZIP_DEFLATED))
            resources.append(_add_file(zf, pages_file, PAGES_PATH, zipfile.ZIP_DEFLATED))
            package = _datapackage(resources, moment, software, title, description)
            package_hash = _add_datapackage(zf, package, moment)
        size = tmp.stat().st_size
    return WaczSummary(
        path=out, warcs=len(warcs), pages=page_count, index_lines=index_lines, size=size,
        resources=tuple(resources), datapackage_hash=package_hash,
    )  # fmt: skip


def _checked_inputs(out: Path, warc_paths: Iterable[str | os.PathLike[str]]) -> tuple[list[Path], dict[Path, int]]:
    """The WARCs to package and their sizes now, once the names and the files' first records are checked."""
    if out.suffix != ".wacz":
        raise WaczError(f"a WACZ package's name must end in .wacz: {out}", reason="wacz/bad_name")
    if out.is_dir():
        raise WaczError(f"{out} is a folder, not a package name", reason="wacz/bad_name")
    warcs = [Path(p) for p in warc_paths]
    if not warcs:
        raise WaczError("no WARC files to package", reason="wacz/no_warcs")
    names = [p.name for p in warcs]
    clashes = sorted({n for n in names if names.count(n) > 1})
    if clashes:
        raise WaczError(f"two WARC files share the name {clashes[0]} (archive/ is flat)", reason="wacz/name_clash")
    bad = [p for p in warcs if not p.name.endswith(WARC_SUFFIXES)]
    if bad:
        raise WaczError(f"not a .warc / .warc.gz file: {bad[0]}", reason="wacz/bad_name")
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        sizes = {p: p.stat().st_size for p in warcs}
        for path in warcs:
            _check_warc_head(path)
    except OSError as exc:
        raise WaczError(f"cannot package {out}: {exc}", reason="wacz/io") from exc
    return warcs, sizes


@contextlib.contextmanager
def _replaced_atomically(out: Path) -> Iterator[Path]:
    """A temporary file next to ``out`` to write; renamed over ``out`` on success, removed on any failure."""
    fd, tmp_name = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".tmp", dir=out.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        yield tmp
        os.chmod(tmp, 0o644)  # mkstemp creates 0600; the package is as readable as the WARCs
        os.replace(tmp, out)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise WaczError(f"cannot write {out}: {exc}", reason="wacz/io") from exc
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _write_index(warcs: list[Path], index_file: Path) -> int:
    """The CDXJ index of ``warcs``; a WARC warcio cannot read is a WaczError, an OSError stays one."""
    try:
        return write_index(warcs, index_file)
    except OSError:
        raise
    except Exception as exc:  # warcio's ArchiveLoadFailed and the like: a WARC it cannot read
        raise WaczError(f"cannot index the WARCs: {first_line(exc)}", reason="wacz/bad_warc") from exc


def _add_warcs(zf: zipfile.ZipFile, warcs: list[Path], sizes: dict[Path, int]) -> list[Resource]:
    """Store each WARC as it is under archive/, refusing one whose size moved since it was checked."""
    resources = []
    for path in warcs:
        resource = _add_file(zf, path, f"{ARCHIVE_DIR}/{path.name}", zipfile.ZIP_STORED)
        if resource.bytes != sizes[path] or path.stat().st_size != sizes[path]:
            raise WaczError(f"{path} changed while it was packaged (is a crawl writing to it?)", reason="wacz/changed")
        resources.append(resource)
    return resources


def _add_datapackage(zf: zipfile.ZipFile, package: dict[str, Any], moment: datetime) -> str:
    """``datapackage.json`` and its digest file; returns the ``sha256:`` hash of the former."""
    package_bytes = (json.dumps(package, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
    package_hash = "sha256:" + hashlib.sha256(package_bytes).hexdigest()
    _add_bytes(zf, DATAPACKAGE_PATH, package_bytes, moment)
    digest = {"path": DATAPACKAGE_PATH, "hash": package_hash}
    _add_bytes(zf, DIGEST_PATH, (json.dumps(digest, indent=2) + "\n").encode("utf-8"), moment)
    return package_hash


def _check_warc_head(path: Path) -> None:
    """Refuse a file that does not start with a WARC record (warcio would index garbage without a word)."""
    with path.open("rb") as fh:
        head = fh.read(64 * 1024)
    if head[:2] == b"\x1f\x8b":
        try:
            head = zlib.decompressobj(wbits=31).decompress(head, 16)
        except zlib.error:
            head = b""
    if not head.startswith(b"WARC/1."):
        raise WaczError(f"{path} is not a WARC file (it does not start with a WARC record)", reason="wacz/bad_warc")


def _write_pages(pages: Iterable[Page], path: Path) -> int:
    count = 0
    with path.open("w", encoding="utf-8", newline="\n") as fh:
        fh.write(json.dumps(PAGES_HEADER, ensure_ascii=False) + "\n")
        for page in pages:
            fh.write(json.dumps(page.as_dict(), ensure_ascii=False) + "\n")
            count += 1
    return count


def _add_file(zf: zipfile.ZipFile, source: Path, arcname: str, compress_type: int) -> Resource:
    """Copy ``source`` into the ZIP as ``arcname`` in chunks, hashing on the way."""
    st = source.stat()
    info = _zip_info(arcname, time.gmtime(st.st_mtime), compress_type)
    info.file_size = st.st_size  # lets zipfile choose ZIP64 headers up front for files near 4 GiB
    with source.open("rb") as src, zf.open(info, "w", force_zip64=st.st_size >= zipfile.ZIP64_LIMIT) as dst:
        copied, digest = _copy(src, dst)
    return Resource(name=Path(arcname).name, path=arcname, hash=digest, bytes=copied)


def _copy(src: IO[bytes], dst: IO[bytes]) -> tuple[int, str]:
    """Copy ``src`` to ``dst`` chunk by chunk; the byte count and ``sha256:<hex>`` of what was copied."""
    digest = hashlib.sha256()
    copied = 0
    while chunk := src.read(CHUNK_SIZE):
        digest.update(chunk)
        dst.write(chunk)
        copied += len(chunk)
    return copied, "sha256:" + digest.hexdigest()


def _add_bytes(zf: zipfile.ZipFile, arcname: str, data: bytes, moment: datetime) -> None:
    zf.writestr(_zip_info(arcname, moment.astimezone(UTC).timetuple(), zipfile.ZIP_DEFLATED), data)


def _zip_info(arcname: str, when: time.struct_time, compress_type: int) -> zipfile.ZipInfo:
    stamp = (max(when.tm_year, 1980), when.tm_mon, when.tm_mday, when.tm_hour, when.tm_min, when.tm_sec)
    info = zipfile.ZipInfo(arcname, date_time=stamp)
    info.compress_type = compress_type
    info.external_attr = 0o644 << 16
    return info


def _datapackage(
    resources: list[Resource], created: datetime, software: str, title: str | None, description: str | None
) -> dict[str, Any]:
    package: dict[str, Any] = {"profile": "data-package", "wacz_version": WACZ_VERSION}
    if title:
        package["title"] = title
    if description:
        package["description"] = description
    package["created"] = warc_date(created.replace(microsecond=0))
    package["software"] = software
    package["resources"] = [r.as_dict() for r in resources]
    return package


def _rfc3339(value: object) -> str | None:
    """A WARC-Date / ISO 8601 string as an RFC 3339 UTC time (WARC-Date form), None if it is not one."""
    if not isinstance(value, str) or not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return warc_date(moment)


def _page_title(title: str | None, url: str, role: object) -> str | None:
    if role == "page" or not title:
        return title
    name = unquote(urlsplit(url).path.rstrip("/").rsplit("/", 1)[-1])
    return f"{title} [{name}]" if name else title


__all__ = [
    "DEFAULT_TITLE", "PAGES_HEADER", "WACZ_VERSION", "Page", "Resource", "WaczError", "WaczSummary",
    "build_wacz", "find_warcs", "pages_from_records",
]  # fmt: skip
