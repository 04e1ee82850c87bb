"""Staff: the sessions of my events, with their join codes."""
from __future__ import annotations

import streamlit as st

from core.events import list_events
from ui import auth
from ui.i18n import current_language, fmt_date, fmt_time, t
from ui.text import md

actor = auth.require_staff("facilitator", "organiser")
lang = current_language()
st.title(t("sessions.title"))

events = list_events(event_ids=None if actor.role == "admin" else set(actor.event_ids))
if not events:
    st.info(t("sessions.none"))
for event in events:
    st.subheader(md(event.title), anchor=False)
    rows = []
    for theme in event.themes:
        for session in theme.sessions:
            rows.append({
                t("sessions.col_theme"): theme.title,
                t("sessions.col_date"): fmt_date(session.starts_at.date(), lang, "medium") if session.starts_at else "",
                t("sessions.col_time"): (f"{fmt_time(session.starts_at, lang)}–{fmt_time(session.ends_at, lang)}"
                                         if session.starts_at and session.ends_at else ""),
                t("sessions.col_stage"): t(f"stage.{session.stage}"),
                t("sessions.col_status"): t(f"status.{session.status}"),
                t("sessions.col_code"): session.join_code or "",
            })
    st.dataframe(rows, hide_index=True, width="stretch")
