"""The projector: what the room sees, the join link and QR code, and the read-only second-screen
link (a secret token the facilitator can open on another device without logging in)."""
from __future__ import annotations

import functools
import hashlib
import io
import os
import secrets
from dataclasses import dataclass

import segno
from sqlalchemy import select

from core import entities as e
from core.actor import Actor
from core.personas.canvas import Canvas, load_canvases
from core.session.room import Room, room_snapshot
from core.session.session_flow import check_facilitator, lock_session
from storage import db
from storage import models as m

SCREEN_TOKEN_BYTES = 24


@dataclass(frozen=True)
class ProjectorData:
    room: Room
    canvases: tuple[Canvas, ...]


def projector_snapshot(session_id: int) -> ProjectorData:
    """Everything the projector can show, at one revision (builder for ``ui.live.live_view``)."""
    room = room_snapshot(session_id)
    with db.read_session() as s:
        personas = s.execute(select(m.Persona).where(m.Persona.session_id == int(session_id),
                                                     m.Persona.deleted_at.is_(None))
                             .order_by(m.Persona.id)).scalars().all()
        canvases = tuple(load_canvases(s, list(personas)))
    return ProjectorData(room, canvases)


def base_url() -> str:
    return os.environ.get("ATELIER_BASE_URL", "http://127.0.0.1:8501").rstrip("/")


def join_url(code: str) -> str:
    return f"{base_url()}/join?join={code}"


@functools.lru_cache(maxsize=256)
def qr_png(url: str, scale: int = 10) -> bytes:
    """A QR code (segno) for a URL, as PNG bytes; dark on white for any projector."""
    buf = io.BytesIO()
    segno.make(url, error="m").save(buf, kind="png", scale=scale, border=2, dark="#000000", light="#ffffff")
    return buf.getvalue()


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def issue_screen_token(actor: Actor, session_id: int) -> str:
    """A new second-screen link secret for the session (the previous one stops working)."""
    token = secrets.token_urlsafe(SCREEN_TOKEN_BYTES)

    def _issue(s) -> None:  # noqa: ANN001
        x = lock_session(s, session_id)
        scope = check_facilitator(s, actor, x)
        x.projector_token = _hash(token)
        e.record(s, actor, "screen_link", "session", x.id, scope, after={"screen_link": "issued"})
    e.run_write(_issue)
    return token


def revoke_screen_token(actor: Actor, session_id: int) -> None:
    def _revoke(s) -> None:  # noqa: ANN001
        x = lock_session(s, session_id)
        scope = check_facilitator(s, actor, x)
        x.projector_token = None
        e.record(s, actor, "screen_link", "session", x.id, scope, after={"screen_link": "revoked"})
    e.run_write(_revoke)


def screen_link_active(session_id: int) -> bool:
    with db.read_session() as s:
        return bool(s.execute(select(m.WorkshopSession.projector_token)
                              .where(m.WorkshopSession.id == int(session_id))).scalar_one_or_none())


def session_for_screen(token: str | None) -> int | None:
    """The session a second-screen token opens, or None (unknown, revoked, malformed)."""
    if not token or len(token) > 100 or not all(c.isalnum() or c in "-_" for c in token):
        return None
    with db.read_session() as s:
        return s.execute(select(m.WorkshopSession.id).where(
            m.WorkshopSession.projector_token == _hash(token), m.WorkshopSession.deleted_at.is_(None))
        ).scalar_one_or_none()


def screen_url(token: str) -> str:
    return f"{base_url()}/?screen={token}"
