"""Events, themes and sessions: setup services and the overview the home page shows."""
from __future__ import annotations

import dataclasses
import datetime as dt
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from core import entities as e
from core import validation as v
from core.access.codes import unique_code
from core.actor import Actor
from core.errors import Conflict, NotFound, StaleEdit, ValidationError
from core.i18n import LANGUAGES
from core.setup.board_categories import TEMPLATES
from core.territory import DEFAULT_TERRITORY, clean_custom_levels
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
    version: int = 1


@dataclass
class ThemeView:
    id: int
    title: str
    why: str
    sessions: list[SessionView] = field(default_factory=list)
    position: int = 0
    version: int = 1


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
    category_template: str = "plain"
    languages: tuple[str, ...] = ("fr", "en", "nl")
    version: int = 1
    territory: str = DEFAULT_TERRITORY                        # core.territory preset
    power_levels: list[dict[str, Any]] | None = None         # a custom list (None: the preset's)

    @property
    def sessions(self) -> list[SessionView]:
        return [s for t in self.themes for s in t.sessions]


def _session_view(x: m.WorkshopSession) -> SessionView:
    return SessionView(x.id, x.theme_id, x.title, x.starts_at, x.ends_at, x.stage, x.status, x.join_code, x.version)


def list_events(include_archived: bool = False, event_ids: set[int] | None = None) -> list[EventView]:
    """Every live event with its themes and sessions, in three queries."""
    with db.read_session() as s:
        q = select(m.Event).where(m.Event.deleted_at.is_(None))
        if not include_archived:
            q = q.where(m.Event.archived_at.is_(None))
        if event_ids is not None:
            q = q.where(m.Event.id.in_(event_ids))
        events = s.execute(q).scalars().all()
        views = {ev.id: _event_view(ev) for ev in events}
        themes = s.execute(
            select(m.Theme).where(m.Theme.event_id.in_(views), m.Theme.deleted_at.is_(None))
            .order_by(m.Theme.event_id, m.Theme.position, m.Theme.id)
        ).scalars().all()
        theme_views = {t.id: ThemeView(t.id, t.title, t.why, [], t.position, t.version) for t in themes}
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


SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,79}$")


def _slugify(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text or "").encode("ascii", "ignore").decode("ascii").lower()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-")[:60] or "evenement"


def _free_slug(s: Session, base: str) -> str:
    slug, n = base, 1
    while s.execute(select(m.Event.id).where(m.Event.slug == slug)).first():
        n += 1
        slug = f"{base}-{n}"
    return slug


def clean_languages(value: Any) -> str:
    """Interface languages of an event: a list or "fr,en" text of known languages, at least one."""
    if value is None:
        return ",".join(LANGUAGES)
    items = value.split(",") if isinstance(value, str) else list(value)
    chosen = {str(x).strip().lower() for x in items if str(x).strip()}
    if not chosen or not chosen <= set(LANGUAGES):
        raise ValidationError("error.invalid_languages", field="languages")
    return ",".join(lang for lang in LANGUAGES if lang in chosen)


def _clean_event_values(values: dict[str, Any]) -> dict[str, Any]:

    values = dict(values)
    template = values.get("category_template")
    if "category_template" in values and (not isinstance(template, str) or template not in TEMPLATES):
        raise ValidationError("error.invalid_choice", field="category_template",
                              value=str(values["category_template"])[:40])
    if "languages" in values:
        values["languages"] = clean_languages(values["languages"])
    if "territory" in values and values["territory"] in (None, ""):
        values.pop("territory")   # the column's default (a preset is always set)
    if values.get("slug"):
        values["slug"] = str(values["slug"]).strip().lower()
        if not SLUG_RE.match(values["slug"]):
            raise ValidationError("error.invalid_slug", field="slug")
    return values


def _check_dates(ev: m.Event) -> None:
    if ev.starts_on and ev.ends_on and ev.ends_on < ev.starts_on:
        raise ValidationError("error.ends_before_start", field="ends_on")


def create_event_in(s: Session, actor: Actor, **values: Any) -> m.Event:
    values = _clean_event_values(values)
    slug = values.get("slug")
    if slug and s.execute(select(m.Event.id).where(m.Event.slug == slug)).first():
        raise Conflict("error.slug_taken", field="slug")
    if not slug:
        values["slug"] = _free_slug(s, _slugify(str(values.get("title") or "")))
    ev = e.create_in(s, actor, "event", **values)
    _check_dates(ev)
    if actor.is_staff and actor.id is not None:  # whoever creates an event works on it
        s.add(m.EventStaff(event_id=ev.id, user_id=actor.id))
        e.record(s, actor, "attach", "event_staff", actor.id, e.Scope(event_id=ev.id))
    return ev


def create_event(actor: Actor, **values: Any) -> dict:
    """A new event (organisers); ``slug`` is derived from the title when left out."""
    return e.run_write(create_event_in, actor, **values)


# Called in the transaction that changed when or where sessions take place (their times, or their
# event's place), with the ids of those sessions: core.signup registers the calendar update it emails
# to the people registered (setup comes before signup and cannot call it by name).
SCHEDULE_LISTENERS: dict[str, Callable[[Session, list[int]], Any]] = {}


def _schedule_changed_in(s: Session, session_ids: list[int]) -> None:
    for listener in list(SCHEDULE_LISTENERS.values()):
        listener(s, session_ids)


def update_event(actor: Actor, event_id: int, seen_version: int | None, **changes: Any) -> dict:
    changes = _clean_event_values(changes)

    def _update(s: Session) -> m.Event:
        slug = changes.get("slug")
        if slug and s.execute(select(m.Event.id).where(m.Event.slug == slug,
                                                        m.Event.id != v.clean_id(event_id, "event_id"))).first():
            raise Conflict("error.slug_taken", field="slug")
        place = s.execute(select(m.Event.place).where(m.Event.id == v.parse_id(event_id))).scalar_one_or_none()
        ev = e.update_in(s, actor, "event", event_id, seen_version, **changes)
        _check_dates(ev)
        if "place" in changes and place is not None and ev.place != place:
            _schedule_changed_in(s, list(s.execute(
                select(m.WorkshopSession.id).join(m.Theme, m.Theme.id == m.WorkshopSession.theme_id)
                .where(m.Theme.event_id == ev.id, m.WorkshopSession.deleted_at.is_(None))).scalars()))
        return ev
    return e.run_write(_update)


def set_event_levels(actor: Actor, event_id: int, seen_version: int | None, territory: str,
                     labels: Any = None) -> dict:
    """The event's territory preset and, optionally, its own ordered list of levels of power
    (``labels``: a list or one label per line; empty: the preset's list). See ``core.territory``:
    a level taken out stays known, so recommendations already filed at it keep their label.
    Organisers of the event; a stale edit (``seen_version``) is refused."""
    def _set(s: Session) -> m.Event:
        ev = e.get_live(s, m.Event, event_id, field="event_id")
        scope = e.scope_of(s, ev)
        e.check_can_write(actor, scope, "event")
        before = e.snapshot(ev)
        if seen_version is not None and ev.version != seen_version:
            raise StaleEdit(current=before, seen_version=seen_version, version=ev.version)
        levels = clean_custom_levels(territory, labels, ev.power_levels)
        if ev.territory == territory and ev.power_levels == levels:
            return ev
        ev.territory = territory
        ev.power_levels = levels
        s.flush()
        e.record(s, actor, "update", "event", ev.id, scope, before=before, after=e.snapshot(ev))
        return ev
    return e.run_write(_set)


def archive_event(actor: Actor, event_id: int, archived: bool = True) -> dict:
    """Archive (or bring back) an event: it leaves the lists, nothing is deleted."""
    def _archive(s: Session) -> m.Event:
        ev = e.get_live(s, m.Event, event_id, field="event_id")
        scope = e.scope_of(s, ev)
        e.check_can_write(actor, scope, "event")
        if (ev.archived_at is not None) == archived:
            return ev
        before = e.snapshot(ev)
        ev.archived_at = m.utcnow() if archived else None
        s.flush()
        e.record(s, actor, "archive" if archived else "unarchive", "event", ev.id, scope, before=before,
                 after=e.snapshot(ev))
        return ev
    return e.run_write(_archive)


def _event_view(ev: m.Event) -> EventView:
    """An event's own fields, as stored (its themes are added by ``list_events``)."""
    return EventView(ev.id, ev.slug, ev.title, ev.description, ev.organisers, ev.place, ev.starts_on, ev.ends_on,
                     ev.participant_cap, ev.per_org_cap, ev.archived_at is not None, [],
                     ev.category_template or "plain", tuple(x for x in (ev.languages or "").split(",") if x),
                     ev.version, ev.territory or DEFAULT_TERRITORY,
                     list(ev.power_levels) if isinstance(ev.power_levels, list) else None)


@dataclass(frozen=True)
class EventLevels:
    """What ``core.territory`` reads of an event: its preset and its own list of levels."""
    territory: str = DEFAULT_TERRITORY
    power_levels: list[dict[str, Any]] | None = None


def event_levels_in(s: Session, session_id: Any) -> EventLevels:
    row = s.execute(select(m.Event.territory, m.Event.power_levels)
                    .join(m.Theme, m.Theme.event_id == m.Event.id)
                    .join(m.WorkshopSession, m.WorkshopSession.theme_id == m.Theme.id)
                    .where(m.WorkshopSession.id == v.parse_id(session_id))).first()
    if row is None:
        return EventLevels()
    return EventLevels(row[0] or DEFAULT_TERRITORY, list(row[1]) if isinstance(row[1], list) else None)


def event_levels(session_id: Any) -> EventLevels:
    """The territory and levels of power of a session's event (one query; the default preset for
    an unknown session)."""
    with db.read_session() as s:
        return event_levels_in(s, session_id)


def get_event_record(event_id: int) -> EventView:
    """An event's own fields, for editing (without its themes)."""
    with db.read_session() as s:
        return _event_view(e.get_live(s, m.Event, event_id, field="event_id"))


SHIFT_DAYS_MAX = 10 * 366   # a copy moves dates by at most ten years


def copy_event(actor: Actor, event_id: int, title: str, slug: str = "", shift_days: int = 364) -> dict:
    """A new season: the event's settings, themes, sessions (dates moved by ``shift_days``, new
    join codes) and staff, without any workshop content."""
    shift = dt.timedelta(days=v.clean("shift_days", v.integer(-SHIFT_DAYS_MAX, SHIFT_DAYS_MAX), shift_days) or 0)

    def _copy(s: Session) -> m.Event:
        src = e.get_live(s, m.Event, event_id, field="event_id")
        e.check_can_write(actor, e.scope_of(s, src), "event", "copy")
        new = create_event_in(
            s, actor, slug=slug or None, title=title, description=src.description, organisers=src.organisers,
            place=src.place, starts_on=src.starts_on + shift if src.starts_on else None,
            ends_on=src.ends_on + shift if src.ends_on else None, participant_cap=src.participant_cap,
            per_org_cap=src.per_org_cap, category_template=src.category_template or "plain",
            languages=src.languages or None, territory=src.territory or None)
        new.power_levels = list(src.power_levels) if isinstance(src.power_levels, list) else None
        staff = set(s.execute(select(m.EventStaff.user_id).where(m.EventStaff.event_id == src.id)).scalars())
        staff -= set(s.execute(select(m.EventStaff.user_id).where(m.EventStaff.event_id == new.id)).scalars())
        for user_id in sorted(staff):
            s.add(m.EventStaff(event_id=new.id, user_id=user_id))
            e.record(s, actor, "attach", "event_staff", user_id, e.Scope(event_id=new.id))
        s.flush()
        copy_actor = dataclasses.replace(actor, event_ids=frozenset(actor.event_ids) | {new.id}) \
            if actor.is_staff else actor
        themes = s.execute(select(m.Theme).where(m.Theme.event_id == src.id, m.Theme.deleted_at.is_(None))
                           .order_by(m.Theme.position, m.Theme.id)).scalars().all()
        for theme in themes:
            t = e.create_in(s, copy_actor, "theme", event_id=new.id, title=theme.title, why=theme.why,
                            position=theme.position)
            sessions = s.execute(select(m.WorkshopSession).where(m.WorkshopSession.theme_id == theme.id,
                                                                 m.WorkshopSession.deleted_at.is_(None))
                                 .order_by(m.WorkshopSession.starts_at, m.WorkshopSession.id)).scalars().all()
            for x in sessions:
                copy = add_session_in(s, copy_actor, t.id, x.starts_at + shift if x.starts_at else None,
                                      x.ends_at + shift if x.ends_at else None, x.title)
                for user_id in s.execute(select(m.SessionFacilitator.user_id)
                                         .where(m.SessionFacilitator.session_id == x.id)).scalars():
                    s.add(m.SessionFacilitator(session_id=copy.id, user_id=user_id))
        s.flush()
        return new
    return e.run_write(_copy)


# --- themes -----------------------------------------------------------------------------------

def add_theme(actor: Actor, event_id: int, title: str, why: str = "", position: int | None = None) -> dict:
    def _add(s: Session) -> m.Theme:
        pos = position
        if pos is None:
            pos = len(s.execute(select(m.Theme.id).where(m.Theme.event_id == v.clean_id(event_id, "event_id"),
                                                         m.Theme.deleted_at.is_(None))).all())
        return e.create_in(s, actor, "theme", event_id=event_id, title=title, why=why, position=pos)
    return e.run_write(_add)


def update_theme(actor: Actor, theme_id: int, seen_version: int | None, **changes: Any) -> dict:
    return e.update(actor, "theme", theme_id, seen_version, **changes)


def delete_theme(actor: Actor, theme_id: int) -> dict:
    return e.delete(actor, "theme", theme_id)


# --- sessions ---------------------------------------------------------------------------------

def _create_session_in(s: Session, actor: Actor, **values: Any) -> m.WorkshopSession:
    """``entities.create_in`` for a session, with the permission checked against the theme's event
    (``scope_of`` cannot place a session row before it has an id). Organisers create sessions."""
    spec = e.SPECS["session"]
    clean = e._clean_values(s, spec, values, partial=False)
    theme = e.get_live(s, m.Theme, clean["theme_id"], field="theme_id")
    e.check_can_write(actor, e.Scope(event_id=theme.event_id), "session", "create")
    obj = spec.model(**{**spec.defaults, **{k: v for k, v in clean.items() if v is not None}})
    s.add(obj)
    s.flush()
    e.record(s, actor, "create", "session", obj.id, e.scope_of(s, obj), after=e.snapshot(obj))
    return obj


def add_session_in(s: Session, actor: Actor, theme_id: int, starts_at: Any = None, ends_at: Any = None,
                   title: str = "") -> m.WorkshopSession:
    obj = _create_session_in(s, actor, theme_id=theme_id, starts_at=starts_at, ends_at=ends_at, title=title,
                             join_code=unique_code(s))
    if obj.starts_at and obj.ends_at and obj.ends_at <= obj.starts_at:
        raise ValidationError("error.ends_before_start", field="ends_at")
    return obj


def add_session(actor: Actor, theme_id: int, starts_at: Any = None, ends_at: Any = None, title: str = "", *,
                facilitator_ids: list[int] | None = None) -> dict:
    """A dated session of a theme, with a join code (and its facilitators, when given)."""
    def _add(s: Session) -> m.WorkshopSession:
        x = add_session_in(s, actor, theme_id, starts_at, ends_at, title)
        if facilitator_ids:
            set_session_facilitators_in(s, actor, x.id, facilitator_ids)
        return x
    return e.run_write(_add)


def update_session(actor: Actor, session_id: int, seen_version: int | None, **changes: Any) -> dict:
    """Reschedule or rename a session (title, starts_at, ends_at)."""
    allowed = {"title", "starts_at", "ends_at"}
    if set(changes) - allowed:
        raise Conflict("error.unknown_field", field=sorted(set(changes) - allowed)[0])

    def _update(s: Session) -> m.WorkshopSession:
        before = s.execute(select(m.WorkshopSession.starts_at, m.WorkshopSession.ends_at)
                           .where(m.WorkshopSession.id == v.parse_id(session_id))).first()
        x = e.update_in(s, actor, "session", session_id, seen_version, **changes)
        if x.starts_at and x.ends_at and x.ends_at <= x.starts_at:
            raise ValidationError("error.ends_before_start", field="ends_at")
        if before is not None and tuple(before) != (x.starts_at, x.ends_at):
            _schedule_changed_in(s, [x.id])
        return x
    return e.run_write(_update)


def delete_session(actor: Actor, session_id: int) -> dict:
    return e.delete(actor, "session", session_id)


def add_subgroup_in(s: Session, actor: Actor, session_id: int, name: str) -> m.Subgroup:
    session_id = v.clean_id(session_id, "session_id")
    position = len(s.execute(select(m.Subgroup.id).where(m.Subgroup.session_id == session_id)).all())
    return e.create_in(s, actor, "subgroup", session_id=session_id, name=name, position=position,
                       join_code=unique_code(s))


def add_subgroup(actor: Actor, session_id: int, name: str) -> dict:
    return e.run_write(add_subgroup_in, actor, session_id, name)


SUBGROUPS_AT_ONCE_MAX = 12


def add_subgroups(actor: Actor, session_id: int, names: list[str]) -> list[dict]:
    """Several sub-groups at once (the console's "one per table"), in one transaction: all or none."""
    if not 1 <= len(names) <= SUBGROUPS_AT_ONCE_MAX:
        raise ValidationError("error.out_of_range", field="count", min=1, max=SUBGROUPS_AT_ONCE_MAX)

    def _add(s: Session) -> list[dict]:
        return [e.snapshot(add_subgroup_in(s, actor, session_id, name)) for name in names]
    return e.run_write(_add)


# --- staff: organisers and facilitators of an event, facilitators of a session ----------------

@dataclass(frozen=True)
class StaffRef:
    id: int
    username: str
    name: str
    role: str


def _staff_refs(s: Session, q: Any) -> list[StaffRef]:
    return [StaffRef(u.id, u.username, u.name, u.role) for u in s.execute(q.order_by(m.User.name)).scalars()]


def staff_candidates() -> list[StaffRef]:
    """Active staff who can run sessions (facilitators and organisers)."""
    with db.read_session() as s:
        return _staff_refs(s, select(m.User).where(m.User.active.is_(True),
                                                   m.User.role.in_(("facilitator", "organiser"))))


def event_staff(event_id: int) -> list[StaffRef]:
    with db.read_session() as s:
        return _staff_refs(s, select(m.User).join(m.EventStaff, m.EventStaff.user_id == m.User.id)
                           .where(m.EventStaff.event_id == int(event_id)))


def session_facilitators(session_id: int) -> list[StaffRef]:
    with db.read_session() as s:
        return _staff_refs(s, select(m.User).join(m.SessionFacilitator, m.SessionFacilitator.user_id == m.User.id)
                           .where(m.SessionFacilitator.session_id == int(session_id)))


def _staff_user(s: Session, user_id: Any) -> m.User:
    ident = v.parse_id(user_id)
    user = s.get(m.User, ident) if ident is not None else None
    if user is None or not user.active or user.role not in ("facilitator", "organiser", "admin"):
        raise NotFound("error.unknown_user", field="user_id", username=str(user_id)[:40])
    return user


def _attach_in(s: Session, actor: Actor, event_id: int, user: m.User) -> None:
    if s.get(m.EventStaff, (event_id, user.id)) is None:
        s.add(m.EventStaff(event_id=event_id, user_id=user.id))
        e.record(s, actor, "attach", "event_staff", user.id, e.Scope(event_id=event_id),
                 after={"username": user.username})


def set_event_staff(actor: Actor, event_id: int, user_ids: list[int]) -> None:
    """Who works on an event (organisers only); someone removed also leaves its sessions."""
    def _set(s: Session) -> None:
        ev = e.get_live(s, m.Event, event_id, field="event_id")
        e.check_can_write(actor, e.scope_of(s, ev), "event", "staff")
        wanted = {_staff_user(s, uid).id for uid in user_ids}
        current = set(s.execute(select(m.EventStaff.user_id).where(m.EventStaff.event_id == ev.id)).scalars())
        if actor.is_staff and actor.role != "admin" and actor.id in current:
            wanted.add(actor.id)  # an organiser does not lock themselves out
        for uid in sorted(wanted - current):
            _attach_in(s, actor, ev.id, e.get_row(s, m.User, uid))
        session_ids = select(m.WorkshopSession.id).join(m.Theme, m.Theme.id == m.WorkshopSession.theme_id) \
            .where(m.Theme.event_id == ev.id)
        for uid in sorted(current - wanted):
            s.execute(delete(m.EventStaff).where(m.EventStaff.event_id == ev.id, m.EventStaff.user_id == uid)
                      .execution_options(synchronize_session=False))
            s.execute(delete(m.SessionFacilitator).where(m.SessionFacilitator.user_id == uid,
                                                         m.SessionFacilitator.session_id.in_(session_ids))
                      .execution_options(synchronize_session=False))
            e.record(s, actor, "detach", "event_staff", uid, e.Scope(event_id=ev.id))
    e.run_write(_set)


def set_session_facilitators_in(s: Session, actor: Actor, session_id: int, user_ids: list[int]) -> None:
    x = e.get_live(s, m.WorkshopSession, session_id, field="session_id")
    scope = e.scope_of(s, x)
    e.check_can_write(actor, scope, "session", "facilitators")  # organisers of the event (facilitators may not)
    wanted = {_staff_user(s, uid).id for uid in user_ids}
    current = set(s.execute(select(m.SessionFacilitator.user_id)
                            .where(m.SessionFacilitator.session_id == x.id)).scalars())
    for uid in sorted(wanted - current):
        event_id = e.get_row(s, m.Theme, x.theme_id).event_id
        _attach_in(s, actor, event_id, e.get_row(s, m.User, uid))  # a session's facilitator works on its event
        s.add(m.SessionFacilitator(session_id=x.id, user_id=uid))
    if wanted - current or current - wanted:
        s.execute(delete(m.SessionFacilitator).where(m.SessionFacilitator.session_id == x.id,
                                                     m.SessionFacilitator.user_id.in_(current - wanted))
                  .execution_options(synchronize_session=False))
        s.flush()
        e.record(s, actor, "facilitators", "session", x.id, scope, before={"user_ids": sorted(current)},
                 after={"user_ids": sorted(wanted)})


def set_session_facilitators(actor: Actor, session_id: int, user_ids: list[int]) -> None:
    """The facilitators of a session (organisers); they are attached to its event as well."""
    e.run_write(set_session_facilitators_in, actor, session_id, user_ids)


# --- what a staff member can open in the console ---------------------------------------------

@dataclass(frozen=True)
class SessionChoice:
    id: int
    event_title: str
    theme_title: str
    title: str
    starts_at: dt.datetime | None
    status: str
    stage: str
    mine: bool          # the actor is one of its facilitators


def sessions_for(actor: Actor) -> list[SessionChoice]:
    """Sessions the actor may run: those of their events (all for admins), theirs first, then by date."""
    event_ids = None if actor.role == "admin" or actor.kind == "system" else set(actor.event_ids)
    events = list_events(event_ids=event_ids)
    with db.read_session() as s:
        mine = set(s.execute(select(m.SessionFacilitator.session_id)
                             .where(m.SessionFacilitator.user_id == actor.id)).scalars()) if actor.id else set()
    out = [SessionChoice(x.id, ev.title, th.title, x.title, x.starts_at, x.status, x.stage, x.id in mine)
           for ev in events for th in ev.themes for x in th.sessions]
    out.sort(key=lambda c: (not c.mine, c.status == "closed", c.starts_at or dt.datetime.max, c.id))
    return out
