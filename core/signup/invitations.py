"""Invitations: calendar files (.ics), printable invitations, and the outbox of emails.

- ``calendar()`` writes an iCalendar file by hand, following RFC 5545: CRLF line ends, TEXT values
  escaped (``\\ ; , newline``), lines folded at 75 octets without splitting a UTF-8 character,
  times in UTC (sessions are stored in the local time of ``ATELIER_TIMEZONE``, default
  Europe/Brussels).
- Every email is first written to the ``outbox`` table in the same transaction as the change it
  reports. When ``ATELIER_SMTP_HOST`` is set, ``deliver_pending()`` sends it with smtplib after
  the commit; otherwise it stays queued and the organiser sees it in the outbox.
- Links in emails start with ``ATELIER_BASE_URL`` (default http://127.0.0.1:8501).

Nothing here imports Streamlit.
"""
from __future__ import annotations

import datetime as dt
import html
import logging
import os
import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Iterable, Sequence
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from core.actor import SYSTEM
from core.i18n import fmt_date, fmt_time, translate
from core.settings import DEFAULT_BASE_URL, DEFAULT_TIMEZONE, base_url, local_now, timezone  # noqa: F401 (re-exported)
from storage import db
from storage import models as m

log = logging.getLogger(__name__)

DEFAULT_SESSION_LENGTH = dt.timedelta(hours=3, minutes=30)  # a half-day, when a session has no end
REGISTER_PATH = "register"
MY_REGISTRATION_PATH = "my-registration"  # app.py url_path of app_pages/my_registration.py
PRODID = "-//Atelier//Registration//FR"


def registration_link(slug: str, lang: str | None = None) -> str:
    params = {"event": slug} | ({"lang": lang} if lang else {})
    return f"{base_url()}/{REGISTER_PATH}?{urlencode(params)}"


def personal_link(token: str, lang: str | None = None) -> str:
    params = {"token": token} | ({"lang": lang} if lang else {})
    return f"{base_url()}/{MY_REGISTRATION_PATH}?{urlencode(params)}"


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


def ics_escape(text: str) -> str:
    """Escape a TEXT value (RFC 5545 3.3.11)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def fold(line: str, limit: int = 75) -> str:
    """Fold a content line at ``limit`` octets (RFC 5545 3.1), never inside a UTF-8 character."""
    parts: list[str] = []
    current, size = [], 0
    for ch in line:
        width = len(ch.encode("utf-8"))
        if size + width > limit:
            parts.append("".join(current))
            current, size = [" "], 1  # a continuation line starts with one space
        current.append(ch)
        size += width
    parts.append("".join(current))
    return "\r\n".join(parts)


def _utc(value: dt.datetime) -> str:
    aware = value.replace(tzinfo=timezone()) if value.tzinfo is None else value
    return aware.astimezone(dt.timezone.utc).strftime("%Y%m%dT%H%M%SZ")


def calendar(entries: Iterable[CalendarEntry], now: dt.datetime | None = None) -> bytes:
    """An iCalendar file with one VEVENT per entry (UTF-8 bytes)."""
    stamp = _utc(now or dt.datetime.now(dt.timezone.utc))
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", f"PRODID:{PRODID}", "CALSCALE:GREGORIAN", "METHOD:PUBLISH"]
    for entry in entries:
        end = entry.ends_at if entry.ends_at and entry.ends_at > entry.starts_at else entry.starts_at + DEFAULT_SESSION_LENGTH
        lines += ["BEGIN:VEVENT", f"UID:{entry.uid}", f"DTSTAMP:{stamp}", f"DTSTART:{_utc(entry.starts_at)}",
                  f"DTEND:{_utc(end)}", f"SUMMARY:{ics_escape(entry.summary)}"]
        if entry.location:
            lines.append(f"LOCATION:{ics_escape(entry.location)}")
        if entry.description:
            lines.append(f"DESCRIPTION:{ics_escape(entry.description)}")
        if entry.url:
            lines.append(f"URL:{entry.url}")
        lines.append("END:VEVENT")
    lines.append("END:VCALENDAR")
    return ("\r\n".join(fold(line) for line in lines) + "\r\n").encode("utf-8")


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


def calendar_entry(info: SessionInfo, lang: str, token: str | None = None) -> CalendarEntry | None:
    if info.starts_at is None:
        return None
    description = [info.event_title, info.label]
    link = ""
    if token:
        link = personal_link(token, lang)
        description.append(translate(lang, "reg.ics_personal_link", link=link))
    host = base_url().split("//", 1)[-1].split("/", 1)[0] or "atelier"
    return CalendarEntry(uid=f"atelier-session-{info.session_id}@{host}", starts_at=info.starts_at,
                         ends_at=info.ends_at, summary=f"{info.event_title} — {info.label}",
                         location=info.place, description="\n".join(description), url=link)


def session_ics(session_id: int, lang: str = "fr", token: str | None = None) -> bytes:
    """The calendar file of one session (with the personal link when ``token`` is given)."""
    from core.errors import NotFound

    with db.read_session() as s:
        info = session_info_in(s, int(session_id))
    entry = calendar_entry(info, lang, token) if info else None
    if entry is None:
        raise NotFound("error.reg_no_date", field="session")
    return calendar([entry])


def invitation_for(session_id: int, lang: str, token: str | None = None, person_name: str = "",
                   status: str = "confirmed") -> bytes:
    """The printable invitation of one session, as an HTML file to download and print."""
    from core.errors import NotFound

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
body{{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;max-width:42rem;margin:2rem auto;color:#111;line-height:1.45}}
h1{{font-size:1.6rem;margin-bottom:.2rem}} th{{text-align:left;padding:.3rem 1rem .3rem 0;vertical-align:top;color:#444}}
td{{padding:.3rem 0}} .status{{font-weight:600;margin:1rem 0}} .qr{{margin-top:1.5rem}} code{{word-break:break-all;font-size:.8rem}}
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
             participant_id: int | None, attachment_name: str = "", attachment: bytes | str | None = None) -> m.OutboxEmail:
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


def _attachment(lines: Sequence[EmailLine], lang: str, token: str | None) -> tuple[str, bytes | None]:
    entries = [e for e in (calendar_entry(line.info, lang, token) for line in lines if line.status == "confirmed") if e]
    if not entries:
        return "", None
    return "atelier.ics", calendar(entries)


def queue_confirmation_in(s: Session, participant: m.Participant, event: m.Event, lines: Sequence[EmailLine]) -> m.OutboxEmail:
    lang = participant.lang or "fr"
    name = f"{participant.first_name} {participant.last_name}".strip()
    subject = translate(lang, "reg.email.confirm_subject", event=event.title)
    body = _body(lang, name, translate(lang, "reg.email.confirm_intro", event=event.title), lines,
                 participant.personal_token)
    att_name, att = _attachment(lines, lang, participant.personal_token)
    return queue_in(s, participant.email, subject, body, event_id=event.id, participant_id=participant.id,
                    attachment_name=att_name, attachment=att)


def queue_promotion_in(s: Session, participant: m.Participant, info: SessionInfo) -> m.OutboxEmail:
    lang = participant.lang or "fr"
    name = f"{participant.first_name} {participant.last_name}".strip()
    lines = [EmailLine(info, "confirmed")]
    subject = translate(lang, "reg.email.promoted_subject", event=info.event_title)
    body = _body(lang, name, translate(lang, "reg.email.promoted_intro"), lines, participant.personal_token)
    att_name, att = _attachment(lines, lang, participant.personal_token)
    return queue_in(s, participant.email, subject, body, event_id=info.event_id, participant_id=participant.id,
                    attachment_name=att_name, attachment=att)


def queue_invitation_in(s: Session, participant: m.Participant, info: SessionInfo) -> m.OutboxEmail:
    lang = participant.lang or "fr"
    name = f"{participant.first_name} {participant.last_name}".strip()
    lines = [EmailLine(info, "confirmed")]
    subject = translate(lang, "reg.email.invitation_subject", session=info.label, event=info.event_title)
    body = _body(lang, name, translate(lang, "reg.email.invitation_intro"), lines, participant.personal_token)
    att_name, att = _attachment(lines, lang, participant.personal_token)
    return queue_in(s, participant.email, subject, body, event_id=info.event_id, participant_id=participant.id,
                    attachment_name=att_name, attachment=att)


def queue_link_reminder_in(s: Session, participant: m.Participant, event: m.Event) -> m.OutboxEmail:
    lang = participant.lang or "fr"
    name = f"{participant.first_name} {participant.last_name}".strip()
    subject = translate(lang, "reg.email.link_subject", event=event.title)
    body = _body(lang, name, translate(lang, "reg.email.link_body", event=event.title), [], participant.personal_token)
    return queue_in(s, participant.email, subject, body, event_id=event.id, participant_id=participant.id)


@dataclass(frozen=True)
class OutboxRow:
    id: int
    to_address: str
    subject: str
    created_at: dt.datetime
    sent_at: dt.datetime | None
    last_error: str
    has_attachment: bool


def outbox(event_id: int, limit: int = 500) -> list[OutboxRow]:
    """The event's emails, newest first (the caller checks the reader may see the event)."""
    with db.read_session() as s:
        rows = s.execute(select(m.OutboxEmail).where(m.OutboxEmail.event_id == event_id)
                         .order_by(m.OutboxEmail.id.desc()).limit(limit)).scalars().all()
        return [OutboxRow(r.id, r.to_address, r.subject, r.created_at, r.sent_at, r.last_error or "",
                          bool(r.attachment)) for r in rows]


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


@dataclass(frozen=True)
class DeliveryReport:
    configured: bool
    sent: int = 0
    failed: int = 0


def _message(row: m.OutboxEmail, sender: str) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = row.to_address
    msg["Subject"] = row.subject
    msg.set_content(row.body)
    if row.attachment:
        msg.add_attachment(row.attachment.encode("utf-8"), maintype="text", subtype="calendar",
                           filename=row.attachment_name or "atelier.ics")
    return msg


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


def _claim(email_id: int) -> m.OutboxEmail | None:
    """Mark one queued email as being sent; None when another process got it first."""
    from core import entities as e

    with db.write_session() as s:
        done = s.execute(update(m.OutboxEmail).where(m.OutboxEmail.id == email_id, m.OutboxEmail.sent_at.is_(None))
                         .values(sent_at=m.utcnow(), last_error="")).rowcount
        if not done:
            return None
        row = s.get(m.OutboxEmail, email_id)
        e.record(s, SYSTEM, "send", "outbox", row.id, e.Scope(event_id=row.event_id))
        return row


def _release(email_id: int, exc: BaseException) -> None:
    """Back in the queue with its error; the log keeps only the kind of error (the text may name the address)."""
    from core import entities as e

    with db.write_session() as s:
        s.execute(update(m.OutboxEmail).where(m.OutboxEmail.id == email_id)
                  .values(sent_at=None, last_error=f"{type(exc).__name__}: {exc}"[:300]))
        row = s.get(m.OutboxEmail, email_id)
        if row is not None:
            e.record(s, SYSTEM, "send_failed", "outbox", email_id, e.Scope(event_id=row.event_id),
                     after={"error": type(exc).__name__})


def deliver_pending(ids: Iterable[int] | None = None, limit: int = 100) -> DeliveryReport:
    """Send queued emails by SMTP when it is configured; failures stay queued with their error."""
    cfg = smtp_settings()
    if cfg is None:
        return DeliveryReport(configured=False)
    with db.read_session() as s:
        q = select(m.OutboxEmail.id).where(m.OutboxEmail.sent_at.is_(None)).order_by(m.OutboxEmail.id).limit(limit)
        if ids is not None:
            q = q.where(m.OutboxEmail.id.in_(list(ids)))
        pending = list(s.execute(q).scalars())
    if not pending:
        return DeliveryReport(configured=True)
    try:
        client = _connect(cfg)
    except (OSError, smtplib.SMTPException) as exc:
        log.warning("SMTP connection failed: %s", exc)
        for email_id in pending:
            _release(email_id, exc)
        return DeliveryReport(configured=True, failed=len(pending))
    sent = failed = 0
    try:
        for email_id in pending:
            row = _claim(email_id)
            if row is None:
                continue
            try:
                client.send_message(_message(row, cfg.sender))
                sent += 1
            except (OSError, smtplib.SMTPException) as exc:
                _release(email_id, exc)
                failed += 1
    finally:
        try:
            client.quit()
        except (OSError, smtplib.SMTPException):
            pass
    return DeliveryReport(configured=True, sent=sent, failed=failed)


def deliver_quietly(ids: Iterable[int]) -> None:
    """Best effort right after a change: never lets a mail problem fail the user's action."""
    ids = list(ids)
    if not ids or smtp_settings() is None:
        return
    try:
        deliver_pending(ids)
    except Exception:  # noqa: BLE001 - the email stays in the outbox with its error
        log.exception("email delivery failed")
