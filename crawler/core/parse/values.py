"""Cell values: numbers as printed, null for blank and its stand-ins, never 0 for blank."""

from __future__ import annotations

import re

NULL_MARKERS = {"", "/", "／", "\\", "-", "－", "—", "——", "–", "无", "無", "n/a", "N/A", "NA", "×", "空", "*"}
# what OCR prints for a glyph it could not read, or for an empty box: a cell, unreadable
PLACEHOLDERS = {"□", "☐", "▢", "◻", "?", "？", "�"}
_NUMBER = re.compile(
    r"^[+＋]?(?P<neg>[-－—–])?\s*(?P<num>\d{1,3}(?:[,，]\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\d{1,3}(?: \d{3})+)"
    r"\s*(?P<unit>万元|元|件|条|个|项|次|份|人次|人|%)?\s*(?P<note>[（(].*[)）])?\s*$"
)


def is_value_cell(text: str) -> bool:
    """True for a cell that holds a number or a null marker (not a label)."""
    t = text.strip()
    return t in NULL_MARKERS or t in PLACEHOLDERS or _NUMBER.match(t) is not None


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


# a label with its row's numbers run onto its end by a tool that flattened the table:
# "规范性文件898989", "一、本年新收政府信息公开申请数量230 000023"
_RUN_TOGETHER = re.compile(r"^(?P<label>.*[\u4e00-\u9fff）)”\"])\s*(?P<numbers>\d[\d\s,，.]*(?:万元|元)?)$")


def run_together(text: str) -> tuple[str, str] | None:
    """(label, numbers) for a cell whose label runs into its row's numbers, else None.

    The numbers cannot be split back into cells ("898989" is 8|98|989 as well as 89|89|89),
    so callers keep the label and leave the cells null.

    >>> run_together("规范性文件898989")
    ('规范性文件', '898989')
    >>> run_together("属于国家秘密") is None
    True
    """
    m = _RUN_TOGETHER.match(text.strip())
    if m is None or len(re.findall(r"[\u4e00-\u9fff]", m.group("label"))) < 2:
        return None
    return m.group("label").strip(), m.group("numbers").strip()


def split_numbers(numbers: str, count: int) -> list[str] | None:
    """The cells of run-together numbers when spaces still separate exactly ``count`` of them.

    Each piece must be a number as a table prints it (no leading zero but 0 itself);
    "230 000023" is not, and neither is a count that does not match: None, never a guess.

    >>> split_numbers("3 1 12", 3)
    ['3', '1', '12']
    >>> split_numbers("898989", 3) is None
    True
    """
    pieces = numbers.split()
    if len(pieces) != count:
        return None
    if all(re.fullmatch(r"(?:0|[1-9]\d*)(?:\.\d+)?(?:万元|元)?", p) for p in pieces):
        return pieces
    return None


def single_digits(numbers: str, count: int) -> list[str] | None:
    """One digit per cell, when a run of digits has exactly as many digits as the row has cells.

    This is only the reading a row printed in full with one-digit values would give: a blank
    cell leaves no digit and a 12 leaves two, so callers still have to rule the other readings
    out (:func:`forced`, :func:`sum_readings`) before they use it.

    >>> single_digits("3100004", 7)
    ['3', '1', '0', '0', '0', '0', '4']
    >>> single_digits("21533", 3) is None
    True
    """
    if len(numbers) != count or not re.fullmatch(r"[0-9]+", numbers):
        return None
    return list(numbers)


def forced(numbers: str) -> bool:
    """True when a run of digits has no reading but one digit per cell.

    Only a digit other than 0 can open a number of two digits or more ("01" is never
    printed), so the run is forced when every digit but the last is 0: "000" is 0|0|0 and
    nothing else, "120" may be 12|0 or 1|20 with a blank cell somewhere.

    >>> forced("000"), forced("0005"), forced("120")
    (True, True, False)
    """
    return re.fullmatch(r"0*[0-9]", numbers) is not None


def sum_readings(numbers: str, most: int) -> list[list[int]]:
    """Every way to read a run of digits as at most ``most`` numbers whose last is the sum of the others.

    A row of table 三 ends with its 总计, the sum of the six applicant columns; a run-together
    row can be split only when one reading alone adds up. Numbers have no leading zero.

    >>> sum_readings("3100004", 7)
    [[3, 1, 0, 0, 0, 0, 4]]
    >>> sum_readings("1001", 7)
    [[1, 0, 0, 1]]
    >>> sum_readings("11011", 7)
    [[1, 10, 11], [11, 0, 11]]
    """
    found: list[list[int]] = []
    n = len(numbers)

    def pieces(start: int, parts: list[int]) -> None:
        if len(parts) >= most:
            return
        for end in range(start + 1, n + 1):
            piece = numbers[start:end]
            if len(piece) > 1 and piece[0] == "0":
                break  # no number opens with 0; longer pieces from here do neither
            if end == n:
                if parts and sum(parts) == int(piece):
                    found.append([*parts, int(piece)])
            else:
                pieces(end, [*parts, int(piece)])

    if re.fullmatch(r"[0-9]+", numbers) and n <= 16:  # a row's run, not a page of digits: bounded work
        pieces(0, [])
    return found
