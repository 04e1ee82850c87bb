"""Six sub-groups adding to the same persona at once lose nothing, and undo brings a deleted need
back with its leads and resource links; threads on SQLite and PostgreSQL."""
from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from core import entities
from core.actor import SYSTEM, Actor
from core.personas import canvas
from core.personas.suggestions import create_resource_inline
from core.setup.events import add_session, add_subgroup, add_theme, create_event
from storage import db
from storage import models as m

GROUPS = 6
BARRIERS = 8
NEEDS = 3


def _count(model, *where) -> int:
    with db.read_session() as s:
        q = select(func.count()).select_from(model)
        for w in where:
            q = q.where(w)
        return s.execute(q).scalar_one()


@pytest.fixture
def shared_persona(database) -> dict:
    """A persona the facilitator opened to every sub-group of the session, and a shared resource."""
    ev = create_event(SYSTEM, slug="concurrence", title="Partner's Day")
    theme = add_theme(SYSTEM, ev["id"], "Freins à l'emploi")
    session = add_session(SYSTEM, theme["id"], "2026-01-31T09:00", "2026-01-31T16:30")
    groups = [add_subgroup(SYSTEM, session["id"], f"Sous-groupe {n}")["id"] for n in range(1, GROUPS + 1)]
    persona = canvas.create_persona(SYSTEM, session["id"], "Amir", subgroup_id=groups[0], age=35, open_to_all=True)
    cpas = entities.create(SYSTEM, "resource", acronym="CPAS", name="Centre public d'action sociale",
                           category="money_debt")
    actors = [Actor(kind="participant", id=100 + n, label=f"Sous-groupe {n + 1}", session_id=session["id"],
                    subgroup_id=group) for n, group in enumerate(groups)]
    return {"persona": persona["id"], "session": session["id"], "actors": actors, "cpas": cpas["id"]}


def test_six_subgroups_adding_to_one_persona_at_once_lose_nothing(shared_persona):
    errors: list[BaseException] = []
    start = threading.Barrier(GROUPS)
    persona_id = shared_persona["persona"]

    def subgroup_at_work(actor: Actor) -> None:
        try:
            start.wait()
            for i in range(BARRIERS):
                canvas.add_barrier(actor, persona_id, f"{actor.label} — frein {i}", category="employment")
            own = create_resource_inline(actor, actor.subgroup_id, f"Service repéré par {actor.label}", "housing")
            for i in range(NEEDS):
                need = canvas.add_need(actor, persona_id, f"{actor.label} — besoin {i}", category="housing")
                canvas.add_solution_lead(actor, need["id"], f"{actor.label} — piste {i}",
                                         resource_ids=[shared_persona["cpas"], own["id"]])
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=subgroup_at_work, args=(a,)) for a in shared_persona["actors"]]
    for th in threads:
        th.start()
    for th in threads:
        th.join(timeout=300)
    assert errors == []

    shown = canvas.get_canvas(persona_id)
    labels = [a.label for a in shared_persona["actors"]]
    assert sorted((b.text, b.created_by) for b in shown.barriers) == sorted(
        (f"{label} — frein {i}", label) for label in labels for i in range(BARRIERS))
    assert sorted((n.text, n.created_by) for n in shown.needs) == sorted(
        (f"{label} — besoin {i}", label) for label in labels for i in range(NEEDS))
    for need in shown.needs:
        author = need.created_by
        assert [ld.text for ld in need.leads] == [need.text.replace("besoin", "piste")]
        assert sorted(r.name for r in need.leads[0].resources) == sorted(
            ["Centre public d'action sociale", f"Service repéré par {author}"])
    with db.read_session() as s:
        own = s.execute(select(m.Resource.name, m.Resource.added_by_subgroup_id)
                        .where(m.Resource.added_by_subgroup_id.is_not(None))).all()
        authors = s.execute(select(m.Activity.actor_label, func.count()).where(
            m.Activity.session_id == shared_persona["session"], m.Activity.entity_type == "canvas_item")
            .group_by(m.Activity.actor_label)).all()
    assert sorted(own) == sorted((f"Service repéré par {a.label}", a.subgroup_id) for a in shared_persona["actors"])
    assert dict(authors) == {label: BARRIERS + NEEDS for label in labels}   # one activity row per item, by its author
    assert _count(m.LeadResource) == GROUPS * NEEDS * 2


def test_undo_restores_a_deleted_need_with_its_leads_and_links(shared_persona):
    first, other = shared_persona["actors"][0], shared_persona["actors"][3]
    persona_id = shared_persona["persona"]
    need = canvas.add_need(first, persona_id, "Trouver un logement", category="housing")
    ais = create_resource_inline(first, first.subgroup_id, "Agence immobilière sociale", "housing", acronym="AIS")
    canvas.add_solution_lead(first, need["id"], "Inscription à l'AIS", resource_ids=[ais["id"]])
    canvas.add_solution_lead(first, need["id"], "Aide au loyer", resource_ids=[shared_persona["cpas"], ais["id"]])

    def seen(needs):  # what the canvas shows of the needs (the version moves with delete and restore)
        return [(n.id, n.text, n.category, n.created_by,
                 [(ld.id, ld.text, [r.id for r in ld.resources]) for ld in n.leads]) for n in needs]

    before = seen(canvas.get_canvas(persona_id).needs)

    canvas.delete_canvas_item(other, need["id"])      # another table removes it by mistake
    canvas.add_barrier(other, persona_id, "Loyer trop élevé")   # work goes on meanwhile
    assert canvas.get_canvas(persona_id).needs == []

    canvas.restore_canvas_item(first, need["id"])      # undo
    after = canvas.get_canvas(persona_id)
    assert seen(after.needs) == before
    assert [[r.acronym for r in ld.resources] for ld in after.needs[0].leads] == [["AIS"], ["AIS", "CPAS"]]
    assert [b.text for b in after.barriers] == ["Loyer trop élevé"]
    with db.read_session() as s:
        trail = s.execute(select(m.Activity.action, m.Activity.actor_label).where(
            m.Activity.entity_type == "canvas_item", m.Activity.entity_id == need["id"]).order_by(m.Activity.id)).all()
    assert [tuple(t) for t in trail] == [("create", "Sous-groupe 1"), ("delete", "Sous-groupe 4"),
                                         ("restore", "Sous-groupe 1")]
