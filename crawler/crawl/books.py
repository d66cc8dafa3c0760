"""The crawl's books: every URL it discovered and what became of it, so that they balance.

A URL is discovered once (its canonical form) and ends in exactly one state::

    discovered = read + stored + refused + failed + skipped

``read``: a list page whose links were followed; ``stored``: a document that is part of
a stored report; ``refused``: a document the parser read and found not to be a report;
``failed``: anything that went wrong (fetch errors, malformed links, exceptions while
reading a list, browser timeouts, parse failures, documents lost in the pipeline);
``skipped``: left alone on purpose, with the reason (off-site, robots.txt, duplicate,
depth limit, older than ``--since``, not reached before the crawl stopped).

The spider and its middlewares write entries while crawling; :func:`close_books` settles
the documents from what the pipeline stored (whatever it recorded, ``outcome`` and
``error`` of the crawl state) and writes the other outcomes to the same table, so
``python -m crawler stats`` lists them after the crawl. Pure Python: no Scrapy here.

The entries are a mapping of URL to :class:`Entry`: a dict in the process by default; a
worker of a shared crawl keeps them in Redis instead
(:class:`crawler.crawl.frontier.entries.RedisEntries`), so its memory does not grow with the
URLs it meets. Every change is written back to the mapping (``entries[url] = entry``).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import MutableMapping
from dataclasses import dataclass
from typing import Any

STATES = ("read", "stored", "refused", "failed", "skipped")
_CHUNK = 500


@dataclass
class Entry:
    kind: str  # list | report | attachment | link
    state: str  # pending | document | read | failed | skipped
    reason: str = ""  # a short category (the summary groups by it)
    detail: str = ""  # the specifics: the error message, the redirect target …
    final_url: str | None = None  # a document's URL after redirects (the pipeline's key)


class Books:
    """URL → :class:`Entry`; written from the reactor thread only."""

    def __init__(self, entries: MutableMapping[str, Entry] | None = None) -> None:
        self.entries: MutableMapping[str, Entry] = {} if entries is None else entries

    def discover(self, url: str, kind: str) -> None:
        self.entries.setdefault(url, Entry(kind, "pending"))

    def settle(self, url: str, state: str, reason: str = "", detail: str = "", *, kind: str = "link") -> None:
        """Give ``url`` its outcome. The first outcome stands, except that a failure
        (a browser timeout after the plain fetch was read) overrides ``read``; a document
        handed to the pipeline is settled by what the pipeline stores."""
        entry = self.entries.get(url)
        if entry is None:
            self.entries[url] = Entry(kind, state, reason, detail)
        elif entry.state == "pending" or (entry.state == "read" and state == "failed"):
            entry.state, entry.reason, entry.detail = state, reason, detail
            self.entries[url] = entry

    def document(self, url: str, final_url: str) -> None:
        """``url`` gave a document (at ``final_url`` after redirects) to the pipeline."""
        entry = self.entries.get(url) or Entry("report", "pending")
        if entry.state in {"pending", "read"}:
            entry.state, entry.final_url = "document", final_url
            self.entries[url] = entry

    def state(self, url: str) -> str | None:
        entry = self.entries.get(url)
        return entry.state if entry else None


def close_books(
    books: Books,
    store: Any,
    *,
    lost: dict[str, str] | None = None,
    unparsed: dict[str, str] | None = None,
    stopped: str = "finished",
) -> dict[str, Any]:
    """Settle every entry, store the outcomes the pipeline does not store, return the balance.

    ``lost``: URL → error for documents whose pipeline step raised (a worker that died).
    ``unparsed``: URL → why the pipeline listed a document it did not parse (a crawl stopped
    before its turn); such documents are failed for this crawl and parsed by the next one.
    ``stopped``: the crawl's finish reason, the reason given for URLs never reached.
    """
    lost = lost or {}
    unparsed = unparsed or {}
    now = dt.datetime.now(dt.UTC).isoformat()
    failures: list[dict[str, str]] = []
    skips: list[dict[str, str]] = []
    counts: Counter[str] = Counter()
    items = list(books.entries.items())
    # in chunks: one query for the stored outcomes of 500 documents, one transaction for their writes
    with store.batch():
        for start in range(0, len(items), _CHUNK):
            chunk = items[start : start + _CHUNK]
            docs = [(url, entry) for url, entry in chunk if entry.state == "document"]
            states = store.states(entry.final_url or url for url, entry in docs)
            groups = {s.group_key or u for u, s in states.items() if s.outcome not in {"parsed", "failed", None}}
            with_reports = store.groups_with_reports(groups) if groups else set()
            for url, entry in docs:
                _settle_document(url, entry, states.get(entry.final_url or url), with_reports, store, lost, unparsed)
            for url, entry in chunk:
                if entry.state == "pending":
                    entry.state, entry.reason = "skipped", f"not reached before the crawl stopped ({stopped})"
                if entry.state in {"read", "failed", "skipped"} and not entry.final_url:
                    # the pipeline stored nothing for these: keep their outcome beside the crawl state
                    error = _line(entry) if entry.state != "read" else None
                    store.save_document(url, role=entry.kind, outcome=entry.state, error=error, checked_at=now)
                counts[entry.state] += 1
                row = {"url": url, "kind": entry.kind, "reason": entry.reason, "detail": entry.detail}
                if entry.state == "failed":
                    failures.append(row)
                elif entry.state == "skipped":
                    skips.append(row)
    return {
        "discovered": len(books.entries),
        **{state: counts[state] for state in STATES},
        "skipped_by_reason": dict(sorted(Counter(s["reason"] for s in skips).items())),
        "failures": sorted(failures, key=lambda r: r["url"]),
        "skips": sorted(skips, key=lambda r: (r["reason"], r["url"])),
    }


def _settle_document(
    url: str, entry: Entry, state: Any, with_reports: set[str], store: Any, lost: dict[str, str], unparsed: dict[str, str]
) -> None:
    doc_url = entry.final_url or url
    if state is None or state.outcome is None:
        why = unparsed.get(doc_url) or unparsed.get(url)
        if why:
            # archived but not parsed (Ctrl-C): no outcome is stored, so the next crawl parses it
            entry.state, entry.reason, entry.detail, entry.final_url = "failed", "not parsed", why, doc_url
            return
        entry.state, entry.reason = "failed", "lost in the pipeline"
        entry.detail = lost.get(doc_url) or lost.get(url) or "no outcome was recorded for it"
        # nothing else records it: the crawl state keeps the failure for `stats`
        store.save_document(doc_url, role=entry.kind, outcome="failed", error=f"{entry.reason}: {entry.detail}")
        entry.final_url = doc_url
    elif state.outcome == "failed":
        entry.state, entry.reason, entry.detail = "failed", "document failed", state.error or ""
    elif state.outcome == "parsed" or (state.group_key or doc_url) in with_reports:
        entry.state = "stored"  # a page without tables still belongs to the record its attachment made
    else:
        entry.state, entry.reason = "refused", "not a report"


def _line(entry: Entry) -> str:
    return f"{entry.reason}: {entry.detail}" if entry.detail else entry.reason


def equation(balance: dict[str, Any]) -> str:
    """``57 discovered = 12 read + 8 stored + 3 refused + 9 failed + 25 skipped``, and whether it balances."""
    total = sum(balance[s] for s in STATES)
    parts = " + ".join(f"{balance[s]} {s}" for s in STATES)
    ok = "balanced" if total == balance["discovered"] else f"OFF BY {balance['discovered'] - total}"
    return f"{balance['discovered']} discovered = {parts} ({ok})"
