"""A crawl's job state on one machine: rerunning a crawl that was killed resumes it.

What survives a ``kill -9`` is what was on disk: the WARC records (each flushed as it is
written) and the store's committed transactions. Scrapy's own JOBDIR pickles its queue
and seen-set only when the crawl closes cleanly, so it cannot be the source of truth here.
Instead a job is a small file, ``<data-dir>/jobs/<key>.json``, written when a crawl starts
and removed when it finishes; the key is the crawl's target (region or start URL), so the
same command finds its job again. The job names the WARC files that were there before it
started; every newer file is the job's.

A rerun of an unfinished job:

1. cuts a torn tail off each of the job's WARCs (:mod:`archive.repair`, with a warning) and
   merges them into ``index.cdxj`` (a killed crawl never reached its own index update);
2. walks the portal again from its roots, but :class:`ResumeMiddleware` answers every request
   the job already archived from the WARC instead of the network: the archived bytes go
   through the same middlewares, callbacks and pipeline, so links are followed as before,
   documents already stored are found unchanged (their bytes hash the same) and documents
   archived but not yet stored are parsed and stored now. Nothing archived is fetched twice;
   nothing is lost, because the walk is the crawl's own.

Responses a retry would have replaced (5xx, 429) and the browser's renderings are fetched
again. With ``--frontier`` the shared frontier in Redis is the job state instead.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scrapy.exceptions import NotConfigured
from scrapy.http import Headers, Response
from scrapy.responsetypes import responsetypes
from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed

from archive.cdxj import add_to_index
from archive.repair import Repaired, repair_all

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)

_WARC_SUFFIXES = (".warc", ".warc.gz")


@dataclass
class Job:
    """One crawl target's unfinished run: its state file and the WARCs it wrote so far."""

    path: Path
    warc_dir: Path
    started: str
    before: frozenset[str]
    resumed: bool

    def warcs(self) -> list[Path]:
        """The job's WARC files: those that were not in the archive when it started."""
        if not self.warc_dir.is_dir():
            return []
        return sorted(p for p in self.warc_dir.iterdir() if p.name.endswith(_WARC_SUFFIXES) and p.name not in self.before)

    def finish(self) -> None:
        """The crawl ran to its end: the next run of the command is a new crawl."""
        self.path.unlink(missing_ok=True)


def job_key(target: dict[str, Any]) -> str:
    """A stable name for a crawl target (region, start URL, registry file): the same command, the same job."""
    text = json.dumps({k: v for k, v in sorted(target.items()) if v is not None}, ensure_ascii=False, sort_keys=True)
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:16]


def open_job(data_dir: Path, warc_dir: Path, target: dict[str, Any]) -> Job:
    """The unfinished job of ``target`` (resumed), or a new one recorded now."""
    path = data_dir / "jobs" / f"{job_key(target)}.json"
    if path.exists():
        try:
            state = json.loads(path.read_text(encoding="utf-8"))
            return Job(path, warc_dir, str(state["started"]), frozenset(state["before"]), resumed=True)
        except (OSError, ValueError, KeyError, TypeError) as exc:
            # written atomically, so only a hand edit gets here: start over rather than guess
            logger.warning("job file %s unreadable (%s); starting a new crawl", path, exc)
    before = sorted(p.name for p in warc_dir.iterdir() if p.name.endswith(_WARC_SUFFIXES)) if warc_dir.is_dir() else []
    started = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    _write_atomically(path, {"target": target, "started": started, "before": before})
    return Job(path, warc_dir, started, frozenset(before), resumed=False)


def _write_atomically(path: Path, data: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(data, fh, ensure_ascii=False)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def prepare_resume(job: Job) -> tuple[list[Path], list[Repaired]]:
    """Cut torn tails off the job's WARCs and index them; returns (the WARCs, what was cut)."""
    files = job.warcs()
    repaired = repair_all(files)
    readable = [p for p in files if p.stat().st_size > 0 and not any(r.path == p and r.kept == 0 for r in repaired)]
    if readable:
        add_to_index(readable, job.warc_dir / "index.cdxj")
    return readable, repaired


# --- serving archived responses ----------------------------------------------------------------

Key = tuple[str, str, str]  # method, URL, sha1 of the request body


@dataclass(frozen=True)
class _Archived:
    file: Path
    offset: int


def _key(method: str, url: str, body: bytes) -> Key:
    return method.upper(), url.split("#", 1)[0], hashlib.sha1(body).hexdigest()


def archived_exchanges(files: list[Path], skip_statuses: frozenset[int]) -> dict[Key, _Archived]:
    """(method, URL, body) → the latest archived response or revisit of it in ``files``.

    Our writer puts each response before its request record (``WARC-Concurrent-To``): the
    request gives the method and body, so POSTed list APIs are told apart. Statuses a retry
    would replace are left out: those are fetched again.
    """
    found: dict[Key, _Archived] = {}
    for path in files:
        responses: dict[str, tuple[str, _Archived]] = {}
        try:
            with path.open("rb") as fh:
                it = ArchiveIterator(fh)
                for record in it:
                    kind = record.rec_type
                    if kind in {"response", "revisit"} and record.http_headers is not None:
                        try:
                            status = int(record.http_headers.get_statuscode())
                        except (TypeError, ValueError):
                            continue
                        if status in skip_statuses or status >= 500:
                            continue
                        url = record.rec_headers.get_header("WARC-Target-URI") or ""
                        rid = record.rec_headers.get_header("WARC-Record-ID") or ""
                        responses[rid] = (url, _Archived(path, it.offset))
                        found[_key("GET", url, b"")] = responses[rid][1]  # until its request says otherwise
                    elif kind == "request" and record.http_headers is not None:
                        rid = record.rec_headers.get_header("WARC-Concurrent-To") or ""
                        if rid in responses:
                            url, where = responses.pop(rid)
                            method = record.http_headers.protocol or "GET"
                            key = _key(method, url, record.content_stream().read())
                            if key != _key("GET", url, b""):
                                found.pop(_key("GET", url, b""), None)
                            found[key] = where
        except (OSError, ArchiveLoadFailed, ValueError, EOFError) as exc:
            logger.warning("%s: read up to a damaged record (%s)", path.name, exc)
    return found


class ResumeMiddleware:
    """Answers requests a killed run of this job already archived, from the WARC (see the module docstring).

    Closest to the downloader (after ConditionalRequestMiddleware's headers): the archived
    response then passes every middleware's ``process_response`` as a download would, and
    ``response_downloaded`` does not fire, so it is not archived a second time. Each archived
    exchange answers once; a second request for it goes to the network.
    """

    def __init__(self, crawler: Crawler, files: list[Path]) -> None:
        self.stats = crawler.stats
        skip = frozenset(int(s) for s in crawler.settings.getlist("RETRY_HTTP_CODES"))
        self.archived = archived_exchanges(files, skip)
        logger.info("resuming: %d archived exchanges of the unfinished crawl will not be fetched again", len(self.archived))

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ResumeMiddleware:
        names = crawler.settings.getlist("RESUME_WARCS")
        if not names:
            raise NotConfigured("not resuming a crawl")
        return cls(crawler, [Path(n) for n in names])

    def process_request(self, request: Request) -> Response | None:
        if request.meta.get("playwright"):
            return None  # a rendering is the browser's, not an HTTP exchange to replay
        where = self.archived.pop(_key(request.method, request.url, request.body or b""), None)
        if where is None:
            return None
        try:
            response = _load(where, request)
        except (OSError, ArchiveLoadFailed, ValueError, EOFError, StopIteration) as exc:
            logger.warning("%s: archived copy unreadable (%s); fetching it again", request.url, exc)
            return None
        if self.stats is not None:
            self.stats.inc_value("resume/from_archive")
        return response


def _load(where: _Archived, request: Request) -> Response:
    with where.file.open("rb") as fh:
        fh.seek(where.offset)
        record = next(iter(ArchiveIterator(fh)))
        status = int(record.http_headers.get_statuscode())
        headers = Headers()
        for name, value in record.http_headers.headers:
            headers.appendlist(name, value)
        body = record.raw_stream.read() if record.rec_type == "response" else b""
        rec = record.rec_headers
    # what the archive extension would have put there had this been downloaded now
    request.meta["warc"] = {"file": where.file.name, "offset": where.offset, "record_id": rec.get_header("WARC-Record-ID")}
    request.meta["fetched_at"] = rec.get_header("WARC-Date")
    # still content-encoded as archived: HttpCompressionMiddleware decodes it; a 304 revisit
    # becomes the archived original in ConditionalRequestMiddleware, as on a live 304
    cls = responsetypes.from_args(headers=headers, url=request.url, body=body)
    return cls(url=request.url, status=status, headers=headers, body=body, request=request, flags=["resumed"])


def start(data_dir: Path, warc_dir: Path, target: dict[str, Any], settings: Any) -> Job:
    """Open the target's job; when it is unfinished, prepare its WARCs and turn :class:`ResumeMiddleware` on.

    Says what it found on stderr's logger: a resumed crawl and every torn tail cut.
    """
    job = open_job(data_dir, warc_dir, target)
    if not job.resumed:
        return job
    files, repaired = prepare_resume(job)
    logger.warning(
        "resuming the unfinished crawl started %s: %d WARC file(s) of it, %d torn tail(s) cut; archived pages are not fetched again",
        job.started, len(files), sum(1 for r in repaired if r.kept),
    )  # fmt: skip
    if files:
        settings.set("RESUME_WARCS", [str(p) for p in files], priority="cmdline")
        middlewares = dict(settings.getdict("DOWNLOADER_MIDDLEWARES"))
        middlewares["crawler.crawl.jobdir.ResumeMiddleware"] = 960  # inside ConditionalRequestMiddleware (950)
        settings.set("DOWNLOADER_MIDDLEWARES", middlewares, priority="cmdline")
    return job
