"""Datasette metadata for the browse database: titles, facets, full-text search, column notes, canned queries."""

from __future__ import annotations

from typing import Any

from crawler.publish.browse.queries import CANNED

REPORT_COLUMNS_NOTES = {
    "replay_url": "the capture the record was parsed from, replayed by pywb (scripts/replay.sh)",
    "failed_checks": "failed checks as rule:scope (JSON array)",
    "failed_rules": "the rules that failed (JSON array; facet on it)",
    "region_path": "the registry region the crawl was started for",
    "warc_file": "the WARC file holding the response record (with warc_offset, warc_record_id)",
    "template": "2021, 2019 or pre2019, decided from the tables' layout",
}


def metadata(database: str = "browse") -> dict[str, Any]:
    return {
        "title": "govreports: 政府信息公开工作年度报告",
        "description": (
            "Reports crawled, archived and parsed by govreports. Read-only: a copy derived from the record store. "
            "Search is Chinese-aware (character bigrams)."
        ),
        "source": "govreports record store",
        "databases": {
            database: {
                "tables": {
                    "reports": {
                        "title": "Reports",
                        "description": "One row per report; replay_url opens the archived capture in pywb.",
                        "fts_table": "reports_fts",
                        "fts_pk": "rowid",
                        "facets": ["province", "year", "template", {"array": "failed_rules"}],
                        "sort_desc": "year",
                        "label_column": "title",
                        "columns": REPORT_COLUMNS_NOTES,
                    },
                    "report_text": {
                        "title": "Report texts",
                        "fts_table": "reports_fts",
                        "fts_pk": "rowid",
                        "label_column": "title",
                    },
                    "cells": {
                        "title": "Table cells (long format)",
                        "description": "One row per cell of tables 二, 三 and 四; value is null where the report left it blank.",
                        "facets": ["table", "year", "province"],
                    },
                    "checks": {
                        "title": "Consistency checks",
                        "description": "ok: 1 passed, 0 failed, null not decidable (a needed cell is blank).",
                        "facets": ["rule", "ok", "kind", "year"],
                    },
                    "crawl_failures": {
                        "title": "Crawl failures and skips",
                        "facets": ["outcome", "role"],
                    },
                    "coverage": {"title": "Coverage by region and year", "facets": ["province", "year"]},
                },
                "queries": CANNED,
            }
        },
    }
