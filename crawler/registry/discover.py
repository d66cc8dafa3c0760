"""``registry discover``: grow the registry from the government portals' own site lists.

From a root (中国政府网, a province's portal …) follow the site lists each portal publishes
(:func:`crawler.registry.sites.site_list_links`) breadth first, to a depth. Each linked site's root is
fetched once and classified: a ``.gov.cn`` host is a government site; an address (a government
IP) must prove it with a 政府网站标识码 and a title naming an organ; any other host is rejected,
whatever it copied. Two spellings of one site (http/https, www or not, the Big5 mirror
``/gate/big5/…``, a redirect to a host already seen) are merged; a second host showing a site
ID that a site already has is rejected as a duplicate or clone. Each accepted site is mapped to
a division by its organ's name (old names too) or, failing that, by its site ID's leading code,
and written to the registry with its provenance (found on which page, when) and its site ID.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from crawler.core.parse.region import infer_region
from crawler.registry.divisions import MUNICIPALITIES
from crawler.registry.divisions import load as load_divisions
from crawler.registry.regions import NATIONAL_ROOT, REGISTRY_PATH, RegistryError, load_registry
from crawler.registry.sites import canonical_root, host_kind, page_facts, site_key, site_list_links, unmirror
from crawler.registry.webclient import WebClient


@dataclass
class Site:
    """One site met during discovery, accepted or not."""

    url: str  # the root as registered
    key: str
    organ: str | None = None
    site_id: str | None = None
    icp: str | None = None
    code: str | None = None
    found_on: str | None = None
    found_at: str = ""
    link_text: str = ""
    depth: int = 0
    accepted: bool = False
    reason: str = ""
    aliases: list[str] = field(default_factory=list)
    redirects: list[tuple[int, str, str]] = field(default_factory=list)


@dataclass
class Discovery:
    sites: list[Site] = field(default_factory=list)

    @property
    def accepted(self) -> list[Site]:
        return [s for s in self.sites if s.accepted]

    @property
    def rejected(self) -> list[Site]:
        return [s for s in self.sites if not s.accepted]


def discover(client: WebClient, start: str, *, depth: int = 3, max_sites: int = 500, now: dt.datetime | None = None) -> Discovery:
    """Breadth-first over site lists from ``start``; ``depth`` 0 classifies the start alone."""
    moment = (now or dt.datetime.now(dt.UTC)).replace(microsecond=0).isoformat()
    result = Discovery()
    by_key: dict[str, Site] = {}
    by_site_id: dict[str, Site] = {}
    queue: list[tuple[str, str | None, str, int]] = [(start, None, "", 0)]
    while queue and len(result.sites) < max_sites:
        url, found_on, text, level = queue.pop(0)
        key = site_key(url)
        if not key:
            continue
        if key in by_key:
            known = by_key[key]
            if url != known.url and url not in known.aliases:
                known.aliases.append(url)  # another spelling or the Big5 mirror of a known site
            continue
        site = Site(canonical_root(url), key, found_on=found_on, found_at=moment, link_text=text, depth=level)
        by_key[key] = site
        result.sites.append(site)
        if unmirror(url) != url:
            site.aliases.append(url)
        fetched = client.get(site.url)
        site.redirects = fetched.redirects
        if not fetched.ok:
            site.reason = fetched.error or f"HTTP {fetched.status}"
            continue
        final_key = site_key(fetched.url)
        if final_key != key:
            if final_key in by_key:
                site.reason = f"redirects to {fetched.url}, a site already found ({by_key[final_key].url})"
                by_key[final_key].aliases.append(site.url)
                continue
            by_key[final_key] = site
            site.url, site.key = canonical_root(fetched.url), final_key
        html = fetched.text
        facts = page_facts(html)
        site.organ, site.site_id, site.icp = facts.organ or _organ_from_link(text), facts.site_id, facts.icp
        kind = host_kind(site.url)
        if kind == "other":
            site.reason = "not a government host (neither .gov.cn nor an address)"
            if site.site_id in by_site_id:
                site.reason += f"; copies the site ID {site.site_id} of {by_site_id[site.site_id].url}"
            continue
        if kind == "ip" and not (site.site_id and site.organ):
            site.reason = "an address without a 政府网站标识码 and an organ's name in its title"
            continue
        if site.site_id and site.site_id in by_site_id:
            first = by_site_id[site.site_id]
            site.reason = f"same site ID {site.site_id} as {first.url}: a duplicate"
            first.aliases.append(site.url)
            continue
        site.accepted = True
        site.code = _division_code(site, by_key.get(site_key(found_on)) if found_on else None)
        if site.site_id:
            by_site_id[site.site_id] = site
        if level < depth:
            for link in site_list_links(html, fetched.url):
                queue.append((link.url, fetched.url, link.text, level + 1))
    return result


def _organ_from_link(text: str) -> str | None:
    text = " ".join(text.split())
    return text if 2 <= len(text) <= 30 else None


def _division_code(site: Site, parent: Site | None) -> str | None:
    """The division of a site: from its organ's name, else its site ID's leading code, else its lister's."""
    index = load_divisions()
    for name in (site.organ, site.link_text):
        if name:
            code = infer_region([name]).get("code")
            if code:
                return code
    if site.site_id and site.site_id[:6].isdigit():
        for cut in (6, 4, 2):
            candidate = site.site_id[:cut].ljust(6, "0")
            if candidate in index.by_code and candidate != "000000":
                return candidate
    if parent is not None and parent.code and not _is_place_organ(site.organ):
        return parent.code  # a department of the listing government (教育局 listed by 淮安市)
    return None


def _is_place_organ(organ: str | None) -> bool:
    return bool(organ and "人民政府" in organ)


# --------------------------------------------------------------------------- the registry file


def registry_entries(sites: list[Site]) -> list[dict[str, Any]]:
    """Accepted sites as registry regions (one per division, its sites as portals)."""
    index = load_divisions()
    regions: dict[str, dict[str, Any]] = {}
    for site in sites:
        if not site.accepted:
            continue
        portal: dict[str, Any] = {
            "name": site.organ or site.link_text or site.key, "url": site.url, "family": None, "report_columns": [],
            "source": "registry discover", "site_id": site.site_id, "found_on": site.found_on or site.url,
            "found_at": site.found_at,
        }  # fmt: skip
        if site.code is None:
            path = f"{NATIONAL_ROOT}/{portal['name']}"
            entry: dict[str, Any] = {"path": path, "province": None, "city": None, "county": None, "level": "national"}
        else:
            names = index.path(site.code)
            unit = index.by_code[site.code]
            province, city, county = names["province"], names["city"], names["county"]
            if unit.level == "county" and (unit.parent or "") not in {d.code for d in index.at_level("prefecture")}:
                city = None  # a municipality's district or a county-level unit under its province
            if unit.level == "province":
                city = county = None
            if province and index.resolve(province).code in MUNICIPALITIES and unit.level == "province":
                city = None
            level = {"province": "province", "prefecture": "city", "county": "county"}[unit.level]
            path = "/".join(p for p in (province, city, county) if p)
            entry = {"path": path, "province": province, "city": city, "county": county, "level": level, "code": site.code}
        region = regions.setdefault(str(entry["path"]), {**entry, "portals": []})
        region["portals"].append({k: v for k, v in portal.items() if v is not None or k == "family"})
    return list(regions.values())


def merge_into_registry(path: Path | None, entries: list[dict[str, Any]]) -> tuple[int, int]:
    """Add the entries' portals to the registry file (new regions appended); (regions added, portals added).

    A portal already registered (the same site under any spelling) is left as it is: changes to
    known sites are what ``registry check`` reports, never silent edits.
    """
    target = path or REGISTRY_PATH
    if target.exists():
        load_registry(target)  # refuse to write into a file that does not load
        doc = json.loads(target.read_text(encoding="utf-8"))
    else:
        doc = {"schema": 1, "regions": []}
    known_sites = {site_key(p["url"]) for r in doc["regions"] for p in r["portals"]}
    by_path = {r["path"]: r for r in doc["regions"]}
    regions_added = portals_added = 0
    for entry in entries:
        fresh = [p for p in entry["portals"] if site_key(p["url"]) not in known_sites]
        if not fresh:
            continue
        known_sites.update(site_key(p["url"]) for p in fresh)
        portals_added += len(fresh)
        if entry["path"] in by_path:
            by_path[entry["path"]]["portals"].extend(fresh)
        else:
            region = {**entry, "portals": fresh}
            doc["regions"].append(region)
            by_path[entry["path"]] = region
            regions_added += 1
    text = json.dumps(doc, ensure_ascii=False, indent=2) + "\n"
    tmp = target.with_name(target.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    try:
        load_registry(tmp)
    except RegistryError:
        tmp.unlink()
        raise
    tmp.replace(target)
    return regions_added, portals_added
