"""Invitations: calendar files (.ics), printable invitations, and the outbox of emails.

- ``calendar()`` writes an iCalendar file by hand, following RFC 5545: CRLF line ends, TEXT values
  escaped (``\\ ; , newline``), lines folded at 75 octets without splitting a UTF-8 character,
  times in UTC (sessions are stored in the local time of ``ATELIER_TIMEZONE``, default
  Europe/Brussels).
- Calendars in emails are iTIP messages (RFC 5546), one VCALENDAR per session: METHOD:REQUEST
  when a place is confirmed or the session moves, METHOD:CANCEL when the place is cancelled. The
  UID is stable per registration and session, and the SEQUENCE (kept on the registration with a
  fingerprint of what was sent) only goes up, so a calendar program updates or removes the event
  it already has. A session's time or place changed by the organiser (``core.setup.events`` calls
  ``queue_calendar_updates_in`` through ``SCHEDULE_LISTENERS``; ``deliver_pending`` also catches
  up on any change made without it) sends its confirmed people an update.
- Every email is first written to the ``outbox`` table in the same transaction as the change it
  reports. When ``ATELIER_SMTP_HOST`` is set, ``deliver_pending()`` sends it with smtplib after
  the commit; otherwise it stays queued and the organiser sees it in the outbox. Delivery claims one
  email at a time (``FOR UPDATE SKIP LOCKED`` on PostgreSQL, ``BEGIN IMMEDIATE`` on SQLite: two
  senders never take the same one), sends it, then marks it sent: a sender that dies in between
  leaves it to be tried again after ``OUTBOX_LEASE``. A failure waits longer each time
  (``retry_delay``); a permanent refusal (5xx on the recipient or the message) or
  ``OUTBOX_MAX_ATTEMPTS`` attempts give up, keeping the error for the organiser and the command line.
- Personal links (``my-registration?token=...``) are stored hashed (``personal_links``); each email
  that carries one carries a new token (``new_personal_token_in``), known only to that email.
- Links in emails start with ``ATELIER_BASE_URL`` (default http://127.0.0.1:8501).

Nothing here imports Streamlit.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import html
import logging
import os
import re
import secrets
import smtplib
import ssl
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr
from urllib.parse import urlencode

from sqlalchemy import ColumnElement, func, or_, select, update
from sqlalchemy.orm import Session

from core import entities as e
from core.access.join import hash_token
from core.actor import SYSTEM
from core.errors import NotFound
from core.i18n import fmt_date, fmt_time, translate
from core.settings import DEFAULT_BASE_URL, DEFAULT_TIMEZONE, base_url, local_now, timezone  # noqa: F401 (re-exported)
from core.setup import events
from core.validation import ascii_email
from storage import db
from storage import models as m

log = logging.getLogger(__name__)

DEFAULT_SESSION_LENGTH = dt.timedelta(hours=3, minutes=30)  # a half-day, when a session has no end
REGISTER_PATH = "register"
MY_REGISTRATION_PATH = "my-registration"  # app.py url_path of app_pages/my_registration.py
TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{20,64}$")   # what a personal link token can look like
PRODID = "-//Atelier//Registration//FR"
CANCELLED = "CANCEL"          # registrations.calendar_sent after a METHOD:CANCEL
# delivery: attempts (each claim is one), the wait after the n-th failure (doubling, capped), and how
# long a claimed email is left to its sender before another may try it (a sender that died)
OUTBOX_MAX_ATTEMPTS = 8
OUTBOX_FIRST_RETRY = dt.timedelta(minutes=5)
OUTBOX_MAX_RETRY = dt.timedelta(hours=6)
OUTBOX_LEASE = dt.timedelta(minutes=15)


def registration_link(slug: str, lang: str | None = None) -> str:
    params = {"event": slug} | ({"lang": lang} if lang else {})
    return f"{base_url()}/{REGISTER_PATH}?{urlencode(params)}"


def personal_link(token: str, lang: str | None = None) -> str:
    params = {"token": token} | ({"lang": lang} if lang else {})
    return f"{base_url()}/{MY_REGISTRATION_PATH}?{urlencode(params)}"


def new_personal_token_in(s: Session, participant_id: int) -> str:
    """A new personal link token for the person: returned in clear (to put in one email), stored
    hashed like the join tokens. Earlier links keep working until the person's data is erased."""
    token = secrets.token_urlsafe(32)
    s.add(m.PersonalLink(participant_id=participant_id, token_hash=hash_token(token), created_at=m.utcnow()))
    s.flush()
    return token


def participant_by_token_in(s: Session, token: object) -> m.Participant | None:
    """The (not erased) person of a personal link token, or None (also for anything that is not
    a token: the link is looked up by the hash of what it carries)."""
    if not isinstance(token, str) or not TOKEN_RE.match(token):
        return None
    return s.execute(select(m.Participant).join(m.PersonalLink, m.PersonalLink.participant_id == m.Participant.id)
                     .where(m.PersonalLink.token_hash == hash_token(token), m.Participant.erased_at.is_(None))
                     ).scalars().first()


# --- iCalendar ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class CalendarEntry:
    uid: str
    starts_at: dt.datetime            # naive, local time of the events
    ends_at: dt.datetime | None
    summary: str
    location: str = ""
    description: str = ""
    url: str = ""
    sequence: int | None = None       # iTIP: the version of this event (only goes up)
    cancelled: bool = False           # STATUS:CANCELLED (with METHOD:CANCEL)
    organizer: str = ""               # an email address (iTIP messages name the organiser...)
    attendee: str = ""                # ... and the attendee)
    attendee_name: str = ""


def ics_escape(text: str) -> str:
    """Escape a TEXT value (RFC 5545 3.3.11)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def fold(line: str, limit: int = 75) -> str:
    """Fold a content line at ``limit`` octets (RFC 5545 3.1), never inside a UTF-8 character."""
    parts: list[str] = []
    current: list[str] = []
    size = 0
    for ch in line:
        width = len(ch.encode("utf-8"))
        if size + width > limit:
            parts.append("".join(current))
            current, size = [" "], 1  # a continuation line starts with one space
        current.append(ch)
        size += width
    parts.append("".join(current))
    return "\r\n".join(parts)


_PARAM_UNSAFE = re.compile(r'["\x00-\x1f\x7f]')


def _param(text: str) -> str:
    """A quoted parameter value (RFC 5545 3.2): no double quote nor control character inside."""
    return '"' + _PARAM_UNSAFE.sub("", text) + '"'


def _cal_address(address: str) -> str:
    """``mailto:`` + the address, or "" when it could break the line (validated addresses never do)."""
    if not address or any(ch.isspace() or ch in '":;,<>\\' or not ch.isprintable() for ch in address):
        return ""
    return "mailto:" + address


def _utc(value: dt.datetime) -> str:
    aware = value.replace(tzinfo=timezone()) if value.tzinfo is None else value
    return aware.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")


def calendar(entries: Iterable[CalendarEntry], now: dt.datetime | None = None, method: str = "PUBLISH") -> bytes:
    """An iCalendar file with one VEVENT per entry (UTF-8 bytes)."""
    stamp = _utc(now or dt.datetime.now(dt.UTC))
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", f"PRODID:{PRODID}", "CALSCALE:GREGORIAN", f"METHOD:{method}"]
    for entry in entries:
        end = (entry.ends_at if entry.ends_at and entry.ends_at > entry.starts_at
               else entry.starts_at + DEFAULT_SESSION_LENGTH)
        lines += ["BEGIN:VEVENT", f"UID:{entry.uid}"]
        if entry.sequence is not None:
            lines.append(f"SEQUENCE:{entry.sequence}")
        lines += [f"DTSTAMP:{stamp}", f"DTSTART:{_utc(entry.starts_at)}",
                  f"DTEND:{_utc(end)}", f"SUMMARY:{ics_escape(entry.summary)}"]
        if entry.location:
            lines.append(f"LOCATION:{ics_escape(entry.location)}")
        if entry.description:
            lines.append(f"DESCRIPTION:{ics_escape(entry.description)}")
        if entry.url:
            lines.append(f"URL:{entry.url}")
        if entry.cancelled:
            lines.append("STATUS:CANCELLED")
        organizer = _cal_address(entry.organizer)
        if organizer:
            lines.append(f"ORGANIZER;CN={_param('Atelier')}:{organizer}")
        attendee = _cal_address(entry.attendee)
        if attendee:
            name = f";CN={_param(entry.attendee_name)}" if entry.attendee_name else ""
            partstat = "DECLINED" if entry.cancelled else "ACCEPTED"
            lines.append(f"ATTENDEE{name};ROLE=REQ-PARTICIPANT;PARTSTAT={partstat};RSVP=FALSE:{attendee}")
        lines.append("END:VEVENT")
    lines.append("END:VCALENDAR")
    return ("\r\n".join(fold(line) for line in lines) + "\r\n").encode("utf-8")


def calendar_fingerprint(starts_at: dt.datetime, ends_at: dt.datetime | None, place: str) -> str:
    """What a calendar said of a session (its time and place), to know whether it changed since.
    (Migration 0005 holds a frozen copy: change both, or add a migration.)"""
    text = "|".join([starts_at.isoformat(), ends_at.isoformat() if ends_at else "", place or ""])
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def split_calendars(stream: str) -> list[tuple[str, str]]:
    """The VCALENDAR objects of an iCalendar stream (RFC 5545 3.4), each with its METHOD."""
    out = []
    for part in re.split(r"(?=BEGIN:VCALENDAR\r?\n)", stream):
        if part.strip():
            method = re.search(r"^METHOD:([A-Z-]+)\r?$", part, re.MULTILINE)
            out.append((part, method.group(1) if method else "PUBLISH"))
    return out


# --- what an invitation says -------------------------------------------------------------------

@dataclass(frozen=True)
class SessionInfo:
    session_id: int
    event_id: int
    event_slug: str
    event_title: str
    theme_title: str
    session_title: str
    starts_at: dt.datetime | None
    ends_at: dt.datetime | None
    place: str

    @property
    def label(self) -> str:
        return f"{self.theme_title} — {self.session_title}" if self.session_title else self.theme_title


def session_info_in(s: Session, session_id: int) -> SessionInfo | None:
    row = s.execute(
        select(m.WorkshopSession, m.Theme, m.Event)
        .join(m.Theme, m.Theme.id == m.WorkshopSession.theme_id)
        .join(m.Event, m.Event.id == m.Theme.event_id)
        .where(m.WorkshopSession.id == session_id, m.WorkshopSession.deleted_at.is_(None),
               m.Theme.deleted_at.is_(None), m.Event.deleted_at.is_(None))
    ).first()
    if row is None:
        return None
    x, theme, event = row
    return SessionInfo(x.id, event.id, event.slug, event.title, theme.title, x.title or "", x.starts_at, x.ends_at,
                       event.place or "")


def when_text(starts_at: dt.datetime | None, ends_at: dt.datetime | None, lang: str) -> str:
    """« jeudi 16 novembre 2023, 13:00–16:30 » in the reader's language."""
    if starts_at is None:
        return translate(lang, "reg.when_unknown")
    day = fmt_date(starts_at.date(), lang)
    if ends_at:
        return translate(lang, "reg.when_range", date=day, start=fmt_time(starts_at, lang), end=fmt_time(ends_at, lang))
    return translate(lang, "reg.when_start", date=day, start=fmt_time(starts_at, lang))


def when(info: SessionInfo, lang: str) -> str:
    return when_text(info.starts_at, info.ends_at, lang)


def _host() -> str:
    return base_url().split("//", 1)[-1].split("/", 1)[0].split(":", 1)[0] or "atelier"


def registration_uid(reg: m.Registration) -> str:
    """The calendar UID of one person's place in one session: the same in every calendar they get."""
    return f"atelier-registration-{reg.id}-session-{reg.session_id}@{_host()}"


def calendar_entry(info: SessionInfo, lang: str, token: str | None = None, *, uid: str | None = None,
                   **itip: object) -> CalendarEntry | None:
    if info.starts_at is None:
        return None
    description = [info.event_title, info.label]
    link = ""
    if token:
        link = personal_link(token, lang)
        description.append(translate(lang, "reg.ics_personal_link", link=link))
    return CalendarEntry(uid=uid or f"atelier-session-{info.session_id}@{_host()}", starts_at=info.starts_at,
                         ends_at=info.ends_at, summary=f"{info.event_title} — {info.label}",
                         location=info.place, description="\n".join(description), url=link,
                         **itip)  # type: ignore[arg-type]


def _registration_calendar_in(reg: m.Registration, person: m.Participant, info: SessionInfo, lang: str,
                              token: str | None, cancel: bool = False) -> str | None:
    """The iTIP calendar of one person's place (METHOD:REQUEST, or METHOD:CANCEL), recording on the
    registration what it says and its SEQUENCE: the same calendar again keeps its number, anything
    else (another time or place, a cancellation, a place taken again) takes the next one."""
    if info.starts_at is None:
        return None
    state = CANCELLED if cancel else calendar_fingerprint(info.starts_at, info.ends_at, info.place)
    if reg.calendar_sent and reg.calendar_sent != state:
        reg.calendar_sequence = (reg.calendar_sequence or 0) + 1
    reg.calendar_sent = state
    entry = calendar_entry(info, lang, token, uid=registration_uid(reg), sequence=reg.calendar_sequence or 0,
                           cancelled=cancel, organizer=sender_address(), attendee=person.email,
                           attendee_name=_name(person))
    return calendar([entry], method="CANCEL" if cancel else "REQUEST").decode("utf-8") if entry else None


def session_ics(session_id: int, lang: str = "fr", token: str | None = None) -> bytes:
    """The calendar file of one session to download (with the personal link when ``token`` is
    given; then also the UID and SEQUENCE of the person's place, so that it is the same event as
    the one their emails update)."""
    with db.read_session() as s:
        info = session_info_in(s, int(session_id))
        extra: dict[str, object] = {}
        person = participant_by_token_in(s, token) if token else None
        reg = s.execute(select(m.Registration).where(m.Registration.participant_id == person.id,
                                                     m.Registration.session_id == int(session_id))
                        ).scalar_one_or_none() if person is not None else None
        if reg is not None:
            extra = {"uid": registration_uid(reg), "sequence": reg.calendar_sequence or 0}
    entry = calendar_entry(info, lang, token, **extra) if info else None  # type: ignore[arg-type]
    if entry is None:
        raise NotFound("error.reg_no_date", field="session")
    return calendar([entry])


def invitation_for(session_id: int, lang: str, token: str | None = None, person_name: str = "",
                   status: str = "confirmed") -> bytes:
    """The printable invitation of one session, as an HTML file to download and print."""
    with db.read_session() as s:
        info = session_info_in(s, int(session_id))
    if info is None:
        raise NotFound(field="session")
    return invitation_html(info, lang, person_name, token, status).encode("utf-8")


def ics_file_name(info: SessionInfo) -> str:
    day = info.starts_at.strftime("%Y-%m-%d") if info.starts_at else "session"
    return f"atelier-{info.event_slug}-{day}-{info.session_id}.ics"


def invitation_html(info: SessionInfo, lang: str, person_name: str = "", token: str | None = None,
                    status: str = "confirmed") -> str:
    """A self-contained printable invitation (every value escaped; opened and printed by the user)."""
    import segno

    def tr(key: str, **params: str) -> str:
        return html.escape(translate(lang, key, **params))

    esc = html.escape
    link = personal_link(token, lang) if token else ""
    rows = [
        (tr("reg.invitation.event"), esc(info.event_title)),
        (tr("reg.invitation.session"), esc(info.label)),
        (tr("reg.invitation.when"), esc(when(info, lang))),
    ]
    if info.place:
        rows.append((tr("reg.invitation.place"), esc(info.place)))
    if person_name:
        rows.append((tr("reg.invitation.for"), esc(person_name)))
    table = "\n".join(f"<tr><th>{k}</th><td>{v}</td></tr>" for k, v in rows)
    qr = ""
    if link:
        qr = (f'<div class="qr">{segno.make(link, error="m").svg_inline(scale=3)}'
              f"<p>{tr('reg.invitation.link')}<br><code>{esc(link)}</code></p></div>")
    status_line = tr("reg.invitation.status_" + ("confirmed" if status == "confirmed" else "waiting"))
    return f"""<!doctype html>
<html lang="{esc(lang)}"><head><meta charset="utf-8">
<title>{tr("reg.invitation.title")} — {esc(info.event_title)}</title>
<style>
body{{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;max-width:42rem;margin:2rem auto;color:#111;
line-height:1.45}}
h1{{font-size:1.6rem;margin-bottom:.2rem}}
th{{text-align:left;padding:.3rem 1rem .3rem 0;vertical-align:top;color:#444}}
td{{padding:.3rem 0}} .status{{font-weight:600;margin:1rem 0}} .qr{{margin-top:1.5rem}}
code{{word-break:break-all;font-size:.8rem}}
@media print{{body{{margin:0}} .noprint{{display:none}}}}
</style></head><body>
<h1>{tr("reg.invitation.title")}</h1>
<p>{tr("reg.invitation.intro")}</p>
<table>{table}</table>
<p class="status">{status_line}</p>
<p>{tr("reg.invitation.entry")}</p>
{qr}
<p class="noprint"><button onclick="window.print()">{tr("reg.invitation.print")}</button></p>
</body></html>
"""


# --- outbox --------------------------------------------------------------------------------------

def queue_in(s: Session, to_address: str, subject: str, body: str, *, event_id: int | None,
             participant_id: int | None, attachment_name: str = "",
             attachment: bytes | str | None = None) -> m.OutboxEmail:
    """Write one email to the outbox in the caller's transaction."""
    if isinstance(attachment, bytes):
        attachment = attachment.decode("utf-8")
    row = m.OutboxEmail(to_address=to_address[:200], subject=subject[:300], body=body, event_id=event_id,
                        participant_id=participant_id, attachment_name=attachment_name[:120],
                        attachment=attachment, created_at=m.utcnow())
    s.add(row)
    s.flush()
    return row


@dataclass(frozen=True)
class EmailLine:
    info: SessionInfo
    status: str                  # confirmed / waiting
    waiting_position: int | None = None


def _body(lang: str, name: str, intro: str, lines: Sequence[EmailLine], token: str | None) -> str:
    out = [translate(lang, "reg.email.greeting", name=name), "", intro, ""]
    places = []
    for line in lines:
        key = "reg.email.line_confirmed" if line.status == "confirmed" else "reg.email.line_waiting"
        out.append(translate(lang, key, session=line.info.label, when=when(line.info, lang),
                             position=line.waiting_position or "?"))
        if line.info.place and line.info.place not in places:
            places.append(line.info.place)
    if places:
        out += ["", translate(lang, "reg.email.place", place=" / ".join(places))]
    if any(line.status == "confirmed" and line.info.starts_at for line in lines):
        out += ["", translate(lang, "reg.email.ics_note")]
    if token:
        out += ["", translate(lang, "reg.email.link_intro"), personal_link(token, lang)]
    out += ["", translate(lang, "reg.email.signature")]
    return "\n".join(out)


def _name(person: m.Participant) -> str:
    return f"{person.first_name} {person.last_name}".strip()


def _registration_of(s: Session, participant_id: int, session_id: int) -> m.Registration | None:
    return s.execute(select(m.Registration).where(m.Registration.participant_id == participant_id,
                                                  m.Registration.session_id == session_id)).scalar_one_or_none()


def _attachment_in(s: Session, person: m.Participant, lines: Sequence[EmailLine], lang: str,
                   token: str | None) -> tuple[str, str | None]:
    """One METHOD:REQUEST calendar per confirmed, dated session of the email (an iTIP message holds
    one event), as one iCalendar stream; the sender attaches each as its own file."""
    parts: list[tuple[SessionInfo, str]] = []
    for line in lines:
        if line.status != "confirmed":
            continue
        reg = _registration_of(s, person.id, line.info.session_id)
        ics = _registration_calendar_in(reg, person, line.info, lang, token) if reg is not None else None
        if ics:
            parts.append((line.info, ics))
    if not parts:
        return "", None
    return ics_file_name(parts[0][0]) if len(parts) == 1 else "atelier.ics", "".join(ics for _, ics in parts)


def _queue_with_lines_in(s: Session, person: m.Participant, event_id: int, subject: str, intro: str,
                         lines: Sequence[EmailLine], token: str | None) -> m.OutboxEmail:
    lang = person.lang or "fr"
    token = token or new_personal_token_in(s, person.id)
    att_name, att = _attachment_in(s, person, lines, lang, token)
    return queue_in(s, person.email, subject, _body(lang, _name(person), intro, lines, token), event_id=event_id,
                    participant_id=person.id, attachment_name=att_name, attachment=att)


def queue_confirmation_in(s: Session, participant: m.Participant, event: m.Event, lines: Sequence[EmailLine],
                          token: str | None = None) -> m.OutboxEmail:
    """The places just taken (``token``: the person's link when the caller has it, else a new one)."""
    lang = participant.lang or "fr"
    return _queue_with_lines_in(s, participant, event.id,
                                translate(lang, "reg.email.confirm_subject", event=event.title),
                                translate(lang, "reg.email.confirm_intro", event=event.title), lines, token)


def queue_promotion_in(s: Session, participant: m.Participant, info: SessionInfo) -> m.OutboxEmail:
    lang = participant.lang or "fr"
    return _queue_with_lines_in(s, participant, info.event_id,
                                translate(lang, "reg.email.promoted_subject", event=info.event_title),
                                translate(lang, "reg.email.promoted_intro"), [EmailLine(info, "confirmed")], None)


def queue_invitation_in(s: Session, participant: m.Participant, info: SessionInfo) -> m.OutboxEmail:
    lang = participant.lang or "fr"
    return _queue_with_lines_in(s, participant, info.event_id,
                                translate(lang, "reg.email.invitation_subject", session=info.label,
                                          event=info.event_title),
                                translate(lang, "reg.email.invitation_intro"), [EmailLine(info, "confirmed")], None)


def queue_schedule_update_in(s: Session, participant: m.Participant, info: SessionInfo) -> m.OutboxEmail:
    """The session moved (time or place): the new details, and a METHOD:REQUEST calendar with the
    next SEQUENCE that moves the event in the person's calendar."""
    lang = participant.lang or "fr"
    return _queue_with_lines_in(s, participant, info.event_id,
                                translate(lang, "reg.email.update_subject", session=info.label,
                                          event=info.event_title),
                                translate(lang, "reg.email.update_intro", session=info.label),
                                [EmailLine(info, "confirmed")], None)


def queue_cancellation_in(s: Session, participant: m.Participant, reg: m.Registration,
                          info: SessionInfo | None) -> m.OutboxEmail | None:
    """A place was cancelled (by the person or an organiser): when the person was sent a calendar
    for it, tell them, with a METHOD:CANCEL calendar (the same UID, the next SEQUENCE) that takes
    the event out of their calendar. None when there is nothing to take back."""
    if reg.calendar_sent in ("", CANCELLED) or info is None or info.starts_at is None \
            or participant.erased_at is not None or not participant.email:
        return None
    lang = participant.lang or "fr"
    token = new_personal_token_in(s, participant.id)
    ics = _registration_calendar_in(reg, participant, info, lang, None, cancel=True)
    intro = "\n".join([translate(lang, "reg.email.cancel_intro", session=info.label, when=when(info, lang)), "",
                       translate(lang, "reg.email.cancel_ics_note")])
    return queue_in(s, participant.email,
                    translate(lang, "reg.email.cancel_subject", session=info.label, event=info.event_title),
                    _body(lang, _name(participant), intro, [], token), event_id=info.event_id,
                    participant_id=participant.id, attachment_name=ics_file_name(info), attachment=ics)


def queue_link_reminder_in(s: Session, participant: m.Participant, event: m.Event) -> m.OutboxEmail:
    lang = participant.lang or "fr"
    token = new_personal_token_in(s, participant.id)
    subject = translate(lang, "reg.email.link_subject", event=event.title)
    body = _body(lang, _name(participant), translate(lang, "reg.email.link_body", event=event.title), [], token)
    return queue_in(s, participant.email, subject, body, event_id=event.id, participant_id=participant.id)


def queue_calendar_updates_in(s: Session, session_ids: Iterable[int] | None = None,
                              now_local: dt.datetime | None = None) -> list[int]:
    """Send an update to every confirmed person of the (given, else every) session still to come
    whose last calendar does not say the session's present time and place (the organiser moved it,
    or gave it a date). Returns the ids of the emails queued."""
    now_local = now_local or local_now()
    q = (select(m.Registration, m.Participant, m.WorkshopSession, m.Event.place)
         .join(m.Participant, m.Participant.id == m.Registration.participant_id)
         .join(m.WorkshopSession, m.WorkshopSession.id == m.Registration.session_id)
         .join(m.Theme, m.Theme.id == m.WorkshopSession.theme_id)
         .join(m.Event, m.Event.id == m.Theme.event_id)
         .where(m.Registration.status == "confirmed", m.Participant.erased_at.is_(None), m.Participant.email != "",
                m.WorkshopSession.deleted_at.is_(None), m.WorkshopSession.starts_at.is_not(None),
                m.WorkshopSession.starts_at > now_local, m.Theme.deleted_at.is_(None), m.Event.deleted_at.is_(None))
         .order_by(m.Registration.session_id, m.Registration.id))
    if session_ids is not None:
        q = q.where(m.Registration.session_id.in_(list(session_ids)))
    infos: dict[int, SessionInfo | None] = {}
    queued: list[int] = []
    for reg, person, x, place in s.execute(q).all():
        if x.starts_at is None or reg.calendar_sent == calendar_fingerprint(x.starts_at, x.ends_at, place):
            continue
        if x.id not in infos:
            infos[x.id] = session_info_in(s, x.id)
        info = infos[x.id]
        if info is None:
            continue
        queued.append(queue_schedule_update_in(s, person, info).id)
        e.record(s, SYSTEM, "calendar_update", "registration", reg.id,
                 e.Scope(event_id=info.event_id, session_id=info.session_id),
                 after={"calendar_sequence": reg.calendar_sequence})
    return queued


def _on_schedule_change(s: Session, session_ids: list[int]) -> None:
    queue_calendar_updates_in(s, session_ids)


events.SCHEDULE_LISTENERS["signup.calendar_updates"] = _on_schedule_change


@dataclass(frozen=True)
class OutboxRow:
    id: int
    to_address: str
    subject: str
    created_at: dt.datetime
    sent_at: dt.datetime | None
    last_error: str
    has_attachment: bool
    attempts: int = 0
    next_attempt_at: dt.datetime | None = None
    failed_at: dt.datetime | None = None       # delivery given up (``last_error`` says why)

    @property
    def state(self) -> str:
        """sent / given_up / retrying (failed before, will be tried again) / queued."""
        if self.sent_at is not None:
            return "sent"
        if self.failed_at is not None:
            return "given_up"
        return "retrying" if self.last_error else "queued"


def outbox(event_id: int, limit: int = 500) -> list[OutboxRow]:
    """The event's emails, newest first (the caller checks the reader may see the event)."""
    with db.read_session() as s:
        rows = s.execute(select(m.OutboxEmail).where(m.OutboxEmail.event_id == event_id)
                         .order_by(m.OutboxEmail.id.desc()).limit(limit)).scalars().all()
        return [OutboxRow(r.id, r.to_address, r.subject, r.created_at, r.sent_at, r.last_error or "",
                          bool(r.attachment), r.attempts or 0, r.next_attempt_at, r.failed_at) for r in rows]


# --- delivery ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    user: str
    password: str
    sender: str
    security: str        # starttls / ssl / none


def smtp_settings() -> SmtpSettings | None:
    """From the environment: ATELIER_SMTP_HOST (required), _PORT, _USER, _PASSWORD, _FROM, _SECURITY."""
    host = os.environ.get("ATELIER_SMTP_HOST", "").strip()
    if not host:
        return None
    security = (os.environ.get("ATELIER_SMTP_SECURITY") or "starttls").strip().lower()
    default_port = {"ssl": 465, "none": 25}.get(security, 587)
    try:
        port = int(os.environ.get("ATELIER_SMTP_PORT") or default_port)
    except ValueError:
        port = default_port
    user = os.environ.get("ATELIER_SMTP_USER", "")
    sender = os.environ.get("ATELIER_SMTP_FROM") or user or f"atelier@{host}"
    return SmtpSettings(host, port, user, os.environ.get("ATELIER_SMTP_PASSWORD", ""), sender, security)


def sender_address() -> str:
    """The address emails come from (the ORGANIZER of their calendars)."""
    cfg = smtp_settings()
    address = parseaddr(cfg.sender if cfg else os.environ.get("ATELIER_SMTP_FROM", ""))[1]
    return address if "@" in address else f"atelier@{_host()}"


@dataclass(frozen=True)
class GivenUp:
    id: int
    to_address: str
    error: str


@dataclass(frozen=True)
class DeliveryReport:
    configured: bool
    sent: int = 0
    failed: int = 0                   # failed this time, to be tried again later
    given_up: tuple[GivenUp, ...] = ()  # failed for good this time (permanent refusal, or too many attempts)
    error: str = ""                   # the mail server could not be reached
    updates_queued: int = 0           # calendar updates for sessions moved without the hook


def retry_delay(attempts: int) -> dt.timedelta:
    """The wait before the next attempt after ``attempts`` failed ones: 5 min, 10, 20... up to 6 h."""
    return min(OUTBOX_FIRST_RETRY * 2 ** max(0, attempts - 1), OUTBOX_MAX_RETRY)


def is_permanent(exc: BaseException) -> bool:
    """A refusal that another attempt would not change: the server refused every recipient or the
    message with a 5xx reply, or the address needs SMTPUTF8 that the server does not offer."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in exc.recipients.values()]
        return bool(codes) and all(500 <= code < 600 for code in codes)
    if isinstance(exc, smtplib.SMTPDataError):
        return 500 <= exc.smtp_code < 600
    return isinstance(exc, smtplib.SMTPNotSupportedError)


@dataclass(frozen=True)
class _Claimed:
    id: int
    to_address: str
    subject: str
    body: str
    attachment_name: str
    attachment: str | None
    message_id: str


def _message(row: m.OutboxEmail | _Claimed, sender: str) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = ascii_email(row.to_address)   # the domain in punycode: no SMTPUTF8 needed for it
    msg["Subject"] = row.subject
    msg["Date"] = formatdate(localtime=True)
    msg["Message-ID"] = row.message_id or make_msgid(domain=_domain(sender))
    msg.set_content(row.body)
    calendars = split_calendars(row.attachment) if row.attachment else []
    stem = (row.attachment_name or "atelier.ics").removesuffix(".ics")
    for i, (ics, method) in enumerate(calendars, 1):
        name = f"{stem}.ics" if len(calendars) == 1 else f"{stem}-{i}.ics"
        msg.add_attachment(ics.encode("utf-8"), maintype="text", subtype="calendar", filename=name,
                           params={"charset": "utf-8", "method": method})
    return msg


def _domain(sender: str) -> str:
    address = parseaddr(sender)[1]
    return address.rsplit("@", 1)[1] if "@" in address else _host()


def _connect(cfg: SmtpSettings) -> smtplib.SMTP:
    if cfg.security == "ssl":
        client: smtplib.SMTP = smtplib.SMTP_SSL(cfg.host, cfg.port, timeout=15, context=ssl.create_default_context())
    else:
        client = smtplib.SMTP(cfg.host, cfg.port, timeout=15)
        if cfg.security == "starttls":
            client.starttls(context=ssl.create_default_context())
    if cfg.user:
        client.login(cfg.user, cfg.password)
    return client


def _due(now: dt.datetime) -> ColumnElement[bool]:
    return (m.OutboxEmail.sent_at.is_(None) & m.OutboxEmail.failed_at.is_(None)
            & or_(m.OutboxEmail.next_attempt_at.is_(None), m.OutboxEmail.next_attempt_at <= now))


def _claim_next(ids: list[int] | None, sender: str) -> _Claimed | None:
    """Take the next email due, for this sender alone: its attempt is counted and it is leased for
    ``OUTBOX_LEASE`` (another sender skips it meanwhile; it is due again after, should this one die)."""
    now = m.utcnow()
    with db.write_session() as s:   # SQLite: BEGIN IMMEDIATE, one claimer at a time
        q = select(m.OutboxEmail).where(_due(now)).order_by(m.OutboxEmail.id).limit(1)
        if ids is not None:
            q = q.where(m.OutboxEmail.id.in_(ids))
        row = s.execute(q.with_for_update(skip_locked=True)).scalar_one_or_none()   # PostgreSQL
        if row is None:
            return None
        row.attempts = (row.attempts or 0) + 1
        row.next_attempt_at = now + OUTBOX_LEASE
        if not row.message_id:
            row.message_id = make_msgid(domain=_domain(sender))[:250]
        e.record(s, SYSTEM, "send", "outbox", row.id, e.Scope(event_id=row.event_id), after={"attempt": row.attempts})
        return _Claimed(row.id, row.to_address, row.subject, row.body, row.attachment_name, row.attachment,
                        row.message_id)


_LINK_TOKEN = re.compile(r"(/" + MY_REGISTRATION_PATH + r"\?token=)[A-Za-z0-9_-]+")


def redact_links(text: str) -> str:
    """The text with the token of every personal link replaced by « … »."""
    return _LINK_TOKEN.sub("\\1…", text)


def _redact_calendar(ics: str) -> str:
    unfolded = ics.replace("\r\n ", "")
    return "\r\n".join(fold(line) if line else line for line in redact_links(unfolded).split("\r\n"))


def _mark_sent(email_id: int) -> None:
    """Sent: the copy kept in the outbox loses the personal link's token (it lives on only in the
    person's mailbox; the database keeps its hash)."""
    with db.write_session() as s:
        row = s.get(m.OutboxEmail, email_id)
        if row is None:   # erased meanwhile
            return
        row.sent_at, row.next_attempt_at, row.last_error = m.utcnow(), None, ""
        row.body = redact_links(row.body)
        if row.attachment:
            row.attachment = _redact_calendar(row.attachment)


def _mark_failed(email_id: int, exc: BaseException, permanent: bool) -> GivenUp | None:
    """The error is kept; the email waits ``retry_delay`` or, when the failure is permanent or its
    attempts are used up, is given up. The log keeps only the kind of error (the text may name the
    address)."""
    now = m.utcnow()
    with db.write_session() as s:
        row = s.get(m.OutboxEmail, email_id)
        if row is None:   # erased meanwhile
            return None
        row.last_error = f"{type(exc).__name__}: {exc}"[:300]
        give_up = permanent or (row.attempts or 0) >= OUTBOX_MAX_ATTEMPTS
        row.failed_at, row.next_attempt_at = (now, None) if give_up else (None, now + retry_delay(row.attempts or 0))
        e.record(s, SYSTEM, "send_failed", "outbox", email_id, e.Scope(event_id=row.event_id),
                 after={"error": type(exc).__name__, "attempt": row.attempts, "given_up": give_up})
        return GivenUp(row.id, row.to_address, row.last_error) if give_up else None


def _note_unreachable(ids: list[int] | None, exc: BaseException) -> None:
    """The server could not be reached: the due emails show why, their attempts are not used up."""
    now = m.utcnow()
    with db.write_session() as s:
        q = update(m.OutboxEmail).where(_due(now)).values(last_error=f"{type(exc).__name__}: {exc}"[:300])
        if ids is not None:
            q = q.where(m.OutboxEmail.id.in_(ids))
        s.execute(q)


def _catch_up_calendar_updates() -> int:
    """Updates for sessions moved while the hook was not loaded (another process, a restore...)."""
    def work(s: Session) -> int:
        return len(queue_calendar_updates_in(s))
    return e.run_write(work)


def deliver_pending(ids: Iterable[int] | None = None, limit: int = 100) -> DeliveryReport:
    """Send the emails due (all, or these ids) by SMTP when it is configured, one at a time: claimed,
    sent, then marked sent. Failures wait and are tried again (``retry_delay``) until they give up.
    The whole run (``ids`` None: ``manage.py send-outbox``, the outbox page) first queues the calendar
    updates of sessions that moved."""
    wanted = None if ids is None else list(ids)
    updates = _catch_up_calendar_updates() if wanted is None else 0
    cfg = smtp_settings()
    if cfg is None:
        return DeliveryReport(configured=False, updates_queued=updates)
    with db.read_session() as s:
        q = select(func.count()).select_from(m.OutboxEmail).where(_due(m.utcnow()))
        if wanted is not None:
            q = q.where(m.OutboxEmail.id.in_(wanted))
        if not s.execute(q).scalar_one():
            return DeliveryReport(configured=True, updates_queued=updates)
    try:
        client = _connect(cfg)
    except (OSError, smtplib.SMTPException) as exc:
        log.warning("SMTP connection failed: %s", type(exc).__name__)
        _note_unreachable(wanted, exc)
        return DeliveryReport(configured=True, error=f"{type(exc).__name__}: {exc}"[:300], updates_queued=updates)
    sent = failed = 0
    given_up: list[GivenUp] = []
    try:
        for _ in range(limit):
            row = _claim_next(wanted, cfg.sender)
            if row is None:
                break
            try:
                msg = _message(row, cfg.sender)
            except (ValueError, TypeError, UnicodeError) as exc:   # a message that cannot be written
                gave_up = _mark_failed(row.id, exc, permanent=True)
                given_up += [gave_up] if gave_up else []
                continue
            try:
                client.send_message(msg)
            except (OSError, smtplib.SMTPException) as exc:
                gave_up = _mark_failed(row.id, exc, permanent=is_permanent(exc))
                if gave_up:
                    given_up.append(gave_up)
                else:
                    failed += 1
                if isinstance(exc, smtplib.SMTPServerDisconnected) or not isinstance(exc, smtplib.SMTPException):
                    break   # the connection is gone (SMTPException is an OSError too): the others wait
                continue
            _mark_sent(row.id)
            sent += 1
    finally:
        try:
            client.quit()
        except (OSError, smtplib.SMTPException):
            pass
    return DeliveryReport(configured=True, sent=sent, failed=failed, given_up=tuple(given_up), updates_queued=updates)


def given_up_count() -> int:
    """Emails whose delivery was given up, all events (the command line reports them)."""
    with db.read_session() as s:
        return int(s.execute(select(func.count()).select_from(m.OutboxEmail)
                             .where(m.OutboxEmail.failed_at.is_not(None))).scalar_one())


def deliver_quietly(ids: Iterable[int]) -> None:
    """Best effort right after a change: never lets a mail problem fail the user's action."""
    ids = list(ids)
    if not ids or smtp_settings() is None:
        return
    try:
        deliver_pending(ids)
    except Exception:
        log.exception("email delivery failed")
