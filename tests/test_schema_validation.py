"""The record validator (fastjsonschema, compiled once) gives jsonschema's verdicts, and the
per-document boundary turns any unforeseen exception into a counted outcome.
"""

from __future__ import annotations

import copy
import json
import random
from typing import Any

import jsonschema
import pytest

from crawler.core import report
from crawler.core.report import SCHEMA_PATH, RecordInvalid, try_process, validate
from crawler.core.resource import FetchedResource
from tests.eval.gate import load_annotations, resolve

SCHEMA = json.loads(SCHEMA_PATH.read_text("utf-8"))
REFERENCE = jsonschema.validators.validator_for(SCHEMA)(SCHEMA)


def _records() -> list[dict[str, Any]]:
    out = []
    for doc in load_annotations():
        path = resolve(doc)
        if path.exists() and not doc.get("refused"):
            outcome, record, _, _ = try_process(FetchedResource.from_path(path))
            if outcome == "parsed" and record is not None:
                out.append(record)
    return out


RECORDS = _records()

# each mutation breaks (or, for some records, keeps) the contract in a different way
MUTATIONS = [
    ("year as text", lambda r: r.__setitem__("year", str(r["year"]))),
    ("missing id", lambda r: r.pop("id")),
    ("unknown template", lambda r: r.__setitem__("template", "2030")),
    ("schema_version 2", lambda r: r.__setitem__("schema_version", 2)),
    ("sections not a list", lambda r: r.__setitem__("sections", {"一": "x"})),
    ("check ok as text", lambda r: r["checks"] and r["checks"][0].__setitem__("ok", "yes")),
    ("a cell as text", lambda r: r["requests"] and r["requests"]["rows"]["new"].__setitem__(0, "3")),
    ("region not an object", lambda r: r.__setitem__("region", "江苏省")),
    ("warnings of numbers", lambda r: r.__setitem__("warnings", [1, 2])),
    ("extra field", lambda r: r.__setitem__("x_added_by_a_tool", True)),
    ("null title", lambda r: r.__setitem__("title", None)),
]


def _verdict_reference(record: dict[str, Any]) -> bool:
    return REFERENCE.is_valid(record)


def _verdict_ours(record: dict[str, Any]) -> bool:
    try:
        validate(record)
    except RecordInvalid:
        return False
    return True


def test_there_are_records_to_compare() -> None:
    assert len(RECORDS) >= 5


@pytest.mark.parametrize("record", RECORDS, ids=lambda r: r["title"][:20])
def test_valid_records_pass_both(record: dict[str, Any]) -> None:
    assert _verdict_reference(record) is True
    assert _verdict_ours(record) is True


@pytest.mark.parametrize(("name", "mutate"), MUTATIONS, ids=[m[0] for m in MUTATIONS])
def test_mutated_records_get_the_same_verdict(name: str, mutate: Any) -> None:
    verdicts = []
    for record in RECORDS:
        mutated = copy.deepcopy(record)
        mutate(mutated)
        ours, theirs = _verdict_ours(mutated), _verdict_reference(mutated)
        assert ours == theirs, f"{name}: fastjsonschema says {ours}, jsonschema says {theirs}"
        verdicts.append(ours)
    if name != "extra field":
        assert False in verdicts, f"{name} broke no record: the mutation tests nothing"


def test_random_deletions_get_the_same_verdict() -> None:
    rng = random.Random(7)
    for record in RECORDS:
        for _ in range(20):
            mutated = copy.deepcopy(record)
            key = rng.choice(sorted(mutated))
            del mutated[key]
            assert _verdict_ours(mutated) == _verdict_reference(mutated), key


def test_an_unforeseen_exception_is_a_counted_bug(monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    def explode(resource: FetchedResource) -> Any:
        raise IndexError("list index out of range")

    monkeypatch.setattr(report, "extract", explode)
    outcome, record, error, reason = try_process(FetchedResource(body=b"<html>x</html>", url="http://127.0.0.1/a.html"))
    assert (outcome, record, reason) == ("failed", None, "parse/bug")
    assert error is not None and "IndexError" in error
    assert any("parser bug" in r.getMessage() for r in caplog.records)
