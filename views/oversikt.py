"""Översikt: the five priority areas with their goals, indicator counts and latest data per goal."""

import streamlit as st

from webapp import components, state

district = components.selected_district()
# without any district area the city's goals still show ('' matches no local goals and no values)
overview = state.query("goal_overview", district=district or "")

if overview.empty:
    st.title("Översikt")
    components.empty_database_notice(state.database_path())
    st.stop()

st.title(f"Översikt – {components.plain(components.district_name(district))}" if district else "Översikt")
st.caption("Samverkansöverenskommelsens prioriterade områden och mål, med antal nyckeltal och senaste data.")

for (number, name), goals in overview.groupby(["priority_area_number", "priority_area"], sort=True):
    st.header(f"{number}\\. {components.plain(name)}", divider="gray")
    rows = goals.to_dict("records")
    for start in range(0, len(rows), 3):
        for column, goal in zip(st.columns(3), rows[start : start + 3], strict=False):
            with column.container(border=True, height="stretch"):
                components.goal_tile(number, goal)
