"""A small corpus for the API, browse, site and export tests: the real parser's records of the evaluation fixtures.

Each fixture is parsed by :func:`crawler.core.report.process` (as a crawl would) and given the
provenance a crawl adds (a URL, a fetch time, a WARC location). To have an agency with a
trend over years, the 2021-template DOCX is also stored as two later years with its table 三
numbers scaled: these are still schema-valid records, built the way the parser builds them,
only their year, id and numbers differ.
"""

from __future__ import annotations

import copy
import functools
from pathlib import Path
from typing import Any

from crawler.core.report import process, record_id, validate
from crawler.core.resource import FetchedResource
from crawler.store.database import Store
from tests.conftest import FIXTURES

DOCUMENTS = (
    "gov2019_big5style.html",
    "gov2019_merged.docx",
    "gov2021_gbk.html",
    "gov2021_inconsistent.docx",
    "gov2021_merged.docx",
    "pre2019_report.html",
)
TREND_SOURCE = "gov2021_merged.docx"
TREND_YEARS = (2023, 2024)
TREND_FACTORS = {2023: 2, 2024: 3}


@functools.lru_cache(maxsize=1)
def _parsed() -> dict[str, dict[str, Any]]:
    return {name: process(FetchedResource.from_path(FIXTURES / name)) for name in DOCUMENTS}


def _with_provenance(record: dict[str, Any], n: int) -> dict[str, Any]:
    host = f"www.site{n}.example.gov.cn"
    url = f"http://{host}/zfxxgk/ndbg/t2024010{n}_{n}.html"
    record = {**record, "url": url, "page_url": url, "fetched_at": f"2026-11-0{n + 1}T08:30:0{n}Z"}
    record["warc"] = {
        "file": f"govreports-2026110{n + 1}.warc.gz",
        "offset": 1000 * n,
        "record_id": f"<urn:uuid:0000000{n}-aaaa>",
    }
    record["sources"] = [{"url": url, "role": "page", "warc": record["warc"], "fetched_at": record["fetched_at"]}]
    return record


def _later_year(record: dict[str, Any], year: int) -> dict[str, Any]:
    later = copy.deepcopy(record)
    later["year"] = year
    factor = TREND_FACTORS[year]
    rows = later["requests"]["rows"]
    for key, values in rows.items():
        rows[key] = [v * factor if isinstance(v, int | float) else v for v in values]
    later["title"] = later["title"].replace(str(record["year"]), str(year))
    later["id"] = record_id(later["agency"], year, f"{record['id']}-{year}")
    return later


@functools.lru_cache(maxsize=1)
def corpus() -> tuple[dict[str, Any], ...]:
    """The records of the small corpus, schema-valid, in a fixed order."""
    parsed = []
    for name in DOCUMENTS:
        parsed.append(_parsed()[name])
        if name == TREND_SOURCE:
            parsed += [_later_year(_parsed()[name], year) for year in TREND_YEARS]
    records = [_with_provenance(record, n) for n, record in enumerate(parsed)]
    for record in records:
        validate(record)
    return tuple(copy.deepcopy(r) for r in records)


def fill(store: Store) -> list[dict[str, Any]]:
    """Put the corpus into a store (plus a failed and a skipped URL in the crawl state); returns the records."""
    records = [copy.deepcopy(r) for r in corpus()]
    for record in records:
        region = record["region"]
        path = "/".join(v for v in (region["province"], region["city"], region["county"]) if v) or None
        store.put_report(record["page_url"], record, path)
    store.save_document(
        "http://www.site9.example.gov.cn/ndbg/broken.pdf", outcome="failed", error="PDF is encrypted", role="attachment"
    )
    store.save_document("http://elsewhere.example.com/x.html", outcome="skipped", error="off-site", role="page")
    return records


def make_store(data_dir: Path) -> tuple[Store, list[dict[str, Any]]]:
    store = Store(f"sqlite:///{(data_dir / 'records.sqlite').resolve()}")
    return store, fill(store)
