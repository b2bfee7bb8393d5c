"""Styrgruppen: the analysis per goal or indicator and period, and the decisions and commitments."""

import streamlit as st

from webapp import components, handlingsplan, state, styrgrupp

district = components.selected_district() or ""
name = components.district_name(district) if district else ""
st.title("Styrgruppen" + (f" – {components.plain(name)}" if name else ""))
overview = state.query("goal_overview", district=district)
if overview.empty:
    components.empty_database_notice()
    st.stop()

handlingsplan.show_notice()
goals = handlingsplan.goal_options(overview)
indicators = state.query("indicator_catalogue", district=district)
analysis, decisions = st.tabs(["Analys", "Beslut och åtaganden"])
with analysis:
    styrgrupp.analysis(district, goals, indicators)
with decisions:
    styrgrupp.commitment_section(district, goals)
