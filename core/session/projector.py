"""The projector: what the room sees, the join link and QR code, and the read-only second-screen
link (a secret token the facilitator can open on another device without logging in)."""
from __future__ import annotations

import functools
import hashlib
import io
import secrets
from dataclasses import dataclass

import segno
from sqlalchemy import select

from core import entities as e
from core import settings
from core.actor import Actor
from core.permissions import Scope
from core.personas.canvas import Canvas, load_canvases
from core.session.room import PARTS as ROOM_PARTS
from core.session.room import Room, room_snapshot
from core.session.session_flow import check_facilitator, lock_session
from core.setup.events import EventLevels, event_levels_in
from storage import db
from storage import models as m

SCREEN_TOKEN_BYTES = 24


@dataclass(frozen=True)
class ProjectorData:
    room: Room
    canvases: tuple[Canvas, ...]
    levels: EventLevels = EventLevels()   # the event's levels of power: the recommendations view's order
    persona_ids: tuple[int, ...] = ()      # the session's personas, in order (views that draw canvases)


# What each projector view does not draw, as kinds of activity rows (``Activity.entity_type``):
# writes of these kinds do not move the view's revision (``core.session.live.revision``), so the
# projector showing the vote results is not rebuilt each time a canvas gets an item. The header
# (stage, prompt, timer, join code, sub-groups) is drawn on every view: session and sub-group rows
# always count, and so does any kind not listed here.
_CANVAS = frozenset({"persona", "canvas_item", "solution_lead", "lead_resource", "resource"})
_BOARD = frozenset({"contribution"})
_RECS = frozenset({"recommendation", "recommendation_source", "vote"})
_PLANS = frozenset({"implementation_plan", "plan_action"})
_MOOD = frozenset({"mood_check"})
_JOINS = frozenset({"participant_token"})
_ALL = _CANVAS | _BOARD | _RECS | _PLANS | _MOOD | _JOINS
VIEW_IGNORES: dict[str, frozenset[str]] = {
    "feed": _ALL - _CANVAS - _BOARD,
    "board": _ALL - _BOARD,
    "personas": _ALL - _CANVAS,
    "recommendations": _ALL - {"recommendation", "recommendation_source"},
    "votes": _ALL - _RECS,
    "plans": _ALL - _PLANS - {"recommendation"},
    "mood": _ALL - _MOOD,
    "join": _ALL,
    "stage": _ALL,
}


def view_ignores(view: str) -> frozenset[str]:
    """What the projector's ``view`` does not draw (unknown view: nothing ignored)."""
    return VIEW_IGNORES.get(view, frozenset())


# What each projector view draws besides the header (the session's state, always loaded): its
# snapshot loads only that, so a write redraws the view shown at the cost of what it shows.
VIEW_PARTS: dict[str, frozenset[str]] = {
    "feed": frozenset({"canvases", "board"}),
    "board": frozenset({"board"}),
    "personas": frozenset({"canvases"}),
    "recommendations": frozenset({"recommendations", "levels"}),
    "votes": frozenset({"recommendations", "votes"}),
    "plans": frozenset({"plans"}),
    "mood": frozenset({"mood"}),
    "join": frozenset(),
    "stage": frozenset(),
}
ALL_PARTS = ROOM_PARTS | {"canvases", "levels"}


# What moves one persona's canvas (with ``persona=``: only that persona's rows and rows of no
# persona): the canvas screens of the room and the projector share these snapshots.
CANVAS_IGNORES = view_ignores("personas")


def shell_ignores(view: str) -> frozenset[str]:
    """What does not move the projector's own snapshot when its canvases come from the shared
    per-persona snapshots (``projector_snapshot(..., with_canvases=False)``): the canvas rows, but
    a persona added, renamed or removed (the list of cards) still counts."""
    ignored = view_ignores(view)
    if "canvases" in VIEW_PARTS.get(view, ALL_PARTS):
        ignored |= _CANVAS - {"persona"}
    return ignored


def projector_snapshot(session_id: int, view: str | None = None, with_canvases: bool = True) -> ProjectorData:
    """What the projector's ``view`` shows, at one revision (builder for ``ui.live.live_view``):
    the session's state and the parts that view draws (``VIEW_PARTS``); the others are left empty
    (``None``). Without a view, or for an unknown one, everything. Without ``with_canvases``, only
    the ids of the personas (``persona_ids``): the screen draws each canvas from the per-persona
    snapshot the room's canvas screens share, so a write to one canvas rebuilds that canvas only
    (see ``shell_ignores``)."""
    parts = VIEW_PARTS.get(view or "", ALL_PARTS)
    room = room_snapshot(session_id, parts)
    canvases: tuple[Canvas, ...] = ()
    persona_ids: tuple[int, ...] = ()
    levels = EventLevels()
    if parts & {"canvases", "levels"}:
        with db.read_session() as s:
            if "canvases" in parts:
                personas = s.execute(select(m.Persona).where(m.Persona.session_id == int(session_id),
                                                             m.Persona.deleted_at.is_(None))
                                     .order_by(m.Persona.id)).scalars().all()
                persona_ids = tuple(p.id for p in personas)
                if with_canvases:
                    canvases = tuple(load_canvases(s, list(personas)))
            if "levels" in parts:
                levels = event_levels_in(s, session_id)
    return ProjectorData(room, canvases, levels, persona_ids)


def join_url(code: str, base: str | None = None) -> str:
    """The link a participant opens to join with ``code``; ``base`` is the public address the room
    reaches the app at (``core.settings.public_base_url``), the configured one when omitted."""
    return f"{(base or settings.base_url()).rstrip('/')}/join?join={code}"


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


def screen_url(token: str, base: str | None = None) -> str:
    return f"{(base or settings.base_url()).rstrip('/')}/?screen={token}"


# --- the console's session, followed by the projector of the same person -----------------------

def focus_console(actor: Actor, session_id: int) -> None:
    """Remember that ``actor``'s console has ``session_id`` open (a projector they open elsewhere
    follows it). Only staff who may run the session can point at it. A preference of the person,
    not a change of the room: its activity row belongs to the event, not to the session, so the
    room's screens do not redraw."""
    def _focus(s) -> None:  # noqa: ANN001
        x = lock_session(s, session_id)
        scope = check_facilitator(s, actor, x)
        if not actor.is_staff or actor.id is None:   # the command line: nobody's console
            return
        row = s.get(m.ConsoleFocus, actor.id)
        if row is not None and row.session_id == x.id:
            return
        if row is None:
            s.add(m.ConsoleFocus(user_id=actor.id, session_id=x.id, updated_at=m.utcnow()))
        else:
            row.session_id, row.updated_at = x.id, m.utcnow()
        e.record(s, actor, "console_focus", "user", actor.id, Scope(event_id=scope.event_id),
                 after={"console_session_id": x.id})
    e.run_write(_focus)


def console_session(actor: Actor) -> int | None:
    """The session ``actor``'s console has open, if it still exists (None otherwise)."""
    if not actor.is_staff or actor.id is None:
        return None
    with db.read_session() as s:
        return s.execute(select(m.ConsoleFocus.session_id)
                         .join(m.WorkshopSession, m.WorkshopSession.id == m.ConsoleFocus.session_id)
                         .where(m.ConsoleFocus.user_id == actor.id, m.WorkshopSession.deleted_at.is_(None))
                         ).scalar_one_or_none()
