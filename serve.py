"""Atelier's server entry: ``streamlit run serve.py`` serves ``app.py`` exactly as
``streamlit run app.py`` does (same pages, settings and flags), and makes Streamlit's health
endpoint ``/_stcore/health`` tell the truth.

Streamlit's own endpoint only says whether its runtime is up: it answered "ok" with the database
down. Here a middleware answers first, ``503`` with a one-word reason, while the app cannot serve
(the checks of ``manage.py check``: database reachable, schema at the newest migration, cookie key
set), and hands the request to Streamlit otherwise. nginx, Docker, Caddy and any load balancer can
then take a process out of rotation by the endpoint alone. The answer is kept a few seconds, so
polling it (or anyone on the internet calling it) costs at most one tiny query per interval; the
reason given is a word, never the database address.

Deployments (``Dockerfile``, ``deploy/``) and ``make run`` use this entry; the tests start
``app.py`` directly, which behaves the same apart from this endpoint.
"""
from __future__ import annotations

import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT))

import anyio.to_thread  # noqa: E402
import streamlit as st  # noqa: E402
from starlette.middleware import Middleware  # noqa: E402
from starlette.responses import PlainTextResponse  # noqa: E402
from starlette.types import ASGIApp, Receive, Scope, Send  # noqa: E402

import manage  # noqa: E402

HEALTH_PATH = "/_stcore/health"
KEEP_S = 3.0                      # how long one answer is reused

_lock = threading.Lock()
_last: tuple[float, str | None] = (float("-inf"), None)


def unready_reason() -> str | None:
    """None when the app can serve, else the name of the first failing check ("database",
    "schema", "cookie key"); computed at most once per KEEP_S seconds, whatever the callers."""
    global _last
    with _lock:
        at, reason = _last
        if time.monotonic() - at < KEEP_S:
            return reason
        try:
            reason = next((name for name, ok, _detail in manage.readiness_checks() if not ok), None)
        except Exception:  # noqa: BLE001 - a check that breaks means "not ready", never a crash
            reason = "check"
        _last = (time.monotonic(), reason)
        return reason


class ReadinessHealth:
    """ASGI middleware: ``/_stcore/health`` answers 503 while ``unready_reason()`` has a reason."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope.get("method") in ("GET", "HEAD") \
                and scope.get("path", "").endswith(HEALTH_PATH):
            reason = await anyio.to_thread.run_sync(unready_reason)
            if reason is not None:
                response = PlainTextResponse(f"unavailable: {reason}", status_code=503,
                                             headers={"Cache-Control": "no-cache"})
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)


app = st.App("app.py", middleware=[Middleware(ReadinessHealth)])
