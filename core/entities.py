"""The one write path: validated create / edit / soft delete / restore for every domain entity.

Each entity is described once (its model, its fields with their rules, its parent); the generic
functions here validate, check permissions, write, and append an ``activity`` row in the same
transaction. Named domain services (``core.personas.canvas.add_barrier`` ...) are thin wrappers.
"""
from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any, TypeVar

from sqlalchemy import inspect, select
from sqlalchemy.exc import DataError, IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from core import limits as L
from core import permissions, territory, vocabulary
from core import validation as v
from core.actor import SYSTEM, Actor
from core.errors import Conflict, NotFound, StaleEdit
from core.permissions import Scope
from storage import db
from storage import models as m

log = logging.getLogger("atelier.core")


@dataclass(frozen=True)
class Spec:
    name: str
    model: type
    fields: dict[str, v.Rule]
    editable: frozenset[str] = field(default_factory=frozenset)   # fields an edit may change
    defaults: dict[str, Any] = field(default_factory=dict)
    staff_only: frozenset[str] = frozenset()                     # fields a participant may not set (permissions)


SPECS: dict[str, Spec] = {}


def _spec(name: str, model: type, fields: dict[str, v.Rule], editable: tuple[str, ...] | None = None,
          **defaults: Any) -> Spec:
    refs = {k for k, r in fields.items() if r.kind == "ref"}
    spec = Spec(name, model, fields, frozenset(editable if editable is not None else set(fields) - refs), defaults,
                frozenset(permissions.STAFF_ONLY_FIELDS.get(name, ())))
    SPECS[name] = spec
    return spec


_spec("event", m.Event, {
    "slug": v.text(80, multiline=False), "title": v.text(L.TITLE_MAX, multiline=False),
    "description": v.text(L.LONG_MAX, required=False), "organisers": v.text(L.LONG_MAX, required=False),
    "place": v.text(300, required=False, multiline=False), "starts_on": v.date(), "ends_on": v.date(),
    "participant_cap": v.integer(L.CAP_MIN, L.CAP_MAX), "per_org_cap": v.integer(L.PER_ORG_CAP_MIN, L.PER_ORG_CAP_MAX),
    "category_template": v.text(40, required=False, multiline=False),
    "languages": v.text(40, required=False, multiline=False),
    "territory": v.choice(territory.TERRITORIES, required=False),
})
_spec("theme", m.Theme, {
    "event_id": v.ref(m.Event), "title": v.text(L.TITLE_MAX, multiline=False),
    "why": v.text(L.LONG_MAX, required=False), "position": v.integer(0, 10_000),
})
_spec("session", m.WorkshopSession, {
    "theme_id": v.ref(m.Theme), "title": v.text(L.TITLE_MAX, required=False, multiline=False),
    "starts_at": v.datetime_(), "ends_at": v.datetime_(), "stage": v.choice(vocabulary.STAGES, required=False),
    "status": v.choice(vocabulary.SESSION_STATUSES, required=False),
    "join_code": v.text(12, required=False, multiline=False),
})
_spec("subgroup", m.Subgroup, {
    "session_id": v.ref(m.WorkshopSession), "name": v.text(L.SUBGROUP_NAME_MAX, multiline=False),
    "position": v.integer(0, 10_000), "join_code": v.text(12, required=False, multiline=False),
})
_spec("persona", m.Persona, {
    "session_id": v.ref(m.WorkshopSession), "subgroup_id": v.ref(m.Subgroup, required=False),
    "name": v.text(L.NAME_MAX, multiline=False), "age": v.integer(L.AGE_MIN, L.AGE_MAX),
    "origin": v.text(L.NAME_MAX, required=False, multiline=False), "facts": v.text_list(L.FACTS_MAX, L.ITEM_MAX),
    "note": v.text(L.LONG_MAX, required=False), "open_to_all": v.boolean(),
    "template_key": v.text(40, required=False, multiline=False),
})
_spec("canvas_item", m.CanvasItem, {
    "persona_id": v.ref(m.Persona), "kind": v.choice(vocabulary.CANVAS_KINDS), "text": v.text(L.ITEM_MAX),
    "nature": v.choice(vocabulary.BARRIER_NATURES, required=False),
    "category": v.choice(vocabulary.CATEGORIES, required=False),
    "created_by": v.text(L.NAME_MAX, required=False, multiline=False),
    "session_id": v.ref(m.WorkshopSession, required=False),   # a later date of the theme that wrote it
}, editable=("text", "nature", "category"))
_spec("solution_lead", m.SolutionLead, {"need_id": v.ref(m.CanvasItem), "text": v.text(L.ITEM_MAX),
                                        "session_id": v.ref(m.WorkshopSession, required=False)})
_spec("resource", m.Resource, {
    "acronym": v.text(40, required=False, multiline=False), "name": v.text(L.TITLE_MAX, multiline=False),
    "description": v.text(L.LONG_MAX, required=False), "category": v.choice(vocabulary.CATEGORIES),
    "organisation_name": v.text(L.TITLE_MAX, required=False, multiline=False),
    "service_name": v.text(L.TITLE_MAX, required=False, multiline=False),
    "address": v.text(300, required=False, multiline=False),
    "contact_name": v.text(L.NAME_MAX, required=False, multiline=False),
    "phone": v.text(60, required=False, multiline=False), "email": v.text(200, required=False, multiline=False),
    "url": v.text(L.URL_MAX, required=False, multiline=False),
    "added_by_subgroup_id": v.ref(m.Subgroup, required=False),
    "territory": v.choice(territory.TERRITORIES, required=False),   # None: every event's
}, category="other")
_spec("contribution", m.Contribution, {
    "session_id": v.ref(m.WorkshopSession), "subgroup_id": v.ref(m.Subgroup, required=False),
    "kind": v.choice(vocabulary.CONTRIBUTION_KINDS), "category": v.text(L.NAME_MAX, required=False, multiline=False),
    "text": v.text(L.ITEM_MAX), "created_by": v.text(L.NAME_MAX, required=False, multiline=False),
}, editable=("kind", "category", "text"))
_spec("recommendation", m.Recommendation, {
    "session_id": v.ref(m.WorkshopSession), "subgroup_id": v.ref(m.Subgroup, required=False),
    "title": v.text(L.TITLE_MAX, multiline=False), "text": v.text(L.LONG_MAX, required=False),
    # one of the event's levels (core.territory.check_level, in core.session.recommendations)
    "level": v.text(territory.KEY_MAX, multiline=False), "public": v.text(L.TITLE_MAX, required=False, multiline=False),
    "retained": v.boolean(),
})
_spec("implementation_plan", m.ImplementationPlan, {
    "recommendation_id": v.ref(m.Recommendation), "session_id": v.ref(m.WorkshopSession),
    "subgroup_id": v.ref(m.Subgroup, required=False),
    "who_wants_what": v.text(L.LONG_MAX, required=False), "people_concerned_view": v.text(L.LONG_MAX, required=False),
    "try_here_now": v.text(L.LONG_MAX, required=False), "tried_learned": v.text(L.LONG_MAX, required=False),
})
_spec("plan_action", m.PlanAction, {
    "plan_id": v.ref(m.ImplementationPlan), "action": v.text(L.ITEM_MAX),
    "carrier": v.text(L.TITLE_MAX, required=False, multiline=False), "due": v.date(),
    "means": v.text(L.LONG_MAX, required=False), "indicator": v.text(L.LONG_MAX, required=False),
    "risks": v.text(L.LONG_MAX, required=False),
})


# --- scope and permissions ------------------------------------------------------------------

# ``Scope`` (which event, session and sub-group a row belongs to) lives in core.permissions.

def theme_order(s: Session, theme_id: int) -> list[int]:
    """The live sessions of a theme in the order of its process: by date (undated last), then id
    (``core.session.theme_process`` reads the dates' stages and earlier material from it)."""
    rows = s.execute(select(m.WorkshopSession.id, m.WorkshopSession.starts_at).where(
        m.WorkshopSession.theme_id == theme_id, m.WorkshopSession.deleted_at.is_(None))).all()
    return [ident for ident, _at in sorted(rows, key=lambda r: (r[1] is None, r[1] or dt.datetime.min, r[0]))]


def _session_scope(s: Session, session_id: int | None, subgroup_id: int | None = None,
                   open_to_all: bool = False, picked_up_by: frozenset[int] = frozenset(),
                   written_in: int | None = None, readers: bool = False) -> Scope:
    """A row of ``session_id``; ``written_in``: a later date of the theme wrote it (that session's
    closed and paused states apply; see core.permissions, "A theme's process"); ``readers``: also
    the later dates of the theme, who read it (one more query: reads only)."""
    if session_id is None:
        return Scope(subgroup_id=subgroup_id, open_to_all=open_to_all)
    row = s.execute(
        select(m.Theme.event_id, m.WorkshopSession.status, m.WorkshopSession.contributions_open, m.Theme.id)
        .join(m.WorkshopSession, m.WorkshopSession.theme_id == m.Theme.id)
        .where(m.WorkshopSession.id == session_id)
    ).first()
    if row is None:
        return Scope(None, session_id, subgroup_id, open_to_all)
    later: frozenset[int] = frozenset()
    if readers:
        order = theme_order(s, row[3])
        later = frozenset(order[order.index(session_id) + 1:]) if session_id in order else frozenset()
    status, is_open = row[1], row[2]
    if written_in is not None and written_in != session_id:
        state = s.execute(select(m.WorkshopSession.status, m.WorkshopSession.contributions_open)
                          .where(m.WorkshopSession.id == written_in)).first()
        if state is not None:
            status, is_open = state
    else:
        written_in = None
    return Scope(row[0], session_id, subgroup_id, open_to_all, status == "closed", bool(is_open),
                 picked_up_by, written_in, later)


def _persona_scope(s: Session, persona: m.Persona | None, written_in: int | None = None,
                   readers: bool = False) -> Scope:
    """A persona's (or one of its canvas rows', ``written_in`` the date that wrote it)."""
    if persona is None:
        return Scope()
    picked = frozenset(g for g in s.execute(select(m.PersonaPickup.subgroup_id)
                                            .where(m.PersonaPickup.persona_id == persona.id)).scalars() if g)
    return replace(_session_scope(s, persona.session_id, persona.subgroup_id, persona.open_to_all, picked,
                                  written_in, readers), persona_id=persona.id)


def read_scope(s: Session, obj: Any) -> Scope:
    """``scope_of`` for a read check: with the later dates of the theme, who read the row's session
    (``core.permissions.EARLIER_DATE``)."""
    if isinstance(obj, m.Persona):
        return _persona_scope(s, obj, readers=True)
    if hasattr(obj, "session_id"):
        return _session_scope(s, obj.session_id, getattr(obj, "subgroup_id", None), readers=True)
    return scope_of(s, obj)


def scope_of(s: Session, obj: Any) -> Scope:
    """Which event, session and sub-group a row belongs to (for permissions and the activity log)."""
    if isinstance(obj, m.Event):
        return Scope(event_id=obj.id)
    if isinstance(obj, m.Theme):
        return Scope(event_id=obj.event_id)
    if isinstance(obj, m.WorkshopSession):
        if obj.id is None:  # being created: it belongs to its theme's event
            theme = s.get(m.Theme, obj.theme_id) if obj.theme_id is not None else None
            return Scope(event_id=theme.event_id if theme else None)
        return _session_scope(s, obj.id)
    if isinstance(obj, m.Subgroup):
        return _session_scope(s, obj.session_id, obj.id)
    if isinstance(obj, m.Persona):
        return _persona_scope(s, obj)
    if isinstance(obj, m.CanvasItem):
        return _persona_scope(s, s.get(m.Persona, obj.persona_id), obj.session_id)
    if isinstance(obj, m.SolutionLead):
        need = s.get(m.CanvasItem, obj.need_id)
        return _persona_scope(s, s.get(m.Persona, need.persona_id) if need else None, obj.session_id)
    if isinstance(obj, m.PlanAction):
        return scope_of(s, s.get(m.ImplementationPlan, obj.plan_id))
    if isinstance(obj, m.Resource):
        return Scope(subgroup_id=obj.added_by_subgroup_id)
    if hasattr(obj, "session_id"):
        return _session_scope(s, obj.session_id, getattr(obj, "subgroup_id", None))
    return Scope()


def check_can_write(actor: Actor, scope: Scope, entity: str, action: str = "write") -> None:
    """Raise PermissionDenied unless ``actor`` may do ``action`` ("create", "update", "delete",
    "restore", or a named action such as "vote") on ``entity`` in ``scope``; "write" means
    "update". The decision is the table of ``core.permissions`` (roles, closed sessions, paused
    contributions, personas open to all, a sub-group's own resources)."""
    permissions.require(actor, (entity, "update" if action == "write" else action), scope)


def _check_staff_only(actor: Actor, spec: Spec, values: dict[str, Any]) -> None:
    permissions.require_fields(actor, spec.name, values)


# --- snapshots and the activity log ---------------------------------------------------------

def _jsonable(value: Any) -> Any:
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return value


def snapshot(obj: Any) -> dict[str, Any]:
    """A JSON-safe dict of a row's columns."""
    return {c.key: _jsonable(getattr(obj, c.key)) for c in inspect(obj).mapper.column_attrs}


def record(s: Session, actor: Actor, action: str, entity: str, entity_id: int | None, scope: Scope,
           before: dict[str, Any] | None = None, after: dict[str, Any] | None = None) -> m.Activity:
    # a row a later date of the theme wrote belongs to that date's activity (its revision, its trail)
    row = m.Activity(actor_type=actor.kind, actor_id=actor.id, actor_label=actor.label[:120], action=action,
                     entity_type=entity, entity_id=entity_id, event_id=scope.event_id,
                     session_id=scope.written_in or scope.session_id, persona_id=scope.persona_id,
                     before=before, after=after)
    s.add(row)
    return row


# --- generic operations inside a unit of work ------------------------------------------------

R = TypeVar("R")


def get_row(s: Session, model: type[R], ident: Any, field: str | None = None) -> R:
    """A row that must exist, such as a parent reached through its foreign key (deleted or not);
    ``NotFound`` otherwise."""
    obj = s.get(model, ident)
    if obj is None:
        raise NotFound(field=field)
    return obj


def get_live(s: Session, model: type[R], ident: Any, field: str | None = None) -> R:
    """A row by an id that came from outside (parsed first) and is not deleted; ``NotFound`` otherwise."""
    ident = v.clean_id(ident, field)  # True or 1.5 are not row 1; 2**63 is no row either
    obj = s.get(model, ident)
    if obj is None or getattr(obj, "deleted_at", None) is not None:
        raise NotFound(field=field)
    return obj


def _clean_values(s: Session, spec: Spec, values: dict[str, Any], partial: bool) -> dict[str, Any]:
    unknown = set(values) - set(spec.fields)
    if unknown:
        raise Conflict("error.unknown_field", field=sorted(unknown)[0])
    out: dict[str, Any] = {}
    for name, rule in spec.fields.items():
        if name not in values:
            if not partial and rule.required:
                raise v.ValidationError("error.required", field=name)
            continue
        value = v.clean(name, rule, values[name])
        if name == "join_code" and value == "":
            value = None  # no code: NULL, not "" (codes are unique; many rows have none)
        if rule.kind == "ref" and value is not None:
            get_live(s, rule.ref, value, field=name)
        out[name] = value
    return out


def create_in(s: Session, actor: Actor, entity: str, **values: Any) -> Any:
    spec = SPECS[entity]
    clean = _clean_values(s, spec, values, partial=False)
    _check_staff_only(actor, spec, clean)
    obj = spec.model(**{**spec.defaults, **{k: v_ for k, v_ in clean.items() if v_ is not None}})
    scope = scope_of(s, obj)
    check_can_write(actor, scope, entity, "create")
    s.add(obj)
    s.flush()
    record(s, actor, "create", entity, obj.id, scope, after=snapshot(obj))
    return obj


def update_in(s: Session, actor: Actor, entity: str, ident: Any, seen_version: int | None, **changes: Any) -> Any:
    spec = SPECS[entity]
    not_editable = set(changes) - spec.editable
    if not_editable:
        raise Conflict("error.unknown_field", field=sorted(not_editable)[0])
    obj: Any = get_live(s, spec.model, ident)
    scope = scope_of(s, obj)
    check_can_write(actor, scope, entity)
    clean = _clean_values(s, spec, changes, partial=True)
    permissions.require_fields(actor, entity, clean, updating=True)
    before = snapshot(obj)
    if seen_version is not None and obj.version != seen_version:
        raise StaleEdit(current=before, seen_version=seen_version, version=obj.version)
    for key, value in clean.items():
        setattr(obj, key, value)
    if not s.is_modified(obj):
        return obj
    s.flush()
    record(s, actor, "update", entity, obj.id, scope, before=before, after=snapshot(obj))
    return obj


def delete_in(s: Session, actor: Actor, entity: str, ident: Any) -> Any:
    spec = SPECS[entity]
    obj: Any = get_live(s, spec.model, ident)
    scope = scope_of(s, obj)
    check_can_write(actor, scope, entity, "delete")
    before = snapshot(obj)
    obj.deleted_at = m.utcnow()
    s.flush()
    record(s, actor, "delete", entity, obj.id, scope, before=before, after=snapshot(obj))
    return obj


def restore_in(s: Session, actor: Actor, entity: str, ident: Any) -> Any:
    spec = SPECS[entity]
    obj = s.get(spec.model, v.clean_id(ident))
    if obj is None:
        raise NotFound()
    scope = scope_of(s, obj)
    check_can_write(actor, scope, entity, "restore")
    if obj.deleted_at is None:
        return obj
    before = snapshot(obj)
    obj.deleted_at = None
    s.flush()
    record(s, actor, "restore", entity, obj.id, scope, before=before, after=snapshot(obj))
    return obj


# --- public services: one transaction each --------------------------------------------------

def run_write(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Run ``fn(session, *args)`` in one writing transaction and map storage faults to core errors."""
    try:
        with db.write_session() as s:
            result = fn(s, *args, **kwargs)
            s.flush()
            return snapshot(result) if isinstance(result, m.Base) else result
    except StaleDataError:
        raise StaleEdit(current={}) from None
    except IntegrityError:
        raise Conflict() from None
    except DataError as exc:  # a value the database refuses that validation let through: changes nothing
        log.warning("database refused a value validation let through (%s): %s", fn.__name__,
                    type(exc.orig).__name__ if exc.orig else type(exc).__name__)
        raise v.ValidationError("error.invalid") from None
    # the database away for a moment is already StorageUnavailable (storage.db's engine hook);
    # any other OperationalError is a bug and goes up as one


def create(actor: Actor, entity: str, **values: Any) -> dict[str, Any]:
    return run_write(create_in, actor, entity, **values)


def update(actor: Actor, entity: str, ident: Any, seen_version: int | None, **changes: Any) -> dict[str, Any]:
    return run_write(update_in, actor, entity, ident, seen_version, **changes)


def delete(actor: Actor, entity: str, ident: Any) -> dict[str, Any]:
    return run_write(delete_in, actor, entity, ident)


def restore(actor: Actor, entity: str, ident: Any) -> dict[str, Any]:
    return run_write(restore_in, actor, entity, ident)


def get(entity: str, ident: Any, include_deleted: bool = False) -> dict[str, Any]:
    spec = SPECS[entity]
    with db.read_session() as s:
        obj = s.get(spec.model, v.clean_id(ident))
        if obj is None or (obj.deleted_at is not None and not include_deleted):
            raise NotFound()
        return snapshot(obj)


__all__ = ["SPECS", "SYSTEM", "Scope", "check_can_write", "create", "create_in", "delete", "delete_in",
           "get", "record", "restore", "restore_in", "run_write", "scope_of", "snapshot", "update", "update_in"]
