"""Registration for an event's sessions: quotas, waiting list, overrides, attendance.

Rules (the way the Assises ran):
- a session takes at most ``events.participant_cap`` confirmed people (default 40) and at most
  ``events.per_org_cap`` from one organisation (default 2); organisation names are normalised so
  « ASBL Stics », « Stics asbl » and « STICS » count as one, and organisers can merge two;
- over a cap a person goes onto the session's waiting list, in arrival order; whenever a place
  frees (a cancellation, a bigger cap), the first *eligible* waiting person (whose organisation
  is under its cap) is confirmed and told by email;
- an organiser can confirm a waiting person anyway (override) or cancel someone;
- the public form never changes, and never reveals, someone already registered: a submission with
  the email of a person already registered for the event leaves that person exactly as they are
  (name, organisation, sector, language, sessions) and only queues an email to that address with
  their personal link ("you, or someone, tried to register with this address"); the page shows
  the same neutral "check your mailbox" text either way. Changes go through the personal link,
  which is only ever sent to the address (stored hashed in ``personal_links``: each email carries a
  new token, looked up by its hash);
- a cancelled place of which the person was sent a calendar is taken out of it by email
  (METHOD:CANCEL, ``invitations.queue_cancellation_in``).

Concurrency: every write that can change a session's counts first locks the event row
(``SELECT ... FOR UPDATE`` on PostgreSQL, then the chosen session rows in id order; on SQLite the
write transaction already starts with ``BEGIN IMMEDIATE``), then counts, so concurrent sign-ups
are serialised per event and a cap is never exceeded. Arrival time is taken after the lock.

Activity rows written here never hold personal fields (names, email, sector, token): only ids and
statuses, so erasing a person leaves nothing of them in the audit trail.
"""
from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core import entities as e
from core import limits as L
from core.actor import SYSTEM, Actor
from core.errors import Conflict, NotFound, PermissionDenied, StaleEdit, ValidationError
from core.i18n import LANGUAGES, translate
from core.signup import invitations as inv
from core.validation import clean_email as _clean_email
from core.validation import clean_id, clean_text, parse_id
from storage import db
from storage import models as m

# Someone using the public pages (registration form, personal link): no account, no id.
SELF_SERVICE = Actor(kind="participant", label="self-service")

ACTIVE = ("confirmed", "waiting")
EMAIL_MAX = L.EMAIL_MAX
ORGANISATION_MAX = 200
SECTOR_MAX = 120
RETENTION_MIN, RETENTION_MAX = 1, 120
# the "someone tried to register with your address" email goes at most once in this interval
ATTEMPT_EMAIL_INTERVAL = dt.timedelta(minutes=10)
TOKEN_RE = inv.TOKEN_RE
# Legal forms dropped when comparing organisation names (Belgium, Switzerland, France, Netherlands).
LEGAL_FORMS = frozenset({
    "asbl", "aisbl", "vzw", "ivzw", "sa", "nv", "srl", "sprl", "bv", "bvba", "sc", "scrl", "scs", "cv", "cvba",
    "snc", "vof", "sarl", "gmbh", "ag", "eg", "ev", "sas", "sasu", "eurl",
})


# --- organisation names ---------------------------------------------------------------------

def normalize_organisation(name: str) -> str:
    """The comparison key of an organisation name: no accents, case, punctuation or legal form.

    >>> {normalize_organisation(n) for n in ("ASBL Stics", "Stics asbl", "STICS", "S.T.I.C.S.")}
    {'stics'}
    """
    text = unicodedata.normalize("NFKD", name or "")
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).casefold()
    text = re.sub(r"(?<=\w)\.(?=\w)", "", text)        # a.s.b.l. -> asbl.
    tokens = re.findall(r"[^\W_]+", text)
    kept = [tok for tok in tokens if tok not in LEGAL_FORMS]
    return " ".join(kept or tokens)[:ORGANISATION_MAX]


def _organisation_in(s: Session, name: str, sector: str) -> m.Organisation | None:
    if not name:
        return None
    key = normalize_organisation(name)
    if not key:
        return None
    org = s.execute(select(m.Organisation).where(m.Organisation.normalized_name == key)).scalar_one_or_none()
    if org is None:
        try:
            with s.begin_nested():
                org = m.Organisation(name=name, normalized_name=key, sector=sector or "", created_at=m.utcnow())
                s.add(org)
                s.flush()
        except IntegrityError:  # created meanwhile by a registration for another event
            org = s.execute(select(m.Organisation).where(m.Organisation.normalized_name == key)).scalar_one()
    return _root(s, org)


def _root(s: Session, org: m.Organisation) -> m.Organisation:
    seen = set()
    while org.merged_into_id is not None and org.id not in seen:
        seen.add(org.id)
        parent = s.get(m.Organisation, org.merged_into_id)
        if parent is None:
            break
        org = parent
    return org


# --- input ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class PersonInput:
    first_name: str
    last_name: str
    email: str
    organisation: str
    sector: str
    lang: str


def clean_email(value: Any) -> str:
    """The address of the form, by the app's one email rule (``core.validation.clean_email``:
    internationalised domains welcome), normalised and lower-cased."""
    return _clean_email(value, "email", max_len=EMAIL_MAX, missing="error.reg_email_required",
                        invalid="error.reg_email_invalid")


def clean_person(first_name: Any, last_name: Any, email: Any, organisation: Any, sector: Any, lang: Any) -> PersonInput:
    first = clean_text(first_name, "first_name", L.NAME_MAX, required=False, multiline=False)
    if not first:
        raise ValidationError("error.reg_first_name_required", field="first_name")
    last = clean_text(last_name, "last_name", L.NAME_MAX, required=False, multiline=False)
    return PersonInput(
        first_name=first, last_name=last, email=clean_email(email),
        organisation=clean_text(organisation, "organisation", ORGANISATION_MAX, required=False, multiline=False),
        sector=clean_text(sector, "sector", SECTOR_MAX, required=False, multiline=False),
        lang=lang if lang in LANGUAGES else "fr",
    )


def _slug(value: Any) -> str:
    """An event slug from a link, as looked up: text without control characters, NUL bytes or
    lone surrogates (PostgreSQL refuses NUL; none of these is in a slug), else "" (no event)."""
    text = str(value or "")[:80]
    return text if text.isprintable() else ""


def _session_ids(values: Iterable[Any]) -> list[int]:
    out: list[int] = []
    if isinstance(values, (str, bytes)) or not isinstance(values, Iterable):
        raise ValidationError("error.reg_session_unavailable", field="sessions")
    for value in values or ():
        ident = parse_id(value)
        if ident is None:
            raise ValidationError("error.reg_session_unavailable", field="sessions")
        if ident not in out:
            out.append(ident)
    return out


# --- locks and counts ---------------------------------------------------------------------------

def _lock_event(s: Session, event_id: int | None, include_deleted: bool = False) -> m.Event:
    q = select(m.Event).where(m.Event.id == event_id)
    if not include_deleted:
        q = q.where(m.Event.deleted_at.is_(None))
    event = s.execute(q.with_for_update().execution_options(populate_existing=True)).scalar_one_or_none()
    if event is None:
        raise NotFound("error.reg_unknown_event", field="event")
    return event


def _event_sessions(s: Session, event_id: int, ids: Iterable[int] | None = None,
                    lock: bool = False) -> dict[int, m.WorkshopSession]:
    q = (select(m.WorkshopSession).join(m.Theme, m.Theme.id == m.WorkshopSession.theme_id)
         .where(m.Theme.event_id == event_id, m.Theme.deleted_at.is_(None), m.WorkshopSession.deleted_at.is_(None))
         .order_by(m.WorkshopSession.id))
    if ids is not None:
        q = q.where(m.WorkshopSession.id.in_(list(ids)))
    if lock:
        q = q.with_for_update(of=m.WorkshopSession)
    return {x.id: x for x in s.execute(q).scalars()}


def _event_of_session(s: Session, session_id: Any) -> int:
    session_id = parse_id(session_id)
    if session_id is None:
        raise NotFound(field="session")
    event_id = s.execute(select(m.Theme.event_id).join(m.WorkshopSession, m.WorkshopSession.theme_id == m.Theme.id)
                         .where(m.WorkshopSession.id == session_id, m.WorkshopSession.deleted_at.is_(None))
                         ).scalar_one_or_none()
    if event_id is None:
        raise NotFound(field="session")
    return event_id


def _is_available(x: m.WorkshopSession, now_local: dt.datetime) -> bool:
    """A session one may still sign up for, or leave: not closed and not started."""
    return x.status != "closed" and (x.starts_at is None or x.starts_at > now_local)


def _confirmed_count(s: Session, session_id: int) -> int:
    return int(s.execute(select(func.count()).select_from(m.Registration).where(
        m.Registration.session_id == session_id, m.Registration.status == "confirmed")).scalar_one())


def _org_count(s: Session, session_id: int, org_id: int) -> int:
    return int(s.execute(select(func.count()).select_from(m.Registration)
                         .join(m.Participant, m.Participant.id == m.Registration.participant_id)
                         .where(m.Registration.session_id == session_id, m.Registration.status == "confirmed",
                                m.Participant.organisation_id == org_id)).scalar_one())


def _waiting_position(s: Session, reg: m.Registration) -> int | None:
    if reg.status != "waiting":
        return None
    ahead = s.execute(select(func.count()).select_from(m.Registration).where(
        m.Registration.session_id == reg.session_id, m.Registration.status == "waiting",
        (m.Registration.created_at < reg.created_at)
        | ((m.Registration.created_at == reg.created_at) & (m.Registration.id < reg.id)))).scalar_one()
    return int(ahead) + 1


def _place(s: Session, event: m.Event, session_id: int, org_id: int | None) -> tuple[str, str]:
    """Status for a new sign-up: confirmed, or waiting because the session or the organisation is full."""
    if _confirmed_count(s, session_id) >= event.participant_cap:
        return "waiting", "waiting_full"
    if org_id is not None and _org_count(s, session_id, org_id) >= event.per_org_cap:
        return "waiting", "waiting_org"
    return "confirmed", "confirmed"


def _scope(event_id: int, session_id: int | None = None) -> e.Scope:
    return e.Scope(event_id=event_id, session_id=session_id)


def _reg_state(reg: m.Registration) -> dict[str, Any]:
    return e.snapshot(reg)   # ids, status and times only: no personal field


def _promote_in(s: Session, actor: Actor, event: m.Event, session_id: int, now: dt.datetime) -> list[m.Registration]:
    """Confirm waiting people, first eligible first, while the session has free places."""
    confirmed = _confirmed_count(s, session_id)
    if confirmed >= event.participant_cap:
        return []
    rows = s.execute(
        select(m.Registration, m.Participant.organisation_id)
        .join(m.Participant, m.Participant.id == m.Registration.participant_id)
        .where(m.Registration.session_id == session_id, m.Registration.status == "waiting")
        .order_by(m.Registration.created_at, m.Registration.id)).all()
    if not rows:
        return []
    per_org = dict(s.execute(
        select(m.Participant.organisation_id, func.count())
        .join(m.Registration, m.Registration.participant_id == m.Participant.id)
        .where(m.Registration.session_id == session_id, m.Registration.status == "confirmed",
               m.Participant.organisation_id.is_not(None))
        .group_by(m.Participant.organisation_id)).all())
    promoted: list[m.Registration] = []
    for reg, org_id in rows:
        if confirmed >= event.participant_cap:
            break
        if org_id is not None and per_org.get(org_id, 0) >= event.per_org_cap:
            continue
        before = _reg_state(reg)
        reg.status, reg.promoted_at = "confirmed", now
        s.flush()
        e.record(s, actor, "promote", "registration", reg.id, _scope(event.id, session_id), before=before,
                 after=_reg_state(reg))
        confirmed += 1
        if org_id is not None:
            per_org[org_id] = per_org.get(org_id, 0) + 1
        promoted.append(reg)
    if promoted:
        info = inv.session_info_in(s, session_id)
        for reg in promoted:
            person = s.get(m.Participant, reg.participant_id)
            if info is not None and person is not None and person.erased_at is None and person.email:
                inv.queue_promotion_in(s, person, info)
    return promoted


# --- results ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Placement:
    session_id: int
    status: str                       # confirmed / waiting / cancelled
    # confirmed, waiting_full, waiting_org, already_confirmed, already_waiting, cancelled
    reason: str
    waiting_position: int | None = None


@dataclass(frozen=True)
class RegistrationResult:
    """What ``register`` did. Pages must not show any of it: the public page looks the same whether
    the address was new or already registered (the details go by email)."""

    participant_id: int
    token: str | None                 # only for a new person (for the caller's tests and tools)
    existing: bool                    # the address was already registered: nothing was changed
    placements: tuple[Placement, ...]   # empty for an existing person
    email_ids: tuple[int, ...] = ()


@dataclass(frozen=True)
class ChangeResult:
    placements: tuple[Placement, ...]
    email_ids: tuple[int, ...] = ()


def _new_emails(s: Session, since_id: int) -> tuple[int, ...]:
    return tuple(s.execute(select(m.OutboxEmail.id).where(m.OutboxEmail.id > since_id)
                           .order_by(m.OutboxEmail.id)).scalars())


def _outbox_cursor(s: Session) -> int:
    return int(s.execute(select(func.coalesce(func.max(m.OutboxEmail.id), 0))).scalar_one())


def _sign_up_in(s: Session, actor: Actor, event: m.Event, person: m.Participant, session: m.WorkshopSession,
                now: dt.datetime) -> tuple[Placement, m.Registration]:
    reg = s.execute(select(m.Registration).where(m.Registration.participant_id == person.id,
                                                 m.Registration.session_id == session.id)).scalar_one_or_none()
    if reg is not None and reg.status in ACTIVE:
        return Placement(session.id, reg.status, f"already_{reg.status}", _waiting_position(s, reg)), reg
    status, reason = _place(s, event, session.id, person.organisation_id)
    if reg is None:
        reg = m.Registration(participant_id=person.id, session_id=session.id, status=status, created_at=now)
        s.add(reg)
        s.flush()
        e.record(s, actor, "create", "registration", reg.id, _scope(event.id, session.id), after=_reg_state(reg))
    else:  # signing up again after a cancellation: back at the end of the line
        before = _reg_state(reg)
        reg.status, reg.created_at, reg.promoted_at, reg.overridden_by = status, now, None, None
        s.flush()
        e.record(s, actor, "update", "registration", reg.id, _scope(event.id, session.id), before=before,
                 after=_reg_state(reg))
    return Placement(session.id, status, reason, _waiting_position(s, reg)), reg


def _cancel_reg_in(s: Session, actor: Actor, event: m.Event, reg: m.Registration,
                   now: dt.datetime) -> list[m.Registration]:
    was_confirmed = reg.status == "confirmed"
    before = _reg_state(reg)
    reg.status = "cancelled"
    person = s.get(m.Participant, reg.participant_id)
    if person is not None:   # the calendar they were sent, if any, is cancelled too
        inv.queue_cancellation_in(s, person, reg, inv.session_info_in(s, reg.session_id))
    s.flush()
    e.record(s, actor, "cancel", "registration", reg.id, _scope(event.id, reg.session_id), before=before,
             after=_reg_state(reg))
    return _promote_in(s, actor, event, reg.session_id, now) if was_confirmed else []


def _email_lines(s: Session, placements: Iterable[Placement]) -> list[inv.EmailLine]:
    lines = []
    for p in placements:
        if p.status not in ACTIVE:
            continue
        info = inv.session_info_in(s, p.session_id)
        if info is not None:
            lines.append(inv.EmailLine(info, p.status, p.waiting_position))
    lines.sort(key=lambda line: (line.info.starts_at or dt.datetime.max, line.info.session_id))
    return lines


# --- public services: register, cancel, change ------------------------------------------------------

def register(event_slug: str, *, first_name: Any, last_name: Any = "", email: Any, organisation: Any = "",
             sector: Any = "", session_ids: Iterable[Any], consent: bool, lang: str = "fr",
             now_local: dt.datetime | None = None) -> RegistrationResult:
    """Sign a person up for sessions of an event (public: no account). Writes nothing on bad input."""
    person_in = clean_person(first_name, last_name, email, organisation, sector, lang)
    ids = _session_ids(session_ids)
    if not ids:
        raise ValidationError("error.reg_no_session", field="sessions")
    if consent is not True:
        raise ValidationError("error.reg_consent_required", field="consent")
    slug = _slug(event_slug)
    now_local = now_local or inv.local_now()

    def work(s: Session) -> RegistrationResult:
        event_id = s.execute(select(m.Event.id)
                             .where(m.Event.slug == slug, m.Event.deleted_at.is_(None))).scalar_one_or_none()
        if event_id is None:
            raise NotFound("error.reg_unknown_event", field="event")
        event = _lock_event(s, event_id)
        if not event.registration_open or event.archived_at is not None:
            raise Conflict("error.reg_closed", field="event")
        sessions = _event_sessions(s, event.id, ids, lock=True)
        if set(sessions) != set(ids) or not all(_is_available(x, now_local) for x in sessions.values()):
            raise ValidationError("error.reg_session_unavailable", field="sessions")
        now = m.utcnow()  # arrival time, taken under the lock
        cursor = _outbox_cursor(s)
        person = s.execute(select(m.Participant).where(
            m.Participant.event_id == event.id, m.Participant.email == person_in.email,
            m.Participant.erased_at.is_(None)).order_by(m.Participant.id)).scalars().first()
        if person is not None:   # already registered: change nothing, tell the address (not the form)
            _tell_existing_in(s, event, person, now)
            return RegistrationResult(person.id, None, True, (), _new_emails(s, cursor))
        org = _organisation_in(s, person_in.organisation, person_in.sector)
        person = m.Participant(event_id=event.id, email=person_in.email,
                               first_name=person_in.first_name, last_name=person_in.last_name,
                               sector=person_in.sector, lang=person_in.lang, consent_at=now,
                               organisation_id=org.id if org else None, created_at=now)
        s.add(person)
        s.flush()
        e.record(s, SELF_SERVICE, "create", "participant", person.id, _scope(event.id),
                 after={"event_id": event.id, "organisation_id": person.organisation_id, "lang": person.lang})
        ordered = sorted(sessions.values(), key=lambda x: (x.starts_at or dt.datetime.max, x.id))
        placements = [_sign_up_in(s, SELF_SERVICE, event, person, x, now)[0] for x in ordered]
        token = inv.new_personal_token_in(s, person.id)   # in clear only here and in the email
        inv.queue_confirmation_in(s, person, event, _email_lines(s, placements), token=token)
        return RegistrationResult(person.id, token, False, tuple(placements), _new_emails(s, cursor))

    result = e.run_write(work)
    inv.deliver_quietly(result.email_ids)
    return result


def _tell_existing_in(s: Session, event: m.Event, person: m.Participant, now: dt.datetime) -> None:
    """The public form was sent with the address of someone already registered: email them their
    personal link (at most once per ``ATTEMPT_EMAIL_INTERVAL``, so the form cannot flood a mailbox)."""
    recent = s.execute(select(m.Activity.id).where(
        m.Activity.entity_type == "participant", m.Activity.entity_id == person.id,
        m.Activity.action == "register_again", m.Activity.at > now - ATTEMPT_EMAIL_INTERVAL).limit(1)).first()
    if recent is not None or not person.email:
        return
    lang = person.lang or "fr"
    name = f"{person.first_name} {person.last_name}".strip()
    body = "\n".join([translate(lang, "reg.email.greeting", name=name), "",
                      translate(lang, "reg.email.again_body", event=event.title), "",
                      inv.personal_link(inv.new_personal_token_in(s, person.id), lang), "",
                      translate(lang, "reg.email.again_not_you"), "", translate(lang, "reg.email.signature")])
    inv.queue_in(s, person.email, translate(lang, "reg.email.again_subject", event=event.title), body,
                 event_id=event.id, participant_id=person.id)
    e.record(s, SELF_SERVICE, "register_again", "participant", person.id, _scope(event.id),
             after={"event_id": event.id})


def _participant_by_token_in(s: Session, token: Any) -> m.Participant:
    person = inv.participant_by_token_in(s, token)   # by the hash of the link's token
    if person is None or person.event_id is None:
        raise NotFound("error.reg_invalid_link", field="token")
    return person


def change_sessions(token: str, add: Iterable[Any] = (), cancel: Iterable[Any] = (),
                    now_local: dt.datetime | None = None) -> ChangeResult:
    """From the personal link: leave some sessions and sign up for others, in one transaction."""
    add_ids, cancel_ids = _session_ids(add), _session_ids(cancel)
    if not add_ids and not cancel_ids:
        raise ValidationError("error.reg_no_session", field="sessions")
    now_local = now_local or inv.local_now()

    def work(s: Session) -> ChangeResult:
        person = _participant_by_token_in(s, token)
        event = _lock_event(s, person.event_id)
        sessions = _event_sessions(s, event.id, set(add_ids) | set(cancel_ids), lock=True)
        if set(sessions) != set(add_ids) | set(cancel_ids):
            raise ValidationError("error.reg_session_unavailable", field="sessions")
        if any(not _is_available(sessions[i], now_local) for i in cancel_ids):
            raise Conflict("error.reg_session_started", field="sessions")
        now = m.utcnow()
        cursor = _outbox_cursor(s)
        placements: list[Placement] = []
        for sid in cancel_ids:
            reg = s.execute(select(m.Registration).where(m.Registration.participant_id == person.id,
                                                         m.Registration.session_id == sid)).scalar_one_or_none()
            if reg is None or reg.status not in ACTIVE:
                raise NotFound("error.reg_not_registered", field="sessions")
            _cancel_reg_in(s, SELF_SERVICE, event, reg, now)
            placements.append(Placement(sid, "cancelled", "cancelled"))
        if add_ids:
            if not event.registration_open or event.archived_at is not None:
                raise Conflict("error.reg_closed", field="event")
            if any(not _is_available(sessions[i], now_local) for i in add_ids):
                raise ValidationError("error.reg_session_unavailable", field="sessions")
            ordered = sorted((sessions[i] for i in add_ids), key=lambda x: (x.starts_at or dt.datetime.max, x.id))
            added = [_sign_up_in(s, SELF_SERVICE, event, person, x, now)[0] for x in ordered]
            placements += added
            new_lines = _email_lines(s, [p for p in added if not p.reason.startswith("already_")])
            if new_lines:
                inv.queue_confirmation_in(s, person, event, new_lines, token=token)
        return ChangeResult(tuple(placements), _new_emails(s, cursor))

    result = e.run_write(work)
    inv.deliver_quietly(result.email_ids)
    return result


def cancel(token: str, session_id: Any, now_local: dt.datetime | None = None) -> ChangeResult:
    return change_sessions(token, cancel=[session_id], now_local=now_local)


def add_sessions(token: str, session_ids: Iterable[Any], now_local: dt.datetime | None = None) -> ChangeResult:
    return change_sessions(token, add=session_ids, now_local=now_local)


# --- organiser services --------------------------------------------------------------------------

def _require(actor: Actor, event_id: int, organiser: bool) -> None:
    """Organisers of the event (and admins) for list changes; its facilitators too for attendance
    (``core.permissions``: ("registration", "manage") / ("registration", "attendance"))."""
    e.check_can_write(actor, _scope(event_id), "registration", "manage" if organiser else "attendance")


def _registration_in(s: Session, registration_id: Any) -> m.Registration:
    ident = parse_id(registration_id)
    reg = s.get(m.Registration, ident) if ident is not None else None
    if reg is None:
        raise NotFound(field="registration")
    return reg


def confirm_anyway(actor: Actor, registration_id: Any) -> dict[str, Any]:
    """Override: confirm a waiting (or cancelled) person even over the caps."""
    def work(s: Session) -> dict[str, Any]:
        event_id = _event_of_session(s, _registration_in(s, registration_id).session_id)
        _require(actor, event_id, organiser=True)
        _lock_event(s, event_id)
        reg = _registration_in(s, registration_id)
        s.refresh(reg)
        if reg.status == "confirmed":
            return _reg_state(reg)
        person = s.get(m.Participant, reg.participant_id)
        if person is None or person.erased_at is not None:
            raise NotFound(field="registration")
        before = _reg_state(reg)
        reg.status, reg.promoted_at = "confirmed", m.utcnow()
        reg.overridden_by = actor.id if actor.is_staff else None
        s.flush()
        e.record(s, actor, "override", "registration", reg.id, _scope(event_id, reg.session_id), before=before,
                 after=_reg_state(reg))
        info = inv.session_info_in(s, reg.session_id)
        emails = (inv.queue_promotion_in(s, person, info).id,) if info and person.email else ()
        return {**_reg_state(reg), "email_ids": emails}

    out = e.run_write(work)
    inv.deliver_quietly(out.get("email_ids", ()))
    return out


def cancel_registration(actor: Actor, registration_id: Any) -> dict[str, Any]:
    """An organiser cancels someone's place; the first eligible waiting person is promoted."""
    def work(s: Session) -> dict[str, Any]:
        event_id = _event_of_session(s, _registration_in(s, registration_id).session_id)
        _require(actor, event_id, organiser=True)
        event = _lock_event(s, event_id)
        reg = _registration_in(s, registration_id)
        s.refresh(reg)
        if reg.status == "cancelled":
            return {**_reg_state(reg), "email_ids": ()}
        cursor = _outbox_cursor(s)
        _cancel_reg_in(s, actor, event, reg, m.utcnow())
        return {**_reg_state(reg), "email_ids": _new_emails(s, cursor)}

    out = e.run_write(work)
    inv.deliver_quietly(out.get("email_ids", ()))
    return out


def fill_from_waiting_list(actor: Actor, event_id: int) -> int:
    """Promote waiting people wherever places are free (after a cap was raised). Returns how many."""
    def work(s: Session) -> tuple[int, tuple[int, ...]]:
        _require(actor, event_id, organiser=True)
        event = _lock_event(s, event_id)
        cursor = _outbox_cursor(s)
        now = m.utcnow()
        count = sum(len(_promote_in(s, actor, event, sid, now)) for sid in _event_sessions(s, event.id, lock=True))
        return count, _new_emails(s, cursor)

    count, emails = e.run_write(work)
    inv.deliver_quietly(emails)
    return count


def set_present(actor: Actor, registration_id: Any, present: bool) -> dict[str, Any]:
    """The facilitator ticks (or unticks) someone present."""
    if not isinstance(present, bool):
        raise ValidationError("error.invalid", field="present")

    def work(s: Session) -> dict[str, Any]:
        reg = _registration_in(s, registration_id)
        event_id = _event_of_session(s, reg.session_id)
        _require(actor, event_id, organiser=False)
        return _set_present_in(s, actor, event_id, reg, present)

    return e.run_write(work)


def _set_present_in(s: Session, actor: Actor, event_id: int, reg: m.Registration, present: bool) -> dict[str, Any]:
    if reg.present == present:
        return _reg_state(reg)
    before = _reg_state(reg)
    reg.present = present
    reg.checked_in_at = m.utcnow() if present else None
    s.flush()
    e.record(s, actor, "attendance", "registration", reg.id, _scope(event_id, reg.session_id), before=before,
             after=_reg_state(reg))
    return _reg_state(reg)


def set_attendance(actor: Actor, session_id: Any, present_registration_ids: Iterable[Any]) -> int:
    """Save the attendance sheet of a session: exactly these registrations are present. Returns changes."""
    try:
        wanted = {clean_id(x, "registration") for x in present_registration_ids}
    except TypeError:  # not a list of ids
        raise NotFound(field="registration") from None

    def work(s: Session) -> int:
        event_id = _event_of_session(s, session_id)
        _require(actor, event_id, organiser=False)
        regs = s.execute(select(m.Registration).where(m.Registration.session_id == int(session_id))).scalars().all()
        if wanted - {r.id for r in regs}:
            raise NotFound(field="registration")
        changed = 0
        for reg in regs:
            if reg.present != (reg.id in wanted):
                _set_present_in(s, actor, event_id, reg, reg.id in wanted)
                changed += 1
        return changed

    return e.run_write(work)


def update_attendance(actor: Actor, session_id: Any, changes: dict[Any, bool]) -> int:
    """Save only what the sheet changed (registration id -> present), so two people ticking the same
    sheet at the door never untick each other's. Returns how many changed."""
    try:
        wanted = {int(k): v for k, v in dict(changes).items()}
    except (TypeError, ValueError):
        raise NotFound(field="registration") from None
    if any(not isinstance(v, bool) for v in wanted.values()):
        raise ValidationError("error.invalid", field="present")

    def work(s: Session) -> int:
        event_id = _event_of_session(s, session_id)
        _require(actor, event_id, organiser=False)
        regs = {r.id: r for r in s.execute(select(m.Registration).where(
            m.Registration.session_id == int(session_id), m.Registration.id.in_(list(wanted)))).scalars()}
        if set(wanted) - set(regs):
            raise NotFound(field="registration")
        changed = 0
        for reg_id, present in sorted(wanted.items()):
            if regs[reg_id].present != present:
                _set_present_in(s, actor, event_id, regs[reg_id], present)
                changed += 1
        return changed

    return e.run_write(work) if wanted else 0


def mark_present(session_id: int, participant_id: int, actor: Actor = SYSTEM) -> bool:
    """A registered person joined the session (by code): present. False when they are not registered."""
    def work(s: Session) -> bool:
        reg = s.execute(select(m.Registration).where(m.Registration.session_id == int(session_id),
                                                     m.Registration.participant_id == int(participant_id))
                        ).scalar_one_or_none()
        if reg is None:
            return False
        event_id = _event_of_session(s, reg.session_id)
        _require(actor, event_id, organiser=False)   # the join flow (SYSTEM) or the event's staff
        _set_present_in(s, actor, event_id, reg, True)
        return True

    return e.run_write(work)


def merge_organisations(actor: Actor, event_id: int, source_id: Any, target_id: Any) -> dict[str, Any]:
    """Count two organisations as one: ``source`` is merged into ``target`` (for every event)."""
    def work(s: Session) -> dict[str, Any]:
        _require(actor, event_id, organiser=True)
        _lock_event(s, event_id)
        try:
            source, target = s.get(m.Organisation, int(source_id)), s.get(m.Organisation, int(target_id))
        except (TypeError, ValueError):
            source = target = None
        if source is None or target is None:
            raise NotFound(field="organisation")
        target = _root(s, target)
        source = _root(s, source)
        if source.id == target.id:
            raise Conflict("error.reg_merge_same", field="organisation")
        in_event = s.execute(select(func.count()).select_from(m.Participant).where(
            m.Participant.event_id == event_id, m.Participant.organisation_id.in_([source.id, target.id]))).scalar_one()
        if not in_event and not (actor.kind == "system" or actor.role == "admin"):
            raise NotFound(field="organisation")
        before = {"id": source.id, "name": source.name, "merged_into_id": source.merged_into_id}
        source.merged_into_id = target.id
        moved = s.execute(select(m.Participant).where(m.Participant.organisation_id == source.id)).scalars().all()
        for person in moved:
            person.organisation_id = target.id
        for child in s.execute(select(m.Organisation).where(m.Organisation.merged_into_id == source.id)).scalars():
            child.merged_into_id = target.id
        s.flush()
        e.record(s, actor, "merge", "organisation", source.id, _scope(event_id), before=before,
                 after={"id": source.id, "name": source.name, "merged_into_id": target.id, "into": target.name,
                        "participants_moved": len(moved)})
        return {"source_id": source.id, "target_id": target.id, "participants_moved": len(moved)}

    return e.run_write(work)


@dataclass(frozen=True)
class EventSettings:
    id: int
    slug: str
    title: str
    registration_open: bool
    participant_cap: int
    per_org_cap: int
    retention_months: int | None
    version: int


def event_settings(event_id: int) -> EventSettings:
    with db.read_session() as s:
        ev = s.get(m.Event, int(event_id))
        if ev is None or ev.deleted_at is not None:
            raise NotFound("error.reg_unknown_event", field="event")
        return EventSettings(ev.id, ev.slug, ev.title, bool(ev.registration_open), ev.participant_cap, ev.per_org_cap,
                             ev.retention_months, ev.version)


_UNSET: Any = object()


def update_settings(actor: Actor, event_id: int, seen_version: int | None, *, registration_open: Any = _UNSET,
                    participant_cap: Any = _UNSET, per_org_cap: Any = _UNSET,
                    retention_months: Any = _UNSET) -> EventSettings:
    """Open or close registration, set the caps and the retention of personal data (months, or None)."""
    from core import validation as v

    changes: dict[str, Any] = {}
    if registration_open is not _UNSET:
        changes["registration_open"] = v.clean("registration_open", v.boolean(), registration_open)
    if participant_cap is not _UNSET:
        changes["participant_cap"] = v.clean("participant_cap", v.integer(L.CAP_MIN, L.CAP_MAX, required=True),
                                             participant_cap)
    if per_org_cap is not _UNSET:
        changes["per_org_cap"] = v.clean("per_org_cap",
                                         v.integer(L.PER_ORG_CAP_MIN, L.PER_ORG_CAP_MAX, required=True), per_org_cap)
    if retention_months is not _UNSET:
        changes["retention_months"] = v.clean("retention_months", v.integer(RETENTION_MIN, RETENTION_MAX),
                                              retention_months)

    def work(s: Session) -> tuple[None, tuple[int, ...]]:
        _require(actor, event_id, organiser=True)
        event = _lock_event(s, event_id)
        before = {k: getattr(event, k) for k in changes} | {"version": event.version}
        if seen_version is not None and event.version != seen_version:
            raise StaleEdit(current=e.snapshot(event), seen_version=seen_version, version=event.version)
        for key, value in changes.items():
            setattr(event, key, value)
        if not s.is_modified(event):
            return None, ()
        s.flush()
        e.record(s, actor, "update", "event", event.id, _scope(event.id), before=before,
                 after={k: getattr(event, k) for k in changes} | {"version": event.version})
        cursor = _outbox_cursor(s)
        if changes.get("participant_cap", 0) > before.get("participant_cap", 10**9) or \
                changes.get("per_org_cap", 0) > before.get("per_org_cap", 10**9):
            now = m.utcnow()
            for sid in _event_sessions(s, event.id, lock=True):
                _promote_in(s, actor, event, sid, now)
        return None, _new_emails(s, cursor)

    _, emails = e.run_write(work)
    inv.deliver_quietly(emails)
    return event_settings(event_id)


def queue_invitations(actor: Actor, session_id: Any) -> int:
    """Email an invitation (with its calendar file) to every confirmed person of a session."""
    def work(s: Session) -> tuple[int, tuple[int, ...]]:
        event_id = _event_of_session(s, session_id)
        _require(actor, event_id, organiser=True)
        info = inv.session_info_in(s, int(session_id))
        if info is None:
            raise NotFound(field="session")
        people = s.execute(select(m.Participant).join(m.Registration, m.Registration.participant_id == m.Participant.id)
                           .where(m.Registration.session_id == int(session_id), m.Registration.status == "confirmed",
                                  m.Participant.erased_at.is_(None)).order_by(m.Participant.id)).scalars().all()
        ids = tuple(inv.queue_invitation_in(s, p, info).id for p in people if p.email)
        e.record(s, actor, "invite", "session", int(session_id), _scope(event_id, int(session_id)),
                 after={"emails": len(ids)})
        return len(ids), ids

    count, ids = e.run_write(work)
    inv.deliver_quietly(ids)
    return count


def resend_link(actor: Actor, participant_id: Any) -> int:
    """Queue an email with the person's personal link (the organiser helps someone who lost it)."""
    def work(s: Session) -> int:
        person = s.get(m.Participant, int(participant_id))
        if person is None or person.erased_at is not None or person.event_id is None:
            raise NotFound(field="participant")
        _require(actor, person.event_id, organiser=True)
        event = s.get(m.Event, person.event_id)
        if event is None:
            raise NotFound("error.reg_unknown_event", field="event")
        row = inv.queue_link_reminder_in(s, person, event)
        e.record(s, actor, "send_link", "participant", person.id, _scope(person.event_id))
        return row.id

    email_id = e.run_write(work)
    inv.deliver_quietly([email_id])
    return email_id


# --- reads ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class PublicSession:
    id: int
    title: str
    starts_at: dt.datetime | None
    ends_at: dt.datetime | None
    available: bool
    places_left: int


@dataclass(frozen=True)
class PublicTheme:
    id: int
    title: str
    why: str
    sessions: tuple[PublicSession, ...]


@dataclass(frozen=True)
class PublicEvent:
    id: int
    slug: str
    title: str
    description: str
    place: str
    registration_open: bool
    participant_cap: int
    per_org_cap: int
    retention_months: int | None
    themes: tuple[PublicTheme, ...]

    @property
    def sessions(self) -> dict[int, tuple[PublicTheme, PublicSession]]:
        return {x.id: (theme, x) for theme in self.themes for x in theme.sessions}


def _confirmed_by_session(s: Session, session_ids: Iterable[int]) -> dict[int, int]:
    return dict(s.execute(select(m.Registration.session_id, func.count()).where(
        m.Registration.session_id.in_(list(session_ids)), m.Registration.status == "confirmed")
        .group_by(m.Registration.session_id)).all())


def public_event(slug: str, now_local: dt.datetime | None = None) -> PublicEvent:
    """What the registration page shows: the event, its themes and sessions, places left (no names)."""
    now_local = now_local or inv.local_now()
    with db.read_session() as s:
        ev = s.execute(select(m.Event).where(m.Event.slug == _slug(slug), m.Event.deleted_at.is_(None))
                       ).scalar_one_or_none()
        if ev is None:
            raise NotFound("error.reg_unknown_event", field="event")
        themes = s.execute(select(m.Theme).where(m.Theme.event_id == ev.id, m.Theme.deleted_at.is_(None))
                           .order_by(m.Theme.position, m.Theme.id)).scalars().all()
        sessions = _event_sessions(s, ev.id)
        taken = _confirmed_by_session(s, sessions)
        out = []
        for theme in themes:
            mine = sorted((x for x in sessions.values() if x.theme_id == theme.id),
                          key=lambda x: (x.starts_at or dt.datetime.max, x.id))
            out.append(PublicTheme(theme.id, theme.title, theme.why, tuple(
                PublicSession(x.id, x.title or "", x.starts_at, x.ends_at, _is_available(x, now_local),
                              max(0, ev.participant_cap - taken.get(x.id, 0))) for x in mine)))
        return PublicEvent(ev.id, ev.slug, ev.title, ev.description, ev.place,
                           bool(ev.registration_open) and ev.archived_at is None,
                           ev.participant_cap, ev.per_org_cap, ev.retention_months, tuple(out))


@dataclass(frozen=True)
class MyRegistration:
    registration_id: int
    session_id: int
    theme_title: str
    session_title: str
    starts_at: dt.datetime | None
    ends_at: dt.datetime | None
    status: str
    waiting_position: int | None
    present: bool
    changeable: bool              # the session has not started: one may still cancel


@dataclass(frozen=True)
class PersonView:
    participant_id: int
    first_name: str
    last_name: str
    email: str
    organisation: str
    sector: str
    lang: str
    event_id: int
    event_slug: str
    event_title: str
    place: str
    registration_open: bool
    registrations: tuple[MyRegistration, ...]

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


def participant_view(token: str, now_local: dt.datetime | None = None) -> PersonView:
    """What the personal link shows: this person's data and registrations, nobody else's."""
    now_local = now_local or inv.local_now()
    with db.read_session() as s:
        person = _participant_by_token_in(s, token)
        ev = s.get(m.Event, person.event_id)
        if ev is None or ev.deleted_at is not None:
            raise NotFound("error.reg_invalid_link", field="token")
        org = s.get(m.Organisation, person.organisation_id) if person.organisation_id else None
        rows = s.execute(
            select(m.Registration, m.WorkshopSession, m.Theme)
            .join(m.WorkshopSession, m.WorkshopSession.id == m.Registration.session_id)
            .join(m.Theme, m.Theme.id == m.WorkshopSession.theme_id)
            .where(m.Registration.participant_id == person.id, m.WorkshopSession.deleted_at.is_(None))
            .order_by(m.WorkshopSession.starts_at, m.WorkshopSession.id)).all()
        regs = tuple(MyRegistration(reg.id, x.id, theme.title, x.title or "", x.starts_at, x.ends_at, reg.status,
                                    _waiting_position(s, reg), reg.present, _is_available(x, now_local))
                     for reg, x, theme in rows)
        return PersonView(person.id, person.first_name, person.last_name, person.email, org.name if org else "",
                          person.sector, person.lang, ev.id, ev.slug, ev.title, ev.place,
                          bool(ev.registration_open) and ev.archived_at is None, regs)


@dataclass(frozen=True)
class RosterRow:
    registration_id: int
    participant_id: int
    name: str
    email: str
    organisation: str
    sector: str
    status: str
    present: bool
    registered_at: dt.datetime
    promoted_at: dt.datetime | None
    overridden: bool


@dataclass(frozen=True)
class SessionRoster:
    session_id: int
    theme_title: str
    session_title: str
    starts_at: dt.datetime | None
    ends_at: dt.datetime | None
    cap: int
    confirmed: tuple[RosterRow, ...]
    waiting: tuple[RosterRow, ...]        # in order: the first is promoted first
    cancelled: int

    @property
    def present(self) -> int:
        return sum(r.present for r in self.confirmed) + sum(r.present for r in self.waiting)


def sees_contacts(actor: Actor, event_id: int) -> bool:
    """Whether ``actor`` may read people's email addresses: the event's organisers and admins (its
    facilitators see names and organisations, for the attendance sheet)."""
    try:
        _require(actor, event_id, organiser=True)
    except PermissionDenied:
        return False
    return True


def rosters(actor: Actor, event_id: int) -> list[SessionRoster]:
    """Per session, the confirmed and waiting people (organisers and facilitators of the event;
    the email addresses for organisers only)."""
    _require(actor, event_id, organiser=False)
    contacts = sees_contacts(actor, event_id)
    with db.read_session() as s:
        ev = s.get(m.Event, int(event_id))
        if ev is None or ev.deleted_at is not None:
            raise NotFound("error.reg_unknown_event", field="event")
        sessions = _event_sessions(s, ev.id)
        themes = {t.id: t for t in s.execute(select(m.Theme).where(m.Theme.event_id == ev.id)).scalars()}
        rows = s.execute(
            select(m.Registration, m.Participant, m.Organisation.name)
            .join(m.Participant, m.Participant.id == m.Registration.participant_id)
            .outerjoin(m.Organisation, m.Organisation.id == m.Participant.organisation_id)
            .where(m.Registration.session_id.in_(list(sessions)))
            .order_by(m.Registration.created_at, m.Registration.id)).all()
        by_session: dict[int, list[tuple[m.Registration, RosterRow]]] = {sid: [] for sid in sessions}
        for reg, person, org_name in rows:
            by_session[reg.session_id].append((reg, RosterRow(
                reg.id, person.id, f"{person.first_name} {person.last_name}".strip(), person.email if contacts else "",
                org_name or "", person.sector, reg.status, reg.present, reg.created_at, reg.promoted_at,
                reg.overridden_by is not None)))
        ordered = sorted(sessions.values(), key=lambda x: (x.starts_at or dt.datetime.max, x.id))
        out = []
        for x in ordered:
            regs = by_session[x.id]
            confirmed = tuple(sorted((r for reg, r in regs if reg.status == "confirmed"),
                                     key=lambda r: r.name.casefold()))
            waiting = tuple(r for reg, r in regs if reg.status == "waiting")
            out.append(SessionRoster(x.id, themes[x.theme_id].title if x.theme_id in themes else "", x.title or "",
                                     x.starts_at, x.ends_at, ev.participant_cap, confirmed, waiting,
                                     sum(1 for reg, _ in regs if reg.status == "cancelled")))
        return out


def attendance_summary(event_id: int) -> pd.DataFrame:
    """Per session: places, confirmed, waiting, cancelled, present — what the dashboards chart."""
    columns = ["session_id", "theme", "session", "starts_at", "cap", "confirmed", "waiting", "cancelled", "present"]
    with db.read_session() as s:
        ev = s.get(m.Event, int(event_id))
        if ev is None:
            raise NotFound("error.reg_unknown_event", field="event")
        sessions = _event_sessions(s, ev.id)
        themes = {t.id: t.title for t in s.execute(select(m.Theme).where(m.Theme.event_id == ev.id)).scalars()}
        counts = s.execute(select(m.Registration.session_id, m.Registration.status, m.Registration.present,
                                  func.count())
                           .where(m.Registration.session_id.in_(list(sessions)))
                           .group_by(m.Registration.session_id, m.Registration.status, m.Registration.present)).all()
    stats: dict[int, dict[str, int]] = {sid: {"confirmed": 0, "waiting": 0, "cancelled": 0, "present": 0}
                                        for sid in sessions}
    for sid, status, present, n in counts:
        stats[sid][status] = stats[sid].get(status, 0) + n
        if present:
            stats[sid]["present"] += n
    rows = [{"session_id": x.id, "theme": themes.get(x.theme_id, ""), "session": x.title or "",
             "starts_at": x.starts_at, "cap": ev.participant_cap, **stats[x.id]}
            for x in sorted(sessions.values(), key=lambda x: (x.starts_at or dt.datetime.max, x.id))]
    return pd.DataFrame(rows, columns=columns)


@dataclass(frozen=True)
class OrganisationRow:
    id: int
    name: str
    normalized_name: str
    participants: int


def event_organisations(actor: Actor, event_id: int) -> list[OrganisationRow]:
    """The organisations of the event's participants, with how many people each."""
    _require(actor, event_id, organiser=False)
    with db.read_session() as s:
        rows = s.execute(select(m.Organisation, func.count(m.Participant.id))
                         .join(m.Participant, m.Participant.organisation_id == m.Organisation.id)
                         .where(m.Participant.event_id == int(event_id), m.Participant.erased_at.is_(None))
                         .group_by(m.Organisation.id).order_by(m.Organisation.normalized_name)).all()
        return [OrganisationRow(org.id, org.name, org.normalized_name, int(n)) for org, n in rows]


def merge_suggestions(actor: Actor, event_id: int,
                      threshold: float = 85.0) -> list[tuple[OrganisationRow, OrganisationRow, int]]:
    """Pairs of the event's organisations whose names look alike (likely the same), best first."""
    from rapidfuzz import fuzz

    orgs = event_organisations(actor, event_id)
    pairs = []
    for i, a in enumerate(orgs):
        for b in orgs[i + 1:]:
            score = fuzz.token_set_ratio(a.normalized_name, b.normalized_name)
            if score >= threshold:
                pairs.append((a, b, int(round(score))))
    pairs.sort(key=lambda p: -p[2])
    return pairs


@dataclass(frozen=True)
class PersonRow:
    participant_id: int
    name: str
    email: str
    organisation: str
    active_registrations: int


def event_people(actor: Actor, event_id: int) -> list[PersonRow]:
    _require(actor, event_id, organiser=True)
    with db.read_session() as s:
        active = (select(m.Registration.participant_id, func.count().label("n"))
                  .where(m.Registration.status.in_(ACTIVE)).group_by(m.Registration.participant_id).subquery())
        rows = s.execute(select(m.Participant, m.Organisation.name, active.c.n)
                         .outerjoin(m.Organisation, m.Organisation.id == m.Participant.organisation_id)
                         .outerjoin(active, active.c.participant_id == m.Participant.id)
                         .where(m.Participant.event_id == int(event_id), m.Participant.erased_at.is_(None))
                         .order_by(m.Participant.last_name, m.Participant.first_name, m.Participant.id)).all()
        return [PersonRow(p.id, f"{p.first_name} {p.last_name}".strip(), p.email, org or "", int(n or 0))
                for p, org, n in rows]


__all__ = [
    "SELF_SERVICE", "ChangeResult", "EventSettings", "MyRegistration", "OrganisationRow", "PersonRow", "PersonView",
    "Placement", "PublicEvent", "RegistrationResult", "RosterRow", "SessionRoster", "add_sessions",
    "attendance_summary", "cancel", "cancel_registration", "change_sessions", "clean_email", "confirm_anyway",
    "event_organisations", "event_people", "event_settings", "fill_from_waiting_list", "mark_present",
    "merge_organisations", "merge_suggestions", "normalize_organisation", "participant_view", "public_event",
    "queue_invitations", "register", "resend_link", "rosters", "sees_contacts", "set_attendance", "set_present",
    "update_attendance", "update_settings",
]
