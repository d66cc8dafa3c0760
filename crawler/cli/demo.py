"""``python -m crawler demo``: serve the bundled demo portal on loopback and crawl it, offline."""

from __future__ import annotations

import argparse
import socket
import sys
from typing import Any

from crawler.cli import crawl
from crawler.demo.portal import DemoPortal


def _free(port: int) -> int:
    """The registry's demo port when it is free (repeated demos then share one portal address), else any."""
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the portal's server does
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return 0
    return port


def add_parser(sub: Any) -> None:
    p = sub.add_parser("demo", help="serve the bundled demo portal on 127.0.0.1 and crawl it (no network needed)")
    crawl.add_crawl_options(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    portal = DemoPortal(port=_free(8000))
    with portal:
        print(f"demo portal at {portal.base_url}", file=sys.stderr)
        # a loopback server needs no politeness delay; everything else is the real crawl
        return crawl.run(
            args, start_url=portal.base_url, DOWNLOAD_DELAY=0, AUTOTHROTTLE_ENABLED=False, RETRY_BACKOFF_BASE=0.1,
            PROGRESS_INTERVAL=2.0,
        )  # fmt: skip
