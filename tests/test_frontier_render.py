"""The shared frontier with the browser: two workers crawl with ``--render auto``.

The two-host demo portal of :mod:`tests.test_frontier` has a department list that only a
script fills (an XHR to ``list.json``); its reports are linked from nowhere else. Each worker
starts its own Chromium through scrapy-playwright; the rendering request travels through
Redis like any other (its page methods pickled), so whichever worker pops it renders it.
The crawl must store those reports, keep each host at two requests in flight (the page a
browser renders holds one lease for the whole rendering), and equal a single process's.
"""

from __future__ import annotations

import collections
import json
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest

from crawler.crawl import settings
from crawler.demo.county import County
from crawler.demo.inflight import HostFarm
from crawler.demo.portal import DEFAULT_DOCUMENTS
from tests.conftest import ROOT
from tests.test_frontier import _args, _export, _registry, _same_records, _worker, frontier, portal
from tests.warc_checks import check_warcs

__all__ = ["frontier", "portal"]  # fixtures, imported for pytest

CHROMIUM = Path(settings.CHROMIUM)
pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="no Chromium at /usr/bin/chromium: nothing can render")

# INFO: Scrapy dumps its stats when a worker closes, scrapy-playwright says when its handler starts
RENDER = ("--render", "auto", "-s", "LOG_LEVEL=INFO")
# the stats Scrapy dumps when a worker closes: "'playwright/page_count': 3," and the like
_STAT = re.compile(r"'([a-z_/]+)': (\d+),")


def _stats(stderr: str) -> dict[str, int]:
    return {name: int(value) for name, value in _STAT.findall(stderr)}


def _js_only_urls(portal: HostFarm) -> set[str]:
    """The reports only the script-filled list links, on both hosts (from the demo's own truth)."""
    urls = set()
    for base in portal.base_urls:
        county = County(DEFAULT_DOCUMENTS, base, "http://127.0.0.4:1/")
        urls |= {base.rstrip("/") + r.page for r in county.reports if "js_only" in r.flags}
    return urls


def _urls(record: dict[str, Any]) -> set[str]:
    return {record.get("url", ""), record.get("page_url", ""), *(s["url"] for s in record.get("sources", []))}


@pytest.fixture(scope="module")
def single_rendered(portal, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("single_render")
    registry = _registry(portal, tmp)
    portal.reset()
    proc = subprocess.run(_args(registry, tmp / "data", *RENDER), cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return {"records": _export(tmp / "data"), "registry": registry, "stats": _stats(proc.stderr)}


def test_two_workers_render_the_script_filled_list(portal, single_rendered, frontier, tmp_path):
    js_only = _js_only_urls(portal)
    assert js_only, "the demo portal has no script-only reports"
    single_found = set().union(*(_urls(r) for r in single_rendered["records"].values()))
    assert js_only <= single_found, "the single process did not render the list: nothing to compare with"

    portal.reset()
    data = tmp_path / "data"
    workers = [_worker(single_rendered["registry"], data, frontier, *RENDER) for _ in range(2)]
    outputs = [w.finish() for w in workers]
    for w, err in zip(workers, outputs):
        assert w.proc.returncode == 0, err[-3000:]
        assert "Traceback" not in err, err[-3000:]
    stats = [_stats(err) for err in outputs]

    records = _export(data)
    found = set().union(*(_urls(r) for r in records.values()))
    assert js_only <= found, sorted(js_only - found)
    # one JS list per host, each rendered once by whichever worker popped its rendering request
    rendered = [s.get("playwright/page_count", 0) for s in stats]
    assert sum(rendered) >= len(portal.base_urls), stats
    # every worker had the browser's download handler, so whichever popped a rendering request could render it
    assert all("Starting download handler" in err for err in outputs)
    for pages, err in zip(rendered, outputs):
        if pages:  # the worker that popped a rendering request launched its own Chromium for it
            assert "Launching browser" in err, err[-2000:]
    # those renderings went through the lease middleware: their browser fetches took the host leases
    assert [s.get("frontier/rendered_requests", 0) for s in stats] == rendered, stats
    asked = [s.get("discovery/rendered_lists", 0) for s in stats]
    assert sum(asked) == len(portal.base_urls), stats
    # the browser's own fetches (the list's script and list.json) were made by a worker's Chromium
    browser = collections.Counter(e["path"] for e in portal.requests_log if "list.json" in e["path"])
    assert sum(browser.values()) >= len(portal.base_urls), browser
    assert max(portal.peak.values()) <= 2, dict(portal.peak)
    _same_records(records, single_rendered["records"])
    check_warcs(data)


def test_a_rendering_request_survives_redis(frontier):
    """The browser meta (page methods with a coroutine, event handlers) pickles through the frontier and back."""
    from scrapy import Request
    from scrapy.utils.request import request_from_dict
    from scrapy_redis import picklecompat

    from crawler.crawl import rendering

    method = rendering.settle_links_method(timeout=3.0, quiet=0.5)
    request = Request(
        "http://127.0.0.2/list.html",
        meta={"playwright": True, "playwright_page_methods": [method], "playwright_page_event_handlers": {"response": "h"}},
    )
    back = request_from_dict(picklecompat.loads(picklecompat.dumps(request.to_dict())))
    [copy] = back.meta["playwright_page_methods"]
    assert copy.method is rendering.settle_links and copy.kwargs == {"timeout": 3.0, "quiet": 0.5}
    assert back.meta["playwright"] is True and back.meta["playwright_page_event_handlers"] == {"response": "h"}
    assert json.dumps(sorted(back.meta)) == json.dumps(sorted(request.meta))


def test_the_lease_callback_never_travels_through_redis():
    """The page callback holds this process's Redis client: set after a pop, dropped before a push."""
    from scrapy import Request
    from scrapy_redis import picklecompat

    from crawler.crawl.frontier.browser import CALLBACK, BrowserLeases, attach, detach

    leases = BrowserLeases(frontier=object(), poll=0.01)  # type: ignore[arg-type]
    request = Request("http://127.0.0.2/list.html", meta={"playwright": True, "kind": "list"})
    assert attach(request, leases) and request.meta[CALLBACK] is leases
    detach(request.meta)
    assert request.meta == {"playwright": True, "kind": "list"}
    picklecompat.dumps(request.to_dict())  # what HostLeaseQueue.push stores
    # a request with a page callback of its own keeps it (and its browser fetches go unleased, with a warning)
    own = Request("http://127.0.0.2/x.html", meta={"playwright": True, CALLBACK: "spiders.reports.setup_page"})
    assert not attach(own, leases) and own.meta[CALLBACK] == "spiders.reports.setup_page"
    detach(own.meta)
    assert own.meta[CALLBACK] == "spiders.reports.setup_page"
