"""A small government web on loopback hosts, for ``registry discover``, ``crawl --due`` and ``coverage`` tests.

Each site listens on its own address 127.0.0.x (one port for all): a national root, two
provinces, a prefecture (淮安市) with its counties and a department site. Every portal has the
furniture real ones have: a site-list ``<select>`` or link block (地方政府 / 市县政府网站 /
区县政府网站 / 部门网站), a footer with its 政府网站标识码 and ICP record, a 政府信息公开年度报告
column with one report. What discovery must see through is there too:

* 淮安市's Big5 mirror ``/gate/big5/<host>/`` (served in Big5) and a second spelling of its root;
* a county whose portal still calls itself by its old name (洪泽县, a district since 2016);
* a county behind a WAF cookie challenge: a 521 answer whose script sets a cookie and reloads;
* an expired link in a site list whose host an SEO-spam clone now holds: a copy of the
  prefecture's portal, site ID and all, on a non-government host. That host has no address of
  its own: it is reached through the web's proxy listener (``http_proxy``), which answers for
  every host of this web by name, as DNS and the network would;
* the department site (淮安市教育局) publishes no report: a gap for ``coverage``.

Run it by hand: ``python -m crawler.demo.govweb`` (prints the root and the proxy).
"""

from __future__ import annotations

import argparse
import contextlib
import secrets
import socket
import sys
import threading
from dataclasses import dataclass
from datetime import date
from html import escape
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Self
from urllib.parse import urlsplit

from crawler.demo.documents import derive_report_body

DOCUMENTS = Path(__file__).resolve().parents[2] / "tests" / "eval" / "fixtures"
SPAM_HOST = "www.huaian-lvyou.com"
SPAM_IP = "127.0.0.10"  # the clone's address: known by name only to the proxy, as DNS would know it
REPORT_YEAR = 2024


@dataclass(frozen=True)
class GovSite:
    ip: str
    organ: str
    site_id: str
    icp: str
    code: str | None  # the division the test expects (None: national)
    list_heading: str = ""
    children: tuple[str, ...] = ()  # ips (or SPAM_HOST) listed in the site list
    departments: tuple[str, ...] = ()
    report: bool = True
    challenge: bool = False


SITES: tuple[GovSite, ...] = (
    GovSite(
        "127.0.0.2", "中华人民共和国中央人民政府", "bm01000001", "京ICP备05070218号", None, "地方政府", ("127.0.0.3", "127.0.0.4")
    ),
    GovSite(
        "127.0.0.3",
        "江苏省人民政府",
        "3200000001",
        "苏ICP备05009316号",
        "320000",
        "市县政府网站",
        ("127.0.0.5", "big5:127.0.0.5"),
    ),
    GovSite("127.0.0.4", "浙江省人民政府", "3300000001", "浙ICP备05000001号", "330000"),
    GovSite(
        "127.0.0.5",
        "淮安市人民政府",
        "3208000001",
        "苏ICP备05006032号",
        "320800",
        "区县政府网站",
        ("127.0.0.6", "127.0.0.7", "127.0.0.9"),
        ("127.0.0.8", SPAM_HOST),
    ),
    GovSite("127.0.0.6", "洪泽县人民政府", "3208290001", "苏ICP备05006100号", "320813"),
    GovSite("127.0.0.7", "盱眙县人民政府", "3208300001", "苏ICP备05006101号", "320830"),
    GovSite("127.0.0.8", "淮安市教育局", "3208000021", "苏ICP备05006102号", "320800", report=False),
    GovSite("127.0.0.9", "金湖县人民政府", "3208310001", "苏ICP备05006103号", "320831", challenge=True),
)
DEPARTMENT_NAMES = {"127.0.0.8": "淮安市教育局", SPAM_HOST: "淮安市旅游局"}


class GovWeb:
    """The servers: one per site address, and the proxy listener on 127.0.0.1."""

    def __init__(self, port: int = 0) -> None:
        self.port = port or _free_port([*(s.ip for s in SITES), SPAM_IP])
        self.token = secrets.token_hex(8)
        self.hits: dict[str, int] = {}
        self._lock = threading.Lock()
        self._servers: list[ThreadingHTTPServer] = []
        self.proxy_port = 0

    # -- addresses ---------------------------------------------------------------------
    def root(self, ip: str) -> str:
        return f"http://{ip}:{self.port}/"

    @property
    def proxy(self) -> str:
        return f"http://127.0.0.1:{self.proxy_port}"

    def address_of(self, host: str) -> str:
        """What DNS would say: the clone's name resolves to its address, addresses to themselves."""
        return SPAM_IP if host == SPAM_HOST else host

    def site(self, ip: str) -> GovSite:
        return next(s for s in SITES if s.ip == ip)

    def report_url(self, ip: str) -> str:
        return f"{self.root(ip)}zfxxgk/zfxxgknb/202501/t20250120_{ip.rsplit('.', 1)[1]}01.html"

    # -- lifecycle ---------------------------------------------------------------------
    def start(self) -> Self:
        for site in SITES:
            self._serve((site.ip, self.port), site.ip)
        self._serve((SPAM_IP, self.port), SPAM_HOST)
        proxy = self._serve(("127.0.0.1", 0), None)
        self.proxy_port = proxy.server_address[1]
        return self

    def _serve(self, address: tuple[str, int], ip: str | None) -> ThreadingHTTPServer:
        web = self

        class Handler(_Handler):
            pass

        Handler.web, Handler.ip = web, ip
        server = ThreadingHTTPServer(address, Handler)
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, name=f"govweb-{address[0]}", daemon=True).start()
        self._servers.append(server)
        return server

    def stop(self) -> None:
        for server in self._servers:
            server.shutdown()
            server.server_close()
        self._servers.clear()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- pages -------------------------------------------------------------------------
    def answer(self, host: str, path: str, cookie: str) -> tuple[int, str, bytes]:
        """(status, content type, body) for a host (``ip:port`` or a name) and path."""
        name = host.split(":")[0]
        with self._lock:
            self.hits[name] = self.hits.get(name, 0) + 1
        if name == SPAM_HOST:
            return self._page(self.site("127.0.0.5"), path, clone=True)
        site = next((s for s in SITES if s.ip == name), None)
        if site is None or (host.count(":") and host.rsplit(":", 1)[1] != str(self.port)):
            return 404, "text/plain", b"no such site"
        if site.challenge and f"__jsl_clearance_s={self.token}" not in cookie:
            return 521, "text/html; charset=utf-8", self._challenge_page()
        return self._page(site, path)

    def _challenge_page(self) -> bytes:
        # what 加速乐 answers first: a script that computes a cookie and reloads
        parts = ", ".join(f'"{self.token[i : i + 4]}"' for i in range(0, len(self.token), 4))
        return (
            "<html><head><meta charset='utf-8'></head><body><script>"
            f"var p=[{parts}];document.cookie='__jsl_clearance_s='+p.join('')+'; path=/';"
            "location.href=location.pathname+location.search;</script></body></html>"
        ).encode()

    def _page(self, site: GovSite, path: str, *, clone: bool = False) -> tuple[int, str, bytes]:
        if path == "/robots.txt":
            return 200, "text/plain", b"User-agent: *\nDisallow: /search/\n"
        big5 = f"/gate/big5/{site.ip}:{self.port}"
        if path.startswith(big5) and not clone:
            status, _, body = self._page(site, path[len(big5) :] or "/")
            return status, "text/html; charset=big5", body.decode("utf-8").replace("utf-8", "big5").encode("big5", "replace")
        if path in ("/", "/index.html", "/index.htm"):
            return 200, "text/html; charset=utf-8", self._home(site, clone).encode()
        if path == "/zfxxgk/":
            guide = "<p>本指南依据《中华人民共和国政府信息公开条例》编制。</p>"
            return 200, "text/html; charset=utf-8", self._shell(site, f"政府信息公开指南_{site.organ}", guide).encode()
        if site.report and path == "/zfxxgk/zfxxgknb/":
            return 200, "text/html; charset=utf-8", self._list(site).encode()
        if site.report and path == urlsplit(self.report_url(site.ip)).path:
            return 200, "text/html; charset=utf-8", self._report(site).encode()
        return 404, "text/html; charset=utf-8", self._shell(site, "页面不存在", "<p>您访问的页面不存在</p>").encode()

    def _link(self, ref: str) -> tuple[str, str]:
        if ref == SPAM_HOST:
            return f"http://{SPAM_HOST}/", DEPARTMENT_NAMES[SPAM_HOST]
        if ref.startswith("big5:"):
            ip = ref.removeprefix("big5:")
            return f"{self.root(ip)}gate/big5/{ip}:{self.port}/", self.site(ip).organ + "（繁體）"
        return self.root(ref), self.site(ref).organ

    def _home(self, site: GovSite, clone: bool) -> str:
        blocks = []
        if site.children:
            options = "".join(f'<option value="{escape(u)}">{escape(n)}</option>' for u, n in map(self._link, site.children))
            blocks.append(
                f'<div class="zfwz"><select onchange="window.open(this.value)"><option value="">{site.list_heading}</option>'
                f"{options}</select></div>"
            )
        if site.departments:
            links = "".join(
                f'<li><a href="{escape(u)}" target="_blank">{escape(n)}</a></li>' for u, n in map(self._link, site.departments)
            )
            blocks.append(f'<div class="bmwz"><h3>部门网站</h3><ul>{links}</ul></div>')
        column = '<li><a href="/zfxxgk/zfxxgknb/">政府信息公开年度报告</a></li>' if site.report else ""
        main = (
            f'<div class="news"><h3>要闻动态</h3><ul><li><a href="/news/1.html">{escape(site.organ)}召开常务会议</a></li></ul></div>'
            f'<div class="xxgk"><h3>政府信息公开</h3><ul><li><a href="/zfxxgk/">政府信息公开指南</a></li>{column}</ul></div>'
            + "".join(blocks)
        )
        title = f"{site.organ}" if not clone else f"{site.organ}_旅游资讯_娱乐平台"
        return self._shell(site, title, main)

    def _list(self, site: GovSite) -> str:
        title = f"{site.organ}{REPORT_YEAR}年政府信息公开工作年度报告"
        item = f'<li><a href="{escape(self.report_url(site.ip))}" title="{escape(title)}">{escape(title)}</a><span>2025-01-20</span></li>'
        return self._shell(site, f"政府信息公开年度报告_{site.organ}", f'<ul class="list">{item}</ul>')

    def _report(self, site: GovSite) -> str:
        title = f"{site.organ}{REPORT_YEAR}年政府信息公开工作年度报告"
        body = derive_report_body(DOCUMENTS, site.organ, REPORT_YEAR, date(REPORT_YEAR + 1, 1, 20))
        return self._shell(site, f"{title}_{site.organ}", f'<div class="article"><h1>{escape(title)}</h1>{body}</div>')

    def _shell(self, site: GovSite, title: str, main: str) -> str:
        return (
            '<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8">'
            f'<title>{escape(title)}</title><meta name="SiteName" content="{escape(site.organ)}">'
            f'<meta name="SiteIDCode" content="{site.site_id}"></head><body>'
            f'<div class="header"><a href="/">{escape(site.organ)}</a></div><div class="main">{main}</div>'
            f'<div class="footer"><p>主办：{escape(site.organ)}办公室</p>'
            f"<p>政府网站标识码：{site.site_id} &nbsp; {site.icp} &nbsp; 公网安备 00000000000000号</p></div>"
            "</body></html>"
        )


class _Handler(BaseHTTPRequestHandler):
    web: GovWeb
    ip: str | None
    protocol_version = "HTTP/1.1"

    def version_string(self) -> str:
        return "nginx"

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_CONNECT(self) -> None:
        """A tunnel, as proxies give clients that tunnel even plain HTTP (Playwright's fetch does)."""
        host, _, port = self.path.rpartition(":")
        target = (self.web.address_of(host), int(port or 80))
        try:
            upstream = socket.create_connection(target, timeout=10)
        except OSError:
            self.send_error(502)
            return
        self.send_response(200, "Connection established")
        self.end_headers()
        self.close_connection = True
        pipes = [
            threading.Thread(target=_pipe, args=(a, b), daemon=True)
            for a, b in ((self.connection, upstream), (upstream, self.connection))
        ]
        for pipe in pipes:
            pipe.start()
        for pipe in pipes:
            pipe.join(30)
        upstream.close()

    def do_GET(self) -> None:
        target = self.path
        if target.startswith(("http://", "https://")):  # a proxy request names its host
            parts = urlsplit(target)
            host, path = parts.netloc, parts.path or "/"
        else:
            host = (
                (SPAM_HOST if self.ip == SPAM_HOST else f"{self.ip}:{self.web.port}")
                if self.ip
                else str(self.headers.get("Host", ""))
            )
            path = target
        status, ctype, body = self.web.answer(host, path.split("?")[0], self.headers.get("Cookie", ""))
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def _pipe(source: socket.socket, sink: socket.socket) -> None:
    try:
        while chunk := source.recv(65536):
            sink.sendall(chunk)
    except OSError:
        pass
    finally:
        with contextlib.suppress(OSError):
            sink.shutdown(socket.SHUT_WR)


def _free_port(ips: list[str]) -> int:
    """A port free on every address (tried a few times: another process may take one meanwhile)."""
    for _ in range(50):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = int(probe.getsockname()[1])
        try:
            for ip in ips:
                with socket.socket() as s:
                    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                    s.bind((ip, port))
        except OSError:
            continue
        return port
    raise OSError("no port is free on every loopback address of the government web")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args(argv)
    with GovWeb(args.port) as web:
        sys.stderr.write(f"root {web.root('127.0.0.2')}  proxy {web.proxy}\n")
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            return 0
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
