"""A theme's process: its dated sessions form one workshop.

Every theme runs the same three-stage scenario (diagnostic, recommendations, implementation). When
a theme has several dated sessions, each covers some of the stages and opens with the earlier
dates' material visible and usable:

- **Stages a session covers.** The organiser stores them (``sessions.stages``, a non-empty subset
  of ``STAGES`` kept in their order) or they follow from the session's position among the theme's
  dated sessions (``default_stages``): one session covers all three; two sessions: the first the
  diagnostic, the second recommendations and implementation (the vote retains what the same date
  then plans); three or more: the first the diagnostic, the second the recommendations, the third
  and later the implementation. The facilitator's stage buttons propose the covered stages; a
  session can still be moved to any stage (nothing is refused: existing single-session data
  behaves as before).
- **Earlier sessions** of a session: the live sessions of the same theme before it in the theme's
  order (``core.entities.theme_order``: by date, undated last, then id). Later ones and other
  themes are never "earlier".
- **Personas continue.** A sub-group of a later date picks up a persona of an earlier date
  (``pick_up_persona``, one sub-group per persona and date). Its canvas then shows on that
  sub-group's list; the items and leads it adds are dated by its session (``session_id`` of the
  row) and the canvas says which date added what. What an earlier date wrote stays read-only for
  the later date (``core.permissions``: ``PICKED_UP``).
- **Recommendations** cite findings, needs and personas of the session and of its earlier
  sessions (``core.session.recommendations``); **implementation plans** cover recommendations
  retained in the session or an earlier one (``core.session.plans``). Dot votes and the stage
  state stay per session.

``session_dates`` and ``dated_session`` let the reports (dashboard, booklet, trail) date each item
by its session.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core import entities as e
from core import permissions
from core.actor import Actor
from core.errors import Conflict, NotFound, StaleEdit, ValidationError
from core.vocabulary import STAGES
from storage import db
from storage import models as m

# --- stages a session covers ------------------------------------------------------------------

def default_stages(position: int, count: int) -> tuple[str, ...]:
    """The stages the ``position``-th (0-based) of ``count`` dated sessions of a theme covers
    when the organiser did not choose (see the module's docstring)."""
    if count <= 1:
        return STAGES
    if count == 2:
        return STAGES[:1] if position == 0 else STAGES[1:]
    return (STAGES[min(position, len(STAGES) - 1)],)


def clean_stages(stages: Any) -> tuple[str, ...]:
    """A non-empty subset of ``STAGES``, in their order (duplicates dropped); anything else is
    refused with ``error.invalid_choice`` / ``error.required``."""
    if isinstance(stages, str) or not isinstance(stages, Iterable):
        raise ValidationError("error.invalid", field="stages")
    chosen = list(stages)
    for stage in chosen:
        if not isinstance(stage, str) or stage not in STAGES:
            raise ValidationError("error.invalid_choice", field="stages", value=str(stage)[:40])
    if not chosen:
        raise ValidationError("error.required", field="stages")
    return tuple(stage for stage in STAGES if stage in chosen)


def _stored(stages: Any) -> tuple[str, ...] | None:
    """Stored stages as they are read (a broken value counts as none)."""
    try:
        return clean_stages(stages) if stages else None
    except ValidationError:
        return None


def covered_stages_in(s: Session, session: m.WorkshopSession) -> tuple[str, ...]:
    stored = _stored(session.stages)
    if stored is not None:
        return stored
    order = e.theme_order(s, session.theme_id)
    if session.id not in order:
        return STAGES
    return default_stages(order.index(session.id), len(order))


def covered_stages(session_id: Any) -> tuple[str, ...]:
    """The stages a session covers: stored by the organiser, or by its position in its theme."""
    with db.read_session() as s:
        return covered_stages_in(s, e.get_live(s, m.WorkshopSession, session_id, field="session_id"))


@dataclass(frozen=True)
class DatedSession:
    """One dated session of a theme, as the organiser's planning shows it."""

    id: int
    title: str
    starts_at: dt.datetime | None
    position: int                 # 0-based, in the theme's order
    stages: tuple[str, ...]       # the stages it covers
    default: tuple[str, ...]      # what it would cover by its position
    chosen: bool                  # the organiser chose ``stages`` (otherwise the default)
    version: int


def theme_sessions(theme_id: Any) -> list[DatedSession]:
    """The theme's live sessions in order, each with the stages it covers."""
    with db.read_session() as s:
        theme = e.get_live(s, m.Theme, theme_id, field="theme_id")
        order = e.theme_order(s, theme.id)
        rows = {x.id: x for x in s.execute(select(m.WorkshopSession).where(m.WorkshopSession.id.in_(order)))
                .scalars()} if order else {}
        out = []
        for position, ident in enumerate(order):
            x = rows[ident]
            default = default_stages(position, len(order))
            stored = _stored(x.stages)
            out.append(DatedSession(x.id, x.title, x.starts_at, position, stored or default, default,
                                    stored is not None, x.version))
        return out


def set_session_stages(actor: Actor, session_id: Any, stages: Any, seen_version: int | None = None) -> dict:
    """The organiser chooses the stages a session covers (``None``: back to the default by its
    position). Planning: the organisers of the event (``("session", "update")``); a stale edit is
    refused; one activity row. A session not started yet opens on its first covered stage."""
    wanted = None if stages is None else list(clean_stages(stages))

    def _set(s: Session) -> m.WorkshopSession:
        session = e.get_live(s, m.WorkshopSession, session_id, field="session_id")
        scope = e.scope_of(s, session)
        permissions.require(actor, ("session", "update"), scope)
        before = e.snapshot(session)
        if seen_version is not None and session.version != seen_version:
            raise StaleEdit(current=before, seen_version=seen_version, version=session.version)
        if (session.stages or None) == wanted:
            return session
        session.stages = wanted
        covered = covered_stages_in(s, session)
        if session.status == "planned" and session.stage not in covered:
            session.stage = covered[0]
        s.flush()
        e.record(s, actor, "stages", "session", session.id, scope, before=before, after=e.snapshot(session))
        return session
    return e.run_write(_set)


# --- earlier sessions of a theme ----------------------------------------------------------------

def earlier_session_ids(s: Session, session: m.WorkshopSession) -> list[int]:
    """The live sessions of the same theme before ``session``, oldest first."""
    order = e.theme_order(s, session.theme_id)
    return order[:order.index(session.id)] if session.id in order else []


def is_earlier_or_same(s: Session, session: m.WorkshopSession, other_session_id: int | None) -> bool:
    """``other_session_id`` is ``session`` itself or one of its earlier dates (same theme)."""
    return other_session_id == session.id or other_session_id in earlier_session_ids(s, session)


@dataclass(frozen=True)
class SessionDate:
    id: int
    title: str
    starts_at: dt.datetime | None

    @property
    def day(self) -> dt.date | None:
        return self.starts_at.date() if self.starts_at else None


def session_dates_in(s: Session, session_ids: Iterable[int | None]) -> dict[int, SessionDate]:
    ids = {i for i in session_ids if i is not None}
    if not ids:
        return {}
    return {x.id: SessionDate(x.id, x.title, x.starts_at)
            for x in s.execute(select(m.WorkshopSession).where(m.WorkshopSession.id.in_(ids))).scalars()}


def session_dates(session_ids: Iterable[int | None]) -> dict[int, SessionDate]:
    """For reports: each session's title and date, to date items by the session they come from."""
    with db.read_session() as s:
        return session_dates_in(s, session_ids)


def dated_session(row_session_id: int | None, persona_session_id: int) -> int:
    """The session a canvas item or a solution lead was written in (``None``: its persona's)."""
    return row_session_id if row_session_id is not None else persona_session_id


def earlier_sessions(session_id: Any) -> list[SessionDate]:
    """The earlier dates of a session's theme, oldest first."""
    with db.read_session() as s:
        session = e.get_live(s, m.WorkshopSession, session_id, field="session_id")
        ids = earlier_session_ids(s, session)
        dates = session_dates_in(s, ids)
        return [dates[i] for i in ids]


# --- the earlier dates' material, for a later date's participants -------------------------------

@dataclass(frozen=True)
class EarlierPersona:
    id: int
    name: str
    age: int | None
    origin: str
    session_id: int
    session_date: dt.datetime | None
    subgroup_name: str
    picked_up_by: int | None      # the sub-group of this session that continues it (None: nobody yet)
    picked_up_by_name: str


@dataclass(frozen=True)
class EarlierFinding:
    id: int
    kind: str
    category: str
    text: str
    session_id: int
    session_date: dt.datetime | None
    subgroup_name: str


@dataclass(frozen=True)
class EarlierMaterial:
    """What the earlier dates of a session's theme produced, read-only for the later date (except
    picking up a persona)."""

    session_id: int
    sessions: tuple[SessionDate, ...]
    personas: tuple[EarlierPersona, ...]
    findings: tuple[EarlierFinding, ...]

    @property
    def empty(self) -> bool:
        return not (self.personas or self.findings)

    def picked_up_by(self, subgroup_id: int | None) -> list[EarlierPersona]:
        return [p for p in self.personas if subgroup_id is not None and p.picked_up_by == subgroup_id]


def earlier_material(session_id: Any) -> EarlierMaterial:
    """Personas (with who of this session continues them) and board contributions of the earlier
    dates of the session's theme, oldest date first."""
    with db.read_session() as s:
        session = e.get_live(s, m.WorkshopSession, session_id, field="session_id")
        ids = earlier_session_ids(s, session)
        dates = session_dates_in(s, ids)
        if not ids:
            return EarlierMaterial(session.id, (), (), ())
        order = {ident: i for i, ident in enumerate(ids)}
        names = dict(s.execute(select(m.Subgroup.id, m.Subgroup.name)
                               .where(m.Subgroup.session_id.in_([*ids, session.id]))).all())
        pickups = dict(s.execute(select(m.PersonaPickup.persona_id, m.PersonaPickup.subgroup_id)
                                 .where(m.PersonaPickup.session_id == session.id)).all())
        personas = sorted(s.execute(select(m.Persona).where(m.Persona.session_id.in_(ids),
                                                            m.Persona.deleted_at.is_(None))).scalars(),
                          key=lambda p: (order[p.session_id], p.id))
        findings = sorted(s.execute(select(m.Contribution).where(m.Contribution.session_id.in_(ids),
                                                                 m.Contribution.deleted_at.is_(None))).scalars(),
                          key=lambda c: (order[c.session_id], c.id))
        return EarlierMaterial(
            session.id, tuple(dates[i] for i in ids),
            tuple(EarlierPersona(p.id, p.name, p.age, p.origin, p.session_id, dates[p.session_id].starts_at,
                                 names.get(p.subgroup_id or 0, ""), pickups.get(p.id),
                                 names.get(pickups.get(p.id) or 0, "")) for p in personas),
            tuple(EarlierFinding(c.id, c.kind, c.category, c.text, c.session_id, dates[c.session_id].starts_at,
                                 names.get(c.subgroup_id or 0, "")) for c in findings))


def picked_up_persona_ids(s: Session, session_id: int, subgroup_id: int | None = None) -> list[int]:
    """Personas of earlier dates a session (or one of its sub-groups) continues."""
    q = select(m.PersonaPickup.persona_id).where(m.PersonaPickup.session_id == session_id)
    if subgroup_id is not None:
        q = q.where(m.PersonaPickup.subgroup_id == subgroup_id)
    return list(s.execute(q.order_by(m.PersonaPickup.id)).scalars())


def pick_up_persona(actor: Actor, persona_id: Any, session_id: Any, subgroup_id: int | None = None) -> dict:
    """A sub-group of a later date continues a persona of an earlier date of the same theme.

    A participant picks up for their own sub-group (``subgroup_id`` is ignored); staff of the
    event for the sub-group they name. Refused: a persona of the same, a later or another theme's
    session (``error.not_earlier_date``), a sub-group of another session, a persona this session
    already continues (``error.already_picked_up``). Permissions: reading the persona
    (``("persona", "read")``, ``EARLIER_DATE``) and writing in the picking session
    (``("persona", "pick_up")``, scoped to it and the sub-group). One activity row."""
    def _pick(s: Session) -> dict:
        persona = e.get_live(s, m.Persona, persona_id, field="persona_id")
        session = e.get_live(s, m.WorkshopSession, session_id, field="session_id")
        group = actor.subgroup_id if actor.is_participant else subgroup_id
        if group is None:
            raise ValidationError("error.required", field="subgroup_id")
        subgroup = e.get_live(s, m.Subgroup, group, field="subgroup_id")
        if subgroup.session_id != session.id:
            raise NotFound(field="subgroup_id")
        permissions.require(actor, ("persona", "read"), e.read_scope(s, persona))
        scope = e.scope_of(s, subgroup)
        permissions.require(actor, ("persona", "pick_up"), scope)
        if persona.session_id not in earlier_session_ids(s, session):
            raise ValidationError("error.not_earlier_date", field="persona_id")
        taken = s.execute(select(m.PersonaPickup).where(m.PersonaPickup.persona_id == persona.id,
                                                        m.PersonaPickup.session_id == session.id)).scalar_one_or_none()
        if taken is not None:
            raise Conflict("error.already_picked_up")
        row = m.PersonaPickup(persona_id=persona.id, session_id=session.id, subgroup_id=subgroup.id)
        s.add(row)
        s.flush()
        after = {"persona_id": persona.id, "session_id": session.id, "subgroup_id": subgroup.id,
                 "persona_session_id": persona.session_id}
        e.record(s, actor, "pick_up", "persona", persona.id, scope, after=after)
        return {"id": row.id, **after, "name": persona.name}
    return e.run_write(_pick)


__all__ = ["DatedSession", "EarlierFinding", "EarlierMaterial", "EarlierPersona", "SessionDate", "clean_stages",
           "covered_stages", "dated_session", "default_stages", "earlier_material", "earlier_sessions",
           "pick_up_persona", "session_dates", "set_session_stages", "theme_sessions"]
