"""``pip install .``: the wheel holds the four packages and their data, and its ``govreports`` script works installed.

The wheel is built without build isolation (setuptools of this venv, no download) and
installed ``--no-deps`` into a fresh virtual environment that sees this venv's packages
through a ``.pth`` line placed after its own site-packages, so the ``crawler`` that runs
is the installed copy, not the checkout.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import tomllib
import zipfile
from pathlib import Path

import pytest

from tests.conftest import FIXTURES, ROOT

PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))


def runtime_requirements() -> list[str]:
    text = (ROOT / "requirements.txt").read_text("utf-8").split("# Development and CI")[0]
    return [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")]


def test_dependencies_are_the_runtime_pins_of_requirements_txt():
    assert PYPROJECT["project"]["dependencies"] == runtime_requirements()
    assert all(re.fullmatch(r"[A-Za-z0-9_.\-\[\]]+==[\w.]+", d) for d in runtime_requirements()), "exact pins"


def test_console_script_and_import_package():
    assert PYPROJECT["project"]["name"] == "govreports"
    assert PYPROJECT["project"]["scripts"] == {"govreports": "crawler.cli.main:main"}


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    build = tmp_path_factory.mktemp("build")
    # setuptools may leave build/ and *.egg-info in the checkout: remove them after, unless they were there before
    leftovers = [p for p in (ROOT / "build", ROOT / "govreports.egg-info") if not p.exists()]
    result = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(out), str(ROOT)],
        capture_output=True,
        text=True,
        env={**os.environ, "TMPDIR": str(build)},
    )
    assert result.returncode == 0, result.stderr[-2000:]
    for leftover in leftovers:
        shutil.rmtree(leftover, ignore_errors=True)
    (found,) = out.glob("govreports-*.whl")
    return found


def test_wheel_contents(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    for required in (
        "crawler/__init__.py",
        "crawler/py.typed",
        "crawler/schema/record.schema.json",
        "crawler/data/divisions.json",
        "crawler/data/regions.json",
        "crawler/publish/browse/build.py",
        "crawler/publish/site/build.py",
        "spiders/reports.py",
        "pipelines/reports.py",
        "archive/writer.py",
    ):
        assert required in names, required
    assert not any(n.startswith(("tests/", "bench/")) for n in names), "tests and benchmarks stay out of the package"
    metadata = zipfile.ZipFile(wheel).read(next(n for n in names if n.endswith(".dist-info/METADATA"))).decode()
    assert "Requires-Dist: scrapy==2.19.0" in metadata
    entry_points = zipfile.ZipFile(wheel).read(next(n for n in names if n.endswith(".dist-info/entry_points.txt"))).decode()
    assert "govreports = crawler.cli.main:main" in entry_points


def test_installed_console_script_parses_outside_the_checkout(wheel, tmp_path):
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    site = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    # this venv's third-party packages after the new venv's own (a .pth adds its lines at the end of sys.path)
    (Path(site) / "zz_shared_deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n", "utf-8")
    install = subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps", "-q", str(wheel)],
        capture_output=True,
        text=True,
    )
    assert install.returncode == 0, install.stderr[-2000:]
    work = tmp_path / "elsewhere"
    work.mkdir()
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    where = subprocess.run(
        [str(python), "-c", "import crawler; print(crawler.__file__)"],
        capture_output=True,
        text=True,
        cwd=work,
        env=env,
        check=True,
    )
    assert where.stdout.strip().startswith(str(venv)), "the installed copy is the one imported"
    result = subprocess.run(
        [str(venv / "bin" / "govreports"), "parse", str(FIXTURES / "gov2021_merged.docx"), "--json"],
        capture_output=True,
        text=True,
        cwd=work,
        env=env,
    )
    assert result.returncode == 0, result.stderr
    record = json.loads(result.stdout)
    assert record["template"] == "2021"
    assert record["region"]["province"] == "江苏省", "divisions.json came along as package data"
    bad = subprocess.run(
        [str(venv / "bin" / "govreports"), "parse", str(work / "none.pdf")], capture_output=True, text=True, cwd=work, env=env
    )
    assert bad.returncode == 2
    assert "Traceback" not in bad.stderr
