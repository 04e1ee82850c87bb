"""Storage layer: SQLAlchemy models, engine and session factory, queries. No Streamlit here."""
