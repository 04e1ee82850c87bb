"""The registration pages as a user sees them (AppTest): the public form, the personal link page
and the organisers' page."""
from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select
from streamlit.testing.v1 import AppTest

from core import registration as reg
from core.actor import Actor
from storage import db
from storage import models as m
from tests.test_registration import make_event, organiser, sign_up

ROOT = Path(__file__).resolve().parent.parent


def page(name: str, **query: str) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app_pages" / f"{name}.py"), default_timeout=30)
    for key, value in query.items():
        at.query_params[key] = value
    return at


def shown(at: AppTest) -> str:
    parts = [e.value for e in at.title] + [e.value for e in at.header] + [e.value for e in at.subheader]
    parts += [e.value for e in at.markdown] + [e.value for e in at.text] + [e.value for e in at.caption]
    parts += [e.value for e in at.success] + [e.value for e in at.warning] + [e.value for e in at.info]
    parts += [e.value for e in at.error] + [e.label for e in at.expander] + [e.value for e in at.code]
    parts += [e.label for e in at.checkbox]
    return "\n".join(str(p) for p in parts)


def click(at: AppTest, label: str) -> AppTest:
    button = next(b for b in at.button if b.label == label)
    return button.click().run()


def count(model) -> int:
    with db.read_session() as s:
        return s.execute(select(func.count()).select_from(model)).scalar_one()


@pytest.fixture
def event(database):
    return make_event("assises-page", themes=2, per_theme=3, cap=1)


def fill(at: AppTest, sessions: list[int], consent: bool = True, email: str = "ana.lima@example.org") -> AppTest:
    at.text_input(key="reg_first_name").input("Ana")
    at.text_input(key="reg_last_name").input("Lima")
    at.text_input(key="reg_email").input(email)
    at.text_input(key="reg_organisation").input("ASBL Stics")
    at.text_input(key="reg_sector").input("Logement")
    for sid in sessions:
        at.checkbox(key=f"reg_session_{sid}").check()
    if consent:
        at.checkbox(key="reg_consent").check()
    return at


def test_public_page_shows_sessions_by_theme_with_french_dates_and_advice(event):
    at = page("register", event="assises-page").run()
    assert not at.exception
    text = shown(at)
    assert "Thématique : Thématique 1" in text and "Thématique : Thématique 2" in text
    assert "suivre les trois ateliers d’une même thématique" in text
    assert "1 place(s) libre(s)" in text and ", de 13:00 à 16:30" in text
    assert "notice de confidentialité" in text


def test_missing_consent_and_bad_email_are_explained_and_nothing_is_written(event):
    at = page("register", event="assises-page").run()
    fill(at, event["sessions"][:1], consent=False)
    click(at, "M’inscrire")
    assert "acceptez la notice de confidentialité" in "\n".join(e.value for e in at.error)
    at.checkbox(key="reg_consent").check()
    at.text_input(key="reg_email").input("ana.lima@")
    click(at, "M’inscrire")
    assert "adresse e-mail n’est pas valide" in "\n".join(e.value for e in at.error)
    assert count(m.Participant) == 0


def test_registering_confirms_one_session_waitlists_a_full_one_and_gives_the_personal_link(event):
    full = event["sessions"][1]
    sign_up(event, 9, sessions=[full])                # the only place of the second session is taken
    at = page("register", event="assises-page").run()
    assert "complet : liste d’attente" in shown(at)
    fill(at, event["sessions"][:2])
    click(at, "M’inscrire")
    assert not at.exception
    text = shown(at)
    assert "Merci, votre inscription est enregistrée" in text
    assert "Inscription confirmée." in text
    assert "Cet atelier est complet : vous êtes sur la liste d’attente (rang 1)" in text
    with db.read_session() as s:
        token = s.execute(select(m.Participant.personal_token).where(
            m.Participant.email == "ana.lima@example.org")).scalar_one()
    assert any(token in e.value for e in at.code)
    assert [b.label for b in at.download_button].count("Ajouter à mon agenda (.ics)") == 1
    assert "p9@example.org" not in text and "Prénom9" not in text


def test_an_existing_email_never_reveals_the_personal_link_on_the_page(event):
    first = sign_up(event, 1, sessions=event["sessions"][:1])
    at = page("register", event="assises-page").run()
    fill(at, event["sessions"][2:3], email="p1@example.org")
    click(at, "M’inscrire")
    text = shown(at)
    assert "Vous étiez déjà inscrit·e avec cette adresse" in text
    assert first.token not in text and not at.code
    assert count(m.Participant) == 1


def test_closed_registration_and_missing_event_are_explained(database):
    make_event("ferme", themes=1, per_theme=1, open_=False)
    at = page("register", event="ferme").run()
    assert "ne sont pas ouvertes pour l’instant" in shown(at) and not at.text_input
    at = page("register").run()
    assert "Ouvrez le lien d’inscription" in shown(at)
    at = page("register", event="inconnu").run()
    assert "Événement introuvable" in shown(at)


def test_public_page_in_english_and_dutch(event):
    at = page("register", event="assises-page", lang="en").run()
    assert "It is best to follow all three sessions of one theme" in shown(at)
    assert ", from 13:00 to 16:30" in shown(at)
    at = page("register", event="assises-page", lang="nl").run()
    assert "Volg bij voorkeur de drie sessies" in shown(at)


def test_personal_page_cancels_adds_downloads_and_erases(event):
    mine = sign_up(event, 1, "Stics", sessions=event["sessions"][:1])
    waiting = sign_up(event, 2, sessions=event["sessions"][:1])
    at = page("my_registration", token=mine.token).run()
    assert not at.exception
    text = shown(at)
    assert "Prénom1 Nom1 · p1@example.org" in text and "Inscription confirmée." in text
    assert "Prénom2" not in text
    assert {b.label for b in at.download_button} >= {"Ajouter à mon agenda (.ics)", "Invitation imprimable",
                                                     "Télécharger mes données (JSON)"}
    at.button(key=f"my_cancel_{event['sessions'][0]}").click().run()
    assert "Votre inscription est annulée" in shown(at)
    assert reg.participant_view(waiting.token).registrations[0].status == "confirmed"   # promoted
    at.multiselect(key="my_add").select(event["sessions"][3]).run()
    at.button(key="my_add_button").click().run()
    assert "Inscription enregistrée." in shown(at)
    assert [r.session_id for r in reg.participant_view(mine.token).registrations if r.status == "confirmed"] == \
        [event["sessions"][3]]
    assert at.button(key="my_erase").disabled
    at.checkbox(key="my_erase_sure").check().run()
    at.button(key="my_erase").click().run()
    assert "Vos données ont été effacées" in shown(at)
    with db.read_session() as s:
        assert s.get(m.Participant, mine.participant_id).email == ""


def test_personal_page_with_a_wrong_link_shows_nothing_personal(event):
    sign_up(event, 1)
    at = page("my_registration", token="x" * 43).run()
    assert "Ce lien personnel n’est pas valide" in shown(at)
    assert "p1@example.org" not in shown(at)


def staff(at: AppTest, actor: Actor) -> AppTest:
    at.session_state["actor"] = actor
    return at


def test_organiser_sees_lists_overrides_marks_attendance_and_opens_registration(event):
    sid = event["sessions"][0]
    sign_up(event, 1, "Stics", sessions=[sid])
    sign_up(event, 2, "Samusocial", sessions=[sid])
    boss = organiser(event["id"])
    at = staff(page("registrations_admin"), boss).run()
    assert not at.exception
    text = shown(at)
    assert "1/1 inscrit·e·s, 1 en attente, 0 présent·e·s" in text
    at.button(key=f"ra_override_{sid}").click().run()
    assert "Inscription confirmée ; la personne est prévenue par e-mail." in shown(at)
    assert "2/1 inscrit·e·s, 0 en attente" in shown(at)
    # attendance: tick the first person of the first session
    box = next(c for c in at.checkbox if c.key and c.key.startswith(f"ra_present_{sid}_"))
    box.check()
    click(at, "Enregistrer les présences")
    assert "Présences enregistrées." in shown(at)
    assert reg.attendance_summary(event["id"]).set_index("session_id").loc[sid, "present"] == 1
    # settings: close registration
    at.toggle(key="ra_open").set_value(False)
    click(at, "Enregistrer")
    assert "Réglages enregistrés." in shown(at)
    assert reg.event_settings(event["id"]).registration_open is False
    assert "register?event=assises-page" in "\n".join(e.value for e in at.code)
    assert "Aucun serveur d’e-mail n’est configuré" in shown(at)


def test_facilitator_marks_attendance_but_cannot_override_and_others_are_refused(event):
    sid = event["sessions"][0]
    sign_up(event, 1, sessions=[sid])
    sign_up(event, 2, sessions=[sid])
    at = staff(page("registrations_admin"), organiser(event["id"], "facilitator")).run()
    assert not at.exception
    keys = {b.key for b in at.button}
    assert f"ra_override_{sid}" not in keys and "ra_erase" not in keys
    assert "Réservé aux organisateur·rice·s" in shown(at)
    at = staff(page("registrations_admin"), Actor(kind="participant", id=1, session_id=sid, label="x")).run()
    assert "pas accessible" in shown(at) and "p1@example.org" not in shown(at)
