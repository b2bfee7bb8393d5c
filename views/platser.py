"""Platser (being built)."""

import streamlit as st

st.title("Platser")
