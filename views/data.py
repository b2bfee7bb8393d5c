"""Data: load a file (check, preview, confirm), the loads so far with undo, the templates, and the place names."""

import streamlit as st

from webapp import data

st.title("Data")
data.show_message()
# the open tab is in the URL (?flik=Laddningar), so it stays open when a click reruns the page
load_tab, history_tab, template_tab, alias_tab = st.tabs(data.TABS, key="flik", bind="query-params")
with load_tab:
    data.load_section()
with history_tab:
    data.history_section()
with template_tab:
    data.templates_section()
with alias_tab:
    data.alias_section()
