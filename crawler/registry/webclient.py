"""A small polite HTTP client for ``registry discover`` and ``registry check`` (a few pages per site).

Redirects are followed by hand so that each hop is recorded; robots.txt is obeyed; cookie
challenges go to a :class:`crawler.crawl.challenge.ChallengeBook` and the earned cookies are sent on
every later request to that host; every exchange, the browser's included, is written to the
WARC archive when a writer is given. Proxies come from the environment (``http_proxy``) as
for any urllib client. Never raises for a network fault: a :class:`Fetched` carries the error.
"""

from __future__ import annotations

import time
import urllib.error
import urllib.request
import urllib.robotparser
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin, urlsplit

from crawler.core.extract.encoding import decode
from crawler.crawl.challenge import ChallengeBook, detect, host_of

MAX_BODY = 4 * 2**20
MAX_REDIRECTS = 5


@dataclass
class Fetched:
    url: str  # the final URL, after redirects
    status: int | None
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    redirects: list[tuple[int, str, str]] = field(default_factory=list)  # (status, from, to)
    error: str | None = None
    challenge: str | None = None  # "cookie" (solved or not) or "captcha"
    sent_cookies: dict[str, str] = field(default_factory=dict)

    @property
    def text(self) -> str:
        return decode(self.body, self.headers.get("content-type"))[0] if self.body else ""

    @property
    def ok(self) -> bool:
        return self.error is None and self.status is not None and 200 <= self.status < 300


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


class WebClient:
    def __init__(
        self,
        user_agent: str,
        *,
        timeout: float = 20.0,
        delay: float = 0.0,
        challenges: ChallengeBook | None = None,
        archive: Any = None,
        obey_robots: bool = True,
    ) -> None:
        self.user_agent = user_agent
        self.timeout = timeout
        self.delay = delay
        self.challenges = challenges
        self.archive = archive
        self.obey_robots = obey_robots
        self._opener = urllib.request.build_opener(_NoRedirect())
        self._robots: dict[str, urllib.robotparser.RobotFileParser | None] = {}
        self._last: dict[str, float] = {}
        self.requests = 0

    def get(self, url: str) -> Fetched:
        redirects: list[tuple[int, str, str]] = []
        current = url
        for _ in range(MAX_REDIRECTS + 1):
            if not self._allowed(current):
                return Fetched(current, None, redirects=redirects, error="disallowed by robots.txt")
            answer = self._once(current)
            answer.redirects = redirects
            if answer.status in (301, 302, 303, 307, 308) and answer.headers.get("location"):
                target = urljoin(current, answer.headers["location"])
                redirects.append((answer.status, current, target))
                current = target
                continue
            return self._challenged(answer)
        return Fetched(current, None, redirects=redirects, error=f"more than {MAX_REDIRECTS} redirects")

    def _challenged(self, answer: Fetched) -> Fetched:
        kind = detect(answer.status or 0, answer.headers, answer.body) if answer.status else None
        if kind is None or self.challenges is None:
            answer.challenge = kind
            return answer
        if kind == "captcha":
            self.challenges.note_captcha(answer.url)
            answer.challenge, answer.error = "captcha", f"{host_of(answer.url)} asks for a CAPTCHA: not attempted"
            return answer
        solved = self.challenges.solve(answer.url, answer.sent_cookies)
        if solved is not None:
            for ex in solved.exchanges:
                self._archive(ex.url, ex.method, ex.request_headers, ex.status, ex.reason, ex.headers, ex.body)
        if solved is None or not solved.cookies:
            why = self.challenges.blocked(answer.url) if solved is None else solved.error
            answer.challenge, answer.error = "cookie", f"cookie challenge not solved: {why}"
            return answer
        again = self._once(answer.url)
        again.redirects = answer.redirects
        again.challenge = "cookie"
        if detect(again.status or 0, again.headers, again.body):
            again.error = "challenged again with the browser's cookies"
        return again

    def _once(self, url: str) -> Fetched:
        host = host_of(url)
        wait = self._last.get(host, 0.0) + self.delay - time.monotonic()
        if wait > 0:
            time.sleep(wait)
        headers = {
            "User-Agent": self.user_agent,
            "Accept": "text/html,application/xhtml+xml,*/*;q=0.8",
            "Accept-Encoding": "identity",
        }
        cookie = self.challenges.cookie_header(url) if self.challenges else None
        if cookie:
            headers["Cookie"] = cookie
        # http.client writes header values as latin-1: UTF-8 bytes (a user agent in Chinese) pass through that way
        request = urllib.request.Request(url, headers={k: v.encode("utf-8").decode("latin-1") for k, v in headers.items()})
        self.requests += 1
        try:
            with self._opener.open(request, timeout=self.timeout) as response:
                status, reason, raw = response.status, response.reason, response.headers
                body = response.read(MAX_BODY)
        except urllib.error.HTTPError as exc:
            status, reason, raw = exc.code, exc.reason, exc.headers
            try:
                body = exc.read(MAX_BODY)
            except OSError:
                body = b""
        except (urllib.error.URLError, OSError, ValueError) as exc:
            self._last[host] = time.monotonic()
            reason_text = getattr(exc, "reason", exc)
            return Fetched(url, None, error=f"unreachable: {reason_text}")
        finally:
            self._last[host] = time.monotonic()
        pairs = [(k, v) for k, v in raw.items()]
        self._archive(url, "GET", list(headers.items()), status, str(reason), pairs, body)
        sent = self.challenges.cookies_for(url) if self.challenges else {}
        return Fetched(url, status, {k.lower(): v for k, v in pairs}, body, sent_cookies=sent)

    def _allowed(self, url: str) -> bool:
        if not self.obey_robots:
            return True
        parts = urlsplit(url)
        root = f"{parts.scheme}://{parts.netloc}"
        if root not in self._robots:
            answer = self._once(root + "/robots.txt")
            parser: urllib.robotparser.RobotFileParser | None = None
            if answer.status is not None and 200 <= answer.status < 300:
                parser = urllib.robotparser.RobotFileParser()
                parser.parse(answer.text.splitlines())
            self._robots[root] = parser
        parser = self._robots[root]
        return parser is None or parser.can_fetch(self.user_agent, url)

    def _archive(
        self, url: str, method: str, request_headers: list[tuple[str, str]], status: int, reason: str,
        headers: list[tuple[str, str]], body: bytes,
    ) -> None:  # fmt: skip
        if self.archive is None:
            return
        self.archive.write_response(
            url=url, method=method, request_headers=request_headers, request_body=None, protocol="HTTP/1.1",
            status=status, reason=reason or "-", response_headers=headers, body=body,
        )  # fmt: skip
