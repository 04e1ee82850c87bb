"""Join a session with its code: no account, just the code, a sub-group and optionally a first name."""
from __future__ import annotations

import streamlit as st

from core import limits as L
from core.access import join
from core.errors import AtelierError
from ui import auth, errors
from ui.i18n import current_language, fmt_datetime, t
from ui.text import md

auth.keep_browser_key()
st.title(t("join.title"))
st.caption(t("join.intro"))


def check(code: str) -> None:
    try:
        st.session_state["join_target"] = join.check_code(code, auth.browser_key(), auth.client_address())
        st.session_state.pop("join_error", None)
    except AtelierError as exc:
        st.session_state.pop("join_target", None)
        st.session_state["join_error"] = exc


link_code = st.query_params.get("join")
if link_code and st.session_state.get("join_link_checked") != link_code:
    st.session_state["join_link_checked"] = link_code
    st.session_state["join_code_input"] = link_code.upper()
    check(link_code)

with st.form("join_code_form", border=True):
    code = st.text_input(t("join.code_label"), max_chars=L.JOIN_CODE_TYPED_MAX, key="join_code_input",
                         placeholder="ABC234", help=t("join.code_help"))
    if st.form_submit_button(t("join.check_button"), type="primary"):
        check(code)

if "join_error" in st.session_state:
    errors.show(st.session_state["join_error"])

target: join.SessionToJoin | None = st.session_state.get("join_target")
if target is not None:
    with st.container(border=True):
        st.subheader(md(target.theme_title), anchor=False)
        st.text(target.event_title)
        if target.starts_at:
            st.caption(fmt_datetime(target.starts_at, current_language()))
        if not target.subgroups:
            st.info(t("join.no_subgroups"))
        else:
            ids = [g.id for g in target.subgroups]
            names = {g.id: g.name for g in target.subgroups}
            with st.form("join_group_form", border=False):
                index = ids.index(target.subgroup_id) if target.subgroup_id in ids else None
                chosen = st.radio(t("join.pick_group"), ids, index=index, format_func=lambda i: md(names[i]),
                                  key="join_group")
                name = st.text_input(t("join.first_name"), max_chars=L.DISPLAY_NAME_MAX, key="join_name",
                                     help=t("join.first_name_help"))
                if st.form_submit_button(t("join.join_button"), type="primary"):
                    if chosen is None:
                        st.error(t("join.pick_group_first"))
                    else:
                        try:
                            token, membership = join.join(target.session_id, chosen, name)
                        except AtelierError as exc:
                            errors.show(exc)
                        else:
                            auth.remember_participant(token)
                            for key in ("join_target", "join_error"):
                                st.session_state.pop(key, None)
                            st.session_state["go_to"] = "participant_home"
                            st.rerun()
