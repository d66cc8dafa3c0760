"""``govreports report --out site/``: a static HTML report of the store, with charts, that opens offline.

The charts are drawn from the browse database (``DATA_DIR/browse.sqlite``, rebuilt from the
store first unless ``--no-rebuild``), the same file ``govreports serve`` shows, so every
chart's "open the query in Datasette" link runs its query there.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from crawler.cli.options import add_store_options
from crawler.cli.serve import prepare
from crawler.core.errors import ReportError
from crawler.publish.browse.build import DEFAULT_REPLAY_BASE
from crawler.publish.site.build import DEFAULT_DATASETTE, build


def add_parser(sub: Any) -> None:
    p = sub.add_parser(
        "report",
        help="write a static HTML report with charts (opens offline)",
        description=__doc__.split("\n\n", 1)[1] if __doc__ else None,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--out", type=Path, default=Path("site"), help="the folder to write (default ./site)")
    p.add_argument("--browse-db", type=Path, help="the browse database (default DATA_DIR/browse.sqlite)")
    p.add_argument("--no-rebuild", action="store_true", help="use the browse database as it is, without reading the store")
    p.add_argument(
        "--datasette-url",
        default=DEFAULT_DATASETTE,
        help=f"where govreports serve runs, for the query links (default {DEFAULT_DATASETTE})",
    )
    p.add_argument("--replay-base", default=DEFAULT_REPLAY_BASE, help=argparse.SUPPRESS)
    add_store_options(p)
    p.set_defaults(func=run, build_only=True)


def run(args: argparse.Namespace) -> int:
    path = prepare(args)
    out: Path = args.out
    try:
        drawn = build(path, out, args.datasette_url)
    except OSError as exc:
        raise ReportError(f"cannot write the report into {out}: {exc.strerror or exc}") from exc
    empty = [k for k, n in drawn.items() if not n]
    note = f" ({', '.join(empty)} without data)" if empty else ""
    print(f"report written to {out / 'index.html'}: {len(drawn)} sections{note}", file=sys.stderr)
    return 0
