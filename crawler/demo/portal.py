"""The demo portal's HTTP servers: a county portal and an off-site host, both on 127.0.0.1.

``ThreadingHTTPServer`` on port 0 (or a given port) serves the route tables of
:class:`crawler.demo.county.County`, adding what real portals' front servers add: gzip for
text when the client accepts it, ``ETag``/``Last-Modified`` on published pages and files
with ``304 Not Modified`` answers, keep-alive, ``HEAD``.  Every request is counted in
:attr:`DemoPortal.hits` and logged in :attr:`DemoPortal.requests_log`.

Run it by hand::

    python -m crawler.demo.portal --port 8000
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import logging
import signal
import socket
import sys
import threading
from email.utils import format_datetime, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import TYPE_CHECKING, Any, Self
from urllib.parse import parse_qsl, urlsplit

from crawler.demo.county import County
from crawler.demo.routing import Reply, Request, Site, error_page

if TYPE_CHECKING:
    from types import TracebackType

logger = logging.getLogger(__name__)

DEFAULT_DOCUMENTS = Path(__file__).resolve().parents[2] / "tests" / "eval" / "fixtures"
# What nginx's gzip_types usually lists on these sites; PDFs and DOCX go out as they are.
COMPRESSIBLE = ("text/html", "text/xml", "text/css", "application/json", "application/javascript", "application/xml")


def accepts_gzip(header: str | None) -> bool:
    """Whether an ``Accept-Encoding`` value allows gzip (RFC 9110 §12.5.3).

    >>> accepts_gzip("gzip, deflate, br"), accepts_gzip("gzip;q=0"), accepts_gzip("identity"), accepts_gzip("*")
    (True, False, False, True)
    """
    for part in (header or "").split(","):
        coding, _, params = part.strip().partition(";")
        q = params.strip().removeprefix("q=")
        if coding.strip().lower() in ("gzip", "x-gzip", "*"):
            try:
                return float(q) > 0 if q else True
            except ValueError:
                return False
    return False


def not_modified(reply: Reply, if_none_match: str | None, if_modified_since: str | None) -> bool:
    """RFC 9110 §13.1: If-None-Match (weak comparison) wins; otherwise If-Modified-Since."""
    if reply.last_modified is None:
        return False
    if if_none_match is not None:
        tags = {t.strip().removeprefix("W/") for t in if_none_match.split(",")}
        return "*" in tags or reply.etag in tags
    if if_modified_since:
        try:
            since = parsedate_to_datetime(if_modified_since)
        except (TypeError, ValueError):
            return False
        return since.tzinfo is not None and since >= reply.last_modified
    return False


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, portal: DemoPortal, name: str, port: int) -> None:
        super().__init__(("127.0.0.1", port), _Handler)
        self.portal = portal
        self.name = name
        self.routes: Site = Site()
        self.connections: set[socket.socket] = set()
        self.connections_lock = threading.Lock()

    def drop_connections(self) -> None:
        """Close kept-alive connections so nothing is served after ``stop()``."""
        with self.connections_lock:
            conns, self.connections = list(self.connections), set()
        for conn in conns:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def version_string(self) -> str:
        return "nginx"

    def setup(self) -> None:
        super().setup()
        with self.server.connections_lock:
            self.server.connections.add(self.connection)

    def finish(self) -> None:
        with self.server.connections_lock:
            self.server.connections.discard(self.connection)
        super().finish()

    def do_GET(self) -> None:
        self._serve()

    def do_HEAD(self) -> None:
        self._serve()

    def do_POST(self) -> None:
        self._serve()

    def log_message(self, format: str, *args: Any) -> None:
        logger.debug("demo portal: " + format, *args)

    def _serve(self) -> None:
        portal, prefix = self.server.portal, ("" if self.server.name == "main" else self.server.name + ":")
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length > 0 else b""
        parts = urlsplit(self.path)
        form = dict(parse_qsl(raw.decode("utf-8", "replace"), keep_blank_values=True)) if raw else {}
        request = Request(self.command, parts.path, dict(parse_qsl(parts.query, keep_blank_values=True)), form)
        key = prefix + self.path
        with portal.lock:
            portal.hits[key] += 1
        try:
            reply = self.server.routes.respond(request)
        except Exception:  # a bug in a route: answer like a real server would, and say so
            logger.exception("demo portal: route failed for %s %s", self.command, self.path)
            reply = error_page(500)
        status = self._send(reply)
        with portal.lock:
            portal.requests_log.append(
                {"method": self.command, "path": key, "headers": dict(self.headers.items()), "status": status}
            )

    def _send(self, reply: Reply) -> int:
        headers: list[tuple[str, str]] = [("Content-Type", reply.content_type), *reply.headers]
        if reply.last_modified is not None:
            headers += [("ETag", reply.etag), ("Last-Modified", format_datetime(reply.last_modified, usegmt=True))]
        body = reply.body
        compressible = reply.content_type.split(";")[0].strip() in COMPRESSIBLE
        if compressible:
            headers.append(("Vary", "Accept-Encoding"))
        if reply.status == 200 and not_modified(reply, self.headers.get("If-None-Match"), self.headers.get("If-Modified-Since")):
            self.send_response(304)
            for name, value in headers:
                if name in ("ETag", "Last-Modified", "Vary"):
                    self.send_header(name, value)
            self.end_headers()
            return 304
        if compressible and accepts_gzip(self.headers.get("Accept-Encoding")):
            body = reply.gzipped
            headers.append(("Content-Encoding", "gzip"))
        self.send_response(reply.status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)
        return reply.status


class DemoPortal:
    """A mock county portal (示范县人民政府 style) on 127.0.0.1, plus an 'off-site' second server."""

    def __init__(
        self, documents_dir: Path | None = None, port: int = 0, extra_list_pages: int = 0, long_list_pages: int = 0,
        long_list_per_page: int = 20, report_body: str = "full", table_picture: bool = False,
    ) -> None:  # fmt: skip
        """``long_list_pages``: add a report column of that many list pages chained only by next links
        (:mod:`crawler.demo.long_list`), ``long_list_per_page`` reports each, ``report_body`` full or stub;
        ``table_picture``: add a report page whose table 三 is a picture (:mod:`crawler.demo.pictures`)."""
        self.table_picture = table_picture
        self.documents_dir = (documents_dir or DEFAULT_DOCUMENTS).resolve()
        self.long_list = (long_list_pages, long_list_per_page, report_body)
        self.port = port
        self.extra_list_pages = extra_list_pages
        self.hits: collections.Counter[str] = collections.Counter()
        self.requests_log: list[dict[str, Any]] = []
        self.lock = threading.Lock()
        self.base_url = ""
        self.offsite_url = ""
        self._servers: list[_Server] = []
        self._threads: list[threading.Thread] = []
        self._county: County | None = None

    def start(self) -> Self:
        """Bind both servers, build the site for their addresses and serve in daemon threads."""
        if self._servers:
            return self
        main, offsite = _Server(self, "main", self.port), _Server(self, "offsite", 0)
        self._servers = [main, offsite]
        self.base_url = f"http://127.0.0.1:{main.server_address[1]}/"
        self.offsite_url = f"http://127.0.0.1:{offsite.server_address[1]}/"
        try:
            self._county = County(
                self.documents_dir, self.base_url, self.offsite_url, self.extra_list_pages, self.long_list, self.table_picture
            )
        except BaseException:
            self.stop()
            raise
        main.routes, offsite.routes = self._county.site, self._county.offsite
        for server in self._servers:
            thread = threading.Thread(
                target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True, name=f"demo-portal-{server.name}"
            )
            thread.start()
            self._threads.append(thread)
        logger.info("demo portal: serving %s (off-site %s)", self.base_url, self.offsite_url)
        return self

    def stop(self) -> None:
        for server, thread in zip(self._servers, self._threads):
            server.shutdown()
            thread.join(timeout=5)
        for server in self._servers:
            server.server_close()
            server.drop_connections()
        self._servers, self._threads = [], []

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.stop()

    @property
    def county(self) -> County:
        if self._county is None:
            raise RuntimeError("DemoPortal.start() has not been called")
        return self._county

    def publish_new_report(self) -> str:
        """Add one more report at the top of the TRS list's first page; return its page URL."""
        return self.county.publish_new_report()

    def expected(self) -> dict[str, Any]:
        """Machine-readable truth for tests: URLs of reports, attachments, decoys, obstacles.

        Keys: ``base_url``, ``offsite_url``, ``robots_txt``, ``reports`` (one dict per report
        page: ``page_url``, ``title``, ``agency``, ``year``, ``published_date``, ``family``,
        ``source``, ``attachment_urls``, ``flags``), ``report_page_urls`` (those a plain HTTP
        crawl in scope that obeys robots.txt can reach), ``attachment_urls``,
        ``corrupt_attachment_urls``, ``decoy_urls``, ``not_found_urls``, ``deleted_urls``, ``dead_link_urls``,
        ``robots_forbidden_urls``, ``offsite_urls``, ``flaky_url``, ``api_only_report_urls``,
        ``js_only_list_url``, ``js_only_report_urls``, ``list_urls``, ``api_urls``,
        ``news_urls``, ``published_urls``, ``extra_list_pages``, ``filler_count``.
        """
        return self.county.expected()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m crawler.demo.portal", description="Serve the demo government portal on 127.0.0.1."
    )
    parser.add_argument("--port", type=int, default=8000, help="port of the county portal (0: any free port)")
    parser.add_argument("--extra-list-pages", type=int, default=0, help="filler pages added to the TRS 年报 column")
    parser.add_argument("--long-list-pages", type=int, default=0, help="add a report column of N pages chained by 下一页")
    parser.add_argument("--table-picture", action="store_true", help="add a report page whose table 三 is a picture")
    parser.add_argument("--documents", type=Path, default=None, help="directory of the report fixtures and annotations.json")
    args = parser.parse_args(argv)
    portal = DemoPortal(
        args.documents,
        port=args.port,
        extra_list_pages=args.extra_list_pages,
        long_list_pages=args.long_list_pages,
        table_picture=args.table_picture,
    )
    try:
        portal.start()
    except (OSError, ValueError) as exc:
        sys.stderr.write(f"error: cannot start the demo portal: {exc}\n")
        return 2
    sys.stdout.write(f"demo portal: {portal.base_url} (off-site: {portal.offsite_url}); Ctrl-C to stop\n")
    sys.stdout.flush()
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda _signum, _frame: stop.set())
    try:
        while not stop.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        portal.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
