"""Platser: the district's places on a map and ranked (lägesbild), one place's profile, places side by side."""

import streamlit as st

from followup import places
from webapp import components, platser, scope, state

district = components.selected_district()
if not district:
    st.title("Platser")
    components.empty_database_notice()
    st.stop()

name = components.district_name(district)
st.title(f"Platser – {components.plain(name)}")
district_places = state.query("district_places", district=district)
if district_places.empty:
    platser.no_places_notice(name)
    st.stop()

demo = state.is_demo()
options = platser.place_options(district_places)
place = platser.place_picker(options, default=platser.busiest(district_places, 1)[0])
span = platser.data_span(district_places)
if span is None:
    platser.no_data_view(district, name, district_places, demo)
    st.stop()

first, last = scope.period_range(*span, default_years=1)
current = platser.Scope(district, name, district_places, first, last, demo)

# bound to ?vy=: only the open tab runs (each tab switch reruns the page)
situation_tab, place_tab, compare_tab = st.tabs(platser.TABS, key=platser.VIEW_KEY, bind="query-params")
if situation_tab.open:
    with situation_tab:
        start, end, _ = platser.period_days(first, last)
        ranking = state.query("place_ranking", district=district, crimes=places.CRIME_INDICATOR,
                              **{"from": start, "to": end})
        platser.situation(current, ranking, place)
if place_tab.open:
    with place_tab:
        platser.profile(current, place)
if compare_tab.open:
    with compare_tab:
        platser.side_by_side(current)
