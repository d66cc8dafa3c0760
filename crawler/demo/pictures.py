"""A report page of the demo portal whose table 三 is a picture (``<img>``), not a ``<table>``.

Some portals paste a report's tables as screenshots. The page is the evaluation scan
``tests/eval/scans/gov2021_merged_img.html`` (a Word report exported to HTML, table 三
replaced by its picture) inside the portal's article chrome, its agency renamed to one of the county's; the picture is served beside
it under a CMS-style name, and the chrome's logo and QR code are pictures too, as on real
portals, which the crawl must leave alone. Opt-in (``DemoPortal(table_picture=True)``):
reading the picture by OCR costs tens of seconds.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

SCAN_PAGE = "gov2021_merged_img.html"
PICTURE_TYPE = "image/png"
AGENCY = "示范县市场监督管理局"
LOGO_PNG = (  # a 1×1 PNG: what the chrome's logo and QR code pictures weigh here
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    b"\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82"
)


@dataclass(frozen=True)
class PictureReport:
    """The page's body (HTML), the picture's bytes and the report's identity."""

    body: str
    picture: bytes
    title: str
    agency: str
    year: int
    published: date


def load(scans_dir: Path, picture_name: str) -> PictureReport:
    """The scan page's body with its picture's ``src`` renamed to ``picture_name`` (relative to the page)."""
    entry = next(e for e in json.loads((scans_dir / "annotations.json").read_text("utf-8")) if e["path"].endswith(SCAN_PAGE))
    text = (scans_dir / SCAN_PAGE).read_text("utf-8")
    body = text[text.index("<body") : text.index("</body>")]
    body = body[body.index(">") + 1 :]
    srcs = re.findall(r'<img src="([^"]+)"', body)
    if len(srcs) != 1:
        raise ValueError(f"{SCAN_PAGE}: expected one picture, found {len(srcs)}")
    fields = entry["fields"]
    # the scan is the PDF fixture's report (same agency, same tables): renamed, the page is a report of
    # its own, not a second copy that the store would fold into the PDF's record
    body = body.replace(fields["agency"], AGENCY).replace("南通市海门区", "示范县").replace("海门", "示范")
    return PictureReport(
        body=body.replace(srcs[0], picture_name),
        picture=(scans_dir / srcs[0]).read_bytes(),
        title=fields["title"].replace(fields["agency"], AGENCY),
        agency=AGENCY,
        year=int(fields["year"]),
        published=date.fromisoformat(fields["published_date"]),
    )


def chrome_pictures(logo: str, qr: str) -> str:
    """The site chrome's own pictures around an article: a header logo and a footer QR code."""
    return (
        f'<div class="header"><img src="{logo}" alt="示范县人民政府" width="420" height="90"></div>'
        f'<div class="footer-ewm"><img src="{qr}" alt="手机版二维码"></div>'
    )
