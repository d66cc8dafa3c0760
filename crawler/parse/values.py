"""Cell values: numbers as printed, null for blank and its stand-ins, never 0 for blank."""

from __future__ import annotations

import re

NULL_MARKERS = {"", "/", "／", "\\", "-", "－", "—", "——", "–", "无", "無", "n/a", "N/A", "NA", "×", "空", "*"}
_NUMBER = re.compile(
    r"^[+＋]?(?P<neg>[-－—–])?\s*(?P<num>\d{1,3}(?:[,，]\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\d{1,3}(?: \d{3})+)"
    r"\s*(?P<unit>万元|元|件|条|个|项|次|份|人次|人|%)?\s*(?P<note>[（(].*[)）])?\s*$"
)


def is_value_cell(text: str) -> bool:
    """True for a cell that holds a number or a null marker (not a label)."""
    t = text.strip()
    return t in NULL_MARKERS or _NUMBER.match(t) is not None


def parse_value(text: str) -> tuple[int | float | None, str | None]:
    """Return (value, note). The note says what was dropped (a unit, an annotation).

    >>> parse_value("22（其中修订16件）")
    (22, '（其中修订16件）')
    >>> parse_value("/")
    (None, None)
    >>> parse_value("-8")
    (-8, None)
    >>> parse_value("5394432.52元")
    (5394432.52, '元')
    """
    t = text.strip()
    if t in NULL_MARKERS:
        return None, None
    m = _NUMBER.match(t)
    if m is None:
        return None, f"unreadable cell {t!r}"
    digits = re.sub(r"[,， ]", "", m.group("num"))
    value: int | float = float(digits) if "." in digits else int(digits)
    if m.group("neg"):
        value = -value
    note = "".join(x for x in (m.group("unit"), m.group("note")) if x) or None
    if m.group("unit") in {"件", "条", "个", "项", "次", "份", "人次", "人"}:
        note = m.group("note") or None  # a count's own unit is not worth a note
    return value, note
