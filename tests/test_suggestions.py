"""Resource suggestions for a need (category match, links to similar needs in other canvases)
and resources created inline from a canvas; on SQLite and PostgreSQL."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from core import entities
from core.actor import SYSTEM, Actor
from core.errors import Conflict, PermissionDenied
from core.i18n import LANGUAGES, catalog, translate
from core.personas import canvas
from core.personas.suggestions import create_resource_inline, suggest_resources
from core.resources import inventory
from core.setup.events import add_session, add_subgroup, add_theme, create_event
from storage import db
from storage import models as m


def _persona_id(name: str) -> int:
    with db.read_session() as s:
        return s.execute(select(m.Persona.id).where(m.Persona.name == name)).scalar_one()


def _resource_id(acronym: str = "", name: str | None = None) -> int:
    with db.read_session() as s:
        q = select(m.Resource.id).where(m.Resource.deleted_at.is_(None))
        q = q.where(m.Resource.acronym == acronym) if name is None else q.where(m.Resource.name == name)
        return s.execute(q).scalar_one()


def _count(model) -> int:
    with db.read_session() as s:
        return s.execute(select(func.count()).select_from(model)).scalar_one()


def test_a_new_housing_need_gets_the_housing_resources_the_seed_links_to_housing_needs(seeded):
    top = suggest_resources("Trouver un logement", "housing", limit=3)
    labels = [x.acronym or x.name for x in top]
    assert "AIS" in labels
    assert set(labels) == {"AIS", "Logement d'urgence", "Logement de transit"}
    ais = next(x for x in top if x.acronym == "AIS")
    # Amir's "Logement" and Paulette's "Amélioration de la situation financière / du logement"
    assert (ais.reason_key, ais.reason_params) == ("canvas_rules.reason.similar_needs_same_category", {"count": 2})
    assert top[0].acronym == "AIS"


def test_the_persona_being_edited_does_not_vouch_for_its_own_links(seeded):
    amir = _persona_id("Amir")
    ais = next(x for x in suggest_resources("Trouver un logement", "housing", exclude_persona_id=amir)
               if x.acronym == "AIS")
    assert ais.reason_params == {"count": 1}  # only Paulette's need is left
    transit = [x for x in suggest_resources("Trouver un logement", "housing", exclude_persona_id=amir)
               if x.name == "Logement de transit"]
    # no other canvas links it to a housing need: only its category and its name speak for it
    assert transit and transit[0].reason_key in ("canvas_rules.reason.same_category", "canvas_rules.reason.name_match")


def test_same_category_resources_come_even_when_nobody_linked_them(seeded):
    top = suggest_resources("Trouver un logement", "housing", limit=10)
    sisp = next(x for x in top if x.acronym == "SISP")
    assert sisp.reason_key == "canvas_rules.reason.same_category"
    assert top.index(sisp) > [x.acronym for x in top].index("AIS")


def test_a_childcare_need_gets_the_early_childhood_service_before_the_youth_services(seeded):
    """All four are "family and childcare"; the ONE's own text speaks only of early childhood, the
    AMO's also of legal, social and debt help: for "garde d'enfants" the ONE comes first."""
    for category in (None, "family_childcare"):
        top = suggest_resources("Garde d'enfants", category, limit=10)
        acronyms = [x.acronym for x in top]
        assert acronyms[0] == "ONE" and acronyms.index("ONE") < acronyms.index("AMO"), acronyms


def test_the_needs_own_category_comes_first_even_against_links_elsewhere(seeded):
    """Three other canvases link the CPAS (not a childcare service) to "garde d'enfants": it is
    suggested, after every childcare service."""
    cpas = _resource_id("CPAS")
    for name in ("Ahmed", "Amir", "Paulette"):
        need = canvas.add_need(SYSTEM, _persona_id(name), "Garde d'enfants", category="family_childcare")
        canvas.add_solution_lead(SYSTEM, need["id"], "Aide du CPAS", resource_ids=[cpas])
    top = suggest_resources("Garde d'enfants", "family_childcare", limit=10)
    categories = [x.category for x in top]
    assert categories[:4] == ["family_childcare"] * 4 and cpas in [x.resource_id for x in top[4:]]
    first_other = next(x for x in top if x.category != "family_childcare")
    assert first_other.resource_id == cpas and first_other.score > top[0].score     # ranked by category first
    assert first_other.reason_params == {"count": 3}


def test_without_a_category_the_text_suggests_one(seeded):
    top = suggest_resources("Gérer ses dettes", None, limit=5)
    assert top and all(x.category == "money_debt" for x in top)
    assert "Médiation de dettes" in [x.name for x in top]


def test_already_linked_and_removed_resources_are_not_suggested(seeded):
    ais = _resource_id("AIS")
    assert ais not in [x.resource_id for x in suggest_resources("Logement", "housing", exclude_resource_ids=[ais])]
    entities.delete(SYSTEM, "resource", ais)
    assert ais not in [x.resource_id for x in suggest_resources("Logement", "housing", limit=20)]


def test_a_link_made_elsewhere_counts_at_once(seeded):
    """The cached need corpus follows the activity log."""
    before = {x.acronym: x for x in suggest_resources("Trouver un logement", "housing", limit=10)}
    assert before["SISP"].reason_key == "canvas_rules.reason.same_category"
    paulette = _persona_id("Paulette")
    need = canvas.add_need(SYSTEM, paulette, "Logement moins cher", category="housing")
    canvas.add_solution_lead(SYSTEM, need["id"], "Inscription logement social", resource_ids=[_resource_id("SISP")])
    after = {x.acronym: x for x in suggest_resources("Trouver un logement", "housing", limit=10)}
    assert after["SISP"].reason_params == {"count": 1}
    assert after["SISP"].score > before["SISP"].score


def test_every_reason_has_a_text_with_its_count_in_every_language(seeded):
    reasons = {(x.reason_key, tuple(x.reason_params)) for q, c in (("Logement", "housing"), ("Dettes", None),
                                                                   ("Médiation de dettes", None), ("Travail", None))
               for x in suggest_resources(q, c, limit=20)}
    assert {k for k, _ in reasons} >= {"canvas_rules.reason.similar_needs_same_category",
                                       "canvas_rules.reason.same_category", "canvas_rules.reason.name_match"}
    for lang in LANGUAGES:
        for key, params in reasons:
            assert key in catalog(lang), (lang, key)
            text = translate(lang, key, **{p: 7 for p in params})
            assert "{" not in text and ("7" in text or not params), (lang, key, text)


def test_nothing_to_go_on_means_no_suggestion(seeded):
    assert suggest_resources("", None) == []
    assert suggest_resources("Prendre son temps", None) == []
    # the same words as a need of another canvas bring that need's resources, even without a category
    assert [x.name for x in suggest_resources("Besoin de maturité", None)] == ["Mentorat"]


# --- inline creation ------------------------------------------------------------------------

@pytest.fixture
def table(database) -> dict:
    ev = create_event(SYSTEM, slug="inline", title="Atelier logement")
    theme = add_theme(SYSTEM, ev["id"], "Logement")
    session = add_session(SYSTEM, theme["id"], "2026-03-02T09:00", "2026-03-02T12:30")
    group = add_subgroup(SYSTEM, session["id"], "Table 3")
    other = add_subgroup(SYSTEM, session["id"], "Table 4")
    persona = canvas.create_persona(SYSTEM, session["id"], "Fatoumata", subgroup_id=group["id"])
    need = canvas.add_need(SYSTEM, persona["id"], "Garde d'enfants", category="family_childcare")
    lead = canvas.add_solution_lead(SYSTEM, need["id"], "Crèche du quartier")
    actor = Actor(kind="participant", id=7, label="Table 3", session_id=session["id"], subgroup_id=group["id"])
    return {"actor": actor, "group": group["id"], "other": other["id"], "persona": persona["id"], "lead": lead["id"]}


def test_a_subgroup_adds_a_resource_from_its_canvas_and_it_joins_the_inventory(table):
    row = create_resource_inline(table["actor"], table["group"], "Crèche Les Petits Pas", None,
                                 description="Crèche de quartier à horaires élargis", lead_id=table["lead"])
    assert row["added_by_subgroup_id"] == table["group"]
    assert row["category"] == "family_childcare"          # suggested from the name
    assert [r.name for r in inventory.search_resources("petits pas")] == ["Crèche Les Petits Pas"]
    lead = canvas.get_canvas(table["persona"]).needs[0].leads[0]
    assert [r.name for r in lead.resources] == ["Crèche Les Petits Pas"]
    with db.read_session() as s:
        acts = s.execute(select(m.Activity.action, m.Activity.entity_type, m.Activity.actor_label)
                         .where(m.Activity.entity_type.in_(("resource", "lead_resource")))
                         .order_by(m.Activity.id)).all()
    assert [tuple(a) for a in acts] == [("create", "resource", "Table 3"), ("link", "lead_resource", "Table 3")]


def test_a_resource_already_in_the_inventory_is_refused_and_nothing_is_written(table):
    entities.create(SYSTEM, "resource", acronym="ONE", name="Office de la Naissance et de l'Enfance",
                    category="family_childcare")
    resources, activity = _count(m.Resource), _count(m.Activity)
    with pytest.raises(Conflict) as err:
        create_resource_inline(table["actor"], table["group"], "O.N.E.", "family_childcare", acronym="o.n.e.",
                               lead_id=table["lead"])
    assert err.value.key == "error.resource_already_listed"
    assert "Office de la Naissance" in err.value.params["label"]
    assert (_count(m.Resource), _count(m.Activity)) == (resources, activity)


def test_a_participant_cannot_add_a_resource_in_another_subgroups_name(table):
    with pytest.raises(PermissionDenied):
        create_resource_inline(table["actor"], table["other"], "Halte-garderie", "family_childcare")
    assert _count(m.Resource) == 0


def test_the_need_corpus_kept_up_to_date_from_the_activity_log_equals_a_fresh_load(seeded):
    """Suggestions patch their cached corpus with the needs the activity log names; after every
    kind of change it must be exactly what a full reload gives."""
    from core.personas import suggestions as sg
    from core.resources import inventory as inv

    def check() -> None:
        suggest_resources("Logement", "housing")          # brings the cache up to date
        with db.read_session() as s:
            fresh_needs, (fresh_resources, _ids, _texts, fresh_fit, fresh_where) = sg._need_rows(s), sg._resources(s)
        with sg._cache_lock:
            cached = sg._cache[db.database_url()]
        assert cached.per_need == fresh_needs
        assert cached.resources == fresh_resources
        assert cached.fit == fresh_fit
        assert cached.territory == fresh_where
        assert set(cached.texts) == {text for _, text, _ in fresh_needs.values() if text}

    check()
    organiser = Actor(kind="staff", id=1, role="organiser", label="Org")
    amir, paulette = _persona_id("Amir"), _persona_id("Paulette")
    sisp, ais, cpas = _resource_id("SISP"), _resource_id("AIS"), _resource_id("CPAS")
    need = canvas.add_need(SYSTEM, paulette, "Logement moins cher", category="housing")
    lead = canvas.add_solution_lead(SYSTEM, need["id"], "Logement social", resource_ids=[sisp])
    check()
    canvas.link_resource(SYSTEM, lead["id"], ais)
    canvas.edit_canvas_item(SYSTEM, need["id"], need["version"], text="Un loyer abordable")
    check()
    canvas.unlink_resource(SYSTEM, lead["id"], sisp)
    check()
    amir_need = next(n for n in canvas.get_canvas(amir).needs if n.text == "Logement")
    canvas.delete_canvas_item(SYSTEM, amir_need.id)
    check()
    canvas.restore_canvas_item(SYSTEM, amir_need.id)
    entities.delete(SYSTEM, "solution_lead", amir_need.leads[0].id)
    check()
    dup = entities.create(SYSTEM, "resource", acronym="C.P.A.S.", name="C.P.A.S.", category="other")
    canvas.link_resource(SYSTEM, lead["id"], dup["id"])
    check()
    inv.merge_resources(organiser, cpas, [dup["id"]])
    check()
    entities.update(SYSTEM, "resource", sisp, None, description="Crèches et logements sociaux")   # its fit changes
    check()
    entities.update(SYSTEM, "resource", sisp, None, territory="ch-ge")   # it moves to another territory
    check()
    entities.delete(SYSTEM, "persona", amir)
    check()
    entities.delete(SYSTEM, "resource", ais)
    check()
