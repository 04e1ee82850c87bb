"""The registration pages as a user sees them (AppTest): the public form, the personal link page
and the organisers' page."""
from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select
from streamlit.testing.v1 import AppTest

from core.actor import Actor
from core.signup import registration as reg
from storage import db
from storage import models as m
from tests.test_registration import link_in, make_event, organiser, sign_up
from ui.text import md

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
    assert "1 place libre" in text and ", de 13:00 à 16:30" in text
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


def outbox() -> list[m.OutboxEmail]:
    with db.read_session() as s:
        return list(s.execute(select(m.OutboxEmail).order_by(m.OutboxEmail.id)).scalars())


def test_registering_confirms_one_session_waitlists_a_full_one_and_sends_the_details_by_email(event):
    full = event["sessions"][1]
    sign_up(event, 9, sessions=[full])                # the only place of the second session is taken
    at = page("register", event="assises-page").run()
    assert "complet : liste d’attente" in shown(at)
    fill(at, event["sessions"][:2])
    click(at, "M’inscrire")
    assert not at.exception
    text = shown(at)
    assert "Merci ! Consultez votre boîte mail" in text and "ana.lima@example.org" in text.replace("\\", "")
    mail = outbox()[-1]
    token = link_in(mail.body)                         # the personal link goes by email only...
    assert mail.to_address == "ana.lima@example.org" and reg.participant_view(token).email == "ana.lima@example.org"
    # ...and the page shows nothing that would differ for an address already registered
    assert token not in text and not at.code and not at.download_button
    assert "inscription confirmée" in mail.body and "liste d’attente (rang 1)" in mail.body
    assert "p9@example.org" not in text and "Prénom9" not in text


def test_an_existing_email_changes_nothing_and_the_page_cannot_tell(event):
    first = sign_up(event, 1, "Stics", sessions=event["sessions"][:1])
    before = reg.participant_view(first.token)
    new = page("register", event="assises-page").run()
    fill(new, event["sessions"][2:3], email="nouvelle@example.org")
    click(new, "M’inscrire")
    again = page("register", event="assises-page").run()
    fill(again, event["sessions"][2:3], email="p1@example.org")        # Ana Lima, ASBL Stics, Logement
    click(again, "M’inscrire")
    assert shown(again) == shown(new).replace("nouvelle@example\\.org", "p1@example\\.org")
    assert first.token not in shown(again) and not again.code
    assert reg.participant_view(first.token) == before                 # not renamed, no session added
    assert count(m.Participant) == 2
    link_mail = outbox()[-1]
    assert link_mail.to_address == "p1@example.org"
    assert reg.participant_view(link_in(link_mail.body)) == before     # a link to the same person's page
    assert "Rien n’a été modifié" in link_mail.body


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
    at.toggle(key=f"ra_open_{event['id']}").set_value(False)
    click(at, "Enregistrer")
    assert "Réglages enregistrés." in shown(at)
    assert reg.event_settings(event["id"]).registration_open is False
    assert "register?event=assises-page" in "\n".join(e.value for e in at.code)
    assert "Aucun serveur d’e-mail n’est configuré" in shown(at)


def test_organiser_sees_which_emails_were_given_up_and_which_will_be_tried_again(event, monkeypatch):
    import smtplib

    from tests.test_email import MailServer, refuse

    server = MailServer()
    monkeypatch.setenv("ATELIER_SMTP_HOST", "smtp.example.org")
    monkeypatch.setattr(smtplib, "SMTP", server.client_class())
    server.behaviour = refuse(550)
    sign_up(event, 1, sessions=event["sessions"][:1])          # no such mailbox: given up at once
    server.behaviour = refuse(451)
    sign_up(event, 2, sessions=event["sessions"][1:2])         # try again later
    at = staff(page("registrations_admin"), organiser(event["id"])).run()
    assert not at.exception
    (table,) = [df.value for df in at.dataframe if "État" in df.value.columns]
    status = dict(zip(table["Destinataire"], table["État"], strict=True))
    assert status["p1@example.org"] == "abandonné après 1 essai"
    assert status["p2@example.org"].startswith("nouvel essai le ") and "(essai 1 échoué)" in status["p2@example.org"]
    errors = dict(zip(table["Destinataire"], table["Erreur d’envoi"], strict=True))
    assert "550" in errors["p1@example.org"] and "451" in errors["p2@example.org"]


def test_facilitator_marks_attendance_but_cannot_override_and_others_are_refused(event):
    sid = event["sessions"][0]
    sign_up(event, 1, sessions=[sid])
    sign_up(event, 2, sessions=[sid])
    at = staff(page("registrations_admin"), organiser(event["id"], "facilitator")).run()
    assert not at.exception
    keys = {b.key for b in at.button}
    assert f"ra_override_{sid}" not in keys and "ra_erase" not in keys
    assert "Réservé aux organisateur·rice·s" in shown(at)
    tables = "\n".join(d.value.to_csv() for d in at.dataframe)
    assert "Prénom1 Nom1" in tables and "@example.org" not in tables and "E-mail" not in tables
    assert "@example.org" not in shown(at)
    at = staff(page("registrations_admin"), Actor(kind="participant", id=1, session_id=sid, label="x")).run()
    assert "pas accessible" in shown(at) and "p1@example.org" not in shown(at)


def test_a_stale_settings_form_is_refused_with_the_other_version_then_apply_mine_wins(event):
    boss = organiser(event["id"])
    at = staff(page("registrations_admin"), boss).run()
    settings = reg.event_settings(event["id"])
    reg.update_settings(boss, event["id"], settings.version, participant_cap=12)     # a colleague, meanwhile
    at.number_input(key=f"ra_per_org_{event['id']}").set_value(3)
    click(at, "Enregistrer")
    assert "Quelqu’un a modifié cet élément" in shown(at)
    assert (reg.event_settings(event["id"]).participant_cap, reg.event_settings(event["id"]).per_org_cap) == (12, 2)
    assert "Places par atelier" in shown(at) and "12" in shown(at)
    at.button(key=f"ra_settings_{event['id']}_apply_mine").click().run()
    after = reg.event_settings(event["id"])
    assert after.per_org_cap == 3 and after.participant_cap == 1       # the organiser's whole form, as chosen
    assert "Réglages enregistrés." in shown(at)


def test_two_attendance_sheets_keep_each_others_ticks_and_names_are_shown_as_typed(event):
    sid = event["sessions"][0]
    boss, facilitator = organiser(event["id"]), organiser(event["id"], "facilitator")
    reg.update_settings(boss, event["id"], None, participant_cap=5)
    reg.register(event["slug"], first_name="_*Ana*_", email="ana@example.org", session_ids=[sid], consent=True)
    sign_up(event, 2, sessions=[sid])
    door_a = staff(page("registrations_admin"), facilitator).run()
    door_b = staff(page("registrations_admin"), facilitator).run()
    boxes = sorted((c for c in door_a.checkbox if c.key and c.key.startswith(f"ra_present_{sid}_")),
                   key=lambda c: c.key)
    assert boxes[0].label == "\\_\\*Ana\\*\\_"                 # escaped: shown as typed, not in italics
    door_a.checkbox(key=boxes[0].key).check()
    click(door_a, "Enregistrer les présences")
    door_b.checkbox(key=boxes[1].key).check()                # on a sheet opened before door A saved
    click(door_b, "Enregistrer les présences")
    roster = reg.rosters(boss, event["id"])[0]
    assert sorted(r.present for r in roster.confirmed) == [True, True]
    assert door_b.checkbox(key=boxes[0].key).value is True   # door B's sheet now shows door A's tick


def test_the_erase_confirmation_shows_the_name_as_typed(event):
    reg.register(event["slug"], first_name="[x](javascript:alert(1))", email="x@example.org",
                 session_ids=event["sessions"][:1], consent=True)
    at = staff(page("registrations_admin"), organiser(event["id"])).run()
    box = next(c for c in at.checkbox if c.key and c.key.startswith("ra_erase_sure_"))
    assert md("[x](javascript:alert(1)) — x@example.org") in box.label     # a link would be clickable otherwise
