"""``crawl --frontier URL --status``: the crawls in a shared frontier, their queues, hosts, workers and books."""

from __future__ import annotations

import json
from typing import Any

import redis

from crawler.crawl.books import equation
from crawler.crawl.frontier.state import ROOT, crawl_books, text


def crawls(server: redis.Redis) -> list[dict[str, Any]]:
    """Every crawl with state in Redis, running ones first: queue sizes, hosts busy, workers alive."""
    seconds, micros = server.time()
    now = seconds + micros / 1e6
    ids: set[str] = set()
    for key in server.scan_iter(match=f"{ROOT}:*:pending", count=1000):
        ids.add(text(key)[len(ROOT) + 1 : -len(":pending")])
    running = {text(v) for k in server.scan_iter(match=f"{ROOT}:current:*") if (v := server.get(k))}
    out = []
    for crawl in sorted(ids, key=lambda c: (c not in running, c)):
        p = f"{ROOT}:{crawl}"
        workers = {text(k): json.loads(v) for k, v in server.hgetall(f"{p}:workers").items()}
        busy_hosts = 0
        for key in server.scan_iter(match=f"{p}:lease:*", count=1000):
            if server.zcount(key, now, "+inf"):
                busy_hosts += 1
        out.append({
            "crawl": crawl,
            "state": "running" if crawl in running else text(server.get(f"{p}:state") or b"stopped"),
            "pending": int(server.get(f"{p}:pending") or 0),
            "hosts_queued": int(server.zcard(f"{p}:hosts")),
            "hosts_busy": busy_hosts,
            "in_flight": int(server.hlen(f"{p}:inflight:owner")),
            "seen": int(server.scard(f"{p}:dupefilter")),
            "books": crawl_books(server, p),
            "workers": {
                w: {"alive": now - float(i.get("ts", 0)) < 30, "seconds_since_heartbeat": round(now - float(i.get("ts", 0)), 1),
                    "pages": i.get("pages", 0), "hostname": i.get("hostname")}
                for w, i in sorted(workers.items())
            },
        })  # fmt: skip
    return out


def format_status(entries: list[dict[str, Any]]) -> str:
    if not entries:
        return "no crawl in this frontier"
    lines = []
    for e in entries:
        alive = sum(1 for w in e["workers"].values() if w["alive"])
        lines.append(
            f"crawl {e['crawl']} [{e['state']}]: {e['pending']} requests pending over {e['hosts_queued']} hosts,"
            f" {e['hosts_busy']} hosts busy, {e['in_flight']} handed out, {e['seen']} URLs seen;"
            f" workers alive {alive} of {len(e['workers'])}"
        )
        for name, w in e["workers"].items():
            state = "alive" if w["alive"] else f"silent {w['seconds_since_heartbeat']} s"
            lines.append(f"  {name} ({w['hostname']}): {state}, {w['pages']} pages")
        if e["books"]["workers"]:
            lines.append(books_line(e["books"]))
    return "\n".join(lines)


def books_line(books: dict[str, Any]) -> str:
    """The crawl-wide books: the sum of the workers' that ended, and whether any are still to come."""
    n = books["workers"]
    if books["due"]:
        head = f"  crawl books so far ({n} worker{'s' * (n != 1)} in, {books['due']} still running or closing)"
    else:
        head = f"  crawl books ({n} worker{'s' * (n != 1)})"
    line = f"{head}: {equation(books)}"
    if books["lost"]:
        line += f"; {books['lost']} worker(s) died before adding theirs: what they had finished is not counted"
    return line
