"""Trender (being built)."""

import streamlit as st

st.title("Trender")
