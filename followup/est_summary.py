"""The EST summaries (est_week, est_month, est_district): kept equal to the event table's EST reports on every write.

Pages read EST counts per week from est_week (view indicator_value), per calendar month from est_month
(scope_event_months) and each district's reporting span from est_district (view est_reporting), never by
counting millions of single reports per request. Whoever writes or deletes events calls refresh() in the same
transaction: a load and an undo for the districts of the load's reports, the demo and the benchmark generator
for all.
"""

from __future__ import annotations

from collections.abc import Sequence

import duckdb

from followup import queries


def refresh(con: duckdb.DuckDBPyConnection, districts: Sequence[str] | None = None) -> None:
    """Count the EST reports of DISTRICTS (None: every district) into est_week, est_district and est_month again."""
    chosen = None if districts is None else list(districts)
    if chosen == []:
        return
    for statement in ("est_week_delete", "est_week_insert", "est_district_delete", "est_district_insert",
                      "est_month_delete", "est_month_insert"):
        queries.execute(con, statement, districts=chosen)


def load_districts(con: duckdb.DuckDBPyConnection, load_id: int) -> list[str]:
    """The districts whose EST reports load LOAD_ID wrote (the summary rows a load or its undo changes)."""
    return [row[0] for row in queries.execute(con, "load_event_districts", load_id=load_id).fetchall()]
