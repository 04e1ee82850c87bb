"""Page actions shared by the pages.

``run``: a write as the current user, usually from a widget callback; its error is kept under a
key and shown next to the form on the next draw (``show_error``). ``act_now``: a write during the
run (after ``if st.button(...)``), its refusal shown at once, a message kept for after the rerun.

``RowEdit``: a form that edits an existing row without ever overwriting someone else's change.
The form's widgets have stable keys (by row id, never by version) and no ``value=``: ``open``
fills them from the row the first time the form is drawn and remembers the version the user
SAW. Saving sends that version; when someone else saved in between, the core refuses
(``StaleEdit``, which carries the other version): the user's text stays in the form, the other
version is shown next to it (escaped) with two choices — keep theirs (drop my text) or apply mine
(save again over the current version). After a successful save the remembered version is
forgotten, so the form is filled again from the row.

Everything here runs outside live fragments (a button inside a ``run_every`` fragment only reruns
the fragment in a browser).
"""
from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import streamlit as st

from core.actor import Actor
from core.errors import AtelierError, StaleEdit
from ui import errors
from ui.i18n import t
from ui.text import md


def run(actor: Actor, error_key: str, fn: Callable[..., Any], *args: Any, clear: dict[str, Any] | None = None,
        notice: tuple[str, str] | None = None, then: Callable[[Any], None] | None = None, **kwargs: Any) -> bool:
    """Do ``fn(actor, *args, **kwargs)``. On a core error keep it under ``error_key``; on success
    empty the inputs named in ``clear`` (key -> empty value), store ``notice`` (key, message key)
    and call ``then(result)``. Returns whether it worked."""
    try:
        result = fn(actor, *args, **kwargs)
    except AtelierError as exc:
        st.session_state[error_key] = exc
        return False
    st.session_state.pop(error_key, None)
    for key, empty in (clear or {}).items():
        st.session_state[key] = empty
    if notice is not None:
        st.session_state[notice[0]] = notice[1]
    if then is not None:
        then(result)
    return True


def act_now(fn: Callable[[], Any], success: str, flash_key: str) -> bool:
    """Do ``fn()`` during the run (after ``if st.button(...)``, not in a callback): a core error is
    shown at once, where the page is drawing; on success the page keeps ``success`` under
    ``flash_key`` (to show after the rerun) and reruns, so what changed is drawn."""
    try:
        fn()
    except AtelierError as exc:
        errors.show(exc)
        return False
    st.session_state[flash_key] = success
    st.rerun()


def show_error(error_key: str, where: Any = None) -> None:
    """Show (once) the error kept under ``error_key``."""
    exc = st.session_state.pop(error_key, None)
    if exc is not None:
        errors.show(exc, where)


@dataclass(frozen=True)
class Field:
    """A field of the other version to show on a stale edit: its name in ``StaleEdit.current``,
    its label, and how to write a value as plain text (escaped when shown)."""

    name: str
    label: str
    text: Callable[[Any], str] | None = None


class RowEdit:
    """The edit form of one existing row (see the module docstring). ``key`` is unique on the page
    and stable, e.g. ``f"plan_{plan.id}"``; ``show_exc`` draws an error (default ``ui.errors.show``);
    ``reload`` reads the row as it is now (a dict of its columns), for the rare refusal that does
    not carry the other version (two saves racing between the check and the write)."""

    def __init__(self, key: str, show_exc: Callable[[BaseException], None] | None = None,
                 reload: Callable[[], Mapping[str, Any]] | None = None) -> None:
        self.key = key
        self.show_exc = show_exc or errors.show
        self.reload = reload
        self.seen_key = f"_seen_{key}"
        self.conflict_key = f"_conflict_{key}"
        self.error_key = f"_error_{key}"

    # --- drawing -------------------------------------------------------------------------------

    def open(self, version: int, values: Mapping[str, Any]) -> int:
        """Call before drawing the widgets (keys of ``values``, created without a default). The first
        time (or after a save, "keep theirs", or when the form was not drawn on the previous run)
        fill them from the row and remember ``version``; otherwise keep what the user has. Returns
        the version the user saw."""
        state = st.session_state
        if self.seen_key not in state or any(key not in state for key in values):
            for key, value in values.items():
                state[key] = value
            state[self.seen_key] = version
            state.pop(self.conflict_key, None)
        return state[self.seen_key]

    @property
    def seen(self) -> int | None:
        return st.session_state.get(self.seen_key)

    @property
    def conflict(self) -> dict[str, Any] | None:
        return st.session_state.get(self.conflict_key)

    def show(self, fields: Sequence[Field], write: Callable[[int | None], Any],
             on_saved: Callable[[], None] | None = None, can_apply: bool = True) -> None:
        """Draw, after the form: the last error, and on a stale edit the other version with the two
        choices ("apply mine" disabled unless ``can_apply``, e.g. until a warning is confirmed)."""
        conflict = self.conflict
        if conflict is None:
            exc = st.session_state.pop(self.error_key, None)
            if exc is not None:
                self.show_exc(exc)
            return
        exc = st.session_state.get(self.error_key)
        if exc is not None:
            self.show_exc(exc)
        with st.container(border=True, key=f"{self.key}_conflict"):
            if conflict:
                st.markdown(f"**{t('edit.their_version')}**")
                for f in fields:
                    value = conflict.get(f.name)
                    shown = f.text(value) if f.text is not None else ("" if value is None else str(value))
                    st.markdown(f"*{md(f.label)}*  \n{md(shown) if shown.strip() else '—'}")
            st.caption(t("edit.choose"))
            cols = st.columns(2)
            cols[0].button(t("edit.keep_theirs"), key=f"{self.key}_keep_theirs", icon=":material/undo:",
                           on_click=self.keep_theirs, width="stretch")
            cols[1].button(t("edit.apply_mine"), key=f"{self.key}_apply_mine", icon=":material/save:",
                           on_click=self.apply_mine, args=(write, on_saved), width="stretch", type="primary",
                           disabled=not can_apply)

    # --- callbacks -----------------------------------------------------------------------------

    def save(self, write: Callable[[int | None], Any], on_saved: Callable[[], None] | None = None,
             version: Any = ...) -> bool:
        """Save with the version the user saw (``write(version)`` calls the core service)."""
        seen = self.seen if version is ... else version
        try:
            write(seen)
        except StaleEdit as exc:
            current = dict(exc.current or self._reloaded())
            if not exc.current and current:   # say which versions, as a refusal with the other version does
                exc = StaleEdit(current, seen_version=seen, version=current.get("version"))
            st.session_state[self.conflict_key] = current
            st.session_state[self.error_key] = exc
            return False
        except AtelierError as exc:
            st.session_state[self.error_key] = exc
            return False
        self.forget()
        if on_saved is not None:
            on_saved()
        return True

    def _reloaded(self) -> Mapping[str, Any]:
        if self.reload is None:
            return {}
        try:
            return self.reload()
        except AtelierError:   # gone in the meantime: the save's own error says what happened
            return {}

    def apply_mine(self, write: Callable[[int | None], Any], on_saved: Callable[[], None] | None = None) -> bool:
        """Save the user's text over the other version (the one shown to them)."""
        conflict = self.conflict or {}
        return self.save(write, on_saved, version=conflict.get("version"))

    def keep_theirs(self) -> None:
        """Drop the user's text: the form is filled again from the row."""
        self.forget()

    def forget(self) -> None:
        for key in (self.seen_key, self.conflict_key, self.error_key):
            st.session_state.pop(key, None)


__all__ = ["Field", "RowEdit", "act_now", "run", "show_error"]
