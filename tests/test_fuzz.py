"""Fuzzing the parser (issue 7): random bytes and damaged real documents never crash, hang or balloon.

``crawler.core.report.try_process`` is the entry point the crawl and the rebuild
use; it must answer every input with an outcome ("parsed", "not_report",
"failed"), so any exception escaping it is a bug. Inputs are random bytes
(raw, and behind the magic bytes of each format so they reach the
extractors), and the real fixture documents damaged by bit flips,
truncations, spliced chunks of other fixtures, repeated chunks, and, for
DOCX, damage inside the zip's document.xml. Each example has a hard time
limit (SIGALRM, so a real hang fails instead of blocking CI) and the
process's peak memory is checked after each.

Hypothesis runs derandomized here (the same examples every run, ~60 s in all);
``bench/fuzz_parse.py`` runs random inputs for as long as asked.
"""

from __future__ import annotations

import random
import resource
import signal
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from bench.fuzz_parse import flip_bits, mutate_zip_member, repeat, seed_files, splice, truncate
from crawler.core.report import try_process
from crawler.core.resource import FetchedResource

EXAMPLE_SECONDS = 20  # a hang, not a slow document: the slowest fixture parses in about a second
MAX_RSS_BYTES = 1536 * 1024**2  # this pytest process as a whole, fixtures and Hypothesis included
OUTCOMES = {"parsed", "not_report", "failed"}

SEEDS = seed_files()
BY_KIND = {
    kind: [data for name, data in SEEDS if name.endswith(suffix)]
    for kind, suffix in (("html", ".html"), ("docx", ".docx"), ("pdf", ".pdf"), ("text", ".txt"))
}
FUZZ = settings(
    max_examples=40,
    deadline=None,  # the SIGALRM limit below stops a hang; Hypothesis' deadline would only flag slowness
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


class Hang(Exception):
    pass


@contextmanager
def time_limit(seconds: int) -> Iterator[None]:
    def on_alarm(signum: int, frame: object) -> None:
        raise Hang(f"no answer within {seconds} s")

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def check(body: bytes, content_type: str | None = None) -> str:
    """:func:`outcome_of` inside a Hypothesis test, counting outcomes for ``--hypothesis-show-statistics``."""
    outcome, reason = outcome_of(body, content_type)
    event(f"{outcome}: {reason}" if reason else outcome)
    return outcome


def outcome_of(body: bytes, content_type: str | None = None) -> tuple[str, str | None]:
    """try_process on ``body``: an outcome within the time limit, memory bounded; (outcome, reason)."""
    with time_limit(EXAMPLE_SECONDS):
        outcome, record, error, reason = try_process(FetchedResource(body=body, content_type=content_type))
    assert outcome in OUTCOMES
    if outcome == "parsed":
        assert record is not None and error is None
    else:
        assert record is None and error and reason  # a reason to count, a message to show
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 < MAX_RSS_BYTES
    return outcome, reason


def test_seeds_cover_every_format() -> None:
    # the mutation tests below are only as good as their seeds
    for kind in ("html", "docx", "pdf"):
        assert BY_KIND[kind], f"no {kind} seed document"


@pytest.mark.parametrize("kind", ["html", "docx", "pdf"])
def test_every_seed_parses_before_damage(kind: str) -> None:
    # undamaged, the seeds are reports: a fuzz run that only ever saw failures would prove little
    assert any(outcome_of(data)[0] == "parsed" for data in BY_KIND[kind])


# ---- random bytes ----

MAGIC = [b"", b"%PDF-1.7\n", b"PK\x03\x04", b"<html><body>", b"\xef\xbb\xbf", b"\xff\xfe", b"\xd0\xcf\x11\xe0"]


@FUZZ
@given(magic=st.sampled_from(MAGIC), body=st.binary(max_size=4096))
def test_random_bytes(magic: bytes, body: bytes) -> None:
    check(magic + body)


@FUZZ
@given(text=st.text(max_size=2000), encoding=st.sampled_from(["utf-8", "gb18030", "utf-16", "utf-16-be", "utf-32"]))
def test_random_text(text: str, encoding: str) -> None:
    check(text.encode(encoding, "replace"))


@FUZZ
@given(
    cells=st.lists(st.lists(st.text(alphabet="0123456789一二三四申请公开总计年度报告 ", max_size=12), max_size=8), max_size=30),
    spans=st.lists(st.integers(-5, 10**9), max_size=6),
)
def test_random_html_tables(cells: list[list[str]], spans: list[int]) -> None:
    # ragged rows and absurd spans, as broken CMS editors write them
    spans = spans or [1]
    rows = "".join(
        "<tr>"
        + "".join(
            f'<td rowspan="{spans[i % len(spans)]}" colspan="{spans[(i + 1) % len(spans)]}">{c}</td>' for i, c in enumerate(row)
        )
        + "</tr>"
        for row in cells
    )
    page = f"<html><body><p>2021年政府信息公开工作年度报告</p><table>{rows}</table></body></html>"
    check(page.encode("utf-8"))


# ---- damaged real documents ----


@st.composite
def damaged(draw: st.DrawFn, kind: str) -> bytes:
    data: bytes = draw(st.sampled_from(BY_KIND[kind]))
    donors = [d for docs in BY_KIND.values() for d in docs]
    for _ in range(draw(st.integers(1, 3))):
        how = draw(st.sampled_from(["flip", "truncate", "splice", "repeat"] + (["zip"] if kind == "docx" else [])))
        if how == "flip":
            data = flip_bits(data, draw(st.lists(st.integers(0, max(0, len(data) * 8 - 1)), min_size=1, max_size=16)))
        elif how == "truncate":
            data = truncate(data, draw(st.integers(0, len(data))))
        elif how == "splice":
            donor = draw(st.sampled_from(donors))
            start = draw(st.integers(0, len(donor)))
            chunk = donor[start : start + draw(st.integers(1, 4096))]
            data = splice(data, draw(st.integers(0, len(data))), chunk, draw(st.integers(0, 64)))
        elif how == "repeat":
            data = repeat(data, draw(st.integers(0, max(0, len(data) - 1))), draw(st.integers(1, 256)), draw(st.integers(2, 100)))
        else:
            # damage inside the zip, so it reaches the XML reader instead of stopping at a CRC
            inner_seed = draw(st.integers(0, 2**31))
            data = mutate_zip_member(data, "word/document.xml", lambda body, s=inner_seed: _damage_xml(body, s))
    return data


def _damage_xml(body: bytes, seed: int) -> bytes:
    rng = random.Random(seed)
    how = rng.choice(["flip", "truncate", "repeat", "attr"])
    if how == "flip":
        return flip_bits(body, [rng.randrange(len(body) * 8) for _ in range(rng.randint(1, 8))])
    if how == "truncate":
        return truncate(body, rng.randrange(len(body) + 1))
    if how == "repeat":
        return repeat(body, rng.randrange(len(body)), rng.randint(1, 2000), rng.randint(2, 50))
    # attribute values Word never writes: spans and merges as text, negative or huge
    value = rng.choice([b"x", b"-3", b"99999999999", b"", b"1e9"])
    return body.replace(b'w:val="2"', b'w:val="' + value + b'"', rng.randint(1, 50))


@FUZZ
@given(data=damaged("html"))
def test_damaged_html(data: bytes) -> None:
    check(data)


@FUZZ
@given(data=damaged("docx"))
def test_damaged_docx(data: bytes) -> None:
    check(data)


@settings(FUZZ, max_examples=25)
@given(data=damaged("pdf"))
def test_damaged_pdf(data: bytes) -> None:
    check(data)


@pytest.mark.skipif(not BY_KIND["text"], reason="the shared text seeds are absent")
@FUZZ
@given(data=damaged("text"))
def test_damaged_text(data: bytes) -> None:
    check(data)
