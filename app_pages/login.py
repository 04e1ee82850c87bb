"""Staff login (facilitators, organisers, admins)."""
from __future__ import annotations

import streamlit as st

from core.access import accounts
from core.errors import AtelierError
from ui import auth, errors
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
# Throttling (core.access.accounts): each submitted username and password passes through this check
# before the library verifies the password, so during a lock a right password is refused too.
_check_password = login.authentication_controller.login
_known = login.authentication_controller.authentication_model.credentials["usernames"]


def _throttled_login(username=None, password=None, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003, ANN202
    typed = (username or "").strip().lower()
    if typed:  # a submitted form (a cookie re-login passes only token=)
        st.session_state.pop("login_refusal", None)
        try:
            st.session_state["login_attempt"] = accounts.start_login_attempt(typed, auth.client_address())
        except accounts.LoginThrottled as exc:  # the same refusal whether the username exists or not
            st.session_state["login_refusal"] = accounts.throttle_deadline(exc)
            st.session_state["authentication_status"] = None
            return None
        if typed not in _known:
            accounts.spend_password_check(password or "")  # an unknown name takes as long as a known one
    return _check_password(username, password, *args, **kwargs)


login.authentication_controller.login = _throttled_login
try:
    login.login(location="main", key="staff_login",
                fields={"Form name": t("auth.login_form"), "Username": t("auth.username"),
                        "Password": t("auth.password"), "Login": t("auth.login_button")})
except AtelierError as exc:  # e.g. the database is unreachable
    errors.show(exc)
    st.stop()
except Exception:  # noqa: BLE001 - the library raises LoginError for locked accounts and such
    st.error(t("auth.login_refused"))
    st.stop()

status = st.session_state.get("authentication_status")
refusal = accounts.throttle_left(st.session_state.get("login_refusal"))  # the wait as of now
if refusal is not None:
    errors.show(refusal)
elif status is False:
    st.error(t("auth.login_failed"))
elif status:
    username = st.session_state["username"]
    auth.issue_staff_cookie(username)
    accounts.record_login(username, st.session_state.pop("login_attempt", ()))
    st.session_state["go_to"] = "staff_home"
    st.rerun()
