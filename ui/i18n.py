"""t(): every interface string goes through here, in the language the user chose."""
from __future__ import annotations

from typing import Any

import streamlit as st

from core.i18n import DEFAULT_LANGUAGE, LANGUAGES, fmt_date, fmt_datetime, fmt_time, translate

__all__ = ["current_language", "fmt_date", "fmt_datetime", "fmt_time", "language_selector", "t"]


def current_language() -> str:
    lang = st.session_state.get("lang")
    if lang not in LANGUAGES:
        lang = st.query_params.get("lang", DEFAULT_LANGUAGE)
        lang = lang if lang in LANGUAGES else DEFAULT_LANGUAGE
        st.session_state["lang"] = lang
    return lang


def t(key: str, **params: Any) -> str:
    return translate(current_language(), key, **params)


def language_selector() -> None:
    """A language switch in the sidebar; the choice is kept in the URL so a reload keeps it."""
    lang = current_language()

    def _changed() -> None:
        pass
        st.session_state["lang"] = st.session_state["lang_choice"]

    st.sidebar.selectbox(t("lang.label"), LANGUAGES, index=LANGUAGES.index(lang), key="lang_choice",
                         format_func=lambda code: translate(code, f"lang.{code}"), on_change=_changed)
