"""A hostile portal on 127.0.0.1: a few genuine reports among the traps real portals set.

One disclosure column (``/xxgk/index.html``) links genuine reports and every trap:
redirect loops (two pages redirecting to each other; an endless chain), a redirect to
another host, a next-link calendar that never ends, a page that drips a byte at a time,
a 200 MiB body (declared, and streamed without a length), a Content-Length larger than
the body, a connection reset mid-body, ``Content-Encoding: gzip`` on a plain body,
a GB2312 list with invalid bytes, 100,000 nested tags, 10,000 links, odd URLs (spaces,
Chinese, backslashes, a fragment), a malformed link (``http://[::1/…``), a PDF link that
answers HTML, a truncated PDF, a PDF of 2,000 blank pages, a list API whose JSON is not
what the CMS documents, robots.txt, 429 with ``Retry-After``, and a list that scripts
fill and re-poll every 300 ms, so the network is never idle.

The genuine reports are an evaluation fixture served byte for byte (GBK HTML, a PDF) and
derived 2021-template reports (:func:`crawler.demo.documents.derive_report_body`).
:meth:`FaultPortal.expected` says which URLs are genuine and what each trap should end as.

    python -m crawler.demo.faults --port 8001
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import io
import json
import signal
import socket
import struct
import sys
import threading
import time
from dataclasses import dataclass
from datetime import date
from html import escape
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Self
from urllib.parse import quote, unquote, urlsplit

from crawler.demo.documents import derive_report_body, load_fixtures
from crawler.demo.portal import DEFAULT_DOCUMENTS

HUGE = 200 * 2**20
CALENDAR_STEP = "下一页"
ODD_FOLDER = "年报 2022"


@dataclass(frozen=True)
class Genuine:
    path: str  # server path, unencoded
    title: str
    agency: str
    year: int
    js_only: bool = False  # linked only from the script-filled list


def _page(title: str, main: str, *, charset: str = "utf-8", head: str = "") -> str:
    return (
        f'<!DOCTYPE html>\n<html><head><meta charset="{charset}"><title>{escape(title)}_示范县人民政府</title>\n'
        f'<meta name="ArticleTitle" content="{escape(title)}">{head}</head>\n<body>\n'
        f'<div class="nav"><a href="/">首页</a> <a href="/xxgk/index.html">政府信息公开</a></div>\n{main}\n</body></html>\n'
    )


def _link(href: str, text: str) -> str:
    return f'<li><a href="{escape(href)}" target="_blank">{escape(text)}</a><span>2023-01-20</span></li>'


def blank_pdf(pages: int) -> bytes:
    """A PDF of ``pages`` empty A4 pages sharing one empty content stream, written by hand."""
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b""]
    kids = []
    for i in range(pages):
        kids.append(f"{4 + i} 0 R".encode())
    objects[1] = b"<< /Type /Pages /Kids [" + b" ".join(kids) + b"] /Count " + str(pages).encode() + b" >>"
    objects.append(b"<< /Length 0 >>\nstream\n\nendstream")
    objects += [b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 3 0 R /Resources << >> >>"] * pages
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for n, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(f"{n} 0 obj\n".encode() + body + b"\nendobj\n")
    xref = out.tell()
    out.write(f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode())
    for off in offsets:
        out.write(f"{off:010d} 00000 n \n".encode())
    out.write(f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode())
    return out.getvalue()


class FaultSite:
    """The pages and traps, built once for the server's address."""

    def __init__(self, documents_dir: Path, base_url: str, offsite_url: str) -> None:
        self.base_url, self.offsite_url = base_url, offsite_url
        fixtures = load_fixtures(documents_dir)
        html_fx, pdf_fx = fixtures["gov2021_gbk.html"], fixtures["gov2021_merged.pdf"]
        self.pdf = pdf_fx.read()
        day = date(2023, 1, 20)

        def derived(agency: str) -> bytes:
            title = f"{agency}2022年政府信息公开工作年度报告"
            return _page(title, f"<h1>{title}</h1>\n{derive_report_body(documents_dir, agency, 2022, day)}").encode("utf-8")

        self.genuine = [
            Genuine(f"/xxgk/{ODD_FOLDER}/report one.html", html_fx.title, html_fx.agency, html_fx.year),
            Genuine("/xxgk/t20230120_2.html", pdf_fx.title, pdf_fx.agency, pdf_fx.year),
            Genuine("/xxgk/t20230121_3.html", "示范县教育局2022年政府信息公开工作年度报告", "示范县教育局", 2022),
            Genuine("/xxgk/t20230122_4.html", "示范县卫生健康局2022年政府信息公开工作年度报告", "示范县卫生健康局", 2022),
            Genuine("/xxgk/gbnb/t20230124_6.html", "示范县交通运输局2022年政府信息公开工作年度报告", "示范县交通运输局", 2022),
            Genuine(
                "/xxgk/jsnb/t20230123_5.html", "示范县民政局2022年政府信息公开工作年度报告", "示范县民政局", 2022, js_only=True
            ),
        ]
        g = self.genuine
        self.static: dict[str, tuple[str, bytes]] = {
            "/robots.txt": ("text/plain", b"User-agent: *\nDisallow: /private/\n"),
            "/": ("text/html; charset=utf-8", _page("示范县人民政府", _home(offsite_url)).encode()),
            "/xxgk/index.html": ("text/html; charset=utf-8", _column(g).encode()),
            g[0].path: ("text/html", html_fx.read()),  # GBK, charset declared in the page
            g[1].path: ("text/html; charset=utf-8", _with_attachment(g[1].title).encode()),
            "/files/report2.pdf": ("application/pdf", self.pdf),
            g[2].path: ("text/html; charset=utf-8", derived(g[2].agency)),
            g[3].path: ("text/html; charset=utf-8", derived(g[3].agency)),
            g[4].path: ("text/html; charset=utf-8", derived(g[4].agency)),
            g[5].path: ("text/html; charset=utf-8", derived(g[5].agency)),
            "/xxgk/gbnb/index.html": ("text/html; charset=gb2312", _bad_gb2312(g[4])),
            "/xxgk/nested/index.html": ("text/html; charset=utf-8", _nested().encode()),
            "/xxgk/links/index.html": ("text/html; charset=utf-8", _many_links().encode()),
            "/xxgk/jsnb/index.html": ("text/html; charset=utf-8", _polling_list().encode()),
            "/xxgk/jsnb/list.json": ("application/json", json.dumps([{"url": g[5].path, "title": g[5].title}]).encode()),
            "/xxgk/gkmlpt/index.html": ("text/html; charset=utf-8", _gkmlpt_page().encode()),
            "/gkmlpt/api/all/5": ("application/json", b"[]"),  # documented as an object with "articles"
            "/files/fake.pdf": ("text/html; charset=utf-8", _page("404 页面不存在", "<p>您访问的页面不存在</p>").encode()),
            "/files/truncated.pdf": ("application/pdf", self.pdf[: len(self.pdf) // 3]),
            "/files/blank.pdf": ("application/pdf", blank_pdf(2000)),
            "/private/t20230125_9.html": ("text/html; charset=utf-8", derived("示范县保密局")),
        }
        self.redirects = {
            "/xxgk/loop/a.html": "/xxgk/loop/b.html",
            "/xxgk/loop/b.html": "/xxgk/loop/a.html",
            "/xxgk/moved.html": offsite_url + "xxgk/t20230126_7.html",
        }

    def url(self, path: str) -> str:
        """The canonical absolute URL of a server path (what requests and records carry)."""
        return self.base_url.rstrip("/") + quote(path, safe="/?&=")

    def expected(self) -> dict[str, Any]:
        """Genuine report URLs and the state each trap's URL must end in (``failed`` / ``skipped``)."""
        u = self.url
        return {
            "base_url": self.base_url,
            "offsite_url": self.offsite_url,
            "genuine": {u(g.path): {"title": g.title, "agency": g.agency, "year": g.year} for g in self.genuine if not g.js_only},
            "js_only": {u(g.path): {"title": g.title, "agency": g.agency, "year": g.year} for g in self.genuine if g.js_only},
            "attachments": [u("/files/report2.pdf")],
            "traps": {
                u("/xxgk/loop/a.html"): ("failed", "redirect loop"),
                u("/xxgk/chain/0.html"): ("failed", "redirect loop"),
                u("/xxgk/moved.html"): ("skipped", "off-site redirect"),
                u("/xxgk/t20230127_drip.html"): ("failed", "fetch failed"),
                u("/files/huge.pdf"): ("failed", "fetch failed"),
                u("/files/stream.pdf"): ("failed", "fetch failed"),
                u("/xxgk/t20230128_short.html"): ("failed", "fetch failed"),
                u("/xxgk/t20230129_reset.html"): ("failed", "fetch failed"),
                "http://[::1/bad.html": ("failed", "malformed link"),
                u("/files/fake.pdf"): ("refused|failed", ""),
                u("/files/truncated.pdf"): ("failed", "document failed"),
                u("/files/blank.pdf"): ("refused|failed", ""),
                u("/private/t20230125_9.html"): ("skipped", "robots.txt"),
                u("/gkmlpt/api/all/5?page=1&sid=fault-sid"): ("failed", "exception while reading the page"),
                self.offsite_url + "xxgk/index.html": ("skipped", "off-site link"),
            },
            "calendar_prefix": u("/xxgk/calendar/"),
            "busy_url": u(self.genuine[3].path),
            "gzip_mislabelled_url": u(self.genuine[2].path),
        }


def _home(offsite_url: str) -> str:
    return (
        '<ul><li><a href="/xxgk/index.html">政府信息公开</a></li>'
        f'<li><a href="{escape(offsite_url)}xxgk/index.html">省政府信息公开</a></li></ul>'
    )


def _column(g: list[Genuine]) -> str:
    items = [
        # a malformed link first: the rest of the list must still be followed
        _link("http://[::1/bad.html", "示范县2018年政府信息公开工作年度报告"),
        _link(f"{ODD_FOLDER}/report one.html#top", g[0].title),
        _link(g[1].path, g[1].title),
        _link(g[2].path, g[2].title),
        _link(g[3].path, g[3].title),
        _link("loop/a.html", "示范县发展改革局2022年政府信息公开工作年度报告"),
        _link("chain/0.html", "示范县司法局2022年政府信息公开工作年度报告"),
        _link("moved.html", "示范县审计局2022年政府信息公开工作年度报告"),
        _link("t20230127_drip.html", "示范县统计局2022年政府信息公开工作年度报告"),
        _link("t20230128_short.html", "示范县水利局2022年政府信息公开工作年度报告"),
        _link("t20230129_reset.html", "示范县林业局2022年政府信息公开工作年度报告"),
        _link("/files/huge.pdf", "示范县商务局2022年政府信息公开工作年度报告.pdf"),
        _link("/files/stream.pdf", "示范县文旅局2022年政府信息公开工作年度报告.pdf"),
        _link("/files/fake.pdf", "示范县应急局2022年政府信息公开工作年度报告.pdf"),
        _link("/files/truncated.pdf", "示范县医保局2022年政府信息公开工作年度报告.pdf"),
        _link("/files/blank.pdf", "示范县档案局2022年政府信息公开工作年度报告.pdf"),
        _link("/private/t20230125_9.html", "示范县保密局2022年政府信息公开工作年度报告"),
        _link("calendar/index.html", "信息公开日历"),
        _link("gbnb/index.html", "部门年报"),
        _link("nested/index.html", "乡镇年报"),
        _link("links/index.html", "政务公开动态"),
        _link("jsnb/index.html", "年报"),
        _link("gkmlpt/index.html", "政府信息公开目录"),
    ]
    return _page("政府信息公开", f'<ul class="list">{"".join(items)}</ul>')


def _with_attachment(title: str) -> str:
    # a backslash path as Windows editors paste it: browsers read it as ../files/report2.pdf
    body = f'<h1>{escape(title)}</h1><p>详见附件。</p><p><a href="..\\files\\report2.pdf">{escape(title)}.pdf</a></p>'
    return _page(title, body)


def _bad_gb2312(report: Genuine) -> bytes:
    head = _page("部门年报", f'<ul class="list">{_link(report.path, report.title)}</ul><p>说明：', charset="gb2312")
    # bytes GB2312 cannot hold (a lone lead byte, a C1 control, a lead byte with a bad trail)
    return head.encode("gb2312").replace(b"</body>", b"\xa1\x80\xff\xfe\x81\x20\x8e</p></body>")


def _nested() -> str:
    return _page("乡镇年报", "<div>" * 100_000 + "深" + "</div>" * 100_000)


def _many_links() -> str:
    links = "".join(f'<li><a href="/xxgk/news/n{i}.html">示范县工作动态第{i}期</a></li>' for i in range(10_000))
    return _page("政务公开动态", f"<ul>{links}</ul>")


def _polling_list() -> str:
    script = """<script>
function render(items){var ul=document.getElementById('list');ul.innerHTML='';
 items.forEach(function(it){var li=document.createElement('li');var a=document.createElement('a');
 a.href=it.url;a.textContent=it.title;li.appendChild(a);ul.appendChild(li);});}
function poll(){fetch('list.json?t='+Date.now()).then(function(r){return r.json();}).then(render).catch(function(){});}
poll();setInterval(poll,300);
</script>"""
    return _page("政府信息公开年报", '<ul id="list"></ul>' + script)


def _gkmlpt_page() -> str:
    return _page(
        "政府信息公开目录",
        "<div id='app'></div><script>var SID = 'fault-sid'; window.location.hash; /* gkmlpt/index#5 */</script>",
    )


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, portal: FaultPortal, name: str, port: int = 0) -> None:
        super().__init__(("127.0.0.1", port), _Handler)
        self.portal = portal
        self.name = name


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.0"  # every answer closes its connection: the traps control the socket

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        portal = self.server.portal
        path = unquote(urlsplit(self.path).path)
        with portal.lock:
            portal.hits[f"{self.server.name}:{path}"] += 1
            portal.times[f"{self.server.name}:{path}"].append(time.monotonic())
        try:
            if self.server.name == "offsite":
                self._send(
                    200, "text/html; charset=utf-8", _page("示范县审计局2022年政府信息公开工作年度报告", "<p>别处</p>").encode()
                )
            else:
                self._route(path)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (a cut download, a timeout): that is the point of the trap

    def _send(self, status: int, ctype: str, body: bytes, headers: tuple[tuple[str, str], ...] = ()) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _route(self, path: str) -> None:
        site, portal = self.server.portal.site, self.server.portal
        if path in site.redirects:
            return self._send(302, "text/html", b"<html>302 Found</html>", (("Location", site.redirects[path]),))
        if path.startswith("/xxgk/chain/"):  # every page redirects to the next: never an answer
            n = int(path.rsplit("/", 1)[-1].split(".")[0] or 0)
            return self._send(302, "text/html", b"", (("Location", f"/xxgk/chain/{n + 1}.html"),))
        if path.startswith("/xxgk/calendar/"):
            return self._calendar(path)
        if path == site.genuine[3].path and portal.hits[f"main:{path}"] == 1:
            return self._send(429, "text/html", b"<html>429 Too Many Requests</html>", (("Retry-After", "1"),))
        if path == site.genuine[2].path:  # labelled gzip, sent plain (a misconfigured front server)
            ctype, body = site.static[path]
            return self._send(200, ctype, body, (("Content-Encoding", "gzip"),))
        if path.endswith("_drip.html"):
            return self._drip()
        if path == "/files/huge.pdf":
            return self._stream(declared=True)
        if path == "/files/stream.pdf":
            return self._stream(declared=False)
        if path.endswith("_short.html"):
            return self._short()
        if path.endswith("_reset.html"):
            return self._reset()
        if path in site.static:
            ctype, body = site.static[path]
            return self._send(200, ctype, body)
        return self._send(404, "text/html", b"<html><title>404 Not Found</title></html>")

    def _calendar(self, path: str) -> None:
        name = path.rsplit("/", 1)[-1]
        n = int(name.removeprefix("index").removeprefix("_").split(".")[0] or 0)
        body = _page(f"信息公开日历 第{n + 1}页", f'<p>本月无内容</p><a href="index_{n + 1}.html">{CALENDAR_STEP}</a>')
        self._send(200, "text/html; charset=utf-8", body.encode())

    def _drip(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", "1000000")
        self.end_headers()
        stop = self.server.portal.stopping
        while not stop.wait(0.3):
            self.wfile.write(b" ")
            self.wfile.flush()

    def _stream(self, declared: bool) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/pdf")
        if declared:
            self.send_header("Content-Length", str(HUGE))
        self.end_headers()
        chunk = b"%PDF-1.4\n" + b"0" * (2**16 - 9)
        sent, stop = 0, self.server.portal.stopping
        while sent < HUGE and not stop.is_set():
            self.wfile.write(chunk)
            sent += len(chunk)

    def _short(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", "50000")
        self.end_headers()
        self.wfile.write(_page("示范县水利局2022年政府信息公开工作年度报告", "<p>正文")[:400].encode())

    def _reset(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", "50000")
        self.end_headers()
        self.wfile.write(b"<html><head><title>" + "示范县林业局".encode() + b"</title></head><body>" + b"x" * 4000)
        self.wfile.flush()
        # SO_LINGER 0: close() sends a TCP RST instead of a FIN
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.connection.close()


class FaultPortal:
    """The hostile portal and an off-site host, on 127.0.0.1; ``hits`` and ``times`` per ``server:path``."""

    def __init__(self, documents_dir: Path | None = None, port: int = 0) -> None:
        self.documents_dir = (documents_dir or DEFAULT_DOCUMENTS).resolve()
        self.port = port
        self.hits: collections.Counter[str] = collections.Counter()
        self.times: collections.defaultdict[str, list[float]] = collections.defaultdict(list)
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self._servers: list[_Server] = []
        self._site: FaultSite | None = None

    @property
    def site(self) -> FaultSite:
        if self._site is None:
            raise RuntimeError("FaultPortal.start() has not been called")
        return self._site

    @property
    def base_url(self) -> str:
        return self.site.base_url

    def start(self) -> Self:
        main, offsite = _Server(self, "main", self.port), _Server(self, "offsite")
        self._servers = [main, offsite]
        self._site = FaultSite(
            self.documents_dir, f"http://127.0.0.1:{main.server_address[1]}/", f"http://127.0.0.1:{offsite.server_address[1]}/"
        )
        for server in self._servers:
            threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True).start()
        return self

    def stop(self) -> None:
        self.stopping.set()
        for server in self._servers:
            server.shutdown()
            server.server_close()
        self._servers = []

    def expected(self) -> dict[str, Any]:
        return self.site.expected()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m crawler.demo.faults", description="Serve the hostile demo portal on 127.0.0.1."
    )
    parser.add_argument("--port", type=int, default=8001, help="port of the portal (0: any free port)")
    args = parser.parse_args(argv)
    try:
        portal = FaultPortal(port=args.port).start()
    except (OSError, ValueError, KeyError) as exc:
        sys.stderr.write(f"error: cannot start the fault portal: {exc}\n")
        return 2
    sys.stdout.write(f"fault portal: {portal.base_url} (off-site: {portal.site.offsite_url}); Ctrl-C to stop\n")
    sys.stdout.flush()
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda _signum, _frame: stop.set())
    with contextlib.suppress(KeyboardInterrupt):
        while not stop.wait(0.5):
            pass
    portal.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
