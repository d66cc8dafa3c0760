"""Datasette over the browse database: built as Datasette's own ``serve`` does, read-only, on 127.0.0.1 by default.

The database is opened immutable (Datasette's ``-i``): SQLite reads it with ``immutable=1``,
nothing can write it, and Datasette counts rows once at start. The crawl's store is never
opened here (see :mod:`crawler.publish.browse.build`).
"""

from __future__ import annotations

import asyncio
import errno
import socket
from pathlib import Path
from typing import Any

from crawler.core.errors import ReportError
from crawler.publish.browse import plugin
from crawler.publish.browse.metadata import metadata

SETTINGS = {
    "default_page_size": 50,
    "sql_time_limit_ms": 5000,
    "facet_time_limit_ms": 1000,
    "max_returned_rows": 5000,
    "suggest_facets": False,  # the configured facets are the useful ones; suggesting costs a query per column
}


def _register_plugin() -> None:
    from datasette.plugins import pm

    if not pm.is_registered(plugin):
        pm.register(plugin, name="govreports-browse")


def make_datasette(database: Path) -> Any:
    """A started Datasette instance serving ``database`` read-only."""
    from datasette.app import Datasette
    from datasette.utils import StartupError

    _register_plugin()
    try:
        ds = Datasette(immutables=[str(database)], metadata=metadata(database.stem), settings=SETTINGS, cors=False)
        asyncio.run(ds.invoke_startup())
    except StartupError as exc:
        raise ReportError(f"Datasette cannot start: {exc}") from exc
    return ds


def check_port(host: str, port: int) -> None:
    """A one-line error now rather than uvicorn's log lines and exit 1 when the address is taken."""
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise ReportError(f"{host}:{port} is already in use: pick another with --port") from exc
            raise ReportError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from exc


def serve(database: Path, host: str, port: int) -> None:
    """Serve until interrupted."""
    import uvicorn

    check_port(host, port)
    ds = make_datasette(database)
    uvicorn.run(ds.app(), host=host, port=port, log_level="warning", lifespan="on", workers=1)
