"""A theme's process through the pages (AppTest): a participant of the theme's second date sees the
first date's material, picks up a persona of the first date, finds it in their list and continues
its canvas (the first date's items read-only, each item dated); the organiser chooses the stages a
date covers."""
from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from core.access import join
from core.actor import SYSTEM, Actor
from core.personas import canvas
from core.session import board, recommendations, theme_process
from core.session import session_flow as flow
from core.setup import events

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def _fresh_live_cache():
    st.cache_data.clear()
    st.cache_resource.clear()
    yield
    st.cache_data.clear()
    st.cache_resource.clear()


def _page(name: str, actor: Actor, membership=None) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app_pages" / f"{name}.py"), default_timeout=60)
    at.session_state["actor"] = actor
    if membership is not None:
        at.session_state["membership"] = membership
    return _ok(at.run())


def _ok(at: AppTest) -> AppTest:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    return at


def _text(at: AppTest) -> str:
    parts = []
    for kind in ("title", "header", "subheader", "markdown", "caption", "error", "warning", "info", "success"):
        parts += [str(getattr(e, "value", "")) for e in getattr(at, kind)]
    parts += [e.label for e in at.expander]
    return "\n".join(parts).replace("\\", "")   # Markdown escapes ("sous\\-groupe") aside


@pytest.fixture
def two_dates(database):
    ev = events.create_event(SYSTEM, slug="logement-deux-dates", title="Logement en deux dates")
    theme = events.add_theme(SYSTEM, ev["id"], "Accès au logement")["id"]
    first = events.add_session(SYSTEM, theme, "2025-11-16T09:00", "2025-11-16T12:30")["id"]
    second = events.add_session(SYSTEM, theme, "2025-12-04T09:00", "2025-12-04T12:30")["id"]
    table_a = events.add_subgroup(SYSTEM, first, "Table A")["id"]
    table_c = events.add_subgroup(SYSTEM, second, "Table C")["id"]
    for sid in (first, second):
        flow.start_session(SYSTEM, sid)
    amina = join.join(first, table_a, "Amina")[1].actor()
    persona = canvas.create_persona(amina, first, "Nadia", subgroup_id=table_a, age=34)["id"]
    need = canvas.add_need(amina, persona, "Trouver un logement abordable")["id"]
    board.add_contribution(amina, first, "finding", "people", "Les loyers dépassent la moitié du revenu")
    flow.close_session(SYSTEM, first)
    chloe = join.join(second, table_c, "Chloé")[1]
    orga = Actor(kind="staff", label="Orga", role="organiser", event_ids=frozenset({ev["id"]}))
    return SimpleNamespace(event=ev["id"], theme=theme, first=first, second=second, persona=persona, need=need,
                           chloe=chloe, orga=orga)


def test_a_second_date_participant_sees_and_picks_up_a_persona_of_the_first_date(two_dates):
    t = two_dates
    # the organiser planned the second date as the diagnostic continued, then the recommendations
    theme_process.set_session_stages(SYSTEM, t.second, ["diagnostic", "recommendations"])
    flow.set_stage(SYSTEM, t.second, "diagnostic")
    at = _page("group", t.chloe.actor(), t.chloe)
    text = _text(at)
    assert "Matériel des dates précédentes (1)" in text and "Séance du 16/11/25" in text
    assert "Nadia" in text and "Les loyers dépassent la moitié du revenu" in text
    at.button(key=f"pick_up_{t.persona}").click().run()
    _ok(at)
    text = _text(at)
    assert "Persona « Nadia » repris" in text
    assert "repris par votre sous-groupe" in text and "repris de la séance du 16/11/25" in text
    assert not [b for b in at.button if b.key == f"pick_up_{t.persona}"]       # once only
    assert [c.id for c in canvas.continued_personas(t.second, t.chloe.subgroup_id)] == [t.persona]

    # the canvas: editable for the table that picked it up, the first date's need read-only, dated
    canvas.add_barrier(t.chloe.actor(), t.persona, "Peur de perdre ses allocations")
    page = AppTest.from_file(str(ROOT / "app_pages" / "canvas.py"), default_timeout=60)
    page.session_state["actor"] = t.chloe.actor()
    page.session_state["canvas_persona_id"] = t.persona
    _ok(page.run())
    text = _text(page)
    assert "Persona repris de la séance du 16/11/25" in text
    assert "ajouté le 4/12/25" in text and "ajouté le 16/11/25" in text
    assert not [b for b in page.button if b.key == f"need_delete_{t.need}"]    # the first date's need
    assert not [b for b in page.button if b.key == "open_identity"]            # the first date's card
    page.text_input(key="add_text").input("Un garant pour le bail")
    page.radio(key="add_kind").set_value("need")
    page.selectbox(key="add_category").set_value("housing")
    next(b for b in page.button if b.label == "Ajouter").click().run()
    _ok(page)
    added = next(n for n in canvas.get_canvas(t.persona).needs if n.text == "Un garant pour le bail")
    assert added.session_id == t.second
    assert [b for b in page.button if b.key == f"need_delete_{added.id}"]      # its own need: editable


def test_the_second_date_cites_the_first_date_s_need_in_a_recommendation(two_dates):
    t = two_dates
    flow.set_stage(SYSTEM, t.second, "recommendations")
    at = _page("group", t.chloe.actor(), t.chloe)
    needs = at.multiselect(key="rec_sources_need")
    assert [needs.format_func(o) for o in needs.options] == ["Nadia · Trouver un logement abordable · du 16/11/25"]
    findings = at.multiselect(key="rec_sources_contribution")
    assert [findings.format_func(o) for o in findings.options] == [
        "Constat · Les loyers dépassent la moitié du revenu — Table A · du 16/11/25"]
    at.text_input(key="rec_title").input("Encadrer les loyers")
    at.selectbox(key="rec_level").set_value(at.selectbox(key="rec_level").options[1])
    needs.set_value(needs.options)
    at.button(key="rec_submit").click().run()
    _ok(at)
    [rec] = recommendations.list_recommendations(t.second)
    assert rec.title == "Encadrer les loyers" and rec.source_keys == [("need", t.need)]


def test_the_organiser_chooses_the_stages_each_date_covers(two_dates):
    t = two_dates
    at = _page("event_setup", t.orga)
    second = at.multiselect(key=f"s_{t.second}_stages")
    assert second.value == ["recommendations", "implementation"]              # the second of two dates
    assert ("Par défaut (date 2 sur 2 de la thématique) : Recommandations aux mandataires, Mise en œuvre. "
            "C’est le choix actuel.") in _text(at)
    second.set_value(["recommendations"])
    at.button(key=f"s_{t.second}_stages_save").click().run()
    _ok(at)
    assert theme_process.covered_stages(t.second) == ("recommendations",)
    assert flow.session_view(t.second).stages == ("recommendations",)
    at.button(key=f"s_{t.second}_stages_reset").click().run()
    _ok(at)
    assert theme_process.covered_stages(t.second) == ("recommendations", "implementation")
