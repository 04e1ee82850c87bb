"""Who is using this browser. ``app.py`` resolves the identity on every run (staff cookie or
participant token, checked against the database) and stores the resulting ``core.actor.Actor``
in ``st.session_state["actor"]``; pages read it through these helpers."""
from __future__ import annotations

import streamlit as st

from core.actor import Actor
from ui.i18n import t

ACTOR_KEY = "actor"


def current_actor() -> Actor | None:
    actor = st.session_state.get(ACTOR_KEY)
    return actor if isinstance(actor, Actor) else None


def require_staff(*roles: str) -> Actor:
    """The staff actor of this run, or stop the page with a message (roles: admin always passes)."""
    actor = current_actor()
    if actor is None or not actor.is_staff or (roles and actor.role not in roles and actor.role != "admin"):
        st.warning(t("auth.not_allowed"))
        st.stop()
    return actor


def require_participant() -> Actor:
    actor = current_actor()
    if actor is None or not actor.is_participant:
        st.warning(t("auth.not_allowed"))
        st.stop()
    return actor
