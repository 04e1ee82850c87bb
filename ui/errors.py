"""Core errors shown in the user's language, never as a stack trace."""
from __future__ import annotations

import logging

import streamlit as st

from core.errors import AtelierError
from ui.i18n import t
from ui.text import md

log = logging.getLogger("atelier.ui")


def message(exc: BaseException) -> str:
    """The user's-language text of an error; text parameters (names, titles typed by users) are
    escaped because st.error renders Markdown."""
    if isinstance(exc, AtelierError):
        return t(exc.key, **{k: md(v) if isinstance(v, str) else v for k, v in exc.params.items()})
    return t("error.unexpected")


def show(exc: BaseException, where=None) -> None:  # noqa: ANN001
    """Show ``exc`` as a friendly message (next to a field when ``where`` is a container)."""
    if not isinstance(exc, AtelierError):
        log.exception("unexpected error", exc_info=exc)
    (where or st).error(message(exc), icon=":material/error:")
