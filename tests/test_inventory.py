"""The resource inventory: search, glossary, edits, merging duplicates (links kept), CSV export and
HSDS-shaped import (unknown columns kept, bad files write nothing); on SQLite and PostgreSQL."""
from __future__ import annotations

import csv
import io

import pytest
from sqlalchemy import func, select

from core import entities
from core.actor import SYSTEM, Actor
from core.errors import PermissionDenied, StaleEdit, ValidationError
from core.personas import canvas
from core.resources import inventory as inv
from core.setup.events import add_session, add_subgroup, add_theme, create_event
from storage import db
from storage import models as m

ORGANISER = Actor(kind="staff", id=1, role="organiser", label="Org")
FACILITATOR = Actor(kind="staff", id=2, role="facilitator", label="Anim")


def _count(model, *where) -> int:
    with db.read_session() as s:
        q = select(func.count()).select_from(model)
        for w in where:
            q = q.where(w)
        return s.execute(q).scalar_one()


def _resource(acronym: str = "", name: str | None = None) -> m.Resource:
    with db.read_session() as s:
        q = select(m.Resource).where(m.Resource.deleted_at.is_(None))
        q = q.where(m.Resource.acronym == acronym) if name is None else q.where(m.Resource.name == name)
        return s.execute(q).scalar_one()


def _rows(data: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))


def _csv(*lines: str, sep: str = ",") -> bytes:
    return ("\n".join(lines) + "\n").replace(",", sep).encode("utf-8")


# --- search and glossary --------------------------------------------------------------------

def test_search_ignores_accents_case_and_dots_and_filters_by_category(seeded):
    found = [r.name for r in inv.search_resources("mediation")]
    assert found[0] == "Médiation de dettes"            # by its name first, then by descriptions
    assert "Banques" in found
    assert [r.acronym for r in inv.search_resources("C.P.A.S.")] == ["CPAS"]
    assert "CPAS" in [r.acronym for r in inv.search_resources("cpas")]
    housing = inv.search_resources(category="housing")
    assert {r.acronym or r.name for r in housing} == {"AIS", "SISP", "Logement de transit", "Logement d'urgence"}
    assert [r.acronym for r in inv.search_resources("immobilière sociale", "housing")] == ["AIS"]
    assert inv.search_resources("logement", "health") == []
    everything = inv.search_resources()
    assert len(everything) == _count(m.Resource) and all(r.links >= 0 for r in everything)
    assert next(r for r in everything if r.acronym == "AIS").links == 2


def test_the_glossary_lists_acronyms_alphabetically(seeded):
    entries = inv.glossary()
    acronyms = [g.acronym for g in entries]
    assert acronyms == sorted(acronyms, key=inv.compact)
    assert all(g.acronym for g in entries)
    cpas = next(g for g in entries if g.acronym == "CPAS")
    assert cpas.name == "Centre public d'action sociale" and cpas.description
    assert "Mentorat" not in [g.name for g in entries]      # no acronym, no glossary line


# --- add and edit ---------------------------------------------------------------------------

def test_an_organiser_adds_a_resource_with_a_suggested_category(database):
    row = inv.add_resource(ORGANISER, name="Service de médiation de dettes de Forest", acronym="")
    assert row["category"] == "money_debt"
    with db.read_session() as s:
        act = s.execute(select(m.Activity).where(m.Activity.entity_type == "resource")).scalar_one()
    assert (act.action, act.actor_label, act.after["name"]) == ("create", "Org", row["name"])


@pytest.mark.parametrize("actor", [FACILITATOR, Actor(kind="participant", id=3, label="Table 1", subgroup_id=None)])
def test_only_organisers_and_admins_edit_the_inventory(database, actor):
    assert not inv.can_edit_inventory(actor)
    with pytest.raises(PermissionDenied):
        inv.add_resource(actor, name="Maison de quartier Midi", category="isolation")
    with pytest.raises(PermissionDenied):
        inv.import_csv(actor, _csv("name", "Maison de quartier Midi"))
    assert _count(m.Resource) == 0


def test_an_edit_carries_the_version_the_user_saw(seeded):
    ais = _resource("AIS")
    inv.update_resource(ORGANISER, ais.id, ais.version, url="https://www.fedais.be/ais")
    with pytest.raises(StaleEdit) as err:
        inv.update_resource(ORGANISER, ais.id, ais.version, description="Autre texte")
    assert err.value.current["url"] == "https://www.fedais.be/ais"
    assert _resource("AIS").description != "Autre texte"


# --- merge ----------------------------------------------------------------------------------

@pytest.fixture
def duplicated(seeded) -> dict:
    """A "C.P.A.S." added by a sub-group and used by two leads, one of which also uses "CPAS"."""
    with db.read_session() as s:
        session_id = s.execute(select(m.Persona.session_id).where(m.Persona.name == "Sofia")).scalar_one()
        sofia = s.execute(select(m.Persona.id).where(m.Persona.name == "Sofia")).scalar_one()
    dup = entities.create(SYSTEM, "resource", acronym="C.P.A.S.", name="C.P.A.S.", category="other",
                          phone="02 529 85 00")
    cpas = _resource("CPAS")
    need = canvas.add_need(SYSTEM, sofia, "Aide financière", category="money_debt")
    both = canvas.add_solution_lead(SYSTEM, need["id"], "Aide sociale", resource_ids=[cpas.id, dup["id"]])
    only_dup = canvas.add_solution_lead(SYSTEM, need["id"], "Avance sur allocations", resource_ids=[dup["id"]])
    return {"cpas": cpas.id, "dup": dup["id"], "both": both["id"], "only_dup": only_dup["id"], "sofia": sofia,
            "session_id": session_id, "cpas_links": cpas_links(cpas.id)}


def cpas_links(resource_id: int) -> set[int]:
    with db.read_session() as s:
        return set(s.execute(select(m.LeadResource.lead_id).where(m.LeadResource.resource_id == resource_id)).scalars())


def test_find_duplicates_proposes_cpas_and_c_p_a_s(duplicated):
    pairs = inv.find_duplicates()
    pair = next(p for p in pairs if {p.keep.id, p.duplicate.id} == {duplicated["cpas"], duplicated["dup"]})
    assert pair.reason_key == "inventory.duplicates.reason.same_acronym"
    assert pair.keep.id == duplicated["cpas"]          # the one more leads use is proposed as the survivor
    assert not any(p.keep.acronym in ("COCOF", "COCOM") for p in pairs)


def test_merging_keeps_every_link_once_and_retires_the_duplicate(duplicated):
    report = inv.merge_resources(ORGANISER, duplicated["cpas"], [duplicated["dup"]])
    assert (report.links_moved, report.links_joined) == (1, 1)
    links = cpas_links(duplicated["cpas"])
    assert links == duplicated["cpas_links"] | {duplicated["only_dup"]}
    assert cpas_links(duplicated["dup"]) == set()
    with db.read_session() as s:
        dup = s.get(m.Resource, duplicated["dup"])
        kept = s.get(m.Resource, duplicated["cpas"])
        acts = s.execute(select(m.Activity.action, m.Activity.entity_type, m.Activity.session_id)
                         .where(m.Activity.action.in_(("merge", "relink", "update")))).all()
    assert dup.merged_into_id == kept.id and dup.deleted_at is not None
    assert kept.phone == "02 529 85 00"                 # an empty field of the survivor is filled in
    assert sorted((a, e) for a, e, _ in acts) == [("merge", "resource"), ("relink", "lead_resource"),
                                                  ("relink", "lead_resource"), ("update", "resource")]
    assert {sid for a, _, sid in acts if a == "relink"} == {duplicated["session_id"]}  # live canvases see it
    need = next(n for n in canvas.get_canvas(duplicated["sofia"]).needs if n.text == "Aide financière")
    assert [[r.acronym for r in ld.resources] for ld in need.leads] == [["CPAS"], ["CPAS"]]
    assert "C.P.A.S." not in [r.acronym for r in inv.search_resources()]
    assert not [p for p in inv.find_duplicates() if duplicated["dup"] in (p.keep.id, p.duplicate.id)]


def test_a_refused_merge_writes_nothing(duplicated):
    activity = _count(m.Activity)
    with pytest.raises(ValidationError) as err:
        inv.merge_resources(ORGANISER, duplicated["cpas"], [duplicated["cpas"]])
    assert err.value.key == "error.inventory_merge_itself"
    with pytest.raises(ValidationError) as err:
        inv.merge_resources(ORGANISER, duplicated["cpas"], [])
    assert err.value.key == "error.inventory_merge_nothing"
    with pytest.raises(PermissionDenied):
        inv.merge_resources(FACILITATOR, duplicated["cpas"], [duplicated["dup"]])
    assert _count(m.Activity) == activity
    assert cpas_links(duplicated["dup"]) == {duplicated["both"], duplicated["only_dup"]}


# --- CSV ------------------------------------------------------------------------------------

def test_export_then_import_into_an_empty_inventory_gives_the_same_inventory(seeded):
    inv.update_resource(ORGANISER, _resource("AIS").id, None, phone="+32 2 537 00 00", email="info@fedais.be",
                        address="Rue Royale 1", organisation_name="FEDAIS")
    exported = inv.export_csv()
    rows = _rows(exported)
    assert list(rows[0])[:len(inv.EXPORT_COLUMNS)] == list(inv.EXPORT_COLUMNS)
    ais = next(r for r in rows if r["alternate_name"] == "AIS")
    assert ais["phone"] == "'+32 2 537 00 00"           # a spreadsheet would take it for a formula
    assert ais["address_1"] == "Rue Royale 1" and ais["organization_name"] == "FEDAIS"
    before = {(r.acronym, r.name): r for r in inv.search_resources()}

    with db.write_session() as s:                        # an empty inventory elsewhere
        s.execute(m.LeadResource.__table__.delete())
        s.execute(m.Resource.__table__.delete())
    report = inv.import_csv(ORGANISER, exported)
    assert report.ok and report.written
    assert (report.created, report.updated, report.skipped) == (len(before), 0, 0)
    after = {(r.acronym, r.name): r for r in inv.search_resources()}
    assert set(after) == set(before)
    fields = ("category", "description", "url", "email", "phone", "address", "organisation_name", "service_name",
              "territory")
    assert {r.territory for r in before.values()} == {"be-bru", "ch-ge", None}   # the seed's three kinds
    for key, r in before.items():
        assert [getattr(after[key], f) for f in fields] == [getattr(r, f) for f in fields], key
    assert after[("AIS", "Agence immobilière sociale")].phone == "+32 2 537 00 00"

    again = inv.import_csv(ORGANISER, inv.export_csv())  # idempotent
    assert (again.created, again.updated, again.skipped) == (0, 0, len(before))
    assert _count(m.Resource) == len(before)


def test_an_hsds_directory_keeps_its_unknown_columns(database):
    data = _csv(
        "id,organization_name,service_name,name,alternate_name,description,category,url,email,phone,address_1,"
        "city,postal_code,contact_name,taxonomy_term,languages,accessibility",
        "svc-1,CPAS de Forest,Service social,Centre public d'action sociale de Forest,CPAS Forest,Aide sociale,"
        "Argent / dettes,https://cpasforest.be,info@cpasforest.be,02 349 62 11,Rue Pierre Decoster 1,Forest,"
        "1190,Accueil,Social Services,fr;nl,PMR",
    )
    report = inv.import_csv(ORGANISER, data)
    assert report.ok and report.created == 1
    r = inv.search_resources("forest")[0]
    assert (r.acronym, r.organisation_name, r.service_name, r.address, r.contact_name) == (
        "CPAS Forest", "CPAS de Forest", "Service social", "Rue Pierre Decoster 1", "Accueil")
    assert r.category == "money_debt"                   # the French label of a category
    assert r.extra == {"id": "svc-1", "city": "Forest", "postal_code": "1190", "taxonomy_term": "Social Services",
                       "languages": "fr;nl", "accessibility": "PMR"}
    assert r.full_address == "Rue Pierre Decoster 1, 1190 Forest"
    row = _rows(inv.export_csv())[0]
    assert (row["city"], row["postal_code"], row["taxonomy_term"], row["languages"], row["id"]) == (
        "Forest", "1190", "Social Services", "fr;nl", "svc-1")


def test_an_import_updates_what_changed_and_keeps_an_unknown_category(seeded):
    data = _csv("name;alternate_name;description;category",
                "Agence immobilière sociale;AIS;Nouvelle description;",
                "Agence immobilière sociale;A.I.S.;Nouvelle description;",
                "Halte-accueil de nuit;;Lits d'urgence;Hébergement d'urgence", sep=";")
    report = inv.import_csv(ORGANISER, data)
    assert report.ok, report.problems
    assert (report.created, report.updated, report.skipped) == (1, 1, 1)
    ais = _resource("AIS")
    assert ais.description == "Nouvelle description" and ais.category == "housing"
    halte = _resource(name="Halte-accueil de nuit")
    assert halte.category == "housing" and halte.extra == {"category_original": "Hébergement d'urgence"}


def test_a_spreadsheet_csv_in_windows_1252_with_semicolons_is_read(database):
    data = "name;alternate_name;category\r\nMédiation de dettes;;money_debt\r\n".encode("cp1252")
    report = inv.import_csv(ORGANISER, data)
    assert report.ok and report.created == 1
    assert inv.search_resources()[0].name == "Médiation de dettes"


@pytest.mark.parametrize("data, expected", [
    (_csv("name,alternate_name,category", "Maison médicale du Midi,,health", ",MM,health",
          "Mission locale,ML,employment,en trop"),
     [(3, "inventory.import.error.name_required"), (4, "inventory.import.error.too_many_cells")]),
    (_csv("name,url", "Lien trop long," + "x" * 600), [(2, "error.too_long")]),
    (_csv("name,description", 'Texte,"sur deux', 'lignes"', "Nul,\x01"), [(4, "error.control_characters")]),
    (b"", [(0, "inventory.import.error.empty")]),
    (b"PK\x03\x04\x00\x00binary", [(0, "inventory.import.error.not_csv")]),
    (_csv("acronym,description", "CPAS,Aide sociale"), [(1, "inventory.import.error.no_name_column")]),
    (_csv("name,name", "A,B"), [(1, "inventory.import.error.duplicate_column")]),
])
def test_a_bad_file_writes_nothing_and_says_which_line(database, data, expected):
    inv.add_resource(ORGANISER, name="Existante", category="other")
    resources, activity = _count(m.Resource), _count(m.Activity)
    report = inv.import_csv(ORGANISER, data)
    assert not report.ok and not report.written
    assert [(p.line, p.key) for p in report.problems] == expected
    assert (report.created, report.updated, report.skipped) == (0, 0, 0)
    assert (_count(m.Resource), _count(m.Activity)) == (resources, activity)


def test_every_message_key_of_the_canvas_rules_and_inventory_is_in_every_catalog():
    """Keys returned by core (reasons, gaps, import problems, duplicate reasons) are not literal t()
    calls, so the generic i18n test cannot see them."""
    import re
    from pathlib import Path

    from core.i18n import LANGUAGES, catalog

    core = Path(inv.__file__).parent.parent
    used: set[str] = set()
    for name in ("resources/categories", "personas/completeness", "resources/inventory", "personas/sensitive",
                 "personas/suggestions", "personas/templates"):
        source = (core / f"{name}.py").read_text(encoding="utf-8")
        used |= set(re.findall(r"""["']((?:canvas_rules|inventory|error)\.[a-z0-9_.]+)["']""", source))
    assert {"inventory.import.error.no_name_column", "inventory.duplicates.reason.same_acronym",
            "canvas_rules.reason.similar_needs", "canvas_rules.gap.need_without_lead"} <= used
    for lang in LANGUAGES:
        assert sorted(used - set(catalog(lang))) == [], lang


def test_importing_a_merged_duplicate_again_does_not_bring_it_back(seeded):
    """After a merge, importing the duplicate's row again updates the survivor instead of re-creating it."""
    dup = entities.create(SYSTEM, "resource", acronym="C.P.A.S.", name="C.P.A.S.", category="other")
    inv.merge_resources(ORGANISER, _resource("CPAS").id, [dup["id"]])
    count = _count(m.Resource)
    report = inv.import_csv(ORGANISER, _csv("name,alternate_name,category", "C.P.A.S.,C.P.A.S.,money_debt"))
    assert report.ok and report.created == 0
    assert _count(m.Resource) == count


def test_reading_the_inventory_writes_nothing(database):
    ev = create_event(SYSTEM, slug="x", title="X")
    theme = add_theme(SYSTEM, ev["id"], "T")
    add_subgroup(SYSTEM, add_session(SYSTEM, theme["id"])["id"], "G")
    activity = _count(m.Activity)
    inv.search_resources("x"), inv.glossary(), inv.find_duplicates(), inv.export_csv()
    assert _count(m.Activity) == activity
