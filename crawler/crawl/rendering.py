"""Browser renderings of script-filled lists: wait for the links to appear and settle.

Waiting for ``networkidle`` fails on lists that poll (an XHR every few hundred
milliseconds never lets the network go quiet): the navigation times out and the
rendered list is lost. Instead, after ``load``, the page's links are sampled until
they have not changed for ``quiet`` seconds (and either changed once since load
or ``quiet`` has passed twice, so a list filled a moment after load is waited
for). After ``timeout`` seconds the wait ends anyway: what was rendered is kept,
and the result says it did not settle so the crawl can list it.

Used as a scrapy-playwright ``PageMethod`` whose ``result`` is a :class:`Settled`.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from typing import Any

from playwright.async_api import Error as PlaywrightError
from scrapy_playwright.page import PageMethod

# the links' targets in document order: a list that re-renders the same items is settled
_SIGNATURE = "() => { const a = Array.from(document.links, l => l.href); return [a.length, a.join('\\n').length, a.slice(-50).join(' ')]; }"
_POLL = 0.15


@dataclass(frozen=True)
class Settled:
    settled: bool
    links: int
    waited: float

    def describe(self) -> str:
        state = "settled" if self.settled else "still changing"
        return f"links {state} after {self.waited:.1f} s; kept the {self.links} links rendered by then"


async def settle_links(page: Any, timeout: float, quiet: float) -> Settled:
    """Sample the page's links until they stop changing, or until ``timeout``."""
    start = time.monotonic()
    first: Any = None
    last: Any = None
    changed_at = start
    links = 0
    while True:
        now = time.monotonic()
        try:
            signature = await page.evaluate(_SIGNATURE)
        except PlaywrightError:  # the page navigated or is closing: count it as a change
            signature = None
        if first is None:
            first = signature
        if signature != last:
            last, changed_at = signature, now
            links = int(signature[0]) if signature else links
        stable = now - changed_at >= quiet
        if stable and signature is not None and (signature != first or now - start >= 2 * quiet):
            return Settled(True, links, now - start)
        if now - start >= timeout:
            return Settled(False, links, now - start)
        await asyncio.sleep(_POLL)


def settle_links_method(timeout: float, quiet: float) -> PageMethod:
    """A PageMethod for ``playwright_page_methods``: the page is passed first."""
    return PageMethod(settle_links, timeout=timeout, quiet=quiet)


def settle_result(meta: dict[str, Any]) -> Settled | None:
    """The wait's outcome recorded in a rendered response's meta, or None (not rendered)."""
    for method in meta.get("playwright_page_methods") or ():
        if isinstance(getattr(method, "result", None), Settled):
            return method.result  # type: ignore[no-any-return]
    return None
