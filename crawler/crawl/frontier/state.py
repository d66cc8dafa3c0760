"""The shared frontier's state in Redis: per-host queues, host leases, in-flight requests, workers.

Every key of a crawl starts with ``govreports:<crawl id>``; a new periodic crawl gets a new id,
so it starts from an empty seen-set and queues, and nothing a finished crawl left behind is
read again. The keys (``P`` is the prefix):

* ``P:q:<host>`` (list) the serialized requests waiting for a host, oldest first;
  ``P:hosts`` (sorted set) the hosts with waiting requests, scored by when each may be
  handed out next; ``P:next`` (hash) that moment per host, kept while its queue is empty;
  ``P:pending`` (counter) requests waiting in all of them;
* ``P:lease:<host>`` (sorted set) one member per request being downloaded from the host,
  scored by when the lease expires. Never more than ``max_leases`` unexpired members: that
  is the politeness bound across every worker. Workers renew the leases they hold with
  each heartbeat; a dead worker's lapse within ``lease_ttl`` and its hosts go on;
* ``P:inflight:data`` / ``P:inflight:owner`` (hashes) each handed-out request by token until
  its worker is done with it, so a dead worker's requests go back in the queue;
* ``P:workers`` (hash) worker id → its last heartbeat (JSON); ``P:active`` (set) workers
  that took a request and have not been idle since: handing out a request and marking its
  worker active is one atomic step, so "nothing pending and nobody active" means done;
* ``P:reaped`` (hash) dead worker → the worker that took its requests over. A worker found
  there (it was only silent, not dead) is handed nothing more and stops at its next beat;
* ``P:books`` (hash) the crawl's books, each worker's counters per state added when it ends;
  ``P:books:due`` / ``:in`` / ``:lost`` (sets) workers whose books are still to come, are in,
  died with them;
* ``P:dupefilter`` (set) the seen-set (scrapy-redis's dupefilter key), written by the push script
  itself, so a URL is marked seen exactly when it is queued; ``P:state`` "finished" once done.

Times come from Redis (``TIME`` inside the scripts): workers on machines whose clocks
disagree still agree on leases and delays.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import secrets
import socket
from dataclasses import dataclass
from typing import Any

import redis

logger = logging.getLogger(__name__)

ROOT = "govreports"

# hand out the next request of a host whose delay has passed and whose leases are not all taken
_POP = """
local p, maxlease, delay, worker, token = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3]), ARGV[4], ARGV[5]
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
-- a worker another one took over (it was silent too long) gets no more work: what it held went back
if redis.call('HEXISTS', p .. ':reaped', worker) == 1 then return {'', '', '-2'} end
local hosts = redis.call('ZRANGEBYSCORE', p .. ':hosts', '-inf', now, 'LIMIT', 0, 64)
for _, host in ipairs(hosts) do
  local lease = p .. ':lease:' .. host
  redis.call('ZREMRANGEBYSCORE', lease, '-inf', now)
  if redis.call('ZCARD', lease) < maxlease then
    local data = redis.call('LPOP', p .. ':q:' .. host)
    if data then
      redis.call('DECR', p .. ':pending')
      redis.call('HSET', p .. ':inflight:data', token, data)
      redis.call('HSET', p .. ':inflight:owner', token, worker)
      redis.call('SADD', p .. ':active', worker)
      local nxt = now + delay
      redis.call('HSET', p .. ':next', host, nxt)
      if redis.call('LLEN', p .. ':q:' .. host) > 0 then
        redis.call('ZADD', p .. ':hosts', nxt, host)
      else
        redis.call('ZREM', p .. ':hosts', host)
      end
      return {host, data}
    end
    redis.call('ZREM', p .. ':hosts', host)
  else
    -- every lease taken: look at this host again a little later, the others first
    redis.call('ZADD', p .. ':hosts', now + 0.05, host)
  end
end
-- nothing to hand out: say when the next host comes due, so the worker does not ask before
local first = redis.call('ZRANGE', p .. ':hosts', 0, 0, 'WITHSCORES')
if first[2] then return {'', '', tostring(tonumber(first[2]) - now)} end
return {'', '', '-1'}
"""

# queue a request; with a fingerprint, only if the seen-set did not hold it, in the same step: a worker
# dying between marking a URL seen and queueing it would leave a URL no worker ever fetches
_PUSH = """
local p, host, data, fp = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
if fp ~= '' and redis.call('SADD', p .. ':dupefilter', fp) == 0 then return 0 end
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
redis.call('RPUSH', p .. ':q:' .. host, data)
redis.call('INCR', p .. ':pending')
local nxt = tonumber(redis.call('HGET', p .. ':next', host) or '0')
redis.call('ZADD', p .. ':hosts', 'NX', math.max(now, nxt), host)
return 1
"""

# a lease for one download from a host; 0 when all are taken
_ACQUIRE = """
local lease, maxlease, ttl, token = KEYS[1], tonumber(ARGV[1]), tonumber(ARGV[2]), ARGV[3]
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
redis.call('ZREMRANGEBYSCORE', lease, '-inf', now)
if redis.call('ZCARD', lease) < maxlease then
  redis.call('ZADD', lease, now + ttl, token)
  return 1
end
return 0
"""

_RENEW = """
local ttl = tonumber(ARGV[1])
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
for i = 2, #ARGV do
  redis.call('ZADD', KEYS[i - 1], 'XX', now + ttl, ARGV[i])
end
return 1
"""

# a worker taken over is not written back among the living: it learns it was, and stops
_HEARTBEAT = """
local p, worker, info = ARGV[1], ARGV[2], ARGV[3]
if redis.call('HEXISTS', p .. ':reaped', worker) == 1 then return 'reaped' end
if redis.call('SISMEMBER', p .. ':books:in', worker) == 0 then redis.call('SADD', p .. ':books:due', worker) end
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local decoded = cjson.decode(info)
decoded['ts'] = now
redis.call('HSET', p .. ':workers', worker, cjson.encode(decoded))
return tostring(now)
"""

# the crawl is over when nothing waits and no worker is active: the caller must be idle itself
_FINISH_IF_DONE = """
local p, worker, pointer, crawl = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
redis.call('SREM', p .. ':active', worker)
if tonumber(redis.call('GET', p .. ':pending') or '0') > 0 then return 'pending' end
if redis.call('SCARD', p .. ':active') > 0 then return 'active' end
redis.call('SET', p .. ':state', 'finished')
if redis.call('GET', pointer) == crawl then redis.call('DEL', pointer) end
return 'finished'
"""


# a worker's books, added to the crawl's: its counters, and it is no longer awaited
_ADD_BOOKS = """
local p, worker = ARGV[1], ARGV[2]
if redis.call('SADD', p .. ':books:in', worker) == 1 then
  for i = 3, #ARGV, 2 do redis.call('HINCRBY', p .. ':books', ARGV[i], ARGV[i + 1]) end
end
redis.call('SREM', p .. ':books:due', worker)
return 1
"""

BOOK_FIELDS = ("discovered", "read", "stored", "refused", "failed", "skipped")


def text(value: Any) -> str:
    """A Redis reply as text (replies are bytes: the queue holds pickles)."""
    return value.decode() if isinstance(value, bytes) else str(value)


def redis_client(url: str) -> redis.Redis:
    """A client for a ``redis://host:port/db`` URL (binary replies: requests are pickles)."""
    return redis.Redis.from_url(url, socket_timeout=30, socket_connect_timeout=10, health_check_interval=30)


def new_worker_id() -> str:
    """Unique across machines and restarts, readable in a WARC file name."""
    host = "".join(c if c.isalnum() else "-" for c in socket.gethostname())[:24] or "host"
    return f"{host}-{os.getpid()}-{secrets.token_hex(2)}"


def join_crawl(server: redis.Redis, target: str, crawl_id: str | None = None) -> str:
    """The id of the running crawl of ``target``, or of a new one if none runs (``crawl_id`` forces one)."""
    if crawl_id:
        return crawl_id
    pointer = f"{ROOT}:current:{target}"
    fresh = f"{target}-{dt.datetime.now(dt.UTC).strftime('%Y%m%dT%H%M%S')}-{secrets.token_hex(2)}"
    server.set(pointer, fresh, nx=True)
    current = server.get(pointer)
    return text(current) if current else fresh


@dataclass(frozen=True)
class Limits:
    max_leases: int = 2  # requests in flight per host, all workers together
    host_delay: float = 0.5  # seconds between two requests handed out for one host
    lease_ttl: float = 30.0  # a lease not renewed for this long lapses (its worker died)
    worker_ttl: float = 30.0  # a worker silent for this long is dead: its requests go back


class TakenOver(Exception):
    """This worker was silent for longer than the worker TTL and another took its requests over."""


class Frontier:
    """One worker's handle on a crawl's shared state (see the module docstring)."""

    def __init__(self, server: redis.Redis, target: str, crawl_id: str, worker: str, limits: Limits) -> None:
        self.server = server
        self.target = target
        self.crawl_id = crawl_id
        self.worker = worker
        self.limits = limits
        self.prefix = f"{ROOT}:{crawl_id}"
        self.pointer = f"{ROOT}:current:{target}"
        self._pop = server.register_script(_POP)
        self._push = server.register_script(_PUSH)
        self._acquire = server.register_script(_ACQUIRE)
        self._renew = server.register_script(_RENEW)
        self._heartbeat = server.register_script(_HEARTBEAT)
        self._finish = server.register_script(_FINISH_IF_DONE)
        self._add_books = server.register_script(_ADD_BOOKS)
        self.held: dict[str, str] = {}  # lease token → host, renewed by each heartbeat
        self.round_trips = 0  # calls to Redis from this worker (a pipeline or a script is one)

    # queue ---------------------------------------------------------------------------------
    def push(self, host: str, data: bytes, fingerprint: str = "") -> bool:
        """Queue a request for ``host``; with its ``fingerprint``, only if the crawl has not seen it (False then)."""
        self.round_trips += 1
        return bool(self._push(args=[self.prefix, host, data, fingerprint]))

    def pop(self) -> tuple[str, str, bytes] | float:
        """(token, host, serialized request) of a request this worker may download now;
        else the seconds until a host comes due (negative: no host has anything queued)."""
        token = self.token()
        self.round_trips += 1
        found = self._pop(args=[self.prefix, self.limits.max_leases, self.limits.host_delay, self.worker, token])
        if len(found) == 3:
            return float(text(found[2]))
        return token, text(found[0]), bytes(found[1])

    def token(self) -> str:
        """A new lease or request token; it names its worker, so a dead worker's leases can be told."""
        return f"{self.worker}|{secrets.token_hex(6)}"

    def pending(self) -> int:
        self.round_trips += 1
        return int(self.server.get(f"{self.prefix}:pending") or 0)

    def done_with(self, token: str) -> None:
        """This worker finished with a handed-out request: it is no longer recoverable (nor needed)."""
        self.round_trips += 1
        pipe = self.server.pipeline(transaction=False)
        pipe.hdel(f"{self.prefix}:inflight:data", token)
        pipe.hdel(f"{self.prefix}:inflight:owner", token)
        pipe.execute()

    # leases --------------------------------------------------------------------------------
    def acquire(self, host: str, token: str) -> bool:
        self.round_trips += 1
        ok = bool(
            self._acquire(keys=[f"{self.prefix}:lease:{host}"], args=[self.limits.max_leases, self.limits.lease_ttl, token])
        )
        if ok:
            self.held[token] = host
        return ok

    def release(self, host: str, token: str) -> None:
        self.held.pop(token, None)
        self.round_trips += 1
        self.server.zrem(f"{self.prefix}:lease:{host}", token)

    # workers -------------------------------------------------------------------------------
    def heartbeat(self, info: dict[str, Any]) -> float:
        """Say this worker is alive (with ``info`` for ``--status``) and renew its leases; returns Redis' time.

        Raises :class:`TakenOver` when another worker already took this one's requests over."""
        held = dict(self.held)
        self.round_trips += 2 if held else 1
        if held:
            self._renew(keys=[f"{self.prefix}:lease:{h}" for h in held.values()], args=[self.limits.lease_ttl, *held.keys()])
        now = text(self._heartbeat(args=[self.prefix, self.worker, json.dumps(info)]))
        if now == "reaped":
            raise TakenOver(f"worker {self.worker} was taken over by another")
        return float(now)

    def now(self) -> float:
        """Redis' clock, the one heartbeats are stamped with."""
        self.round_trips += 1
        seconds, micros = self.server.time()
        return float(seconds) + float(micros) / 1e6

    def workers(self) -> dict[str, dict[str, Any]]:
        raw = self.server.hgetall(f"{self.prefix}:workers")
        return {text(k): json.loads(v) for k, v in raw.items()}

    def dead_workers(self, now: float) -> list[str]:
        self.round_trips += 1
        return [
            w
            for w, info in self.workers().items()
            if w != self.worker and now - float(info.get("ts", 0)) > self.limits.worker_ttl
        ]

    def claim(self, dead: str) -> list[tuple[str, bytes]]:
        """Take over a dead worker: its handed-out requests (token, data) are returned to the caller, once.

        Only the first worker to claim gets them (HSETNX), and the dead worker's leases are let go.
        """
        if not self.server.hsetnx(f"{self.prefix}:reaped", dead, self.worker):
            return []
        owners = self.server.hgetall(f"{self.prefix}:inflight:owner")
        tokens = [text(t) for t, w in owners.items() if text(w) == dead]
        found: list[tuple[str, bytes]] = []
        for token in tokens:
            data = self.server.hget(f"{self.prefix}:inflight:data", token)
            if data is not None:
                found.append((token, data if isinstance(data, bytes) else data.encode()))
        for key in self.server.scan_iter(match=f"{self.prefix}:lease:*", count=500):
            members = [text(m) for m in self.server.zrange(key, 0, -1) if text(m).startswith(f"{dead}|")]
            if members:
                self.server.zrem(key, *members)
        self.server.hdel(f"{self.prefix}:workers", dead)
        self.server.srem(f"{self.prefix}:active", dead)
        # its books died with it: the crawl's are the others' (what it left undone, they redo and count)
        if dead != self.worker and self.server.srem(f"{self.prefix}:books:due", dead):
            self.server.sadd(f"{self.prefix}:books:lost", dead)
        return found

    def requeue(self, token: str, host: str, data: bytes) -> None:
        self.push(host, data)
        self.done_with(token)

    def finish_if_done(self) -> str:
        """'pending', 'active' (another worker may still add requests) or 'finished' (and the crawl is closed)."""
        return text(self._finish(args=[self.prefix, self.worker, self.pointer, self.crawl_id]))

    def add_books(self, balance: dict[str, Any]) -> None:
        """Add this worker's books (its counters per state) to the crawl's, once."""
        pairs = [str(v) for f in BOOK_FIELDS for v in (f, int(balance.get(f, 0)))]
        self.round_trips += 1
        self._add_books(args=[self.prefix, self.worker, *pairs])

    def crawl_books(self) -> dict[str, Any]:
        """The crawl's books so far: the sum of the workers' that ended (see :func:`crawl_books`)."""
        return crawl_books(self.server, self.prefix)

    def count_round_trips(self) -> None:
        """Add this worker's round trips to the crawl's total (``P:round_trips``, for the benchmark)."""
        self.server.incrby(f"{self.prefix}:round_trips", self.round_trips + 1)
        self.round_trips = 0

    def leave(self) -> None:
        """A clean exit: this worker's requests are all done, its entry goes."""
        owners = self.server.hgetall(f"{self.prefix}:inflight:owner")
        for token, owner in owners.items():
            if text(owner) == self.worker:
                self.done_with(text(token))
        self.server.hdel(f"{self.prefix}:workers", self.worker)
        self.server.srem(f"{self.prefix}:active", self.worker)


def crawl_books(server: redis.Redis, prefix: str) -> dict[str, Any]:
    """A crawl's books: ``discovered`` and each state summed over the workers whose books are in
    (``workers``), how many are still to add theirs (``due``: running or closing) and how many were
    lost with a worker that died (``lost``). Complete once ``due`` is 0; ``lost`` workers' URLs were
    redone and counted by the others, but what such a worker had finished is not in the sum."""
    pipe = server.pipeline(transaction=True)
    pipe.hgetall(f"{prefix}:books")
    pipe.scard(f"{prefix}:books:in")
    pipe.scard(f"{prefix}:books:due")
    pipe.scard(f"{prefix}:books:lost")
    counters, done, due, lost = pipe.execute()
    totals = {text(k): int(v) for k, v in counters.items()}
    return {**{f: totals.get(f, 0) for f in BOOK_FIELDS}, "workers": int(done), "due": int(due), "lost": int(lost)}
