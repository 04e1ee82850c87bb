"""Demo data from the source documents (see ../shared/seeds/): idempotent, one transaction."""
from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core import entities as e
from core.actor import SYSTEM
from core.errors import NotFound
from core.setup import demo_data as D
from core.setup.events import add_session_in, add_subgroup_in, create_event_in
from storage import db
from storage import models as m


def _demo_resources() -> list[tuple[dict[str, Any], str | None]]:
    """The demo inventory with each resource's territory: Brussels' (a few valid everywhere), then
    Geneva's."""
    return [*((r, None if r["key"] in D.RESOURCES_EVERYWHERE else D.RESOURCES_TERRITORY) for r in D.RESOURCES),
            *((r, D.GENEVA_TERRITORY) for r in D.GENEVA_RESOURCES)]


def _ensure_resources(s: Session) -> dict[str, int]:
    """Every inventory resource of the demo, created once; returns key -> id."""
    ids: dict[str, int] = {}
    for r, territory in _demo_resources():
        found = s.execute(select(m.Resource.id).where(m.Resource.name == r["name"],
                                                      m.Resource.acronym == r["acronym"])).scalar_one_or_none()
        if found is None:
            found = e.create_in(s, SYSTEM, "resource", acronym=r["acronym"], name=r["name"], category=r["category"],
                                description=r["description"], url=r.get("url", ""), territory=territory).id
        ids[r["key"]] = found
    return ids


def _create_event(s: Session, data: dict[str, Any], template: str) -> m.Event:
    starts = [dt.datetime.fromisoformat(x["starts_at"]) for t in data["themes"] for x in t["sessions"]]
    event = create_event_in(s, SYSTEM, slug=data["slug"], title=data["title"], description=data["description"],
                            organisers=data["organisers"], place=data["place"],
                            starts_on=min(starts).date(), ends_on=max(starts).date(),
                            participant_cap=data["participant_cap"], per_org_cap=data["per_org_cap"],
                            category_template=template)
    for position, theme in enumerate(data["themes"]):
        t = e.create_in(s, SYSTEM, "theme", event_id=event.id, title=theme["title"], why=theme["why"],
                        position=position)
        for x in theme["sessions"]:
            add_session_in(s, SYSTEM, t.id, x["starts_at"], x["ends_at"])
    s.flush()
    return event


def _add_personas(s: Session, session_id: int, resource_ids: dict[str, int]) -> None:
    for number, p in enumerate(D.PARTNERS_DAY["personas"], start=1):
        group = add_subgroup_in(s, SYSTEM, session_id, f"Sous-groupe {number}")
        persona = e.create_in(s, SYSTEM, "persona", session_id=session_id, subgroup_id=group.id, name=p["name"],
                              age=p["age"], origin=p["origin"], facts=p["facts"], note=p.get("note", ""),
                              template_key=p["name"])
        for b in p["barriers"]:
            e.create_in(s, SYSTEM, "canvas_item", persona_id=persona.id, kind="barrier", text=b["text"],
                        nature=b["nature"], category=b["category"])
        for kind, texts in (("motivation", p["motivations"]), ("skill", p["skills"])):
            for text in texts:
                e.create_in(s, SYSTEM, "canvas_item", persona_id=persona.id, kind=kind, text=text)
        for need in p["needs"]:
            item = e.create_in(s, SYSTEM, "canvas_item", persona_id=persona.id, kind="need", text=need["text"],
                               category=need["category"])
            for lead in need["leads"]:
                ld = e.create_in(s, SYSTEM, "solution_lead", need_id=item.id, text=lead["text"])
                for key in lead["resources"]:
                    s.add(m.LeadResource(lead_id=ld.id, resource_id=resource_ids[key]))
    s.flush()


def seed_demo() -> dict[str, list[str]]:
    """Load the demo events; an event whose slug exists is left as it is (twice = same content)."""
    report: dict[str, list[str]] = {"created": [], "skipped": []}
    with db.write_session() as s:
        resource_ids = _ensure_resources(s)
        for data, template in ((D.ASSISES, "plain"), (D.PARTNERS_DAY, "partners_day")):
            if s.execute(select(m.Event.id).where(m.Event.slug == data["slug"])).first():
                report["skipped"].append(data["slug"])
                continue
            event = _create_event(s, data, template)
            report["created"].append(data["slug"])
            if data is D.PARTNERS_DAY:
                session_id = s.execute(
                    select(m.WorkshopSession.id).join(m.Theme).where(m.Theme.event_id == event.id)
                ).scalars().first()
                if session_id is None:
                    raise NotFound(field="session_id")   # the demo event always has a session
                _add_personas(s, session_id, resource_ids)
                for c in data["contributions"]:
                    e.create_in(s, SYSTEM, "contribution", session_id=session_id, kind=c["kind"],
                                category=c["category"], text=c["text"])
    return report


def database_is_empty() -> bool:
    with db.read_session() as s:
        return s.execute(select(m.Event.id)).first() is None
