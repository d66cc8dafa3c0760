"""Test helpers: a headless Chromium page (Playwright + Debian's /usr/bin/chromium) and a server started as a user would."""

from __future__ import annotations

import contextlib
import json
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from crawler.crawl import settings
from tests.conftest import ROOT

CHROMIUM = Path(settings.CHROMIUM)
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@contextlib.contextmanager
def chromium_page(width: int = 1280, height: int = 900) -> Iterator[tuple[Any, list[str]]]:
    """(page, blocked): every request the page makes off 127.0.0.1 and file:// is refused and listed in ``blocked``."""
    if not CHROMIUM.exists():
        pytest.skip("Chromium is not at /usr/bin/chromium (apt install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": width, "height": height})
            blocked: list[str] = []

            def guard(route: Any) -> None:
                url = route.request.url
                if url.startswith(("http://127.0.0.1", "file://", "data:")):
                    route.continue_()
                else:
                    blocked.append(url)
                    route.abort()

            page.route("**/*", guard)
            yield page, blocked
        finally:
            browser.close()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def get_json(url: str) -> Any:
    with urllib.request.urlopen(url, timeout=20) as response:
        return json.loads(response.read().decode("utf-8"))


@contextlib.contextmanager
def running(args: list[str], ready_url: str, timeout: float = 90) -> Iterator[subprocess.Popen[str]]:
    """``python -m crawler ARGS`` in the background until ``ready_url`` answers; stopped (by its pid) after."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "crawler", *args], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        deadline = time.monotonic() + timeout
        while True:
            if proc.poll() is not None:
                _out, err = proc.communicate()
                raise AssertionError(f"server exited {proc.returncode}: {err[-2000:]}")
            try:
                with urllib.request.urlopen(ready_url, timeout=5):
                    break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                if time.monotonic() > deadline:
                    raise AssertionError(f"{ready_url} did not answer within {timeout} s") from None
                time.sleep(0.3)
        yield proc
    finally:
        proc.terminate()
        try:
            proc.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.communicate()
