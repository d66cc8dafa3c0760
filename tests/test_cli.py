"""The command line as a user runs it: a subprocess, exit status, stdout and stderr."""

import json
import subprocess
import sys

import pytest

from tests.conftest import FIXTURES, ROOT, shared_file


def run(*args):
    return subprocess.run([sys.executable, "-m", "crawler", *args], cwd=ROOT, capture_output=True, text=True, timeout=120)


def test_parse_json_record():
    path = shared_file("corpus/hongze_2023.pdf")
    proc = run("parse", str(path), "--json")
    assert proc.returncode == 0, proc.stderr
    record = json.loads(proc.stdout)
    assert record["year"] == 2023 and record["template"] == "2021"
    assert record["review_litigation"]["review"] == {"upheld": 10, "corrected": 1, "other": 0, "pending": 0, "total": 0}
    assert "T4-1:review" in record["failed_checks"]


def test_parse_html_with_url_and_summary():
    proc = run(
        "parse", str(FIXTURES / "gov2021_gbk.html"), "--url", "https://www.example.gov.cn/zfxxgknb/t20230116_1.html", "--json"
    )
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["url"] == "https://www.example.gov.cn/zfxxgknb/t20230116_1.html"
    summary = run("parse", str(FIXTURES / "gov2021_gbk.html"))
    assert summary.returncode == 0
    for part in ("Sections", "Table 二", "Table 三", "Table 四", "Checks:"):
        assert part in summary.stdout


def test_summary_lists_failed_checks():
    proc = run("parse", str(FIXTURES / "gov2021_inconsistent.docx"))
    assert proc.returncode == 0
    assert "FAILED T4-1" in proc.stdout


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"%PDF-1.5 broken", "bad.pdf", "unreadable PDF"),
        (b"", "empty.txt", "empty"),
        (b"\x89PNG\r\n\x1a\n\0\0\0", "image.png", "unreadable image"),
        ("今天天气很好，我们去公园散步。".encode(), "notes.txt", "not a government information-disclosure annual report"),
    ],
)
def test_unusable_file_exit_2_one_line(tmp_path, content, name, message):
    path = tmp_path / name
    path.write_bytes(content)
    proc = run("parse", str(path))
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert message in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1 and "Traceback" not in proc.stderr


def test_missing_file_exit_2(tmp_path):
    proc = run("parse", str(tmp_path / "nope.pdf"))
    assert proc.returncode == 2 and "cannot read" in proc.stderr


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("--max-pages", "0", "must be a positive number"),
        ("--max-pages", "ten", "must be a whole number"),
        ("--parse-timeout", "-1", "must be a positive number"),
        ("--parse-timeout", "soon", "must be a number of seconds"),
    ],
)
def test_crawl_numbers_are_checked_before_anything_starts(option, value, message):
    proc = run("crawl", "--start-url", "http://127.0.0.1:9/", option, value)
    assert proc.returncode == 2 and proc.stdout == ""
    assert f"argument {option}: {message}" in proc.stderr and "Traceback" not in proc.stderr
