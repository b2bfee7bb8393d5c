"""Entry point: page setup, navigation, the database connection (demo data on first start) and scope.

Run with `streamlit run dashboard.py` (or `make run`). The page scripts live in views/, not pages/:
Streamlit treats a folder named pages/ beside the entry file as a legacy multipage app for the first
run of each server process and for every AppTest run, and then runs a page without this file.
"""

import streamlit as st

from followup import config, errors
from webapp import auth, components, scope, state

st.set_page_config(page_title="Uppföljning trygghet", page_icon=str(config.ROOT / "static" / "icon.png"), layout="wide")
# Keyboard focus that shows (WCAG 2.4.7): static/focus.css, on every page including sign-in.
st.html(config.ROOT / "static" / "focus.css")

# Sign-in first: an unsigned visitor (or one without a role) gets one page and no query runs.
principal = auth.gate()
state.set_principal(principal)
pages = [
    st.Page("views/oversikt.py", title="Översikt", icon=":material/dashboard:", default=True),
    st.Page("views/omrade.py", title="Prioriterat område", icon=":material/flag:"),
    st.Page("views/platser.py", title="Platser", icon=":material/location_on:"),
    st.Page("views/trender.py", title="Trender", icon=":material/trending_up:"),
    st.Page("views/handlingsplan.py", title="Handlingsplan", icon=":material/checklist:"),
    st.Page("views/styrgrupp.py", title="Styrgruppen", icon=":material/groups:"),
    st.Page("views/mote.py", title="Mötesläge", icon=":material/co_present:"),
    st.Page("views/data.py", title="Data", icon=":material/upload_file:"),
    st.Page(components.STATUS_HELP_PAGE, title="Hur räknas status?", icon=":material/help:"),
]
# Navigation before the database: a run that stops early (database error) must not fall back to pages/.
# On a public screen only the pages the access file allows are listed (and reachable by address).
page = st.navigation(auth.public_pages(pages) if auth.public_screen() else pages)

state.start_run()
try:
    target = state.current_store()  # a FOLLOWUP_DB that names no usable database is refused here, in Swedish
    # shown after half a second: a new file is built, or the shared backend opened (filled when empty)
    with st.spinner("Öppnar den delade databasen …" if target.shared else
                    "Öppnar databasen …" if target.exists() else "Skapar exempeldatabas …"):
        state.connection()
    demo = state.is_demo()
except errors.Refused as error:
    components.database_error(error)

scope.district_picker()
auth.identity(principal)
auth.public_screen_switch()
if demo:
    components.demo_notice()
page.run()
