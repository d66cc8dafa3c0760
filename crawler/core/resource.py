"""FetchedResource: the neutral input of extraction, built from a file, a crawl or a WARC."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class FetchedResource:
    """Bytes of one document plus where and how they were obtained."""

    body: bytes
    url: str | None = None
    content_type: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    fetched_at: str | None = None
    page_url: str | None = None
    warc: dict[str, object] | None = None
    filename: str | None = None
    # The file it was read from, for a saved page's pictures beside it (None for crawled bytes).
    local_path: str | None = None

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.body).hexdigest()

    @classmethod
    def from_path(cls, path: str | Path, url: str | None = None) -> FetchedResource:
        p = Path(path)
        return cls(body=p.read_bytes(), url=url, filename=p.name, local_path=str(p))
