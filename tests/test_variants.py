"""Layout variants found by an adversarial review: each once parsed wrong, now pinned.

The documents in tests/data/variants were generated for the review (portal-like HTML,
and PDFs printed by LibreOffice from Word tables that break across pages); every table
三 among them prints the numbers in t3_values.json.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from crawler.core.errors import NotAReportError
from crawler.core.report import process
from crawler.core.resource import FetchedResource

DATA = Path(__file__).parent / "data" / "variants"
T3 = json.loads((DATA / "t3_values.json").read_text("utf-8"))


def parse(name: str) -> dict:
    return process(FetchedResource.from_path(DATA / name))


@pytest.mark.parametrize(
    "name",
    [
        "v35_pdf_norepeat_wide.pdf",  # a Word table broken over a page: the second part is one column wider
        "v34_pdf_repeat_header_wide.pdf",  # the same with the header repeated on the next page
        "v04_t3_split_header_repeated.html",  # two <table>s, the second repeating the header, rows not aligned to it
        "v04d_t3_split_no_header_narrow.html",  # two <table>s, the second narrower and without a header
        "v01b_t3_subtotal_xiaoji.html",  # 小计 rows under each category
    ],
)
def test_table_three_split_or_subtotalled(name):
    record = parse(name)
    rows = record["requests"]["rows"]
    for key, values in T3.items():
        assert rows.get(key) == values, key
    assert not [c for c in record["failed_checks"] if c.startswith(("T3-1", "T3-2", "T3-3"))]
    kinds = {e["kind"] for e in record["requests"]["extra_rows"]}
    assert kinds <= {"subtotal"}, record["requests"]["extra_rows"]


def test_subtotal_rows_checked_not_counted():
    extras = parse("v01b_t3_subtotal_xiaoji.html")["requests"]["extra_rows"]
    assert [e["category"] for e in extras] == ["withheld", "unavailable", "not_processed", "other"]


def test_table_four_sparse_and_split():
    sparse = parse("v07d_t4_sparse_blank.html")["review_litigation"]
    assert sparse["review"] == {"upheld": 2, "corrected": None, "other": None, "pending": None, "total": 2}
    assert sparse["litigation_after_review"]["corrected"] == 1
    split = parse("v07e_t4_two_tables.html")["review_litigation"]
    assert split["litigation_direct"] == {"upheld": 2, "corrected": 1, "other": 1, "pending": 1, "total": 5}
    assert split["litigation_after_review"]["total"] == 8


def test_identity_variants():
    base = parse("v00_baseline.html")
    assert base["published_date"] == "2022-01-20"  # the signature, not the 统计期限 in the text
    dashed = parse("v12b_title_site_suffix_dash.html")
    assert dashed["title"] == "北京市朝阳区民政局2021年政府信息公开工作年度报告"
    assert dashed["region"] == {"province": "北京市", "city": "北京市", "county": "朝阳区", "code": "110105"}
    assert parse("v14b_year_text_2019_tiaoli.html")["year"] == 2021  # not 根据2019年修订的《条例》
    shanghai = parse("v18_shanghai_numbering.html")
    assert shanghai["published_date"] == "2025-03-31"
    assert shanghai["region"] == {"province": "上海市", "city": "上海市", "county": None, "code": "310000"}
    assert len(shanghai["sections"]) == 6


def test_sections_around_tables_that_hold_headings():
    numbers = [s["number"] for s in parse("v11_all_tables_one_table.html")["sections"]]
    assert numbers[0] == "一" and numbers[-2:] == ["五", "六"]


def test_list_page_is_not_a_report():
    with pytest.raises(NotAReportError):
        parse("v17_list_page.html")
