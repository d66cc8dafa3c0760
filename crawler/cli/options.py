"""Options shared by the commands: the data directory and the store, and argument types."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from crawler.store.database import Store, database_url


def add_store_options(p: Any) -> None:
    p.add_argument(
        "--data-dir", type=Path, default=Path("data"), help="WARCs under warc/, SQLite store records.sqlite (default ./data)"
    )
    p.add_argument("--db", help="a PostgreSQL URL (postgresql://user@host/db) instead of the SQLite store")


def open_store(args: argparse.Namespace) -> Store:
    """The store the options name; raises StoreError (a ReportError) when it cannot be opened."""
    return Store(database_url(args.data_dir, args.db))


def positive(text: str) -> int:
    """An argparse type: a whole number above 0 (a count, a limit in MB)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError("must be a whole number") from None
    if value <= 0:
        raise argparse.ArgumentTypeError("must be a positive number")
    return value


def positive_seconds(text: str) -> float:
    """An argparse type: a number of seconds above 0 (``nan`` is not)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError("must be a number of seconds") from None
    if not value > 0:
        raise argparse.ArgumentTypeError("must be a positive number")
    return value
