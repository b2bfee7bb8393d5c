"""followup: goal follow-up for Stockholm's city–police safety cooperation (core, no Streamlit)."""

__version__ = "0.1.0"
