"""Domain layer: services, validation, aggregation, exports. No Streamlit here."""
