"""Domain layer: services, validation, aggregation, exports. No Streamlit here."""

__version__ = "1.0.0"   # the release; CHANGELOG.md's newest heading says the same (tests/test_packaging.py)
