"""Email and tokens: the outbox sends, then marks sent, with attempts, back-off and giving up; two
senders never send one email twice; messages carry Date, Message-ID and UTF-8 calendars; calendar
updates (METHOD:CANCEL, SEQUENCE) on cancellation and rescheduling; internationalised addresses;
personal links hashed, and links sent before the migration still working after it (and through a
backup taken before it). Runs on SQLite and PostgreSQL."""
from __future__ import annotations

import datetime as dt
import email.utils
import json
import secrets
import shutil
import smtplib
import threading
from collections.abc import Callable, Iterator
from itertools import pairwise
from pathlib import Path
from typing import Any

import icalendar
import pytest
from alembic import command as alembic_command
from alembic.config import Config
from sqlalchemy import MetaData, select, text

import manage
from core.access import accounts
from core.access.join import hash_token
from core.actor import SYSTEM
from core.errors import ValidationError
from core.reporting import backup
from core.setup import events
from core.signup import invitations as inv
from core.signup import registration as reg
from storage import db
from storage import models as m
from tests.conftest import BACKENDS, _own_schema
from tests.test_registration import _future, make_event, organiser, sign_up

ROOT = Path(__file__).resolve().parent.parent


# --- a mail server and a clock under the test's control -----------------------------------------

class MailServer:
    """What an SMTP server received. ``behaviour(msg)`` runs for each message and may raise (a
    refusal, a dropped connection...); a message counts as accepted only when it does not."""

    def __init__(self) -> None:
        self.tried: list[Any] = []
        self.accepted: list[Any] = []
        self.behaviour: Callable[[Any], None] | None = None
        self.lock = threading.Lock()

    def client_class(self) -> type:
        server = self

        class Client:
            def __init__(self, host: str, port: int, timeout: float | None = None) -> None:
                pass

            def starttls(self, context: Any = None) -> None:
                pass

            def login(self, user: str, password: str) -> None:
                pass

            def send_message(self, msg: Any) -> None:
                with server.lock:
                    server.tried.append(msg)
                if server.behaviour is not None:
                    server.behaviour(msg)
                with server.lock:
                    server.accepted.append(msg)

            def quit(self) -> None:
                pass

        return Client


@pytest.fixture
def mail_server(monkeypatch: pytest.MonkeyPatch) -> MailServer:
    server = MailServer()
    monkeypatch.setenv("ATELIER_SMTP_HOST", "smtp.example.org")
    monkeypatch.setenv("ATELIER_SMTP_FROM", "Atelier <atelier@example.org>")
    monkeypatch.setattr(smtplib, "SMTP", server.client_class())
    return server


@pytest.fixture
def no_smtp(monkeypatch: pytest.MonkeyPatch) -> None:
    """Emails stay in the outbox (a test then turns the server on with ``mail_server``)."""
    monkeypatch.delenv("ATELIER_SMTP_HOST", raising=False)


class Clock:
    def __init__(self) -> None:
        self.offset = dt.timedelta(0)

    def now(self) -> dt.datetime:
        return dt.datetime.now(dt.UTC).replace(tzinfo=None) + self.offset

    def advance(self, delta: dt.timedelta) -> None:
        self.offset += delta

    def move_to(self, moment: dt.datetime) -> None:
        self.offset += max(dt.timedelta(0), moment - self.now()) + dt.timedelta(seconds=1)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    c = Clock()
    monkeypatch.setattr(m, "utcnow", c.now)
    return c


@pytest.fixture
def event(database):
    return make_event("courriel", themes=1, per_theme=3)


def rows() -> list[m.OutboxEmail]:
    with db.read_session() as s:
        return list(s.execute(select(m.OutboxEmail).order_by(m.OutboxEmail.id)).scalars())


def row(email_id: int) -> m.OutboxEmail:
    with db.read_session() as s:
        return s.get(m.OutboxEmail, email_id)


def state(event_id: int, email_id: int) -> str:
    """What the organiser's outbox says of this email."""
    return next(r.state for r in inv.outbox(event_id) if r.id == email_id)


def refuse(code: int) -> Callable[[Any], None]:
    def behaviour(msg: Any) -> None:
        raise smtplib.SMTPRecipientsRefused({msg["To"]: (code, b"mailbox unavailable")})
    return behaviour


# --- delivery: send, then mark sent; attempts, back-off, giving up ----------------------------------

def test_a_send_that_raises_stays_queued_with_one_more_attempt_and_a_later_next_attempt(event, mail_server, clock):
    mail_server.behaviour = refuse(451)                  # "try again later"
    result = sign_up(event, 1)                           # delivered at once after the change: it fails
    (email_id,) = result.email_ids
    failed = row(email_id)
    assert failed.sent_at is None and failed.failed_at is None and failed.attempts == 1
    assert failed.next_attempt_at > clock.now() and "451" in failed.last_error
    assert state(event["id"], email_id) == "retrying"
    inv.deliver_pending()                                # not due yet: the server is not asked again
    assert len(mail_server.tried) == 1
    mail_server.behaviour = None
    clock.move_to(failed.next_attempt_at)
    assert inv.deliver_pending().sent == 1
    sent = row(email_id)
    assert sent.sent_at is not None and sent.attempts == 2 and sent.last_error == ""
    assert state(event["id"], email_id) == "sent"
    # the same message both times: a server or a mailbox that got the first one can drop the second
    assert mail_server.tried[0]["Message-ID"] == mail_server.accepted[0]["Message-ID"] == sent.message_id


def test_failures_wait_longer_each_time_then_give_up_with_the_error_kept(event, mail_server, clock, capsys):
    mail_server.behaviour = refuse(451)
    (email_id,) = sign_up(event, 1).email_ids
    waits = []
    for attempt in range(2, inv.OUTBOX_MAX_ATTEMPTS + 1):
        before = row(email_id)
        waits.append(before.next_attempt_at - clock.now())
        clock.move_to(before.next_attempt_at)
        if attempt < inv.OUTBOX_MAX_ATTEMPTS:
            assert inv.deliver_pending().failed == 1
        else:   # the last attempt, from the command line: it says it gave up, and on which address
            assert manage.main(["send-outbox"]) == 1
    assert all(later > earlier for earlier, later in pairwise(waits))           # longer each time...
    assert waits[-1] <= inv.OUTBOX_MAX_RETRY + dt.timedelta(seconds=2)        # ... up to a ceiling
    gave_up = row(email_id)
    assert gave_up.attempts == inv.OUTBOX_MAX_ATTEMPTS and gave_up.failed_at is not None
    assert gave_up.sent_at is None and "451" in gave_up.last_error
    assert state(event["id"], email_id) == "given_up"
    out = capsys.readouterr()
    assert f"given up: email {email_id} to p1@example.org" in out.err and "given up 1" in out.out
    clock.advance(dt.timedelta(days=30))
    inv.deliver_pending()
    assert len(mail_server.tried) == inv.OUTBOX_MAX_ATTEMPTS                  # never tried again


def test_a_permanent_refusal_stops_at_once(event, mail_server, clock):
    mail_server.behaviour = refuse(550)                  # no such mailbox
    (email_id,) = sign_up(event, 1).email_ids
    refused = row(email_id)
    assert refused.attempts == 1 and refused.failed_at is not None and refused.next_attempt_at is None
    assert "550" in refused.last_error and state(event["id"], email_id) == "given_up"
    clock.advance(dt.timedelta(days=2))
    mail_server.behaviour = None
    assert inv.deliver_pending().sent == 0 and len(mail_server.tried) == 1


def test_a_sender_that_dies_while_sending_loses_nothing(event, no_smtp, monkeypatch, clock):
    (email_id,) = sign_up(event, 1).email_ids
    server = MailServer()
    monkeypatch.setenv("ATELIER_SMTP_HOST", "smtp.example.org")
    monkeypatch.setattr(smtplib, "SMTP", server.client_class())

    def dies(msg: Any) -> None:
        raise SystemExit("killed")                       # not an error the sender handles: the process ends

    server.behaviour = dies
    with pytest.raises(SystemExit):
        inv.deliver_pending()
    claimed = row(email_id)
    assert claimed.sent_at is None and claimed.failed_at is None and claimed.attempts == 1
    server.behaviour = None
    inv.deliver_pending()                                # another run at once: the claim still holds
    assert server.accepted == []
    clock.move_to(claimed.next_attempt_at)               # the claim ran out: the email is due again
    assert inv.deliver_pending().sent == 1 and row(email_id).sent_at is not None


def _queue(event: dict, count: int) -> list[int]:
    ids: list[int] = []
    for n in range(count):
        ids += sign_up(event, n, sessions=event["sessions"][n % 3:n % 3 + 1]).email_ids
    return ids


def _sent_ids(server: MailServer) -> list[int]:
    with db.read_session() as s:
        by_message = dict(s.execute(select(m.OutboxEmail.message_id, m.OutboxEmail.id)).all())
    return sorted(by_message[msg["Message-ID"]] for msg in server.accepted)


def test_a_second_sender_skips_the_email_the_first_is_sending(event, no_smtp, monkeypatch):
    ids = _queue(event, 3)
    server = MailServer()
    monkeypatch.setenv("ATELIER_SMTP_HOST", "smtp.example.org")
    monkeypatch.setattr(smtplib, "SMTP", server.client_class())
    other = threading.Thread(target=inv.deliver_pending, name="second-sender")

    def first_message_waits_for_the_other_sender(msg: Any) -> None:
        if threading.current_thread() is not other and other.ident is None:
            other.start()        # while the first sender holds its email, the second one runs to the end
            other.join(60)

    server.behaviour = first_message_waits_for_the_other_sender
    inv.deliver_pending()
    assert not other.is_alive()
    assert _sent_ids(server) == sorted(ids)              # each email once
    assert all(row(i).sent_at is not None for i in ids)


def test_concurrent_senders_send_each_email_once(event, no_smtp, monkeypatch):
    ids = _queue(event, 18)
    server = MailServer()
    monkeypatch.setenv("ATELIER_SMTP_HOST", "smtp.example.org")
    monkeypatch.setattr(smtplib, "SMTP", server.client_class())
    barrier = threading.Barrier(4)
    errors: list[BaseException] = []

    def sender() -> None:
        try:
            barrier.wait(timeout=30)
            inv.deliver_pending()
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=sender) for _ in range(4)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(120)
    assert errors == []
    assert _sent_ids(server) == sorted(ids)
    assert {row(i).attempts for i in ids} == {1}


# --- what a message carries -------------------------------------------------------------------------

def test_messages_have_date_message_id_and_utf8_calendars(event, mail_server, clock):
    sign_up(event, 1, sessions=event["sessions"][:3], lang="nl")
    (msg,) = mail_server.accepted
    sent_at = email.utils.parsedate_to_datetime(msg["Date"])
    assert abs(sent_at - dt.datetime.now(dt.UTC)) < dt.timedelta(minutes=5)
    assert msg["Message-ID"].startswith("<") and msg["Message-ID"].endswith("@example.org>")
    assert msg["Message-ID"] == rows()[0].message_id
    parts = list(msg.iter_attachments())
    assert len(parts) == 3                                # one calendar per session: one event per iTIP message
    uids = set()
    for part in parts:
        assert part.get_content_type() == "text/calendar"
        assert part.get_param("charset") == "utf-8" and part.get_param("method") == "REQUEST"
        cal = icalendar.Calendar.from_ical(part.get_content())
        (vevent,) = cal.walk("VEVENT")
        assert cal["METHOD"] == "REQUEST" and int(vevent["SEQUENCE"]) == 0
        assert str(vevent["ORGANIZER"]) == "mailto:atelier@example.org"
        assert str(vevent["ATTENDEE"]) == "mailto:p1@example.org"
        uids.add(str(vevent["UID"]))
    assert len(uids) == 3


# --- calendar updates ---------------------------------------------------------------------------------

def calendars(mail: m.OutboxEmail) -> list[icalendar.Calendar]:
    return [icalendar.Calendar.from_ical(ics) for ics, _ in inv.split_calendars(mail.attachment or "")]


def only_event(mail: m.OutboxEmail) -> tuple[str, icalendar.Event]:
    (cal,) = calendars(mail)
    (vevent,) = cal.walk("VEVENT")
    return str(cal["METHOD"]), vevent


def new_mails(since: int) -> list[m.OutboxEmail]:
    return [r for r in rows() if r.id > since]


def last_id() -> int:
    return max((r.id for r in rows()), default=0)


def test_a_cancellation_sends_a_cancel_calendar_with_a_higher_sequence_for_the_same_event(event, no_smtp):
    sid = event["sessions"][0]
    mine = sign_up(event, 1, sessions=[sid])
    method, invited = only_event(rows()[-1])
    assert method == "REQUEST"
    cursor = last_id()
    reg.cancel(mine.token, sid)
    (mail,) = new_mails(cursor)
    assert mail.to_address == "p1@example.org" and "annulée" in mail.subject
    method, cancelled = only_event(mail)
    assert method == "CANCEL" and str(cancelled["STATUS"]) == "CANCELLED"
    assert str(cancelled["UID"]) == str(invited["UID"])
    assert int(cancelled["SEQUENCE"]) > int(invited["SEQUENCE"])
    # signing up again puts the same event back, newer than the cancellation
    cursor = last_id()
    reg.add_sessions(mine.token, [sid])
    method, again = only_event(new_mails(cursor)[-1])
    assert method == "REQUEST" and str(again["UID"]) == str(invited["UID"])
    assert int(again["SEQUENCE"]) > int(cancelled["SEQUENCE"])


def test_an_organiser_cancelling_someone_takes_the_event_out_of_their_calendar_only(database, no_smtp):
    event = make_event("annule", themes=1, per_theme=1, cap=1)
    sid = event["sessions"][0]
    confirmed = sign_up(event, 1, sessions=[sid])
    waiting = sign_up(event, 2, sessions=[sid])
    with db.read_session() as s:
        regs = {r.participant_id: r.id for r in s.execute(select(m.Registration)).scalars()}
    staff = organiser(event["id"])
    cursor = last_id()
    reg.cancel_registration(staff, regs[waiting.participant_id])
    assert new_mails(cursor) == []                       # never sent a calendar: nothing to take back
    reg.cancel_registration(staff, regs[confirmed.participant_id])
    (mail,) = [r for r in new_mails(cursor) if r.to_address == "p1@example.org"]
    method, vevent = only_event(mail)
    assert method == "CANCEL" and int(vevent["SEQUENCE"]) == 1


def test_a_rescheduled_session_sends_its_confirmed_people_an_update_with_a_higher_sequence(database, no_smtp):
    event = make_event("deplace", themes=1, per_theme=1, cap=1)
    sid = event["sessions"][0]
    sign_up(event, 1, sessions=[sid])
    sign_up(event, 2, sessions=[sid])                    # waiting: no calendar, no update
    _, invited = only_event(rows()[0])
    cursor = last_id()
    start = _future(60, hour=9)
    events.update_session(SYSTEM, sid, None, starts_at=start, ends_at=start + dt.timedelta(hours=3))
    (mail,) = new_mails(cursor)
    assert mail.to_address == "p1@example.org" and "Changement" in mail.subject
    method, moved = only_event(mail)
    assert method == "REQUEST" and str(moved["UID"]) == str(invited["UID"])
    assert int(moved["SEQUENCE"]) == int(invited["SEQUENCE"]) + 1
    assert moved.decoded("DTSTART") == start.replace(tzinfo=inv.timezone())
    assert inv.when_text(start, start + dt.timedelta(hours=3), "fr") in mail.body
    # a new place for the event moves every session of it
    cursor = last_id()
    events.update_event(SYSTEM, event["id"], None, place="Maison des associations, Namur")
    method, relocated = only_event(new_mails(cursor)[0])
    assert str(relocated["LOCATION"]) == "Maison des associations, Namur"
    assert int(relocated["SEQUENCE"]) == int(moved["SEQUENCE"]) + 1
    # a new title changes no date, time or place: nobody is written to
    cursor = last_id()
    events.update_session(SYSTEM, sid, None, title="Atelier du matin")
    assert new_mails(cursor) == [] and inv.deliver_pending().updates_queued == 0


def test_a_move_made_without_the_hook_is_caught_up_by_the_sender(database, no_smtp, monkeypatch):
    event = make_event("rattrape", themes=1, per_theme=1)
    sid = event["sessions"][0]
    sign_up(event, 1, sessions=[sid])
    monkeypatch.setattr(events, "SCHEDULE_LISTENERS", {})   # a process where core.signup was not loaded
    cursor = last_id()
    start = _future(50, hour=14)
    events.update_session(SYSTEM, sid, None, starts_at=start, ends_at=start + dt.timedelta(hours=2))
    assert new_mails(cursor) == []
    assert inv.deliver_pending().updates_queued == 1     # send-outbox notices the move
    method, moved = only_event(new_mails(cursor)[0])
    assert method == "REQUEST" and int(moved["SEQUENCE"]) == 1
    assert inv.deliver_pending().updates_queued == 0     # and tells it once


# --- one email rule ----------------------------------------------------------------------------------

def test_an_internationalised_address_registers_normalised_and_goes_out_in_ascii(event, mail_server):
    typed = "Info@Cre\u0300che-Soleil.be"                # « è » typed as e + combining grave accent
    result = reg.register(event["slug"], first_name="Crèche", email=typed, session_ids=event["sessions"][:1],
                          consent=True)
    assert reg.participant_view(result.token).email == "info@crèche-soleil.be"
    (msg,) = mail_server.accepted
    assert msg["To"] == "info@xn--crche-soleil-ydb.be"   # any mail server takes it
    again = reg.register(event["slug"], first_name="X", email="INFO@crèche-soleil.be",
                         session_ids=event["sessions"][:1], consent=True)
    assert again.existing                                # one person, however the address is typed


@pytest.mark.parametrize("bad", ["info@crèche soleil.be", "info@@crèche-soleil.be", "info@crèche-soleil",
                                 "a..b@example.org", "pas une adresse"])
def test_an_invalid_address_is_refused_with_the_form_message_and_writes_nothing(event, bad):
    with pytest.raises(ValidationError) as err:
        reg.register(event["slug"], first_name="X", email=bad, session_ids=event["sessions"][:1], consent=True)
    assert err.value.key == "error.reg_email_invalid" and err.value.field == "email"
    assert rows() == []


def test_staff_accounts_take_the_same_rule(database, monkeypatch):
    monkeypatch.setattr(accounts, "hash_password", lambda password: "x")
    user = accounts.create_user("zoe", "organiser", "Zoé", "Zoé@Crèche-Soleil.be", "assez-long-1")
    assert user.email == "zoé@crèche-soleil.be"
    with pytest.raises(ValidationError) as err:
        accounts.create_user("leo", "organiser", "Léo", "leo@crèche soleil.be", "assez-long-1")
    assert err.value.key == "error.invalid_email"


# --- personal links: hashed; links sent before the migration keep working -----------------------

def _alembic(action: str, revision: str) -> None:
    cfg = Config(str(ROOT / "alembic.ini"))
    cfg.set_main_option("script_location", str(ROOT / "migrations"))
    cfg.attributes["skip_logging"] = True
    getattr(alembic_command, action)(cfg, revision)


@pytest.fixture(params=BACKENDS)
def scratch(request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path) -> Iterator[str]:
    """A database of the test's own (its schema goes up and down through migrations)."""
    if request.param == "sqlite":
        path = tmp_path / "scratch.db"
        shutil.copy(sqlite_template, path)
        url = f"sqlite:///{path}"
        db.configure(url)
        yield url
        db.configure(None)
        db.get_engine(url).dispose()
    else:
        with _own_schema("atelier_email") as url:
            db.configure(url)
            yield url
            db.configure(None)


def _every_text() -> list[str]:
    meta = MetaData()
    with db.get_engine().connect() as conn:
        meta.reflect(conn)
        return [str(v) for table in meta.sorted_tables for r in conn.execute(select(table)) for v in r
                if isinstance(v, str)]


def test_the_database_keeps_personal_links_hashed_and_sent_emails_without_them(event, mail_server):
    result = sign_up(event, 1, sessions=event["sessions"][:2])
    (msg,) = mail_server.accepted
    link = inv.personal_link(result.token, "fr")
    assert link in msg.get_body().get_content()                    # the person got the link...
    assert all(result.token in part.get_content().replace("\r\n ", "")          # (in the calendars too)
               for part in msg.iter_attachments())
    texts = " ".join(_every_text())
    assert result.token not in texts                               # ...the database keeps only its hash
    assert hash_token(result.token) in texts
    assert reg.participant_view(result.token).participant_id == result.participant_id
    kept = rows()[0]
    assert "/my-registration?token=…" in kept.body
    assert [len(cal.walk("VEVENT")) for cal in calendars(kept)] == [1, 1]   # the calendars kept still read


def test_a_personal_link_sent_before_the_migration_still_works_after_it(scratch, no_smtp):
    event = make_event("migration", themes=1, per_theme=1)
    sid = event["sessions"][0]
    person = sign_up(event, 1, sessions=[sid]).participant_id
    _alembic("downgrade", "0004")
    old_link = secrets.token_urlsafe(32)                 # how 0004 stored a personal link: in clear
    with db.get_engine().begin() as conn:
        conn.execute(text("UPDATE participants SET personal_token = :t WHERE id = :p"), {"t": old_link, "p": person})
    _alembic("upgrade", "head")
    view = reg.participant_view(old_link)                # the link in the old email opens the page
    assert view.participant_id == person and view.email == "p1@example.org"
    assert old_link not in " ".join(_every_text())       # and the database no longer holds it in clear
    assert hash_token(old_link) in _every_text()
    assert inv.deliver_pending().updates_queued == 0     # the upgrade itself writes to nobody
    cursor = last_id()
    start = _future(70, hour=10)
    events.update_session(SYSTEM, sid, None, starts_at=start, ends_at=start + dt.timedelta(hours=3))
    method, moved = only_event(new_mails(cursor)[0])     # a move after it reaches those registered before
    assert method == "REQUEST" and int(moved["SEQUENCE"]) == 1


def test_a_backup_taken_before_the_migration_restores_with_its_links_working(scratch, no_smtp):
    event = make_event("sauvegarde", themes=1, per_theme=1)
    person = sign_up(event, 1, sessions=event["sessions"][:1]).participant_id
    data = backup.backup_data()
    # the same content as a backup taken at revision 0004 held it: the link in clear on the person,
    # no table of links, none of the columns 0005 added
    old_link = secrets.token_urlsafe(32)
    old = json.loads(json.dumps(data))
    old["schema_revision"] = "0004"
    del old["tables"]["personal_links"]
    for name, dropped in (("outbox", {"attempts", "next_attempt_at", "failed_at", "message_id"}),
                          ("registrations", {"calendar_sequence", "calendar_sent"})):
        table = old["tables"][name]
        keep = [i for i, c in enumerate(table["columns"]) if c not in dropped]
        table["columns"] = [table["columns"][i] for i in keep]
        table["rows"] = [[r[i] for i in keep] for r in table["rows"]]
    people = old["tables"]["participants"]
    at = people["columns"].index("personal_token")
    for r in people["rows"]:
        r[at] = old_link if r[people["columns"].index("id")] == person else None
    # restored as ``manage.py restore`` does: into an empty database at the backup's revision, then upgraded
    _alembic("downgrade", "0004")
    meta = MetaData()
    with db.get_engine().begin() as conn:
        meta.reflect(conn)
    # nor the tables and columns of the revisions after 0005 (0006 onwards)
    for name in list(old["tables"]):
        if name not in meta.tables:
            del old["tables"][name]
            continue
        table, present = old["tables"][name], set(meta.tables[name].columns.keys())
        keep = [i for i, c in enumerate(table["columns"]) if c in present]
        table["columns"] = [table["columns"][i] for i in keep]
        table["rows"] = [[r[i] for i in keep] for r in table["rows"]]
    with db.get_engine().begin() as conn:
        for table in reversed(meta.sorted_tables):
            if table.name != "alembic_version":
                conn.execute(table.delete())
    backup.restore_data(old)
    _alembic("upgrade", "head")
    assert reg.participant_view(old_link).participant_id == person
    assert old_link not in " ".join(_every_text())
