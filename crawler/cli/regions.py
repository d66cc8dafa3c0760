"""``python -m crawler regions``: the registry of regions and their portals, by name or by division code."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from crawler.publish.summary import line, width
from crawler.registry.divisions import load as load_divisions
from crawler.registry.regions import Region, RegistryError, load_registry, select


def add_parser(sub: Any) -> None:
    p = sub.add_parser("regions", help="list the registry: regions and their portals")
    p.add_argument("query", nargs="?", help="only this region and its children, e.g. 江苏省/淮安市")
    p.add_argument("--code", help="only the regions under this GB/T 2260 code, e.g. 320800 (or 32, 3208)")
    p.add_argument("--registry", type=Path, help="another registry file (default: crawler/data/regions.json)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    regions = load_registry(args.registry)
    if args.code:
        code = args.code.strip()
        if not code.isdigit() or len(code) not in (2, 4, 6):
            raise RegistryError(f"--code {args.code!r}: a division code has 2, 4 or 6 digits (32, 3208, 320800)")
        print(describe_division(code))
        try:
            regions = select(regions, code)
        except RegistryError as exc:
            print(f"registry: {exc}")
            return 0
    if args.query:
        regions = select(regions, args.query)
    print(format_table(regions))
    return 0


def describe_division(code: str) -> str:
    """One line on the division itself: its path on the official list and how many units it has below."""
    index = load_divisions()
    full = code.ljust(6, "0")
    if full not in index.by_code:
        raise RegistryError(f"no division has the code {code} on the official list", reason="registry/unknown_region")
    chain = index.chain(full)
    below = [d for d in index.by_code.values() if d.code != full and index.is_within(d.code, full)]
    counts = ", ".join(
        f"{sum(d.level == lv for d in below)} {lv}" for lv in ("prefecture", "county") if any(d.level == lv for d in below)
    )
    return f"{full} {'/'.join(d.name for d in chain)} ({chain[-1].level}{'; ' + counts if counts else ''})"


def format_table(regions: list[Region]) -> str:
    """The table ``python -m crawler regions`` prints: one row per portal.

    Columns: path, level, division code, portal name, url, family, number of report columns.
    """
    header = ("path", "level", "code", "portal", "url", "family", "columns")
    rows: list[tuple[str, ...]] = []
    for region in regions:
        for i, portal in enumerate(region.portals):
            name = portal.name + (" [demo]" if portal.demo else "")
            first = (region.path, region.level, region.code or "-") if i == 0 else ("", "", "")
            rows.append((*first, name, portal.url, portal.family or "-", str(len(portal.report_columns))))
    widths = [max([width(h)] + [width(r[c]) for r in rows]) for c, h in enumerate(header)]
    lines = [line(header, widths), line(["-" * w for w in widths], widths), *(line(r, widths) for r in rows)]
    n_portals = sum(len(r.portals) for r in regions)
    provinces = {r.province for r in regions if r.province and not all(p.demo for p in r.portals)}
    lines.append(f"{len(regions)} regions, {n_portals} portals, {len(provinces)} provinces (the demo region not counted)")
    return "\n".join(text.rstrip() for text in lines)
