"""Best-effort region (province / city / county and its GB/T 2260 code) from names in the agency and the text.

Names come from the official division list (``crawler/data/divisions.json`` through
:mod:`crawler.registry.divisions`): provinces (also short: 江苏, 内蒙古), prefecture-level units, the
municipalities' districts and province-administered county-level units. A county is read from
the name's shape (…县 / …区 / …旗 / county-level …市 after a city) and then looked up on the
list, old names too (洪泽县 → 洪泽区 320813): a county named alone gives its prefecture and
province when only one unit in the country bears that name.

The one part of the parser that reads a file: the first call loads the shipped list from disk
(:func:`crawler.registry.divisions.load`, cached for the life of the process); every later call
is pure. An unreadable list is a :class:`~crawler.registry.divisions.DivisionError`, not a guess.
"""

from __future__ import annotations

import functools
import re

from crawler.registry.divisions import Division, Divisions, load

_Trie = dict[str, "_Trie"]
_COUNTY = re.compile(r"([\u4e00-\u9fff]{1,4}?(?:自治县|县|区|旗|市))")
_NOT_COUNTY = (
    "社区",
    "园区",
    "开发区",
    "新区管委",
    "辖区",
    "城区",
    "地区",
    "景区",
    "校区",
    "全区",
    "全市",
    "本市",
    "我区",
    "我市",
    "自治区",
    "市区",
)
_PROVINCE_SHORT = re.compile(r"(?:(?:壮族|回族|维吾尔)?自治区|特别行政区|省|市)$")


@functools.lru_cache(maxsize=1)
def _divisions() -> tuple[dict[str, str], dict[str, str], dict[str, str]]:
    """(province name/short → full name, city → province, city short → city).

    "Cities" are what a name puts right after its province: prefecture-level units, a
    municipality's districts and counties, and county-level units a province administers directly.
    """
    index = load()
    provinces: dict[str, str] = {}
    cities: dict[str, str] = {}
    shorts: dict[str, str] = {}
    for province in index.at_level("province"):
        provinces[province.name] = province.name
        short = _PROVINCE_SHORT.sub("", province.name)
        if len(short) >= 2:
            provinces.setdefault(short, province.name)
    for unit in index.by_code.values():
        parent = index.by_code.get(unit.parent) if unit.parent else None
        if parent is None or parent.level != "province":
            continue
        cities.setdefault(unit.name, parent.name)
        short = re.sub(r"(?:市|地区|盟|(?:[\u4e00-\u9fff]{1,6}族)*自治州|林区|区|县)$", "", unit.name)
        if len(short) >= 2:
            shorts.setdefault(short, unit.name)
    return provinces, cities, shorts


def infer_region(texts: list[str]) -> dict[str, str | None]:
    """``{"province", "city", "county", "code"}``: the names found and the code of the deepest unit they identify."""
    provinces, cities, shorts = _divisions()
    province = city = county = None
    for text in texts:
        if not text:
            continue
        if province is None:
            for name, full in provinces.items():
                if text.startswith(name) or (len(name) >= 3 and name in text[:40]):
                    province = full
                    break
        if city is None:
            found = _first_city(text, cities, shorts)
            if found:
                city = found
        if county is None:
            county = _county(text, city)
        if province and city and county:
            break
    if city and province is None:
        province = cities.get(city)
    if province in {"北京市", "天津市", "上海市", "重庆市"}:
        # a municipality is its own city: its districts and counties are the counties
        if city and city != province and city.endswith(("区", "县")):
            county = county or city
        city = province
        if county == province:
            county = None
    if county and county == city:
        county = None
    region: dict[str, str | None] = {"province": province, "city": city, "county": county}
    region.update(_with_code(load(), region))
    return region


def region_code(region: dict[str, str | None]) -> str | None:
    """The GB/T 2260 code of the deepest unit a ``{"province", "city", "county"}`` names, or None."""
    return _with_code(load(), region).get("code")


def _with_code(index: Divisions, region: dict[str, str | None]) -> dict[str, str | None]:
    """The region's code, and the parents a lone county implies (county → prefecture → province)."""
    province, city, county = region.get("province"), region.get("city"), region.get("county")
    out: dict[str, str | None] = {}
    at = _one(index.named(province, old=False)) if province else None
    if city and city != province:
        found = _one(index.named(city, within=at.code if at else None))
        if found is not None:
            at = found
    if county:
        found = _one(index.named(county, within=at.code if at else None))
        if found is not None:
            if at is None:
                # only the county was named: its parents come from the list when the name is unique
                names = index.path(found.code)
                out.update({k: v for k, v in names.items() if k != "county" and v})
            at = found
    out["code"] = at.code if at else None
    if at is not None and province is None:
        out["province"] = index.path(at.code)["province"]
    return out


def _one(found: list[Division]) -> Division | None:
    return found[0] if len(found) == 1 else None


def _first_city(text: str, cities: dict[str, str], shorts: dict[str, str]) -> str | None:
    """The city named first in the text; at one position, the earliest in the registry's order.

    One scan of the text per name list (a prefix-tree regex, run by ``re`` in C) instead of a
    ``str.find`` per name: ~3,500 names made region inference cost O(names × text).
    """
    finder, short_finder = _finders()
    found = finder.first(text)
    if found is not None:
        return found
    short = short_finder.first(text)
    return shorts[short[:-1]] if short is not None else None


class _NameFinder:
    """The leftmost of many literal names in a text, ties broken by the names' order."""

    def __init__(self, names: tuple[str, ...]) -> None:
        self._rank = {name: i for i, name in reversed(list(enumerate(names)))}
        trie: _Trie = {}
        for name in names:
            node = trie
            for ch in name:
                node = node.setdefault(ch, {})
            node[""] = {}  # a name ends here
        self._trie = trie
        self._longest = max((len(n) for n in names), default=0)
        self._regex = re.compile(_trie_pattern(trie)) if names else None

    def first(self, text: str) -> str | None:
        if self._regex is None:
            return None
        m = self._regex.search(text)
        if m is None:
            return None
        # every name that starts at the leftmost match; the registry's earliest wins
        at, node, ends = m.start(), self._trie, []
        for i, ch in enumerate(text[at : at + self._longest]):
            if ch not in node:
                break
            node = node[ch]
            if "" in node:
                ends.append(text[at : at + i + 1])
        return min(ends, key=self._rank.__getitem__)


def _trie_pattern(node: _Trie) -> str:
    """A regex matching exactly the names in a prefix tree, shared prefixes written once."""
    branches = [re.escape(ch) + _trie_pattern(child) for ch, child in sorted(node.items()) if ch]
    if not branches:
        return ""
    body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    # a name may end here or go on: the longer names stay optional
    return "(?:" + body + ")?" if "" in node else body


@functools.lru_cache(maxsize=1)
def _finders() -> tuple[_NameFinder, _NameFinder]:
    _, cities, shorts = _divisions()
    return _NameFinder(tuple(cities)), _NameFinder(tuple(s + "市" for s in shorts))


def _county(text: str, city: str | None) -> str | None:
    if city and city not in text:
        return None
    start = text.index(city) + len(city) if city else 0
    for m in _COUNTY.finditer(text[start : start + 20]):
        name = m.group(1)
        # a name on the official list is a county whatever it ends with (陵城区, 东城区, 历城区);
        # the shapes below only rule out look-alikes the list does not know (主城区, 开发区)
        if not _listed_county(name) and any(name.endswith(x) or x in name for x in _NOT_COUNTY):
            continue
        if city and name == city:
            continue
        if m.start() > 0:
            break  # a county name opens the agency name or follows its city
        return name
    return None


@functools.lru_cache(maxsize=4096)
def _listed_county(name: str) -> bool:
    return any(unit.level == "county" for unit in load().named(name, old=True))
