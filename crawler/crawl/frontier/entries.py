"""A worker's books entries in Redis, so that its memory does not grow with the URLs it meets.

The books (:mod:`crawler.crawl.books`) hold one entry per URL a worker discovered or
settled. Kept in the process, they grow by a few hundred bytes per URL for as long as the
crawl runs: tens of megabytes for a province. A worker of a shared crawl already depends
on Redis, so :class:`RedisEntries` keeps them there, in one hash per worker
(``govreports:<crawl id>:books:urls:<worker id>``, deleted once its books are closed), as
compact JSON. The books write every change back, so reads and writes are one round trip
each; discovering a URL is one ``HSETNX``. At the end the books read the hash in chunks.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, MutableMapping
from typing import TYPE_CHECKING

from crawler.crawl.books import Entry

if TYPE_CHECKING:
    import redis

    from crawler.crawl.frontier.state import Frontier

_SCAN = 1000  # entries read per HSCAN call


def _dump(entry: Entry) -> str:
    return json.dumps([entry.kind, entry.state, entry.reason, entry.detail, entry.final_url], ensure_ascii=False)


def _load(raw: bytes | str) -> Entry:
    kind, state, reason, detail, final_url = json.loads(raw)
    return Entry(kind, state, reason, detail, final_url)


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value


class RedisEntries(MutableMapping[str, Entry]):
    """URL → :class:`Entry` in a Redis hash; an Entry read from it is a copy: write it back to change it."""

    def __init__(self, server: redis.Redis, key: str, frontier: Frontier | None = None) -> None:
        self.server = server
        self.key = key
        self.frontier = frontier  # counts the round trips, when given

    @classmethod
    def of(cls, frontier: Frontier) -> RedisEntries:
        return cls(frontier.server, f"{frontier.prefix}:books:urls:{frontier.worker}", frontier)

    def _trip(self) -> None:
        if self.frontier is not None:
            self.frontier.round_trips += 1

    def __getitem__(self, url: str) -> Entry:
        self._trip()
        raw = self.server.hget(self.key, url)
        if raw is None:
            raise KeyError(url)
        return _load(raw)

    def __setitem__(self, url: str, entry: Entry) -> None:
        self._trip()
        self.server.hset(self.key, url, _dump(entry))

    def __delitem__(self, url: str) -> None:
        self._trip()
        if not self.server.hdel(self.key, url):
            raise KeyError(url)

    def __contains__(self, url: object) -> bool:
        self._trip()
        return isinstance(url, str) and bool(self.server.hexists(self.key, url))

    def __len__(self) -> int:
        self._trip()
        return int(self.server.hlen(self.key))

    def __iter__(self) -> Iterator[str]:
        for url, _entry in self.scan():
            yield url

    def scan(self) -> Iterator[tuple[str, Entry]]:
        """Every (URL, entry), read a chunk at a time (HSCAN: an entry added meanwhile may or may not come)."""
        cursor = 0
        while True:
            self._trip()
            cursor, chunk = self.server.hscan(self.key, cursor, count=_SCAN)
            if not isinstance(chunk, dict):  # redis-py answers a dict; its types allow a list
                raise TypeError(f"HSCAN of {self.key} answered {type(chunk).__name__}")
            for url, raw in chunk.items():
                yield _text(url), _load(raw)
            if not cursor:
                return

    def items(self) -> Iterator[tuple[str, Entry]]:  # type: ignore[override]  # one pass, not N reads
        return self.scan()

    def setdefault(self, url: str, default: Entry | None = None) -> Entry:  # type: ignore[override]
        """One round trip when the URL is new (HSETNX), the common case of discovering a link."""
        if default is None:
            raise TypeError("RedisEntries.setdefault needs an Entry")
        self._trip()
        if self.server.hsetnx(self.key, url, _dump(default)):
            return default
        return self[url]

    def drop(self, urls: list[str]) -> None:
        """Remove many entries in few round trips."""
        for start in range(0, len(urls), _SCAN):
            self._trip()
            self.server.hdel(self.key, *urls[start : start + _SCAN])
