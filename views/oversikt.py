"""Översikt: the five priority areas and their goals as tiles with status, key figure and trend."""

import streamlit as st

from webapp import components, oversikt, state

district = components.selected_district() or ""
# without any district area the city's goals still show ('' matches no local goals and no values)
overview = state.query("goal_overview", district=district)

if overview.empty:
    st.title("Översikt")
    components.empty_database_notice()
    st.stop()

name = components.district_name(district) if district else ""
st.title(f"Översikt – {components.plain(name)}" if district else "Översikt")
oversikt.page_intro()

for area in oversikt.district_rows(district, name):
    oversikt.area_header(area)
    oversikt.goal_grid(area, district, name)
