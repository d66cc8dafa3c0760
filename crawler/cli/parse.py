"""``python -m crawler parse FILE``: one report file into a record (JSON or a readable summary).

The file is read up to the document size limit of :mod:`crawler.core.limits` and
no further; the other limits apply in extraction.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from crawler.core.limits import current
from crawler.core.report import try_process
from crawler.core.resource import FetchedResource
from crawler.publish.summary import render


def add_parser(sub: Any) -> None:
    p = sub.add_parser("parse", help="parse one report file (PDF, DOCX, HTML or text) into a record")
    p.add_argument("file", type=Path, help="the report document")
    p.add_argument("--json", action="store_true", help="print the record as JSON (RECORD.md) instead of a summary")
    p.add_argument("--url", help="where the document was published (recorded as provenance)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    path: Path = args.file
    limit = current().max_document_bytes
    try:
        body = read_at_most(path, limit)
    except OSError as exc:
        print(f"error: cannot read {path}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    if body is None:
        print(f"error: {path}: larger than {limit} bytes (GOVREPORTS_MAX_DOCUMENT_BYTES)", file=sys.stderr)
        return 2
    resource = FetchedResource(body=body, url=args.url, filename=path.name)
    # the same per-document boundary as the crawl and the rebuild: a reason for every refusal,
    # and a parser bug is a one-line `parse/bug`, never a traceback
    _outcome, record, error, reason = try_process(resource)
    if record is None:
        print(f"error: {path}: {error} [{reason}]", file=sys.stderr)
        return 2
    if args.json:
        json.dump(record, sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    else:
        print(render(record))
    return 0


def read_at_most(path: Path, limit: int) -> bytes | None:
    """The file's bytes, or None when it holds more than ``limit``.

    Reads at most ``limit + 1`` bytes, so a huge file, a FIFO or ``/dev/zero``
    is refused without filling memory (the size ``stat`` gives is 0 for the last two).
    """
    with path.open("rb") as f:
        body = f.read(limit + 1)
    return None if len(body) > limit else body
