"""Region inference: counties whose names look like generic words are still counties."""

from __future__ import annotations

import pytest

from crawler.core.parse.region import infer_region


@pytest.mark.parametrize(
    ("agency", "county", "code"),
    [
        ("德州市陵城区自然资源局", "陵城区", "371403"),
        ("济南市历城区人民政府", "历城区", "370112"),
        ("北京市东城区教育委员会", "东城区", "110101"),
        ("南京市鼓楼区人民政府办公室", "鼓楼区", "320106"),
    ],
)
def test_listed_counties_ending_like_generic_words(agency: str, county: str, code: str) -> None:
    region = infer_region([agency])
    assert (region["county"], region["code"]) == (county, code)


@pytest.mark.parametrize("agency", ["淮安市经济技术开发区管委会", "重庆市主城区综合执法办"])
def test_look_alikes_the_list_does_not_know_are_not_counties(agency: str) -> None:
    assert infer_region([agency])["county"] is None
