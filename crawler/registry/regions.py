"""The region registry: which portals the crawler knows, by region (``crawler/data/regions.json``).

A region is a path of administrative names, ``省/市/县`` (``江苏省/淮安市/洪泽区``);
each region lists the portals that publish its annual reports and, where known,
the report columns (the list pages of 政府信息公开工作年度报告) on them.
``python -m crawler regions`` prints it (:mod:`crawler.cli.regions`); a crawl
picks regions with :func:`select` and files each fetched page under the region
of its host (:func:`region_of_url`).

How to add a region
-------------------
Append an object to ``"regions"`` in ``crawler/data/regions.json``::

    {"path": "江苏省/淮安市/洪泽区", "province": "江苏省", "city": "淮安市", "county": "洪泽区",
     "level": "county",
     "portals": [{"name": "淮安市洪泽区人民政府", "url": "http://www.hongze.gov.cn/",
                  "family": null, "report_columns": [],
                  "source": "general knowledge, unverified"}]}

Region fields:

* ``path`` -- the names joined by ``/``; unique in the file. It must agree with
  the three name fields and the level:

  - ``"province"``: ``path == province``; ``city`` and ``county`` are null;
  - ``"city"``: ``path == province/city`` (a prefecture-level division on the official list,
    ``crawler/data/divisions.json``: 地级市, 自治州, 地区, 盟); ``county`` is null;
  - ``"county"``: ``path == province/city/county``, or ``province/county`` with a
    null ``city`` for county-level units directly under a province-level one
    (the districts and counties of 北京/天津/上海/重庆, 省直辖县级 units such as
    海南省/屯昌县);
  - ``"national"``: ``path == 国务院部门/<agency>``, all three names null
    (ministries and other central agencies).

* ``province``, ``city``, ``county`` -- full official names (``黔西南布依族苗族自治州``,
  not ``黔西南州``) or null; a city should be on the official list under its province.
* ``level`` -- one of :data:`LEVELS`.
* ``portals`` -- at least one portal.
* ``code`` -- optional GB/T 2260 code of the region (``320813``); it must be on the official
  list (``crawler/data/divisions.json``) and agree with the province. Left out, it is derived from
  the names (the deepest of them the list knows: 岳阳市 for ``湖南省/岳阳市/南湖新区``).
* ``schedule`` -- optional crawl schedule (:mod:`crawler.registry.schedule`), e.g. ``"monthly 1-4; quarterly"``
  (the default: monthly in January–April, when reports are due and late ones trickle in, quarterly
  otherwise); ``crawl --due`` crawls the regions it says are due.
* ``note`` -- optional free text (not loaded).

Portal fields:

* ``name`` -- the publishing organ or site (``淮安市洪泽区人民政府``).
* ``url`` -- the portal root, an absolute ``http(s)`` URL. Keep the scheme and host
  exactly as seen (``http://zp.gov.cn/`` has no ``www``); a bare IP and a port are fine.
* ``family`` -- the CMS family, one of :data:`FAMILIES`, or null when unknown (the
  crawler then sniffs it). Read it from a real URL: ``/art/YYYY/M/D/art_…html`` or
  ``/col/col…`` → ``hanweb``; ``…/YYYYMM/tYYYYMMDD_<id>.html`` → ``trs``;
  ``/content/post_<id>.html`` or ``/gkmlpt/`` → ``gkmlpt``; ``.shtml`` named by a
  32-hex uuid with ``<ucapcontent>`` → ``ucap``; ``/api-gateway/jpaas-publish-server/``
  → ``jpaas``; any other recognisable shape → ``other``.
* ``report_columns`` -- absolute URLs of annual-report list pages, possibly on another
  host (a city portal often hosts its districts' reports); ``[]`` when none is known.
  Derive a column from a report URL by cutting at the column slug:
  ``…/zfxxgknb/202201/t20220128_1870138.htm`` → ``…/zfxxgknb/``.
* ``source`` -- where the URL comes from (``"domain-notes §3.1 URL"``, or
  ``"general knowledge, unverified"`` for a root written from memory).
* ``demo`` -- optional, true only for the local demo portal.
* ``site_id`` -- optional 政府网站标识码 (10 characters) read from the site's footer.
* ``found_on`` / ``found_at`` -- optional provenance written by ``registry discover``: the
  site-list page that linked the portal and when (ISO 8601).

Unknown keys are rejected, so a misspelt field fails loudly.
Run ``python -m pytest -q tests/test_registry.py`` after editing.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn
from urllib.parse import urlsplit

from crawler.core.errors import ReportError
from crawler.registry.divisions import DivisionError, normalise_code
from crawler.registry.divisions import load as load_divisions
from crawler.registry.schedule import ScheduleError, parse_schedule

REGISTRY_PATH = Path(__file__).resolve().parents[1] / "data" / "regions.json"
SCHEMA_VERSION = 1

#: valid values of ``Region.level``
LEVELS = ("national", "province", "city", "county")
#: valid values of ``Portal.family`` (besides ``None``: not known)
FAMILIES = ("hanweb", "trs", "gkmlpt", "ucap", "jpaas", "other")
#: first path segment of a national (central-government) region
NATIONAL_ROOT = "国务院部门"

_REGION_KEYS = {"path", "province", "city", "county", "level", "portals", "note", "code", "schedule"}
_REGION_REQUIRED = ("path", "province", "city", "county", "level", "portals")
_PORTAL_KEYS = {"name", "url", "family", "report_columns", "source", "demo", "note", "site_id", "found_on", "found_at"}
_PORTAL_REQUIRED = ("name", "url", "family", "report_columns")


class RegistryError(ReportError):
    """The registry file is missing or malformed, or a region query matches nothing."""

    reason = "registry/invalid"


@dataclass(frozen=True)
class Portal:
    """One website publishing a region's reports."""

    name: str
    url: str
    family: str | None
    report_columns: tuple[str, ...]
    demo: bool = False
    site_id: str | None = None
    found_on: str | None = None
    found_at: str | None = None


@dataclass(frozen=True)
class Region:
    """One region (``省/市/县`` path) with its portals."""

    path: str
    province: str | None
    city: str | None
    county: str | None
    level: str
    portals: tuple[Portal, ...]
    code: str | None = None
    schedule: str | None = None


# --------------------------------------------------------------------------- loading


def load_registry(path: Path | None = None) -> list[Region]:
    """Read and validate the registry (default ``crawler/data/regions.json``), in file order."""
    source = path if path is not None else REGISTRY_PATH
    try:
        text = source.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise RegistryError(f"region registry {source} does not exist", reason="registry/missing") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise RegistryError(f"region registry {source} cannot be read: {exc}", reason="registry/unreadable") from None
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise RegistryError(
            f"region registry {source} is not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})",
            reason="registry/invalid_json",
        ) from None
    return _parse(doc, source.name)


def _parse(doc: Any, where: str) -> list[Region]:
    if not isinstance(doc, dict):
        _fail(where, "the top level must be an object with 'schema' and 'regions'")
    if doc.get("schema") != SCHEMA_VERSION:
        _fail(where, f"'schema' must be {SCHEMA_VERSION}, got {doc.get('schema')!r}")
    unknown = set(doc) - {"schema", "note", "regions"}
    if unknown:
        _fail(where, f"unknown top-level keys {sorted(unknown)}")
    raw_regions = doc.get("regions")
    if not isinstance(raw_regions, list):
        _fail(where, "'regions' must be a list")
    regions: list[Region] = []
    seen: dict[str, int] = {}
    for index, raw in enumerate(raw_regions):
        region = _parse_region(raw, f"{where}: regions[{index}]")
        if region.path in seen:
            _fail(where, f"regions[{index}]: duplicate path {region.path!r} (first at regions[{seen[region.path]}])")
        seen[region.path] = index
        regions.append(region)
    return regions


def _parse_region(raw: Any, where: str) -> Region:
    if not isinstance(raw, dict):
        _fail(where, "must be an object")
    _check_keys(raw, where, _REGION_KEYS, _REGION_REQUIRED)
    path = raw["path"]
    if not isinstance(path, str) or not path.strip():
        _fail(where, "'path' must be a non-empty string")
    where = f"{where} ({path})"
    names: dict[str, str | None] = {}
    for key in ("province", "city", "county"):
        value = raw[key]
        if value is not None and (not isinstance(value, str) or not value.strip() or "/" in value):
            _fail(where, f"{key!r} must be null or a name without '/', got {value!r}")
        names[key] = value
    level = raw["level"]
    if level not in LEVELS:
        _fail(where, f"'level' must be one of {list(LEVELS)}, got {level!r}")
    _check_path(path, level, names["province"], names["city"], names["county"], where)
    raw_portals = raw["portals"]
    if not isinstance(raw_portals, list) or not raw_portals:
        _fail(where, "'portals' must be a non-empty list")
    portals = tuple(_parse_portal(p, f"{where}.portals[{i}]") for i, p in enumerate(raw_portals))
    code = _check_code(raw.get("code"), path, level, names["province"], where)
    schedule = raw.get("schedule")
    if schedule is not None:
        try:
            parse_schedule(schedule)
        except ScheduleError as exc:
            _fail(where, f"'schedule': {exc}")
    return Region(path, names["province"], names["city"], names["county"], level, portals, code, schedule)


def _check_code(value: Any, path: str, level: str, province: str | None, where: str) -> str | None:
    """The given code, checked against the official list, or the code the names lead to."""
    if level == "national" or not province:
        if value is not None:
            _fail(where, "a national region has no division code")
        return None
    index = load_divisions()
    if value is None:
        return derive_code(path)
    if not isinstance(value, str) or not re.fullmatch(r"\d{6}", value):
        _fail(where, f"'code' must be six digits, got {value!r}")
    if value not in index.by_code:
        _fail(where, f"'code' {value} is not on the official division list")
    top = index.province_of(value)
    if top is None or top.name != province:
        _fail(where, f"'code' {value} is {'/'.join(d.name for d in index.chain(value))}, not in {province}")
    return value


def derive_code(path: str) -> str | None:
    """The code of the deepest leading part of a ``省/市/县`` path that the official list knows."""
    index = load_divisions()
    within: str | None = None
    for part in path.split("/"):
        found = index.named(part, within=within)
        if len(found) != 1:
            break
        within = found[0].code
    return within


def _check_path(path: str, level: str, province: str | None, city: str | None, county: str | None, where: str) -> None:
    """The path must be the names joined by ``/`` in the shape of the level (see the module docstring)."""
    if level == "national":
        parts = path.split("/")
        if province or city or county or len(parts) != 2 or parts[0] != NATIONAL_ROOT or not parts[1]:
            _fail(where, f"a national region has null province/city/county and the path '{NATIONAL_ROOT}/<agency>'")
        return
    if level == "province":
        fits, expected = bool(province and not city and not county), province
    elif level == "city":
        fits, expected = bool(province and city and not county), f"{province}/{city}"
    else:
        fits = bool(province and county)
        expected = f"{province}/{city}/{county}" if city else f"{province}/{county}"
    if not fits:
        _fail(where, f"the province/city/county names do not fit level {level!r}")
    if path != expected:
        _fail(where, f"path does not match the names: expected {expected!r}")


def _parse_portal(raw: Any, where: str) -> Portal:
    if not isinstance(raw, dict):
        _fail(where, "must be an object")
    _check_keys(raw, where, _PORTAL_KEYS, _PORTAL_REQUIRED)
    name = raw["name"]
    if not isinstance(name, str) or not name.strip():
        _fail(where, "'name' must be a non-empty string")
    url = _check_url(raw["url"], f"{where}.url")
    family = raw["family"]
    if family is not None and family not in FAMILIES:
        _fail(where, f"'family' must be null or one of {list(FAMILIES)}, got {family!r}")
    columns = raw["report_columns"]
    if not isinstance(columns, list):
        _fail(where, "'report_columns' must be a list of URLs")
    checked = tuple(_check_url(c, f"{where}.report_columns[{i}]") for i, c in enumerate(columns))
    for key in ("source", "note"):
        if key in raw and not isinstance(raw[key], str):
            _fail(where, f"{key!r} must be a string")
    demo = raw.get("demo", False)
    if not isinstance(demo, bool):
        _fail(where, f"'demo' must be true or false, got {demo!r}")
    extra: dict[str, str | None] = {}
    for key in ("site_id", "found_on", "found_at"):
        value = raw.get(key)
        if value is not None and (not isinstance(value, str) or not value.strip()):
            _fail(where, f"{key!r} must be a non-empty string or null")
        extra[key] = value
    return Portal(name, url, family, checked, demo, **extra)


def _check_keys(raw: dict[str, Any], where: str, allowed: set[str], required: tuple[str, ...]) -> None:
    missing = [k for k in required if k not in raw]
    if missing:
        _fail(where, f"missing keys {missing}")
    unknown = sorted(set(raw) - allowed)
    if unknown:
        _fail(where, f"unknown keys {unknown} (allowed: {sorted(allowed)})")


def _check_url(value: Any, where: str) -> str:
    if not isinstance(value, str):
        _fail(where, f"must be a URL string, got {value!r}")
    try:
        parts = urlsplit(value)
        ok = parts.scheme in ("http", "https") and bool(parts.hostname) and value == value.strip()
    except ValueError:
        ok = False
    if not ok:
        _fail(where, f"must be an absolute http(s) URL, got {value!r}")
    return value


def _fail(where: str, message: str) -> NoReturn:
    raise RegistryError(f"{where}: {message}", reason="registry/invalid")


# --------------------------------------------------------------------------- queries


def select(regions: list[Region], query: str) -> list[Region]:
    """The region named by ``query`` and every region under it, in registry order.

    ``query`` is a full path (``浙江省/温州市/瑞安市``), or its unique tail (``瑞安市``,
    ``温州市/瑞安市``); a path that only exists as the parent of registered regions
    (``江苏省/淮安市`` when only 洪泽区 is listed) selects those children. An empty
    query selects everything.
    """
    wanted = query.strip().strip("/")
    if not wanted:
        return list(regions)
    if re.fullmatch(r"\d{2}|\d{4}|\d{6}", wanted):
        return _select_code(regions, wanted)
    prefixes = {"/".join(parts[:n]) for parts in (r.path.split("/") for r in regions) for n in range(1, len(parts) + 1)}
    if wanted in prefixes:
        target = wanted
    else:
        matches = sorted(p for p in prefixes if p.endswith("/" + wanted))
        if not matches:
            by_division = _select_division(regions, wanted)
            if by_division is not None:
                return by_division
            raise RegistryError(f"unknown region '{query}'; try `python -m crawler regions`", reason="registry/unknown_region")
        if len(matches) > 1:
            raise RegistryError(
                f"region '{query}' is ambiguous: {', '.join(matches)}; give more of the path",
                reason="registry/ambiguous_region",
            )
        target = matches[0]
    return [r for r in regions if r.path == target or r.path.startswith(target + "/")]


def _select_code(regions: list[Region], code: str) -> list[Region]:
    """The regions at or under a division code (``32``, ``3208`` or ``320800``)."""
    index = load_divisions()
    full = normalise_code(code)
    if full not in index.by_code:
        raise RegistryError(
            f"no division has the code {code}; try `python -m crawler regions --code {code[:2]}`",
            reason="registry/unknown_region",
        )
    found = [r for r in regions if r.code and index.is_within(r.code, full)]
    if not found:
        where = "/".join(d.name for d in index.chain(full))
        raise RegistryError(
            f"the registry has no portal in {where} ({full}); `python -m crawler registry discover` can find them",
            reason="registry/unknown_region",
        )
    return found


def _select_division(regions: list[Region], name: str) -> list[Region] | None:
    """A name the registry's paths lack but the division list knows (淮安, 洪泽县): the regions under its code."""
    try:
        division = load_divisions().resolve(name)
    except DivisionError:
        return None
    found = [r for r in regions if r.code and load_divisions().is_within(r.code, division.code)]
    return found or None


def _host(url: str) -> str:
    try:
        host = urlsplit(url.strip()).hostname or ""
    except ValueError:
        return ""
    host = host.lower().rstrip(".")
    return host.removeprefix("www.")


def _location(url: str, *, column: bool = False) -> str:
    """Host (without ``www.``) and path, for scheme-insensitive prefix tests.

    For a column or portal root (``column=True``) a last segment naming a file
    (``index.html``, ``common_zfxxgknb.shtml``) is dropped and the path ends in ``/``,
    so that every page under that folder has it as a prefix.
    """
    try:
        path = urlsplit(url.strip()).path or "/"
    except ValueError:
        return ""
    if column:
        head, _, last = path.rpartition("/")
        path = head + "/" if "." in last else path.rstrip("/") + "/"
    return _host(url) + path


def _parent_domains(host: str) -> list[str]:
    """``a.b.gov.cn`` → ``[a.b.gov.cn, b.gov.cn]``: the host and its parents, never a bare suffix or an IP's parts."""
    if host.replace(".", "").isdigit() or ":" in host:
        return [host]
    labels = host.split(".")
    keep = 3 if host.endswith((".gov.cn", ".com.cn", ".org.cn", ".net.cn", ".edu.cn")) else 2
    return [".".join(labels[i:]) for i in range(max(1, len(labels) - keep + 1))]


def region_of_url(regions: list[Region], url: str) -> Region | None:
    """The registry region a URL belongs to, or ``None``.

    A region is a candidate when one of its portals' roots or report columns is on
    the URL's host (``www.`` and the port ignored); failing that, on the nearest
    parent domain (``fgw.beijing.gov.cn`` → the region of ``beijing.gov.cn``). Among
    candidates the longest report column that is a prefix of the URL wins (a city
    portal hosting a district's column gives the district), then a portal root on
    that host, then the shallowest region.
    """
    return RegionIndex(regions).find(url)


class RegionIndex:
    """:func:`region_of_url` over one registry, its hosts indexed once: what a crawl or a rebuild
    asks per document, at the cost of a dict lookup instead of a pass over every region."""

    def __init__(self, regions: list[Region]) -> None:
        self.hosts: dict[str, list[Region]] = {}
        for region in regions:
            for portal in region.portals:
                for candidate in (portal.url, *portal.report_columns):
                    found = self.hosts.setdefault(_host(candidate), [])
                    if region not in found:
                        found.append(region)

    def find(self, url: str) -> Region | None:
        host = _host(url)
        if not host:
            return None
        matched = next((h for h in _parent_domains(host) if h in self.hosts), None)
        if matched is None:
            return None
        location = _location(url)

        def score(region: Region) -> tuple[int, int, int, int]:
            column = max(
                (
                    len(loc)
                    for p in region.portals
                    for c in p.report_columns
                    if location.startswith(loc := _location(c, column=True))
                ),
                default=0,
            )
            root = max(
                (len(loc) for p in region.portals if location.startswith(loc := _location(p.url, column=True))),
                default=0,
            )
            on_host = any(_host(p.url) == matched for p in region.portals)
            return (column, root, int(on_host), -region.path.count("/"))

        return max(self.hosts[matched], key=score)
