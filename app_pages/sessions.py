"""Staff: the sessions of my events, with their join codes, and the way into the facilitator's console."""
from __future__ import annotations

import streamlit as st
from streamlit.errors import StreamlitPageNotFoundError

from core.setup.events import list_events, sessions_for
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

# open one of them in the facilitator's console
choices = sessions_for(actor)
if choices:
    st.divider()
    st.subheader(t("flow.sessions.console_header"), anchor=False)
    labels = {c.id: f"{c.event_title} · {c.theme_title} · "
                    f"{fmt_date(c.starts_at.date(), lang, 'medium') if c.starts_at else t('home.session_line_nodate')}"
                    f"{' · ' + t('flow.sessions.mine') if c.mine else ''}" for c in choices}
    cols = st.columns([4, 1], vertical_alignment="bottom")
    picked = cols[0].selectbox(t("flow.console.session"), list(labels), format_func=lambda i: labels[i],
                               key="sessions_console_pick", placeholder=t("widget.choose_one"))
    if cols[1].button(t("flow.sessions.open_console"), key="sessions_open_console", type="primary"):
        st.session_state["console_session_id"] = picked
        try:
            st.switch_page("app_pages/console.py")
        except StreamlitPageNotFoundError:
            st.warning(t("auth.not_allowed"))
