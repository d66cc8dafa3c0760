"""What discovery reads from portal pages: site facts, site lists, one key per site, the host's kind."""

from __future__ import annotations

import pytest

from crawler.registry.sites import canonical_root, host_kind, organ_name, page_facts, site_key, site_list_links, unmirror

# The shape of a provincial portal's footer and jump boxes as TRS / Hanweb templates print them
PORTAL = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>首页_江苏省人民政府</title>
<meta name="SiteName" content="江苏省人民政府"><meta name="SiteIDCode" content="3200000003"></head><body>
<div class="nav"><a href="/col/col31359/index.html">政务公开</a><a href="http://www.gov.cn/">中国政府网</a></div>
<div class="links"><span>相关链接</span>
 <select onchange="window.open(this.options[this.selectedIndex].value)">
  <option value="">设区市政府网站</option>
  <option value="http://www.nanjing.gov.cn/">南京市</option>
  <option value="https://www.huaian.gov.cn/">淮安市</option>
  <option value="javascript:void(0)">更多</option>
 </select>
 <select><option>省级部门网站</option><option value="http://jyt.jiangsu.gov.cn/">省教育厅</option></select>
</div>
<div class="bm"><h3>县区网站</h3><ul><li><a href="//www.hongze.gov.cn/" target="_blank">洪泽区</a></li>
 <li><a href="http://www.xuyi.gov.cn/">盱眙县</a></li></ul></div>
<div class="news"><h3>要闻</h3><ul><li><a href="http://www.xinhuanet.com/a.html">新华网报道</a></li></ul></div>
<div class="footer"><p>主办单位：江苏省人民政府办公厅　网站标识码：3200000003　苏ICP备05009316号-1</p>
<p><a href="http://www.beian.gov.cn/">苏公网安备 32010202010013号</a></p></div></body></html>"""


def test_page_facts_of_a_portal() -> None:
    facts = page_facts(PORTAL)
    assert facts.organ == "江苏省人民政府"
    assert facts.site_id == "3200000003"
    assert facts.icp == "苏ICP备05009316号-1"


def test_site_id_from_the_meta_when_the_footer_has_none() -> None:
    page = '<html><head><title>淮安市教育局</title><meta name="SiteIDCode" content="3208000021"></head><body>x</body></html>'
    assert page_facts(page).site_id == "3208000021"
    assert page_facts("<html><body>政府网站标识码：bm01000001</body></html>").site_id == "bm01000001"
    assert page_facts("<html><body>网站标识码：12345</body></html>").site_id is None  # not 10 characters
    assert page_facts("").site_id is None


@pytest.mark.parametrize(
    ("title", "organ"),
    [
        ("首页_淮安市人民政府", "淮安市人民政府"),
        ("淮安市教育局 - 首页", "淮安市教育局"),
        ("洪泽县人民政府门户网站", "洪泽县人民政府"),
        ("中华人民共和国中央人民政府", "中华人民共和国中央人民政府"),
        ("首页", None),
    ],
)
def test_organ_from_titles(title: str, organ: str | None) -> None:
    assert organ_name(title) == organ


def test_site_lists_from_select_boxes_and_headed_blocks() -> None:
    links = site_list_links(PORTAL, "https://www.jiangsu.gov.cn/")
    urls = [link.url for link in links]
    assert urls == [
        "http://www.nanjing.gov.cn/",
        "https://www.huaian.gov.cn/",
        "http://jyt.jiangsu.gov.cn/",
        "https://www.hongze.gov.cn/",  # scheme-relative: the page's scheme
        "http://www.xuyi.gov.cn/",
    ]
    by_url = {link.url: link for link in links}
    assert by_url["https://www.huaian.gov.cn/"].text == "淮安市"
    assert by_url["https://www.huaian.gov.cn/"].heading == "设区市政府网站"
    assert by_url["http://www.xuyi.gov.cn/"].heading == "县区网站"
    # news links and navigation are not site lists
    assert not any("xinhuanet" in u or u == "http://www.gov.cn/" for u in urls)


def test_a_page_without_lists_or_html() -> None:
    assert site_list_links("<html><body><p>无</p></body></html>", "http://a.gov.cn/") == []
    assert site_list_links("", "http://a.gov.cn/") == []
    assert site_list_links("<<<>>>", "http://a.gov.cn/") == []


def test_one_key_per_site_whatever_the_spelling() -> None:
    same = [
        "http://www.huaian.gov.cn/",
        "https://huaian.gov.cn/index.html",
        "HTTPS://WWW.HUAIAN.GOV.CN:443/col/1.html",
        "http://www.huaian.gov.cn/gate/big5/www.huaian.gov.cn/index.html",
    ]
    assert {site_key(u) for u in same} == {"huaian.gov.cn"}
    assert site_key("http://127.0.0.5:8080/") == "127.0.0.5:8080"
    assert site_key("http://127.0.0.5:8080/") != site_key("http://127.0.0.5:8081/")
    assert site_key("http://jyt.jiangsu.gov.cn/") != site_key("http://www.jiangsu.gov.cn/")


def test_big5_mirror_undone() -> None:
    mirror = "http://www.beijing.gov.cn/gate/big5/www.beijing.gov.cn/gongkai/zfxxgk/gknb/"
    assert unmirror(mirror) == "http://www.beijing.gov.cn/gongkai/zfxxgk/gknb/"
    assert canonical_root(mirror) == "http://www.beijing.gov.cn/"
    assert unmirror("http://www.beijing.gov.cn/gongkai/") == "http://www.beijing.gov.cn/gongkai/"


def test_host_kinds() -> None:
    assert host_kind("https://www.jiangsu.gov.cn/") == "gov"
    assert host_kind("http://gov.cn/") == "gov"
    assert host_kind("http://122.137.242.24:8080/pub/") == "ip"
    assert host_kind("http://www.haose21.com/gov/copy.html") == "other"
    assert host_kind("http://gov.cn.example.com/") == "other"
    assert host_kind("http://www.fakegov.cn/") == "other"
