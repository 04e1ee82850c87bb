"""Deployment settings read from the environment: the public address of the app and the events'
time zone. A leaf module: everything may import it, it imports nothing of the project."""
from __future__ import annotations

import datetime as dt
import os
from zoneinfo import ZoneInfo

DEFAULT_BASE_URL = "http://127.0.0.1:8501"
DEFAULT_TIMEZONE = "Europe/Brussels"


def base_url() -> str:
    return (os.environ.get("ATELIER_BASE_URL") or DEFAULT_BASE_URL).rstrip("/")


def timezone() -> ZoneInfo:
    try:
        return ZoneInfo(os.environ.get("ATELIER_TIMEZONE") or DEFAULT_TIMEZONE)
    except (KeyError, ValueError):
        return ZoneInfo(DEFAULT_TIMEZONE)


def local_now() -> dt.datetime:
    """Now, as a naive datetime in the events' time zone (the way session times are stored)."""
    return dt.datetime.now(timezone()).replace(tzinfo=None)
