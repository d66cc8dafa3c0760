"""``registry check``: is every registered portal still there, under the same site ID, without moving?

Each portal root is fetched (redirects followed and recorded, robots.txt obeyed, cookie
challenges solved as in discovery); what changed is reported against the registry and the last
check (:mod:`crawler.store.runs`): unreachable, an error status, a redirect to another site, a site ID
other than the registered one, a CAPTCHA. Nothing is edited: the registry is the user's to change.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field

from crawler.registry.regions import Portal, Region
from crawler.registry.sites import page_facts, site_key
from crawler.registry.webclient import WebClient
from crawler.store.runs import RunBook


@dataclass
class Checked:
    region: str
    portal: Portal
    status: int | None
    final_url: str | None
    redirects: list[tuple[int, str, str]]
    site_id: str | None
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def check_portal(client: WebClient, region: Region, portal: Portal, book: RunBook | None) -> Checked:
    fetched = client.get(portal.url)
    facts = page_facts(fetched.text) if fetched.ok else None
    result = Checked(region.path, portal, fetched.status, fetched.url, fetched.redirects, facts.site_id if facts else None)
    if fetched.error:
        result.problems.append(fetched.error)
    elif not fetched.ok:
        result.problems.append(f"HTTP {fetched.status}")
    if fetched.redirects:
        hops = " → ".join([fetched.redirects[0][1], *(f"{to} ({code})" for code, _, to in fetched.redirects)])
        if site_key(fetched.url) != site_key(portal.url):
            result.problems.append(f"moved to another site: {hops}")
        else:
            result.notes.append(f"redirects: {hops}")
    if facts is not None:
        if portal.site_id and facts.site_id != portal.site_id:
            result.problems.append(f"site ID {facts.site_id or 'missing'}, registered {portal.site_id}")
        elif not portal.site_id and facts.site_id:
            result.notes.append(f"site ID {facts.site_id} (not in the registry)")
    previous = book.last_check(portal.url) if book else None
    if previous is not None and previous.site_id and result.site_id and previous.site_id != result.site_id:
        result.problems.append(
            f"site ID changed since the check of {previous.checked_at:%Y-%m-%d}: {previous.site_id} → {result.site_id}"
        )
    if (
        previous is not None
        and previous.final_url
        and result.final_url
        and site_key(previous.final_url) != site_key(result.final_url)
    ):
        result.problems.append(f"lands on {result.final_url}, on {previous.checked_at:%Y-%m-%d} on {previous.final_url}")
    if book is not None:
        book.record_check(
            {
                "checked_at": dt.datetime.now(dt.UTC), "region_path": region.path, "url": portal.url, "status": result.status,
                "final_url": result.final_url, "redirects": json.dumps(result.redirects), "site_id": result.site_id,
                "problems": "; ".join(result.problems),
            }
        )  # fmt: skip
    return result
