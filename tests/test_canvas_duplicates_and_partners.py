"""Two canvas rules of the room (issue 14), in core, on SQLite and PostgreSQL:

- a near-duplicate item in the same section of the same persona is not added without a "yes"
  (the measure the dashboard groups wordings with: core.personas.wording);
- a partner is named once: "CIRÉ", not "CIRÉ (CIRÉ)"; "AIS — Agence immobilière sociale" when its
  acronym is not its name (core.resources.inventory), on the canvas and in the booklet."""
from __future__ import annotations

import io
import re

import pytest
from docx import Document

from core.access import join
from core.actor import Actor
from core.errors import PermissionDenied
from core.personas import canvas, wording
from core.reporting import booklet, dashboard
from core.resources import inventory
from core.setup.events import get_event


@pytest.fixture
def partners_day(seeded):
    session = get_event("partners-day-2024").sessions[0]
    return session, {p.name: p for p in canvas.list_personas(session.id)}


def _participant(session_id: int, subgroup_id: int) -> Actor:
    return join.join(session_id, subgroup_id, "Nadia")[1].actor()


# --- near duplicates --------------------------------------------------------------------------------

def test_the_canvas_and_the_dashboard_use_one_measure():
    assert dashboard.normalise_wording is wording.normalise_wording
    assert dashboard.SIMILARITY_THRESHOLD == wording.SIMILARITY_THRESHOLD


@pytest.mark.parametrize(("typed", "near"), [
    ("gérer le Budget !", True),                 # case, accents, punctuation
    ("Le budget, gérer", True),                  # word order
    ("Gérer le buget", True),                    # a typo
    ("Gérer ses dettes", False),
    ("Budget", False),
    ("   ", False),
])
def test_near_duplicates_of_a_wording(typed, near):
    assert (wording.near_duplicates(typed, [(1, "Gérer le budget"), (2, "Trouver un logement")]) == [1]) is near


def test_a_near_duplicate_in_the_same_section_is_refused_until_confirmed(partners_day):
    session, personas = partners_day
    sofia = personas["Sofia"]
    me = _participant(session.id, sofia.subgroup_id)
    before = len(canvas.get_canvas(sofia.id).needs)
    with pytest.raises(canvas.SimilarItem) as refused:
        canvas.add_canvas_item(me, sofia.id, "need", "gérer le Budget !", category="money_debt", if_similar="ask")
    assert refused.value.similar == ["Gérer le budget"]
    assert (refused.value.key, refused.value.params["text"]) == ("canvas_rules.already_there", "Gérer le budget")
    assert len(canvas.get_canvas(sofia.id).needs) == before
    # the user said "add anyway"
    canvas.add_canvas_item(me, sofia.id, "need", "gérer le Budget !", category="money_debt", if_similar="add")
    assert len(canvas.get_canvas(sofia.id).needs) == before + 1


def test_other_sections_other_personas_and_deleted_items_do_not_count(partners_day):
    session, personas = partners_day
    sofia, amir = personas["Sofia"], personas["Amir"]
    me = _participant(session.id, sofia.subgroup_id)
    # the same words as a barrier: another section
    canvas.add_canvas_item(me, sofia.id, "barrier", "Gérer le budget", if_similar="ask")
    # another persona's need "Logement" is not Sofia's
    assert any(n.text == "Logement" for n in canvas.get_canvas(amir.id).needs)
    canvas.add_canvas_item(me, sofia.id, "need", "Logement", if_similar="ask")
    # a deleted item is not there any more
    need = next(n for n in canvas.get_canvas(sofia.id).needs if n.text == "Logement")
    canvas.delete_canvas_item(me, need.id)
    canvas.add_canvas_item(me, sofia.id, "need", "logement", if_similar="ask")
    assert [n.text for n in canvas.get_canvas(sofia.id).needs].count("logement") == 1


def test_someone_who_may_not_write_learns_nothing_from_the_question(partners_day):
    session, personas = partners_day
    outsider = _participant(session.id, personas["Amir"].subgroup_id)
    with pytest.raises(PermissionDenied):
        canvas.add_canvas_item(outsider, personas["Sofia"].id, "need", "Gérer le budget", if_similar="ask")


# --- partners named once ------------------------------------------------------------------------------

@pytest.mark.parametrize(("acronym", "name", "label"), [
    ("AIS", "Agence immobilière sociale", "AIS — Agence immobilière sociale"),
    ("", "Delta", "Delta"),
    ("CIRÉ", "CIRÉ", "CIRÉ"),
    ("C.P.A.S.", "CPAS", "CPAS"),
    ("ONE", "", "ONE"),
])
def test_a_partner_label_says_each_name_once(acronym, name, label):
    assert inventory.partner_label(acronym, name) == label


@pytest.mark.parametrize(("lead", "acronym", "name", "named"), [
    ("CIRÉ", "CIRÉ", "Coordination et Initiatives pour Réfugiés et Étrangers", True),
    ("Delta", "", "Delta", True),
    ("Aller au C.P.A.S. de la commune", "CPAS", "Centre public d'action sociale", True),
    ("Maison de quartier", "", "Maisons de quartier", True),   # singular / plural: one resource
    ("Maison médicale ?", "", "Maison médicale", True),
    ("Assistant social", "CPAS", "Centre public d'action sociale", False),
    ("Transit", "", "Logement de transit", False),
    ("Trouver une crèche", "ONE", "Office de la Naissance et de l'Enfance", False),
])
def test_a_lead_that_names_its_partner(lead, acronym, name, named):
    assert inventory.names_partner(lead, acronym, name) is named


def test_the_demo_canvases_never_say_a_partner_twice(partners_day):
    _session, personas = partners_day
    amir = canvas.get_canvas(personas["Amir"].id)
    shown = {lead.text: [r.label for r in lead.partners_to_name] for n in amir.needs for lead in n.leads}
    assert shown["CIRÉ"] == [] and shown["Delta"] == []
    assert shown["Transit"] == ["Logement de transit"]
    assert shown["Maison de quartier"] == []
    assert shown["Centre de santé mentale"] and all("—" in x for x in shown["Centre de santé mentale"])


def test_the_booklet_names_a_partner_once(partners_day):
    doc = Document(io.BytesIO(booklet.render_docx(booklet.build_booklet("partners-day-2024"))))
    text = re.sub(r"\s+", " ", "\n".join(p.text for p in doc.paragraphs))
    assert "Faire venir sa famille → CIRÉ" in text
    assert "CIRÉ (CIRÉ" not in text and "Delta (Delta" not in text
    assert "Assistant social (" in text                  # a lead that does not name its partners lists them
    assert "CPAS — Centre public d'action sociale" in text
