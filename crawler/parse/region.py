"""Best-effort region (province / city / county) from names in the agency and the text.

Provinces and prefecture-level cities come from ``crawler/data/divisions.json``;
counties are read from the name's shape (…县 / …区 / …旗 / county-level …市
after a city).
"""

from __future__ import annotations

import functools
import json
import re
from pathlib import Path

_DATA = Path(__file__).resolve().parent.parent / "data" / "divisions.json"
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


@functools.lru_cache(maxsize=1)
def _divisions() -> tuple[dict[str, str], dict[str, str], dict[str, str]]:
    """(province name/short → full name, city → province, city short → city)."""
    data = json.loads(_DATA.read_text("utf-8")) if _DATA.exists() else {"provinces": {}}
    provinces: dict[str, str] = {}
    cities: dict[str, str] = {}
    shorts: dict[str, str] = {}
    for full, info in data["provinces"].items():
        provinces[full] = full
        if info.get("short"):
            provinces[info["short"]] = full
        for city in list(info.get("cities", [])) + list(info.get("direct", [])):
            cities[city] = full
            short = re.sub(r"(?:市|地区|盟|(?:[\u4e00-\u9fff]{1,6}族)*自治州|林区|区|县)$", "", city)
            if len(short) >= 2:
                shorts.setdefault(short, city)
    return provinces, cities, shorts


def infer_region(texts: list[str]) -> dict[str, str | None]:
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
    return {"province": province, "city": city, "county": county}


def _first_city(text: str, cities: dict[str, str], shorts: dict[str, str]) -> str | None:
    best: tuple[int, str] | None = None
    for city in cities:
        at = text.find(city)
        if at >= 0 and (best is None or at < best[0]):
            best = (at, city)
    if best is None:
        for short, city in shorts.items():
            at = text.find(short + "市")
            if at >= 0 and (best is None or at < best[0]):
                best = (at, city)
    return best[1] if best else None


def _county(text: str, city: str | None) -> str | None:
    if city and city not in text:
        return None
    start = text.index(city) + len(city) if city else 0
    for m in _COUNTY.finditer(text[start : start + 20]):
        name = m.group(1)
        if any(name.endswith(x) or x in name for x in _NOT_COUNTY):
            continue
        if city and name == city:
            continue
        if m.start() > 0:
            break  # a county name opens the agency name or follows its city
        return name
    return None
