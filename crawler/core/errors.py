"""One exception hierarchy for the project: every expected failure is a ReportError.

The CLI turns a ReportError into a one-line message and exit status 2; the
crawl and rebuild paths count it per document and go on.
"""

from __future__ import annotations


class ReportError(Exception):
    """Base class of every failure the project reports instead of crashing."""

    #: a short slash-namespaced reason, used as a stats key (``extract/pdf/corrupt``)
    reason = "error"

    def __init__(self, message: str, reason: str | None = None) -> None:
        super().__init__(message)
        if reason is not None:
            self.reason = reason


def first_line(exc: BaseException) -> str:
    """An exception's message cut to its first line (a driver's or warcio's run on), else its type's name."""
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]


class ExtractionError(ReportError):
    """The bytes could not be turned into a document (corrupt, encrypted, empty, unknown).

    Over a limit of :mod:`crawler.core.limits`: ``extract/too-large`` (document bytes),
    ``extract/html/too-large`` and ``extract/text/too-large`` (markup bytes),
    ``extract/docx/too-large`` and ``extract/docx/too-many-parts`` (the zip),
    ``extract/too-much-text`` (characters extracted); ``extract/too-deep`` for markup
    nested past any tree walk.
    """

    reason = "extract/failed"


class NotAReportError(ReportError):
    """The document was read, but it is not an information-disclosure annual report."""

    reason = "parse/not_a_report"
