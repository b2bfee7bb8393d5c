"""Hur räknas status?: the status rules in plain Swedish, and the legend of icons, words and colours."""

import streamlit as st

from followup import status
from webapp import components

st.title("Hur räknas status?")
st.markdown(status.HOW_STATUS_WORKS.removeprefix("### Hur räknas status?").strip())
st.header("Symboler")
components.status_legend()
