"""Anti-bot cookie challenges: recognise them, solve each host's once in the real browser, remember the cookies.

Many portals sit behind a WAF that answers a first request with 202, 412 or 521 (or a 200
stub) and a script that computes a cookie and reloads the page (瑞数 ``$_ts``, 加速乐
``__jsl_clearance``, WZWS "请开启JavaScript并刷新该页"). :func:`detect` tells such a page from a
real one; :class:`ChallengeBook` runs the page once per host in Chromium (Playwright with
Debian's build, :data:`crawler.crawl.settings.CHROMIUM`), keeps the cookies it earned
(``challenge/cookies.json`` in the data directory, ``DATA_DIR`` in a crawl, reused by plain
requests and by later runs until they expire), records every
exchange the browser saw so the caller can archive it, and backs off when a host challenges
again and again. A CAPTCHA (a picture, a slider, 验证码) is never attempted: its host is listed
in ``challenge/captcha_hosts.json`` and left alone.
"""

from __future__ import annotations

import json
import logging
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from archive.decoded import decoded_headers
from crawler.core.errors import first_line
from crawler.crawl.settings import CHROMIUM

logger = logging.getLogger(__name__)

CHALLENGE_STATUSES = (202, 403, 412, 521)
_COOKIE_SCRIPT = re.compile(
    r"document\.cookie\s*=|__jsl_clearance|\$_ts|wzws|请开启JavaScript|please enable javascript|location\.reload|"
    r"window\.location\.href\s*=\s*window\.location\.href",
    re.IGNORECASE,
)
_WAF_COOKIE = re.compile(r"document\.cookie\s*=|__jsl_clearance|\$_ts|wzws", re.IGNORECASE)
_CAPTCHA = re.compile(r"验证码|captcha|滑块|拖动.{0,6}验证|geetest|人机验证|安全验证", re.IGNORECASE)
_CAPTCHA_WORDS = ("验证", "captcha", "滑块", "geetest")  # one of them is in every _CAPTCHA match
_MAX_BODY = 64 * 1024  # a challenge page is a stub: a real page with a cookie script is not one


@dataclass
class Exchange:
    """One request and response the browser made while solving, for the WARC archive.

    ``body`` is as the browser handed it over, decoded; ``headers`` say so (:func:`archive.decoded.decoded_headers`).
    """

    url: str
    method: str
    request_headers: list[tuple[str, str]]
    status: int
    reason: str
    headers: list[tuple[str, str]]
    body: bytes


@dataclass
class Solved:
    host: str
    cookies: dict[str, str]
    exchanges: list[Exchange] = field(default_factory=list)
    error: str | None = None


def detect(status: int, headers: dict[str, str], body: bytes) -> str | None:
    """``"captcha"``, ``"cookie"`` (a script challenge) or None (a real answer)."""
    content_type = headers.get("content-type", "").lower()
    if content_type and "html" not in content_type and "javascript" not in content_type:
        return None
    if len(body) > _MAX_BODY:
        return None
    text = body.decode("utf-8", "replace")
    lower = text.lower()
    # every pattern below needs one of these words: most pages are answered without stripping their tags
    if not any(w in lower for w in _CAPTCHA_WORDS) and not _COOKIE_SCRIPT.search(text):
        return None
    visible = re.sub(r"<script\b.*?</script>|<style\b.*?</style>|<[^>]+>", " ", text, flags=re.DOTALL | re.IGNORECASE)
    if _CAPTCHA.search(visible) and ("<img" in lower or "<canvas" in lower or "slider" in lower):
        return "captcha"
    if not _COOKIE_SCRIPT.search(text) or "<script" not in lower:
        return None
    if status in CHALLENGE_STATUSES:
        return "cookie"
    # a 200 stub: hardly any text of its own and a script that sets a cookie or names a WAF; a page
    # that merely asks for JavaScript (a list filled by scripts) is no challenge
    if len(" ".join(visible.split())) < 200 and _WAF_COOKIE.search(text):
        return "cookie"
    return None


def host_of(url: str) -> str:
    try:
        parts = urlsplit(url)
    except ValueError:
        return ""
    return parts.netloc.lower()


class ChallengeBook:
    """Per host: the cookies earned, the failures, the back-off, the CAPTCHA list (thread-safe)."""

    def __init__(
        self,
        directory: Path | None,
        *,
        solver: Callable[[str], Solved] | None = None,
        max_attempts: int = 3,
        backoff: float = 30.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.directory = directory
        self.max_attempts = max_attempts
        self.backoff = backoff
        self._solver = solver or solve_in_browser
        self._clock = clock
        self._lock = threading.Lock()
        self.cookies: dict[str, dict[str, str]] = {}
        self.captcha_hosts: dict[str, str] = {}
        self.attempts: dict[str, int] = {}
        self._next_try: dict[str, float] = {}
        self.solved: list[Solved] = []
        self._host_locks: dict[str, threading.Lock] = {}
        if directory is not None:
            self.cookies = _read_json(directory / "cookies.json")
            self.captcha_hosts = _read_json(directory / "captcha_hosts.json")

    def cookies_for(self, url: str) -> dict[str, str]:
        return dict(self.cookies.get(host_of(url), {}))

    def cookie_header(self, url: str) -> str | None:
        jar = self.cookies.get(host_of(url))
        return "; ".join(f"{k}={v}" for k, v in jar.items()) if jar else None

    def blocked(self, url: str) -> str | None:
        """Why this host is not to be asked now (a CAPTCHA, or backing off), or None."""
        host = host_of(url)
        with self._lock:
            if host in self.captcha_hosts:
                return f"{host} asks for a CAPTCHA (listed in captcha_hosts.json; never attempted)"
            if self.attempts.get(host, 0) >= self.max_attempts:
                return f"{host} challenged {self.attempts[host]} times: given up for this run"
            wait = self._next_try.get(host, 0.0) - self._clock()
            if wait > 0:
                return f"{host} challenged again: backing off for {wait:.0f} s"
        return None

    def note_captcha(self, url: str) -> None:
        host = host_of(url)
        with self._lock:
            self.captcha_hosts[host] = url
            self._save("captcha_hosts.json", self.captcha_hosts)
        logger.warning("CAPTCHA at %s: host listed, not attempted", url)

    def solve(self, url: str, sent: dict[str, str] | None = None) -> Solved | None:
        """Run the host's challenge in the browser once (again only after a back-off); None when blocked.

        ``sent`` is the cookies the challenged request carried: when the host has earned others
        since (another request's solve finished first), those are the answer, without a browser.
        """
        host = host_of(url)
        with self._host_lock(host):
            earned = self.cookies.get(host)
            if earned and earned != (sent or {}):
                return Solved(host, dict(earned))
            if self.blocked(url):
                return None
            with self._lock:
                tries = self.attempts[host] = self.attempts.get(host, 0) + 1
                # a host that challenges again after a solve rejected the cookies: wait longer each time
                self._next_try[host] = self._clock() + self.backoff * 2 ** (tries - 1)
            solved = self._solver(url)
            with self._lock:
                self.solved.append(solved)
                if solved.cookies:
                    self.cookies[host] = {**self.cookies.get(host, {}), **solved.cookies}
                    self._save("cookies.json", self.cookies)
            return solved

    def _host_lock(self, host: str) -> threading.Lock:
        with self._lock:
            return self._host_locks.setdefault(host, threading.Lock())

    def _save(self, name: str, data: dict[str, Any]) -> None:
        if self.directory is None:
            return
        self.directory.mkdir(parents=True, exist_ok=True)
        tmp = self.directory / (name + ".tmp")
        tmp.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
        tmp.replace(self.directory / name)


def _read_json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def solve_in_browser(url: str, *, timeout: float = 30.0, user_agent: str | None = None, proxy: str | None = None) -> Solved:
    """Open ``url`` in headless Chromium until the page is no longer a challenge; the cookies it set.

    Playwright's sync API in the calling thread (a crawl calls it from a worker thread, away from
    the reactor's event loop). Every response the browser received is kept for the archive.
    """
    host = host_of(url)
    if not Path(CHROMIUM).exists():
        return Solved(host, {}, error=f"{CHROMIUM} not found (apt install chromium)")
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import sync_playwright

    exchanges: list[Exchange] = []

    def keep(route: Any) -> None:
        # fetched through the route, not read from the response: a challenge page reloads at once and
        # its body is gone by the time a response listener asks for it
        request = route.request
        try:
            answer = route.fetch()
            body = answer.body()
        except PlaywrightError:
            route.continue_()  # not kept for the archive, but the page still loads
            return
        # the body comes decoded (gzip undone): the archived headers must say so
        headers = decoded_headers(((h["name"], h["value"]) for h in answer.headers_array), len(body))
        exchanges.append(
            Exchange(request.url, request.method, list(request.headers.items()), answer.status, answer.status_text, headers, body)
        )
        route.fulfill(response=answer, body=body)

    try:
        with sync_playwright() as pw:
            launch: dict[str, Any] = {"executable_path": CHROMIUM, "headless": True, "args": ["--no-sandbox"]}
            if proxy:
                launch["proxy"] = {"server": proxy}
            browser = pw.chromium.launch(**launch)
            try:
                # header values travel as latin-1: a user agent in Chinese goes as its UTF-8 bytes, as in plain requests
                agent = user_agent.encode("utf-8").decode("latin-1") if user_agent else None
                context = browser.new_context(user_agent=agent) if agent else browser.new_context()
                context.route("**/*", keep)
                page = context.new_page()
                page.goto(url, wait_until="load", timeout=timeout * 1000)
                deadline = time.monotonic() + timeout
                # the script sets its cookie and reloads: wait until a real page stays
                while time.monotonic() < deadline:
                    page.wait_for_load_state("load", timeout=timeout * 1000)
                    html = page.content().encode("utf-8")
                    if detect(200, {"content-type": "text/html"}, html) is None:
                        break
                    page.wait_for_timeout(300)
                else:
                    return Solved(host, {}, exchanges, error="the page was still a challenge after the time limit")
                cookies = {c["name"]: c["value"] for c in context.cookies() if host_matches(c.get("domain", ""), host)}
            finally:
                browser.close()
    except PlaywrightError as exc:
        return Solved(host, {}, exchanges, error=f"browser: {first_line(exc)}")
    return Solved(host, cookies, exchanges, error=None if cookies else "the challenge set no cookie")


def host_matches(cookie_domain: str, host: str) -> bool:
    domain = cookie_domain.lstrip(".").lower()
    name = host.split(":")[0]
    return not domain or name == domain or name.endswith("." + domain)
