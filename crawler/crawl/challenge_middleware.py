"""ChallengeMiddleware: WAF cookie challenges in a crawl, solved once per host in Chromium.

A response that :func:`crawler.crawl.challenge.detect` calls a cookie challenge is handed to the
crawl's :class:`crawler.crawl.challenge.ChallengeBook`, which opens the page in Playwright's Chromium
(in a worker thread, away from the reactor's event loop) once per host; the browser's exchanges
are archived through :data:`archive.signals.browser_response` (the challenge response itself
was archived when it was downloaded), and the request is sent again with the cookies it earned.
Every later request to the host carries them. A host that challenges again is retried only
after a back-off, and given up after ``CHALLENGE_MAX_ATTEMPTS``; a CAPTCHA is never attempted
(its host is listed in ``<DATA_DIR>/challenge/captcha_hosts.json``).
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import Any

from scrapy import Request
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.http import Response

from archive import signals as archive_signals
from crawler.crawl.challenge import ChallengeBook, Solved, detect, solve_in_browser

logger = logging.getLogger(__name__)


class ChallengeMiddleware:
    def __init__(self, crawler: Any) -> None:
        settings = crawler.settings
        if not settings.getbool("CHALLENGE_ENABLED", True):
            raise NotConfigured
        self.crawler = crawler
        self.stats = crawler.stats
        user_agent = settings.get("USER_AGENT")

        def solver(url: str) -> Solved:
            return solve_in_browser(url, user_agent=user_agent)

        self.book = ChallengeBook(
            Path(settings.get("DATA_DIR", "data")) / "challenge",
            solver=solver,
            max_attempts=settings.getint("CHALLENGE_MAX_ATTEMPTS", 3),
            backoff=settings.getfloat("CHALLENGE_BACKOFF", 30.0),
        )

    @classmethod
    def from_crawler(cls, crawler: Any) -> ChallengeMiddleware:
        return cls(crawler)

    def process_request(self, request: Request, spider: Any = None) -> None:
        if request.meta.get("playwright"):
            return  # the browser keeps its own cookies
        if self.book.captcha_hosts and (why := self.book.blocked(request.url)) and "CAPTCHA" in why:
            self.stats.inc_value("challenge/captcha_skipped")
            raise IgnoreRequest(why)

    async def process_response(self, request: Request, response: Response, spider: Any = None) -> Request | Response:
        ctype = (response.headers.get(b"Content-Type") or b"").decode("latin-1")
        kind = detect(response.status, {"content-type": ctype}, response.body)
        if kind is None or request.meta.get("playwright"):
            return response
        self.stats.inc_value(f"challenge/{kind}")
        if kind == "captcha":
            self.book.note_captcha(request.url)
            return response
        blocked = self.book.blocked(request.url)
        if blocked:
            logger.warning("cookie challenge at %s not solved: %s", request.url, blocked)
            return response
        sent = _cookies_sent(request)
        solved = await asyncio.to_thread(self.book.solve, request.url, sent)
        if solved is None:
            return response
        for ex in solved.exchanges:
            self.crawler.signals.send_catch_log(
                archive_signals.browser_response, url=ex.url, method=ex.method, request_headers=ex.request_headers,
                status=ex.status, reason=ex.reason, headers=ex.headers, body=ex.body,
            )  # fmt: skip
        if not solved.cookies:
            logger.warning("cookie challenge at %s not solved: %s", request.url, solved.error)
            self.stats.inc_value("challenge/failed")
            return response
        self.stats.inc_value("challenge/solved")
        retry = request.replace(dont_filter=True)  # ChallengeCookieMiddleware adds the cookies earned
        retry.meta["challenge_solves"] = request.meta.get("challenge_solves", 0) + 1
        return retry


class ChallengeCookieMiddleware:
    """Adds the cookies a host's challenge earned to every request to it, after CookiesMiddleware (700).

    After, because CookiesMiddleware rewrites the Cookie header from its jar, and feeding the jar
    through ``request.cookies`` makes Scrapy look the domain up in the public suffix list, which
    tldextract then tries to download. The header keeps the jar's cookies and adds these.
    """

    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Any) -> ChallengeCookieMiddleware:
        return cls(crawler)

    def process_request(self, request: Request, spider: Any = None) -> None:
        if request.meta.get("playwright"):
            return
        book = _book_of(self.crawler)
        earned = book.cookies_for(request.url) if book else {}
        if not earned:
            return
        jar = (request.headers.get(b"Cookie") or b"").decode("latin-1")
        present = {part.split("=", 1)[0].strip() for part in jar.split(";") if "=" in part}
        extra = "; ".join(f"{k}={v}" for k, v in earned.items() if k not in present)
        if extra:
            request.headers[b"Cookie"] = (f"{jar}; {extra}" if jar else extra).encode("latin-1", "replace")


def _book_of(crawler: Any) -> ChallengeBook | None:
    middlewares = getattr(getattr(crawler.engine, "downloader", None), "middleware", None)
    for mw in getattr(middlewares, "middlewares", ()):
        if isinstance(mw, ChallengeMiddleware):
            return mw.book
    return None


def _cookies_sent(request: Request) -> dict[str, str]:
    header = (request.headers.get(b"Cookie") or b"").decode("latin-1")
    return {k.strip(): v.strip() for k, _, v in (p.partition("=") for p in header.split(";")) if k.strip()}
