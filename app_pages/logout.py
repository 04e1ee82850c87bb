"""Log out (staff) or leave the session (participants)."""
from __future__ import annotations

import streamlit as st

from ui import auth

actor = auth.current_actor()
if actor is not None and actor.is_participant:
    auth.leave_session()
else:
    auth.logout_staff()
st.session_state["auth_notice"] = "auth.logged_out" if actor is None or actor.is_staff else "join.left"
st.rerun()
