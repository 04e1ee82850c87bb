"""Personas and their canvas: barriers, motivations, skills, needs, solution leads and resources.

A theme's process (``core.session.theme_process``): a sub-group of a later date of the theme may
continue a persona of an earlier date (a ``persona_pickups`` row). What it adds is dated by its
session (``session_id`` of the item or lead); the canvas then says which date added what, and what
the earlier date wrote stays read-only for it (``core.permissions``: ``PICKED_UP``)."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core import entities as e
from core import validation as v
from core.actor import Actor
from core.errors import Conflict, NotFound
from core.personas.wording import near_duplicates
from core.resources.categories import suggest_category
from core.resources.inventory import NamedPartner, lead_partners
from storage import db
from storage import models as m

CATEGORISED_KINDS = ("barrier", "need")   # items sorted into the inventory's categories
NATURE_KINDS = ("barrier",)               # items that are objective or subjective


def has_category(kind: str) -> bool:
    return kind in CATEGORISED_KINDS


def has_nature(kind: str) -> bool:
    return kind in NATURE_KINDS


def item_fields(kind: str, text: str, category: str | None = None, nature: str | None = None,
                suggest: bool = False) -> dict[str, Any]:
    """The fields an item of ``kind`` carries, for an add or an edit: its text; a category for
    barriers and needs (with ``suggest``, the one its text suggests, or none); a nature for
    barriers (objective unless said). A category or nature given for another kind is dropped."""
    fields: dict[str, Any] = {"text": text}
    if has_category(kind):
        fields["category"] = suggest_category(text or "") if suggest else category
    if has_nature(kind):
        fields["nature"] = nature or "objective"
    return fields


# --- read models ----------------------------------------------------------------------------

@dataclass(frozen=True)
class ResourceRef(NamedPartner):
    id: int
    acronym: str
    name: str
    category: str


@dataclass
class LeadView:
    id: int
    text: str
    version: int
    resources: list[ResourceRef] = field(default_factory=list)
    session_id: int | None = None      # the dated session that wrote it

    @property
    def partners_to_name(self) -> list[ResourceRef]:
        """The partners to write after the lead: those its text does not already name (a lead
        "CIRÉ" linked to the CIRÉ reads "CIRÉ", not "CIRÉ (CIRÉ)")."""
        return lead_partners(self.text, self.resources, lambda r: (r.acronym, r.name))


@dataclass
class ItemView:
    id: int
    kind: str
    text: str
    version: int
    nature: str | None = None
    category: str | None = None
    created_by: str = ""
    leads: list[LeadView] = field(default_factory=list)
    session_id: int | None = None      # the dated session that wrote it


@dataclass
class PersonaCard:
    id: int
    session_id: int
    subgroup_id: int | None
    name: str
    age: int | None
    origin: str
    facts: list[str]
    note: str
    open_to_all: bool
    version: int


@dataclass
class Canvas:
    persona: PersonaCard
    barriers: list[ItemView] = field(default_factory=list)
    motivations: list[ItemView] = field(default_factory=list)
    skills: list[ItemView] = field(default_factory=list)
    needs: list[ItemView] = field(default_factory=list)
    dates: dict[int, dt.datetime | None] = field(default_factory=dict)   # dated session -> its start

    @property
    def several_dates(self) -> bool:
        """Items or leads of more than one dated session: the canvas says which date added what."""
        return len(self.dates) > 1

    def added_on(self, session_id: int | None) -> dt.datetime | None:
        return self.dates.get(session_id) if session_id is not None else None

    def section(self, kind: str) -> list[ItemView]:
        return {"barrier": self.barriers, "motivation": self.motivations, "skill": self.skills,
                "need": self.needs}[kind]


def _card(p: m.Persona) -> PersonaCard:
    return PersonaCard(p.id, p.session_id, p.subgroup_id, p.name, p.age, p.origin, list(p.facts or []),
                       p.note, p.open_to_all, p.version)


def load_canvases(s: Session, personas: list[m.Persona]) -> list[Canvas]:
    """Canvases of several personas in four queries (used by single views and galleries)."""
    canvases = {p.id: Canvas(_card(p)) for p in personas}
    if not canvases:
        return []
    items = s.execute(
        select(m.CanvasItem).where(m.CanvasItem.persona_id.in_(canvases), m.CanvasItem.deleted_at.is_(None))
        .order_by(m.CanvasItem.id)
    ).scalars().all()
    views: dict[int, ItemView] = {}
    own = {p.id: p.session_id for p in personas}
    for it in items:
        view = ItemView(it.id, it.kind, it.text, it.version, it.nature, it.category, it.created_by,
                        session_id=it.session_id if it.session_id is not None else own[it.persona_id])
        views[it.id] = view
        canvases[it.persona_id].section(it.kind).append(view)
    need_ids = [i.id for i in items if i.kind == "need"]
    if need_ids:
        leads = s.execute(
            select(m.SolutionLead).where(m.SolutionLead.need_id.in_(need_ids), m.SolutionLead.deleted_at.is_(None))
            .order_by(m.SolutionLead.id)
        ).scalars().all()
        lead_views = {ld.id: LeadView(ld.id, ld.text, ld.version,
                                      session_id=ld.session_id if ld.session_id is not None
                                      else views[ld.need_id].session_id) for ld in leads}
        for ld in leads:
            views[ld.need_id].leads.append(lead_views[ld.id])
        if lead_views:
            rows = s.execute(
                select(m.LeadResource.lead_id, m.Resource).join(m.Resource, m.Resource.id == m.LeadResource.resource_id)
                .where(m.LeadResource.lead_id.in_(lead_views), m.Resource.deleted_at.is_(None))
                .order_by(m.Resource.acronym, m.Resource.name)
            ).all()
            for lead_id, r in rows:
                lead_views[lead_id].resources.append(ResourceRef(r.id, r.acronym, r.name, r.category))
    _date_rows(s, canvases.values())
    return [canvases[p.id] for p in personas]


def _date_rows(s: Session, canvases: Any) -> None:
    """Each canvas's dated sessions (its items' and leads') with their start, one query."""
    used: dict[int, set[int]] = {}
    for c in canvases:
        ids = {x.session_id for kind in ("barrier", "motivation", "skill", "need") for x in c.section(kind)}
        ids |= {ld.session_id for need in c.needs for ld in need.leads}
        used[c.persona.id] = {i for i in ids if i is not None}
    wanted = set().union(*used.values()) if used else set()
    if not wanted:
        return
    starts = dict(s.execute(select(m.WorkshopSession.id, m.WorkshopSession.starts_at)
                            .where(m.WorkshopSession.id.in_(wanted))).all())
    def when(i: int) -> tuple:
        return (starts.get(i) is None, starts.get(i) or dt.datetime.min, i)

    for c in canvases:
        c.dates = {i: starts.get(i) for i in sorted(used[c.persona.id], key=when)}


def get_canvas(persona_id: Any) -> Canvas:
    with db.read_session() as s:
        persona = s.get(m.Persona, v.clean_id(persona_id, "persona_id"))
        if persona is None or persona.deleted_at is not None:
            raise NotFound(field="persona_id")
        return load_canvases(s, [persona])[0]


def list_personas(session_id: int) -> list[PersonaCard]:
    with db.read_session() as s:
        rows = s.execute(
            select(m.Persona).where(m.Persona.session_id == session_id, m.Persona.deleted_at.is_(None))
            .order_by(m.Persona.id)
        ).scalars().all()
        return [_card(p) for p in rows]


# --- writes ---------------------------------------------------------------------------------

def create_persona(actor: Actor, session_id: int, name: str, subgroup_id: int | None = None, **fields: Any) -> dict:
    return e.create(actor, "persona", session_id=session_id, subgroup_id=subgroup_id, name=name, **fields)


def update_persona(actor: Actor, persona_id: int, seen_version: int, **changes: Any) -> dict:
    return e.update(actor, "persona", persona_id, seen_version, **changes)


class SimilarItem(Conflict):
    """The section already holds an item that says nearly the same thing (``similar``: their
    texts, closest first): the page asks "already there: add anyway?"."""

    key = "canvas_rules.already_there"

    def __init__(self, similar: list[str]) -> None:
        self.similar = similar
        super().__init__(self.key, field="text", text=similar[0], count=len(similar))


def similar_items(s: Session, persona_id: int, kind: str, text: str, exclude_id: int | None = None) -> list[str]:
    """Texts of the live items of the same section of the same persona that ``text`` nearly
    repeats (``core.personas.wording``: the dashboard's measure), closest first."""
    q = select(m.CanvasItem.id, m.CanvasItem.text).where(
        m.CanvasItem.persona_id == persona_id, m.CanvasItem.kind == kind, m.CanvasItem.deleted_at.is_(None))
    rows = [(t, t) for i, t in s.execute(q).all() if i != exclude_id]
    return near_duplicates(text, rows)


def add_canvas_item(actor: Actor, persona_id: Any, kind: str, text: str, nature: str | None = None,
                    category: str | None = None, *, if_similar: str = "add") -> dict:
    """Add one item to a persona's canvas: a plain insert, so concurrent adds never collide.

    ``if_similar="ask"``: refuse with ``SimilarItem`` when the same section of this persona already
    holds an item that says nearly the same (checked in the same transaction), so the page can
    ask before adding it anyway (``if_similar="add"``, the default)."""
    values: dict[str, Any] = {"persona_id": persona_id, "kind": kind, "text": text,
                              "created_by": actor.label}
    if kind == "barrier":
        values["nature"] = nature or "objective"
    if category:
        values["category"] = category

    def _add(s: Session) -> m.CanvasItem:
        dated = _later_date(s, actor, v.parse_id(persona_id))
        if dated is not None:
            values["session_id"] = dated
        if if_similar == "ask" and isinstance(text, str):
            ident = v.parse_id(persona_id)
            similar = similar_items(s, ident, kind, text) if ident is not None else []
            if similar:
                e.check_can_write(actor, _write_scope(s, actor, e.get_live(s, m.Persona, ident, field="persona_id")),
                                  "canvas_item", "create")   # a refusal says "not allowed", not "already there"
                raise SimilarItem(similar)
        return e.create_in(s, actor, "canvas_item", **values)
    return e.run_write(_add)


def _later_date(s: Session, actor: Actor, persona_id: int | None) -> int | None:
    """The participant's session when it is not the persona's (a later date continuing it: the row
    is dated by it, and the permission table decides whether it may be written)."""
    if not actor.is_participant or actor.session_id is None or persona_id is None:
        return None
    persona = s.get(m.Persona, persona_id)
    if persona is None or persona.session_id == actor.session_id:
        return None
    return actor.session_id


def add_barrier(actor: Actor, persona_id: Any, text: str, nature: str = "objective",
                category: str | None = None) -> dict:
    return add_canvas_item(actor, persona_id, "barrier", text, nature=nature, category=category)


def add_need(actor: Actor, persona_id: Any, text: str, category: str | None = None) -> dict:
    return add_canvas_item(actor, persona_id, "need", text, category=category)


def edit_canvas_item(actor: Actor, item_id: Any, seen_version: int, **changes: Any) -> dict:
    return e.update(actor, "canvas_item", item_id, seen_version, **changes)


def delete_canvas_item(actor: Actor, item_id: Any) -> dict:
    return e.delete(actor, "canvas_item", item_id)


def restore_canvas_item(actor: Actor, item_id: Any) -> dict:
    return e.restore(actor, "canvas_item", item_id)


def add_solution_lead(actor: Actor, need_id: Any, text: str, resource_ids: list[int] | tuple[int, ...] = ()) -> dict:
    def _add(s: Session) -> m.SolutionLead:
        ident = v.parse_id(need_id)
        need = s.get(m.CanvasItem, ident) if ident is not None else None
        if need is None or need.deleted_at is not None or need.kind != "need":
            raise NotFound(field="need_id")
        dated = _later_date(s, actor, need.persona_id)
        lead = e.create_in(s, actor, "solution_lead", need_id=need.id, text=text,
                           **({"session_id": dated} if dated is not None else {}))
        for rid in resource_ids:
            link_resource_in(s, actor, lead.id, rid)
        return lead
    return e.run_write(_add)


def link_resource_in(s: Session, actor: Actor, lead_id: Any, resource_id: Any) -> None:
    lead = e.get_live(s, m.SolutionLead, lead_id, field="lead_id")
    resource = e.get_live(s, m.Resource, resource_id, field="resource_id")
    scope = e.scope_of(s, lead)
    e.check_can_write(actor, scope, "solution_lead")
    if s.get(m.LeadResource, (lead.id, resource.id)) is None:
        s.add(m.LeadResource(lead_id=lead.id, resource_id=resource.id))
        s.flush()
        e.record(s, actor, "link", "lead_resource", lead.id, scope,
                 after={"lead_id": lead.id, "resource_id": resource.id})


def link_resource(actor: Actor, lead_id: Any, resource_id: Any) -> None:
    e.run_write(link_resource_in, actor, lead_id, resource_id)


def unlink_resource(actor: Actor, lead_id: Any, resource_id: Any) -> None:
    def _unlink(s: Session) -> None:
        lead = e.get_live(s, m.SolutionLead, lead_id, field="lead_id")
        scope = e.scope_of(s, lead)
        e.check_can_write(actor, scope, "solution_lead")
        rid = v.clean_id(resource_id, "resource_id")
        link = s.get(m.LeadResource, (lead.id, rid))
        if link is not None:
            s.delete(link)
            e.record(s, actor, "unlink", "lead_resource", lead.id, scope,
                     before={"lead_id": lead.id, "resource_id": rid})
    e.run_write(_unlink)


# --- who may see and edit which persona -------------------------------------------------------

@dataclass(frozen=True)
class PersonaOption:
    id: int
    name: str
    session_id: int
    subgroup_name: str
    context: str        # event and theme, for staff choosing among sessions
    editable: bool
    # a theme's process: a persona of an earlier date (for a participant), who continues it
    session_date: dt.datetime | None = None
    earlier: bool = False                 # of an earlier date than the participant's session
    picked_up: bool = False               # continued by the participant's sub-group
    writes_in: int | None = None          # the rows this viewer may change: those dated by this session
    live_session_id: int | None = None    # the session whose activity moves its canvas (None: session_id)


def _write_scope(s: Session, actor: Actor, persona: m.Persona) -> e.Scope:
    """The scope of a new canvas row written by ``actor`` on ``persona``."""
    return e._persona_scope(s, persona, _later_date(s, actor, persona.id))


def can_edit(actor: Actor, card: PersonaCard) -> bool:
    from core.errors import PermissionDenied

    with db.read_session() as s:
        persona = s.get(m.Persona, card.id)
        scope = (_write_scope(s, actor, persona) if persona is not None
                 else e._session_scope(s, card.session_id, card.subgroup_id, card.open_to_all))
    try:
        e.check_can_write(actor, scope, "canvas_item")
    except PermissionDenied:
        return False
    return True


def continued_personas(session_id: int, subgroup_id: int | None = None) -> list[PersonaCard]:
    """Personas of earlier dates of the theme that the session (or one of its sub-groups) continues."""
    with db.read_session() as s:
        q = (select(m.Persona).join(m.PersonaPickup, m.PersonaPickup.persona_id == m.Persona.id)
             .where(m.PersonaPickup.session_id == session_id, m.Persona.deleted_at.is_(None)))
        if subgroup_id is not None:
            q = q.where(m.PersonaPickup.subgroup_id == subgroup_id)
        return [_card(p) for p in s.execute(q.order_by(m.PersonaPickup.id)).scalars()]


def _earlier_dates(s: Session, session_id: int | None) -> list[int]:
    """The earlier dates of a session's theme (``core.entities.theme_order``)."""
    theme_id = s.execute(select(m.WorkshopSession.theme_id).where(m.WorkshopSession.id == session_id)).scalar()
    if theme_id is None:
        return []
    order = e.theme_order(s, theme_id)
    return order[:order.index(session_id)] if session_id in order else []


def personas_for(actor: Actor) -> list[PersonaOption]:
    """The personas this actor can open: a participant's session and the earlier dates of its
    theme (those its sub-group continues editable, in the rows it writes); a staff member's events."""
    from core.errors import PermissionDenied

    with db.read_session() as s:
        earlier: list[int] = []
        q = (select(m.Persona, m.Subgroup.name, m.Event.title, m.Theme.title, m.Theme.event_id)
             .join(m.WorkshopSession, m.WorkshopSession.id == m.Persona.session_id)
             .join(m.Theme, m.Theme.id == m.WorkshopSession.theme_id)
             .join(m.Event, m.Event.id == m.Theme.event_id)
             .outerjoin(m.Subgroup, m.Subgroup.id == m.Persona.subgroup_id)
             .where(m.Persona.deleted_at.is_(None), m.WorkshopSession.deleted_at.is_(None))
             .order_by(m.Event.title, m.WorkshopSession.starts_at, m.Subgroup.position, m.Persona.id))
        if actor.is_participant:
            earlier = _earlier_dates(s, actor.session_id)
            q = q.where(m.Persona.session_id.in_([actor.session_id, *earlier]))
        elif actor.kind == "staff" and actor.role != "admin":
            q = q.where(m.Theme.event_id.in_(actor.event_ids or {-1}))
        rows = s.execute(q.add_columns(m.WorkshopSession.starts_at)).all()
        pickups: dict[int, list[tuple[int, int | None]]] = {}
        if rows:
            for pid, sid, gid in s.execute(select(m.PersonaPickup.persona_id, m.PersonaPickup.session_id,
                                                  m.PersonaPickup.subgroup_id)
                                           .where(m.PersonaPickup.persona_id.in_({r[0].id for r in rows}))
                                           .order_by(m.PersonaPickup.id)).all():
                pickups.setdefault(pid, []).append((sid, gid))
        out = []
        for persona, group_name, event_title, theme_title, event_id, starts_at in rows:
            picked = pickups.get(persona.id, [])
            later = actor.is_participant and persona.session_id != actor.session_id
            scope = e.Scope(event_id, persona.session_id, persona.subgroup_id, persona.open_to_all,
                            picked_up_by=frozenset(g for _s, g in picked if g),
                            written_in=actor.session_id if later else None)
            try:
                e.check_can_write(actor, scope, "canvas_item")
                editable = True
            except PermissionDenied:
                editable = False
            mine = later and any(g == actor.subgroup_id for _s, g in picked)
            live = actor.session_id if later else (picked[-1][0] if picked else None)
            out.append(PersonaOption(persona.id, persona.name, persona.session_id, group_name or "",
                                     f"{event_title} · {theme_title}", editable, starts_at, later, mine,
                                     actor.session_id if later else None, live))
        if actor.is_participant:   # the session's own personas first, then the earlier dates' (newest first)
            rank = {sid: i for i, sid in enumerate([actor.session_id, *reversed(earlier)])}
            out.sort(key=lambda o: (rank.get(o.session_id, len(rank)), not o.picked_up))
        return out
