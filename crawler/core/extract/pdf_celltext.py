"""The text of one table cell from its chars, as pdfplumber's ``extract_text`` gives it.

pdfplumber's ``utils.extract_text`` (default settings) builds a word extractor,
word and line dicts and a text map for every call; on a table page that is
called once per cell and was the largest cost left of PDF extraction. This is
the same rule for upright text, without the intermediate objects:

* chars are grouped into lines by their top (values sorted, a gap of more than
  3 pt starts a new line; a line keeps the chars' order), and each line is
  sorted by x0;
* a char starts a new word when it lies more than 3 pt right of the previous
  char's x1, or more than 3 pt above or below its top; blanks
  end a word and are dropped; ligatures are spelled out;
* words are grouped into lines again by their top (a word's top is its highest
  char's), joined by spaces, lines by newlines.

Chars that are not upright (rotated text) are handed to pdfplumber itself.
``tests/test_pdf_layout.py`` compares both on real tables.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from operator import itemgetter
from typing import Any, TypeVar

from pdfplumber.utils.text import DEFAULT_X_TOLERANCE, DEFAULT_Y_TOLERANCE, LIGATURES, extract_text

Obj = dict[str, Any]
T = TypeVar("T")

_top = itemgetter("top")
_x0 = itemgetter("x0")


def cell_text(chars: list[Obj]) -> str:
    """The text of ``chars`` (in page order), lines top to bottom and words left to right."""
    if len(chars) == 1:  # most cells hold one figure of one digit
        text = chars[0]["text"]
        return "" if text.isspace() else LIGATURES.get(text, text or "")
    if not chars:
        return ""
    if not all(ch["upright"] for ch in chars):
        return str(extract_text(chars))
    words: list[tuple[float, str]] = []  # (top, text)
    for line in clusters(chars, _top, DEFAULT_Y_TOLERANCE):
        line.sort(key=_x0)
        words.extend(_words(line))
    lines = clusters(words, itemgetter(0), DEFAULT_Y_TOLERANCE)
    return "\n".join(" ".join(text for _, text in line) for line in lines)


def clusters(items: Sequence[T], key: Callable[[T], float], tolerance: float) -> list[list[T]]:
    """Items grouped by ``key``: sorted distinct values, a step over ``tolerance`` starts a group."""
    group_of: dict[float, int] = {}
    group, last = -1, 0.0
    for value in sorted({key(item) for item in items}):
        if group < 0 or value > last + tolerance:
            group += 1
        group_of[value] = group
        last = value
    groups: list[list[T]] = [[] for _ in range(group + 1)]
    for item in items:
        groups[group_of[key(item)]].append(item)
    return groups


def _words(line: list[Obj]) -> list[tuple[float, str]]:
    words: list[tuple[float, str]] = []
    current: list[Obj] = []

    def close() -> None:
        if current:
            top = min(ch["top"] for ch in current)
            words.append((top, "".join(LIGATURES.get(ch["text"], ch["text"] or "") for ch in current)))
            current.clear()

    for ch in line:
        text = ch["text"]
        if text.isspace():
            close()
        elif text == "":
            # pdfplumber makes an empty char a word of its own
            close()
            current.append(ch)
            close()
        elif current and _new_word(current[-1], ch):
            close()
            current.append(ch)
        else:
            current.append(ch)
    close()
    return words


def _new_word(prev: Obj, ch: Obj) -> bool:
    # pdfplumber also splits when ch lies left of prev's x0, which cannot happen in a line sorted by x0
    return bool(ch["x0"] > prev["x1"] + DEFAULT_X_TOLERANCE or abs(ch["top"] - prev["top"]) > DEFAULT_Y_TOLERANCE)
