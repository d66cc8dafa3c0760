"""Coverage: per division and year, the organs the registry knows, which of them have a stored report, the gaps.

An organ is a registered portal (a government's portal or a department's site). A stored report
is counted for the organ whose site it was found on (its page or any source URL on the portal's
host, any spelling), else for the portal of the same region whose name is the report's agency.
Pure functions over registry regions and store records; ``coverage`` and ``stats`` print them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from crawler.registry.divisions import Divisions
from crawler.registry.regions import Portal, Region
from crawler.registry.sites import site_key

COLUMNS = ("code", "division", "level", "organ", "url", "site_id", "year", "reports", "report_ids", "status")


@dataclass(frozen=True)
class Organ:
    region: Region
    portal: Portal


def _record_keys(record: Mapping[str, Any]) -> set[str]:
    urls = [record.get("page_url") or ""] + [s.get("url", "") for s in record.get("sources", []) or []]
    return {k for k in (site_key(u) for u in urls if u) if k}


def coverage_rows(
    regions: list[Region],
    records: Iterable[Mapping[str, Any]],
    divisions: Divisions,
    year: int | None = None,
    within: str | None = None,
) -> list[dict[str, Any]]:
    """One row per organ and year (the given year, else every year a report was stored for)."""
    organs = [Organ(r, p) for r in regions for p in r.portals]
    if within:
        organs = [o for o in organs if o.region.code and divisions.is_within(o.region.code, within)]
    by_site: dict[str, list[Organ]] = defaultdict(list)
    for organ in organs:
        by_site[site_key(organ.portal.url)].append(organ)
    found: dict[tuple[int, str], list[str]] = defaultdict(list)  # (year, portal url) → report ids
    years: set[int] = set()
    for record in records:
        if record.get("year") is None:
            continue
        owner = _owner(record, by_site, organs)
        if owner is not None:
            found[(record["year"], owner.portal.url)].append(record["id"])
            years.add(record["year"])
    wanted = [year] if year is not None else sorted(years)
    rows = []
    for organ in organs:
        code = organ.region.code
        unit = divisions.by_code.get(code) if code else None
        for y in wanted:
            ids = sorted(found.get((y, organ.portal.url), []))
            rows.append(
                {
                    "code": code or "", "division": organ.region.path, "level": unit.level if unit else organ.region.level,
                    "organ": organ.portal.name, "url": organ.portal.url, "site_id": organ.portal.site_id or "", "year": y,
                    "reports": len(ids), "report_ids": " ".join(ids), "status": "reported" if ids else "gap",
                }
            )  # fmt: skip
    return rows


def _owner(record: Mapping[str, Any], by_site: dict[str, list[Organ]], organs: list[Organ]) -> Organ | None:
    keys = _record_keys(record)
    candidates = [o for k in keys for o in by_site.get(k, [])]
    if len(candidates) > 1:
        # a city portal hosting its departments' reports: the organ named as the agency
        named = [o for o in candidates if o.portal.name == record.get("agency")]
        candidates = named or candidates[:1]
    if candidates:
        return candidates[0]
    agency = record.get("agency")
    named = [o for o in organs if agency and o.portal.name == agency]
    return named[0] if len(named) == 1 else None


def unregistered(divisions: Divisions, regions: list[Region], within: str) -> list[dict[str, Any]]:
    """Divisions under ``within`` (itself included) with no registered organ: where discovery has yet to look."""
    covered = {r.code for r in regions if r.code}
    units = [d for d in divisions.by_code.values() if divisions.is_within(d.code, within)]
    return [
        {"code": d.code, "division": "/".join(u.name for u in divisions.chain(d.code)), "level": d.level}
        for d in sorted(units, key=lambda d: d.code)
        if d.code not in covered
    ]


def province_totals(divisions: Divisions, regions: list[Region], records: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Per province on the official list: its divisions, how many have a registered organ, reports stored."""
    registered: dict[str, set[str]] = defaultdict(set)
    organs: dict[str, int] = defaultdict(int)
    for region in regions:
        if region.code:
            top = divisions.province_of(region.code)
            if top is not None:
                registered[top.code].add(region.code)
                organs[top.code] += len(region.portals)
    reports: dict[str, int] = defaultdict(int)
    years: dict[str, set[int]] = defaultdict(set)
    for record in records:
        code = (record.get("region") or {}).get("code")
        top = divisions.province_of(code) if code else None
        if top is None:
            province = (record.get("region") or {}).get("province")
            match = divisions.named(province, old=False) if province else []
            top = match[0] if len(match) == 1 and match[0].level == "province" else None
        if top is not None:
            reports[top.code] += 1
            if record.get("year") is not None:
                years[top.code].add(record["year"])
    rows = []
    for province in sorted(divisions.at_level("province"), key=lambda d: d.code):
        below = [d for d in divisions.by_code.values() if d.code[:2] == province.code[:2]]
        rows.append(
            {
                "code": province.code, "province": province.name, "divisions": len(below),
                "divisions_registered": len(registered[province.code]), "organs": organs[province.code],
                "reports": reports[province.code], "years": sorted(years[province.code]),
            }
        )  # fmt: skip
    return rows
