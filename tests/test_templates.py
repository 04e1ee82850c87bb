"""Persona templates (the six Partner's Day personas), copying a persona into another session, and
what a canvas still misses; on SQLite and PostgreSQL."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from core import entities
from core.actor import SYSTEM, Actor
from core.errors import NotFound, PermissionDenied
from core.i18n import LANGUAGES, catalog
from core.personas import canvas
from core.personas.completeness import is_complete, missing
from core.personas.templates import copy_persona, create_persona_from_template, get_template, list_templates
from core.resources import inventory as inv
from core.setup.events import add_session, add_subgroup, add_theme, create_event
from storage import db
from storage import models as m

ORGANISER = Actor(kind="staff", id=1, role="organiser", label="Org")


def _count(model, *where) -> int:
    with db.read_session() as s:
        q = select(func.count()).select_from(model)
        for w in where:
            q = q.where(w)
        return s.execute(q).scalar_one()


@pytest.fixture
def room(database) -> dict:
    ev = create_event(SYSTEM, slug="atelier-emploi", title="Atelier emploi")
    theme = add_theme(SYSTEM, ev["id"], "Freins à l'emploi")
    first = add_session(SYSTEM, theme["id"], "2026-03-02T09:00", "2026-03-02T12:30")
    second = add_session(SYSTEM, theme["id"], "2026-04-02T09:00", "2026-04-02T12:30")
    groups = [add_subgroup(SYSTEM, first["id"], f"Table {n}")["id"] for n in (1, 2)]
    later = add_subgroup(SYSTEM, second["id"], "Table A")["id"]
    table1 = Actor(kind="participant", id=11, label="Table 1", session_id=first["id"], subgroup_id=groups[0])
    return {"event": ev["id"], "first": first["id"], "second": second["id"], "groups": groups, "later": later,
            "table1": table1}


def _shape(c: canvas.Canvas) -> dict:
    """What a user sees of a canvas, without ids."""
    return {
        "identity": (c.persona.name, c.persona.age, c.persona.origin, c.persona.facts, c.persona.note),
        "barriers": [(b.text, b.nature, b.category) for b in c.barriers],
        "motivations": [x.text for x in c.motivations],
        "skills": [x.text for x in c.skills],
        "needs": [(n.text, n.category, [(ld.text, sorted(r.acronym or r.name for r in ld.resources)) for ld in n.leads])
                  for n in c.needs],
    }


def test_the_six_partners_day_personas_are_templates():
    templates = list_templates()
    assert [t.name for t in templates] == ["Ahmed", "Amir", "Éric", "Fatoumata", "Paulette", "Sofia"]
    assert [t.key for t in templates] == ["ahmed", "amir", "eric", "fatoumata", "paulette", "sofia"]
    assert get_template("Éric").key == get_template("eric").key == "eric"
    amir = get_template("amir")
    assert (amir.age, amir.origin, amir.barriers, amir.needs) == (35, "Syrie", 8, 7)
    with pytest.raises(NotFound) as err:
        get_template("Gandalf")
    assert err.value.key == "error.template_unknown"


def test_a_persona_from_a_template_has_the_whole_canvas_and_finds_the_inventory(seeded):
    with db.read_session() as s:
        seeded_amir = s.execute(select(m.Persona.id).where(m.Persona.name == "Amir")).scalar_one()
        session_id = s.execute(select(m.Persona.session_id).where(m.Persona.id == seeded_amir)).scalar_one()
    amir_links = sum(len(ld["resources"]) for n in get_template("amir").data["needs"] for ld in n["leads"])
    resources, links = _count(m.Resource), _count(m.LeadResource)
    row = create_persona_from_template(SYSTEM, session_id, None, "amir")
    assert row["template_key"] == "amir"
    assert _shape(canvas.get_canvas(row["id"])) == _shape(canvas.get_canvas(seeded_amir))
    assert _count(m.Resource) == resources                      # every resource found, none created
    assert _count(m.LeadResource) == links + amir_links == links + 15
    assert _count(m.Activity, m.Activity.entity_type == "lead_resource", m.Activity.action == "link") == amir_links


def test_templates_on_an_empty_inventory_create_each_resource_once(room):
    actor = room["table1"]
    for key in ("ahmed", "amir", "sofia"):
        create_persona_from_template(actor, room["first"], room["groups"][0], key)
    assert _count(m.Resource) == len({r.acronym or r.name for r in inv.search_resources()})
    cpas = [r for r in inv.search_resources() if r.acronym == "CPAS"]
    assert len(cpas) == 1 and cpas[0].links == 4            # Ahmed 1, Amir 2, Sofia 1
    personas = canvas.list_personas(room["first"])
    assert [p.name for p in personas] == ["Ahmed", "Amir", "Sofia"]
    items = canvas.get_canvas(personas[0].id)
    assert {b.created_by for b in items.barriers} == {"Table 1"}


def test_a_template_follows_a_merged_resource_to_its_survivor(seeded, room):
    new = entities.create(SYSTEM, "resource", acronym="C.P.A.S.", name="CPAS de la commune", category="money_debt")
    with db.read_session() as s:
        old = s.execute(select(m.Resource.id).where(m.Resource.acronym == "CPAS")).scalar_one()
    inv.merge_resources(ORGANISER, new["id"], [old])
    row = create_persona_from_template(SYSTEM, room["first"], room["groups"][1], "ahmed")
    need = next(n for n in canvas.get_canvas(row["id"]).needs if n.text == "Couverture sociale")
    assert sorted(r.name for r in need.leads[0].resources) == ["CPAS de la commune", "Mutuelle"]


def test_an_organiser_copies_a_persona_with_everything_into_another_session(seeded, room):
    with db.read_session() as s:
        paulette = s.execute(select(m.Persona).where(m.Persona.name == "Paulette")).scalar_one()
        events = set(s.execute(select(m.Event.id)).scalars())
    organiser = Actor(kind="staff", id=1, role="organiser", label="Org", event_ids=frozenset(events))
    source = canvas.get_canvas(paulette.id)
    copy = copy_persona(organiser, paulette.id, room["second"], room["later"])
    copied = canvas.get_canvas(copy["id"])
    assert (copy["session_id"], copy["subgroup_id"]) == (room["second"], room["later"])
    assert _shape(copied) == _shape(source)
    assert canvas.get_canvas(paulette.id) == source                      # the original is untouched
    with db.read_session() as s:
        rows = s.execute(select(m.Activity.entity_type, func.count()).where(m.Activity.session_id == room["second"])
                         .group_by(m.Activity.entity_type)).all()
    counts = dict(rows)
    leads = sum(len(n.leads) for n in source.needs)
    items = len(source.barriers) + len(source.motivations) + len(source.skills) + len(source.needs)
    assert counts["persona"] == 1 and counts["canvas_item"] == items and counts["solution_lead"] == leads
    assert counts["lead_resource"] == sum(len(ld.resources) for n in source.needs for ld in n.leads)


def test_a_copy_that_fails_writes_nothing(seeded, room):
    with db.read_session() as s:
        paulette = s.execute(select(m.Persona.id).where(m.Persona.name == "Paulette")).scalar_one()
    own = create_persona_from_template(room["table1"], room["first"], room["groups"][0], "sofia")
    personas, items, activity = _count(m.Persona), _count(m.CanvasItem), _count(m.Activity)
    with pytest.raises(PermissionDenied):   # a participant of session 1 cannot write into session 2
        copy_persona(room["table1"], own["id"], room["second"], room["later"])
    with pytest.raises(PermissionDenied):   # nor copy a persona of another session
        copy_persona(room["table1"], paulette, room["first"], room["groups"][0])
    with pytest.raises(NotFound):
        copy_persona(SYSTEM, paulette, 999_999)
    assert (_count(m.Persona), _count(m.CanvasItem), _count(m.Activity)) == (personas, items, activity)


# --- completeness ---------------------------------------------------------------------------

def _gaps(persona_id: int) -> list[tuple[str, dict]]:
    return [(g.kind_key, g.params) for g in missing(canvas.get_canvas(persona_id))]


def test_completeness_shows_what_each_partners_day_persona_misses(room):
    ids = {key: create_persona_from_template(SYSTEM, room["first"], None, key)["id"]
           for key in ("ahmed", "fatoumata", "paulette", "amir")}
    assert _gaps(ids["ahmed"]) == [("canvas_rules.gap.need_without_lead", {"text": "Logement"})]
    assert _gaps(ids["paulette"]) == [("canvas_rules.gap.lead_without_resource",
                                       {"text": "Groupes de parole", "need": "Sortir de l'isolement"})]
    fatoumata = _gaps(ids["fatoumata"])
    assert [k for k, _ in fatoumata] == ["canvas_rules.gap.need_without_lead"] * 4
    assert is_complete(canvas.get_canvas(ids["amir"]))
    assert not is_complete(canvas.get_canvas(ids["ahmed"]))


def test_a_blank_persona_misses_every_section_until_it_is_filled(room):
    persona = canvas.create_persona(SYSTEM, room["first"], "Nadia")
    assert [k for k, _ in _gaps(persona["id"])] == [
        "canvas_rules.gap.empty_facts", "canvas_rules.gap.empty_barriers", "canvas_rules.gap.empty_motivations",
        "canvas_rules.gap.empty_skills", "canvas_rules.gap.empty_needs"]
    canvas.update_persona(SYSTEM, persona["id"], persona["version"], facts=["32 ans", "arrivée en 2021"])
    canvas.add_barrier(SYSTEM, persona["id"], "Pas de solution de garde")              # no category
    canvas.add_canvas_item(SYSTEM, persona["id"], "motivation", "Veut reprendre une formation")
    canvas.add_canvas_item(SYSTEM, persona["id"], "skill", "Parle arabe et français")
    need = canvas.add_need(SYSTEM, persona["id"], "Garde d'enfants")                     # no category, no lead
    gaps = missing(canvas.get_canvas(persona["id"]))
    assert [(g.kind_key, g.item_id) for g in gaps] == [
        ("canvas_rules.gap.barrier_without_category", canvas.get_canvas(persona["id"]).barriers[0].id),
        ("canvas_rules.gap.need_without_category", need["id"]),
        ("canvas_rules.gap.need_without_lead", need["id"])]
    one = entities.create(SYSTEM, "resource", acronym="ONE", name="Office de la Naissance et de l'Enfance",
                          category="family_childcare")
    canvas.add_solution_lead(SYSTEM, need["id"], "Crèche", resource_ids=[one["id"]])
    item = canvas.get_canvas(persona["id"])
    canvas.edit_canvas_item(SYSTEM, item.barriers[0].id, item.barriers[0].version, category="family_childcare")
    canvas.edit_canvas_item(SYSTEM, need["id"], item.needs[0].version, category="family_childcare")
    assert is_complete(canvas.get_canvas(persona["id"]))


def test_every_gap_has_a_message_in_every_language(room):
    persona = canvas.create_persona(SYSTEM, room["first"], "Nadia")
    need = canvas.add_need(SYSTEM, persona["id"], "Garde")
    canvas.add_barrier(SYSTEM, persona["id"], "Frein")
    canvas.add_solution_lead(SYSTEM, need["id"], "Piste")
    canvas.add_need(SYSTEM, persona["id"], "Logement")
    gaps = missing(canvas.get_canvas(persona["id"]))
    keys = {g.kind_key for g in gaps} | {f"canvas_rules.gap.empty_{k}" for k in ("facts", "barriers", "motivations",
                                                                                  "skills", "needs")}
    assert len(keys) == 9
    for lang in LANGUAGES:
        for g in gaps:
            assert catalog(lang)[g.kind_key].format(**g.params)
        assert keys <= set(catalog(lang))
