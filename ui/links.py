"""Links people in the room open (join links, QR codes, second-screen links), built from the
address this browser used when ``ATELIER_BASE_URL`` is unset (``core.settings.public_base_url``),
and whether they would be dead for the room (127.0.0.1 while the browser used another name)."""
from __future__ import annotations

from collections.abc import Mapping

import streamlit as st

from core import settings


def _headers() -> Mapping[str, str]:
    try:
        return dict(st.context.headers or {})
    except Exception:  # noqa: BLE001  (no request context: AppTest, a bare script run)
        return {}


def public_base() -> str:
    """``https://atelier.example.org``: where the room reaches the app."""
    return settings.public_base_url(_headers())


def unreachable_from_the_room() -> bool:
    """True when the links point to this machine only while the browser used another host name."""
    return settings.unreachable_from_the_room(public_base(), _headers())


def host_and_path(url: str) -> str:
    """``atelier.example.org/join`` from ``https://atelier.example.org/join?join=…`` (to print)."""
    return url.split("://", 1)[-1].split("?", 1)[0]
