"""Prioriterat område (being built)."""

import streamlit as st

st.title("Prioriterat område")
