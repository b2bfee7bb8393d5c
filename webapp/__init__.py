"""Streamlit edge: cached connection, cached query results and shared widgets (the core stays Streamlit-free)."""
