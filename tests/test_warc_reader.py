"""archive/reader.py on WARCs made by hand with warcio, as other tools leave them.

WARC/1.0 and 1.1, gzipped or not; revisits pointing at an original (in the same file, in
another, or in none given); content- and transfer-encoded bodies; a file cut off mid-record;
a record with a target URI no one could fetch; a file that is not a WARC at all.
"""

from __future__ import annotations

import gzip
import io
from pathlib import Path

import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from archive.reader import (
    ArchiveReadError,
    Capture,
    latest_captures,
    load,
    read_response,
    scan,
    warc_files,
)

BASE = "http://www.nantong.gov.cn/ntsrmzf/zfxxgknb/"
PAGE = BASE + "202301/t20230118_1.html"
PDF = BASE + "202301/P020230118.pdf"
HTML = (
    "<html><head><meta charset='utf-8'><title>南通市2022年政府信息公开工作年度报告</title></head><body>一、总体情况</body></html>"
)


class Warc:
    """A WARC file written record by record; remembers each record's offset and id."""

    def __init__(self, path: Path, gz: bool = True, version: str = "1.1") -> None:
        self.path, self.buf = path, io.BytesIO()
        self.writer = WARCWriter(self.buf, gzip=gz, warc_version=version)
        self.at: dict[str, tuple[int, str]] = {}

    def _write(self, name: str, record: object) -> str:
        offset = self.buf.tell()
        self.writer.write_record(record)
        rid = record.rec_headers.get_header("WARC-Record-ID")  # type: ignore[attr-defined]
        self.at[name] = (offset, rid)
        return str(rid)

    def response(self, name: str, url: str, body: bytes, headers: list[tuple[str, str]], status: str = "200 OK",
                 date: str | None = None) -> str:  # fmt: skip
        http = StatusAndHeaders(status, headers, protocol="HTTP/1.1")
        warc_headers = {"WARC-Date": date} if date else None
        record = self.writer.create_warc_record(
            url, "response", payload=io.BytesIO(body), length=len(body), http_headers=http, warc_headers_dict=warc_headers
        )
        return self._write(name, record)

    def revisit(self, name: str, url: str, refers_to: str, date: str) -> str:
        http = StatusAndHeaders("304 Not Modified", [("ETag", '"5d6"')], protocol="HTTP/1.1")
        record = self.writer.create_revisit_record(url, digest="sha1:AAAA", refers_to_uri=url, refers_to_date=date,
                                                   http_headers=http)  # fmt: skip
        record.rec_headers.replace_header("WARC-Refers-To", refers_to)
        record.rec_headers.replace_header("WARC-Date", date)
        return self._write(name, record)

    def request(self, name: str, url: str) -> str:
        http = StatusAndHeaders(f"GET {url} HTTP/1.1", [("Host", "www.nantong.gov.cn")], is_http_request=True)
        return self._write(
            name, self.writer.create_warc_record(url, "request", payload=io.BytesIO(b""), length=0, http_headers=http)
        )

    def save(self) -> Path:
        self.path.write_bytes(self.buf.getvalue())
        return self.path


def _html_headers(body: bytes) -> list[tuple[str, str]]:
    return [("Content-Type", "text/html; charset=utf-8"), ("Content-Length", str(len(body)))]


@pytest.mark.parametrize(("gz", "version"), [(True, "1.1"), (False, "1.1"), (True, "1.0"), (False, "1.0")])
def test_scan_lists_responses_and_revisits_in_any_version(tmp_path: Path, gz: bool, version: str) -> None:
    w = Warc(tmp_path / ("a.warc.gz" if gz else "a.warc"), gz=gz, version=version)
    page = HTML.encode()
    w.response("page", PAGE, page, _html_headers(page), date="2023-01-20T08:00:00Z")
    w.request("req", PAGE)
    w.revisit("again", PAGE, w.at["page"][1], date="2023-02-20T08:00:00Z")
    path = w.save()
    assert path.read_bytes().startswith(b"\x1f\x8b" if gz else f"WARC/{version}".encode())
    seen: list[tuple[str, bytes]] = []
    captures = scan([path], on_html=lambda c, body: seen.append((c.url, body)))
    assert [(c.kind, c.url, c.status, c.offset) for c in captures] == [
        ("response", PAGE, 200, w.at["page"][0]),
        ("revisit", PAGE, 304, w.at["again"][0]),
    ]
    assert captures[0].content_type == "text/html; charset=utf-8" and captures[0].date == "2023-01-20T08:00:00Z"
    assert captures[1].refers_to == captures[0].record_id == w.at["page"][1]
    assert seen == [(PAGE, page)]  # the page's body once; a revisit has none


def test_read_response_at_a_position_and_refusal_of_other_records(tmp_path: Path) -> None:
    w = Warc(tmp_path / "a.warc.gz")
    pdf = b"%PDF-1.7\n1 0 obj<<>>endobj\n%%EOF\n"
    w.response("pdf", PDF, pdf, [("Content-Type", "application/pdf"), ("ETag", '"5d6"')], date="2023-01-20T08:00:01Z")
    w.request("req", PDF)
    w.save()
    got = read_response(tmp_path, "a.warc.gz", w.at["pdf"][0])
    assert (got.url, got.status, got.body, got.record_id) == (PDF, 200, pdf, w.at["pdf"][1])
    assert ("ETag", '"5d6"') in got.headers and got.date == "2023-01-20T08:00:01Z"
    with pytest.raises(ArchiveReadError, match="is a request record, not a response"):
        read_response(tmp_path, "a.warc.gz", w.at["req"][0])
    with pytest.raises(ArchiveReadError, match="cannot read"):
        read_response(tmp_path, "gone.warc.gz", 0)


def test_load_removes_transfer_and_content_encodings(tmp_path: Path) -> None:
    w = Warc(tmp_path / "a.warc.gz")
    page = HTML.encode()
    zipped = gzip.compress(page)
    chunked = b"%x\r\n%s\r\n0\r\n\r\n" % (len(zipped), zipped)
    headers = [("Content-Type", "text/html"), ("Content-Encoding", "gzip"), ("Transfer-Encoding", "chunked")]
    w.response("page", PAGE, chunked, headers)
    w.save()
    (capture,) = scan([w.path])
    loaded = load(capture)
    assert loaded.body == page
    assert loaded.headers["content-encoding"] == "gzip" and loaded.headers["content-type"] == "text/html"


def test_latest_capture_resolves_revisits_and_keeps_only_200s(tmp_path: Path) -> None:
    first = Warc(tmp_path / "1.warc.gz")
    v1, v2 = HTML.encode(), HTML.replace("总体情况", "总体情况（修订）").encode()
    first.response("v1", PAGE, v1, _html_headers(v1), date="2023-01-20T08:00:00Z")
    first.response("pdf", PDF, b"%PDF-1.4\n", [("Content-Type", "application/pdf")], date="2023-01-20T08:00:01Z")
    first.save()
    second = Warc(tmp_path / "2.warc.gz")
    second.revisit("v1-again", PAGE, first.at["v1"][1], date="2023-02-20T08:00:00Z")
    second.response("pdf-gone", PDF, b"", [("Content-Length", "0")], status="404 Not Found", date="2023-02-20T08:00:01Z")
    second.save()
    third = Warc(tmp_path / "3.warc.gz")
    third.response("v2", PAGE, v2, _html_headers(v2), date="2023-03-20T08:00:00Z")
    third.revisit("orphan", PAGE, "<urn:uuid:not-in-these-files>", date="2023-04-20T08:00:00Z")
    third.save()

    files = warc_files([tmp_path])
    assert [p.name for p in files] == ["1.warc.gz", "2.warc.gz", "3.warc.gz"]
    latest = latest_captures(scan(files))
    # the page: v2 (a revisit whose original is in no file given leaves the last response standing)
    assert latest[PAGE].record_id == third.at["v2"][1] and load(latest[PAGE]).body == v2
    # the PDF: its 404 is not content; the last 200 stands
    assert latest[PDF].record_id == first.at["pdf"][1]
    # the first two files alone: the revisit resolves to the original in file 1
    assert latest_captures(scan(files[:2]))[PAGE].record_id == first.at["v1"][1]


@pytest.mark.parametrize("gz", [True, False])
def test_a_truncated_file_keeps_the_records_before_the_break(tmp_path: Path, gz: bool) -> None:
    w = Warc(tmp_path / ("cut.warc.gz" if gz else "cut.warc"), gz=gz)
    page = HTML.encode()
    w.response("page", PAGE, page, _html_headers(page))
    big = bytes(range(256)) * 400
    w.response("pdf", PDF, big, [("Content-Type", "application/pdf")])
    data = w.buf.getvalue()
    cut = w.at["pdf"][0] + (len(data) - w.at["pdf"][0]) // 2  # in the middle of the PDF's body
    w.path.write_bytes(data[:cut])
    problems: list = []
    captures = scan([w.path], problems=problems)
    assert [c.url for c in captures] == [PAGE]
    assert [(p.reason, p.where) for p in problems] == [("archive/truncated", f"{w.path.name}@{w.at['pdf'][0]}")]
    assert "bytes of its block missing" in problems[0].error
    with pytest.raises(ArchiveReadError, match="cut off"):
        scan([w.path])  # without a problems list the first damage is an error
    # read at its position, the cut record is refused, not returned short
    with pytest.raises(ArchiveReadError, match="cut off"):
        read_response(tmp_path, w.path.name, w.at["pdf"][0])
    cut_capture = Capture(PDF, "response", 200, "", w.at["pdf"][1], w.path, w.at["pdf"][0], "application/pdf")
    with pytest.raises(ArchiveReadError, match="cut off"):
        load(cut_capture)
    assert load(captures[0]).body == page


def test_a_bad_target_uri_is_noted_and_the_rest_read(tmp_path: Path) -> None:
    w = Warc(tmp_path / "a.warc")
    page = HTML.encode()
    w.response("bad", "http://[::1/bad.html", page, _html_headers(page))
    w.response("relative", "/zfxxgknb/t1.html", page, _html_headers(page))
    w.response("page", PAGE, page, _html_headers(page))
    w.save()
    problems: list = []
    captures = scan([w.path], problems=problems)
    assert [c.url for c in captures] == [PAGE]
    assert [(p.reason, p.where) for p in problems] == [
        ("archive/bad-uri", f"a.warc@{w.at['bad'][0]}"),
        ("archive/bad-uri", f"a.warc@{w.at['relative'][0]}"),
    ]
    assert "http://[::1/bad.html" in problems[0].error and "not an absolute URL" in problems[1].error


def test_a_page_callback_that_fails_costs_that_page_only(tmp_path: Path) -> None:
    w = Warc(tmp_path / "a.warc.gz")
    for n in range(3):
        body = HTML.replace("南通市", f"南通市{n}").encode()
        w.response(f"p{n}", f"{BASE}t{n}.html", body, _html_headers(body))
    w.save()
    read: list[str] = []

    def on_html(capture: Capture, body: bytes) -> None:
        if capture.url.endswith("t1.html"):
            raise UnicodeDecodeError("utf-8", body, 0, 1, "invalid start byte")
        read.append(capture.url)

    problems: list = []
    assert len(scan([w.path], on_html=on_html, problems=problems)) == 3
    assert read == [f"{BASE}t0.html", f"{BASE}t2.html"]
    assert [(p.where, p.reason) for p in problems] == [(f"{BASE}t1.html", "archive/record")]
    assert "UnicodeDecodeError" in problems[0].error


def test_not_a_warc_and_missing_paths(tmp_path: Path) -> None:
    fake = tmp_path / "report.warc.gz"  # an error page saved under a WARC's name
    fake.write_bytes(b"<html><body><h1>404 Not Found</h1></body></html>\n")
    problems: list = []
    assert scan([fake], problems=problems) == []
    assert [p.reason for p in problems] == ["archive/unreadable"]
    with pytest.raises(ArchiveReadError, match="no such WARC file or folder"):
        warc_files([tmp_path / "nowhere"])
    (tmp_path / "notes.txt").write_text("not listed")
    assert warc_files([tmp_path]) == [fake]
