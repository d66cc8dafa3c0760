"""A compact set of URLs: what a spider already asked for, in about 8 bytes per URL.

The spider remembers every URL it requested, so that the navigation and footer links of
each page are skipped before Scrapy's dupefilter (and, in a shared crawl, Redis) is asked
again, and so that the stale-list guard counts only new report links. Kept as a set of
strings, a million URLs cost ~220 MB; here each URL is its 64-bit string hash (SipHash,
the one Python's sets use, cached on the string), the recent ones in a small set and the rest
in one sorted array of unsigned 64-bit integers (8 bytes each, looked up by binary search),
merged with NumPy every ``_MERGE_AT`` additions. Two different URLs share a digest with
odds of ~n²/2⁶⁵ (3·10⁻⁸ at a million URLs); such a collision costs one link not followed by
this process, and Scrapy's own dupefilter stays the authority on what is fetched.
"""

from __future__ import annotations

from array import array
from bisect import bisect_left

import numpy as np

_MERGE_AT = 4096
_MASK = (1 << 64) - 1


def _key(url: str) -> int:
    return hash(url) & _MASK  # per process, like the set itself: never stored or compared across processes


class SeenUrls:
    """``add`` and ``in`` over URLs, storing 8-byte digests instead of the strings."""

    __slots__ = ("_recent", "_sorted")

    def __init__(self) -> None:
        self._recent: set[int] = set()
        self._sorted = array("Q")

    def add(self, url: str) -> None:
        key = _key(url)
        if key in self._recent or self._in_sorted(key):
            return
        self._recent.add(key)
        if len(self._recent) >= _MERGE_AT:
            merged = np.concatenate(
                [
                    np.frombuffer(self._sorted, dtype=np.uint64),
                    np.fromiter(self._recent, dtype=np.uint64, count=len(self._recent)),
                ]
            )
            merged.sort()
            self._sorted, self._recent = array("Q", merged.tobytes()), set()

    def __contains__(self, url: object) -> bool:
        if not isinstance(url, str):
            return False
        key = _key(url)
        return key in self._recent or self._in_sorted(key)

    def _in_sorted(self, key: int) -> bool:
        found = self._sorted
        i = bisect_left(found, key)
        return i < len(found) and found[i] == key

    def __len__(self) -> int:
        return len(self._recent) + len(self._sorted)

    def nbytes(self) -> int:
        """Roughly what the digests take: the array, and the recent set at ~70 bytes an entry."""
        return self._sorted.itemsize * len(self._sorted) + 70 * len(self._recent)
