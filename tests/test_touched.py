"""The groups a crawl touched: kept on disk in the order touched, each once, with its digest before."""

from __future__ import annotations

import tracemalloc

from crawler.crawl.touched import TouchedGroups


def _page(i: int) -> str:
    return f"http://www.gov.cn/zfxxgk/zfxxgknb/2023{i % 12 + 1:02d}/t20230118_{i}.html"


def test_groups_come_back_once_in_the_order_touched_with_their_digests():
    touched = TouchedGroups()
    digests = {}
    for i in range(12_345):
        digest = i.to_bytes(16, "big") if i % 3 else None  # every third group had no record before
        touched.add(_page(i), digest)
        digests[_page(i)] = digest
    touched.add(_page(7), b"\xff" * 16)  # a second add of a group keeps the first digest
    touched.add("http://示范县.gov.cn/公开/年报\t1.html", None)  # any characters, a tab included
    assert len(touched) == 12_346 and _page(7) in touched and _page(99_999) not in touched
    chunks = list(touched.chunks(5000))
    assert [len(c) for c in chunks] == [5000, 5000, 2346]
    merged = {k: v for c in chunks for k, v in c.items()}
    assert list(merged)[:12_345] == [_page(i) for i in range(12_345)]
    assert merged == {**digests, "http://示范县.gov.cn/公开/年报\t1.html": None}
    # reading does not disturb what is appended after (and what is appended shows in the next read)
    first = next(touched.chunks(10))
    touched.add("http://late.gov.cn/a.html", None)
    assert len(first) == 10 and list(touched.groups())[-1] == "http://late.gov.cn/a.html"
    touched.close()


def test_memory_is_a_few_bytes_a_group_not_the_urls():
    tracemalloc.start()
    try:
        touched = TouchedGroups()
        base = tracemalloc.get_traced_memory()[0]
        for i in range(100_000):
            touched.add(_page(i), i.to_bytes(16, "big"))
        held = tracemalloc.get_traced_memory()[0] - base
    finally:
        tracemalloc.stop()
    # a dict of the URLs and digests holds ~15 MB here; the touched groups keep ~8 bytes a group
    assert held < 3_000_000, held
    assert sum(1 for _ in touched.groups()) == 100_000
    touched.close()
