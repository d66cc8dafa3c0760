"""Canned queries over the browse database, shared by Datasette's metadata and the static report.

Each is plain SQLite SQL over the tables :mod:`crawler.publish.browse.build` writes; parameters
are Datasette's ``:name`` style. ``escape_fts`` is the Chinese-aware search rewrite that
:mod:`crawler.publish.browse.plugin` installs in Datasette's connections.
"""

from __future__ import annotations

from typing import Any

FAILED_T3_IN_YEAR = """
select r.id, r.agency, r.year, r.province, r.city, r.county, c.rule, c.scope, c.detail, r.replay_url
from checks c join reports r on r.id = c.report_id
where c.kind = 'report' and c.ok = 0 and c.rule like 'T3-%' and r.year = cast(:year as integer)
order by r.province, r.agency, c.rule, c.scope
""".strip()

AGENCY_REQUESTS_TREND = """
select r.year, r.id,
  max(case when c.row_key = 'new' then c.value end) as received,
  max(case when c.row_key = 'carried_over' then c.value end) as carried_over,
  max(case when c.row_key = 'disclosed' then c.value end) as disclosed,
  max(case when c.row_key = 'partially_disclosed' then c.value end) as partially_disclosed,
  sum(case when c.row_key like 'withheld.%' then c.value end) as withheld,
  max(case when c.row_key = 'result_total' then c.value end) as handled,
  max(case when c.row_key = 'carried_forward' then c.value end) as carried_forward
from reports r left join cells c on c.report_id = r.id and c."table" = 'requests' and c.column_key = 'total'
where r.agency = :agency
group by r.id order by r.year, r.id
""".strip()

SEARCH_REPORTS = """
select r.id, r.agency, r.year, r.province, r.template, r.title, r.replay_url
from reports r
where r.rowid in (select rowid from reports_fts where reports_fts match escape_fts(:q))
order by r.year desc, r.agency
""".strip()

CANNED: dict[str, dict[str, Any]] = {
    "failed_t3_checks_in_year": {
        "title": "Reports with failed table 三 checks (T3-*) in a year",
        "description": "Every failed T3 check (一+二 = 七+四, the outcome sum, the applicant columns) of the year's reports.",
        "sql": FAILED_T3_IN_YEAR,
    },
    "agency_requests_trend": {
        "title": "Requests trend of one agency",
        "description": "Table 三's 总计 column per year for one agency: received, disclosed, withheld, handled, carried forward.",
        "sql": AGENCY_REQUESTS_TREND,
    },
    "search_reports": {
        "title": "Full-text search of the reports",
        "description": "Chinese terms match as substrings (character bigrams); several terms must all match.",
        "sql": SEARCH_REPORTS,
    },
}
