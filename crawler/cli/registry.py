"""``python -m crawler registry discover|check``: grow the registry from the portals' site lists; verify it."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from crawler.cli.options import add_store_options, open_store, positive
from crawler.core.errors import ReportError
from crawler.crawl.challenge import ChallengeBook, Solved, solve_in_browser
from crawler.crawl.settings import USER_AGENT
from crawler.publish.summary import line
from crawler.registry.discover import discover, merge_into_registry, registry_entries
from crawler.registry.regcheck import check_portal
from crawler.registry.regions import load_registry, select
from crawler.registry.webclient import WebClient
from crawler.store.runs import RunBook


def add_parser(sub: Any) -> None:
    p = sub.add_parser("registry", help="discover portals from the government's own site lists; check the registry")
    actions = p.add_subparsers(dest="action", required=True)
    d = actions.add_parser("discover", help="follow site lists from a portal and add the government sites found")
    d.add_argument("--from", dest="start", required=True, help="the portal to start from, e.g. https://www.gov.cn/")
    d.add_argument("--depth", type=_depth, default=3, help="how many site lists deep to follow (default 3)")
    d.add_argument("--max-sites", type=positive, default=500, help="stop after this many sites (default 500)")
    d.add_argument("--delay", type=float, default=1.0, help="seconds between two requests to one host (default 1)")
    d.add_argument("--dry-run", action="store_true", help="print what was found, write nothing")
    _common(d)
    d.set_defaults(func=run_discover)
    c = actions.add_parser("check", help="fetch every registered root: reachable, redirects, the same site ID")
    c.add_argument("--region", help="only this region and its children (a path, a name or a division code)")
    c.add_argument("--delay", type=float, default=1.0, help="seconds between two requests to one host (default 1)")
    _common(c)
    c.set_defaults(func=run_check)


def _common(p: Any) -> None:
    p.add_argument("--registry", type=Path, help="the registry file (default: crawler/data/regions.json)")
    p.add_argument("--no-browser", action="store_true", help="do not solve cookie challenges in Chromium")
    add_store_options(p)


def _depth(text: str) -> int:
    value = int(text)
    if not 0 <= value <= 6:
        raise argparse.ArgumentTypeError("a depth from 0 to 6")
    return value


def client_for(args: argparse.Namespace, archive: Any = None) -> WebClient:
    proxy = os.environ.get("http_proxy") or os.environ.get("HTTP_PROXY")

    def solver(url: str) -> Solved:
        if args.no_browser:
            return Solved(urlsplit(url).netloc, {}, error="solving in the browser is off (--no-browser)")
        return solve_in_browser(url, user_agent=USER_AGENT, proxy=proxy)

    book = ChallengeBook(args.data_dir / "challenge", solver=solver)
    return WebClient(USER_AGENT, delay=max(0.0, args.delay), challenges=book, archive=archive)


def run_discover(args: argparse.Namespace) -> int:
    start = args.start.strip()
    parts = urlsplit(start)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ReportError(f"--from {start!r}: give a portal's address, e.g. https://www.gov.cn/", reason="options/invalid")
    writer = _archive(args)
    try:
        result = discover(client_for(args, writer), start, depth=args.depth, max_sites=args.max_sites)
    finally:
        if writer is not None:
            writer.close()
    widths = [8, 32, 28, 12, 10]
    print(line(["code", "site", "organ", "site ID", "depth"], widths))
    for site in result.accepted:
        cells = [site.code or "-", site.url, site.organ or "-", site.site_id or "-", str(site.depth)]
        print(line(cells, widths) + f"  found on {site.found_on or '(start)'}")
        for alias in site.aliases:
            print(f"{'':10}also as {alias}")
    if result.rejected:
        print(f"\nrejected {len(result.rejected)}:")
        for site in result.rejected:
            print(f"  {site.url} ({site.organ or site.link_text or '-'}): {site.reason}")
    summary = f"{len(result.accepted)} government sites, {len(result.rejected)} rejected"
    if args.dry_run:
        print(f"\n{summary}; nothing written (--dry-run)")
        return 0
    regions, portals = merge_into_registry(args.registry, registry_entries(result.sites))
    print(
        f"\n{summary}; {portals} new portals in {regions} new regions written to {args.registry or 'crawler/data/regions.json'}"
    )
    return 0


def run_check(args: argparse.Namespace) -> int:
    regions = load_registry(args.registry)
    if args.region:
        regions = select(regions, args.region)
    store = open_store(args)
    try:
        book = RunBook(store.engine)
        client = client_for(args)
        problems = 0
        for region in regions:
            for portal in region.portals:
                checked = check_portal(client, region, portal, book)
                verdict = "ok" if not checked.problems else "CHANGED"
                problems += bool(checked.problems)
                print(f"{verdict:8} {region.path}  {portal.url}  HTTP {checked.status or '-'}  site ID {checked.site_id or '-'}")
                for text in checked.problems:
                    print(f"{'':9}! {text}")
                for text in checked.notes:
                    print(f"{'':9}  {text}")
    finally:
        store.close()
    total = sum(len(r.portals) for r in regions)
    print(f"\n{total} portals checked, {problems} with changes (the registry was not edited)")
    return 1 if problems else 0


def _archive(args: argparse.Namespace) -> Any:
    """Discovery's exchanges go into the archive beside the crawls' (``govreports-discover-*.warc.gz``)."""
    if args.dry_run:
        return None
    from archive.writer import RollingWarcWriter

    directory = args.data_dir / "warc"
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        print(f"warning: {directory}: {exc}; discovery is not archived", file=sys.stderr)
        return None
    return RollingWarcWriter(directory, prefix="govreports-discover", warcinfo={"software": "govreports registry discover"})
