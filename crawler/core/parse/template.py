"""Which report template (2019 or 2021) a report follows, from evidence beyond the tables' layout.

The layout of tables 二 and 三 decides first (see :func:`crawler.core.parse._template`). When a tool
flattened the tables (cells run together: ``规范性文件898989``) or dropped their headers, two
weaker kinds of evidence remain: the labels only one template prints, wherever a line still
shows them, and the circular the text cites (国办公开办函〔2021〕30号 set the 2021 template,
〔2019〕60号 the 2019 one). Numbers are never read from here.
"""

from __future__ import annotations

import re

from crawler.core.parse.labels import TEMPLATE_ROWS, TEMPLATE_WORDS, label_core

_MAX_LINE = 120  # longer lines are prose: a row label quoted in a sentence is no evidence
# what may follow a row label on a row of its own: numbers run together, units, cell separators
_ROW_REST = re.compile(r"^[\d\s|,，.．/／\-—－元万件条个%]*$")
_CIRCULAR = re.compile(r"国办公开办函\s*[〔\[［(（【]\s*(20\d\d)\s*[〕\]］)）】]\s*(\d+)\s*号")
_CIRCULARS = {("2021", "30"): "2021", ("2019", "60"): "2019"}


def label_votes(lines: list[str]) -> dict[str, int]:
    """Each template's count of distinct labels, among short lines and table rows, that only it prints."""
    seen: dict[str, set[str]] = {"2019": set(), "2021": set()}
    for line in lines:
        if len(line) > _MAX_LINE:
            continue
        core = label_core(line)
        for template, words in TEMPLATE_WORDS.items():
            seen[template].update(w for w in words if w in core)
        for template, labels in TEMPLATE_ROWS.items():
            for label in labels:
                start = core.find(label)
                # the row itself: the label first (a category cell may precede it), numbers after
                if 0 <= start <= 12 and _ROW_REST.match(core[start + len(label) :]):
                    seen[template].add(label)
    return {t: len(words) for t, words in seen.items()}


def cited_template(text: str) -> str | None:
    """The template of the circular the text cites, when it cites exactly one of them."""
    found = {_CIRCULARS[m.group(1), m.group(2)] for m in _CIRCULAR.finditer(text) if (m.group(1), m.group(2)) in _CIRCULARS}
    return found.pop() if len(found) == 1 else None
