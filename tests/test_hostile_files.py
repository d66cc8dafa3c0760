"""Hostile files given to ``python -m crawler parse``: every one ends in seconds with a one-line answer.

Each case is built here the way a real tool or a broken portal produces it (a
zip bomb written with zipfile, an encrypted PDF written with pikepdf, a PDF
of 2,000 pages, UTF-16 pages, HTML nested 100,000 deep …) and parsed in a
fresh subprocess, which a small runner process starts so that its peak
memory can be read from ``RUSAGE_CHILDREN`` alone. The parse must exit 0
(a record) or 2 (a one-line reason) within 60 s, never print a traceback,
and stay under 1 GB of memory.
"""

from __future__ import annotations

import io
import json
import random
import subprocess
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from crawler.core.errors import ExtractionError
from crawler.core.extract import extract
from crawler.core.extract.docx import extract_docx
from crawler.core.limits import Limits, current, parse_size
from crawler.core.resource import FetchedResource

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "eval" / "fixtures"
TIMEOUT_S = 60
MAX_RSS_BYTES = 1024**3

# Runs the parse as its own child, so RUSAGE_CHILDREN measures that process only.
_RUNNER = """
import json, resource, subprocess, sys, time
start = time.monotonic()
try:
    p = subprocess.run(sys.argv[2:], capture_output=True, timeout=float(sys.argv[1]))
    rc, out, err = p.returncode, p.stdout, p.stderr
except subprocess.TimeoutExpired as exc:
    rc, out, err = "timeout", exc.stdout or b"", exc.stderr or b""
rss_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
json.dump({"rc": rc, "stdout": out.decode("utf-8", "replace"), "stderr": err.decode("utf-8", "replace"),
           "rss": rss_kib * 1024, "seconds": time.monotonic() - start}, sys.stdout)
"""


def run_parse(path: Path, *args: str) -> dict[str, Any]:
    """``python -m crawler parse PATH ARGS`` in a fresh process: rc, stdout, stderr, peak RSS, seconds."""
    cmd = [sys.executable, "-m", "crawler", "parse", str(path), *args]
    try:
        done = subprocess.run(
            [sys.executable, "-c", _RUNNER, str(TIMEOUT_S), *cmd],
            capture_output=True,
            cwd=ROOT,
            timeout=TIMEOUT_S + 30,
            check=True,
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"parse of {path.name} did not end within {TIMEOUT_S} s")
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def assert_handled(result: dict[str, Any], name: str) -> None:
    assert result["rc"] in (0, 2), f"{name}: exit {result['rc']}: {result['stderr'][-2000:]}"
    assert result["seconds"] < TIMEOUT_S, f"{name}: {result['seconds']:.0f} s"
    assert "Traceback" not in result["stderr"], f"{name}: {result['stderr'][-2000:]}"
    assert result["rss"] < MAX_RSS_BYTES, f"{name}: peak memory {result['rss'] / 1024**2:.0f} MiB"
    if result["rc"] == 2:
        lines = result["stderr"].strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("error: "), f"{name}: {result['stderr'][-2000:]}"


# ---- builders: each writes one hostile file into tmp and returns its path ----


def zip_bomb_docx(tmp: Path, inflated_mb: int = 400) -> Path:
    """A real DOCX whose document.xml is replaced by hundreds of MB of one repeated byte (a ~1 MB zip)."""
    out = tmp / "bomb.docx"
    with zipfile.ZipFile(FIXTURES / "gov2021_merged.docx") as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            if info.filename != "word/document.xml":
                dst.writestr(info, src.read(info.filename))
                continue
            bomb = zipfile.ZipInfo("word/document.xml")
            bomb.compress_type = zipfile.ZIP_DEFLATED
            with dst.open(bomb, "w", force_zip64=True) as part:
                part.write(src.read(info.filename)[:200])  # the real XML declaration and root tag
                block = b"A" * (1 << 20)
                for _ in range(inflated_mb):
                    part.write(block)
    return out


def lying_zip_docx(tmp: Path) -> Path:
    """A zip bomb whose directory declares its document.xml 1,000 bytes long (both headers patched)."""
    bomb = zip_bomb_docx(tmp, inflated_mb=300).read_bytes()
    with zipfile.ZipFile(io.BytesIO(bomb)) as zf:
        info = zf.getinfo("word/document.xml")
        real = info.file_size
    # the local header keeps the size in a ZIP64 extra field (8 bytes), the central directory in its
    # own 4-byte field: patch every copy of both
    patched = bomb.replace(real.to_bytes(8, "little"), (1000).to_bytes(8, "little"))
    patched = patched.replace(real.to_bytes(4, "little"), (1000).to_bytes(4, "little"))
    with zipfile.ZipFile(io.BytesIO(patched)) as zf:
        assert zf.getinfo("word/document.xml").file_size == 1000
    out = tmp / "lying.docx"
    out.write_bytes(patched)
    return out


def page_label(n: int) -> str:
    """A page number in letters (a, b, … z, ba …): digits would make every page's line a running header."""
    out = ""
    while True:
        n, digit = divmod(n, 26)
        out = "abcdefghijklmnopqrstuvwxyz"[digit] + out
        if n == 0:
            return out


def truncated_pdf(tmp: Path) -> Path:
    body = (FIXTURES / "gov2021_merged.pdf").read_bytes()
    out = tmp / "truncated.pdf"
    out.write_bytes(body[: len(body) // 2])
    return out


def encrypted_pdf(tmp: Path) -> Path:
    pikepdf = pytest.importorskip("pikepdf")
    out = tmp / "encrypted.pdf"
    with pikepdf.open(FIXTURES / "gov2021_merged.pdf") as pdf:
        pdf.save(out, encryption=pikepdf.Encryption(user="secret", owner="owner", R=6))
    return out


def many_pages_pdf(tmp: Path, pages: int = 2000) -> Path:
    """A minimal PDF of ``pages`` pages, each with its own line of text, as a PDF writer lays it out."""
    objects: list[bytes] = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"",  # the page tree, filled in below
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    kids = []
    for n in range(pages):
        stream = f"BT /F1 12 Tf 72 720 Td (Annual report part {page_label(n + 1)}) Tj ET".encode()
        objects.append(b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream))
        content = len(objects)
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 3 0 R >> >> /Contents %d 0 R >>"
            % content
        )
        kids.append(b"%d 0 R" % len(objects))
    objects[1] = b"<< /Type /Pages /Count %d /Kids [%s] >>" % (pages, b" ".join(kids))
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n%s\nendobj\n" % (number, body))
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    out.writelines(b"%010d 00000 n \n" % offset for offset in offsets)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    path = tmp / "many_pages.pdf"
    path.write_bytes(out.getvalue())
    return path


def html_as_pdf(tmp: Path) -> Path:
    out = tmp / "report.pdf"
    out.write_bytes((FIXTURES / "pre2019_report.html").read_bytes())
    return out


def huge_html(tmp: Path, megabytes: int = 50) -> Path:
    """A real report page whose body paragraphs repeat to ``megabytes`` MB (a run-away CMS template)."""
    page = (FIXTURES / "gov2021_gbk.html").read_bytes()
    head, sep, tail = page.partition(b"</body>")
    filler = "<p>（一）主动公开情况。本年度通过政府门户网站主动公开政府信息，及时回应社会关切。</p>\n".encode("gb18030")
    out = tmp / "huge.html"
    with out.open("wb") as f:
        f.write(head)
        f.write(filler * (megabytes * 1024**2 // len(filler)))
        f.write(sep + tail)
    return out


def utf16_html(tmp: Path, bom: bool = True, codec: str = "utf-16-le") -> Path:
    text = (FIXTURES / "gov2021_gbk.html").read_bytes().decode("gb18030")
    text = text.replace('charset="gb2312"', 'charset="utf-16"').replace("charset=gb2312", "charset=utf-16")
    out = tmp / f"utf16_{codec}_{'bom' if bom else 'nobom'}.html"
    out.write_bytes(("\ufeff" if bom else "").encode(codec) + text.encode(codec))
    return out


def utf16_text(tmp: Path, bom: bool = True, codec: str = "utf-16-le") -> Path:
    """A text extraction saved as 'Unicode' by Notepad: UTF-16 with CRLF line ends."""
    seed = _seed_text() or "2021年政府信息公开工作年度报告\n一、总体情况\n"
    out = tmp / f"utf16_{codec}_{'bom' if bom else 'nobom'}.txt"
    out.write_bytes(("\ufeff" if bom else "").encode(codec) + seed.replace("\n", "\r\n").encode(codec))
    return out


def _seed_text() -> str | None:
    seeds = sorted(Path("/work/shared/seeds").glob("*.txt")) if Path("/work/shared/seeds").is_dir() else []
    return seeds[0].read_text("utf-8") if seeds else None


def empty_file(tmp: Path) -> Path:
    out = tmp / "empty.pdf"
    out.write_bytes(b"")
    return out


def garbage(tmp: Path) -> Path:
    out = tmp / "garbage.bin"
    out.write_bytes(random.Random(7).randbytes(2 * 1024**2))
    return out


def deep_html(tmp: Path, depth: int = 100_000) -> Path:
    out = tmp / "deep.html"
    body = "<div>" * depth + "<p>2021年政府信息公开工作年度报告</p>" + "</div>" * depth
    out.write_text(f"<html><head><meta charset='utf-8'><title>年度报告</title></head><body>{body}</body></html>", "utf-8")
    return out


def deep_table_html(tmp: Path, depth: int = 20_000) -> Path:
    """Tables nested in table cells, 20,000 deep: recursive table readers recurse once per level."""
    out = tmp / "deep_tables.html"
    body = "<table><tr><td>" * depth + "申请" + "</td></tr></table>" * depth
    out.write_text(f"<html><body><div class='TRS_Editor'>{body}</div></body></html>", "utf-8")
    return out


CASES: dict[str, Callable[[Path], Path]] = {
    "zip_bomb_docx": zip_bomb_docx,
    "lying_zip_docx": lying_zip_docx,
    "truncated_pdf": truncated_pdf,
    "encrypted_pdf": encrypted_pdf,
    "many_pages_pdf": many_pages_pdf,
    "html_as_pdf": html_as_pdf,
    "huge_html": huge_html,
    "utf16_html": utf16_html,
    "utf16_text": utf16_text,
    "empty_file": empty_file,
    "garbage": garbage,
    "deep_html": deep_html,
    "deep_table_html": deep_table_html,
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_hostile_file_ends_cleanly(name: str, tmp_path: Path) -> None:
    path = CASES[name](tmp_path)
    assert_handled(run_parse(path), name)


# ---- what each case should come to, beyond ending cleanly ----


def test_zip_bomb_refused_as_too_large(tmp_path: Path) -> None:
    result = run_parse(zip_bomb_docx(tmp_path))
    assert result["rc"] == 2 and "zip bomb" in result["stderr"]
    with pytest.raises(ExtractionError) as info:
        extract_docx((tmp_path / "bomb.docx").read_bytes())
    assert info.value.reason == "extract/docx/too-large"


def test_lying_zip_directory_does_not_pass(tmp_path: Path) -> None:
    # the directory says 1,000 bytes: either the real inflated size or the CRC gives it away
    with pytest.raises(ExtractionError) as info:
        extract_docx(lying_zip_docx(tmp_path).read_bytes(), Limits(max_inflated_bytes=10 * 1024**2))
    assert info.value.reason in {"extract/docx/too-large", "extract/docx/corrupt"}


def test_inflated_limit_counts_real_bytes(tmp_path: Path) -> None:
    body = zip_bomb_docx(tmp_path, inflated_mb=8).read_bytes()
    with pytest.raises(ExtractionError) as info:
        extract_docx(body, Limits(max_inflated_bytes=4 * 1024**2))
    assert info.value.reason == "extract/docx/too-large"
    # under a generous limit the same file is read, and fails for what it is: not a readable document
    with pytest.raises(ExtractionError) as info:
        extract_docx(body, Limits(max_inflated_bytes=64 * 1024**2))
    assert info.value.reason != "extract/docx/too-large"


def test_real_docx_passes_the_zip_checks() -> None:
    doc = extract_docx((FIXTURES / "gov2021_merged.docx").read_bytes())
    assert doc.tables and doc.paragraphs


def test_encrypted_pdf_reason(tmp_path: Path) -> None:
    result = run_parse(encrypted_pdf(tmp_path))
    assert result["rc"] == 2 and "encrypted PDF" in result["stderr"]


def test_many_pages_read_up_to_the_limit_with_a_warning(tmp_path: Path) -> None:
    body = many_pages_pdf(tmp_path, pages=40).read_bytes()
    doc = extract(FetchedResource(body=body), Limits(max_pdf_pages=10))
    assert doc.pages == 40
    assert any("first 10 of 40 pages" in w for w in doc.warnings)
    texts = " ".join(b for b in doc.blocks if isinstance(b, str))
    assert f"part {page_label(10)}" in texts and f"part {page_label(11)}" not in texts


def test_document_bytes_limit(tmp_path: Path) -> None:
    body = (FIXTURES / "gov2021_merged.pdf").read_bytes()
    with pytest.raises(ExtractionError) as info:
        extract(FetchedResource(body=body), Limits(max_document_bytes=len(body) - 1))
    assert info.value.reason == "extract/too-large"
    assert extract(FetchedResource(body=body), Limits(max_document_bytes=len(body))).tables


def test_huge_html_refused_before_parsing(tmp_path: Path) -> None:
    body = huge_html(tmp_path, megabytes=30).read_bytes()
    assert len(body) > Limits().max_markup_bytes
    with pytest.raises(ExtractionError) as info:
        extract(FetchedResource(body=body))
    assert info.value.reason == "extract/html/too-large"


def test_text_length_limit() -> None:
    body = (FIXTURES / "gov2021_gbk.html").read_bytes()
    doc = extract(FetchedResource(body=body))
    chars = sum(len(b) for b in doc.blocks if isinstance(b, str))
    with pytest.raises(ExtractionError) as info:
        extract(FetchedResource(body=body), Limits(max_text_chars=chars // 2))
    assert info.value.reason == "extract/too-much-text"


def test_limits_from_environment() -> None:
    limits = current({"GOVREPORTS_MAX_PDF_PAGES": "12", "GOVREPORTS_MAX_INFLATED_BYTES": "32M", "GOVREPORTS_MAX_TEXT_CHARS": "x"})
    assert limits.max_pdf_pages == 12
    assert limits.max_inflated_bytes == 32 * 1024**2
    assert limits.max_text_chars == Limits().max_text_chars  # malformed: the default stands
    assert parse_size("2k") == 2048


def test_page_limit_from_environment_reaches_the_command(tmp_path: Path) -> None:
    path = many_pages_pdf(tmp_path, pages=30)
    env = {"GOVREPORTS_MAX_PDF_PAGES": "5", "PATH": "/usr/bin:/bin"}
    done = subprocess.run(
        [sys.executable, "-m", "crawler", "parse", str(path), "--json"], capture_output=True, cwd=ROOT, env=env, timeout=TIMEOUT_S
    )
    # a PDF of page numbers is not a report: the warning is still the one the limit gives
    assert b"Traceback" not in done.stderr
    if done.returncode == 0:
        assert any("first 5 of 30 pages" in w for w in json.loads(done.stdout)["warnings"])
    else:
        assert done.returncode == 2


def _tables(record: dict[str, Any]) -> dict[str, Any]:
    return {k: record.get(k) for k in ("year", "agency", "proactive", "requests", "review_litigation")}


@pytest.fixture(scope="module")
def original_html_record() -> dict[str, Any]:
    original = run_parse(FIXTURES / "gov2021_gbk.html", "--json")
    assert original["rc"] == 0, original["stderr"]
    record: dict[str, Any] = json.loads(original["stdout"])
    return record


@pytest.mark.parametrize(("codec", "bom"), [("utf-16-le", True), ("utf-16-be", True), ("utf-16-le", False), ("utf-32-le", True)])
def test_utf16_html_parses_like_the_original(codec: str, bom: bool, tmp_path: Path, original_html_record: dict[str, Any]) -> None:
    wide = run_parse(utf16_html(tmp_path, bom=bom, codec=codec), "--json")
    assert wide["rc"] == 0, wide["stderr"]
    expected = _tables(original_html_record)
    assert expected["requests"]  # the comparison is not between two empty records
    assert _tables(json.loads(wide["stdout"])) == expected


@pytest.mark.parametrize(("codec", "bom"), [("utf-16-le", True), ("utf-16-le", False), ("utf-16-be", False)])
def test_utf16_text_reads_like_utf8(codec: str, bom: bool, tmp_path: Path) -> None:
    seed = _seed_text()
    if seed is None:
        pytest.skip("the shared seeds are absent")
    wide = FetchedResource(body=utf16_text(tmp_path, bom=bom, codec=codec).read_bytes())
    narrow = FetchedResource(body=seed.replace("\n", "\r\n").encode("utf-8"))
    a, b = extract(wide), extract(narrow)
    assert a.source_format == "text" and a.blocks
    assert [str(x) for x in a.blocks] == [str(x) for x in b.blocks]


def test_binary_with_zero_bytes_is_not_taken_for_utf16() -> None:
    # a table of small 16-bit integers has zeros on one parity, but does not decode to text
    body = b"".join(random.Random(3).randrange(1, 32).to_bytes(2, "little") for _ in range(4096))
    with pytest.raises(ExtractionError) as info:
        extract(FetchedResource(body=body))
    assert info.value.reason == "extract/unknown_format"


def test_zlib_bomb_ratio_is_real(tmp_path: Path) -> None:
    # guard the builder itself: the bomb must be small on disk and huge inflated, or the test above proves nothing
    path = zip_bomb_docx(tmp_path, inflated_mb=100)
    assert path.stat().st_size < 2 * 1024**2
    with zipfile.ZipFile(path) as zf:
        assert zf.getinfo("word/document.xml").file_size >= 100 * 1024**2


# ---- structurally damaged DOCX and control characters: found by fuzzing ----

_W_NS = b"http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_LAUGHS = b"".join(b'<!ENTITY l%d "%s">' % (i + 1, b"&l%d;" % i * 10) for i in range(8))


def rezip_docx(change: Callable[[str, bytes], bytes | None]) -> bytes:
    """The real DOCX fixture with each part passed through ``change`` (None drops the part)."""
    out = io.BytesIO()
    with zipfile.ZipFile(FIXTURES / "gov2021_merged.docx") as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = change(info.filename, src.read(info.filename))
            if body is not None:
                dst.writestr(info.filename, body)
    return out.getvalue()


def _part(name: str, replacement: bytes | None) -> Callable[[str, bytes], bytes | None]:
    return lambda filename, body: replacement if filename == name else body


DAMAGED_DOCX = {
    "no w:body": _part("word/document.xml", b'<?xml version="1.0"?><w:document xmlns:w="' + _W_NS + b'"/>'),
    "another root": _part("word/document.xml", b"<html><body><p>2021</p></body></html>"),
    "no content types": _part("[Content_Types].xml", None),
    "half a document.xml": lambda filename, body: body[: len(body) // 2] if filename == "word/document.xml" else body,
    "entity expansion": lambda filename, body: (
        b'<?xml version="1.0"?><!DOCTYPE w:document [<!ENTITY l0 "lol">'
        + _LAUGHS
        + b"]>"
        + body.split(b"?>", 1)[1].replace(b"<w:t>", b"<w:t>&l8;", 1)
        if filename == "word/document.xml"
        else body
    ),
}


@pytest.mark.parametrize("name", sorted(DAMAGED_DOCX))
def test_structurally_damaged_docx_is_corrupt(name: str) -> None:
    with pytest.raises(ExtractionError) as info:
        extract(FetchedResource(body=rezip_docx(DAMAGED_DOCX[name])))
    assert info.value.reason == "extract/docx/corrupt", str(info.value)


def test_broken_core_properties_lose_only_the_title() -> None:
    doc = extract(FetchedResource(body=rezip_docx(_part("docProps/core.xml", b'<?xml version="1.0"?><other/>'))))
    assert doc.title is None and doc.tables


def test_control_characters_in_html_are_dropped() -> None:
    from crawler.core.report import try_process

    page = (FIXTURES / "gov2021_gbk.html").read_bytes()
    damaged = (
        page.replace(b"<title>", b"<title>\x01", 1)
        .replace(b"<p", b"<h1>\x0b</h1><p", 1)
        .replace(b"<td", b"<td>\x00\x1f</td><td", 1)
    )
    assert damaged.count(b"\x0b") == page.count(b"\x0b") + 1
    outcome, record, error, _ = try_process(FetchedResource(body=damaged))
    original = try_process(FetchedResource(body=page))[1]
    assert outcome == "parsed" and record is not None and original is not None, error
    assert record["year"] == original["year"] and record["agency"] == original["agency"]


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="no /dev/zero")
def test_endless_input_is_refused_at_the_size_limit() -> None:
    # /dev/zero (like a FIFO) has no size to check first: reading must stop at the limit
    env = {"GOVREPORTS_MAX_DOCUMENT_BYTES": "8M", "PATH": "/usr/bin:/bin"}
    done = subprocess.run(
        [sys.executable, "-m", "crawler", "parse", "/dev/zero"], capture_output=True, cwd=ROOT, env=env, timeout=TIMEOUT_S
    )
    assert done.returncode == 2
    assert done.stderr.decode().strip() == f"error: /dev/zero: larger than {8 * 1024**2} bytes (GOVREPORTS_MAX_DOCUMENT_BYTES)"
