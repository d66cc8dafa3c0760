"""The region registry: the shipped regions.json and the queries over it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from crawler.cli.regions import format_table
from crawler.core.errors import ReportError
from crawler.registry.divisions import load as load_divisions
from crawler.registry.regions import (
    FAMILIES,
    LEVELS,
    NATIONAL_ROOT,
    REGISTRY_PATH,
    Portal,
    Region,
    RegistryError,
    load_registry,
    region_of_url,
    select,
)

DIVISIONS = load_divisions()


@pytest.fixture(scope="module")
def regions() -> list[Region]:
    return load_registry()


def _is_demo(region: Region) -> bool:
    return any(p.demo for p in region.portals)


# --------------------------------------------------------------------------- the shipped file


def test_shipped_file_loads_with_the_default_path(regions: list[Region]) -> None:
    assert regions == load_registry(REGISTRY_PATH)
    assert len(regions) >= 30


def test_paths_agree_with_names_and_levels(regions: list[Region]) -> None:
    for r in regions:
        assert r.level in LEVELS, r
        parts = r.path.split("/")
        if r.level == "national":
            assert parts[0] == NATIONAL_ROOT and len(parts) == 2
            assert (r.province, r.city, r.county) == (None, None, None)
        elif r.level == "province":
            assert parts == [r.province] and r.city is None and r.county is None
        elif r.level == "city":
            assert parts == [r.province, r.city] and r.county is None
        else:
            assert parts == [p for p in (r.province, r.city, r.county) if p is not None]
            assert r.province and r.county


def test_no_duplicate_paths(regions: list[Region]) -> None:
    paths = [r.path for r in regions]
    assert len(paths) == len(set(paths))


def test_portals_have_absolute_urls_and_known_families(regions: list[Region]) -> None:
    for r in regions:
        assert r.portals, r.path
        for p in r.portals:
            assert p.name.strip()
            assert p.family is None or p.family in FAMILIES, (r.path, p.family)
            for url in (p.url, *p.report_columns):
                parts = urlsplit(url)
                assert parts.scheme in ("http", "https") and parts.hostname, (r.path, url)


def test_ten_provinces_at_least(regions: list[Region]) -> None:
    real = [r for r in regions if not _is_demo(r)]
    provinces = {r.province for r in real if r.province}
    assert len(provinces) >= 10
    with_portal = {r.province for r in real if r.level == "province"}
    assert len(with_portal) >= 12
    assert {"北京市", "上海市", "江苏省", "浙江省", "广东省", "重庆市"} <= with_portal


def test_names_exist_in_divisions(regions: list[Region]) -> None:
    for r in regions:
        if _is_demo(r) or r.level == "national":
            assert r.code is None, r.path
            continue
        assert r.code is not None, r.path
        names = DIVISIONS.path(r.code)
        assert names["province"] == r.province, r.path
        # the code is the deepest part of the path on the official list: a 新区 or 示范区 stops at its city
        parts = r.path.split("/")
        unit = DIVISIONS.by_code[r.code].name
        assert unit in parts, (r.path, r.code, unit)
        if r.level == "city" and r.city is not None:
            assert names["city"] == r.city or unit == r.city, r.path


def test_codes_of_known_regions(regions: list[Region]) -> None:
    by_path = {r.path: r for r in regions}
    assert by_path["北京市"].code == "110000"
    assert by_path["江苏省/淮安市/洪泽区"].code == "320813"
    assert by_path["海南省/屯昌县"].code == "469022"
    assert by_path["贵州省/黔西南布依族苗族自治州"].code == "522300"
    assert by_path["湖南省/岳阳市/南湖新区"].code == "430600"  # not a division: its city


def test_select_by_code_and_by_division_name(regions: list[Region]) -> None:
    assert _paths(select(regions, "320800")) == ["江苏省/淮安市", "江苏省/淮安市/洪泽区"]
    assert _paths(select(regions, "3208")) == _paths(select(regions, "320800"))
    assert _paths(select(regions, "320813")) == ["江苏省/淮安市/洪泽区"]
    # names the registry's paths lack but the division list knows: short and old ones
    assert _paths(select(regions, "淮安")) == ["江苏省/淮安市", "江苏省/淮安市/洪泽区"]
    assert _paths(select(regions, "洪泽县")) == ["江苏省/淮安市/洪泽区"]
    with pytest.raises(RegistryError, match="no division has the code 990000"):
        select(regions, "990000")
    with pytest.raises(RegistryError, match="no portal in 浙江省/杭州市"):
        select(regions, "330100")


def test_code_field_is_checked(tmp_path: Path) -> None:
    (region,) = load_registry(_write(tmp_path, {"schema": 1, "regions": [_mutated(code="320813")]}))
    assert region.code == "320813"
    for bad, message in (("110105", "not in 江苏省"), ("329999", "not on the official division list"), ("3208", "six digits")):
        with pytest.raises(RegistryError, match=message):
            load_registry(_write(tmp_path, {"schema": 1, "regions": [_mutated(code=bad)]}))
    with pytest.raises(RegistryError, match="schedule"):
        load_registry(_write(tmp_path, {"schema": 1, "regions": [_mutated(schedule="fortnightly")]}))


def test_regions_named_in_the_domain_notes_are_present(regions: list[Region]) -> None:
    paths = {r.path for r in regions}
    for path in (
        "北京市",
        "江苏省/南京市/江宁区",
        "江苏省/淮安市/洪泽区",
        "江苏省/宿迁市",
        "福建省/龙岩市/漳平市",
        "福建省/福州市/晋安区",
        "重庆市/渝中区",
        "重庆市/大足区",
        "贵州省/黔西南布依族苗族自治州",
        "甘肃省/定西市",
        "山东省/济宁市/泗水县",
        "浙江省/丽水市",
        "广东省/深圳市/龙岗区",
        "广东省/湛江市",
        "四川省/资阳市",
        "四川省/达州市/大竹县",
        "湖北省/孝感市",
        "海南省/屯昌县",
    ):
        assert path in paths


def test_demo_region(regions: list[Region]) -> None:
    (demo,) = [r for r in regions if _is_demo(r)]
    assert demo.path == "演示省/示范市/示范县"
    assert demo.portals[0].url == "http://127.0.0.1:8000/"
    assert demo.portals[0].family == "trs"


def test_report_columns_of_known_portals(regions: list[Region]) -> None:
    by_path = {r.path: r for r in regions}
    beijing = by_path["北京市"].portals[0]
    assert beijing.url == "https://www.beijing.gov.cn/"
    assert "https://www.beijing.gov.cn/gongkai/zfxxgk/gknb/" in beijing.report_columns
    lg = by_path["广东省/深圳市/龙岗区"].portals[0]
    assert (lg.family, lg.report_columns) == ("gkmlpt", ("https://www.lg.gov.cn/xxgk/xxgknb/",))
    assert by_path["江苏省/宿迁市"].portals[0].family == "ucap"


def test_format_table(regions: list[Region]) -> None:
    table = format_table(regions)
    lines = table.splitlines()
    assert lines[0].split() == ["path", "level", "code", "portal", "url", "family", "columns"]
    assert any(
        line.startswith("广东省/深圳市/龙岗区") and "https://www.lg.gov.cn/" in line and "gkmlpt" in line for line in lines
    )
    assert "[demo]" in table
    assert lines[-1].startswith(f"{len(regions)} regions")


# --------------------------------------------------------------------------- select


def _portal(url: str, *columns: str) -> tuple[Portal, ...]:
    return (Portal("p", url, None, tuple(columns)),)


SMALL = [
    Region("浙江省", "浙江省", None, None, "province", _portal("https://www.zj.gov.cn/")),
    Region("浙江省/温州市", "浙江省", "温州市", None, "city", _portal("https://www.wenzhou.gov.cn/")),
    Region("浙江省/温州市/瑞安市", "浙江省", "温州市", "瑞安市", "county", _portal("https://www.ruian.gov.cn/")),
    Region("浙江省/温州市/瑞安市/安阳街道", "浙江省", "温州市", "瑞安市", "county", _portal("https://www.ruian.gov.cn/")),
    Region("浙江省/温州市/瑞安市二", "浙江省", "温州市", "瑞安市二", "county", _portal("https://x.ruian2.gov.cn/")),
    Region("北京市/朝阳区", "北京市", None, "朝阳区", "county", _portal("http://www.bjchy.gov.cn/")),
    Region("辽宁省/朝阳市/朝阳区", "辽宁省", "朝阳市", "朝阳区", "county", _portal("http://a.example.gov.cn/")),
    Region(
        "江苏省/南京市",
        "江苏省",
        "南京市",
        None,
        "city",
        _portal("https://www.nanjing.gov.cn/", "https://www.nanjing.gov.cn/zzb/zfxxgk/zfxxgknb/"),
    ),
    Region(
        "江苏省/南京市/江宁区",
        "江苏省",
        "南京市",
        "江宁区",
        "county",
        _portal("https://www.jiangning.gov.cn/", "https://www.nanjing.gov.cn/zzb/zfxxgk/zfxxgknb/gqzf_72697/jnqrmzf/"),
    ),
]


def _paths(regions: list[Region]) -> list[str]:
    return [r.path for r in regions]


def test_select_full_path_includes_children_only() -> None:
    assert _paths(select(SMALL, "浙江省/温州市/瑞安市")) == ["浙江省/温州市/瑞安市", "浙江省/温州市/瑞安市/安阳街道"]
    # "瑞安市二" starts with "瑞安市" but is not under it
    assert _paths(select(SMALL, "浙江省/温州市")) == [
        "浙江省/温州市",
        "浙江省/温州市/瑞安市",
        "浙江省/温州市/瑞安市/安阳街道",
        "浙江省/温州市/瑞安市二",
    ]
    assert len(select(SMALL, "浙江省")) == 5


def test_select_by_unique_suffix() -> None:
    assert _paths(select(SMALL, "瑞安市")) == ["浙江省/温州市/瑞安市", "浙江省/温州市/瑞安市/安阳街道"]
    assert _paths(select(SMALL, "温州市/瑞安市")) == ["浙江省/温州市/瑞安市", "浙江省/温州市/瑞安市/安阳街道"]
    assert _paths(select(SMALL, " 江宁区/ ")) == ["江苏省/南京市/江宁区"]
    # a path that is only a parent of registered regions selects them
    assert _paths(select(SMALL, "辽宁省/朝阳市")) == ["辽宁省/朝阳市/朝阳区"]


def test_select_unknown_and_ambiguous() -> None:
    with pytest.raises(RegistryError, match=r"unknown region '温州'; try `python -m crawler regions`") as info:
        select(SMALL, "温州")
    assert info.value.reason == "registry/unknown_region"
    assert isinstance(info.value, ReportError)
    with pytest.raises(RegistryError, match="ambiguous") as info:
        select(SMALL, "朝阳区")
    assert info.value.reason == "registry/ambiguous_region"
    assert "北京市/朝阳区" in str(info.value) and "辽宁省/朝阳市/朝阳区" in str(info.value)


def test_select_empty_query_selects_all() -> None:
    assert select(SMALL, "") == SMALL


def test_select_on_the_shipped_registry(regions: list[Region]) -> None:
    assert _paths(select(regions, "洪泽区")) == ["江苏省/淮安市/洪泽区"]
    assert set(_paths(select(regions, "江苏省"))) >= {"江苏省", "江苏省/南京市/江宁区", "江苏省/宿迁市"}
    assert all(r.path.startswith("重庆市") for r in select(regions, "重庆市"))
    with pytest.raises(RegistryError, match="unknown region"):
        select(regions, "火星省")


# --------------------------------------------------------------------------- region_of_url


def test_region_of_url_by_host() -> None:
    found = region_of_url(SMALL, "http://www.ruian.gov.cn/art/2021/1/1/art_1_2.html")
    assert found is not None and found.path == "浙江省/温州市/瑞安市"  # the shallowest region on the host
    found = region_of_url(SMALL, "https://ruian.gov.cn/")  # www. and scheme ignored
    assert found is not None and found.path == "浙江省/温州市/瑞安市"
    assert region_of_url(SMALL, "https://www.example.com/") is None
    assert region_of_url(SMALL, "not a url") is None


def test_region_of_url_prefers_the_longest_report_column() -> None:
    district = "https://www.nanjing.gov.cn/zzb/zfxxgk/zfxxgknb/gqzf_72697/jnqrmzf/202402/t20240205_4164669.html"
    found = region_of_url(SMALL, district)
    assert found is not None and found.path == "江苏省/南京市/江宁区"
    found = region_of_url(SMALL, "https://www.nanjing.gov.cn/zzb/zfxxgk/zfxxgknb/202401/t1.html")
    assert found is not None and found.path == "江苏省/南京市"
    found = region_of_url(SMALL, "https://www.nanjing.gov.cn/news/index.html")
    assert found is not None and found.path == "江苏省/南京市"


def test_region_of_url_falls_back_to_the_parent_domain() -> None:
    found = region_of_url(SMALL, "http://fgw.nanjing.gov.cn/a.html")
    assert found is not None and found.path == "江苏省/南京市"
    found = region_of_url(SMALL, "http://ruian2.gov.cn/")  # the registered host is x.ruian2.gov.cn: no match upwards
    assert found is None


def test_region_of_url_on_the_shipped_registry(regions: list[Region]) -> None:
    cases = {
        "http://zp.gov.cn/bm/zfb/zfxxgknb/202201/t20220128_1870138.htm": "福建省/龙岩市/漳平市",
        "https://csglw.beijing.gov.cn/zwxx/zfxxgk/zfxxgknb/202301/t20230117_2902907.html": "北京市",
        "https://www.beijing.gov.cn/gate/big5/www.beijing.gov.cn/gongkai/zfxxgk/gknb/": "北京市",
        "https://www.lg.gov.cn/xxgk/xxgknb/qzfgzbm/content/post_11956962.html": "广东省/深圳市/龙岗区",
        "https://suqian.gov.cn/cnsq/gknb/201503/0f235d56ca894d5d9a95a53676d05733.shtml": "江苏省/宿迁市",
        "http://122.137.242.24:8080/pub/slsxxgkw/gzbm/cyqrmzfbgs_7432/ndbg/201708/t20170809_257176.html": "吉林省/吉林市/舒兰市",
        "https://www.nanjing.gov.cn/zzb/zfxxgk/zfxxgknb/gqzf_72697/jnqrmzf/202402/t20240205_4164669.html": "江苏省/南京市/江宁区",
        "https://www.mva.gov.cn/gongkai/zfxxgkpt/zfxxgknb/": "国务院部门/退役军人事务部",
    }
    for url, path in cases.items():
        found = region_of_url(regions, url)
        assert found is not None and found.path == path, url
    assert region_of_url(regions, "https://www.haose21.com/gov/copy.html") is None


# --------------------------------------------------------------------------- malformed files


def _write(tmp_path: Path, doc: Any) -> Path:
    path = tmp_path / "regions.json"
    path.write_text(doc if isinstance(doc, str) else json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    return path


def _good_region() -> dict[str, Any]:
    return {
        "path": "江苏省/淮安市/洪泽区",
        "province": "江苏省",
        "city": "淮安市",
        "county": "洪泽区",
        "level": "county",
        "portals": [{"name": "淮安市洪泽区人民政府", "url": "http://www.hongze.gov.cn/", "family": None, "report_columns": []}],
    }


def test_a_minimal_file_loads(tmp_path: Path) -> None:
    (region,) = load_registry(_write(tmp_path, {"schema": 1, "regions": [_good_region()]}))
    assert region == Region(
        "江苏省/淮安市/洪泽区",
        "江苏省",
        "淮安市",
        "洪泽区",
        "county",
        (Portal("淮安市洪泽区人民政府", "http://www.hongze.gov.cn/", None, ()),),
        code="320813",
    )


def _mutated(**changes: Any) -> dict[str, Any]:
    region = _good_region()
    portal_changes = changes.pop("portal", {})
    region.update(changes)
    if portal_changes:
        region["portals"][0].update(portal_changes)
    return region


@pytest.mark.parametrize(
    ("doc", "message"),
    [
        ("{not json", "not valid JSON"),
        ([], "top level must be an object"),
        ({"schema": 2, "regions": []}, "'schema' must be 1"),
        ({"schema": 1, "regions": {}}, "'regions' must be a list"),
        ({"schema": 1, "regions": [], "extra": 1}, "unknown top-level keys"),
        ({"schema": 1, "regions": ["x"]}, "must be an object"),
        ({"schema": 1, "regions": [_mutated(level="town")]}, "'level' must be one of"),
        ({"schema": 1, "regions": [_mutated(path="江苏省/淮安市/清江浦区")]}, "path does not match"),
        ({"schema": 1, "regions": [_mutated(level="city")]}, "do not fit level 'city'"),
        ({"schema": 1, "regions": [_mutated(portals=[])]}, "'portals' must be a non-empty list"),
        ({"schema": 1, "regions": [_mutated(portal={"url": "www.hongze.gov.cn"})]}, "absolute http"),
        ({"schema": 1, "regions": [_mutated(portal={"url": "ftp://www.hongze.gov.cn/"})]}, "absolute http"),
        ({"schema": 1, "regions": [_mutated(portal={"report_columns": ["/zfxxgknb/"]})]}, r"report_columns\[0\]"),
        ({"schema": 1, "regions": [_mutated(portal={"family": "wordpress"})]}, "'family' must be null or one of"),
        ({"schema": 1, "regions": [_mutated(portal={"demo": "yes"})]}, "'demo' must be true or false"),
        ({"schema": 1, "regions": [_mutated(portal={"report_column": []})]}, "unknown keys"),
        ({"schema": 1, "regions": [_good_region(), _good_region()]}, "duplicate path"),
        ({"schema": 1, "regions": [{"path": "江苏省"}]}, "missing keys"),
        (
            {"schema": 1, "regions": [_mutated(path="国务院部门", province=None, city=None, county=None, level="national")]},
            "national region",
        ),
    ],
)
def test_malformed_files_raise_registry_error(tmp_path: Path, doc: Any, message: str) -> None:
    with pytest.raises(RegistryError, match=message) as info:
        load_registry(_write(tmp_path, doc))
    assert info.value.reason.startswith("registry/")


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(RegistryError, match="does not exist") as info:
        load_registry(tmp_path / "nope.json")
    assert info.value.reason == "registry/missing"
