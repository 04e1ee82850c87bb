"""Admin: staff accounts."""
from __future__ import annotations

import streamlit as st

from core import limits as L
from core.access import accounts
from core.errors import AtelierError
from core.setup.events import list_events
from core.vocabulary import ROLES
from ui import auth, errors
from ui.i18n import current_language, fmt_datetime, t

actor = auth.require_staff("admin")
lang = current_language()
st.title(t("users.title"))

users = accounts.list_users()
events = {ev.id: ev.title for ev in list_events(include_archived=True)}
st.dataframe([{t("auth.username"): u.username, t("users.name"): u.name, t("users.email"): u.email,
               t("auth.role"): t(f"role.{u.role}"), t("users.active"): u.active,
               t("users.events"): ", ".join(events.get(i, "?") for i in sorted(u.event_ids)),
               t("users.password_changed"): fmt_datetime(u.password_changed_at, lang)} for u in users],
             hide_index=True, width="stretch")

with st.expander(t("users.create"), icon=":material/person_add:"):
    with st.form("create_user", clear_on_submit=False):
        username = st.text_input(t("auth.username"), max_chars=L.USERNAME_MAX)
        name = st.text_input(t("users.name"), max_chars=L.NAME_MAX)
        email = st.text_input(t("users.email"), max_chars=L.EMAIL_MAX)
        role = st.selectbox(t("auth.role"), ROLES, format_func=lambda r: t(f"role.{r}"),
                            placeholder=t("widget.choose_one"))
        attached = st.multiselect(t("users.events"), list(events), format_func=events.get,
                                  placeholder=t("widget.choose_many"), select_all=False)
        password = st.text_input(t("auth.password"), type="password")
        if st.form_submit_button(t("users.create_button"), type="primary"):
            try:
                created = accounts.create_user(username, role, name, email, password, actor=actor)
                for event_id in attached:
                    accounts.attach_to_event(created.username, event_id, actor=actor)
            except AtelierError as exc:
                errors.show(exc)
            else:
                st.success(t("users.created", username=created.username))
                st.rerun()

with st.expander(t("users.manage"), icon=":material/manage_accounts:"):
    others = [u for u in users if u.id != actor.id]
    if others:
        chosen = st.selectbox(t("auth.username"), [u.username for u in others], key="manage_user",
                              placeholder=t("widget.choose_one"))
        user = next(u for u in others if u.username == chosen)
        cols = st.columns(2)
        if user.active and cols[0].button(t("users.deactivate"), key="deactivate"):
            accounts.set_active(user.username, False, actor=actor)
            st.rerun()
        if not user.active and cols[0].button(t("users.reactivate"), key="reactivate"):
            accounts.set_active(user.username, True, actor=actor)
            st.rerun()
        event_id = cols[1].selectbox(t("users.attach_event"), list(events), format_func=events.get, key="attach_ev",
                                     placeholder=t("widget.choose_one"))
        if cols[1].button(t("users.attach_button"), key="attach") and event_id is not None:
            accounts.attach_to_event(user.username, event_id, actor=actor)
            st.rerun()
