"""The inventory page as an organiser (search, add, edit, merge, import) and as a participant
(read only), with Streamlit's AppTest."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import select
from streamlit.testing.v1 import AppTest

from core import entities
from core.actor import SYSTEM, Actor
from core.resources import inventory as inv
from storage import db
from storage import models as m
from ui.text import md

ROOT = Path(__file__).resolve().parent.parent
ORGANISER = Actor(kind="staff", id=1, role="organiser", label="Organisatrice", event_ids=frozenset({1, 2}))
PARTICIPANT = Actor(kind="participant", id=5, label="Sous-groupe 2", session_id=10, subgroup_id=2)


def _texts(at: AppTest) -> str:
    parts = [e.value for e in at.title] + [e.value for e in at.subheader] + [e.value for e in at.caption]
    parts += [e.value for e in at.text] + [e.value for e in at.info] + [e.value for e in at.success]
    parts += [e.value for e in at.error] + [e.value for e in at.warning]
    return re.sub(r"\\(.)", r"\1", "\n".join(str(p) for p in parts))   # user text is Markdown-escaped


def _page(actor: Actor | None, lang: str | None = None) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app_pages" / "inventory.py"), default_timeout=30)
    if actor is not None:
        at.session_state["actor"] = actor
    if lang:
        at.session_state["lang"] = lang
    return at.run()


def _resource(**where) -> m.Resource | None:
    with db.read_session() as s:
        q = select(m.Resource).where(m.Resource.deleted_at.is_(None))
        for k, v in where.items():
            q = q.where(getattr(m.Resource, k) == v)
        return s.execute(q).scalar_one_or_none()


LINKS = ("Pistes reliées", "Linked leads", "Gekoppelde sporen")           # a column only the inventory table has


def _table(at: AppTest, columns: tuple[str, ...] = LINKS):
    return next(d.value for d in at.dataframe if set(d.value.columns) & set(columns))


def _cards(at: AppTest) -> dict[str, str]:
    """The resource cards on the page: the resource's name (first line) -> the whole card, as read."""
    cards = {}
    for e in at.markdown:
        text = re.sub(r"\\(.)", r"\1", e.value)   # user text is Markdown-escaped
        if text.startswith("**") and ":small[" in text:
            cards[text.split("  \n")[0].strip("*")] = text
    return cards


def _glossary(at: AppTest) -> str:
    return next(re.sub(r"\\(.)", r"\1", e.value) for e in at.markdown if e.value.startswith("- **"))


@pytest.fixture
def organiser_page(seeded) -> AppTest:
    return _page(ORGANISER)


def test_an_organiser_sees_the_whole_inventory_and_the_editing_tools(organiser_page):
    at = organiser_page
    assert not at.exception
    assert at.title[0].value == "Inventaire des ressources"
    assert [t.label for t in at.tabs] == ["Inventaire", "Glossaire", "Ajouter", "Doublons", "Importer"]
    table = _table(at)
    assert len(table) == len(inv.search_resources())
    assert "Agence immobilière sociale" in set(table["Nom"])
    assert "Logement" in set(table["Catégorie"])           # categories by their label, not their code
    assert at.download_button(key="inv_export")
    assert at.file_uploader(key="inv_import_file")
    assert "- **CPAS** — Centre public d'action sociale" in _glossary(at)


def test_search_and_category_filter_narrow_the_table(organiser_page):
    at = organiser_page
    at.text_input(key="inv_search").input("logement").run()
    names = list(_table(at)["Nom"])
    assert "Agence immobilière sociale" in names and "Mutuelle" not in names
    at.selectbox(key="inv_category").select("housing").run()
    assert set(_table(at)["Catégorie"]) == {"Logement"}
    at.text_input(key="inv_search").input("zzzz introuvable").run()
    assert "Aucune ressource ne correspond à cette recherche." in _texts(at)


def test_an_organiser_adds_a_resource_and_a_bad_one_is_explained(organiser_page):
    at = organiser_page
    at.text_input(key="inv_add_name").input("Service de médiation de dettes de Forest")
    at.text_input(key="inv_add_phone").input("02 340 00 00")
    at.button(key="FormSubmitter:inv_add_form-Ajouter à l’inventaire").click().run()
    assert not at.exception
    assert "a rejoint l’inventaire (catégorie : Argent, dettes)" in _texts(at)
    added = _resource(name="Service de médiation de dettes de Forest")
    assert added is not None and added.category == "money_debt" and added.phone == "02 340 00 00"

    count = len(inv.search_resources())
    at.text_input(key="inv_add_name").input("   ")
    at.button(key="FormSubmitter:inv_add_form-Ajouter à l’inventaire").click().run()
    assert "Nom : Ce champ est obligatoire." in _texts(at)
    assert len(inv.search_resources()) == count


def test_an_edit_is_saved_and_a_stale_one_is_refused_with_the_other_version(organiser_page):
    at = organiser_page
    ais = _resource(acronym="AIS")
    at.selectbox(key="inv_edit_pick").select(ais.id).run()
    at.text_input(key=f"inv_edit_{ais.id}_url").input("https://www.fedais.be/agences")
    at.button(key=f"FormSubmitter:inv_edit_form_{ais.id}-Enregistrer").click().run()
    assert "Modifications enregistrées." in _texts(at)
    assert _resource(acronym="AIS").url == "https://www.fedais.be/agences"

    # someone else saves meanwhile: this form was opened on the previous version
    current = _resource(acronym="AIS")
    entities.update(SYSTEM, "resource", ais.id, current.version, phone="02 111 11 11", contact_name="*Jo* [x](y)")
    at.text_input(key=f"inv_edit_{ais.id}_phone").input("02 222 22 22")
    at.button(key=f"FormSubmitter:inv_edit_form_{ais.id}-Enregistrer").click().run()
    assert "Quelqu’un a modifié cet élément" in _texts(at)
    assert _resource(acronym="AIS").phone == "02 111 11 11"
    markdown = "\n".join(e.value for e in at.markdown)
    assert "02 111 11 11" in markdown and md("*Jo* [x](y)") in markdown        # their version, shown as typed
    assert at.text_input(key=f"inv_edit_{ais.id}_phone").value == "02 222 22 22"   # mine is still in the form
    # saving again is still refused: the organiser chooses
    at.button(key=f"FormSubmitter:inv_edit_form_{ais.id}-Enregistrer").click().run()
    assert _resource(acronym="AIS").phone == "02 111 11 11"
    at.button(key=f"inv_edit_{ais.id}_apply_mine").click().run()
    assert _resource(acronym="AIS").phone == "02 222 22 22"
    assert _resource(acronym="AIS").contact_name == ""          # the whole form as the organiser had it
    assert "Modifications enregistrées." in _texts(at)

    # keep theirs: the form takes the other version back
    entities.update(SYSTEM, "resource", ais.id, _resource(acronym="AIS").version, phone="02 333 33 33")
    at.text_input(key=f"inv_edit_{ais.id}_phone").input("02 444 44 44")
    at.button(key=f"FormSubmitter:inv_edit_form_{ais.id}-Enregistrer").click().run()
    at.button(key=f"inv_edit_{ais.id}_keep_theirs").click().run()
    assert at.text_input(key=f"inv_edit_{ais.id}_phone").value == "02 333 33 33"
    assert _resource(acronym="AIS").phone == "02 333 33 33"


def test_user_text_in_messages_is_escaped_with_the_shared_escaper(organiser_page):
    at = organiser_page
    at.text_input(key="inv_add_name").input("**Gras** [lien](javascript:alert(1))")
    at.button(key="FormSubmitter:inv_add_form-Ajouter à l’inventaire").click().run()
    assert md("**Gras** [lien](javascript:alert(1))") in "\n".join(e.value for e in at.success)


def test_a_proposed_duplicate_is_merged_after_confirmation(seeded):
    dup = entities.create(SYSTEM, "resource", acronym="C.P.A.S.", name="C.P.A.S.", category="other")
    cpas = _resource(acronym="CPAS")
    at = _page(ORGANISER)
    assert "CPAS — Centre public d'action sociale   ↔   C.P.A.S." in _texts(at)
    at.button(key=f"inv_dup_merge_{cpas.id}_{dup['id']}").click().run()
    assert _resource(acronym="C.P.A.S.") is not None             # nothing happens before the confirmation
    assert "Fusionner « C.P.A.S. » dans « CPAS — Centre public d'action sociale » ?" in _texts(at)
    at.button(key="inv_merge_confirm").click().run()
    assert not at.exception
    assert "Fusion faite" in _texts(at)
    assert _resource(acronym="C.P.A.S.") is None
    with db.read_session() as s:
        assert s.get(m.Resource, dup["id"]).merged_into_id == cpas.id


def test_an_organiser_imports_a_csv_and_sees_the_report(organiser_page):
    at = organiser_page
    good = ("name,alternate_name,category,city\n"
            "Maison de quartier Saint-Antoine,,isolation,Forest\n"
            "Agence immobilière sociale,AIS,housing,\n").encode()
    at.file_uploader(key="inv_import_file").upload("annuaire.csv", good, "text/csv")
    at.run()
    at.button(key="inv_import_go").click().run()
    assert not at.exception
    assert "Import terminé : 1 ressource créée, 0 mise à jour, 1 inchangée." in _texts(at)
    assert _resource(name="Maison de quartier Saint-Antoine").extra == {"city": "Forest"}


def test_a_bad_csv_is_refused_line_by_line(organiser_page):
    at = organiser_page
    count = len(inv.search_resources())
    bad = b"name,category\nBon service,health\n,health\n"
    at.file_uploader(key="inv_import_file").upload("annuaire.csv", bad, "text/csv")
    at.run()
    at.button(key="inv_import_go").click().run()
    text = _texts(at)
    assert "Rien n’a été importé" in text
    assert "Ligne 3, colonne « name » : aucun nom (colonnes name, service_name, organization_name)." in text
    assert len(inv.search_resources()) == count


def test_a_participant_reads_without_editing_tools(seeded):
    at = _page(PARTICIPANT)
    assert not at.exception
    assert [t.label for t in at.tabs] == ["Inventaire", "Glossaire"]
    assert "seul·e·s les organisateur·rice·s peuvent le modifier" in _texts(at)
    assert not [s for s in at.selectbox if s.key == "inv_edit_pick"]
    assert len(at.file_uploader) == 0
    assert not [b for b in at.button if b.key and b.key.startswith("FormSubmitter")]   # no form at all
    assert at.download_button(key="inv_export")


def test_a_participant_reads_cards_not_a_wide_table_and_filters_them(seeded):
    """On a phone a wide table shows two columns and cuts the descriptions: a participant gets one
    card per resource (name once, category, description, contact), searchable and filtered by category."""
    at = _page(PARTICIPANT)
    assert not at.dataframe                       # no wide table
    cards = _cards(at)
    assert len(cards) == len(inv.search_resources())
    ais = cards["AIS — Agence immobilière sociale"]
    assert ":small[Logement" in ais and _resource(acronym="AIS").description in ais
    assert "Delta" in cards and "Delta — Delta" not in cards        # a name without acronym, said once
    at.text_input(key="inv_search").input("cpas").run()
    assert "CPAS — Centre public d'action sociale" in _cards(at)
    at.text_input(key="inv_search").input("").run()
    at.selectbox(key="inv_category").select("family_childcare").run()
    shown = _cards(at)
    assert {"ONE — Office de la Naissance et de l'Enfance", "AMO — Service d'Action en Milieu Ouvert"} <= set(shown)
    assert all(":small[Famille, garde d’enfants" in card for card in shown.values())
    at.toggle(key="inv_table").set_value(True).run()  # the table is still there for who wants it
    assert set(_table(at)["Catégorie"]) == {"Famille, garde d’enfants"}


def test_the_glossary_is_a_list_that_reads_on_a_phone(seeded):
    at = _page(PARTICIPANT)
    glossary = _glossary(at)
    assert "- **ONE** — Office de la Naissance et de l'Enfance" in glossary
    assert not [d for d in at.dataframe]


def test_the_page_speaks_english_and_dutch(seeded):
    at = _page(PARTICIPANT, lang="en")
    assert at.title[0].value == "Resource inventory"
    assert ":small[Housing" in _cards(at)["AIS — Agence immobilière sociale"]
    at = _page(ORGANISER, lang="nl")
    assert [t.label for t in at.tabs] == ["Inventaris", "Woordenlijst", "Toevoegen", "Dubbels", "Importeren"]
    assert "Huisvesting" in set(_table(at)["Categorie"])
