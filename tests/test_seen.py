"""The spider's compact seen-set: membership by URL, a fraction of the strings' memory."""

from __future__ import annotations

import sys

from crawler.crawl.seen import SeenUrls


def test_membership_is_by_exact_url():
    seen = SeenUrls()
    # past the merge threshold: members are found in the recent set and in the sorted array
    urls = [f"http://www.example.gov.cn/zfxxgk/nb/t2024_{i}.html" for i in range(12000)]
    for url in urls[:10000]:
        seen.add(url)
    seen.add(urls[0])  # again: no double count
    assert len(seen) == 10000
    assert all(u in seen for u in urls[:10000])
    assert not any(u in seen for u in urls[10000:])
    assert "http://www.example.gov.cn/zfxxgk/nb/t2024_1.html#top" not in seen  # exact strings, no canonicalising
    assert "http://x.gov.cn/年报 2022.html" not in seen
    seen.add("http://x.gov.cn/年报 2022.html")
    assert "http://x.gov.cn/年报 2022.html" in seen
    assert 1 not in seen and None not in seen


def test_holds_less_than_the_strings():
    urls = [f"http://www.example.gov.cn/zfxxgk/bmnbhb/202403/t20240331_{i}.html" for i in range(20000)]
    seen = SeenUrls()
    for url in urls:
        seen.add(url)
    plain = set(urls)
    strings = sys.getsizeof(plain) + sum(sys.getsizeof(u) for u in plain)
    assert seen.nbytes() < 0.15 * strings, (seen.nbytes(), strings)
