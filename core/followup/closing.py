"""The closing summary: when an organiser publishes the booklet, the registered participants get an
email with the link to the event's public follow-up page, where the booklet (PDF) and the follow-up
of every recommendation are (the booklet is linked, not attached: the outbox carries calendar files
only, and a link always gives the latest edition).

Who gets it: the people registered for the event (``participants.event_id``) with a confirmed place
in one of its sessions, who accepted the privacy notice (``consent_at``, asked by the registration
form), whose data is not erased, who have an email address and did not opt out
(``summary_opt_out_at``, from their personal registration page: ``set_opt_out``).

Publishing switches the public page on (the email's link must work) and marks the booklet as
published (the first date is kept). It is idempotent: each person is sent the summary once
(``summary_sent_at``, set in the same transaction as the outbox row, under a lock on the event so two
organisers clicking at once do not both send); publishing again only sends to people who became
eligible since (a late registration, an opt-out withdrawn).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from core import entities as e
from core import permissions
from core import validation as v
from core.actor import Actor
from core.errors import NotFound, ValidationError
from core.followup import public
from core.i18n import LANGUAGES, translate
from core.permissions import Scope
from core.signup import invitations as inv
from storage import db
from storage import models as m


@dataclass(frozen=True)
class ClosingStatus:
    published_at: dt.datetime | None
    sent: int               # people already sent the summary
    to_send: int            # people who would get it on the next publication
    opted_out: int


@dataclass(frozen=True)
class PublishResult:
    queued: int
    email_ids: tuple[int, ...]
    link: str


def _people(s: Session, event_id: int) -> Any:
    """The event's people with a confirmed place in one of its sessions and consent, not erased."""
    P, R = m.Participant, m.Registration
    confirmed = exists().where(R.participant_id == P.id, R.status == "confirmed")
    return select(P).where(P.event_id == event_id, P.erased_at.is_(None), P.consent_at.is_not(None), P.email != "",
                           confirmed)


def closing_status(actor: Actor, event_id: Any) -> ClosingStatus:
    event_id = v.clean_id(event_id, "event_id")
    with db.read_session() as s:
        ev = e.get_live(s, m.Event, event_id, field="event_id")
        permissions.require(actor, ("follow_up", "read"), Scope(event_id=ev.id))
        people = s.execute(_people(s, ev.id)).scalars().all()
        return ClosingStatus(ev.booklet_published_at, sum(p.summary_sent_at is not None for p in people),
                             sum(p.summary_sent_at is None and p.summary_opt_out_at is None for p in people),
                             sum(p.summary_opt_out_at is not None for p in people))


def _email(person: m.Participant, ev: m.Event, link: str, personal: str) -> tuple[str, str]:
    lang = person.lang if person.lang in LANGUAGES else "fr"
    name = f"{person.first_name} {person.last_name}".strip()
    body = "\n".join([
        translate(lang, "reg.email.greeting", name=name), "",
        translate(lang, "followup.email.intro", event=ev.title), "",
        translate(lang, "followup.email.link_intro"), link, "",
        translate(lang, "followup.email.booklet"), "",
        translate(lang, "followup.email.opt_out"), personal, "",
        translate(lang, "reg.email.signature")])
    return translate(lang, "followup.email.subject", event=ev.title), body


def publish_closing_summary(actor: Actor, event_id: Any) -> PublishResult:
    """Publish the booklet: the public page on, and the closing summary queued once for each person
    who should get it (see the module docstring). Returns what was queued now."""
    def _write(s: Session) -> PublishResult:
        ev = s.execute(select(m.Event).where(m.Event.id == v.clean_id(event_id, "event_id"),
                                             m.Event.deleted_at.is_(None)).with_for_update()).scalar_one_or_none()
        if ev is None:
            raise NotFound(field="event_id")
        scope = Scope(event_id=ev.id)
        permissions.require(actor, ("follow_up", "publish"), scope)
        public.switch_on_in(s, actor, ev)
        now = m.utcnow()
        first = ev.booklet_published_at is None
        published_at = ev.booklet_published_at or now
        ev.booklet_published_at = published_at
        ids = []
        for person in s.execute(_people(s, ev.id).where(m.Participant.summary_sent_at.is_(None),
                                                        m.Participant.summary_opt_out_at.is_(None))
                                ).scalars().all():
            lang = person.lang if person.lang in LANGUAGES else "fr"
            subject, body = _email(person, ev, public.public_link(ev.public_token or "", lang),
                                   inv.personal_link(inv.new_personal_token_in(s, person.id), lang))
            ids.append(inv.queue_in(s, person.email, subject, body, event_id=ev.id, participant_id=person.id).id)
            person.summary_sent_at = now
        s.flush()
        e.record(s, actor, "publish", "closing_summary", ev.id, scope,
                 after={"booklet_published_at": published_at.isoformat(), "emails_queued": len(ids),
                        "first_publication": first})
        return PublishResult(len(ids), tuple(ids), public.public_link(ev.public_token or ""))
    result = e.run_write(_write)
    inv.deliver_quietly(result.email_ids)
    return result


# --- the person's choice (personal registration link, no account) ---------------------------------

def opted_out(token: Any) -> bool | None:
    """Whether the person of this personal link opted out of the closing summary (None: no such person)."""
    with db.read_session() as s:
        person = inv.participant_by_token_in(s, token)
        return None if person is None else person.summary_opt_out_at is not None


def set_opt_out(token: Any, opt_out: bool) -> bool:
    """The person of this personal link opts out of (or back into) the closing summary."""
    if not isinstance(opt_out, bool):
        raise ValidationError("error.invalid", field="opt_out")

    def _write(s: Session) -> bool:
        person = inv.participant_by_token_in(s, token)
        if person is None:
            raise NotFound(field="token")
        if (person.summary_opt_out_at is not None) == opt_out:
            return opt_out
        person.summary_opt_out_at = m.utcnow() if opt_out else None
        s.flush()
        e.record(s, Actor(kind="participant", label="registration link"), "opt_out" if opt_out else "opt_in",
                 "closing_summary", person.id, Scope(event_id=person.event_id))
        return opt_out
    return e.run_write(_write)


__all__ = ["ClosingStatus", "PublishResult", "closing_status", "opted_out", "publish_closing_summary",
           "set_opt_out"]
