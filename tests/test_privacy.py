"""Privacy: a person sees, downloads and erases their data; organisers export and erase; the
retention purge. Erasure is checked by reading every column of every table."""
from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import func, select

from core import entities as e
from core.access.join import hash_token
from core.actor import SYSTEM, Actor
from core.errors import AtelierError, PermissionDenied
from core.personas import canvas
from core.signup import privacy
from core.signup import registration as reg
from storage import db
from storage import models as m
from tests.test_registration import make_event, organiser, sign_up


def every_text_in_the_database() -> list[tuple[str, str, str]]:
    """(table, column, text) for every non-empty value of every row of every table."""
    out = []
    with db.read_session() as s:
        for table in m.Base.metadata.sorted_tables:
            for row in s.execute(select(table)).mappings():
                for column, value in row.items():
                    if value is None or isinstance(value, (bool, int, float, dt.date, dt.datetime)):
                        continue
                    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
                    if text:
                        out.append((table.name, column, text))
    return out


def traces(needles: list[str]) -> list[tuple[str, str, str]]:
    needles = [n.casefold() for n in needles]
    return [(t, c, v[:80]) for t, c, v in every_text_in_the_database() if any(n in v.casefold() for n in needles)]


@pytest.fixture
def erasable(database):
    """Zoé registered for two sessions (one of them full, so someone waits behind her), joined a
    session with a browser token under her name, and a sub-group built a persona there."""
    event = make_event("privacy", themes=1, per_theme=2, cap=1)
    first, second = event["sessions"]
    zoe = reg.register(event["slug"], first_name="Zoé", last_name="Vandermeulen-Quist",
                       email="zoe.vdmq@example.org", organisation="Collectif Zébulon Unique",
                       sector="Aide aux sans-abri", session_ids=[first, second], consent=True, lang="nl")
    waiting = sign_up(event, 2, "Samusocial", sessions=[first])
    with db.write_session() as s:
        group = m.Subgroup(session_id=first, name="Table 1", join_code="ABCDEF")
        s.add(group)
        s.flush()
        token = m.ParticipantToken(token_hash="h" * 64, session_id=first, subgroup_id=group.id,
                                   participant_id=zoe.participant_id, display_name="Zoé Vandermeulen-Quist")
        s.add(token)
        s.flush()
        s.add(m.Activity(actor_type="participant", actor_id=token.id, actor_label="Zoé Vandermeulen-Quist",
                         action="join", entity_type="participant_token", entity_id=token.id, session_id=first,
                         after={"subgroup_id": group.id, "display_name": "Zoé Vandermeulen-Quist"}))
        group_id, token_id = group.id, token.id
    persona = canvas_persona(first, group_id)
    # she signs a finding on the board under the name she joined with
    her_browser = Actor(kind="participant", id=token_id, label="Zoé Vandermeulen-Quist", session_id=first,
                        subgroup_id=group_id)
    e.create(her_browser, "contribution", session_id=first, subgroup_id=group_id, kind="finding",
             text="Les loyers explosent", created_by="Zoé Vandermeulen-Quist")
    return {"event": event, "zoe": zoe, "waiting": waiting, "persona": persona}


def canvas_persona(session_id: int, subgroup_id: int) -> int:
    persona = canvas.create_persona(SYSTEM, session_id, "Ahmed", subgroup_id=subgroup_id, age=34)
    canvas.add_barrier(SYSTEM, persona["id"], "Logement trop cher", nature="objective")
    return persona["id"]


ZOE = ["Vandermeulen-Quist", "zoe.vdmq@example.org", "Zébulon Unique", "Aide aux sans-abri"]


def test_a_person_sees_and_downloads_only_their_own_data(erasable):
    data = privacy.personal_data(erasable["zoe"].token)
    assert data["person"]["email"] == "zoe.vdmq@example.org"
    assert data["person"]["organisation"] == "Collectif Zébulon Unique"
    assert [r["status"] for r in data["registrations"]] == ["confirmed", "confirmed"]
    assert len(data["emails"]) == 1 and data["emails"][0]["subject"].startswith("Je inschrijving")
    raw = privacy.to_json(data).decode("utf-8")
    assert "Prénom2" not in raw and "p2@example.org" not in raw
    assert json.loads(raw) == data


def test_erasure_from_the_personal_link_leaves_no_personal_field_anywhere(erasable):
    token = erasable["zoe"].token
    assert traces(ZOE) != [] and traces([hash_token(token)]) != []   # the checks below can fail: the data is there now
    personas_before = privacy_counts()
    privacy.erase_by_token(token)
    assert traces(ZOE + [token, hash_token(token)]) == []            # her personal links are gone too
    assert traces(["Zoé"]) == []                      # not even the first name, in the join log or tokens
    with pytest.raises(AtelierError) as err:
        reg.participant_view(token)
    assert err.value.key == "error.reg_invalid_link"
    # her place in the upcoming session went to the person waiting; the workshops' work stays
    assert reg.participant_view(erasable["waiting"].token).registrations[0].status == "confirmed"
    assert privacy_counts() == personas_before
    with db.read_session() as s:
        person = s.get(m.Participant, erasable["zoe"].participant_id)
        token_row = s.execute(select(m.ParticipantToken)).scalar_one()
    assert person.erased_at is not None and token_row.participant_id is None
    assert reg.public_event(erasable["event"]["slug"]).themes[0].sessions[0].places_left == 0


def privacy_counts() -> tuple[int, int, list[str]]:
    with db.read_session() as s:
        return (s.execute(select(func.count()).select_from(m.Persona)).scalar_one(),
                s.execute(select(func.count()).select_from(m.CanvasItem)).scalar_one(),
                list(s.execute(select(m.Contribution.text)).scalars()))


def test_a_failed_email_leaves_no_trace_after_erasure(erasable, monkeypatch):
    import smtplib

    from core.signup import invitations as inv
    from tests.test_registration import FakeSMTP

    monkeypatch.setenv("ATELIER_SMTP_HOST", "smtp.example.org")
    monkeypatch.setattr(smtplib, "SMTP", FakeSMTP)
    FakeSMTP.sent, FakeSMTP.fail = [], True
    assert len(inv.deliver_pending().given_up) == 2       # 550: refused for good, the error is kept
    assert any(t == "outbox" and c == "last_error" for t, c, _ in traces(["zoe.vdmq@example.org"]))
    privacy.erase_by_token(erasable["zoe"].token)
    assert traces(ZOE) == []


def test_organiser_exports_and_erases_a_person_but_a_facilitator_cannot(erasable):
    event_id = erasable["event"]["id"]
    boss, facilitator = organiser(event_id), organiser(event_id, "facilitator")
    pid = erasable["zoe"].participant_id
    with pytest.raises(PermissionDenied):
        privacy.personal_data_for(facilitator, pid)
    with pytest.raises(PermissionDenied):
        privacy.erase_participant(facilitator, pid)
    assert privacy.personal_data_for(boss, pid)["person"]["last_name"] == "Vandermeulen-Quist"
    people = reg.event_people(boss, event_id)
    assert {p.email for p in people} == {"zoe.vdmq@example.org", "p2@example.org"}
    privacy.erase_participant(boss, pid)
    assert traces(ZOE) == []
    assert {p.email for p in reg.event_people(boss, event_id)} == {"p2@example.org"}
    with pytest.raises(AtelierError):
        privacy.erase_participant(boss, pid)       # already erased: nothing more to do
    stranger = Actor(kind="staff", id=77, role="organiser", label="x", event_ids=frozenset({event_id + 1}))
    with pytest.raises(PermissionDenied):
        privacy.personal_data_for(stranger, erasable["waiting"].participant_id)


def test_a_shared_organisation_is_kept_when_one_member_is_erased(database):
    event = make_event("shared-org", themes=1, per_theme=1)
    a = sign_up(event, 1, "Stics")
    sign_up(event, 2, "Stics asbl")
    privacy.erase_by_token(a.token)
    assert [o.name for o in reg.event_organisations(organiser(event["id"]), event["id"])] == ["Stics"]


def _past_event(slug: str, months: int | None, days_ago: int) -> dict:
    event = make_event(slug, themes=1, per_theme=1)
    session_id = event["sessions"][0]
    with db.write_session() as s:    # move the session into the past
        x = s.get(m.WorkshopSession, session_id)
        x.starts_at = dt.datetime.now() - dt.timedelta(days=days_ago)
        x.ends_at = x.starts_at + dt.timedelta(hours=3)
    before = (dt.datetime.now() - dt.timedelta(days=days_ago + 30))
    person = sign_up(event, slug, "Orga " + slug, sessions=[session_id], now_local=before)
    reg.mark_present(session_id, person.participant_id)
    if months is not None:
        reg.update_settings(SYSTEM, event["id"], None, retention_months=months)
    return {**event, "person": person}


def test_retention_purge_erases_people_of_expired_events_only(database):
    expired = _past_event("old", months=6, days_ago=400)
    recent = _past_event("recent", months=6, days_ago=10)
    forever = _past_event("forever", months=None, days_ago=400)
    dry = privacy.purge_expired(dry_run=True)
    assert [(p.event_slug, p.erased) for p in dry] == [("old", 1)]
    assert traces(["pold@example.org"]) != []
    report = privacy.purge_expired()
    assert [(p.event_slug, p.erased) for p in report] == [("old", 1)]
    assert traces(["pold@example.org", "Orga old", expired["person"].token]) == []
    assert reg.participant_view(recent["person"].token).email == "precent@example.org"
    assert reg.participant_view(forever["person"].token).email == "pforever@example.org"
    # attendance of the purged event still counts, unlinked from the person
    summary = reg.attendance_summary(expired["id"]).iloc[0]
    assert (summary["confirmed"], summary["present"]) == (1, 1)
    assert privacy.purge_expired() == [privacy.PurgeItem("old", report[0].last_day, report[0].purge_on, 0)]
    status = privacy.retention_status(recent["id"])
    assert status.purge_on == privacy.add_months(status.last_day, 6)


def test_add_months_keeps_the_end_of_month():
    assert privacy.add_months(dt.date(2024, 1, 31), 1) == dt.date(2024, 2, 29)
    assert privacy.add_months(dt.date(2023, 11, 16), 14) == dt.date(2025, 1, 16)
