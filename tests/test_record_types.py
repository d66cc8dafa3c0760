"""crawler.core.record_types against the published JSON Schema: same keys, same requiredness, same leaf types.

Both sides are reduced to one normal form (a nested tuple) and compared whole, so a property
added to the schema and not to the TypedDicts (or the reverse) fails with its path.
"""

from __future__ import annotations

import json
import types
import typing
from typing import Any, Literal, NotRequired, Union, get_args, get_origin

import pytest

from crawler.core import record_types
from crawler.core.record_types import Record
from crawler.core.report import SCHEMA_PATH, process
from crawler.core.resource import FetchedResource
from tests.conftest import FIXTURES

SCHEMA = json.loads(SCHEMA_PATH.read_text("utf-8"))
_JSON_TYPES = {"string": "string", "integer": "integer", "number": "number", "boolean": "boolean", "null": "null"}


def from_schema(node: dict[str, Any]) -> Any:
    """A schema node in normal form."""
    if "const" in node:
        value = node["const"]
        if isinstance(value, list):  # a fixed list (table 三's columns): an array of those values
            return ("array", ("enum", frozenset(value)))
        return ("enum", frozenset([value]))
    if "enum" in node:
        return ("enum", frozenset(node["enum"]))
    kinds = node["type"] if isinstance(node["type"], list) else [node["type"]]
    members = set()
    for kind in kinds:
        if kind == "object":
            if "properties" in node:
                required = set(node.get("required", []))
                members.add(("object", tuple(sorted((k, k in required, from_schema(v)) for k, v in node["properties"].items()))))
            elif isinstance(node.get("additionalProperties"), dict):
                members.add(("map", from_schema(node["additionalProperties"])))
            else:
                members.add(("map", "any"))
        elif kind == "array":
            members.add(("array", from_schema(node["items"])))
        else:
            members.add(_JSON_TYPES[kind])
    return members.pop() if len(members) == 1 else ("union", frozenset(members))


def from_python(annotation: Any) -> Any:
    """A Python annotation (as typing.get_type_hints resolves it) in the same normal form."""
    origin = get_origin(annotation)
    if origin is NotRequired:
        return from_python(get_args(annotation)[0])
    if annotation is Any:
        return "any"
    if annotation is type(None):
        return "null"
    simple = {str: "string", int: "integer", float: "number", bool: "boolean"}
    if annotation in simple:
        return simple[annotation]
    if origin is Literal:
        return ("enum", frozenset(get_args(annotation)))
    if origin in (Union, types.UnionType):
        members = {from_python(a) for a in get_args(annotation)}
        return members.pop() if len(members) == 1 else ("union", frozenset(members))
    if origin is list:
        return ("array", from_python(get_args(annotation)[0]))
    if origin is dict:
        key, value = get_args(annotation)
        assert key is str
        return ("map", from_python(value))
    if typing.is_typeddict(annotation):
        hints = typing.get_type_hints(annotation)
        required = annotation.__required_keys__
        return ("object", tuple(sorted((k, k in required, from_python(v)) for k, v in hints.items())))
    raise AssertionError(f"no normal form for {annotation!r}")


def differences(expected: Any, actual: Any, path: str = "record") -> list[str]:
    """Where two normal forms differ, as readable paths (for the failure message)."""
    if expected == actual:
        return []
    if isinstance(expected, tuple) and isinstance(actual, tuple) and expected[0] == actual[0] == "object":
        want = {k: (req, t) for k, req, t in expected[1]}
        have = {k: (req, t) for k, req, t in actual[1]}
        found = [f"{path}.{k}: in the schema, not in the TypedDict" for k in want.keys() - have.keys()]
        found += [f"{path}.{k}: in the TypedDict, not in the schema" for k in have.keys() - want.keys()]
        for k in want.keys() & have.keys():
            if want[k][0] != have[k][0]:
                found.append(f"{path}.{k}: required {want[k][0]} in the schema, {have[k][0]} in the TypedDict")
            found += differences(want[k][1], have[k][1], f"{path}.{k}")
        return found
    if isinstance(expected, tuple) and isinstance(actual, tuple) and expected[0] == actual[0] and expected[0] in ("array", "map"):
        return differences(expected[1], actual[1], f"{path}[]")
    if isinstance(expected, tuple) and isinstance(actual, tuple) and expected[0] == actual[0] == "union":
        # the same members but one (an object, say) differs inside: descend into the pair of the same kind
        only_expected, only_actual = expected[1] - actual[1], actual[1] - expected[1]
        if len(only_expected) == len(only_actual) == 1:
            return differences(next(iter(only_expected)), next(iter(only_actual)), path)
    return [f"{path}: {expected!r} in the schema, {actual!r} in the TypedDict"]


def test_every_schema_property_is_a_typeddict_key_and_back():
    problems = differences(from_schema(SCHEMA), from_python(Record))
    assert problems == []


def test_the_comparison_sees_a_missing_key():
    """The checker itself: a schema with one more property, or one less required, is reported."""
    wider = json.loads(json.dumps(SCHEMA))
    wider["properties"]["new_field"] = {"type": "string"}
    wider["properties"]["review_litigation"]["properties"]["review"]["required"].remove("pending")
    problems = differences(from_schema(wider), from_python(Record))
    assert "record.new_field: in the schema, not in the TypedDict" in problems
    assert "record.review_litigation.review.pending: required False in the schema, True in the TypedDict" in problems


def test_the_comparison_sees_a_changed_leaf_type():
    narrower = json.loads(json.dumps(SCHEMA))
    narrower["properties"]["year"]["type"] = "integer"
    problems = differences(from_schema(narrower), from_python(Record))
    assert len(problems) == 1
    assert problems[0].startswith("record.year: 'integer' in the schema")


@pytest.mark.parametrize("name", ["gov2021_merged.docx", "gov2019_big5style.html", "pre2019_report.html"])
def test_real_records_use_only_typed_keys(name):
    """A record of the real parser has no top-level key the TypedDict lacks, and every required one."""
    record = process(FetchedResource.from_path(FIXTURES / name))
    keys = set(typing.get_type_hints(Record))
    assert set(record) <= keys
    assert Record.__required_keys__ <= set(record)
    assert record_types.Record.__required_keys__  # the class is not empty
