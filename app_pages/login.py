"""Staff login (facilitators, organisers, admins)."""
from __future__ import annotations

import streamlit as st

from core import accounts
from ui import auth
from ui.i18n import t

st.title(t("auth.login_title"))

if auth.demo_mode():
    with st.container(border=True):
        st.warning(t("auth.demo_banner"), icon=":material/science:")
        rows = [{t("auth.username"): u, t("auth.role"): t(f"role.{r}"), t("auth.password"): p}
                for u, r, p in st.session_state.get("demo_accounts", [])]
        if rows:
            st.dataframe(rows, hide_index=True)

login = auth.authenticator()
try:
    login.login(location="main", max_login_attempts=10, key="staff_login",
                fields={"Form name": t("auth.login_form"), "Username": t("auth.username"),
                        "Password": t("auth.password"), "Login": t("auth.login_button")})
except Exception:  # noqa: BLE001 - the library raises LoginError for locked accounts and such
    st.error(t("auth.login_refused"))
    st.stop()

status = st.session_state.get("authentication_status")
if status is False:
    st.error(t("auth.login_failed"))
elif status:
    username = st.session_state["username"]
    auth.issue_staff_cookie(username)
    accounts.record_login(username)
    st.session_state["go_to"] = "staff_home"
    st.rerun()
