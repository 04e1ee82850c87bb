"""Territory per event on the pages (AppTest): the organiser picks the Geneva preset or types a list
in the event setup; the recommendation form offers the event's levels; the inventory filters by
territory and edits a resource's territory."""
from __future__ import annotations

import re
from pathlib import Path

from streamlit.testing.v1 import AppTest

from core import territory as T
from core.actor import SYSTEM, Actor
from core.resources import inventory as inv
from core.setup import events

ROOT = Path(__file__).resolve().parent.parent


def _page(name: str, actor: Actor, lang: str = "fr") -> AppTest:
    at = AppTest.from_file(str(ROOT / "app_pages" / f"{name}.py"), default_timeout=30)
    at.session_state["actor"] = actor
    at.session_state["lang"] = lang
    return at.run()


def _texts(at: AppTest) -> str:
    parts = [e.value for e in at.caption] + [e.value for e in at.success] + [e.value for e in at.error]
    parts += [e.value for e in at.markdown] + [e.value for e in at.text]
    return re.sub(r"\\(.)", r"\1", "\n".join(str(p) for p in parts))


def _geneva_event() -> dict:
    ev = events.create_event(SYSTEM, slug="geneve", title="MISO Genève")
    theme = events.add_theme(SYSTEM, ev["id"], "Insertion")
    session = events.add_session(SYSTEM, theme["id"], "2026-03-02T09:00", "2026-03-02T12:30")
    return {"id": ev["id"], "sid": session["id"]}


def test_the_organiser_picks_the_geneva_preset_then_types_a_list(database):
    ev = _geneva_event()
    organiser = Actor(kind="staff", label="Orga", role="organiser", event_ids=frozenset({ev["id"]}))
    at = _page("event_setup", organiser)
    assert not at.exception
    box, pick = f"ev_levels_{ev['id']}_labels", f"ev_levels_{ev['id']}_territory"
    assert at.text_area(key=box).value.split("\n") == ["Communal", "Régional", "Communautaire", "Fédéral",
                                                       "Européen"]
    at.selectbox(key=pick).set_value("ch-ge").run()                 # the box follows the preset
    assert at.text_area(key=box).value.split("\n") == ["Communal", "Cantonal", "Intercantonal", "Fédéral"]
    at.button(key=f"ev_levels_{ev['id']}_save").click().run()
    record = events.get_event_record(ev["id"])
    assert (record.territory, record.power_levels) == ("ch-ge", None)
    assert "Niveaux proposés : Communal, Cantonal, Intercantonal, Fédéral" in _texts(at)
    # a list of its own; a bad one is explained and changes nothing
    at.text_area(key=box).input("Communal\ncommunal").run()
    at.button(key=f"ev_levels_{ev['id']}_save").click().run()
    assert "revient deux fois" in _texts(at)
    assert events.get_event_record(ev["id"]).power_levels is None
    at.text_area(key=box).input("Communal\nCantonal\nGrand Genève").run()
    at.button(key=f"ev_levels_{ev['id']}_save").click().run()
    assert T.level_keys(events.get_event_record(ev["id"])) == ("communal", "cantonal", "x-grand-geneve")
    # the event's own form was not made stale by this save
    at.text_input(key=f"ev_{ev['id']}_place").input("Genève, Palladium")
    at.button(key=f"ev_{ev['id']}_submit").click().run()
    assert not at.exception and events.get_event_record(ev["id"]).place == "Genève, Palladium"
    assert "Quelqu’un a modifié cet élément" not in _texts(at)


def test_a_new_event_is_created_with_its_territory(database):
    organiser = Actor(kind="staff", label="Orga", role="organiser")
    at = _page("event_setup", organiser)
    at.text_input(key="ev_new_title").input("Rencontres lyonnaises")
    at.selectbox(key="ev_new_territory").set_value("fr")
    at.button(key="ev_new_submit").click().run()
    assert not at.exception
    (ev,) = events.list_events()
    assert ev.territory == "fr"


def test_the_recommendation_form_offers_the_events_levels(database):
    ev = _geneva_event()
    events.set_event_levels(SYSTEM, ev["id"], None, "ch-ge")
    anim = Actor(kind="staff", id=None, label="Anim", role="facilitator", event_ids=frozenset({ev["id"]}))
    at = AppTest.from_string(f"""
import streamlit as st
from ui import recommendation_form
recommendation_form.new_form(st.session_state["actor"], {ev["sid"]}, [], "rec")
""", default_timeout=30)
    at.session_state["actor"] = anim
    at.session_state["lang"] = "nl"
    at.run()
    assert not at.exception
    level = at.selectbox(key="rec_level")
    assert list(level.options) == ["Gemeentelijk", "Kantonaal", "Interkantonaal", "Federaal"]


def test_the_inventory_filters_by_territory_and_edits_a_resources_territory(seeded):
    organiser = Actor(kind="staff", id=1, role="organiser", label="Organisatrice")
    at = _page("inventory", organiser)
    at.selectbox(key="inv_territory").set_value("ch-ge").run()
    table = next(d.value for d in at.dataframe if "Territoire" in d.value.columns)
    assert "Hospice général" in set(table["Nom"]) and "Centre public d'action sociale" not in set(table["Nom"])
    assert set(table["Territoire"]) == {"Suisse – Genève", "Partout"}
    glossary = "\n".join(e.value for e in at.markdown)
    assert "OSEO" in glossary and "CPAS" not in glossary
    at.selectbox(key="inv_territory").set_value(inv.EVERYWHERE).run()
    table = next(d.value for d in at.dataframe if "Territoire" in d.value.columns)
    assert set(table["Territoire"]) == {"Partout"}
    banks = next(r for r in inv.search_resources("banques") if r.name == "Banques")
    at.selectbox(key="inv_edit_pick").select(banks.id).run()
    at.selectbox(key=f"inv_edit_{banks.id}_territory").set_value("fr")
    at.button(key=f"FormSubmitter:inv_edit_form_{banks.id}-Enregistrer").click().run()
    assert not at.exception
    assert inv.get_resource(banks.id).territory == "fr"


def test_a_new_recommendation_waits_for_its_level_to_be_chosen(database):
    from core.session import recommendations
    from core.session import session_flow as flow

    ev = _geneva_event()
    events.set_event_levels(SYSTEM, ev["id"], None, "ch-ge")
    flow.start_session(SYSTEM, ev["sid"])
    flow.set_stage(SYSTEM, ev["sid"], "recommendations")
    anim = Actor(kind="staff", id=None, label="Anim", role="facilitator", event_ids=frozenset({ev["id"]}))
    at = AppTest.from_string(f"""
import streamlit as st
from ui import recommendation_form
recommendation_form.new_form(st.session_state["actor"], {ev["sid"]}, [], "rec")
""", default_timeout=30)
    at.session_state["actor"] = anim
    at.session_state["lang"] = "fr"
    at.run()
    assert at.selectbox(key="rec_level").value is None                       # nothing chosen for them
    at.text_input(key="rec_title").input("Un guichet unique")
    at.button(key="rec_submit").click().run()
    assert not at.exception
    assert [e.value for e in at.error] == ["Choisissez le niveau de pouvoir visé par la recommandation."]
    assert at.text_input(key="rec_title").value == "Un guichet unique"        # what they typed stays
    assert recommendations.list_recommendations(ev["sid"]) == []
