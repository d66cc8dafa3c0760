"""Options shared by the commands that read or write the data directory and the store."""

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
