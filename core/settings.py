"""Deployment settings read from the environment: the public address of the app and the events'
time zone. A leaf module: everything may import it, it imports nothing of the project."""
from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Mapping
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


_HOST = re.compile(r"^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
                   r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*"
                   r"|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$")
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "[::1]", "0.0.0.0")


def _header(headers: Mapping[str, str], name: str) -> str:
    for key, value in headers.items():
        if key.lower() == name.lower():
            return str(value).split(",", 1)[0].strip()    # a proxy chain: the first one is the browser's
    return ""


def public_base_url(headers: Mapping[str, str] | None = None) -> str:
    """The address people in the room reach the app at, for join links, QR codes and second-screen
    links: ``ATELIER_BASE_URL`` when set; otherwise the address this browser used (the proxy's
    ``X-Forwarded-Host``/``X-Forwarded-Proto`` as deploy/ sets them, else ``Host``); otherwise the
    default. A malformed host header is ignored, never echoed."""
    configured = os.environ.get("ATELIER_BASE_URL")
    if configured:
        return configured.rstrip("/")
    if headers:
        host = _header(headers, "X-Forwarded-Host") or _header(headers, "Host")
        proto = _header(headers, "X-Forwarded-Proto").lower()
        if host and _HOST.match(host):
            return f"{proto if proto in ('http', 'https') else 'http'}://{host}"
    return DEFAULT_BASE_URL


def host_of(url: str) -> str:
    """``https://atelier.example.org:8443/x`` -> ``atelier.example.org``."""
    netloc = url.split("://", 1)[-1].split("/", 1)[0]
    if netloc.startswith("["):
        return netloc.split("]", 1)[0] + "]"
    return netloc.rsplit(":", 1)[0]


def unreachable_from_the_room(link_base: str, headers: Mapping[str, str] | None) -> bool:
    """True when links would point to this machine only (127.0.0.1, localhost) while the browser
    reached the app under another name: a QR code in the room would be dead."""
    if host_of(link_base) not in LOOPBACK_HOSTS or not headers:
        return False
    seen = _header(headers, "X-Forwarded-Host") or _header(headers, "Host")
    return bool(seen) and host_of(f"http://{seen}") not in LOOPBACK_HOSTS
