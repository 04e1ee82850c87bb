"""t(): every interface string goes through here, in the language the user chose."""
from __future__ import annotations

from typing import Any

import streamlit as st
from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx

from core.i18n import LANGUAGE_COOKIE, LANGUAGES, choose_language, fmt_date, fmt_datetime, fmt_time, translate

__all__ = ["current_language", "date_label", "fmt_date", "fmt_datetime", "fmt_time", "language_selector", "t"]


def _browser_language() -> str | None:
    try:
        return st.context.locale
    except Exception:  # noqa: BLE001 - no browser context (bare runs, AppTest)
        return None


def _remembered_language() -> str | None:
    try:
        value = st.context.cookies.get(LANGUAGE_COOKIE)
    except Exception:  # noqa: BLE001 - no browser context
        return None
    return value if isinstance(value, str) else None


def current_language() -> str:
    """The user's language (``core.i18n.choose_language``): link, this session's choice, the
    browser's cookie, the browser's language, French. Kept in the session once found.

    Found once per run of the page (or of a live fragment) and reused by every ``t()`` of that run:
    reading the link, the session, the cookie and the browser's locale on each string cost a live
    tick more than drawing it. A new run starts afresh (Streamlit gives each run new ``cursors``);
    the language switch's callback forgets the run's value."""
    ctx = get_script_run_ctx(suppress_warning=True)
    held = getattr(ctx, "_atelier_lang", None) if ctx is not None else None
    if held is not None and held[0] is ctx.cursors:
        return held[1]
    link = st.query_params.get("lang")
    lang = choose_language(link, st.session_state.get("lang"), _remembered_language(), _browser_language())
    st.session_state["lang"] = lang
    if ctx is not None:
        ctx._atelier_lang = (ctx.cursors, lang)  # type: ignore[attr-defined]
    return lang


def _forget_run_language() -> None:
    ctx = get_script_run_ctx(suppress_warning=True)
    if ctx is not None:
        ctx._atelier_lang = None  # type: ignore[attr-defined]


def t(key: str, **params: Any) -> str:
    return translate(current_language(), key, **params)


def date_label(key: str) -> str:
    """A date input's label with the format spelled in the user's language ("jj/mm/aaaa"): Streamlit's
    own placeholder is English ("DD/MM/YYYY") and is hidden by app.py's CSS."""
    return f"{t(key)} ({t('widget.date_format')})"


def language_selector() -> None:
    """A language switch in the sidebar. The choice is remembered by the browser (a cookie written by
    ``ui.auth.keep_cookies``), so a reload or a new tab keeps it; a ``?lang=`` in the URL follows it."""
    lang = current_language()

    def _changed() -> None:
        choice = st.session_state["lang_choice"]
        st.session_state["lang"] = choice
        _forget_run_language()
        st.session_state["lang_to_remember"] = choice
        if st.query_params.get("lang"):
            st.query_params["lang"] = choice    # a link's ?lang= must not bring the old one back

    st.sidebar.selectbox(t("lang.label"), LANGUAGES, index=LANGUAGES.index(lang), key="lang_choice",
                         format_func=lambda code: translate(code, f"lang.{code}"), on_change=_changed,
                         placeholder=t("widget.choose_one"))
