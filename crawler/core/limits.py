"""Resource limits for one document: how much the extractors agree to read before refusing.

A portal can serve anything under a report's name: a DOCX whose 1 MB zip
inflates to gigabytes, a PDF of thousands of pages, a run-on text dump of
tens of megabytes. These limits keep one such file from taking the memory and
the minutes of a whole crawl; a document over a limit fails with its own
reason (``extract/too-large``, ``extract/docx/too-large``, ``extract/too-much-text`` …)
or, for PDF pages, is read up to the limit with a warning.

Every limit can be changed with an environment variable, read when
:func:`current` is called (so a worker process started with a changed
environment sees the change):

=============================  ============================================  =========
variable                       limit                                          default
=============================  ============================================  =========
GOVREPORTS_MAX_DOCUMENT_BYTES  bytes of one document as fetched               64 MiB
GOVREPORTS_MAX_MARKUP_BYTES    bytes of one HTML or text document             24 MiB
GOVREPORTS_MAX_PDF_PAGES       PDF pages read (the rest skipped, warned)      300
GOVREPORTS_MAX_INFLATED_BYTES  bytes of all the parts of a DOCX, inflated     256 MiB
GOVREPORTS_MAX_ZIP_ENTRIES     parts in a DOCX zip                            10000
GOVREPORTS_MAX_TEXT_CHARS      characters of text extracted from a document   5000000
=============================  ============================================  =========

Sizes accept a plain number of bytes or a ``K``/``M``/``G`` suffix (``128M``).
"""

from __future__ import annotations

import logging
import os
import re
from dataclasses import dataclass, fields

_log = logging.getLogger(__name__)
_ENV_PREFIX = "GOVREPORTS_"
_SIZE = re.compile(r"^\s*(\d+)\s*([kmg]i?b?)?\s*$", re.IGNORECASE)
_UNITS = {"": 1, "k": 1024, "m": 1024**2, "g": 1024**3}


@dataclass(frozen=True)
class Limits:
    """Upper bounds for reading one document."""

    # the crawl's own download limit (DOWNLOAD_MAXSIZE) is 64 MiB too: a local file gets no more
    max_document_bytes: int = 64 * 1024**2
    # an HTML tree takes ~14 times its bytes in memory (700 MiB for a 50 MB page); report pages
    # are well under 5 MB, even with images inlined as data: URIs
    max_markup_bytes: int = 24 * 1024**2
    # annual reports run to 5–60 pages; 300 leaves room for a report bound into a larger volume
    # while keeping a 2,000-page file to seconds, not minutes
    max_pdf_pages: int = 300
    # a real report's parts inflate to a few MB (document.xml) plus images stored near their size
    max_inflated_bytes: int = 256 * 1024**2
    max_zip_entries: int = 10_000
    # a report's text is 10–100 thousand characters; 5 million is fifty reports' worth
    max_text_chars: int = 5_000_000


def parse_size(value: str) -> int:
    """``"128M"`` → 134217728; a plain number is taken as it is.

    >>> parse_size("300"), parse_size("64M"), parse_size("1 GiB")
    (300, 67108864, 1073741824)
    """
    m = _SIZE.match(value)
    if not m:
        raise ValueError(f"not a size: {value!r}")
    unit = (m.group(2) or "")[:1].lower()
    return int(m.group(1)) * _UNITS[unit]


def current(environ: dict[str, str] | None = None) -> Limits:
    """The defaults, overridden by ``GOVREPORTS_MAX_…`` variables that are set.

    A malformed value is logged and ignored (the default stands) rather than
    failing every document: a limit is a safety net, not an input.
    """
    env = os.environ if environ is None else environ
    overrides: dict[str, int] = {}
    for f in fields(Limits):
        raw = env.get(_ENV_PREFIX + f.name.upper())
        if raw is None:
            continue
        try:
            value = parse_size(raw)
        except ValueError:
            value = 0
        if value > 0:
            overrides[f.name] = value
        else:
            _log.warning(
                "ignoring %s=%r: not a positive size; the default %s stands", _ENV_PREFIX + f.name.upper(), raw, f.default
            )
    return Limits(**overrides)
