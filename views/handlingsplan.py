"""Handlingsplan: the selected district's action plan, filtered per goal, place and status; add, edit, close."""

import streamlit as st

from webapp import auth, components, handlingsplan, state

district = components.selected_district() or ""
name = components.district_name(district) if district else ""
st.title("Handlingsplan" + (f" – {components.plain(name)}" if name else ""))
overview = state.query("goal_overview", district=district)
if overview.empty:
    components.empty_database_notice()
    st.stop()

handlingsplan.show_notice()
goals = handlingsplan.goal_options(overview)
places = handlingsplan.place_options(state.query("district_places", district=district))
goal, place, status = handlingsplan.filters(goals, places)
activities = state.query("activity_list", district=district, goal=goal, place=place, status=status)
st.caption(f"{len(activities)} insatser. Välj mål, plats och status ovanför tabellen; adressen följer valet.")
st.dataframe(handlingsplan.table(activities, goals), hide_index=True, width="stretch",
             column_config=handlingsplan.COLUMN_WIDTHS)

principal = state.current_user()
if principal.can_write(district):
    add, edit = st.tabs(["Lägg till insats", "Ändra eller avsluta"])
    with add:
        handlingsplan.add_form(district, goals, places)
    with edit:
        handlingsplan.edit_forms(activities, goals, places)
else:
    auth.read_only_notice(principal, name, "handlingsplanen")
