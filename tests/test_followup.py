"""After the event (issue 17): the follow-up of recommendations once their session is closed, its
history and stale edits; the public page on and off; the open data without any personal data; the
closing summary to consenting participants only, once, with a link that works. SQLite and PostgreSQL."""
from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import zipfile
from dataclasses import asdict
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import select
from sqlalchemy import update as sql_update
from streamlit.testing.v1 import AppTest

from core.access import accounts, join
from core.actor import SYSTEM
from core.errors import NotFound, PermissionDenied, StaleEdit, ValidationError
from core.followup import closing, public
from core.followup import tracking as tr
from core.i18n import translate
from core.personas import canvas
from core.session import board, plans, recommendations, session_flow, theme_process, voting
from core.setup import events
from core.signup import invitations as inv
from core.signup import privacy, registration
from storage import db
from storage import models as m

EVENT = "assises-logement-travail-social"
PDF = b"%PDF-1.4\n% a tiny document\n%%EOF\n"
# distinctive personal values: none may ever reach the public page or the open data
PERSON = {"first_name": "Zéphyrine", "last_name": "Quagliarello", "email": "zephyrine.quagliarello@example.org",
          "organisation": "Fondation Xylophonique", "sector": "Secteur Wombatique"}
DISPLAY_NAME = "Ysoldebrancaleone"
SUBGROUP = "Table de Philomène Trastevere"
STAFF_NAME = "Orga Kowalczykowska"


class Room:
    """A dated session of the demo event with two sub-groups, findings, a persona with a need, two
    recommendations (one retained, with a plan and two actions) and votes; then closed."""

    def __init__(self) -> None:
        ev = events.get_event(EVENT)
        self.event_id = ev.id
        start = dt.datetime.now().replace(microsecond=0) - dt.timedelta(days=30)
        self.sid = events.add_session(SYSTEM, ev.themes[0].id, start, start + dt.timedelta(hours=3),
                                      title="Atelier de suivi")["id"]
        self.g1 = events.add_subgroup(SYSTEM, self.sid, SUBGROUP)["id"]
        self.g2 = events.add_subgroup(SYSTEM, self.sid, "Table 2")["id"]
        # a date added to a theme that has its own: it covers the three stages, from the diagnostic
        theme_process.set_session_stages(SYSTEM, self.sid, ["diagnostic", "recommendations", "implementation"])
        session_flow.start_session(SYSTEM, self.sid)
        token, _ = join.join(self.sid, self.g1, DISPLAY_NAME)
        self.p1 = join.resolve(token).actor()
        self.finding = board.add_contribution(self.p1, self.sid, "finding", "people",
                                              "Les loyers dépassent la moitié des revenus")["id"]
        self.personal_finding = board.add_contribution(
            self.p1, self.sid, "finding", "people", "Écrire à marie.dupont@exemple.be pour le dossier")["id"]
        persona = canvas.create_persona(SYSTEM, self.sid, "Nadia", subgroup_id=self.g1)["id"]
        self.need = canvas.add_need(SYSTEM, persona, "Un logement adapté à sa famille")["id"]
        session_flow.set_stage(SYSTEM, self.sid, "recommendations")
        self.rec = recommendations.create_recommendation(
            SYSTEM, self.sid, "Encadrer les loyers", "regional", text="Une grille contraignante",
            sources=[("contribution", self.finding), ("need", self.need), ("contribution", self.personal_finding)],
            subgroup_id=self.g1)["id"]
        self.other = recommendations.create_recommendation(SYSTEM, self.sid, "Guichet unique", "communal",
                                                           sources=[("persona", persona)], subgroup_id=self.g2)["id"]
        voting.open_vote(SYSTEM, self.sid, dots=3, multi=True)
        for group in (self.g1, self.g2):
            voting.cast_dot(SYSTEM, self.sid, self.rec, subgroup_id=group)
        voting.close_vote(SYSTEM, self.sid)
        recommendations.set_retained(SYSTEM, self.rec, True)
        session_flow.set_stage(SYSTEM, self.sid, "implementation")
        plan = plans.start_plan(SYSTEM, self.rec, subgroup_id=self.g1)["id"]
        self.action = plans.add_action(SYSTEM, plan, "Rencontrer le cabinet", carrier="RBDH",
                                       due=dt.date.today() - dt.timedelta(days=3))["id"]
        self.action2 = plans.add_action(SYSTEM, plan, "Publier une carte blanche")["id"]
        session_flow.close_session(SYSTEM, self.sid)
        # registrations go to a session still to come (a closed one takes nobody)
        later = dt.datetime.now().replace(microsecond=0) + dt.timedelta(days=60)
        self.future_sid = events.add_session(SYSTEM, ev.themes[0].id, later, later + dt.timedelta(hours=3),
                                             title="Atelier à venir")["id"]
        registration.update_settings(SYSTEM, self.event_id, None, registration_open=True)
        self.orga = accounts.create_user("orga-suivi", "organiser", STAFF_NAME, "orga@example.org",
                                         "motdepasse-solide-suivi")
        accounts.attach_to_event("orga-suivi", self.event_id)
        self.organiser = accounts.get_user("orga-suivi").actor()
        self.other_orga = accounts.create_user("orga-autre", "organiser", "Autre", "", "motdepasse-solide-autre")
        self.outsider = accounts.get_user("orga-autre").actor()

    def view(self, rec_id: int | None = None) -> tr.FollowUpView:
        rec_id = rec_id or self.rec
        return next(r for r in tr.event_follow_up(self.organiser, self.event_id) if r.recommendation_id == rec_id)


@pytest.fixture
def room(seeded) -> Room:
    return Room()


def _activity_count() -> int:
    with db.read_session() as s:
        return len(s.execute(select(m.Activity.id)).all())


def test_status_lifecycle_answers_and_history(room: Room):
    o = room.organiser
    assert room.view().status == "not_yet_sent" and room.view().version == 0
    tr.update_follow_up(o, room.rec, 0, addressee="Cabinet du Secrétaire d'État au Logement", status="sent",
                        status_on="2026-11-02", note="Envoyée par courrier")
    v = room.view()
    assert (v.addressee, v.status, v.status_on) == ("Cabinet du Secrétaire d'État au Logement", "sent",
                                                    dt.date(2026, 11, 2))
    # an answer moves a sent recommendation to "answered", dated by the answer
    tr.add_answer(o, room.rec, "2026-11-20", "Nous étudions la grille.", link="https://parlement.brussels/q/12")
    v = room.view()
    assert v.status == "answered" and v.status_on == dt.date(2026, 11, 20)
    assert [(a.text, a.link) for a in v.answers] == [("Nous étudions la grille.", "https://parlement.brussels/q/12")]
    tr.update_follow_up(o, room.rec, v.version, status="adopted")
    # skipping back is not the lifecycle: refused, then allowed as a correction that says why
    v = room.view()
    with pytest.raises(ValidationError) as caught:
        tr.update_follow_up(o, room.rec, v.version, status="sent")
    assert caught.value.key == "error.followup_transition"
    with pytest.raises(ValidationError) as caught:
        tr.update_follow_up(o, room.rec, v.version, status="sent", correction=True)
    assert caught.value.key == "error.followup_correction_note"
    assert room.view().status == "adopted"
    tr.update_follow_up(o, room.rec, v.version, status="partly_adopted", correction=True,
                        note="Erreur : seule la moitié a été adoptée")
    tr.update_follow_up(o, room.rec, room.view().version, status="implemented")
    assert room.view().status == "implemented" and room.view().next_statuses == ()
    # the history, newest first: each change with who made it and what it changed
    entries = tr.history(o, room.rec)
    assert [(h.entity, h.action) for h in entries][:3] == [("follow_up", "update"), ("follow_up", "correct"),
                                                          ("follow_up", "update")]
    assert all(h.who == STAFF_NAME for h in entries)
    statuses = [dict((f, (b, a)) for f, b, a in h.changes).get("status") for h in reversed(entries)]
    assert statuses[0] == (None, "not_yet_sent")   # the follow-up opened
    assert [s for s in statuses if s and s[0]] == [("not_yet_sent", "sent"), ("sent", "answered"),
                                                   ("answered", "adopted"), ("adopted", "partly_adopted"),
                                                   ("partly_adopted", "implemented")]
    assert ("follow_up_answer", "create") in [(h.entity, h.action) for h in entries]


def test_follow_up_starts_when_the_session_is_closed(room: Room):
    session_flow.reopen_session(SYSTEM, room.sid)
    before = _activity_count()
    with pytest.raises(ValidationError) as caught:
        tr.update_follow_up(room.organiser, room.rec, 0, status="sent")
    assert caught.value.key == "error.followup_session_open"
    assert _activity_count() == before
    assert tr.event_follow_up(room.organiser, room.event_id) == []
    assert tr.open_recommendation_count(room.organiser, room.event_id) == 2


def test_stale_edits_are_refused_and_change_nothing(room: Room):
    o = room.organiser
    tr.update_follow_up(o, room.rec, 0, addressee="Parlement bruxellois")
    seen = room.view().version
    tr.update_follow_up(o, room.rec, seen, addressee="Cabinet Logement")      # the other organiser saves first
    with pytest.raises(StaleEdit) as caught:
        tr.update_follow_up(o, room.rec, seen, addressee="Mon texte")
    assert caught.value.current["addressee"] == "Cabinet Logement"
    with pytest.raises(StaleEdit):   # "I saw no follow-up" while one exists
        tr.update_follow_up(o, room.rec, 0, status="sent")
    assert room.view().addressee == "Cabinet Logement" and room.view().status == "not_yet_sent"
    answer = tr.add_answer(o, room.rec, dt.date.today(), "Première version")
    tr.edit_answer(o, answer["id"], answer["version"], text="Deuxième version")
    with pytest.raises(StaleEdit):
        tr.edit_answer(o, answer["id"], answer["version"], text="Écrasée ?")
    assert room.view().answers[0].text == "Deuxième version"
    tr.set_action_progress(o, room.action, 0, "under_way")
    with pytest.raises(StaleEdit):
        tr.set_action_progress(o, room.action, 0, "done")
    assert next(a for a in room.view().actions if a.plan_action_id == room.action).status == "under_way"


def test_only_organisers_of_the_event_change_the_follow_up(room: Room):
    before = _activity_count()
    for actor in (room.outsider, room.p1, None):
        with pytest.raises(PermissionDenied):
            tr.update_follow_up(actor, room.rec, None, status="sent")
        with pytest.raises(PermissionDenied):
            tr.add_answer(actor, room.rec, dt.date.today(), "Non")
        with pytest.raises(PermissionDenied):
            public.set_public_page(actor, room.event_id, True)
        with pytest.raises(PermissionDenied):
            closing.publish_closing_summary(actor, room.event_id)
    assert _activity_count() == before
    admin = accounts.create_user("chef-suivi", "admin", "Chef", "", "motdepasse-solide-chef").actor()
    assert tr.update_follow_up(admin, room.rec, None, status="sent")["status"] == "sent"


def test_answers_links_and_documents_are_checked(room: Room):
    o = room.organiser
    for bad in ("javascript:alert(1)", "ftp://example.org/x", "https://", "http://exa mple.org", "example.org"):
        with pytest.raises(ValidationError) as caught:
            tr.add_answer(o, room.rec, dt.date.today(), "Réponse", link=bad)
        assert caught.value.key == "error.followup_link", bad
    for data, name, key in ((b"x" * 10, "reponse.exe", "error.followup_attachment_type"),
                            (b"MZ not a pdf", "reponse.pdf", "error.followup_attachment_mismatch"),
                            (b"%PDF-" + b"0" * (5 * 2**20), "gros.pdf", "error.followup_attachment_too_big"),
                            (b"", "vide.pdf", "error.followup_attachment_empty")):
        with pytest.raises(ValidationError) as caught:
            tr.add_answer(o, room.rec, dt.date.today(), "Réponse", attachment=data, attachment_name=name)
        assert caught.value.key == key, name
    with pytest.raises(ValidationError) as caught:
        tr.add_answer(o, room.rec, dt.date.today() + dt.timedelta(days=30), "Réponse du futur")
    assert caught.value.key == "error.followup_future_date"
    with pytest.raises(ValidationError):
        tr.add_answer(o, room.rec, dt.date.today(), "   ")
    assert room.view().answers == ()
    saved = tr.add_answer(o, room.rec, dt.date.today(), "", attachment=PDF,
                          attachment_name="../../etc/Réponse du cabinet <b>.pdf")
    assert saved["attachment_name"] == "Reponse du cabinet _b.pdf"
    doc = tr.answer_attachment(o, saved["id"])
    assert (doc.data, doc.media_type) == (PDF, "application/pdf")
    with pytest.raises(PermissionDenied):
        tr.answer_attachment(room.outsider, saved["id"])
    with db.read_session() as s:   # the activity row names the document, never holds it
        row = s.execute(select(m.Activity).where(m.Activity.entity_type == "follow_up_answer")).scalars().one()
        assert "attachment_b64" not in row.after and row.after["attachment_size"] == len(PDF)
    tr.delete_answer(o, saved["id"])
    assert room.view().answers == ()
    assert ("follow_up_answer", "delete") in [(h.entity, h.action) for h in tr.history(o, room.rec)]


def test_action_progress_is_recorded_with_its_date_and_note(room: Room):
    o = room.organiser
    actions = {a.plan_action_id: a for a in room.view().actions}
    assert actions[room.action].late and not actions[room.action2].late
    tr.set_action_progress(o, room.action, 0, "done", "2026-11-30", "Rencontre faite")
    a = next(a for a in room.view().actions if a.plan_action_id == room.action)
    assert (a.status, a.status_on, a.note, a.late) == ("done", dt.date(2026, 11, 30), "Rencontre faite", False)
    with pytest.raises(ValidationError):
        tr.set_action_progress(o, room.action2, 0, "finished")


def test_public_page_is_off_by_default_and_switching_off_hides_it_at_once(room: Room):
    o = room.organiser
    assert public.page_settings(o, room.event_id).on is False
    tr.update_follow_up(o, room.rec, 0, addressee="Cabinet Logement", status="sent")
    answer = tr.add_answer(o, room.rec, dt.date.today(), "Réponse publique", attachment=PDF,
                           attachment_name="reponse.pdf")
    token = public.set_public_page(o, room.event_id, True).token
    assert token and len(token) >= 32
    view = public.public_page(token)
    assert view is not None and view.title
    rec = next(r for r in view.recommendations if r.id == room.rec)
    assert (rec.addressee, rec.status, rec.votes, rec.rank) == ("Cabinet Logement", "answered", 2, 1)
    assert [a.text for a in rec.answers] == ["Réponse publique"]
    assert [(x.kind, x.withheld) for x in rec.trail] == [("finding", False), ("need", False), ("finding", True)]
    assert rec.trail[1].persona == "Nadia"
    assert public.public_attachment(token, answer["id"]).data == PDF
    # the filters
    assert [r.id for r in public.filter_recommendations(view.recommendations, levels=["communal"])] == [room.other]
    assert [r.id for r in public.filter_recommendations(view.recommendations, statuses=["answered"])] == [room.rec]
    assert len(public.filter_recommendations(view.recommendations)) == 2
    # off: nothing, at once; the document neither
    public.set_public_page(o, room.event_id, False)
    assert public.public_page(token) is None
    assert public.public_attachment(token, answer["id"]) is None
    assert public.public_open_data(token) is None
    # on again: the same link works again; a wrong or malformed token is no page
    assert public.set_public_page(o, room.event_id, True).token == token
    assert public.public_page(token) is not None
    for bad in ("", "x" * 32, token[:-1] + ("A" if token[-1] != "A" else "B"), None, 12, "a" * 500):
        assert public.public_page(bad) is None


def _personal_values() -> set[str]:
    """Every personal value of the registration, participant, account and join-token tables (and the
    sub-groups' names, chosen by participants), at least 5 characters long."""
    with db.read_session() as s:
        values: set[str] = set()
        for row in s.execute(select(m.Participant.first_name, m.Participant.last_name, m.Participant.email,
                                    m.Participant.sector)):
            values |= set(row)
        values |= set(s.execute(select(m.Organisation.name)).scalars())
        for row in s.execute(select(m.User.username, m.User.name, m.User.email)):
            values |= set(row)
        values |= set(s.execute(select(m.ParticipantToken.display_name)).scalars())
        values |= set(s.execute(select(m.Subgroup.name)).scalars())
        values |= set(s.execute(select(m.Contribution.created_by)).scalars())
    return {v for v in values if v and len(v) >= 5}


def _strings(value) -> list[str]:
    if isinstance(value, dict):
        return [x for v in value.values() for x in _strings(v)]
    if isinstance(value, (list, tuple)):
        return [x for v in value for x in _strings(v)]
    return [value] if isinstance(value, str) else []


def test_open_data_and_public_page_hold_no_personal_data(room: Room, tmp_path):
    o = room.organiser
    registration.register(EVENT, **PERSON, session_ids=[room.future_sid], consent=True)
    tr.update_follow_up(o, room.rec, 0, addressee="Cabinet Logement", status="sent")
    tr.add_answer(o, room.rec, dt.date.today(), "La grille sera étudiée", link="https://example.org/reponse",
                  attachment=PDF, attachment_name="reponse.pdf")
    tr.set_action_progress(o, room.action, 0, "under_way", note="Rendez-vous pris")
    token = public.set_public_page(o, room.event_id, True).token
    personal = _personal_values()
    assert set(PERSON.values()) | {DISPLAY_NAME, SUBGROUP, STAFF_NAME} <= personal
    data = public.public_open_data(token, "en")
    assert data == public.open_data_zip(EVENT, "en")
    cells: list[str] = []
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        names = set(z.namelist())
        assert {f"{n}.csv" for n in public.COLUMNS} | {"follow-up.json", "README.md"} <= names
        readme = z.read("README.md").decode("utf-8")
        for name, columns in public.COLUMNS.items():
            rows = list(csv.reader(io.StringIO(z.read(f"{name}.csv").decode("utf-8-sig"))))
            assert tuple(rows[0]) == columns
            for col in columns:   # every column is documented
                assert f"`{col}`" in readme
            for row in rows[1:]:
                assert len(row) == len(columns)
                cells += row
        doc_names = [n for n in names if n.startswith("documents/")]
        assert len(doc_names) == 1 and z.read(doc_names[0]) == PDF
        cells += _strings(json.loads(z.read("follow-up.json")))
        cells.append(readme)
    # what the room and the organisers wrote is there ...
    for expected in ("Encadrer les loyers", "Les loyers dépassent la moitié des revenus", "Nadia",
                     "Cabinet Logement", "La grille sera étudiée", "https://example.org/reponse", "Rendez-vous pris",
                     "Rencontrer le cabinet", "sent", "under_way"):
        assert any(expected == c or expected in c for c in cells), expected
    # ... and nothing personal: no value of those tables in any cell, nor the email typed in a finding
    blob = "\n".join(cells)
    leaked = sorted(v for v in personal if v in blob)
    assert leaked == [], leaked
    assert "marie.dupont@exemple.be" not in blob
    # the public page's data: the same
    page = "\n".join(_strings(asdict(public.public_page(token))))
    assert "Encadrer les loyers" in page
    assert sorted(v for v in personal if v in page) == []
    # the command line writes the same ZIP
    from manage import main

    out = tmp_path / "open.zip"
    assert main(["export-open-data", "--event", EVENT, "--out", str(out), "--lang", "en"]) == 0
    assert zipfile.ZipFile(out).namelist() == zipfile.ZipFile(io.BytesIO(data)).namelist()


def _personal_token(participant_id: int) -> str:
    with db.write_session() as s:
        return inv.new_personal_token_in(s, participant_id)


def _summaries() -> list[m.OutboxEmail]:
    with db.read_session() as s:
        return list(s.execute(select(m.OutboxEmail).where(m.OutboxEmail.body.contains(public.PUBLIC_PATH))
                              .order_by(m.OutboxEmail.id)).scalars())


def test_closing_summary_goes_once_to_consenting_participants_with_a_working_link(room: Room):
    def person(n: str, lang: str = "fr") -> int:
        return registration.register(EVENT, first_name=f"Personne{n}", last_name="Test", email=f"p{n}@example.org",
                                      session_ids=[room.future_sid], consent=True, lang=lang).participant_id

    yes, nl = person("oui"), person("nl", "nl")
    declined, no_consent, erased = person("non"), person("sansconsentement"), person("effacee")
    closing.set_opt_out(_personal_token(declined), True)
    assert closing.opted_out(_personal_token(declined)) is True
    with db.write_session() as s:   # a person imported without consent to the privacy notice
        s.execute(sql_update(m.Participant).where(m.Participant.id == no_consent).values(consent_at=None))
    privacy.erase_participant(SYSTEM, erased)
    status = closing.closing_status(room.organiser, room.event_id)
    assert (status.published_at, status.to_send, status.opted_out) == (None, 2, 1)

    result = closing.publish_closing_summary(room.organiser, room.event_id)
    emails = _summaries()
    assert result.queued == 2 and sorted(e.to_address for e in emails) == ["pnl@example.org", "poui@example.org"]
    assert {e.participant_id for e in emails} == {yes, nl}
    dutch = next(e for e in emails if e.participant_id == nl)
    assert "aanbevelingen" in dutch.subject
    # the link works: it opens the public page of this event (switched on by publishing)
    link = re.search(r"https?://\S+/public-follow-up\?\S+", emails[0].body).group(0)
    token = parse_qs(urlsplit(link).query)["t"][0]
    view = public.public_page(token)
    assert view is not None and view.event_id == room.event_id and view.booklet_published
    assert "my-registration?token=" in emails[0].body   # where to opt out
    # publishing again sends nothing more; a person registered since gets it, only them
    assert closing.publish_closing_summary(room.organiser, room.event_id).queued == 0
    assert len(_summaries()) == 2
    late = person("tard")
    again = closing.publish_closing_summary(room.organiser, room.event_id)
    assert again.queued == 1 and [e.participant_id for e in _summaries()[2:]] == [late]
    status = closing.closing_status(room.organiser, room.event_id)
    assert (status.sent, status.to_send, status.opted_out) == (3, 0, 1) and status.published_at is not None
    # opting back in: sent at the next publication
    closing.set_opt_out(_personal_token(declined), False)
    assert closing.publish_closing_summary(room.organiser, room.event_id).queued == 1
    with pytest.raises(NotFound):
        closing.set_opt_out("x" * 40, True)


# --- participant-typed recommendation and plan texts with personal data (public page, open data) ---

REC_TITLE = "Guichet unique : écrire à lea.vermeulen@exemple.be"
REC_TEXT = "Appeler Léa au 0470 98 76 54 pour les dossiers"
REC_PUBLIC = "Familles suivies par jules.renard@cpas.example.be"
ACTION_TEXT = "Appeler le 02 512 34 56 chaque lundi"
ACTION_CARRIER = "Mme Dubois, 0471 23 45 67"
ACTION_MEANS = "Contact : sophie.lambert@exemple.be"
ACTION_INDICATOR = "Permanence ouverte Rue de la Loi 16"
TYPED_PERSONAL = ("lea.vermeulen", "0470 98 76 54", "jules.renard", "02 512 34 56", "0471 23 45 67",
                  "sophie.lambert", "Rue de la Loi 16")


def _typed_personal_data(room: Room) -> None:
    """Personal data typed by the room into a recommendation (title, text, people concerned) and into
    the four fields of a plan action; the other recommendation and action stay clean."""
    with db.write_session() as s:
        s.execute(sql_update(m.Recommendation).where(m.Recommendation.id == room.other)
                  .values(title=REC_TITLE, text=REC_TEXT, public=REC_PUBLIC))
        s.execute(sql_update(m.Recommendation).where(m.Recommendation.id == room.rec)
                  .values(public="Locataires du privé"))
        s.execute(sql_update(m.PlanAction).where(m.PlanAction.id == room.action2)
                  .values(action=ACTION_TEXT, carrier=ACTION_CARRIER, means=ACTION_MEANS, indicator=ACTION_INDICATOR))
        s.execute(sql_update(m.PlanAction).where(m.PlanAction.id == room.action)
                  .values(means="Un courrier cosigné", indicator="Une réunion obtenue"))


def _zip_cells(data: bytes) -> tuple[dict[str, list[dict[str, str]]], dict, list[str]]:
    """The ZIP's CSV rows (by file, as dicts), its JSON and every string cell of both."""
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        tables = {name: list(csv.DictReader(io.StringIO(z.read(f"{name}.csv").decode("utf-8-sig"))))
                  for name in public.COLUMNS}
        doc = json.loads(z.read("follow-up.json"))
    cells = [c for rows in tables.values() for row in rows for c in row.values()] + _strings(doc)
    return tables, doc, cells


def test_recommendation_and_plan_texts_with_personal_data_are_withheld(room: Room):
    o = room.organiser
    _typed_personal_data(room)
    token = public.set_public_page(o, room.event_id, True).token
    # the public page's data: the texts withheld and flagged, the clean recommendation and action in full
    view = public.public_page(token)
    page = "\n".join(_strings(asdict(view)))
    for value in TYPED_PERSONAL:
        assert value not in page, value
    dirty = next(r for r in view.recommendations if r.id == room.other)
    assert (dirty.title, dirty.text, dirty.public) == ("", "", "")
    assert (dirty.title_withheld, dirty.text_withheld, dirty.public_withheld) == (True, True, True)
    clean = next(r for r in view.recommendations if r.id == room.rec)
    assert (clean.title, clean.text, clean.public) == ("Encadrer les loyers", "Une grille contraignante",
                                                       "Locataires du privé")
    assert not (clean.title_withheld or clean.text_withheld or clean.public_withheld)
    dirty_action = next(a for a in clean.actions if a.id == room.action2)
    assert (dirty_action.action, dirty_action.carrier, dirty_action.means, dirty_action.indicator) == ("",) * 4
    assert (dirty_action.action_withheld, dirty_action.carrier_withheld, dirty_action.means_withheld,
            dirty_action.indicator_withheld) == (True,) * 4
    clean_action = next(a for a in clean.actions if a.id == room.action)
    assert (clean_action.action, clean_action.carrier, clean_action.means, clean_action.indicator) == (
        "Rencontrer le cabinet", "RBDH", "Un courrier cosigné", "Une réunion obtenue")
    assert not (clean_action.action_withheld or clean_action.carrier_withheld or clean_action.means_withheld
                or clean_action.indicator_withheld)
    # the open data: no CSV or JSON cell holds them; empty with the flags set; the clean ones in full
    for data in (public.public_open_data(token, "fr"), public.open_data_zip(EVENT, "nl")):
        tables, doc, cells = _zip_cells(data)
        blob = "\n".join(cells)
        for value in TYPED_PERSONAL:
            assert value not in blob, value
        recs = {int(r["recommendation_id"]): r for r in tables["recommendations"]}
        assert {k: recs[room.other][k] for k in ("title", "text", "people_concerned", "title_withheld",
                                                 "text_withheld", "people_concerned_withheld")} == {
            "title": "", "text": "", "people_concerned": "", "title_withheld": "true", "text_withheld": "true",
            "people_concerned_withheld": "true"}
        assert {k: recs[room.rec][k] for k in ("title", "text", "people_concerned", "title_withheld",
                                               "text_withheld", "people_concerned_withheld")} == {
            "title": "Encadrer les loyers", "text": "Une grille contraignante",
            "people_concerned": "Locataires du privé", "title_withheld": "false", "text_withheld": "false",
            "people_concerned_withheld": "false"}
        acts = {int(a["action_id"]): a for a in tables["plan_actions"]}
        fields = ("action", "carrier", "means", "indicator")
        assert [acts[room.action2][f] for f in fields] == [""] * 4
        assert [acts[room.action2][f"{f}_withheld"] for f in fields] == ["true"] * 4
        assert [acts[room.action][f] for f in fields] == ["Rencontrer le cabinet", "RBDH", "Un courrier cosigné",
                                                          "Une réunion obtenue"]
        assert [acts[room.action][f"{f}_withheld"] for f in fields] == ["false"] * 4
        jrecs = {r["recommendation_id"]: r for r in doc["recommendations"]}
        assert (jrecs[room.other]["title"], jrecs[room.other]["title_withheld"],
                jrecs[room.other]["people_concerned_withheld"]) == ("", True, True)
        assert (jrecs[room.rec]["title"], jrecs[room.rec]["title_withheld"]) == ("Encadrer les loyers", False)
        jacts = {a["action_id"]: a for a in jrecs[room.rec]["plan_actions"]}
        assert [jacts[room.action2][f"{f}_withheld"] for f in fields] == [True] * 4
        assert [jacts[room.action][f] for f in fields] == ["Rencontrer le cabinet", "RBDH", "Un courrier cosigné",
                                                           "Une réunion obtenue"]


def test_the_public_page_shows_the_withheld_notice_instead_of_personal_data(room: Room):
    _typed_personal_data(room)
    token = public.set_public_page(room.organiser, room.event_id, True).token
    at = AppTest.from_file(str(Path(__file__).resolve().parent.parent / "app_pages" / "public_follow_up.py"),
                           default_timeout=60)
    at.query_params["t"] = token
    at.query_params["lang"] = "fr"
    at.run()
    assert not at.exception, at.exception
    shown = "\n".join(str(getattr(x, "value", "")) for kind in ("markdown", "caption", "text")
                      for x in at.get(kind)).replace("\\", "")   # md() escapes the notice's brackets
    for value in TYPED_PERSONAL:
        assert value not in shown, value
    notice = translate("fr", "followup.public.withheld")
    # the trail's finding (as before), and now the title, the text, the action and its carrier
    assert shown.count(notice) == 5, shown
    for value in ("Encadrer les loyers", "Une grille contraignante", "Rencontrer le cabinet", "RBDH"):
        assert value in shown, value
