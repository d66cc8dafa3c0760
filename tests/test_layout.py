"""The package layout's rules (docs/ARCHITECTURE.md), read from the import statements themselves.

The layers only import downwards: the core (document -> record) knows nothing of Scrapy, the store
or the crawl; the archive knows nothing of the store; the store knows nothing of Scrapy. A test
rather than a convention, because one convenient import is all it takes to tie the layers again.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SCRAPY = ("scrapy", "twisted", "scrapy_redis", "scrapy_playwright")


def _imports(package: str) -> dict[str, set[str]]:
    """Module path -> the absolute module names it imports (inside functions too)."""
    found: dict[str, set[str]] = {}
    for path in sorted((ROOT / package.replace(".", "/")).rglob("*.py")):
        names: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names.add(node.module)
                names.update(f"{node.module}.{alias.name}" for alias in node.names)
            elif isinstance(node, ast.Import):
                names.update(alias.name for alias in node.names)
        found[str(path.relative_to(ROOT))] = names
    return found


def _offences(package: str, forbidden: tuple[str, ...]) -> list[str]:
    return sorted(
        f"{path} imports {name}"
        for path, names in _imports(package).items()
        for name in names
        if any(name == f or name.startswith(f + ".") for f in forbidden)
    )


@pytest.mark.parametrize(
    ("package", "forbidden"),
    [
        ("crawler.core", (*SCRAPY, "crawler.crawl", "crawler.store", "crawler.rebuild", "crawler.cli", "crawler.publish",
                          "archive", "pipelines", "spiders", "sqlalchemy")),
        ("archive", ("crawler.store", "crawler.crawl", "crawler.rebuild", "crawler.cli", "pipelines", "spiders", "sqlalchemy")),
        ("crawler.store", (*SCRAPY, "crawler.crawl", "crawler.cli", "crawler.rebuild", "pipelines", "spiders")),
        ("crawler.registry", (*SCRAPY, "crawler.cli", "crawler.rebuild", "pipelines", "spiders")),
        ("crawler.publish", (*SCRAPY, "crawler.crawl", "crawler.cli", "crawler.rebuild", "pipelines", "spiders")),
        ("crawler.rebuild", (*SCRAPY, "crawler.cli", "pipelines", "spiders")),
    ],
)  # fmt: skip
def test_a_layer_imports_only_what_lies_below_it(package, forbidden):
    assert _imports(package), f"{package} has no modules: the layout moved without this test"
    assert _offences(package, forbidden) == []


def test_the_rule_sees_an_offence(tmp_path, monkeypatch):
    """The checker itself: a module importing Scrapy is reported (else every rule above passes vacuously)."""
    pkg = tmp_path / "fake"
    pkg.mkdir()
    (pkg / "mod.py").write_text("def f():\n    from scrapy.http import Request\n    return Request\n")
    monkeypatch.setattr(f"{__name__}.ROOT", tmp_path)
    assert _offences("fake", SCRAPY) == ["fake/mod.py imports scrapy.http", "fake/mod.py imports scrapy.http.Request"]
