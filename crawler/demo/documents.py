"""The report documents the demo portal serves: evaluation fixtures and reports derived from them.

The fixtures (``tests/eval/fixtures``) are served byte for byte.  Reports the fixtures do
not cover (department and township reports, the off-site report, reports published during
a test) are *derived*: the body of the GBK fixture, a real 2021-template report with
consistent tables, with its agency and years rewritten, so every derived page is a report
the parser can read and whose identity is known.
"""

from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

GBK_FIXTURE = "gov2021_gbk.html"
_GBK_AGENCY = "泗水县人民政府办公室"
_GBK_YEAR = 2021

# A PDF header, then garbage: what a truncated upload or a broken conversion leaves behind.
CORRUPT_PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R\n\x00\x17\x9c\xff garbage \xfe\x01\x02"


@dataclass(frozen=True)
class Fixture:
    """One annotated evaluation document and the identity its annotation records."""

    name: str
    path: Path
    title: str
    agency: str
    year: int
    published: date

    def read(self) -> bytes:
        return self.path.read_bytes()


@dataclass
class ReportEntry:
    """Truth about one report page of the demo portal (paths are server-relative)."""

    page: str
    title: str
    agency: str
    year: int
    published: date
    family: str  # "trs", "hanweb", "gkmlpt", "js", "offsite"
    source: str  # the fixture file name the report bytes come from, or "derived"
    attachments: list[str] = field(default_factory=list)
    flags: set[str] = field(default_factory=set)  # api_only, js_only, flaky, robots_forbidden, ...
    offsite: bool = False


def load_fixtures(documents_dir: Path) -> dict[str, Fixture]:
    """Read ``annotations.json`` in *documents_dir*: file name -> :class:`Fixture`."""
    annotations = json.loads((documents_dir / "annotations.json").read_text("utf-8"))
    fixtures: dict[str, Fixture] = {}
    for entry in annotations:
        name = Path(entry["path"]).name
        path = documents_dir / name
        if not path.is_file():
            continue
        fields = entry["fields"]
        fixtures[name] = Fixture(
            name=name,
            path=path,
            title=fields["title"],
            agency=fields["agency"],
            year=int(fields["year"]),
            published=date.fromisoformat(fields["published_date"]),
        )
    return fixtures


_CN_DIGITS = "〇一二三四五六七八九"


def cn_date(day: date) -> str:
    """The date as printed under a report's signature.

    >>> cn_date(date(2023, 1, 20))
    '二〇二三年一月二十日'
    """

    def small(n: int) -> str:
        tens, units = divmod(n, 10)
        text = ("" if tens == 0 else ("十" if tens == 1 else _CN_DIGITS[tens] + "十")) + ("" if units == 0 else _CN_DIGITS[units])
        return text

    year = "".join(_CN_DIGITS[int(d)] for d in str(day.year))
    return f"{year}年{small(day.month)}月{small(day.day)}日"


@functools.lru_cache(maxsize=4)
def _gbk_body(documents_dir: Path) -> str:
    """The ``TRS_Editor`` division of the GBK fixture, decoded."""
    text = (documents_dir / GBK_FIXTURE).read_bytes().decode("gb18030")
    start = text.index('<div class="TRS_Editor">')
    end = text.index('<div class="related">')
    body = text[start:end].rstrip()
    if body.endswith("</div>"):  # the article wrapper closes after the editor division
        body = body[: -len("</div>")].rstrip()
    return body


def derive_report_body(documents_dir: Path, agency: str, year: int, published: date) -> str:
    """A complete report body (HTML, ``TRS_Editor`` division) for *agency* and *year*."""
    body = _gbk_body(documents_dir)
    body = body.replace("二〇二二年一月二十八日", cn_date(published))
    body = body.replace(_GBK_AGENCY, agency).replace("泗水县", "示范县").replace("泗水", "示范")
    shift = year - _GBK_YEAR
    return re.sub(r"(?<!\d)(20[12]\d)(?!\d)", lambda m: str(int(m.group(1)) + shift), body)
