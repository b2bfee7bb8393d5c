"""Pages on the shared backend when a write is refused (webapp.state.on_cursor): another replica holds the
write lock longer than the wait, so adding an activity shows the Swedish busy message where the user acted,
without a traceback, and nothing is written. (The pages' ordinary runs on the lake are the backend-parametrised
page tests, e.g. test_app_handlingsplan.py.)"""

from __future__ import annotations

from contextlib import closing

import pytest
from streamlit.testing.v1 import AppTest

from followup import db, lake
from lake_workers import Worker
from table_state import table_checksums
from tests import app_support

pytestmark = pytest.mark.usefixtures("fresh_caches")


def test_a_write_while_another_replica_writes_is_refused_on_the_page(
    demo_lake_copy: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(lake.WAIT_ENV, "0.5")
    at: AppTest = app_support.open_page("views/handlingsplan.py")
    with closing(db.open_database(demo_lake_copy)) as con:
        before = table_checksums(con)
    with Worker("hold", demo_lake_copy) as holder:
        holder.expect("locked")
        at.text_input(key="ny-title").input("Medan en annan replik skriver")
        at.multiselect(key="ny-goals").select("pa2-3")
        at.text_input(key="ny-lead").input("Polisen")
        next(b for b in at.button if b.label == "Lägg till insatsen").click().run()
    assert not at.exception, [e.value for e in at.exception]
    errors = [e.value for e in at.error]
    assert any("En annan skrivning i den delade databasen pågår sedan" in text and f"pid {holder.pid})" in text
               and "Inget har sparats." in text for text in errors), errors
    assert not at.success
    with closing(db.open_database(demo_lake_copy)) as con:
        assert table_checksums(con) == before
