"""Mötesläge: the agenda of a steering-group meeting, one slide at a time, for a shared 1920×1080 screen."""

import datetime as dt

import streamlit as st

from followup.periods import parse_period
from webapp import components, mote, state

st.set_page_config(initial_sidebar_state="collapsed")  # the slide alone on the screen; the sidebar opens with »

district = components.selected_district()
if state.query("goal_overview", district=district or "").empty:
    st.title("Mötesläge")
    components.empty_database_notice()
    st.stop()
if not district:
    st.title("Mötesläge")
    mote.no_district_notice()
    st.stop()

name = components.district_name(district)
status = state.scope_status(district, "", scope_name=name)
last_day = mote.last_data_day(status.values, state.query("scope_event_months", district=district, place=""))
options, code = mote.resolve_period(last_day or dt.date.today())
period = parse_period(code)
mote.start_over_on_new_scope(district, period)

with st.spinner("Sätter ihop mötets dagordning …"):
    agenda = mote.meeting_agenda(district, period)
if not agenda.items:
    mote.empty_agenda_notice()
    st.stop()

number = mote.current_slide(len(agenda.items))
mote.remember_address(period, number)
with st.spinner("Sätter ihop bilden …"):
    slide = mote.meeting_slide(district, period, number)
mote.navigation(agenda.items, number, subtitle=mote.nav_subtitle(slide),
                choose=lambda: mote.meeting_choice(name, options, last_day))
mote.draw_slide(slide, agenda.items, demo=agenda.demo, key=(*mote.figure_key(district, period), str(number)))
mote.export_section(agenda)
