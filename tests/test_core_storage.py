"""The one write path, on SQLite and PostgreSQL: validation, activity log, versions, soft delete,
concurrent adds."""
from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from core import entities
from core.actor import SYSTEM, Actor
from core.errors import NotFound, StaleEdit, ValidationError
from core.personas import canvas
from core.setup.events import add_session, add_subgroup, add_theme, create_event
from storage import db
from storage import models as m


def _count(model) -> int:
    with db.read_session() as s:
        return s.execute(select(func.count()).select_from(model)).scalar_one()


@pytest.fixture
def persona(database) -> dict:
    ev = create_event(SYSTEM, slug="test-event", title="Journée test")
    theme = add_theme(SYSTEM, ev["id"], "Logement")
    session = add_session(SYSTEM, theme["id"], "2026-03-02T09:00", "2026-03-02T12:30")
    group = add_subgroup(SYSTEM, session["id"], "Table 1")
    return canvas.create_persona(SYSTEM, session["id"], "Fatoumata", subgroup_id=group["id"], age=30,
                                 facts=["maman solo", "RIS au CPAS"])


def test_add_writes_the_item_and_its_activity_row(persona):
    actor = Actor(kind="system", label="Table 1")
    item = canvas.add_barrier(actor, persona["id"], "Pas de solution de garde", nature="objective",
                              category="family_childcare")
    shown = canvas.get_canvas(persona["id"])
    assert [b.text for b in shown.barriers] == ["Pas de solution de garde"]
    assert shown.barriers[0].nature == "objective" and shown.barriers[0].created_by == "Table 1"
    with db.read_session() as s:
        act = s.execute(select(m.Activity).where(m.Activity.entity_type == "canvas_item")).scalar_one()
    assert (act.action, act.entity_id, act.session_id) == ("create", item["id"], persona["session_id"])
    assert act.after["text"] == "Pas de solution de garde"


@pytest.mark.parametrize("kwargs, key", [
    ({"kind": "barrier", "text": ""}, "error.required"),
    ({"kind": "barrier", "text": "   \n  "}, "error.required"),
    ({"kind": "barrier", "text": "x" * 10_000}, "error.too_long"),
    ({"kind": "wish", "text": "Un logement"}, "error.invalid_choice"),
    ({"kind": "barrier", "text": "nul\x00byte"}, "error.control_characters"),
    ({"kind": "need", "text": "Logement", "category": "castles"}, "error.invalid_choice"),
])
def test_invalid_input_raises_a_keyed_error_and_writes_nothing(persona, kwargs, key):
    items, activity = _count(m.CanvasItem), _count(m.Activity)
    with pytest.raises(ValidationError) as err:
        canvas.add_canvas_item(SYSTEM, persona["id"], **kwargs)
    assert err.value.key == key
    assert (_count(m.CanvasItem), _count(m.Activity)) == (items, activity)


@pytest.mark.parametrize("persona_id", [999_999, "abc", None])
def test_adding_to_a_persona_that_does_not_exist_is_refused(database, persona_id):
    with pytest.raises((NotFound, ValidationError)) as err:
        canvas.add_barrier(SYSTEM, persona_id, "Dettes")
    assert err.value.key in ("error.not_found", "error.required")
    assert _count(m.CanvasItem) == 0 and _count(m.Activity) == 0


def test_stale_edit_is_refused_and_shows_the_other_version(persona):
    item = canvas.add_need(SYSTEM, persona["id"], "Trouver un logement", category="housing")
    seen = item["version"]
    canvas.edit_canvas_item(SYSTEM, item["id"], seen, text="Trouver un logement stable")
    with pytest.raises(StaleEdit) as err:
        canvas.edit_canvas_item(SYSTEM, item["id"], seen, text="Trouver un logement social")
    assert err.value.key == "error.stale_edit"
    assert err.value.current["text"] == "Trouver un logement stable"
    assert canvas.get_canvas(persona["id"]).needs[0].text == "Trouver un logement stable"


def test_deleted_item_is_hidden_then_restored_with_its_leads_and_resources(persona):
    need = canvas.add_need(SYSTEM, persona["id"], "Garde d'enfants", category="family_childcare")
    res = entities.create(SYSTEM, "resource", acronym="ONE", name="Office de la Naissance et de l'Enfance",
                          category="family_childcare")
    canvas.add_solution_lead(SYSTEM, need["id"], "Crèche de quartier", resource_ids=[res["id"]])
    canvas.delete_canvas_item(SYSTEM, need["id"])
    assert canvas.get_canvas(persona["id"]).needs == []
    canvas.restore_canvas_item(SYSTEM, need["id"])
    needs = canvas.get_canvas(persona["id"]).needs
    assert [n.text for n in needs] == ["Garde d'enfants"]
    assert [ld.text for ld in needs[0].leads] == ["Crèche de quartier"]
    assert [r.acronym for r in needs[0].leads[0].resources] == ["ONE"]
    with db.read_session() as s:
        actions = s.execute(select(m.Activity.action).where(m.Activity.entity_id == need["id"],
                                                            m.Activity.entity_type == "canvas_item")
                            .order_by(m.Activity.id)).scalars().all()
    assert actions == ["create", "delete", "restore"]


def test_eight_threads_adding_fifty_barriers_each_lose_nothing(persona):
    errors: list[BaseException] = []
    start = threading.Barrier(8)

    def worker(n: int) -> None:
        actor = Actor(kind="system", label=f"writer {n}")
        start.wait()
        for i in range(50):
            try:
                canvas.add_barrier(actor, persona["id"], f"frein {n}-{i}")
            except BaseException as exc:  # noqa: BLE001
                errors.append(exc)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert errors == []
    texts = {b.text for b in canvas.get_canvas(persona["id"]).barriers}
    assert len(texts) == 400
    assert texts == {f"frein {n}-{i}" for n in range(8) for i in range(50)}


def test_participant_cannot_write_into_another_subgroups_persona(persona):
    other_group = add_subgroup(SYSTEM, persona["session_id"], "Table 2")
    intruder = Actor(kind="participant", id=1, label="Table 2", session_id=persona["session_id"],
                     subgroup_id=other_group["id"])
    from core.errors import PermissionDenied

    with pytest.raises(PermissionDenied):
        canvas.add_barrier(intruder, persona["id"], "Je n'ai rien à faire ici")
    owner = Actor(kind="participant", id=2, label="Table 1", session_id=persona["session_id"],
                  subgroup_id=persona["subgroup_id"])
    canvas.add_barrier(owner, persona["id"], "Isolement")
    assert [b.text for b in canvas.get_canvas(persona["id"]).barriers] == ["Isolement"]


def test_session_join_codes_avoid_look_alikes_and_are_unique(database):
    ev = create_event(SYSTEM, slug="codes", title="Codes")
    theme = add_theme(SYSTEM, ev["id"], "Thème")
    codes = {add_session(SYSTEM, theme["id"])["join_code"] for _ in range(30)}
    assert len(codes) == 30
    for code in codes:
        assert len(code) == 6 and not set(code) & set("0O1IL")


def test_session_ending_before_it_starts_is_refused(database):
    ev = create_event(SYSTEM, slug="dates", title="Dates")
    theme = add_theme(SYSTEM, ev["id"], "Thème")
    with pytest.raises(ValidationError) as err:
        add_session(SYSTEM, theme["id"], "2026-03-02T12:00", "2026-03-02T09:00")
    assert err.value.key == "error.ends_before_start"
    assert _count(m.WorkshopSession) == 0


def test_revision_moves_even_when_an_older_write_commits_last(persona):
    """PostgreSQL hands out ids in order but transactions may commit out of order: a live view
    must still notice the late commit."""
    from core.entities import Scope, record
    from core.session import live

    slow = db.get_engine().execution_options(atelier_write=True)
    if db.is_sqlite():
        pytest.skip("SQLite serialises writers: no out-of-order commits")
    from sqlalchemy.orm import Session

    with Session(bind=slow) as late:
        late.begin()
        record(late, SYSTEM, "create", "canvas_item", 1, Scope(session_id=persona["session_id"]))
        late.flush()  # takes the lower id, not committed yet
        canvas.add_barrier(SYSTEM, persona["id"], "Écrit pendant ce temps")  # higher id, committed
        seen = live.revision(persona["session_id"], max_age_s=0)
        late.commit()
    assert live.revision(persona["session_id"], max_age_s=0) != seen
