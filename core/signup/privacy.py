"""Personal data of registered people: see, download, erase; and the retention purge.

Personal fields are the participant's names, email, sector, consent time and personal links, their
organisation when nobody else belongs to it, the emails sent to them, and the join tokens linked
to them (display name). Erasure blanks or deletes all of these in one transaction; what the
workshops produced (personas, contributions, counts of registered and present people) stays,
unlinked from the person. A person's places in sessions that have not started are freed first,
so the waiting list moves on.

``purge_expired()`` erases the people of every event whose retention (``events.retention_months``)
has run out, counted from the event's last day (``manage.py purge-personal-data``).
"""
from __future__ import annotations

import calendar as _calendar
import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import flag_modified

from core import entities as e
from core.actor import SYSTEM, Actor
from core.errors import NotFound
from core.signup import invitations as inv
from core.signup import registration as reg
from storage import db
from storage import models as m


def _jsonable(value: Any) -> Any:
    return value.isoformat() if isinstance(value, (dt.date, dt.datetime)) else value


def _data_in(s: Session, person: m.Participant) -> dict[str, Any]:
    event = s.get(m.Event, person.event_id) if person.event_id else None
    org = s.get(m.Organisation, person.organisation_id) if person.organisation_id else None
    rows = s.execute(
        select(m.Registration, m.WorkshopSession, m.Theme)
        .join(m.WorkshopSession, m.WorkshopSession.id == m.Registration.session_id)
        .join(m.Theme, m.Theme.id == m.WorkshopSession.theme_id)
        .where(m.Registration.participant_id == person.id)
        .order_by(m.WorkshopSession.starts_at, m.WorkshopSession.id)).all()
    emails = s.execute(select(m.OutboxEmail).where(m.OutboxEmail.participant_id == person.id)
                       .order_by(m.OutboxEmail.id)).scalars().all()
    return {
        "event": {"slug": event.slug, "title": event.title} if event else None,
        "person": {
            "first_name": person.first_name, "last_name": person.last_name, "email": person.email,
            "organisation": org.name if org else "", "sector": person.sector, "language": person.lang,
            "consent_at": _jsonable(person.consent_at), "registered_at": _jsonable(person.created_at),
        },
        "registrations": [{
            "theme": theme.title, "session": x.title or "", "starts_at": _jsonable(x.starts_at),
            "ends_at": _jsonable(x.ends_at), "status": r.status, "present": r.present,
            "checked_in_at": _jsonable(r.checked_in_at), "registered_at": _jsonable(r.created_at),
            "promoted_at": _jsonable(r.promoted_at),
        } for r, x, theme in rows],
        "emails": [{"to": row.to_address, "subject": row.subject, "body": row.body,
                    "created_at": _jsonable(row.created_at), "sent_at": _jsonable(row.sent_at)} for row in emails],
    }


def personal_data(token: str) -> dict[str, Any]:
    """Everything Atelier holds about the person of this personal link."""
    with db.read_session() as s:
        return _data_in(s, reg._participant_by_token_in(s, token))


def personal_data_for(actor: Actor, participant_id: Any) -> dict[str, Any]:
    """The same, for an organiser of the person's event (a subject access request by email)."""
    with db.read_session() as s:
        person = _person_in(s, participant_id)
        reg._require(actor, _event_of(person), organiser=True)
        return _data_in(s, person)


def to_json(data: dict[str, Any]) -> bytes:
    return json.dumps(data, ensure_ascii=False, indent=2, sort_keys=False).encode("utf-8")


def _person_in(s: Session, participant_id: Any) -> m.Participant:
    try:
        person = s.get(m.Participant, int(participant_id))
    except (TypeError, ValueError):
        person = None
    if person is None or person.erased_at is not None or person.event_id is None:
        raise NotFound(field="participant")
    return person


def _event_of(person: m.Participant) -> int:
    if person.event_id is None:   # _person_in lets none through
        raise NotFound(field="participant")
    return person.event_id


def _erase_in(s: Session, actor: Actor, person: m.Participant, now_local: dt.datetime, lock: bool = True) -> None:
    event = reg._lock_event(s, person.event_id, include_deleted=True) if lock else s.get(m.Event, person.event_id)
    now = m.utcnow()
    # free the places this person holds in sessions still to come
    active = s.execute(select(m.Registration, m.WorkshopSession)
                       .join(m.WorkshopSession, m.WorkshopSession.id == m.Registration.session_id)
                       .where(m.Registration.participant_id == person.id, m.Registration.status.in_(reg.ACTIVE))
                       .order_by(m.Registration.id)).all()
    for registration, session in active:
        if reg._is_available(session, now_local) and event is not None:
            reg._cancel_reg_in(s, actor, event, registration, now)
    # the emails sent to them
    clauses = [m.OutboxEmail.participant_id == person.id]
    if person.email:
        clauses.append(func.lower(m.OutboxEmail.to_address) == person.email.lower())
    s.execute(delete(m.OutboxEmail).where(or_(*clauses)).execution_options(synchronize_session=False))
    _unlink_join_tokens_in(s, person)
    s.execute(delete(m.PersonalLink).where(m.PersonalLink.participant_id == person.id)
              .execution_options(synchronize_session=False))   # every link sent stops working
    org_id = person.organisation_id
    person.first_name = person.last_name = person.email = person.sector = ""
    person.personal_token = None
    person.consent_at = None
    person.organisation_id = None
    person.erased_at = now
    s.flush()
    if org_id is not None:  # an organisation nobody else belongs to may name the person
        used = s.execute(select(func.count()).select_from(m.Participant)
                         .where(m.Participant.organisation_id == org_id)).scalar_one()
        merged = s.execute(select(func.count()).select_from(m.Organisation)
                           .where(m.Organisation.merged_into_id == org_id)).scalar_one()
        if not used and not merged:
            s.execute(delete(m.Organisation).where(m.Organisation.id == org_id)
                      .execution_options(synchronize_session=False))
    e.record(s, actor, "erase", "participant", person.id, e.Scope(event_id=person.event_id),
             after={"erased_at": now.isoformat()})


def _scrub(value: Any, names: set[str]) -> Any:
    """A JSON value with every string equal to one of ``names`` blanked."""
    if isinstance(value, str):
        return "" if value.strip().casefold() in names else value
    if isinstance(value, list):
        return [_scrub(v, names) for v in value]
    if isinstance(value, dict):
        return {k: _scrub(v, names) for k, v in value.items()}
    return value


def _unlink_join_tokens_in(s: Session, person: m.Participant) -> None:
    """Join tokens matched to the person: unlinked, and the name they joined under (often their own)
    blanked on the token, on what they signed in those sessions, and in the activity log."""
    tokens = s.execute(select(m.ParticipantToken).where(m.ParticipantToken.participant_id == person.id)).scalars().all()
    if not tokens:
        return
    token_ids = [tok.id for tok in tokens]
    names = {tok.display_name.strip().casefold() for tok in tokens if tok.display_name and tok.display_name.strip()}
    session_ids = {tok.session_id for tok in tokens}
    contribution_ids: list[int] = []
    item_ids: list[int] = []
    if names:
        # compared in Python: SQLite's lower() leaves non-ASCII letters (É) alone
        contribution_ids = [i for i, by in s.execute(select(m.Contribution.id, m.Contribution.created_by).where(
            m.Contribution.session_id.in_(session_ids), m.Contribution.created_by != ""))
            if by.strip().casefold() in names]
        item_ids = [i for i, by in s.execute(
            select(m.CanvasItem.id, m.CanvasItem.created_by).join(m.Persona, m.Persona.id == m.CanvasItem.persona_id)
            .where(m.Persona.session_id.in_(session_ids), m.CanvasItem.created_by != ""))
            if by.strip().casefold() in names]
        if contribution_ids:
            s.execute(update(m.Contribution).where(m.Contribution.id.in_(contribution_ids)).values(created_by="")
                      .execution_options(synchronize_session=False))
        if item_ids:
            s.execute(update(m.CanvasItem).where(m.CanvasItem.id.in_(item_ids)).values(created_by="")
                      .execution_options(synchronize_session=False))
    by_them = (m.Activity.actor_type == "participant") & m.Activity.actor_id.in_(token_ids)
    about = [(m.Activity.entity_type == "participant_token") & m.Activity.entity_id.in_(token_ids)]
    if contribution_ids:
        about.append((m.Activity.entity_type == "contribution") & m.Activity.entity_id.in_(contribution_ids))
    if item_ids:
        about.append((m.Activity.entity_type == "canvas_item") & m.Activity.entity_id.in_(item_ids))
    for row in s.execute(select(m.Activity).where(or_(by_them, *about))).scalars():
        if row.actor_type == "participant" and row.actor_id in token_ids:
            row.actor_label = ""
        if names:
            row.before, row.after = _scrub(row.before, names), _scrub(row.after, names)
            flag_modified(row, "before")
            flag_modified(row, "after")
    for tok in tokens:
        tok.display_name, tok.participant_id = "", None
    s.flush()


def erase_by_token(token: str, now_local: dt.datetime | None = None) -> None:
    """The person erases their own data from their personal link."""
    now_local = now_local or inv.local_now()

    def work(s: Session) -> tuple[int, ...]:
        person = reg._participant_by_token_in(s, token)
        cursor = reg._outbox_cursor(s)
        _erase_in(s, reg.SELF_SERVICE, person, now_local)
        return reg._new_emails(s, cursor)

    inv.deliver_quietly(e.run_write(work))


def erase_participant(actor: Actor, participant_id: Any, now_local: dt.datetime | None = None) -> None:
    """An organiser erases a person's data (on their request)."""
    now_local = now_local or inv.local_now()

    def work(s: Session) -> tuple[int, ...]:
        person = _person_in(s, participant_id)
        reg._require(actor, _event_of(person), organiser=True)
        cursor = reg._outbox_cursor(s)
        _erase_in(s, actor, person, now_local)
        return reg._new_emails(s, cursor)

    inv.deliver_quietly(e.run_write(work))


# --- retention ---------------------------------------------------------------------------------

def add_months(day: dt.date, months: int) -> dt.date:
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    return dt.date(year, month, min(day.day, _calendar.monthrange(year, month)[1]))


def event_last_day(s: Session, event: m.Event) -> dt.date | None:
    days = [d for d in (event.ends_on, event.starts_on) if d]
    bounds = s.execute(select(func.max(m.WorkshopSession.starts_at), func.max(m.WorkshopSession.ends_at))
                       .join(m.Theme, m.Theme.id == m.WorkshopSession.theme_id)
                       .where(m.Theme.event_id == event.id)).one()
    days += [b.date() for b in bounds if b is not None]
    return max(days) if days else None


@dataclass(frozen=True)
class RetentionStatus:
    months: int | None
    last_day: dt.date | None
    purge_on: dt.date | None          # the day personal data is erased (None: kept until erased by hand)


def retention_status(event_id: int) -> RetentionStatus:
    with db.read_session() as s:
        event = s.get(m.Event, int(event_id))
        if event is None:
            raise NotFound("error.reg_unknown_event", field="event")
        last = event_last_day(s, event)
        months = event.retention_months
        return RetentionStatus(months, last, add_months(last, months) if months and last else None)


@dataclass(frozen=True)
class PurgeItem:
    event_slug: str
    last_day: dt.date
    purge_on: dt.date
    erased: int


def purge_expired(today: dt.date | None = None, dry_run: bool = False) -> list[PurgeItem]:
    """Erase the people of every event whose retention period is over; one transaction per event."""
    today = today or inv.local_now().date()
    due: list[tuple[int, str, dt.date, dt.date]] = []
    with db.read_session() as s:
        for event in s.execute(select(m.Event).where(m.Event.retention_months.is_not(None))
                               .order_by(m.Event.id)).scalars():
            last, months = event_last_day(s, event), event.retention_months
            if last is None or months is None:
                continue
            purge_on = add_months(last, months)
            if today >= purge_on:
                due.append((event.id, event.slug, last, purge_on))
    out: list[PurgeItem] = []
    for event_id, slug, last, purge_on in due:
        def work(s: Session, event_id: int = event_id) -> int:
            reg._lock_event(s, event_id, include_deleted=True)
            people = s.execute(select(m.Participant).where(m.Participant.event_id == event_id,
                                                           m.Participant.erased_at.is_(None))
                               .order_by(m.Participant.id)).scalars().all()
            if dry_run:
                return len(people)
            now_local = dt.datetime.combine(today, dt.time.max)
            for person in people:
                _erase_in(s, SYSTEM, person, now_local, lock=False)
            s.execute(delete(m.OutboxEmail).where(m.OutboxEmail.event_id == event_id)
                      .execution_options(synchronize_session=False))
            if people:
                e.record(s, SYSTEM, "purge", "event", event_id, e.Scope(event_id=event_id),
                         after={"erased": len(people)})
            return len(people)

        out.append(PurgeItem(slug, last, purge_on, e.run_write(work)))
    return out
