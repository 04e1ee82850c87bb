"""Persona templates: start a persona from one of the six Partner's Day personas, or copy a
persona (with its whole canvas) into another session.

Both copy identity, barriers, motivations, skills, needs, solution leads and their resource
links in ONE transaction, with an activity row for every row written. Template resources are
found in the inventory by acronym or name (dots, accents and case ignored; a merged resource
stands for the one it was merged into) and created when missing.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core import entities as e
from core import permissions
from core.actor import Actor
from core.errors import NotFound
from core.personas.canvas import link_resource_in
from core.resources.categories import normalise
from core.resources.inventory import compact
from core.setup import demo_data as D
from storage import models as m

__all__ = ["Template", "copy_persona", "create_persona_from_template", "get_template", "list_templates"]


@dataclass(frozen=True)
class Template:
    key: str
    name: str
    age: int | None
    origin: str
    facts: tuple[str, ...]
    barriers: int
    motivations: int
    skills: int
    needs: int
    leads: int
    note: str = ""
    data: dict[str, Any] = field(default_factory=dict, repr=False, hash=False, compare=False)

    @property
    def summary(self) -> str:
        return self.facts[0] if self.facts else ""


def _template(p: dict[str, Any]) -> Template:
    return Template(
        key=normalise(p["name"]).replace(" ", "-"), name=p["name"], age=p.get("age"), origin=p.get("origin", ""),
        facts=tuple(p.get("facts", ())), barriers=len(p.get("barriers", ())), motivations=len(p.get("motivations", ())),
        skills=len(p.get("skills", ())), needs=len(p.get("needs", ())),
        leads=sum(len(n.get("leads", ())) for n in p.get("needs", ())), note=p.get("note", ""), data=p)


def list_templates() -> list[Template]:
    """The six Partner's Day personas, in the report's order."""
    return [_template(p) for p in D.PARTNERS_DAY["personas"]]


def get_template(template_key: str) -> Template:
    """A template by key ("eric") or by name ("Éric")."""
    wanted = normalise(template_key or "").replace(" ", "-")
    for t in list_templates():
        if wanted and wanted in (t.key, normalise(t.name).replace(" ", "-")):
            return t
    raise NotFound("error.template_unknown", field="template_key", template=str(template_key)[:40])


# --- resources ------------------------------------------------------------------------------

class _Inventory:
    """The inventory of one transaction, by acronym and by name, following merges."""

    def __init__(self, s: Session) -> None:
        self.s = s
        rows = s.execute(select(m.Resource)).scalars().all()
        self.by_id = {r.id: r for r in rows}
        self.by_acronym: dict[str, m.Resource] = {}
        self.by_name: dict[str, m.Resource] = {}
        for r in sorted(rows, key=lambda r: (r.deleted_at is not None, r.id)):
            target = self.survivor(r)
            if target is None:
                continue
            if compact(r.acronym):
                self.by_acronym.setdefault(compact(r.acronym), target)
            self.by_name.setdefault(compact(r.name), target)

    def survivor(self, r: m.Resource | None) -> m.Resource | None:
        for _ in range(20):
            if r is None or r.merged_into_id is None:
                break
            r = self.by_id.get(r.merged_into_id)
        return None if r is None or r.deleted_at is not None else r

    def resolve(self, actor: Actor, key: str) -> m.Resource:
        spec = next(r for r in D.RESOURCES if r["key"] == key)
        found = (self.by_acronym.get(compact(spec["acronym"])) if compact(spec["acronym"]) else None) \
            or self.by_name.get(compact(spec["name"]))
        if found is None:
            found = e.create_in(self.s, actor, "resource", acronym=spec["acronym"], name=spec["name"],
                                category=spec["category"], description=spec.get("description", ""),
                                url=spec.get("url", ""),
                                added_by_subgroup_id=actor.subgroup_id if actor.is_participant else None)
            self.by_id[found.id] = found
            if compact(found.acronym):
                self.by_acronym[compact(found.acronym)] = found
            self.by_name[compact(found.name)] = found
        return found


# --- from a template ------------------------------------------------------------------------

def _from_template_in(s: Session, actor: Actor, session_id: Any, subgroup_id: Any, template: Template,
                      name: str | None) -> m.Persona:
    p = template.data
    persona = e.create_in(s, actor, "persona", session_id=session_id, subgroup_id=subgroup_id,
                          name=name or p["name"], age=p.get("age"), origin=p.get("origin", ""),
                          facts=list(p.get("facts", ())), note=p.get("note", ""), template_key=template.key)
    by = actor.label
    for b in p.get("barriers", ()):
        e.create_in(s, actor, "canvas_item", persona_id=persona.id, kind="barrier", text=b["text"],
                    nature=b.get("nature") or "objective", category=b.get("category"), created_by=by)
    for kind, texts in (("motivation", p.get("motivations", ())), ("skill", p.get("skills", ()))):
        for text in texts:
            e.create_in(s, actor, "canvas_item", persona_id=persona.id, kind=kind, text=text, created_by=by)
    inventory = _Inventory(s)
    for need in p.get("needs", ()):
        item = e.create_in(s, actor, "canvas_item", persona_id=persona.id, kind="need", text=need["text"],
                           category=need.get("category"), created_by=by)
        for lead in need.get("leads", ()):
            ld = e.create_in(s, actor, "solution_lead", need_id=item.id, text=lead["text"])
            for key in lead.get("resources", ()):
                link_resource_in(s, actor, ld.id, inventory.resolve(actor, key).id)
    return persona


def create_persona_from_template(actor: Actor, session_id: Any, subgroup_id: Any, template_key: str,
                                 name: str | None = None) -> dict[str, Any]:
    """A new persona in ``session_id`` (for ``subgroup_id``) with the whole canvas of a Partner's
    Day persona; returns the new persona's row."""
    template = get_template(template_key)
    return e.run_write(_from_template_in, actor, session_id, subgroup_id, template, name)


# --- copy -----------------------------------------------------------------------------------

def _check_can_read(s: Session, actor: Actor, persona: m.Persona) -> None:
    """``core.permissions`` ("persona", "read"): participants of its session, staff of its event."""
    permissions.require(actor, ("persona", "read"), e.scope_of(s, persona))


def _copy_in(s: Session, actor: Actor, persona_id: Any, target_session_id: Any, target_subgroup_id: Any) -> m.Persona:
    source = e.get_live(s, m.Persona, persona_id, field="persona_id")
    _check_can_read(s, actor, source)
    copy = e.create_in(s, actor, "persona", session_id=target_session_id, subgroup_id=target_subgroup_id,
                       name=source.name, age=source.age, origin=source.origin, facts=list(source.facts or []),
                       note=source.note, open_to_all=source.open_to_all, template_key=source.template_key)
    items = s.execute(select(m.CanvasItem)
                      .where(m.CanvasItem.persona_id == source.id, m.CanvasItem.deleted_at.is_(None))
                      .order_by(m.CanvasItem.id)).scalars().all()
    new_items: dict[int, int] = {}
    for it in items:
        values: dict[str, Any] = {"persona_id": copy.id, "kind": it.kind, "text": it.text, "category": it.category,
                                  "created_by": it.created_by}
        if it.kind == "barrier":
            values["nature"] = it.nature or "objective"
        new_items[it.id] = e.create_in(s, actor, "canvas_item", **values).id
    need_ids = [it.id for it in items if it.kind == "need"]
    if not need_ids:
        return copy
    leads = s.execute(select(m.SolutionLead).where(m.SolutionLead.need_id.in_(need_ids),
                                                   m.SolutionLead.deleted_at.is_(None))
                      .order_by(m.SolutionLead.id)).scalars().all()
    links: dict[int, list[int]] = {}
    if leads:
        for lead_id, resource_id in s.execute(
                select(m.LeadResource.lead_id, m.LeadResource.resource_id)
                .where(m.LeadResource.lead_id.in_([ld.id for ld in leads]))
                .order_by(m.LeadResource.lead_id, m.LeadResource.resource_id)).all():
            links.setdefault(lead_id, []).append(resource_id)
    inventory = _Inventory(s)
    for ld in leads:
        new_lead = e.create_in(s, actor, "solution_lead", need_id=new_items[ld.need_id], text=ld.text)
        for resource_id in links.get(ld.id, []):
            target = inventory.survivor(inventory.by_id.get(resource_id))
            if target is not None:
                link_resource_in(s, actor, new_lead.id, target.id)
    return copy


def copy_persona(actor: Actor, persona_id: Any, target_session_id: Any,
                 target_subgroup_id: Any = None) -> dict[str, Any]:
    """Copy a persona and its whole canvas (items, leads, resource links) into another session,
    for ``target_subgroup_id`` (or for every sub-group when None); returns the copy's row."""
    return e.run_write(_copy_in, actor, persona_id, target_session_id, target_subgroup_id)
