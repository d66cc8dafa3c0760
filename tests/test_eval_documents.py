"""Every annotated document (seeds, corpus, fixtures) parses to its expected record.

One test per document and aspect, so a failure names what went wrong; the gate
script (tests/eval/gate.py) prints the accuracy figures for the same set.
"""

from __future__ import annotations

import pytest

from crawler.report import process, validate
from crawler.resource import FetchedResource
from tests.eval.gate import Score, evaluate, load_annotations, resolve

DOCS = load_annotations()


def _record(doc):
    path = resolve(doc)
    if not path.exists():
        pytest.skip(f"{doc['path']} is absent on this machine")
    return process(FetchedResource.from_path(path))


@pytest.fixture(scope="module")
def records():
    cache = {}

    def get(doc):
        if doc["path"] not in cache:
            cache[doc["path"]] = _record(doc)
        return cache[doc["path"]]

    return get


def test_annotation_set_is_broad():
    formats = {d["format"] for d in DOCS}
    assert {"pdf", "docx", "html", "text"} <= formats
    nonzero = sum(1 for d in DOCS for v in d.get("cells", {}).values() if v not in (0, None))
    assert nonzero >= 100, "annotations must hold non-zero numbers so that a parser printing zeros fails"


@pytest.mark.parametrize("doc", DOCS, ids=[d["path"].rsplit("/", 1)[-1] for d in DOCS])
def test_document_fields_and_cells(doc, records):
    record = records(doc)
    validate(record)
    score = Score()
    evaluate(doc, record, score)
    assert score.fields + score.cells > 0
    assert score.misses == []


@pytest.mark.parametrize("doc", [d for d in DOCS if d.get("cells")], ids=lambda d: d["path"].rsplit("/", 1)[-1])
def test_blank_cells_are_null_never_zero(doc, records):
    record = records(doc)
    rows = (record["requests"] or {}).get("rows", {})
    for path, expected in doc["cells"].items():
        table, key, column = path.split("/")
        if expected is None and table == "requests" and key in rows:
            from crawler.parse.labels import REQUEST_COLUMNS

            assert rows[key][REQUEST_COLUMNS.index(column)] is None, path
