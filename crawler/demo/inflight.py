"""The demo county on several loopback hosts, each counting the requests it serves at once.

Politeness across crawler processes is a property of the server's side: how many requests
one host is answering at the same moment, whoever sent them. :class:`HostFarm` serves the
demo county portal (:class:`crawler.demo.county.County`) on each of several loopback
addresses (127.0.0.2, 127.0.0.3 …; Linux routes all of 127/8 to the loopback device), plus
its off-site host, answering each request after ``latency`` seconds so that requests from
several workers overlap, and records per host the requests in flight and their peak.

The frontier tests and ``bench/bench_distributed.py`` use it; ``gate`` holds every answer
until it is opened, so a test can start several workers and let them begin together.
"""

from __future__ import annotations

import collections
import threading
import time
from collections.abc import Sequence
from http.server import ThreadingHTTPServer
from pathlib import Path
from typing import TYPE_CHECKING, Any, Self

from crawler.demo.county import County
from crawler.demo.portal import DEFAULT_DOCUMENTS, _Handler, _Server

if TYPE_CHECKING:
    from types import TracebackType

_GATE_WAIT = 600.0  # seconds a held request waits for the gate before it is answered anyway


class _Counting(_Handler):
    """The demo portal's handler, counting the requests its host is serving at the same time."""

    server: _HostServer

    def _serve(self) -> None:
        farm = self.server.farm
        host = str(self.server.server_address[0])
        farm.gate.wait(_GATE_WAIT)
        with farm.lock:
            farm.in_flight[host] += 1
            farm.peak[host] = max(farm.peak[host], farm.in_flight[host])
        try:
            time.sleep(farm.latency)
            super()._serve()
        finally:
            with farm.lock:
                farm.in_flight[host] -= 1
                if farm.requests_log:  # when it was served: a benchmark's rate is measured over these
                    farm.requests_log[-1].setdefault("t", time.perf_counter())


class _HostServer(_Server):
    def __init__(self, farm: HostFarm, name: str, address: str) -> None:
        ThreadingHTTPServer.__init__(self, (address, 0), _Counting)
        self.farm = farm
        self.portal = farm  # type: ignore[assignment]  # the portal's handler logs into it
        self.name = name
        self.connections = set()
        self.connections_lock = threading.Lock()


class HostFarm:
    """The demo county on ``addresses`` (one portal each) and its off-site host on ``offsite``.

    ``hits``/``requests_log`` are the demo portal's (a path is prefixed with its host's
    address); ``in_flight``/``peak`` count per address the requests being answered at once.
    """

    def __init__(
        self,
        addresses: Sequence[str],
        offsite: str,
        *,
        latency: float = 0.03,
        extra_pages: int = 0,
        documents: Path = DEFAULT_DOCUMENTS,
    ) -> None:
        if not addresses:
            raise ValueError("a farm needs at least one host address")
        self.lock = threading.Lock()
        self.latency = latency
        self.gate = threading.Event()
        self.gate.set()
        self.hits: collections.Counter[str] = collections.Counter()
        self.requests_log: list[dict[str, Any]] = []
        self.in_flight: collections.Counter[str] = collections.Counter()
        self.peak: collections.Counter[str] = collections.Counter()
        off = _HostServer(self, "offsite", offsite)
        off_url = f"http://{offsite}:{off.server_address[1]}/"
        self.servers = [off]
        self.base_urls: list[str] = []
        for address in addresses:
            server = _HostServer(self, address, address)
            url = f"http://{address}:{server.server_address[1]}/"
            server.routes = County(documents, url, off_url, extra_pages).site
            self.servers.append(server)
            self.base_urls.append(url)
        # the off-site pages link back to the first portal, as a neighbouring site would
        off.routes = County(documents, self.base_urls[0], off_url, extra_pages).offsite
        for server in self.servers:
            threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True).start()

    def served(self) -> int:
        with self.lock:
            return len(self.requests_log)

    def reset(self) -> None:
        with self.lock:
            self.hits.clear()
            self.requests_log.clear()
            self.peak.clear()

    def stop(self) -> None:
        self.gate.set()
        for server in self.servers:
            server.shutdown()
            server.server_close()
            server.drop_connections()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.stop()
