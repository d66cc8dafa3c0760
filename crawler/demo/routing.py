"""Routing of the demo servers: a parsed request, the reply to send, and a route table (:class:`Site`)."""

from __future__ import annotations

import functools
import gzip
import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, timezone
from typing import Any

HTML = "text/html; charset=utf-8"
CST = timezone(timedelta(hours=8), "CST")


@dataclass(frozen=True)
class Request:
    """A request as routes see it: path without query, query and form fields (first value each)."""

    method: str
    path: str
    query: dict[str, str] = field(default_factory=dict)
    form: dict[str, str] = field(default_factory=dict)

    def param(self, name: str, default: str = "") -> str:
        """A parameter from the form or the query string, as a servlet's ``getParameter`` reads it."""
        return self.form.get(name) or self.query.get(name) or default


@dataclass(frozen=True)
class Reply:
    """A response body with its type; ``last_modified`` set means the reply carries validators."""

    body: bytes
    content_type: str = HTML
    status: int = 200
    headers: tuple[tuple[str, str], ...] = ()
    last_modified: datetime | None = None

    @functools.cached_property
    def etag(self) -> str:
        """Quoted SHA-1 of the (unencoded) body: stable across runs and restarts."""
        return '"' + hashlib.sha1(self.body).hexdigest() + '"'

    @functools.cached_property
    def gzipped(self) -> bytes:
        """The body gzip-encoded, once per reply; ``mtime=0`` gives the same bytes every time."""
        return gzip.compress(self.body, compresslevel=6, mtime=0)


def html(text: str, *, status: int = 200) -> Reply:
    """A list-style page: no validators, like the dynamic pages of real portals."""
    return Reply(text.encode("utf-8"), HTML, status)


def document(body: bytes, content_type: str, published: date, headers: tuple[tuple[str, str], ...] = ()) -> Reply:
    """A published page or file: ETag and Last-Modified (09:30 China time on *published*)."""
    stamp = datetime.combine(published, time(9, 30), CST).astimezone(UTC)
    return Reply(body, content_type, 200, headers, stamp)


def json_reply(data: Any) -> Reply:
    return Reply(json.dumps(data, ensure_ascii=False).encode("utf-8"), "application/json;charset=UTF-8")


def error_page(status: int) -> Reply:
    """nginx's plain error page."""
    reason = {
        301: "Moved Permanently",
        302: "Found",
        403: "Forbidden",
        404: "Not Found",
        405: "Not Allowed",
        500: "Internal Server Error",
    }.get(status, "Error")
    text = f"<html>\r\n<head><title>{status} {reason}</title></head>\r\n<body>\r\n<center><h1>{status} {reason}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
    return Reply(text.encode("ascii"), "text/html", status)


Handler = Callable[[Request, re.Match[str]], Reply]


class Site:
    """The route table of one server: exact paths first, then regular expressions."""

    def __init__(self) -> None:
        self.static: dict[str, Reply] = {}
        self.routes: list[tuple[re.Pattern[str], frozenset[str], Handler]] = []

    def add(self, path: str, reply: Reply) -> None:
        self.static[path] = reply

    def route(self, pattern: str, handler: Handler, methods: frozenset[str] = frozenset({"GET", "HEAD"})) -> None:
        self.routes.append((re.compile(pattern), methods, handler))

    def respond(self, request: Request) -> Reply:
        """Answer like nginx in front of a CMS: index files, slash redirects, 404 and 405."""
        path = request.path
        for pattern, methods, handler in self.routes:
            match = pattern.fullmatch(path)
            if match:
                return handler(request, match) if request.method in methods else error_page(405)
        candidates = (path + "index.html",) if path.endswith("/") else (path,)
        for candidate in candidates:
            if candidate in self.static:
                return self.static[candidate] if request.method in ("GET", "HEAD") else error_page(405)
        if not path.endswith("/") and path + "/index.html" in self.static:
            return redirect(path + "/", 301)
        return error_page(404)


def redirect(location: str, status: int = 302) -> Reply:
    reply = error_page(status)
    return Reply(reply.body, reply.content_type, status, (("Location", location),))
