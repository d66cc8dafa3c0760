"""Anti-bot cookie challenges: detection, one solve per host, back-off, CAPTCHA hosts, the real browser."""

from __future__ import annotations

from pathlib import Path

import pytest

from crawler.crawl.challenge import ChallengeBook, Solved, detect, solve_in_browser
from crawler.crawl.settings import CHROMIUM
from crawler.demo.govweb import GovWeb

HTML = {"content-type": "text/html; charset=utf-8"}

# 加速乐: a 521 whose script assembles the clearance cookie and reloads
JSL = (
    b"<html><body><script>document.cookie=('_')+('_jsl_clearance_s=1700000000.123|0|')+('abc%3D');"
    b"location.href=location.pathname+location.search</script></body></html>"
)
# WZWS: a 200 stub asking for JavaScript
WZWS = (
    "<!DOCTYPE html><html><head><meta charset='utf-8'><title>提示</title></head><body>"
    "<noscript>请开启JavaScript并刷新该页.</noscript><script>var wzwschallenge='3DA5';"
    "var wzwschallengex='ABCD';function HXXTTKKLLPPP5(){}window.location.href=window.location.href;</script></body></html>"
).encode()
REAL = (
    "<html><head><title>淮安市人民政府</title><script>document.cookie='visited=1';</script></head><body>"
    + "<p>淮安市人民政府召开常务会议，研究部署政府信息公开工作。</p>" * 20
    + "</body></html>"
).encode()
CAPTCHA = "<html><body><p>请输入验证码</p><img src='/captcha.jpg'><script>function s(){}</script></body></html>".encode()


def test_detect() -> None:
    assert detect(521, HTML, JSL) == "cookie"
    assert detect(200, HTML, WZWS) == "cookie"
    assert detect(412, HTML, b"<html><script>$_ts=window['$_ts'];document.cookie='x=1'</script></html>") == "cookie"
    assert detect(200, HTML, REAL) is None  # a real page that also sets a cookie
    assert detect(521, {"content-type": "application/pdf"}, JSL) is None
    assert detect(200, HTML, CAPTCHA) == "captcha"
    assert detect(404, HTML, b"<html><body>not found</body></html>") is None
    # a list that scripts fill asks for JavaScript too, but sets no cookie: not a challenge
    spa = "<html><body><noscript>请开启JavaScript</noscript><div id='app'></div><script src='/app.js'></script></body></html>"
    assert detect(200, HTML, spa.encode()) is None


class FakeSolver:
    def __init__(self) -> None:
        self.calls: list[str] = []

    def __call__(self, url: str) -> Solved:
        self.calls.append(url)
        return Solved("a.gov.cn", {"__jsl_clearance_s": f"token{len(self.calls)}"})


def test_one_solve_per_host_then_back_off_and_give_up(tmp_path: Path) -> None:
    now = [1000.0]
    solver = FakeSolver()
    book = ChallengeBook(tmp_path, solver=solver, max_attempts=2, backoff=30.0, clock=lambda: now[0])
    first = book.solve("http://a.gov.cn/x.html", {})
    assert first is not None and first.cookies == {"__jsl_clearance_s": "token1"}
    assert book.cookie_header("http://a.gov.cn/other") == "__jsl_clearance_s=token1"
    # a request sent before the solve carried no cookie: it gets the earned one, no second browser
    again = book.solve("http://a.gov.cn/y.html", {})
    assert again is not None and again.cookies == {"__jsl_clearance_s": "token1"} and len(solver.calls) == 1
    # challenged although it carried the cookie: a new solve only after the back-off
    assert book.solve("http://a.gov.cn/y.html", {"__jsl_clearance_s": "token1"}) is None
    assert "backing off" in (book.blocked("http://a.gov.cn/") or "")
    now[0] += 31
    assert book.solve("http://a.gov.cn/y.html", {"__jsl_clearance_s": "token1"}) is not None
    assert len(solver.calls) == 2
    now[0] += 1000
    assert book.solve("http://a.gov.cn/y.html", {"__jsl_clearance_s": "token2"}) is None
    assert "given up" in (book.blocked("http://a.gov.cn/") or "")
    # the cookies outlive the run
    assert ChallengeBook(tmp_path, solver=solver).cookie_header("http://a.gov.cn/") == "__jsl_clearance_s=token2"


def test_captcha_hosts_are_listed_and_never_solved(tmp_path: Path) -> None:
    solver = FakeSolver()
    book = ChallengeBook(tmp_path, solver=solver)
    book.note_captcha("https://b.gov.cn/login")
    assert book.solve("https://b.gov.cn/x", {}) is None
    assert solver.calls == []
    assert "CAPTCHA" in (ChallengeBook(tmp_path).blocked("https://b.gov.cn/") or "")
    assert "b.gov.cn" in (tmp_path / "captcha_hosts.json").read_text(encoding="utf-8")


@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed")
def test_the_browser_solves_a_cookie_challenge() -> None:
    with GovWeb() as web:
        url = web.root("127.0.0.9") + "index.html"
        solved = solve_in_browser(url, timeout=30)
        assert solved.error is None, solved.error
        assert solved.cookies == {"__jsl_clearance_s": web.token}
        statuses = [ex.status for ex in solved.exchanges if ex.url == url]
        assert statuses[0] == 521 and statuses[-1] == 200  # the challenge, then the page, both kept for the archive
        assert b"__jsl_clearance_s" in solved.exchanges[0].body
        # bodies come decoded: every exchange states its stored length and no encoding a reader would undo again
        for ex in solved.exchanges:
            names = {name.lower(): value for name, value in ex.headers}
            assert int(names["content-length"]) == len(ex.body)
            assert "content-encoding" not in names and "transfer-encoding" not in names
