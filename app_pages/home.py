"""Home: the events and their sessions."""
from __future__ import annotations

import streamlit as st

from core.setup.events import list_events
from ui.auth import current_actor
from ui.i18n import current_language, fmt_date, fmt_time, t
from ui.text import md

lang = current_language()
st.title(t("app.title"))
st.caption(t("app.tagline"))
if current_actor() is None:
    st.page_link("app_pages/join.py", label=t("home.join_cta"), icon=":material/login:")
st.header(t("home.events_header"))

events = list_events()
if not events:
    st.info(t("home.no_events"))

for event in events:
    with st.container(border=True):
        st.subheader(md(event.title), anchor=False)
        if event.starts_on and event.ends_on and event.starts_on != event.ends_on:
            st.markdown("**" + t("home.dates_range", start=fmt_date(event.starts_on, lang),
                                 end=fmt_date(event.ends_on, lang)) + "**")
        elif event.starts_on:
            st.markdown("**" + t("home.dates_single", date=fmt_date(event.starts_on, lang)) + "**")
        if event.place:
            st.text(t("home.place", place=event.place))
        if event.organisers:
            st.text(t("home.organisers", organisers=event.organisers))
        if event.description:
            st.text(event.description)
        st.caption(t("home.caps", cap=event.participant_cap, per_org=event.per_org_cap))
        for theme in event.themes:
            with st.expander(f"{md(theme.title)} — {t('home.sessions_count', count=len(theme.sessions))}"):
                if theme.why:
                    st.caption(t("home.theme_why"))
                    st.text(theme.why)
                for session in theme.sessions:
                    if session.starts_at:
                        line = t("home.session_line", date=fmt_date(session.starts_at.date(), lang),
                                 start=fmt_time(session.starts_at, lang), end=fmt_time(session.ends_at, lang))
                    else:
                        line = t("home.session_line_nodate")
                    st.text(f"• {line} · {t('stage.' + session.stage)} · {t('status.' + session.status)}")
