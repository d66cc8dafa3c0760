"""Host leases for what a worker's browser fetches while it renders a page.

A rendered list is not one download: Chromium fetches the page, then its scripts, styles
and the XHR that fills the list, several at once. Scrapy's downloader middlewares only see
the one request that asked for the rendering, so a lease taken there would let the
browser's own fetches add to the host's load unseen by the other workers. Instead, a
rendering request takes no lease of its own; its page gets a route (installed through
scrapy-playwright's ``playwright_page_init_callback``) that takes the host's lease before
each fetch goes out and gives it back when the fetch finishes or fails. So every byte the
browser asks of a host is under the same limit as the plain downloads of all workers.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from crawler.crawl.frontier.state import Frontier

logger = logging.getLogger(__name__)

# the request meta key marking the init callback as this module's (it holds a Redis client:
# it is dropped before the request goes back to Redis, and set again when it is popped)
MARK = "frontier_browser_leases"
CALLBACK = "playwright_page_init_callback"


class BrowserLeases:
    """A page init callback: every fetch of the page's browser waits for, and holds, a host lease."""

    def __init__(self, frontier: Frontier, poll: float, on_wait: Callable[[], None] | None = None) -> None:
        self.frontier = frontier
        self.poll = poll
        self.on_wait = on_wait

    async def __call__(self, page: Any, request: Any) -> None:
        held: dict[int, tuple[str, str]] = {}  # id of the first Playwright request of a redirect chain -> (host, token)

        def release(pw_request: Any) -> None:
            # a redirect's later hops are not routed: their chain's first request holds the lease
            while pw_request is not None:
                lease = held.pop(id(pw_request), None)
                if lease is not None:
                    self.frontier.release(*lease)
                    return
                pw_request = pw_request.redirected_from

        def release_all(_page: Any = None) -> None:
            for host, token in list(held.values()):
                self.frontier.release(host, token)
            held.clear()

        async def route(pw_route: Any, pw_request: Any) -> None:
            host = (urlsplit(pw_request.url).hostname or "").lower()
            if not host:  # data: and blob: URLs leave the machine never
                await pw_route.fallback()
                return
            token = self.frontier.token()
            waited = False
            while not self.frontier.acquire(host, token):
                waited = True
                if page.is_closed():
                    return
                await asyncio.sleep(self.poll)
            if waited and self.on_wait is not None:
                self.on_wait()
            held[id(pw_request)] = (host, token)
            try:
                # on to scrapy-playwright's own route (headers, aborts), which lets the fetch go
                await pw_route.fallback()
            except Exception:
                release(pw_request)
                raise

        page.on("requestfinished", release)
        page.on("requestfailed", release)
        page.on("close", release_all)
        # routes registered later are asked first: this one runs before scrapy-playwright's
        await page.route("**", route)


def attach(request: Any, leases: BrowserLeases) -> bool:
    """Give a rendering request the lease-taking page callback; False if it has a callback of its own."""
    if request.meta.get(CALLBACK) is not None and not request.meta.get(MARK):
        logger.warning("%s has its own page init callback: its browser fetches are not leased", request.url)
        return False
    request.meta[CALLBACK] = leases
    request.meta[MARK] = True
    return True


def detach(meta: dict[str, Any]) -> None:
    """Before a request goes (back) to Redis: the callback is this process's, not the request's."""
    if meta.pop(MARK, None):
        meta.pop(CALLBACK, None)
