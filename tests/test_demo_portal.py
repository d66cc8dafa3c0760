"""The demo portal answers like the real portals it imitates (plain urllib, no Scrapy)."""

from __future__ import annotations

import gzip
import hashlib
import json
import re
import urllib.error
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest

from crawler.demo.portal import DemoPortal, accepts_gzip

FIXTURES = Path(__file__).resolve().parent / "eval" / "fixtures"
ITEM = re.compile(r'<li><a href="([^"]+)" target="_blank"')  # a list item (the nav has no target)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        return None


_OPENER = urllib.request.build_opener(_NoRedirect)


def fetch(url: str, headers: dict[str, str] | None = None, data: bytes | None = None, method: str | None = None):
    """(status, headers, body) for any status; no redirects followed, no decoding."""
    request = urllib.request.Request(url, data=data, headers=headers or {}, method=method)
    try:
        with _OPENER.open(request, timeout=10) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as exc:
        with exc:
            return exc.code, exc.headers, exc.read()


@pytest.fixture(scope="module")
def portal() -> Iterator[DemoPortal]:
    with DemoPortal() as p:
        yield p


@pytest.fixture
def fresh() -> Iterator[DemoPortal]:
    """A portal of its own, for tests that change state (flaky counters, publishing)."""
    with DemoPortal() as p:
        yield p


def text(body: bytes) -> str:
    return body.decode("utf-8")


def trs_list_html(portal: DemoPortal) -> str:
    return "".join(text(fetch(u)[2]) for u in portal.expected()["list_urls"]["trs"])


def test_expected_keys(portal: DemoPortal) -> None:
    expected = portal.expected()
    for key in (
        "base_url",
        "offsite_url",
        "reports",
        "report_page_urls",
        "attachment_urls",
        "decoy_urls",
        "robots_forbidden_urls",
        "flaky_url",
        "js_only_report_urls",
        "api_only_report_urls",
        "not_found_urls",
    ):
        assert expected[key], key
    assert expected["base_url"] == portal.base_url and portal.base_url.startswith("http://127.0.0.1:")
    assert portal.offsite_url != portal.base_url


def test_robots_txt(portal: DemoPortal) -> None:
    status, headers, body = fetch(portal.base_url + "robots.txt")
    assert status == 200 and headers["Content-Type"].startswith("text/plain")
    assert body.decode() == "User-agent: *\nDisallow: /private/\n"
    assert all("/private/" in u for u in portal.expected()["robots_forbidden_urls"])


def test_home_page_links(portal: DemoPortal) -> None:
    page = text(fetch(portal.base_url)[2])
    for name in ("首页", "政务公开", "新闻中心", "政府信息公开", "互动交流"):
        assert f">{name}</a>" in page
    assert 'href="/zfxxgk/"' in page
    assert f'href="{portal.offsite_url}"' in page and "省人民政府" in page
    assert all(urllib.parse.urlsplit(u).path in page for u in portal.expected()["news_urls"])


def test_zfxxgk_column_links_every_family(portal: DemoPortal) -> None:
    page = text(fetch(portal.base_url + "zfxxgk/")[2])
    for href in ("/zfxxgk/zfxxgknb/index.html", "/col/col1229001/index.html", "/gkmlpt/index#721", "/bmxxgk/nb/index.html"):
        assert f'href="{href}"' in page
    assert "政府信息公开年报" in page and "政府信息公开指南" in page


def test_directory_without_slash_redirects(portal: DemoPortal) -> None:
    status, headers, _ = fetch(portal.base_url + "zfxxgk")
    assert status == 301 and headers["Location"] == "/zfxxgk/"


def test_trs_list_paginates_only_through_create_page_html(portal: DemoPortal) -> None:
    first = text(fetch(portal.base_url + "zfxxgk/zfxxgknb/index.html")[2])
    assert '<script>var countPage = 3; createPageHTML(countPage, 0, "index", "html");</script>' in first
    assert "index_1.html" not in first and "下一页" not in first
    assert '<script src="/js/page.js"></script>' in first
    assert "function createPageHTML" in text(fetch(portal.base_url + "js/page.js")[2])
    assert 'createPageHTML(countPage, 2, "index", "html")' in text(fetch(portal.base_url + "zfxxgk/zfxxgknb/index_2.html")[2])
    assert fetch(portal.base_url + "zfxxgk/zfxxgknb/index_3.html")[0] == 404
    assert len(ITEM.findall(first)) == 5


def test_trs_list_holds_reports_decoys_private_and_dead_links(portal: DemoPortal) -> None:
    expected = portal.expected()
    pages = trs_list_html(portal)
    hrefs = set(ITEM.findall(pages))
    base = expected["base_url"] + "zfxxgk/zfxxgknb/index.html"
    resolved = {urllib.parse.urljoin(base, h) for h in hrefs}
    trs = [r["page_url"] for r in expected["reports"] if r["family"] == "trs"]
    assert set(trs) <= resolved
    assert set(expected["decoy_urls"]) <= resolved and len(expected["decoy_urls"]) == 3
    assert expected["robots_forbidden_urls"][0] in resolved
    assert expected["not_found_urls"][0] in resolved
    for title in (
        "示范县2023年政务公开工作要点",
        "示范县人民政府2022年法治政府建设年度报告",
        "关于做好2022年度政府信息公开工作年度报告编制发布工作的通知",
    ):
        assert title in pages


def test_decoys_are_ordinary_notices(portal: DemoPortal) -> None:
    for url in portal.expected()["decoy_urls"]:
        status, _, body = fetch(url)
        assert status == 200 and "<table" not in text(body).split('class="TRS_Editor"')[1]


def test_dead_links(portal: DemoPortal) -> None:
    expected = portal.expected()
    assert all(fetch(u)[0] == 404 for u in expected["not_found_urls"] + expected["dead_link_urls"])
    status, _, body = fetch(expected["deleted_urls"][0])
    assert status == 200 and 'http-equiv="refresh"' in text(body)


def test_report_pages_carry_standard_meta_and_trs_editor(portal: DemoPortal) -> None:
    for report in portal.expected()["reports"]:
        if report["family"] == "offsite" or "body_is_report" in report["flags"] or "flaky" in report["flags"]:
            continue
        status, _, body = fetch(report["page_url"])
        page = text(body)
        assert status == 200, report["page_url"]
        assert f'<meta name="ArticleTitle" content="{report["title"]}">' in page
        assert '<meta name="PubDate" content="' + report["published_date"] in page
        assert '<meta name="ContentSource"' in page


def test_gbk_page_is_served_byte_for_byte_without_charset(portal: DemoPortal) -> None:
    report = next(r for r in portal.expected()["reports"] if r["source"] == "gov2021_gbk.html")
    status, headers, body = fetch(report["page_url"])
    assert status == 200 and headers["Content-Type"] == "text/html"
    assert body == (FIXTURES / "gov2021_gbk.html").read_bytes()
    assert report["title"] in body.decode("gb18030")
    with pytest.raises(UnicodeDecodeError):
        body.decode("utf-8")


def test_traditional_and_pre2019_pages(portal: DemoPortal) -> None:
    reports = {r["source"]: r for r in portal.expected()["reports"]}
    for name in ("gov2019_big5style.html", "pre2019_report.html"):
        assert fetch(reports[name]["page_url"])[2] == (FIXTURES / name).read_bytes()
    assert reports["pre2019_report.html"]["year"] == 2017


def test_attachments_of_one_report_pdf_and_octet_stream_docx(portal: DemoPortal) -> None:
    report = next(r for r in portal.expected()["reports"] if r["source"] == "gov2021_merged.pdf")
    page = text(fetch(report["page_url"])[2])
    assert "详见附件" in page
    pdf_url, docx_url = report["attachment_urls"]
    assert re.search(r"/P0202301\d+\.pdf$", pdf_url) and re.search(r"/P0202301\d+\.docx$", docx_url)
    for url in (pdf_url, docx_url):
        assert f'href="./{url.rsplit("/", 1)[1]}"' in page
    status, headers, body = fetch(pdf_url)
    assert status == 200 and headers["Content-Type"] == "application/pdf"
    assert body == (FIXTURES / "gov2021_merged.pdf").read_bytes()
    status, headers, body = fetch(docx_url, {"Accept-Encoding": "gzip"})
    assert headers["Content-Type"] == "application/octet-stream" and "Content-Encoding" not in headers
    assert headers["Content-Disposition"].startswith("attachment;")
    assert body == (FIXTURES / "gov2021_merged.docx").read_bytes()


def test_inconsistent_docx_with_corrupt_pdf(portal: DemoPortal) -> None:
    expected = portal.expected()
    report = next(r for r in expected["reports"] if r["source"] == "gov2021_inconsistent.docx")
    docx_url, pdf_url = report["attachment_urls"]
    assert fetch(docx_url)[2] == (FIXTURES / "gov2021_inconsistent.docx").read_bytes()
    assert expected["corrupt_attachment_urls"] == [pdf_url]
    status, headers, body = fetch(pdf_url)
    assert status == 200 and headers["Content-Type"] == "application/pdf"
    assert body.startswith(b"%PDF") and b"%%EOF" not in body and len(body) < 200


def test_flaky_page_fails_twice_then_answers(fresh: DemoPortal) -> None:
    url = fresh.expected()["flaky_url"]
    assert [fetch(url)[0] for _ in range(4)] == [500, 500, 200, 200]
    path = urllib.parse.urlsplit(url).path
    assert fresh.hits[path] == 4


def test_conditional_requests_on_reports_and_attachments(portal: DemoPortal) -> None:
    expected = portal.expected()
    for url in (expected["report_page_urls"][0], expected["attachment_urls"][0]):
        status, headers, body = fetch(url)
        assert headers["ETag"] == '"' + hashlib.sha1(body).hexdigest() + '"'
        last_modified = headers["Last-Modified"]
        status, headers, body = fetch(url, {"If-None-Match": headers["ETag"]})
        assert status == 304 and body == b""
        assert fetch(url, {"If-None-Match": '"other"'})[0] == 200
        assert fetch(url, {"If-Modified-Since": last_modified})[0] == 304
        assert fetch(url, {"If-Modified-Since": "Sun, 06 Nov 1994 08:49:37 GMT"})[0] == 200


def test_list_pages_have_no_validators(portal: DemoPortal) -> None:
    for url in portal.expected()["list_urls"]["trs"] + [portal.base_url]:
        _, headers, _ = fetch(url)
        assert "ETag" not in headers and "Last-Modified" not in headers


def test_gzip_only_when_accepted(portal: DemoPortal) -> None:
    url = portal.expected()["report_page_urls"][0]
    _, plain_headers, plain = fetch(url)
    assert "Content-Encoding" not in plain_headers
    _, headers, body = fetch(url, {"Accept-Encoding": "gzip, deflate"})
    assert headers["Content-Encoding"] == "gzip" and "Accept-Encoding" in headers["Vary"]
    assert gzip.decompress(body) == plain and int(headers["Content-Length"]) == len(body)
    assert fetch(url, {"Accept-Encoding": "gzip, deflate"})[2] == body  # deterministic bytes
    assert "Content-Encoding" not in fetch(url, {"Accept-Encoding": "gzip;q=0"})[1]


def test_accepts_gzip() -> None:
    assert accepts_gzip("br, gzip;q=0.5") and not accepts_gzip(None) and not accepts_gzip("x-gzip;q=0, br")


def test_hanweb_column_inlines_first_records_only(portal: DemoPortal) -> None:
    expected = portal.expected()
    page = text(fetch(expected["list_urls"]["hanweb"])[2])
    assert '<div id="1229001"><script type="text/xml"><datastore>' in page
    assert '<nextgroup><![CDATA[<a href="/module/web/jpage/dataproxy.jsp?page=1&appid=1&webid=1&path=/&columnid=1229001' in page
    assert len(re.findall(r"<record>", page)) == 3
    api_only = expected["api_only_report_urls"]
    assert api_only and not any(urllib.parse.urlsplit(u).path in page for u in api_only)


def test_hanweb_dataproxy_lists_records_beyond_the_inline_ones(portal: DemoPortal) -> None:
    expected = portal.expected()
    form = "col=1&appid=1&webid=1&path=/&columnid=1229001&unitid=4001&webname=%E7%A4%BA%E8%8C%83&permissiontype=0"
    url = expected["api_urls"]["hanweb_dataproxy"] + "?startrecord=4&endrecord=6&perpage=3"
    status, headers, body = fetch(url, {"Content-Type": "application/x-www-form-urlencoded"}, form.encode(), "POST")
    assert status == 200 and headers["Content-Type"].startswith("text/xml")
    root = ET.fromstring(body)
    assert root.findtext("totalrecord") == "6" and root.findtext("totalpage") == "2"
    records = [r.text or "" for r in root.iter("record")]
    hrefs = [re.search(r'href="([^"]+)"', r).group(1) for r in records]  # type: ignore[union-attr]
    assert [portal.base_url.rstrip("/") + h for h in hrefs] == expected["api_only_report_urls"]
    assert all(re.fullmatch(r"/art/\d{4}/\d{1,2}/\d{1,2}/art_1229001_\d+\.html", h) for h in hrefs)
    assert all(fetch(u)[0] == 200 for u in expected["api_only_report_urls"])
    empty = ET.fromstring(fetch(expected["api_urls"]["hanweb_dataproxy"], data=b"columnid=1", method="POST")[2])
    assert empty.findtext("totalrecord") == "0"


def test_gkmlpt_shell_and_json_api(portal: DemoPortal) -> None:
    expected = portal.expected()
    shell = text(fetch(expected["list_urls"]["gkmlpt"])[2])
    assert "SID: 'demo0001'" in shell and 'href="/gkmlpt/index#721"' in shell and "post_" not in shell
    status, headers, body = fetch(portal.base_url + "gkmlpt/api/all/721?page=1&sid=demo0001")
    assert status == 200 and headers["Content-Type"].startswith("application/json")
    data = json.loads(body)
    assert data["total"] == 3 and data["page"] == 1
    urls = [a["url"] for a in data["articles"]]
    gk = [r for r in expected["reports"] if r["family"] == "gkmlpt"]
    assert sorted(urls) == sorted(r["page_url"] for r in gk)
    assert all(
        re.search(r"/gkmlpt/content/0/\d+/post_\d+\.html$", u) and isinstance(a["first_publish_time"], int)
        for u, a in zip(urls, data["articles"])
    )
    assert json.loads(fetch(portal.base_url + "gkmlpt/api/all/721?page=2&sid=demo0001")[2])["articles"] == []
    assert fetch(portal.base_url + "gkmlpt/api/all/721?page=1&sid=wrong")[0] == 403
    with_pdf = next(r for r in gk if r["attachment_urls"])
    assert with_pdf["attachment_urls"][0].endswith("/attachment/0/88/88389/963149.pdf")
    assert "/attachment/0/88/88389/963149.pdf" in text(fetch(with_pdf["page_url"])[2])
    assert fetch(with_pdf["attachment_urls"][0])[2] == (FIXTURES / "gov2019_merged.pdf").read_bytes()


def test_js_only_list_has_no_report_links_in_its_html(portal: DemoPortal) -> None:
    expected = portal.expected()
    page = text(fetch(expected["js_only_list_url"])[2])
    assert '<ul id="list" class="list"></ul>' in page and "list.json" in page
    listing = text(fetch(expected["api_urls"]["js_list"])[2])
    assert len(expected["js_only_report_urls"]) == 2
    for url in expected["js_only_report_urls"]:
        path = urllib.parse.urlsplit(url).path
        assert path not in page and path not in listing and path.rsplit("/", 1)[1] not in page
        assert fetch(url)[0] == 200
    assert "<li>" not in page.split('id="list"')[1].split("</ul>")[0]


def test_hits_and_requests_log(fresh: DemoPortal) -> None:
    fetch(fresh.base_url + "robots.txt", {"User-Agent": "demo-test"})
    fetch(fresh.base_url + "robots.txt")
    fetch(fresh.base_url + "gkmlpt/api/all/721?page=1&sid=demo0001")
    fetch(fresh.offsite_url)
    assert fresh.hits["/robots.txt"] == 2
    assert fresh.hits["/gkmlpt/api/all/721?page=1&sid=demo0001"] == 1
    assert fresh.hits["offsite:/"] == 1
    first = fresh.requests_log[0]
    assert first["method"] == "GET" and first["path"] == "/robots.txt" and first["headers"]["User-Agent"] == "demo-test"


def test_offsite_server_is_another_host_with_a_report(portal: DemoPortal) -> None:
    expected = portal.expected()
    assert urllib.parse.urlsplit(expected["offsite_url"]).port != urllib.parse.urlsplit(expected["base_url"]).port
    home = text(fetch(expected["offsite_url"])[2])
    assert "政府信息公开年报" in home
    assert all(fetch(u)[0] == 200 for u in expected["offsite_urls"])


def test_publish_new_report_appears_on_top_of_page_zero(fresh: DemoPortal) -> None:
    before = text(fetch(fresh.base_url + "zfxxgk/zfxxgknb/index.html")[2])
    url = fresh.publish_new_report()
    after = text(fetch(fresh.base_url + "zfxxgk/zfxxgknb/index.html")[2])
    first_href = ITEM.findall(after)[0]
    assert (
        urllib.parse.urljoin(fresh.base_url + "zfxxgk/zfxxgknb/index.html", first_href) == url
        and url.rsplit("/", 1)[1] not in before
    )
    status, _, body = fetch(url)
    assert status == 200 and "2024年政府信息公开工作年度报告" in text(body)
    second = fresh.publish_new_report()
    assert "2025年" in text(fetch(second)[2]) and second != url
    assert fresh.expected()["published_urls"] == [url, second] and url in fresh.expected()["report_page_urls"]


def test_extra_list_pages_add_filler_pages() -> None:
    with DemoPortal(extra_list_pages=40) as portal:
        expected = portal.expected()
        assert len(expected["list_urls"]["trs"]) == 43 and expected["filler_count"] == 200
        last = text(fetch(expected["list_urls"]["trs"][-1])[2])
        assert "var countPage = 43;" in last
        hrefs = ITEM.findall(last)
        assert hrefs
        filler = urllib.parse.urljoin(expected["list_urls"]["trs"][-1], hrefs[-1])
        status, headers, body = fetch(filler)
        assert status == 200 and "年度报告" not in text(body).split('class="TRS_Editor"')[1] and "ETag" in headers
        assert fetch(re.sub(r"_\d+\.html$", "_100999.html", filler))[0] == 404


def test_every_reachable_report_page_answers(portal: DemoPortal) -> None:
    expected = portal.expected()
    for url in expected["report_page_urls"] + expected["attachment_urls"]:
        statuses = [fetch(url)[0] for _ in range(3)]
        assert 200 in statuses, url


def test_static_pages_refuse_post(portal: DemoPortal) -> None:
    assert fetch(portal.base_url + "zfxxgk/", data=b"x=1", method="POST")[0] == 405
    assert fetch(portal.base_url + "zfxxgk/zfxxgknb/index.html", method="HEAD")[2] == b""
