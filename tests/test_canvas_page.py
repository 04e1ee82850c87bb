"""The persona canvas page (AppTest through app.py): what a sub-group sees and does."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from core.access import accounts, join
from core.actor import SYSTEM
from core.personas import canvas
from core.resources import inventory
from core.setup import demo_data as D
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
                start = f"- → {lead['text']}"
                # two leads may share a text
                tails = [x[len(start):] for x in shown.splitlines() if x.startswith(start)]
                assert tails, lead["text"]
                for key in lead["resources"]:
                    resource = next(r for r in D.RESOURCES if r["key"] == key)
                    label = inventory.partner_label(resource["acronym"], resource["name"])
                    if inventory.names_partner(lead["text"], resource["acronym"], resource["name"]):
                        # a lead that names its partner says it once: "→ CIRÉ", never "→ CIRÉ (CIRÉ)"
                        assert not any(label in tail for tail in tails), tails
                    else:
                        assert any(label in tail for tail in tails), (lead["text"], key)


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
    at.text_area(key=f"edit_text_{item.id}").input("Ma version")
    at.button(key="save_edit").click().run()
    assert "Version de l'autre table" in _text(at)
    assert canvas.get_canvas(ahmed.id).motivations[0].text == "Version de l'autre table"
    assert at.text_area(key=f"edit_text_{item.id}").value == "Ma version"   # my text stays in the form
    at.button(key=f"item_{item.id}_apply_mine").click().run()
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


def test_keep_theirs_puts_the_other_version_back_in_the_editor(partners_day):
    session, personas = partners_day
    ahmed = personas["Ahmed"]
    item = canvas.get_canvas(ahmed.id).barriers[0]
    at = _as_participant(session.id, ahmed.subgroup_id)
    at.selectbox(key="manage_item").set_value(item.id).run()
    at.button(key="manage_edit").click().run()
    canvas.edit_canvas_item(SYSTEM, item.id, item.version, text="Leur version", nature="subjective")
    at.text_area(key=f"edit_text_{item.id}").input("Ma version")
    at.button(key="save_edit").click().run()
    assert "Quelqu’un a modifié cet élément" in " ".join(e.value for e in at.error)
    at.button(key=f"item_{item.id}_keep_theirs").click().run()
    assert at.text_area(key=f"edit_text_{item.id}").value == "Leur version"
    assert at.radio(key=f"edit_nature_{item.id}").value == "subjective"
    assert canvas.get_canvas(ahmed.id).barriers[0].text == "Leur version"


def test_a_stale_identity_card_shows_the_other_version_then_apply_mine_wins(partners_day):
    session, personas = partners_day
    sofia = personas["Sofia"]
    at = _as_participant(session.id, sofia.subgroup_id)
    at.button(key="open_identity").click().run()
    card = canvas.get_canvas(sofia.id).persona
    canvas.update_persona(SYSTEM, sofia.id, card.version, origin="Maroc (Tanger)")
    at.text_input(key="id_origin").input("Guinée (Conakry)")
    at.button(key="id_save").click().run()
    assert "Quelqu’un a modifié cet élément" in " ".join(e.value for e in at.error)
    assert at.text_input(key="id_origin").value == "Guinée (Conakry)"   # my text stays in the form
    assert canvas.get_canvas(sofia.id).persona.origin == "Maroc (Tanger)"
    at.button(key=f"identity_{sofia.id}_apply_mine").click().run()
    assert canvas.get_canvas(sofia.id).persona.origin == "Guinée (Conakry)"


def _open_need(at: AppTest, need_id: int) -> None:
    """Open the need's "leads and partners" editor (the popover on its row)."""
    at.session_state[f"need_pop_{need_id}"] = True
    at.run()


def _leads_of_first_need(at: AppTest, persona_id: int):
    need = next(n for n in canvas.get_canvas(persona_id).needs if any(lead.resources for lead in n.leads))
    _open_need(at, need.id)
    return next(lead for lead in need.leads if lead.resources)


def test_a_stale_lead_edit_offers_keep_theirs(partners_day):
    session, personas = partners_day
    ahmed = personas["Ahmed"]
    at = _as_participant(session.id, ahmed.subgroup_id)
    lead = _leads_of_first_need(at, ahmed.id)
    from core import entities
    entities.update(SYSTEM, "solution_lead", lead.id, lead.version, text="Piste réécrite par l'autre table")
    at.text_input(key=f"lead_edit_{lead.id}").input("Ma piste")
    at.button(key=f"lead_save_{lead.id}").click().run()
    assert "Quelqu’un a modifié cet élément" in " ".join(e.value for e in at.error)
    at.button(key=f"lead_{lead.id}_keep_theirs").click().run()
    assert at.text_input(key=f"lead_edit_{lead.id}").value == "Piste réécrite par l'autre table"
    at.text_input(key=f"lead_edit_{lead.id}").input("Ma piste, sur la leur")
    at.button(key=f"lead_save_{lead.id}").click().run()
    assert "Ma piste, sur la leur" in [x.text for n in canvas.get_canvas(ahmed.id).needs for x in n.leads]


def test_an_unlinked_partner_comes_back_with_undo(partners_day):
    session, personas = partners_day
    ahmed = personas["Ahmed"]
    at = _as_participant(session.id, ahmed.subgroup_id)
    lead = _leads_of_first_need(at, ahmed.id)
    resource = lead.resources[0]

    def linked() -> bool:
        return any(r.id == resource.id for n in canvas.get_canvas(ahmed.id).needs for x in n.leads if x.id == lead.id
                   for r in x.resources)

    at.button(key=f"unlink_{lead.id}_{resource.id}").click().run()
    assert not linked()
    at.button(key="undo_delete").click().run()
    assert linked()


def test_an_add_refused_by_the_core_is_said_and_keeps_the_text(partners_day):
    session, personas = partners_day
    ahmed = personas["Ahmed"]
    before = len(canvas.get_canvas(ahmed.id).barriers)
    at = _as_participant(session.id, ahmed.subgroup_id)
    from core.session import session_flow as flow
    flow.close_session(SYSTEM, session.id)
    _add(at, "barrier", "Ajouté après la clôture")
    assert "clôturé" in " ".join(e.value for e in at.error)
    assert at.text_input(key="add_text").value == "Ajouté après la clôture"
    assert len(canvas.get_canvas(ahmed.id).barriers) == before


# --- the needs' rows: leads and partners where the need is (issue 14) ------------------------------

def _row(at: AppTest, need_id: int) -> str:
    """What the need's row says (its Markdown summary), as read."""
    need = next(n for n in canvas.get_canvas(_persona_of(need_id)).needs if n.id == need_id)
    read = [re.sub(r"\\(.)", r"\1", re.sub(r"(?<!\\)_", "", m.value)) for m in at.markdown]   # no emphasis marks
    return next(x for x in read if x.startswith(f"**{need.text}**"))


def _persona_of(need_id: int) -> int:
    from core import entities
    return entities.get("canvas_item", need_id)["persona_id"]


def test_a_lead_with_its_partner_is_added_from_the_needs_own_row(partners_day):
    session, personas = partners_day
    fatoumata = personas["Fatoumata"]
    need = next(n for n in canvas.get_canvas(fatoumata.id).needs if n.category == "family_childcare")
    at = _as_participant(session.id, fatoumata.subgroup_id)
    assert not [b for b in at.button if b.key == "manage_leads"]        # no dropdown-then-button detour
    _open_need(at, need.id)
    partners = at.multiselect(key=f"lead_partners_{need.id}")
    one = next(r.id for r in inventory.search_resources("ONE") if r.acronym == "ONE")
    at.text_input(key=f"lead_text_{need.id}").input("Une crèche près du lieu de formation")
    partners.set_value([one])
    at.button(key=f"FormSubmitter:add_lead_form_{need.id}-Ajouter la piste").click().run()
    assert not at.exception
    leads = next(n for n in canvas.get_canvas(fatoumata.id).needs if n.id == need.id).leads
    assert [(x.text, [r.acronym for r in x.resources]) for x in leads] == [
        ("Une crèche près du lieu de formation", ["ONE"])]
    assert "→ Une crèche près du lieu de formation (ONE — Office de la Naissance et de l'Enfance)" in _row(at, need.id)
    assert at.text_input(key=f"lead_text_{need.id}").value == ""
    assert at.session_state[f"need_pop_{need.id}"] is True                # the editor stays open


def test_a_suggested_partner_is_linked_in_one_click_and_an_empty_choice_is_explained(partners_day):
    session, personas = partners_day
    fatoumata = personas["Fatoumata"]
    need = next(n for n in canvas.get_canvas(fatoumata.id).needs if n.category == "family_childcare")
    lead = canvas.add_solution_lead(SYSTEM, need.id, "Halte-garderie")
    at = _as_participant(session.id, fatoumata.subgroup_id)
    _open_need(at, need.id)
    assert "→ Halte-garderie · aucun partenaire" in _row(at, need.id)
    at.button(key=f"FormSubmitter:link_form_{lead['id']}-Lier").click().run()
    assert "Choisissez d’abord un partenaire dans la liste." in _text(at)
    one = next(r.id for r in inventory.search_resources("ONE") if r.acronym == "ONE")
    # one click for the suggestions, best first: for a childcare need the ONE (early childhood)
    offered = [b.key for b in at.button if (b.key or "").startswith(f"link_{lead['id']}_")]
    assert offered and offered[0] == f"link_{lead['id']}_{one}", offered
    at.button(key=f"link_{lead['id']}_{one}").click().run()
    assert "→ Halte-garderie (ONE — Office de la Naissance et de l'Enfance)" in _row(at, need.id)
    # and it can be taken back, with undo
    at.button(key=f"unlink_{lead['id']}_{one}").click().run()
    assert "→ Halte-garderie · aucun partenaire" in _row(at, need.id)
    at.button(key="undo_delete").click().run()
    assert "(ONE — Office de la Naissance et de l'Enfance)" in _row(at, need.id)


def test_a_need_is_edited_and_deleted_from_its_row(partners_day):
    session, personas = partners_day
    sofia = personas["Sofia"]
    need = canvas.get_canvas(sofia.id).needs[0]
    at = _as_participant(session.id, sofia.subgroup_id)
    at.button(key=f"need_edit_{need.id}").click().run()
    at.text_area(key=f"edit_text_{need.id}").input("Gérer son budget au mois le mois")
    at.button(key="save_edit").click().run()
    assert canvas.get_canvas(sofia.id).needs[0].text == "Gérer son budget au mois le mois"
    at.button(key=f"need_delete_{need.id}").click().run()
    assert need.id not in [n.id for n in canvas.get_canvas(sofia.id).needs]
    assert "Supprimé : « Gérer son budget au mois le mois »" in _text(at)
    at.button(key="undo_delete").click().run()
    assert need.id in [n.id for n in canvas.get_canvas(sofia.id).needs]


def test_another_subgroups_needs_are_shown_without_their_buttons(partners_day):
    session, personas = partners_day
    at = _as_participant(session.id, personas["Ahmed"].subgroup_id)
    at.selectbox(key="canvas_choice").set_value(personas["Amir"].id).run()
    shown = _text(at)
    assert "→ CIRÉ" in shown and "CIRÉ (CIRÉ" not in shown
    assert not [b for b in at.button if (b.key or "").startswith(("need_edit_", "need_delete_"))]


def test_a_near_duplicate_asks_first_cancel_keeps_the_text_and_add_anyway_adds(partners_day):
    session, personas = partners_day
    sofia = personas["Sofia"]
    before = len(canvas.get_canvas(sofia.id).needs)
    at = _as_participant(session.id, sofia.subgroup_id)
    _add(at, "need", "gérer le Budget !")
    assert "Déjà là : « Gérer le budget ». Ajouter quand même ?" in _text(at)
    assert len(canvas.get_canvas(sofia.id).needs) == before
    assert at.text_input(key="add_text").value == "gérer le Budget !"
    at.button(key="add_similar_no").click().run()
    assert "Déjà là" not in _text(at)
    assert at.text_input(key="add_text").value == "gérer le Budget !"      # nothing typed is lost
    assert len(canvas.get_canvas(sofia.id).needs) == before
    next(b for b in at.button if b.label == "Ajouter").click().run()
    at.button(key="add_similar_yes").click().run()
    assert len(canvas.get_canvas(sofia.id).needs) == before + 1
    assert at.text_input(key="add_text").value == ""
    assert "Déjà là" not in _text(at)


def test_the_same_words_in_another_section_are_added_without_a_question(partners_day):
    session, personas = partners_day
    sofia = personas["Sofia"]
    at = _as_participant(session.id, sofia.subgroup_id)
    _add(at, "barrier", "Gérer le budget")
    assert "Déjà là" not in _text(at)
    assert "Gérer le budget" in [b.text for b in canvas.get_canvas(sofia.id).barriers]
