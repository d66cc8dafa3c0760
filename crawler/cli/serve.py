"""``govreports serve``: browse the reports in Datasette (facets, full-text search, JSON API, canned queries).

Datasette serves a browse database derived from the store, ``DATA_DIR/browse.sqlite``,
rebuilt from the store each time (``--no-rebuild`` serves the one already there), read-only.
The crawl's store is never opened by Datasette. Report rows link to their archived capture
in pywb (``scripts/replay.sh``; ``--replay-base`` when it runs elsewhere).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from crawler.cli.options import add_store_options, open_store
from crawler.core.errors import ReportError
from crawler.publish.browse.build import DEFAULT_REPLAY_BASE, build, default_path


def add_parser(sub: Any) -> None:
    p = sub.add_parser(
        "serve",
        help="browse the store in Datasette: facets, Chinese full-text search, JSON API (read-only)",
        description=__doc__.split("\n\n", 1)[1] if __doc__ else None,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=8001, help="port (default 8001)")
    p.add_argument("--browse-db", type=Path, help="the browse database to write and serve (default DATA_DIR/browse.sqlite)")
    p.add_argument("--no-rebuild", action="store_true", help="serve the browse database as it is, without reading the store")
    p.add_argument("--build-only", action="store_true", help="rebuild the browse database and exit without serving")
    p.add_argument(
        "--replay-base", default=DEFAULT_REPLAY_BASE, help=f"pywb collection URL for replay links (default {DEFAULT_REPLAY_BASE})"
    )
    add_store_options(p)
    p.set_defaults(func=run)


def prepare(args: argparse.Namespace) -> Path:
    """The browse database the options name, rebuilt from the store unless --no-rebuild."""
    path: Path = args.browse_db or default_path(args.data_dir)
    if args.no_rebuild:
        if not path.is_file():
            raise ReportError(f"no browse database at {path}: run without --no-rebuild to build it from the store")
        return path
    if args.db is None and not (args.data_dir / "records.sqlite").is_file():
        raise ReportError(
            f"no record store in {args.data_dir} (records.sqlite is missing): crawl into it, or give --data-dir/--db"
        )
    store = open_store(args)
    try:
        counts = build(store, path, args.replay_base)
    finally:
        store.close()
    print(
        f"browse database {path}: {counts['reports']} reports, {counts['cells']} cells, {counts['checks']} checks, "
        f"{counts['crawl_failures']} crawl failures",
        file=sys.stderr,
    )
    return path


def run(args: argparse.Namespace) -> int:
    from crawler.publish.browse.server import serve

    if not 0 < args.port < 65536:
        raise ReportError(f"--port {args.port} is not a port number")
    path = prepare(args)
    if args.build_only:
        return 0
    print(f"Datasette on http://{args.host}:{args.port}/{path.stem} (read-only); Ctrl-C to stop", file=sys.stderr, flush=True)
    serve(path, args.host, args.port)
    return 0
