"""The persona canvas page (AppTest through app.py): what a sub-group sees and does."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from core.access import accounts, join
from core.personas import canvas
from core.setup import demo_data as D
from core.actor import SYSTEM
from core.setup.events import get_event

ROOT = Path(__file__).resolve().parent.parent


def _text(at: AppTest) -> str:
    parts = []
    for kind in ("title", "header", "subheader", "markdown", "text", "caption", "error", "warning", "info", "success"):
        parts += [str(getattr(e, "value", "")) for e in getattr(at, kind)]
    parts += [e.label for e in at.expander]
    # Markdown sources carry the escapes ui.text.md() adds; a reader sees the text without them
    return re.sub(r"\\(.)", r"\1", "\n".join(parts))


@pytest.fixture
def partners_day(seeded):
    event = get_event("partners-day-2024")
    session = event.sessions[0]
    personas = {p.name: p for p in canvas.list_personas(session.id)}
    return session, personas


def _add(at: AppTest, kind: str, text: str) -> None:
    at.radio(key="add_kind").set_value(kind)
    at.text_input(key="add_text").input(text)
    next(b for b in at.button if b.label == "Ajouter").click().run()


def _as_participant(session_id: int, subgroup_id: int, name: str = "Nadia") -> AppTest:
    token, _ = join.join(session_id, subgroup_id, name)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=30)
    at.session_state["participant_token"] = token
    at.run()
    at.switch_page("app_pages/canvas.py").run()
    return at


def test_six_seed_personas_render_completely_for_their_facilitator(partners_day):
    session, personas = partners_day
    accounts.create_user("anim", "facilitator", "Anim", "", "motdepasse-anim")
    accounts.attach_to_event("anim", get_event("partners-day-2024").id)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=30)
    at.run()
    at.switch_page("app_pages/login.py").run()
    at.text_input[0].input("anim")
    at.text_input[1].input("motdepasse-anim")
    at.button[0].click().run()
    at.run()
    at.switch_page("app_pages/canvas.py").run()
    for source in D.PARTNERS_DAY["personas"]:
        at.selectbox(key="canvas_choice").set_value(personas[source["name"]].id).run()
        shown = _text(at)
        assert source["name"] in shown
        for barrier in source["barriers"]:
            assert barrier["text"] in shown, (source["name"], barrier["text"])
        for need in source["needs"]:
            assert need["text"] in shown
            for lead in need["leads"]:
                assert lead["text"] in shown
                for key in lead["resources"]:
                    resource = next(r for r in D.RESOURCES if r["key"] == key)
                    assert (resource["acronym"] or resource["name"]) in shown, (lead["text"], key)


def test_participant_adds_items_with_a_suggested_category(partners_day):
    session, personas = partners_day
    ahmed = personas["Ahmed"]
    at = _as_participant(session.id, ahmed.subgroup_id)
    assert "Ahmed" in _text(at)
    _add(at, "barrier", "Beaucoup de dettes auprès d'un huissier")
    shown = _text(at)
    assert "Beaucoup de dettes auprès d'un huissier" in shown
    added = [b for b in canvas.get_canvas(ahmed.id).barriers if b.text.startswith("Beaucoup de dettes")]
    assert added[0].category == "money_debt" and added[0].created_by.startswith("Nadia")
    assert at.text_input(key="add_text").value == ""


def test_empty_item_gets_a_message_and_nothing_is_added(partners_day):
    session, personas = partners_day
    ahmed = personas["Ahmed"]
    before = len(canvas.get_canvas(ahmed.id).skills)
    at = _as_participant(session.id, ahmed.subgroup_id)
    _add(at, "skill", "   ")
    assert "Ce champ est obligatoire." in _text(at)
    assert len(canvas.get_canvas(ahmed.id).skills) == before


def test_personal_data_is_flagged_before_saving(partners_day):
    session, personas = partners_day
    ahmed = personas["Ahmed"]
    at = _as_participant(session.id, ahmed.subgroup_id)
    _add(at, "motivation", "Écrire à ahmed.b@example.org")
    assert "données personnelles" in _text(at)
    assert not any("example.org" in m.text for m in canvas.get_canvas(ahmed.id).motivations)
    at.button(key="add_anyway").click().run()
    assert any("example.org" in m.text for m in canvas.get_canvas(ahmed.id).motivations)


def test_delete_then_undo_restores_the_item(partners_day):
    session, personas = partners_day
    ahmed = personas["Ahmed"]
    first = canvas.get_canvas(ahmed.id).barriers[0]
    at = _as_participant(session.id, ahmed.subgroup_id)
    at.selectbox(key="manage_item").set_value(first.id).run()
    at.button(key="manage_delete").click().run()
    assert first.id not in [b.id for b in canvas.get_canvas(ahmed.id).barriers]
    at.button(key="undo_delete").click().run()
    assert first.id in [b.id for b in canvas.get_canvas(ahmed.id).barriers]


def test_stale_edit_shows_the_other_version_and_lets_me_choose(partners_day):
    session, personas = partners_day
    ahmed = personas["Ahmed"]
    item = canvas.get_canvas(ahmed.id).motivations[0]
    at = _as_participant(session.id, ahmed.subgroup_id)
    at.selectbox(key="manage_item").set_value(item.id).run()
    at.button(key="manage_edit").click().run()
    canvas.edit_canvas_item(SYSTEM, item.id, item.version, text="Version de l'autre table")
    at.text_area(key="edit_text").input("Ma version")
    at.button(key="save_edit").click().run()
    assert "Version de l'autre table" in _text(at)
    assert canvas.get_canvas(ahmed.id).motivations[0].text == "Version de l'autre table"
    at.button(key="apply_mine").click().run()
    assert canvas.get_canvas(ahmed.id).motivations[0].text == "Ma version"


def test_another_subgroups_persona_is_read_only(partners_day):
    session, personas = partners_day
    at = _as_participant(session.id, personas["Ahmed"].subgroup_id)
    at.selectbox(key="canvas_choice").set_value(personas["Amir"].id).run()
    assert "Lecture seule" in _text(at)
    assert not [w for w in at.text_input if w.key == "add_text"]


def test_identity_card_is_edited_from_the_page(partners_day):
    session, personas = partners_day
    sofia = personas["Sofia"]
    at = _as_participant(session.id, sofia.subgroup_id)
    at.button(key="open_identity").click().run()
    at.text_input(key="id_origin").input("Guinée (Conakry)")
    at.text_area(key="id_facts").input("En Belgique depuis 2016\nCours de couture")
    at.button(key="id_save").click().run()
    card = canvas.get_canvas(sofia.id).persona
    assert card.origin == "Guinée (Conakry)" and card.facts == ["En Belgique depuis 2016", "Cours de couture"]


def test_identity_with_an_email_needs_confirmation(partners_day):
    session, personas = partners_day
    sofia = personas["Sofia"]
    at = _as_participant(session.id, sofia.subgroup_id)
    at.button(key="open_identity").click().run()
    at.text_area(key="id_note").input("contact : sofia@example.org")
    at.run()
    assert at.button(key="id_save").disabled
    assert "données personnelles" in _text(at)
