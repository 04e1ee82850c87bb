"""Registration: quotas under concurrent sign-ups, waiting list and promotion, overrides, attendance,
organisation names, calendar files and emails. Runs on SQLite and PostgreSQL."""
from __future__ import annotations

import datetime as dt
import re
import threading

import pytest
from sqlalchemy import func, select

from core.access.join import hash_token
from core.actor import SYSTEM, Actor
from core.errors import AtelierError, PermissionDenied
from core.setup import events
from core.signup import invitations as inv
from core.signup import registration as reg
from storage import db
from storage import models as m


def _future(days: int, hour: int = 13) -> dt.datetime:
    base = dt.datetime.now().replace(hour=hour, minute=0, second=0, microsecond=0)
    return base + dt.timedelta(days=days)


def make_event(slug: str = "assises-test", themes: int = 3, per_theme: int = 3, open_: bool = True,
               cap: int | None = None, per_org: int | None = None,
               place: str = "Rue Royale 55, 1000 Bruxelles") -> dict:
    ev = events.create_event(SYSTEM, slug=slug, title="Assises du Logement", place=place)
    sessions: list[int] = []
    day = 20
    for i in range(themes):
        th = events.add_theme(SYSTEM, ev["id"], f"Thématique {i + 1}", why="Parce que", position=i)
        for _ in range(per_theme):
            start = _future(day)
            sessions.append(events.add_session(SYSTEM, th["id"], starts_at=start,
                                               ends_at=start + dt.timedelta(hours=3, minutes=30))["id"])
            day += 7
    changes = {"registration_open": open_}
    if cap is not None:
        changes["participant_cap"] = cap
    if per_org is not None:
        changes["per_org_cap"] = per_org
    reg.update_settings(SYSTEM, ev["id"], None, **changes)
    return {"id": ev["id"], "slug": slug, "sessions": sessions}


def sign_up(event: dict, n: int | str, org: str = "", sessions: list[int] | None = None, lang: str = "fr", **kw):
    return reg.register(event["slug"], first_name=f"Prénom{n}", last_name=f"Nom{n}", email=f"p{n}@example.org",
                        organisation=org, sector="Logement", session_ids=sessions or event["sessions"][:1],
                        consent=True, lang=lang, **kw)


def link_in(body: str) -> str:
    """The token of the personal link an email carries."""
    found = re.search(r"/my-registration\?token=([A-Za-z0-9_-]+)", body)
    assert found, body
    return found.group(1)


def table_count(model) -> int:
    with db.read_session() as s:
        return s.execute(select(func.count()).select_from(model)).scalar_one()


def statuses(session_id: int) -> list[tuple[int, str, int | None]]:
    """(participant id, status, organisation id) in arrival order."""
    with db.read_session() as s:
        rows = s.execute(select(m.Registration.participant_id, m.Registration.status, m.Participant.organisation_id)
                         .join(m.Participant, m.Participant.id == m.Registration.participant_id)
                         .where(m.Registration.session_id == session_id)
                         .order_by(m.Registration.created_at, m.Registration.id)).all()
    return [tuple(r) for r in rows]


@pytest.fixture
def event(database):
    return make_event()


# --- organisation names -------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["ASBL Stics", "Stics asbl", "STICS", "S.T.I.C.S. a.s.b.l.", "  stics  VZW "])
def test_organisation_name_variants_normalise_to_one(name):
    assert reg.normalize_organisation(name) == "stics"


def test_different_organisations_stay_different():
    assert reg.normalize_organisation("Le Foyer asbl") != reg.normalize_organisation("Foyer du Nord")
    assert reg.normalize_organisation("CPAS d'Ixelles") == \
        reg.normalize_organisation("cpas d’ixelles".replace("’", "'"))


def test_three_spellings_of_one_association_count_as_one_for_the_cap(event):
    first = sign_up(event, 1, "ASBL Stics")
    second = sign_up(event, 2, "Stics asbl")
    third = sign_up(event, 3, "STICS")
    assert [p.status for p in (first.placements[0], second.placements[0])] == ["confirmed", "confirmed"]
    assert third.placements[0].status == "waiting" and third.placements[0].reason == "waiting_org"
    assert third.placements[0].waiting_position == 1
    assert table_count(m.Organisation) == 1


# --- registering ----------------------------------------------------------------------------------

def test_registration_confirms_and_queues_an_email_with_link_and_calendar(event):
    result = sign_up(event, 1, "Stics", sessions=event["sessions"][:3])
    assert result.token and len(result.token) >= 40 and not result.existing
    assert [p.status for p in result.placements] == ["confirmed"] * 3
    with db.read_session() as s:
        person = s.get(m.Participant, result.participant_id)
        assert person.event_id == event["id"]
        # the link's token is stored hashed, like the join tokens: the database never holds it in clear
        links = s.execute(select(m.PersonalLink.token_hash).where(m.PersonalLink.participant_id == person.id)).all()
        assert [tuple(row) for row in links] == [(hash_token(result.token),)] and person.personal_token is None
        assert person.email == "p1@example.org" and person.consent_at is not None
        mail = s.execute(select(m.OutboxEmail)).scalar_one()
        activity = s.execute(select(m.Activity)
                             .where(m.Activity.entity_type.in_(["participant", "registration"]))).scalars().all()
    assert mail.to_address == "p1@example.org" and mail.sent_at is None
    assert inv.personal_link(result.token, "fr") in mail.body
    assert "Bonjour Prénom1 Nom1" in mail.body and "Thématique 1" in mail.body
    assert mail.attachment.count("BEGIN:VEVENT") == 3
    assert len(activity) == 4   # the person, then three registrations
    assert all("p1@example.org" not in str(a.after) and "Prénom1" not in str(a.after) for a in activity)


def test_a_second_submission_with_a_registered_email_changes_nothing_and_emails_the_link(event):
    first = sign_up(event, 1, "Stics", sessions=event["sessions"][:1], lang="fr")
    before = reg.participant_view(first.token)
    # someone else (or the person, with other details) submits the public form with the same address
    again = reg.register(event["slug"], first_name="Marie", last_name="Dubois", email="P1@Example.ORG",
                         organisation="Samusocial", sector="Santé", session_ids=event["sessions"][1:3], consent=True,
                         lang="nl")
    assert again.existing and again.token is None and again.placements == ()
    assert table_count(m.Participant) == 1 and table_count(m.Organisation) == 1   # « Samusocial » not even created
    after = reg.participant_view(first.token)
    assert after == before                                   # name, organisation, sector, language, sessions
    assert [(r.session_id, r.status) for r in after.registrations] == [(event["sessions"][0], "confirmed")]
    with db.read_session() as s:
        mails = s.execute(select(m.OutboxEmail).order_by(m.OutboxEmail.id)).scalars().all()
        activity = s.execute(select(m.Activity).where(m.Activity.action == "register_again")).scalars().all()
    assert len(mails) == 2 and again.email_ids == (mails[1].id,)           # exactly one more: the link email
    link_mail = mails[1]
    assert link_mail.to_address == "p1@example.org" and link_mail.participant_id == first.participant_id
    sent = link_in(link_mail.body)                                          # a new link, to their own page
    assert inv.personal_link(sent, "fr") in link_mail.body                 # in the person's language, not the form's
    assert reg.participant_view(sent).participant_id == first.participant_id
    assert reg.participant_view(first.token) == before                     # and the first link still works
    assert "Bonjour Prénom1 Nom1" in link_mail.body and "Marie" not in link_mail.body
    assert "déjà inscrite. Rien n’a été modifié." in link_mail.body and not link_mail.attachment
    assert [a.after for a in activity] == [{"event_id": event["id"]}]       # no personal field in the trail


def test_repeated_submissions_with_a_registered_email_send_one_link_email_per_ten_minutes(event):
    first = sign_up(event, 1, sessions=event["sessions"][:1])
    for _ in range(3):   # the form cannot be used to flood someone's mailbox
        reg.register(event["slug"], first_name="X", email="p1@example.org", session_ids=event["sessions"][:1],
                     consent=True)
    assert table_count(m.OutboxEmail) == 2
    with db.write_session() as s:   # ten minutes later
        for row in s.execute(select(m.Activity).where(m.Activity.action == "register_again")).scalars():
            row.at -= reg.ATTEMPT_EMAIL_INTERVAL
    reg.register(event["slug"], first_name="X", email="p1@example.org", session_ids=event["sessions"][:1], consent=True)
    assert table_count(m.OutboxEmail) == 3
    assert reg.participant_view(first.token).first_name == "Prénom1"


def test_a_registered_email_gets_the_same_validation_as_a_new_one(event):
    sign_up(event, 1, sessions=event["sessions"][:1])
    for changes, key in (({"consent": False}, "error.reg_consent_required"),
                         ({"session_ids": []}, "error.reg_no_session")):
        args = {"first_name": "X", "email": "p1@example.org", "session_ids": event["sessions"][:1], "consent": True,
                **changes}
        with pytest.raises(AtelierError) as err:
            reg.register(event["slug"], **args)
        assert err.value.key == key
    assert table_count(m.OutboxEmail) == 1


@pytest.mark.parametrize("changes,key", [
    ({"email": "not-an-email"}, "error.reg_email_invalid"),
    ({"email": "a@b"}, "error.reg_email_invalid"),
    ({"email": "x y@example.org"}, "error.reg_email_invalid"),
    ({"email": ""}, "error.reg_email_required"),
    ({"first_name": "   "}, "error.reg_first_name_required"),
    ({"consent": False}, "error.reg_consent_required"),
    ({"session_ids": []}, "error.reg_no_session"),
    ({"session_ids": [999999]}, "error.reg_session_unavailable"),
    ({"first_name": "x" * 500}, "error.too_long"),
])
def test_bad_input_is_refused_with_a_clear_message_and_writes_nothing(event, changes, key):
    values = dict(first_name="Ana", last_name="Lima", email="ana@example.org", organisation="Stics", sector="",
                  session_ids=event["sessions"][:1], consent=True)
    values.update(changes)
    with pytest.raises(AtelierError) as err:
        reg.register(event["slug"], **values)
    assert err.value.key == key
    assert table_count(m.Participant) == table_count(m.Registration) == table_count(m.OutboxEmail) == 0


def test_closed_registration_unknown_event_and_other_events_session_are_refused(database):
    closed = make_event("closed", themes=1, per_theme=1, open_=False)
    other = make_event("other", themes=1, per_theme=1)
    opened = make_event("opened", themes=1, per_theme=1)
    for slug, ids, key in [("closed", closed["sessions"], "error.reg_closed"),
                           ("nope", opened["sessions"], "error.reg_unknown_event"),
                           ("opened", other["sessions"], "error.reg_session_unavailable")]:
        with pytest.raises(AtelierError) as err:
            reg.register(slug, first_name="Ana", email="ana@example.org", session_ids=ids, consent=True)
        assert err.value.key == key
    assert table_count(m.Participant) == 0


def test_a_session_that_has_started_cannot_be_chosen(event):
    later = _future(200)
    with pytest.raises(AtelierError) as err:
        sign_up(event, 1, sessions=event["sessions"][:1], now_local=later)
    assert err.value.key == "error.reg_session_unavailable"
    assert reg.public_event(event["slug"], now_local=later).themes[0].sessions[0].available is False


# --- quotas under concurrency --------------------------------------------------------------------

def _replay(arrivals: list[tuple[int, str, int | None]], cap: int, per_org: int) -> dict[int, str]:
    """What the rules say, given the arrival order: first come, first served, within the caps."""
    confirmed, per = 0, {}
    out = {}
    for pid, _status, org in arrivals:
        if confirmed < cap and (org is None or per.get(org, 0) < per_org):
            out[pid] = "confirmed"
            confirmed += 1
            if org is not None:
                per[org] = per.get(org, 0) + 1
        else:
            out[pid] = "waiting"
    return out


def test_sixty_concurrent_registrations_fill_exactly_forty_places_two_per_organisation(event):
    session_id = event["sessions"][0]
    # 15 associations of 3 people (each spelled differently) and 15 people without an organisation
    people = [(i, ["ASBL Orga{}", "Orga{} asbl", "ORGA{}"][i % 3].format(i // 3) if i < 45 else "") for i in range(60)]
    barrier = threading.Barrier(len(people))
    errors: list[BaseException] = []
    tokens: dict[int, str] = {}

    def worker(n: int, org: str) -> None:
        try:
            barrier.wait(timeout=30)
            result = sign_up(event, n, org, sessions=[session_id])
            tokens[result.participant_id] = result.token
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=p) for p in people]
    for th in threads:
        th.start()
    for th in threads:
        th.join(120)
    assert errors == []

    arrivals = statuses(session_id)
    assert len(arrivals) == 60
    got = {pid: status for pid, status, _ in arrivals}
    assert sum(1 for s_ in got.values() if s_ == "confirmed") == 40
    per_org: dict[int, int] = {}
    for _pid, status, org in arrivals:
        if status == "confirmed" and org is not None:
            per_org[org] = per_org.get(org, 0) + 1
    assert max(per_org.values()) <= 2
    assert got == _replay(arrivals, 40, 2)          # the waiting list is the arrival order
    assert table_count(m.Organisation) == 15

    # a cancellation promotes the first eligible waiting person (an organisation at its cap is skipped)
    waiting = [(pid, org) for pid, status, org in arrivals if status == "waiting"]
    assert len(waiting) == 20
    solo_confirmed = next(pid for pid, status, org in arrivals if status == "confirmed" and org is None)
    counts = dict(per_org)
    expected = next(pid for pid, org in waiting if org is None or counts.get(org, 0) < 2)
    token = tokens[solo_confirmed]
    with db.read_session() as s:
        promoted_person = s.get(m.Participant, expected)
    mails_before = table_count(m.OutboxEmail)
    reg.cancel(token, session_id)
    after = {pid: status for pid, status, _ in statuses(session_id)}
    assert after[solo_confirmed] == "cancelled" and after[expected] == "confirmed"
    assert sum(1 for s_ in after.values() if s_ == "confirmed") == 40
    with db.read_session() as s:
        cancelled_mail, mail = s.execute(select(m.OutboxEmail)
                                         .order_by(m.OutboxEmail.id.desc())).scalars().all()[:2][::-1]
        cancelled_person = s.get(m.Participant, solo_confirmed)
    assert table_count(m.OutboxEmail) == mails_before + 2 and mail.to_address == promoted_person.email
    assert "une place s’est libérée" in mail.body
    # the one who left is told too, with the calendar file that takes the session out of their agenda
    assert cancelled_mail.to_address == cancelled_person.email and "METHOD:CANCEL" in cancelled_mail.attachment


def test_promotion_skips_a_waiting_person_whose_organisation_is_full(database):
    event = make_event("small", themes=1, per_theme=1, cap=3, per_org=1)
    sid = event["sessions"][0]
    a, b, c, d, e_ = (sign_up(event, n, org, sessions=[sid]) for n, org in
                      [(1, "Stics"), (2, "Samusocial"), (3, "stics asbl"), (4, "Diogènes"), (5, "")])
    assert [x.placements[0].reason for x in (a, b, c, d, e_)] == \
        ["confirmed", "confirmed", "waiting_org", "confirmed", "waiting_full"]
    assert (c.placements[0].waiting_position, e_.placements[0].waiting_position) == (1, 2)
    reg.cancel(d.token, sid)                     # C is first in line but Stics already has its one place
    assert reg.participant_view(e_.token).registrations[0].status == "confirmed"
    assert reg.participant_view(c.token).registrations[0].status == "waiting"
    assert reg.participant_view(c.token).registrations[0].waiting_position == 1
    reg.cancel(a.token, sid)                     # now Stics has room: C comes in
    assert reg.participant_view(c.token).registrations[0].status == "confirmed"


def test_signing_up_again_after_cancelling_goes_to_the_end_of_the_waiting_list(database):
    event = make_event("tiny", themes=1, per_theme=1, cap=1)
    sid = event["sessions"][0]
    a = sign_up(event, 1, sessions=[sid])
    b = sign_up(event, 2, sessions=[sid])
    reg.cancel(a.token, sid)                     # B promoted
    assert reg.participant_view(b.token).registrations[0].status == "confirmed"
    again = reg.add_sessions(a.token, [sid])
    assert again.placements[0].status == "waiting" and again.placements[0].reason == "waiting_full"
    with pytest.raises(AtelierError) as err:
        reg.cancel(a.token, event["sessions"][0] + 1000)
    assert err.value.key == "error.reg_session_unavailable"


def test_change_sessions_from_the_personal_link(event):
    r = sign_up(event, 1, "Stics", sessions=event["sessions"][:3])
    out = reg.change_sessions(r.token, add=event["sessions"][3:6], cancel=event["sessions"][:3])
    assert sorted((p.session_id, p.status) for p in out.placements) == sorted(
        [(sid, "cancelled") for sid in event["sessions"][:3]] + [(sid, "confirmed") for sid in event["sessions"][3:6]])
    view = reg.participant_view(r.token)
    assert {x.session_id for x in view.registrations if x.status == "confirmed"} == set(event["sessions"][3:6])
    with pytest.raises(AtelierError) as err:
        reg.cancel(r.token, event["sessions"][0])
    assert err.value.key == "error.reg_not_registered"
    with pytest.raises(AtelierError) as err:
        reg.cancel("x" * 43, event["sessions"][3])
    assert err.value.key == "error.reg_invalid_link"
    with pytest.raises(AtelierError) as err:    # a session that has started cannot be left any more
        reg.cancel(r.token, event["sessions"][3], now_local=_future(400))
    assert err.value.key == "error.reg_session_started"


# --- organisers -------------------------------------------------------------------------------------

def organiser(event_id: int, role: str = "organiser") -> Actor:
    with db.write_session() as s:
        user = m.User(username=f"{role}{event_id}", name=role, role=role, password_hash="x")
        s.add(user)
        s.flush()
        uid = user.id
    return Actor(kind="staff", id=uid, role=role, label=role, event_ids=frozenset({event_id}))


def test_organiser_override_confirms_over_the_cap_and_facilitator_cannot(database):
    event = make_event("ovr", themes=1, per_theme=1, cap=1)
    sid = event["sessions"][0]
    sign_up(event, 1, sessions=[sid])
    waiting = sign_up(event, 2, sessions=[sid])
    boss, facilitator = organiser(event["id"]), organiser(event["id"], "facilitator")
    roster = reg.rosters(boss, event["id"])[0]
    assert [r.name for r in roster.waiting] == ["Prénom2 Nom2"] and len(roster.confirmed) == 1
    with pytest.raises(PermissionDenied):
        reg.confirm_anyway(facilitator, roster.waiting[0].registration_id)
    reg.confirm_anyway(boss, roster.waiting[0].registration_id)
    roster = reg.rosters(boss, event["id"])[0]
    assert len(roster.confirmed) == 2 and roster.waiting == ()
    assert [r.overridden for r in roster.confirmed if r.name == "Prénom2 Nom2"] == [True]
    assert reg.participant_view(waiting.token).registrations[0].status == "confirmed"
    # an organiser of another event sees nothing
    stranger = Actor(kind="staff", id=999, role="organiser", label="x", event_ids=frozenset({event["id"] + 1}))
    with pytest.raises(PermissionDenied):
        reg.rosters(stranger, event["id"])


def test_organiser_cancel_and_raising_the_cap_promote_from_the_waiting_list(database):
    event = make_event("caps", themes=1, per_theme=1, cap=1)
    sid = event["sessions"][0]
    a, b, c = (sign_up(event, n, sessions=[sid]) for n in (1, 2, 3))
    boss = organiser(event["id"])
    roster = reg.rosters(boss, event["id"])[0]
    reg.cancel_registration(boss, roster.confirmed[0].registration_id)
    assert reg.participant_view(b.token).registrations[0].status == "confirmed"
    settings = reg.event_settings(event["id"])
    reg.update_settings(boss, event["id"], settings.version, participant_cap=5)
    assert reg.participant_view(c.token).registrations[0].status == "confirmed"
    with pytest.raises(AtelierError) as err:   # a stale settings form is refused
        reg.update_settings(boss, event["id"], settings.version, participant_cap=6)
    assert err.value.key == "error.stale_edit"
    with pytest.raises(AtelierError) as err:
        reg.update_settings(boss, event["id"], None, retention_months=0)
    assert err.value.key == "error.out_of_range"


def test_attendance_marked_by_the_facilitator_and_by_a_join(event):
    sid = event["sessions"][0]
    people = [sign_up(event, n, sessions=[sid]) for n in range(4)]
    facilitator = organiser(event["id"], "facilitator")
    roster = reg.rosters(facilitator, event["id"])[0]
    ids = [r.registration_id for r in roster.confirmed]
    assert reg.set_attendance(facilitator, sid, ids[:2]) == 2
    assert reg.set_attendance(facilitator, sid, ids[:2]) == 0
    assert reg.mark_present(sid, people[3].participant_id) is True
    assert reg.mark_present(sid, 424242) is False
    summary = reg.attendance_summary(event["id"]).set_index("session_id").loc[sid]
    assert (summary["confirmed"], summary["present"], summary["cap"]) == (4, 3, 40)
    assert reg.participant_view(people[3].token).registrations[0].present is True
    with db.read_session() as s:
        checked = s.execute(select(func.count()).select_from(m.Registration).where(
            m.Registration.checked_in_at.is_not(None))).scalar_one()
    assert checked == 3
    stranger = Actor(kind="participant", id=1, session_id=sid, label="x")
    with pytest.raises(PermissionDenied):
        reg.set_attendance(stranger, sid, ids)


def test_two_attendance_sheets_saved_at_once_keep_each_others_ticks(event):
    sid = event["sessions"][0]
    for n in range(4):
        sign_up(event, n, sessions=[sid])
    facilitator = organiser(event["id"], "facilitator")
    ids = sorted(r.registration_id for r in reg.rosters(facilitator, event["id"])[0].confirmed)
    # two people at the door, each ticking on their own sheet opened when nobody was present
    assert reg.update_attendance(facilitator, sid, {ids[0]: True, ids[1]: True}) == 2
    assert reg.update_attendance(facilitator, sid, {ids[2]: True}) == 1
    assert reg.update_attendance(facilitator, sid, {ids[1]: False}) == 1
    assert sorted(r.registration_id for r in reg.rosters(facilitator, event["id"])[0].confirmed if r.present) == \
        [ids[0], ids[2]]
    assert reg.update_attendance(facilitator, sid, {}) == 0
    with pytest.raises(AtelierError):
        reg.update_attendance(facilitator, sid, {ids[0] + 1000: True})
    with pytest.raises(PermissionDenied):
        reg.update_attendance(Actor(kind="participant", id=1, session_id=sid, label="x"), sid, {ids[0]: False})


def test_facilitators_see_names_but_not_email_addresses(event):
    sid = event["sessions"][0]
    sign_up(event, 1, "Stics", sessions=[sid])
    boss, facilitator = organiser(event["id"]), organiser(event["id"], "facilitator")
    (row,) = reg.rosters(facilitator, event["id"])[0].confirmed
    assert (row.name, row.organisation, row.email) == ("Prénom1 Nom1", "Stics", "")
    assert reg.rosters(boss, event["id"])[0].confirmed[0].email == "p1@example.org"
    assert reg.sees_contacts(boss, event["id"]) and not reg.sees_contacts(facilitator, event["id"])


def test_merging_organisations_counts_them_as_one(database):
    event = make_event("merge", themes=1, per_theme=1, per_org=2)
    sid = event["sessions"][0]
    sign_up(event, 1, "Fédération des Services Sociaux", sessions=[sid])
    sign_up(event, 2, "FdSS", sessions=[sid])
    boss = organiser(event["id"])
    orgs = {o.name: o for o in reg.event_organisations(boss, event["id"])}
    assert set(orgs) == {"Fédération des Services Sociaux", "FdSS"}
    reg.merge_organisations(boss, event["id"], orgs["FdSS"].id, orgs["Fédération des Services Sociaux"].id)
    orgs_after = reg.event_organisations(boss, event["id"])
    assert [(o.name, o.participants) for o in orgs_after] == [("Fédération des Services Sociaux", 2)]
    third = sign_up(event, 3, "fdss asbl", sessions=[sid])        # the merged name now counts for the same place
    assert third.placements[0].reason == "waiting_org"
    with pytest.raises(AtelierError) as err:
        reg.merge_organisations(boss, event["id"], orgs_after[0].id, orgs_after[0].id)
    assert err.value.key == "error.reg_merge_same"


def test_merge_suggestions_find_look_alike_names(database):
    event = make_event("sugg", themes=1, per_theme=1)
    sid = event["sessions"][0]
    for n, org in enumerate(["Maison médicale du Nord", "Maison medicale Nord", "CPAS de Schaerbeek"]):
        sign_up(event, n, org, sessions=[sid])
    pairs = reg.merge_suggestions(organiser(event["id"]), event["id"])
    assert [{a.name, b.name} for a, b, _ in pairs] == [{"Maison médicale du Nord", "Maison medicale Nord"}]


def test_public_event_shows_places_left_but_no_names(event):
    sid = event["sessions"][0]
    sign_up(event, 1, sessions=[sid])
    public = reg.public_event(event["slug"])
    first = public.themes[0].sessions[0]
    assert (first.id, first.places_left, first.available) == (sid, 39, True)
    assert "Prénom1" not in repr(public) and "p1@example.org" not in repr(public)
    assert [len(t.sessions) for t in public.themes] == [3, 3, 3]


# --- calendar files and emails -------------------------------------------------------------------

def _unfold(raw: bytes) -> list[str]:
    text = raw.decode("utf-8")
    assert "\n" not in text.replace("\r\n", "")
    return text.replace("\r\n ", "").split("\r\n")


def test_calendar_file_follows_rfc5545():
    entry = inv.CalendarEntry(uid="atelier-session-1@test", starts_at=dt.datetime(2024, 1, 15, 13, 0),
                              ends_at=dt.datetime(2024, 1, 15, 16, 30),
                              summary="Assises — Habiter, c’est « vivre »; ensemble, vraiment\\ " + "é" * 60,
                              location="Rue Royale 55, 1000 Bruxelles", description="Ligne 1\nLigne 2")
    raw = inv.calendar([entry], now=dt.datetime(2024, 1, 1, tzinfo=dt.UTC))
    assert raw.endswith(b"\r\n")
    assert all(len(line) <= 75 for line in raw.split(b"\r\n"))         # folded at 75 octets
    raw.decode("utf-8")                                                 # never inside a character
    lines = _unfold(raw)
    assert lines[0] == "BEGIN:VCALENDAR" and "END:VCALENDAR" in lines
    assert "DTSTART:20240115T120000Z" in lines and "DTEND:20240115T153000Z" in lines   # Brussels winter time
    summary = next(line for line in lines if line.startswith("SUMMARY:"))
    assert summary == "SUMMARY:Assises — Habiter\\, c’est « vivre »\\; ensemble\\, vraiment\\\\ " + "é" * 60
    assert "LOCATION:Rue Royale 55\\, 1000 Bruxelles" in lines
    assert "DESCRIPTION:Ligne 1\\nLigne 2" in lines


def test_session_calendar_file_has_place_time_and_personal_link(event):
    r = sign_up(event, 1, sessions=event["sessions"][:1])
    lines = _unfold(inv.session_ics(event["sessions"][0], "fr", r.token))
    assert any(line.startswith("LOCATION:Rue Royale 55") for line in lines)
    assert any(line.startswith("URL:" + inv.base_url()) and r.token in line for line in lines)
    assert sum(line == "BEGIN:VEVENT" for line in lines) == 1


def test_base_url_comes_from_the_environment(monkeypatch):
    monkeypatch.setenv("ATELIER_BASE_URL", "https://atelier.example.be/")
    assert inv.personal_link("abc", "nl") == "https://atelier.example.be/my-registration?token=abc&lang=nl"
    assert inv.registration_link("assises") == "https://atelier.example.be/register?event=assises"


def test_invitation_page_escapes_user_text(event):
    with db.read_session() as s:
        info = inv.session_info_in(s, event["sessions"][0])
    page = inv.invitation_html(info, "en", person_name="<script>alert(1)</script>", token="t" * 43)
    assert "<script>alert" not in page and "&lt;script&gt;" in page
    assert "Invitation" in page and "<svg" in page


class FakeSMTP:
    sent: list = []
    fail = False

    def __init__(self, host, port, timeout=None):
        self.host, self.port = host, port

    def starttls(self, context=None):
        pass

    def login(self, user, password):
        pass

    def send_message(self, msg):
        if FakeSMTP.fail:
            import smtplib
            raise smtplib.SMTPRecipientsRefused({msg["To"]: (550, b"no")})
        FakeSMTP.sent.append(msg)

    def quit(self):
        pass


def test_email_is_sent_when_smtp_is_configured_and_stays_queued_on_failure(event, monkeypatch):
    import smtplib

    monkeypatch.setenv("ATELIER_SMTP_HOST", "smtp.example.org")
    monkeypatch.setenv("ATELIER_SMTP_FROM", "atelier@example.org")
    monkeypatch.setattr(smtplib, "SMTP", FakeSMTP)
    FakeSMTP.sent, FakeSMTP.fail = [], False
    r = sign_up(event, 1, sessions=event["sessions"][:2], lang="en")
    assert len(FakeSMTP.sent) == 1
    msg = FakeSMTP.sent[0]
    assert msg["To"] == "p1@example.org" and "Your registration" in msg["Subject"]
    attachment = next(msg.iter_attachments())
    assert attachment.get_content_type() == "text/calendar"
    assert inv.personal_link(r.token, "en") in msg.get_body().get_content()
    with db.read_session() as s:
        assert s.execute(select(m.OutboxEmail.sent_at)).scalar_one() is not None
    FakeSMTP.fail = True
    sign_up(event, 2, sessions=event["sessions"][:1])
    with db.read_session() as s:
        failed = s.execute(select(m.OutboxEmail).where(m.OutboxEmail.to_address == "p2@example.org")).scalar_one()
    assert failed.sent_at is None and "SMTPRecipientsRefused" in failed.last_error
    rows = inv.outbox(event["id"])
    assert [(r_.to_address, r_.sent_at is None) for r_ in rows] == [("p2@example.org", True), ("p1@example.org", False)]


def test_without_smtp_emails_wait_in_the_outbox(event, monkeypatch):
    monkeypatch.delenv("ATELIER_SMTP_HOST", raising=False)
    sign_up(event, 1)
    assert inv.deliver_pending().configured is False
    assert [r.sent_at for r in inv.outbox(event["id"])] == [None]


def test_invitations_are_queued_for_confirmed_people_only(database):
    event = make_event("inv", themes=1, per_theme=1, cap=1)
    sid = event["sessions"][0]
    sign_up(event, 1, sessions=[sid], lang="nl")
    sign_up(event, 2, sessions=[sid])
    before = table_count(m.OutboxEmail)
    assert reg.queue_invitations(organiser(event["id"]), sid) == 1
    with db.read_session() as s:
        mail = s.execute(select(m.OutboxEmail).order_by(m.OutboxEmail.id.desc())).scalars().first()
    assert table_count(m.OutboxEmail) == before + 1
    assert mail.to_address == "p1@example.org" and mail.subject.startswith("Uitnodiging")
    assert "BEGIN:VEVENT" in mail.attachment
