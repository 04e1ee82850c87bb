"""Shared Streamlit pieces: i18n, layout, widgets."""
