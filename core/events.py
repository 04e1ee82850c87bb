"""Events, themes and sessions: setup services and the overview the home page shows."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core import entities as e
from core.actor import Actor
from core.codes import unique_code
from core.errors import Conflict, NotFound
from storage import db
from storage import models as m


@dataclass(frozen=True)
class SessionView:
    id: int
    theme_id: int
    title: str
    starts_at: dt.datetime | None
    ends_at: dt.datetime | None
    stage: str
    status: str
    join_code: str | None


@dataclass
class ThemeView:
    id: int
    title: str
    why: str
    sessions: list[SessionView] = field(default_factory=list)


@dataclass
class EventView:
    id: int
    slug: str
    title: str
    description: str
    organisers: str
    place: str
    starts_on: dt.date | None
    ends_on: dt.date | None
    participant_cap: int
    per_org_cap: int
    archived: bool
    themes: list[ThemeView] = field(default_factory=list)

    @property
    def sessions(self) -> list[SessionView]:
        return [s for t in self.themes for s in t.sessions]


def _session_view(x: m.WorkshopSession) -> SessionView:
    return SessionView(x.id, x.theme_id, x.title, x.starts_at, x.ends_at, x.stage, x.status, x.join_code)


def list_events(include_archived: bool = False, event_ids: set[int] | None = None) -> list[EventView]:
    """Every live event with its themes and sessions, in three queries."""
    with db.read_session() as s:
        q = select(m.Event).where(m.Event.deleted_at.is_(None))
        if not include_archived:
            q = q.where(m.Event.archived_at.is_(None))
        if event_ids is not None:
            q = q.where(m.Event.id.in_(event_ids))
        events = s.execute(q).scalars().all()
        views = {ev.id: EventView(ev.id, ev.slug, ev.title, ev.description, ev.organisers, ev.place,
                                  ev.starts_on, ev.ends_on, ev.participant_cap, ev.per_org_cap,
                                  ev.archived_at is not None) for ev in events}
        themes = s.execute(
            select(m.Theme).where(m.Theme.event_id.in_(views), m.Theme.deleted_at.is_(None))
            .order_by(m.Theme.event_id, m.Theme.position, m.Theme.id)
        ).scalars().all()
        theme_views = {t.id: ThemeView(t.id, t.title, t.why) for t in themes}
        for t in themes:
            views[t.event_id].themes.append(theme_views[t.id])
        sessions = s.execute(
            select(m.WorkshopSession).where(m.WorkshopSession.theme_id.in_(theme_views),
                                            m.WorkshopSession.deleted_at.is_(None))
            .order_by(m.WorkshopSession.starts_at, m.WorkshopSession.id)
        ).scalars().all()
        for x in sessions:
            theme_views[x.theme_id].sessions.append(_session_view(x))
    out = list(views.values())
    for ev in out:  # dates default to the span of the sessions
        starts = [x.starts_at for x in ev.sessions if x.starts_at]
        if ev.starts_on is None and starts:
            ev.starts_on = min(starts).date()
        if ev.ends_on is None and starts:
            ev.ends_on = max(starts).date()
    out.sort(key=lambda ev: (ev.starts_on or dt.date.max, ev.title))
    return out


def get_event(slug: str) -> EventView:
    for ev in list_events(include_archived=True):
        if ev.slug == slug:
            return ev
    raise NotFound(field="slug")


def create_event_in(s: Session, actor: Actor, **values: Any) -> m.Event:
    slug = values.get("slug")
    if slug and s.execute(select(m.Event.id).where(m.Event.slug == slug)).first():
        raise Conflict("error.slug_taken", field="slug")
    return e.create_in(s, actor, "event", **values)


def create_event(actor: Actor, **values: Any) -> dict:
    return e.run_write(create_event_in, actor, **values)


def add_theme(actor: Actor, event_id: int, title: str, why: str = "", position: int = 0) -> dict:
    return e.create(actor, "theme", event_id=event_id, title=title, why=why, position=position)


def add_session_in(s: Session, actor: Actor, theme_id: int, starts_at: Any = None, ends_at: Any = None,
                   title: str = "") -> m.WorkshopSession:
    obj = e.create_in(s, actor, "session", theme_id=theme_id, starts_at=starts_at, ends_at=ends_at, title=title,
                      join_code=unique_code(s))
    if obj.starts_at and obj.ends_at and obj.ends_at <= obj.starts_at:
        from core.errors import ValidationError
        raise ValidationError("error.ends_before_start", field="ends_at")
    return obj


def add_session(actor: Actor, theme_id: int, starts_at: Any = None, ends_at: Any = None, title: str = "") -> dict:
    return e.run_write(add_session_in, actor, theme_id, starts_at, ends_at, title)


def add_subgroup_in(s: Session, actor: Actor, session_id: int, name: str) -> m.Subgroup:
    position = len(s.execute(select(m.Subgroup.id).where(m.Subgroup.session_id == session_id)).all())
    return e.create_in(s, actor, "subgroup", session_id=session_id, name=name, position=position,
                       join_code=unique_code(s))


def add_subgroup(actor: Actor, session_id: int, name: str) -> dict:
    return e.run_write(add_subgroup_in, actor, session_id, name)
