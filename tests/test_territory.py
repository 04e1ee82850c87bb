"""Territory per event: levels of power from a preset (Brussels, Geneva, France) or the organiser's own
ordered list, used by the recommendation rules, the dashboard and the booklet (a stored level keeps
its label when the list changes); resources carry a territory, and an event draws suggestions,
glossary and partner lists from its territory plus the resources valid everywhere. Runs on SQLite and
PostgreSQL."""
from __future__ import annotations

import csv
import io

import pytest
from sqlalchemy import select

from core import territory as T
from core.actor import SYSTEM, Actor
from core.errors import PermissionDenied, StaleEdit, ValidationError
from core.personas import canvas
from core.personas.suggestions import create_resource_inline, suggest_resources, territory_of_persona
from core.reporting import booklet as bk
from core.reporting import dashboard as d
from core.resources import inventory as inv
from core.session import board
from core.session import recommendations as recs
from core.session import session_flow as flow
from core.setup import demo_data as D
from core.setup import events
from storage import db
from storage import models as m

ORGANISER = Actor(kind="staff", id=None, role="organiser", label="Org")
BRUSSELS_ONLY = {"AMO", "ONE", "SAJ", "Maison médicale"}


def _org(ev: dict) -> Actor:
    """An organiser of the event."""
    return Actor(kind="staff", id=None, role="organiser", label="Org", event_ids=frozenset({ev["id"]}))


def _err(info: pytest.ExceptionInfo) -> str:
    return info.value.key


def _event(slug: str, territory: str | None = None) -> dict:
    """An event with a theme, a session at the recommendations stage, a finding to cite and a persona."""
    ev = events.create_event(SYSTEM, slug=slug, title=f"Atelier {slug}", territory=territory)
    theme = events.add_theme(SYSTEM, ev["id"], "Insertion")
    session = events.add_session(SYSTEM, theme["id"], "2026-03-02T09:00", "2026-03-02T12:30")
    group = events.add_subgroup(SYSTEM, session["id"], "Table 1")
    persona = canvas.create_persona(SYSTEM, session["id"], "Mariam", subgroup_id=group["id"])
    finding = board.add_contribution(SYSTEM, session["id"], "finding", "people", "Les courriers sont difficiles à lire")
    anim = Actor(kind="staff", id=None, label="Anim", role="facilitator", event_ids=frozenset({ev["id"]}))
    flow.set_stage(anim, session["id"], "recommendations")
    return {"id": ev["id"], "slug": ev["slug"], "sid": session["id"], "group": group["id"],
            "persona": persona["id"], "finding": finding["id"], "anim": anim}


def _rec(ev: dict, title: str, level: str) -> dict:
    return recs.create_recommendation(ev["anim"], ev["sid"], title, level, sources=[("contribution", ev["finding"])])


def _version(event_id: int) -> int:
    return events.get_event_record(event_id).version


# --- presets and custom lists (no database) ------------------------------------------------------

def test_each_preset_offers_its_own_ordered_levels_in_three_languages():
    brussels, geneva, france = (T.levels_for_event(events.EventLevels(t)) for t in ("be-bru", "ch-ge", "fr"))
    assert [x.text("fr") for x in brussels] == ["Communal", "Régional", "Communautaire", "Fédéral", "Européen"]
    assert [x.text("fr") for x in geneva] == ["Communal", "Cantonal", "Intercantonal", "Fédéral"]
    assert [x.text("fr") for x in france] == ["Communal", "Intercommunal", "Départemental", "Régional", "National",
                                              "Européen"]
    assert [x.text("nl") for x in geneva] == ["Gemeentelijk", "Kantonaal", "Interkantonaal", "Federaal"]
    assert [x.text("en") for x in france][1:3] == ["Inter-municipal", "Departmental"]
    assert T.levels_for_event(None) == brussels                    # no event: the default preset
    assert all(len(k) <= T.KEY_MAX for k in T.KNOWN_LEVELS)       # recommendations.level is String(20)


def test_a_custom_list_keeps_its_order_reuses_preset_keys_and_makes_stable_keys():
    levels = T.clean_custom_levels("fr", "Commune\nMétropole de Lyon\n  Kantonaal \n\nEuropéen")
    assert levels is not None
    assert [x["key"] for x in levels] == ["x-commune", "x-metropole-de-lyon", "cantonal", "european"]
    ev = events.EventLevels("fr", levels)
    assert [x.text("fr") for x in T.levels_for_event(ev)] == ["Commune", "Métropole de Lyon", "Cantonal", "Européen"]
    assert T.level_label(ev, "x-metropole-de-lyon", "nl") == "Métropole de Lyon"   # typed text, as typed
    again = T.clean_custom_levels("fr", ["Européen", "Métropole de Lyon"], levels)
    assert again is not None
    assert [x["key"] for x in again if not x.get("retired")] == ["european", "x-metropole-de-lyon"]
    assert {x["key"]: x["label"] for x in again if x.get("retired")} == {"x-commune": "Commune"}
    assert T.custom_key("مستوى محلي").startswith("x-") and len(T.custom_key("مستوى محلي")) <= T.KEY_MAX


def test_the_preset_typed_back_or_an_empty_list_is_the_preset():
    assert T.clean_custom_levels("ch-ge", "") is None
    assert T.clean_custom_levels("ch-ge", "Communal\nCantonal\nIntercantonal\nFédéral") is None
    assert T.clean_custom_levels("ch-ge", ["Gemeentelijk", "Kantonaal", "Interkantonaal", "Federaal"]) is None
    assert T.clean_custom_levels("ch-ge", "Cantonal\nCommunal\nIntercantonal\nFédéral") is not None   # reordered


@pytest.mark.parametrize(("territory", "labels", "key"), [
    ("ch-ge", "\n".join(f"Niveau {i}" for i in range(9)), "error.levels_too_many"),
    ("ch-ge", "Commune\ncommune", "error.level_duplicate"),
    ("ch-ge", "Régional\nregional", "error.level_duplicate"),
    ("ch-ge", "x" * 61, "error.level_too_long"),
    ("ch-ge", ["Commune", 3], "error.not_text"),
    ("ch-ge", "Commune\x07", "error.control_characters"),
    ("mars", "Commune", "error.invalid_choice"),
])
def test_a_bad_custom_list_is_refused_with_a_keyed_error(territory, labels, key):
    with pytest.raises(ValidationError) as info:
        T.clean_custom_levels(territory, labels)
    assert _err(info) == key


# --- the event's setting and the recommendation rules --------------------------------------------

def test_the_organiser_sets_territory_and_levels_with_history_and_stale_check(database):
    ev = _event("geneve", "ch-ge")
    assert events.get_event_record(ev["id"]).territory == "ch-ge"
    seen = _version(ev["id"])
    events.set_event_levels(_org(ev), ev["id"], seen, "ch-ge", "Communal\nCantonal\nConfédération")
    record = events.get_event_record(ev["id"])
    assert [x.text("fr") for x in T.levels_for_event(record)] == ["Communal", "Cantonal", "Confédération"]
    with pytest.raises(StaleEdit):                                   # saved over a version not seen
        events.set_event_levels(_org(ev), ev["id"], seen, "fr", "")
    with pytest.raises(ValidationError) as info:
        events.set_event_levels(_org(ev), ev["id"], None, "ch-ge", "A\nA")
    assert _err(info) == "error.level_duplicate"
    with pytest.raises(PermissionDenied):
        events.set_event_levels(ev["anim"], ev["id"], None, "fr", "")   # facilitators do not set up events
    assert T.level_keys(events.get_event_record(ev["id"])) == ("communal", "cantonal", "x-confederation")
    with db.read_session() as s:
        acts = s.execute(select(m.Activity.action, m.Activity.after).where(
            m.Activity.entity_type == "event", m.Activity.entity_id == ev["id"]).order_by(m.Activity.id)).all()
    assert acts[-1].action == "update" and acts[-1].after["power_levels"][2]["label"] == "Confédération"
    copy = events.copy_event(_org(ev), ev["id"], "Saison 2")       # a new season keeps the setting
    copied = events.get_event_record(copy["id"])
    assert (copied.territory, T.level_keys(copied)) == ("ch-ge", ("communal", "cantonal", "x-confederation"))


def test_a_recommendation_must_address_one_of_the_events_levels(database):
    geneva, brussels = _event("geneve", "ch-ge"), _event("bruxelles")
    assert _rec(geneva, "Subsides d'assurance maladie", "cantonal")["level"] == "cantonal"
    for ev, level in ((geneva, "regional"), (geneva, "community"), (brussels, "cantonal"), (geneva, "x-inconnu")):
        with pytest.raises(ValidationError) as info:
            _rec(ev, "Refusée", level)
        assert (_err(info), info.value.field) == ("error.invalid_choice", "level")
    assert _rec(brussels, "Logement d'abord", "regional")["level"] == "regional"
    with db.read_session() as s:
        assert sorted(s.execute(select(m.Recommendation.level)).scalars()) == ["cantonal", "regional"]


def test_an_old_recommendation_keeps_its_level_and_label_after_the_event_changes_its_list(database):
    ev = _event("bruxelles-puis-geneve")
    old = _rec(ev, "Plus de logements sociaux", "regional")
    events.set_event_levels(_org(ev), ev["id"], None, "ch-ge")
    record = events.get_event_record(ev["id"])
    assert "regional" not in T.level_keys(record)
    assert T.level_label(record, "regional", "fr") == "Régional"     # existing data keeps its meaning
    # its wording can still be edited without moving it, but it cannot be moved to a level not offered
    edited = recs.edit_recommendation(ev["anim"], old["id"], old["version"], title="Plus de logements sociaux !",
                                      level="regional")
    assert edited["level"] == "regional"
    with pytest.raises(ValidationError):
        recs.edit_recommendation(ev["anim"], old["id"], edited["version"], level="community")
    recs.edit_recommendation(ev["anim"], old["id"], edited["version"], level="cantonal")
    # a custom level taken out of the list keeps its label too
    events.set_event_levels(_org(ev), ev["id"], None, "ch-ge", "Communal\nGrand Genève")
    custom = _rec(ev, "Un guichet unique", "x-grand-geneve")
    events.set_event_levels(_org(ev), ev["id"], None, "ch-ge", "Communal\nCantonal")
    record = events.get_event_record(ev["id"])
    assert T.level_keys(record) == ("communal", "cantonal")
    assert T.level_label(record, custom["level"], "en") == "Grand Genève"
    events.set_event_levels(_org(ev), ev["id"], None, "ch-ge", "")   # back to the preset: still remembered
    assert T.level_label(events.get_event_record(ev["id"]), "x-grand-geneve", "fr") == "Grand Genève"


def test_dashboard_and_booklet_name_the_events_levels_old_ones_included(database):
    ev = _event("geneve-rapport", "ch-ge")
    _rec(ev, "Subsides d'assurance maladie", "cantonal")
    events.set_event_levels(_org(ev), ev["id"], None, "ch-ge", "Communal\nCantonal\nGrand Genève")
    _rec(ev, "Un guichet unique", "x-grand-geneve")
    f = d.event_filter(ev["slug"])
    assert list(d.votes_by_level(f)["level"]) == ["cantonal", "x-grand-geneve"]   # in the event's order
    names = d.level_labels(f, "nl")
    assert list(names)[:3] == ["communal", "cantonal", "x-grand-geneve"]
    assert (names["cantonal"], names["x-grand-geneve"]) == ("Kantonaal", "Grand Genève")
    events.set_event_levels(_org(ev), ev["id"], None, "ch-ge", "Communal\nCantonal")   # taken out afterwards
    text = bk.build_booklet(ev["slug"], "fr").text()
    assert "Cantonal" in text and "Grand Genève" in text and "Régional" not in text
    assert d.level_labels(f, "fr")["x-grand-geneve"] == "Grand Genève"


# --- resources by territory ----------------------------------------------------------------------

def _labels(rows) -> set[str]:
    return {r.acronym or r.name for r in rows}


def test_the_seed_ships_a_geneva_inventory_and_marks_the_brussels_one(seeded):
    geneva = _labels(inv.search_resources(territory="ch-ge"))
    assert {"Hospice général", "SocialUp", "OSEO", "Fondation Qualife", "BIS", "Point jeunes"} <= geneva
    assert not geneva & (BRUSSELS_ONLY | {"CPAS", "Actiris (Bruxelles)"})
    assert {"Banques", "Bénévolat (volontariat)"} <= geneva               # valid everywhere
    brussels = _labels(inv.search_resources(territory="be-bru"))
    assert BRUSSELS_ONLY <= brussels and "OSEO" not in brussels
    everywhere = inv.search_resources(territory=inv.EVERYWHERE)
    assert everywhere and all(r.territory is None for r in everywhere)
    assert len(inv.search_resources()) == len(D.RESOURCES) + len(D.GENEVA_RESOURCES)
    assert {g.acronym for g in inv.glossary(territory="ch-ge")} >= {"OSEO", "OFPC", "BIS"}
    assert not {g.acronym for g in inv.glossary(territory="ch-ge")} & {"AMO", "ONE", "SAJ", "CPAS"}
    assert [r.name for r in inv.search_resources("social", territory="ch-ge", category="other")] \
        == ["Bureau d'information sociale", "SocialUp"]


def test_suggestions_for_a_geneva_event_come_from_geneva_and_everywhere_only(seeded):
    ev = _event("geneve-canevas", "ch-ge")
    where = territory_of_persona(ev["persona"])
    assert where == "ch-ge"
    seen: set[str] = set()
    for text, category in (("Garde d'enfants", "family_childcare"), ("Trouver un médecin", "health"),
                           ("Trouver un emploi", "employment"), ("Des dettes à rembourser", "money_debt"),
                           ("Soutien pour les jeunes", "family_childcare"), ("Logement", "housing")):
        found = suggest_resources(text, category, limit=10, territory=where)
        seen |= {x.acronym or x.name for x in found}
        with db.read_session() as s:
            territories = set(s.execute(select(m.Resource.territory)
                                        .where(m.Resource.id.in_([x.resource_id for x in found]))).scalars())
        assert territories <= {"ch-ge", None}, text
    assert not seen & BRUSSELS_ONLY
    assert {"Point jeunes", "Fondation Qualife", "Caritas Genève", "Fondation genevoise de désendettement"} <= seen
    # the same needs in Brussels still get the Brussels services the seed's canvases link
    brussels = {x.acronym or x.name for x in suggest_resources("Garde d'enfants", "family_childcare", limit=10,
                                                               territory="be-bru")}
    assert "ONE" in brussels and "Point jeunes" not in brussels


def test_a_resource_added_from_a_geneva_canvas_belongs_to_geneva(seeded):
    ev = _event("geneve-ajout", "ch-ge")
    need = canvas.add_need(SYSTEM, ev["persona"], "Comprendre les courriers", category="residence_admin")
    lead = canvas.add_solution_lead(SYSTEM, need["id"], "Permanence")
    actor = Actor(kind="participant", id=7, label="Table 1", session_id=ev["sid"], subgroup_id=ev["group"])
    # a Brussels service of the same name is another service: not "already listed"
    row = create_resource_inline(actor, ev["group"], "Maison médicale", "health", lead_id=lead["id"])
    assert row["territory"] == "ch-ge"
    assert "Maison médicale" in _labels(inv.search_resources(territory="ch-ge"))
    assert len([r for r in inv.search_resources("maison medicale") if r.name == "Maison médicale"]) == 2


def _csv(rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue().encode("utf-8")


def test_csv_export_and_import_carry_the_territory(seeded):
    exported = inv.export_csv()
    rows = list(csv.DictReader(io.StringIO(exported.decode("utf-8-sig"))))
    by_name = {r["name"]: r["territory"] for r in rows}
    assert (by_name["Hospice général"], by_name["Centre public d'action sociale"], by_name["Banques"]) \
        == ("ch-ge", "be-bru", "")
    report = inv.import_csv(ORGANISER, _csv([
        ["name", "alternate_name", "category", "territory"],
        ["Centre social protestant", "CSP", "other", "Suisse – Genève"],        # a territory by its name
        ["Maison de l'emploi", "", "employment", "fr"],
        ["Banques", "", "", "Hospice"],                                          # unknown: refused
    ]))
    assert not report.written
    assert [(p.line, p.column, p.key) for p in report.problems] == [(4, "territory", "error.invalid_choice")]
    report = inv.import_csv(ORGANISER, _csv([
        ["name", "alternate_name", "category", "territory"],
        ["Centre social protestant", "CSP", "other", "Suisse – Genève"],
        ["Maison de l'emploi", "", "employment", "fr"],
        ["Banques", "", "", "Zwitserland – Genève"],          # everywhere -> Geneva's own
        ["Bénévolat (volontariat)", "", "", ""],              # an empty cell changes nothing
        ["Mentorat", "", "", "Partout"],                      # already everywhere: skipped
    ]))
    assert report.ok and (report.created, report.updated, report.skipped) == (2, 1, 2)
    assert {r.name: r.territory for r in inv.search_resources(territory="ch-ge")}["Centre social protestant"] \
        == "ch-ge"
    assert "Maison de l'emploi" in _labels(inv.search_resources(territory="fr"))
    assert "Banques" not in _labels(inv.search_resources(territory="be-bru"))
    # "everywhere" takes a territory away; a namesake of another territory is another resource
    report = inv.import_csv(ORGANISER, _csv([["name", "territory"], ["Banques", "-"],
                                             ["Maison médicale", "ch-ge"]]))
    assert report.ok and (report.created, report.updated) == (1, 1)
    assert "Banques" in _labels(inv.search_resources(territory="be-bru"))
    assert len([r for r in inv.search_resources("maison medicale") if r.name == "Maison médicale"]) == 2
    assert {(p.keep.name, p.duplicate.name) for p in inv.find_duplicates()
            if p.keep.name == p.duplicate.name == "Maison médicale"} == set()
    # a round trip keeps every territory
    before = {(r.acronym, r.name): r.territory for r in inv.search_resources()}
    again = inv.import_csv(ORGANISER, inv.export_csv())
    assert (again.created, again.updated) == (0, 0)
    assert {(r.acronym, r.name): r.territory for r in inv.search_resources()} == before


def test_an_organiser_moves_a_resource_to_a_territory_and_back(seeded):
    banks = next(r for r in inv.search_resources("banques") if r.name == "Banques")
    moved = inv.update_resource(ORGANISER, banks.id, banks.version, territory="fr")
    assert moved["territory"] == "fr" and "Banques" not in _labels(inv.search_resources(territory="ch-ge"))
    back = inv.update_resource(ORGANISER, banks.id, moved["version"], territory="")
    assert back["territory"] is None and "Banques" in _labels(inv.search_resources(territory="ch-ge"))
    with pytest.raises(ValidationError) as info:
        inv.update_resource(ORGANISER, banks.id, None, territory="mars")
    assert _err(info) == "error.invalid_choice"
