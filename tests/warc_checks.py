"""What the crawl tests compare, shared: records exported as a user would, WARCs checked with warcio.

A record is compared without where and when its bytes were fetched (``_VOLATILE``): those
differ between any two crawls of the same portal. ``warcio check`` is the reference
reader's verdict on a WARC; every WARC must also be listed in the folder's ``index.cdxj``.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.conftest import ROOT

WARCIO = Path(sys.executable).parent / "warcio"
_VOLATILE = {"fetched_at", "warc", "checked_at", "first_seen", "updated_at"}


def stable(value: Any) -> Any:
    """A record without where and when its bytes were fetched."""
    if isinstance(value, dict):
        return {k: stable(v) for k, v in value.items() if k not in _VOLATILE}
    if isinstance(value, list):
        return [stable(v) for v in value]
    return value


def export(data: Path, record: Callable[[dict[str, Any]], Any] = stable) -> dict[str, Any]:
    """``crawler export --format jsonl`` of a data folder: report id → ``record(it)``; never empty."""
    proc = subprocess.run(
        [sys.executable, "-m", "crawler", "export", "--format", "jsonl", "--data-dir", str(data)],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    records = [json.loads(line) for line in proc.stdout.splitlines()]
    assert records, "no records exported"
    return {r["id"]: record(r) for r in records}


def warcs(data: Path) -> list[Path]:
    return sorted((data / "warc").glob("*.warc.gz"))


def check(path: Path) -> subprocess.CompletedProcess[str]:
    """``warcio check`` of one file."""
    return subprocess.run([str(WARCIO), "check", str(path)], capture_output=True, text=True, timeout=60)


def check_warcs(data: Path) -> None:
    """Every WARC of a data folder passes ``warcio check`` and is in its ``index.cdxj``; there is one at least."""
    files = warcs(data)
    assert files, f"no WARC in {data / 'warc'}"
    index = (data / "warc" / "index.cdxj").read_text(encoding="utf-8")
    for path in files:
        result = check(path)
        assert result.returncode == 0, (path.name, result.stdout, result.stderr)
        assert path.name in index, f"{path.name} missing from index.cdxj"
