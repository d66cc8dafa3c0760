"""Text-versus-table checks (TX-*): a finding keeps its numbers and says whose number each is."""

from __future__ import annotations

from typing import Any

import pytest

from crawler.core.parse.checks import narrative_checks
from crawler.core.parse.figures import find_figures
from tests.eval.gate import SHARED

HONGZE_2024 = SHARED / "corpus" / "hongze_2024.pdf"


def _requests(new: int, carried_over: int) -> dict[str, Any]:
    return {"rows": {"new": [new, 0, 0, 0, 0, 0, new], "carried_over": [carried_over, 0, 0, 0, 0, 0, carried_over]}}


def _tx(checks: list[dict[str, Any]], rule: str) -> dict[str, Any]:
    found = [c for c in checks if c["rule"] == rule]
    assert len(found) == 1, checks
    return found[0]


def test_tx1_names_the_texts_scope_beside_the_tables_number() -> None:
    found = find_figures(
        ["三、收到和处理政府信息公开申请情况", "2023年，区政府办公室共收到政府信息公开申请17件，均按期答复。"], year=2023
    )
    check = _tx(narrative_checks(found.values(), _requests(95, 0), None, scopes=found.scopes()), "TX-1")
    assert check["ok"] is False  # the finding stays
    assert check["detail"] == "text: 17 (区政府办公室); table 三 一、本年新收: 95 (the report's table)"


def test_tx1_without_a_stated_scope_gives_the_numbers_only() -> None:
    found = find_figures(["三、收到和处理政府信息公开申请情况", "全年共收到政府信息公开申请12件。"], year=2023)
    check = _tx(narrative_checks(found.values(), _requests(10, 2), None, scopes=found.scopes()), "TX-1")
    # 10 new + 2 carried over: the text counts both, which some reports do
    assert check["ok"] is True
    assert check["detail"] == "text: 12; table 三 一、本年新收: 10; 一+二: 12"


def test_tx4_and_tx5_show_both_numbers() -> None:
    review = {
        "review": {"upheld": 1, "corrected": 0, "other": 0, "pending": 0, "total": 1},
        "litigation_direct": {"upheld": 0, "corrected": 0, "other": 0, "pending": 0, "total": 0},
        "litigation_after_review": {"upheld": 0, "corrected": 0, "other": 0, "pending": 1, "total": 1},
    }
    found = find_figures(["四、政府信息公开行政复议、行政诉讼情况", "本年度，我局被申请行政复议2件，未发生行政诉讼。"], year=2022)
    checks = narrative_checks(found.values(), None, review, scopes=found.scopes())
    tx4, tx5 = _tx(checks, "TX-4"), _tx(checks, "TX-5")
    assert tx4["ok"] is False and tx4["detail"] == "text: 2 (我局); table 四 行政复议 总计: 1 (the report's table)"
    assert tx5["ok"] is False and tx5["detail"].startswith("text: 0") and tx5["detail"].endswith("0 + 1")


@pytest.mark.skipif(not HONGZE_2024.exists(), reason="../shared/corpus is absent")
def test_real_report_office_versus_district() -> None:
    from crawler.core.report import process
    from crawler.core.resource import FetchedResource

    record = process(FetchedResource(body=HONGZE_2024.read_bytes(), filename=HONGZE_2024.name))
    check = _tx(record["checks"], "TX-1")
    assert check["ok"] is False
    text_part, table_part = check["detail"].split("; ", 1)
    assert text_part.startswith("text: 17 (区政府办")
    assert table_part == "table 三 一、本年新收: 95 (the report's table)"
    assert "区政府办" in record["figure_evidence"]["requests_received"]["sentence"]
    assert record["figure_sources"]["requests_received"] == record["figure_evidence"]["requests_received"]["sentence"]
