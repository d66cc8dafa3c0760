"""What the demo portal holds, as plain data for tests: :func:`expected`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from crawler.demo import families

if TYPE_CHECKING:
    from crawler.demo.county import County
    from crawler.demo.documents import ReportEntry

NB = "/zfxxgk/zfxxgknb/"
# Families whose report pages a plain HTTP crawl can reach (no browser, no other host).
PLAIN_FAMILIES = ("trs", "hanweb", "gkmlpt", "paged")


def expected(county: County, reports: list[ReportEntry], published: list[str], count_page: int) -> dict[str, Any]:
    """The truth about *county* (with a snapshot of its mutable parts) as JSON-ready data."""
    base, off = county.base_url.rstrip("/"), county.offsite_url.rstrip("/")

    def url(entry: ReportEntry, path: str) -> str:
        return (off if entry.offsite else base) + path

    def pages(flag: str) -> list[str]:
        return [url(r, r.page) for r in reports if flag in r.flags]

    plain = [r for r in reports if r.family in PLAIN_FAMILIES and "robots_forbidden" not in r.flags]
    private = [r for r in reports if "robots_forbidden" in r.flags]
    return {
        "base_url": county.base_url,
        "offsite_url": county.offsite_url,
        "robots_txt": county.robots_txt,
        "reports": [
            {
                "page_url": url(r, r.page),
                "title": r.title,
                "agency": r.agency,
                "year": r.year,
                "published_date": r.published.isoformat(),
                "family": r.family,
                "source": r.source,
                "attachment_urls": [url(r, p) for p in r.attachments],
                "flags": sorted(r.flags),
            }
            for r in reports
        ],
        "report_page_urls": [url(r, r.page) for r in plain],
        "attachment_urls": [url(r, p) for r in plain for p in r.attachments],
        "corrupt_attachment_urls": [base + p for p in county.corrupt],
        "decoy_urls": [base + p for p in county.decoys],
        "not_found_urls": [base + p for p in county.not_found],
        "deleted_urls": [base + p for p in county.deleted],
        "dead_link_urls": [base + p for p in county.dead_links],
        "robots_forbidden_urls": [url(r, p) for r in private for p in (r.page, *r.attachments)],
        "offsite_urls": [off + "/", off + NB + "index.html"] + [url(r, r.page) for r in reports if r.offsite],
        "flaky_url": base + county.flaky_path,
        "api_only_report_urls": pages("api_only"),
        "js_only_list_url": base + families.JS_LIST_PATH,
        "js_only_report_urls": pages("js_only"),
        "list_urls": {
            "trs": [base + NB + ("index.html" if i == 0 else f"index_{i}.html") for i in range(count_page)],
            "hanweb": f"{base}/col/col{families.HANWEB_COLUMN}/index.html",
            "gkmlpt": base + "/gkmlpt/index",
            "js": base + families.JS_LIST_PATH,
        },
        "api_urls": {
            "hanweb_dataproxy": base + families.DATAPROXY_PATH,
            "gkmlpt": f"{base}/gkmlpt/api/all/721?page=1&sid={families.GKMLPT_SID}",
            "js_list": base + "/bmxxgk/nb/list.json",
        },
        "news_urls": [base + p for p in county.news],
        "published_urls": [base + p for p in published],
        "extra_list_pages": county.filler_count // county.per_page,
        "filler_count": county.filler_count,
        # the column chained only by next links (absent unless the portal was asked for it)
        "long_list": None
        if county.long_list is None
        else {
            "list_urls": [base + county.long_list.page_url(p) for p in range(county.long_list.pages)],
            "report_page_urls": [url(r, r.page) for r in reports if r.family == "paged"],
            "gap_pages": list(county.long_list.gap),
        },
    }
