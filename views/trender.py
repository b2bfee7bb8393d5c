"""Trender: any indicator for several districts and places, over any period and grain, as rates or averages."""

import streamlit as st

from followup import fmt
from webapp import components, state, trender

st.title("Trender")
st.caption("Ett nyckeltal över tid för flera stadsdelsområden och platser. Adressen sparar valen: kopiera den "
           "för att skicka samma vy till en kollega.")

catalogue = state.query("indicator_catalogue", district=components.selected_district() or "")
spans = catalogue.dropna(subset=["first_day", "last_start"])
if spans.empty:
    st.info("Det finns inga värden i databasen än. Läs in data eller bygg exempeldatabasen med "
            "`python -m followup demo`.", icon=":material/database:")
    st.stop()

first_day, last_day = spans["first_day"].min().date(), spans["last_start"].max().date()
choice = trender.pickers(catalogue, state.query("trend_scopes", on=last_day), first_day, last_day)
if choice.indicator.sensitive:
    st.caption(f":material/lock: Känsligt nyckeltal. {fmt.SUPPRESSION_NOTE}")
trender.show(choice)
