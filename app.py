"""Atelier: entry point. Page config, language, navigation by role."""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import streamlit as st  # noqa: E402

from ui import errors  # noqa: E402
from ui.i18n import language_selector, t  # noqa: E402

st.set_page_config(page_title="Atelier", page_icon=":material/diversity_3:", layout="wide")
language_selector()

pages = {
    t("nav.section.workshops"): [
        st.Page("app_pages/home.py", title=t("nav.home"), icon=":material/home:", url_path="home", default=True),
    ],
}
navigation = st.navigation(pages)
try:
    navigation.run()
except Exception as exc:  # noqa: BLE001 - no stack trace reaches a user
    errors.show(exc)
