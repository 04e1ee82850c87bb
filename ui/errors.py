"""Core errors shown in the user's language, never as a stack trace.

A database that is away for a moment (``core.errors.StorageUnavailable``, raised by every engine
in ``storage.db``) is shown as such, not as an unexpected error. A page that cannot be drawn
because of it says so and tries again by itself (``wait_for_database``): when the database
answers again the page reruns, with whatever the user had typed still in its forms."""
from __future__ import annotations

import logging

import streamlit as st
from streamlit.errors import FragmentHandledException
from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx

from core.errors import AtelierError, StorageUnavailable
from core.session import live
from ui.i18n import t
from ui.text import md

log = logging.getLogger("atelier.ui")
RETRY_S = 3.0   # how often a page waiting for the database checks whether it is back


def _unwrap(exc: BaseException) -> BaseException:
    """The error itself (Streamlit wraps an error raised inside a fragment once it has drawn it)."""
    if isinstance(exc, FragmentHandledException) and exc.args and isinstance(exc.args[0], BaseException):
        return exc.args[0]
    return exc


def is_unavailable(exc: BaseException) -> bool:
    """Whether ``exc`` means the database is away for a moment (not a bug, not a refusal)."""
    exc = _unwrap(exc)
    if isinstance(exc, StorageUnavailable):
        return True
    return not isinstance(exc, AtelierError) and live.database_unavailable(exc)


def message(exc: BaseException) -> str:
    """The user's-language text of an error; text parameters (names, titles typed by users) are
    escaped because st.error renders Markdown."""
    exc = _unwrap(exc)
    if isinstance(exc, AtelierError):
        return t(exc.key, **{k: md(v) if isinstance(v, str) else v for k, v in exc.params.items()})
    if is_unavailable(exc):
        return t(StorageUnavailable.key)
    return t("error.unexpected")


def show(exc: BaseException, where=None) -> None:  # noqa: ANN001
    """Show ``exc`` as a friendly message (next to a field when ``where`` is a container)."""
    if is_unavailable(exc):
        log.warning("database unavailable: %s", _unwrap(exc))
    elif not isinstance(_unwrap(exc), AtelierError):
        log.exception("unexpected error", exc_info=exc)
    (where or st).error(message(exc), icon=":material/cloud_off:" if is_unavailable(exc) else ":material/error:")


def wait_for_database() -> None:
    """While the database is away: say that the page will come back by itself, check every few
    seconds, and rerun the whole page as soon as the database answers."""

    @st.fragment(run_every=RETRY_S)
    def _retry() -> None:
        # only from a tick, never during the full run that just failed: tries stay RETRY_S apart
        # even when the database answers a read but still refuses what the page needs (read-only)
        ctx = get_script_run_ctx()
        if ctx is not None and ctx.fragment_ids_this_run and live.database_reachable():
            st.rerun(scope="app")
        st.caption(t("faults.retrying"))

    _retry()


def page_failed(exc: BaseException) -> None:
    """A page could not be drawn: show why, wait for the database when it is away, and stop the run
    without dropping what the user typed in forms this run did not reach (a stopped run keeps the
    state of widgets it did not draw; a run that ends normally forgets them)."""
    show(exc)
    if is_unavailable(exc):
        wait_for_database()
    st.stop()
