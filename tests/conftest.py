"""Shared test helpers: paths of the shared corpus and seeds, skipped when absent."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.eval.gate import SHARED

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "eval" / "fixtures"


def shared_file(relative: str) -> Path:
    path = SHARED / relative
    if not path.exists():
        pytest.skip(f"{path} is absent (the shared corpus is not on this machine)")
    return path
