"""Report tables published as pictures: the crawl fetches, archives and parses them with their page.

The demo portal's opt-in page (crawler/demo/pictures.py) prints table 三 as a PNG; the stored
record must carry that table's cells (read by OCR) under the page's identity, and a rebuild of
the WARCs must give the same record. One picture, one crawl: OCR takes tens of seconds.
"""

from __future__ import annotations

import json

import lxml.html
import pytest

from crawler.core.report import validate
from crawler.crawl import discovery
from crawler.demo.portal import DemoPortal
from tests.conftest import ROOT
from tests.test_crawl_e2e import FAST, cli, export, warc_records

SCANS = ROOT / "tests" / "eval" / "scans"


def _truth() -> dict:
    return next(e for e in json.loads((SCANS / "annotations.json").read_text("utf-8")) if e["path"].endswith("_img.html"))


# --- which pictures of a page are table candidates (the spider's and the rebuild's rule) ----------

PAGE = """<html><head><title>某县2022年政府信息公开工作年度报告_某县人民政府</title></head><body>
<div id="header"><a href="/"><img src="/images/top.jpg" width="1000" height="160"></a></div>
<div class="nav"><img src="/images/menu_bg.png"></div>
<div class="article"><div class="TRS_Editor">
<p>三、收到和处理政府信息公开申请情况</p>
<p><img src="./W020230118395127.png" width="100%" alt=""></p>
<p><img src="data:image/png;base64,iVBORw0KGgo=" alt="表四"></p>
<p><img src="/res/icon_pdf.gif"> <img src="../image/1.jpg" width="16" height="16"></p>
<p><img src="W020230118395128.jpg" title="表二 主动公开政府信息情况"></p>
<p><img src="./W020230118395127.png"></p>
<p class="tools"><a href="javascript:window.print()"><img src="/images/print.png"></a> <img src="/images/wx.png" alt="分享到微信"></p>
</div></div>
<div class="footer"><img src="/images/gaba.png"> <img src="/images/jiucuo.png"></div>
<img src="/images/ewm.jpg" alt="微信二维码">
</body></html>"""


def test_page_pictures_are_the_article_pictures_not_the_chrome():
    root = lxml.html.document_fromstring(PAGE)
    found = discovery.page_pictures(root, "http://www.x.gov.cn/zfxxgknb/202301/t20230118_1.html")
    assert found == [
        "http://www.x.gov.cn/zfxxgknb/202301/W020230118395127.png",
        "http://www.x.gov.cn/zfxxgknb/202301/W020230118395128.jpg",
    ]


def test_a_malformed_picture_address_costs_only_that_picture():
    html = '<html><body><p><img src="http://[::1/x.png"></p><p><img src="b.png"></p></body></html>'
    assert discovery.page_pictures(lxml.html.document_fromstring(html), "http://www.x.gov.cn/a/p.html") == [
        "http://www.x.gov.cn/a/b.png"
    ]


# --- crawl, archive, merge, rebuild ----------------------------------------------------------------


@pytest.fixture(scope="module")
def crawled(tmp_path_factory):
    portal = DemoPortal(table_picture=True).start()
    data = tmp_path_factory.mktemp("imgcrawl")
    try:
        run = cli("crawl", "--start-url", portal.base_url, "--data-dir", str(data), "--render", "never", *FAST, timeout=600)
        entry = next(r for r in portal.expected()["reports"] if "table_picture" in r["flags"])
        yield {"run": run, "data": data, "entry": entry, "hits": dict(portal.hits), "records": export(data)}
    finally:
        portal.stop()


def _record(records: list[dict], page_url: str) -> dict:
    mine = [r for r in records if r["page_url"] == page_url]
    assert len(mine) == 1, [r["page_url"] for r in records]
    return mine[0]


def test_the_picture_is_fetched_and_archived_but_not_the_chrome(crawled):
    assert crawled["run"].returncode == 0, crawled["run"].stderr[-3000:]
    (picture,) = crawled["entry"]["attachment_urls"]
    responses = [h for kind, h, _ in warc_records(crawled["data"]) if kind == "response"]
    assert picture in {h["WARC-Target-URI"] for h in responses}
    assert crawled["hits"].get("/images/sflogo.png", 0) == 0 and crawled["hits"].get("/images/sfewm.png", 0) == 0


def test_the_record_has_the_page_identity_and_the_pictures_table(crawled):
    entry, truth = crawled["entry"], _truth()
    record = _record(crawled["records"], entry["page_url"])
    validate(record)
    assert (record["title"], record["agency"], record["year"]) == (entry["title"], entry["agency"], entry["year"])
    assert record["published_date"] == entry["published_date"]
    roles = {s["url"]: (s["role"], s["outcome"]) for s in record["sources"]}
    assert roles[entry["attachment_urls"][0]] == ("image", "parsed")
    requests = record["requests"]
    assert requests is not None, record["warnings"]
    read = wrong = 0
    for key, want in truth["cells"].items():
        table, row, column = key.split("/")
        if table != "requests":
            continue
        got = requests["rows"][row][requests["columns"].index(column)]
        read += got is not None
        wrong += got is not None and got != want
    assert wrong == 0
    assert read >= 0.9 * sum(k.startswith("requests/") for k in truth["cells"])  # OCR may leave a few cells empty
    # tables 二 and 四 are the page's own <table>s
    assert record["proactive"]["licensing"]["decisions"] == truth["cells"]["proactive/licensing/decisions"]
    assert record["review_litigation"]["review"]["total"] == truth["cells"]["review_litigation/review/total"]
    assert "table 三 not found" not in record["warnings"]


def test_a_rebuild_of_the_warcs_gives_the_same_record(crawled, tmp_path):
    out = tmp_path / "rebuilt"
    proc = cli("rebuild", str(crawled["data"] / "warc"), "--data-dir", str(out), "--workers", "1", timeout=600)
    assert proc.returncode == 0, proc.stderr[-2000:]
    page = crawled["entry"]["page_url"]
    assert _record(export(out), page) == _record(crawled["records"], page)


# --- the merge, without OCR: a text-layer parse of the same report stands in for the picture's ------


def _doc(url: str, role: str, record: dict | None) -> dict:
    return {"url": url, "role": role, "record": record, "outcome": "parsed" if record else "not_report"}


def _picture_parse() -> dict:
    """What OCR of a table picture gives: table 三 and nothing that names the report."""
    from crawler.core.report import process
    from crawler.core.resource import FetchedResource

    docx = ROOT / "tests" / "eval" / "fixtures" / "gov2021_merged.docx"
    record = process(FetchedResource.from_path(docx, url="http://www.x.gov.cn/a/W0201.png"))
    record.update(title="", agency=None, year=None, published_date=None, proactive=None, review_litigation=None)
    record.update(source_format="image", sections=[], figures={})
    record["checks"] = [c for c in record["checks"] if c["rule"].startswith("T3")]
    return record


def _page_parse() -> dict:
    from crawler.core.report import process
    from crawler.core.resource import FetchedResource

    # the saved page read without its picture folder: its table 三 is missing
    return process(FetchedResource(body=(SCANS / "gov2021_merged_img.html").read_bytes(), url="http://www.x.gov.cn/a/p.html"))


def test_merge_takes_identity_from_the_page_and_table_three_from_the_picture():
    from crawler.core.merge import merge_group

    page, picture = _page_parse(), _picture_parse()
    assert page["requests"] is None and picture["requests"] is not None
    merged = merge_group(
        [_doc("http://www.x.gov.cn/a/p.html", "page", page), _doc("http://www.x.gov.cn/a/W0201.png", "image", picture)],
        "http://www.x.gov.cn/a/p.html",
    )
    assert merged is not None
    validate(merged)
    assert (merged["title"], merged["agency"], merged["year"]) == (page["title"], page["agency"], page["year"])
    assert merged["requests"] == picture["requests"] and merged["proactive"] == page["proactive"]
    assert merged["id"] != page["id"]  # the id is of the whole report now
    assert "table 三 not found" not in merged["warnings"] and "table 三 not found" in page["warnings"]
    assert any(c["rule"] == "T3-1" for c in merged["checks"])


def test_a_group_whose_only_parse_is_a_picture_still_gives_a_valid_record():
    from crawler.core.merge import merge_group

    picture = _picture_parse()
    merged = merge_group(
        [_doc("http://www.x.gov.cn/a/p.html", "page", None), _doc("http://www.x.gov.cn/a/W0201.png", "image", picture)],
        "http://www.x.gov.cn/a/p.html",
    )
    assert merged is not None and merged["requests"] == picture["requests"]
    validate(merged)
