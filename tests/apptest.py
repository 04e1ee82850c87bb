"""Helpers for page tests (streamlit.testing.v1.AppTest)."""
from __future__ import annotations

from typing import Any

from core import permissions

HOME_SCRIPTS = {"home": "app_pages/home.py", "group": "app_pages/group.py", "sessions": "app_pages/sessions.py"}


def follow_home(at: Any) -> Any:
    """After a login or a join the app switches the browser to the role's home page (its URL
    changes). AppTest keeps asking for the page it was last switched to, which is now an entry page
    that sends its visitor home on every run: follow the browser instead."""
    actor = at.session_state["actor"] if "actor" in at.session_state else None
    return at.switch_page(HOME_SCRIPTS[permissions.home_page(actor)]).run()
