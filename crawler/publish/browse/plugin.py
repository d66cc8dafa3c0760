"""The Datasette plugin of ``govreports serve``: Chinese-aware full-text search in every connection.

Datasette turns a table's ``?_search=`` into ``… match escape_fts(:search)`` with its own
SQL function ``escape_fts``, which quotes each word. Over the bigram index that would never
match Chinese, so this plugin registers :func:`crawler.publish.browse.fts.match_query` under the same
name, after Datasette's own (``trylast``): the search box, the JSON API and the canned search
query then all speak bigrams.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from datasette import hookimpl

from crawler.publish.browse.fts import bigram_text, match_query


@hookimpl(trylast=True)  # type: ignore[untyped-decorator]  # datasette ships no type hints
def prepare_connection(conn: sqlite3.Connection, database: str, datasette: Any) -> None:
    conn.create_function("escape_fts", 1, match_query, deterministic=True)
    conn.create_function("bigram_text", 1, bigram_text, deterministic=True)
