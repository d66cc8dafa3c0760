"""The official division list (GB/T 2260 codes) shipped in ``crawler/data/divisions.json``.

Every province, prefecture and county-level unit with its six-digit code, and the renames,
mergers and abolitions since 2008 with the current code each old unit went to (洪泽县 320829
→ 洪泽区 320813). ``scripts/build_divisions.py`` writes the file from two PyPI data packages;
this module only reads it. :func:`load` reads the file on its first call in a process (the parser's
region inference, :mod:`crawler.core.parse.region`, makes that call while parsing a document) and
caches the index; everything else is pure functions over that immutable index.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from crawler.core.errors import ReportError

DATA_PATH = Path(__file__).resolve().parents[1] / "data" / "divisions.json"
LEVELS = ("province", "prefecture", "county")
MUNICIPALITIES = ("110000", "120000", "310000", "500000")
_CODE = re.compile(r"\d{6}|\d{4}|\d{2}")
# what a name may drop and still be recognised (黔西南布依族苗族自治州 → 黔西南州 / 黔西南)
_PROVINCE_SUFFIX = re.compile(r"(?:(?:壮族|回族|维吾尔)?自治区|特别行政区|省|市)$")
_UNIT_SUFFIX = re.compile(r"(?:(?:[\u4e00-\u9fff]{1,8}?族)*自治(?:州|县|旗)|地区|林区|特区|新区|市|盟|县|区|旗|州)$")


class DivisionError(ReportError):
    """A division code or name that the official list does not hold."""

    reason = "divisions/unknown"


@dataclass(frozen=True)
class Division:
    """One unit of the current list."""

    code: str
    name: str
    level: str
    parent: str | None


@dataclass(frozen=True)
class Change:
    """One unit that is no longer on the list under this code and name."""

    code: str
    name: str
    level: str
    kind: str  # renamed / merged / abolished
    last_seen: str  # the last GB2260 revision listing it, YYYY-MM
    current: str | None  # the current unit it went to (or the nearest enclosing one)


class Divisions:
    """An index of the list: by code, by name, by old name."""

    def __init__(self, rows: Iterable[Division], changes: Iterable[Change], source: dict[str, str]) -> None:
        self.by_code: dict[str, Division] = {}
        self.by_name: dict[str, list[Division]] = {}
        self.changes: list[Change] = list(changes)
        self.source = dict(source)
        for division in rows:
            self.by_code[division.code] = division
            self.by_name.setdefault(division.name, []).append(division)
        self.old_names: dict[str, list[Change]] = {}
        for change in self.changes:
            if change.current and change.name not in self.by_name:
                self.old_names.setdefault(change.name, []).append(change)

    # ------------------------------------------------------------------ structure

    def at_level(self, level: str) -> list[Division]:
        return [d for d in self.by_code.values() if d.level == level]

    def children(self, code: str) -> list[Division]:
        return [d for d in self.by_code.values() if d.parent == code]

    def chain(self, code: str) -> list[Division]:
        """The unit and its ancestors, province first."""
        out: list[Division] = []
        current = self.by_code.get(code)
        while current is not None and len(out) < 4:
            out.insert(0, current)
            current = self.by_code.get(current.parent) if current.parent else None
        return out

    def path(self, code: str) -> dict[str, str | None]:
        """``{"province", "city", "county"}`` names of a code (a municipality is its own city, as in records)."""
        names: dict[str, str | None] = {"province": None, "city": None, "county": None}
        for unit in self.chain(code):
            names[{"province": "province", "prefecture": "city", "county": "county"}[unit.level]] = unit.name
        if names["province"] and not names["city"] and self.chain(code)[0].code in MUNICIPALITIES:
            names["city"] = names["province"]
        return names

    def province_of(self, code: str) -> Division | None:
        chain = self.chain(code)
        return chain[0] if chain else None

    # ------------------------------------------------------------------ names

    def named(self, name: str, *, within: str | None = None, old: bool = True) -> list[Division]:
        """Current units with this name, or units an old name went to; only under ``within`` when given.

        A short name also matches (淮安 → 淮安市, 黔西南州 → 黔西南布依族苗族自治州) when no full name does.
        """
        found = list(self.by_name.get(name, []))
        if not found and old:
            found = [self.by_code[c.current] for c in self.old_names.get(name, []) if c.current in self.by_code]
        short = not found
        if short:
            found = [d for d in self._short_index.get(_short(name), []) if len(_short(name)) >= 2]
        if within:
            found = [d for d in found if d.code != within and self.is_within(d.code, within)]
        if short and len(found) > 1:
            # a short name means the larger unit first (淮安 is 淮安市 before 淮安区)
            top = min(LEVELS.index(d.level) for d in found)
            found = [d for d in found if LEVELS.index(d.level) == top]
        unique: dict[str, Division] = {d.code: d for d in found}
        return list(unique.values())

    def is_within(self, code: str, ancestor: str) -> bool:
        return any(unit.code == ancestor for unit in self.chain(code))

    @functools.cached_property
    def _short_index(self) -> dict[str, list[Division]]:
        index: dict[str, list[Division]] = {}
        for division in self.by_code.values():
            keys = {_short(division.name)}
            if "自治" in division.name and "族" in division.name:
                # 黔西南布依族苗族自治州 is 黔西南州: the stem is some prefix before the first people's name
                first = division.name.index("族")
                keys.update(division.name[:k] for k in range(2, first))
            for key in keys:
                index.setdefault(key, []).append(division)
        return index

    def resolve(self, query: str) -> Division:
        """A code (``320800``, ``3208``) or a name or path (``淮安市``, ``江苏省/淮安市``, ``洪泽县``) as one unit."""
        text = query.strip().strip("/")
        if _CODE.fullmatch(text):
            division = self.by_code.get(text.ljust(6, "0"))
            if division is None:
                raise DivisionError(f"no division has the code {text}; try `python -m crawler regions --code 32`")
            return division
        within: str | None = None
        found: list[Division] = []
        for part in [p for p in text.split("/") if p]:
            found = self.named(part, within=within)
            if len(found) != 1:
                break
            within = found[0].code
        if not found:
            raise DivisionError(f"no division is named '{query}'")
        if len(found) > 1:
            options = ", ".join(f"{'/'.join(u.name for u in self.chain(d.code))} {d.code}" for d in found[:6])
            raise DivisionError(
                f"'{query}' names several divisions ({options}); give the code or the path", reason="divisions/ambiguous"
            )
        return found[0]


def _short(name: str) -> str:
    short = _PROVINCE_SUFFIX.sub("", name) if name.endswith(("省", "自治区", "特别行政区")) else _UNIT_SUFFIX.sub("", name)
    return short or name


def normalise_code(code: str) -> str:
    """``32`` / ``3208`` / ``320800`` → the six-digit code."""
    return code.strip().ljust(6, "0")


@functools.lru_cache(maxsize=2)
def load(path: Path = DATA_PATH) -> Divisions:
    """The shipped list (read once)."""
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
        rows = [Division(str(c), str(n), str(lv), p) for c, n, lv, p in doc["divisions"]]
        changes = [
            Change(e["code"], e["name"], e["level"], e["kind"], e["last_seen"], e.get("current")) for e in doc.get("history", [])
        ]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise DivisionError(f"division list {path} cannot be read: {exc}", reason="divisions/unreadable") from None
    return Divisions(rows, changes, doc.get("sources", {}))
