"""Participants join a session with its code, without an account.

A join creates a participant token: a random secret kept in the browser (cookie) and, hashed, in
the database, so a reload, a new tab or a laptop waking from sleep returns to the same sub-group.
Code guessing is rate-limited per browser and per network address."""
from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from core import entities as e
from core.access.codes import normalise_code
from core.actor import Actor
from core.errors import AtelierError, NotFound, StorageUnavailable, ValidationError
from core.validation import clean_text
from storage import db
from storage import models as m

MAX_FAILURES_PER_BROWSER = 10
MAX_FAILURES_PER_ADDRESS = 100      # a whole room may share one address behind NAT
FAILURE_WINDOW = dt.timedelta(minutes=5)
ATTEMPTS_KEPT = dt.timedelta(days=1)  # older attempts are purged
TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{20,100}$")
LAST_SEEN_EVERY = dt.timedelta(minutes=2)


class TooManyAttempts(AtelierError):
    key = "error.join_rate_limited"


@dataclass(frozen=True)
class SubgroupChoice:
    id: int
    name: str


@dataclass(frozen=True)
class SessionToJoin:
    session_id: int
    event_title: str
    theme_title: str
    starts_at: dt.datetime | None
    stage: str
    subgroups: tuple[SubgroupChoice, ...]
    subgroup_id: int | None = None  # set when the code was a sub-group's own code


@dataclass(frozen=True)
class Membership:
    token_id: int
    session_id: int
    subgroup_id: int | None
    subgroup_name: str
    display_name: str
    event_id: int
    event_title: str
    theme_title: str
    session_status: str

    def actor(self) -> Actor:
        label = self.display_name or self.subgroup_name
        if self.display_name and self.subgroup_name:
            label = f"{self.display_name} ({self.subgroup_name})"
        return Actor(kind="participant", id=self.token_id, label=label, session_id=self.session_id,
                     subgroup_id=self.subgroup_id)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _client_key(prefix: str, value: Any) -> str:
    """The rate-limit key of a browser or an address; a value that is not plain printable ASCII
    (a forged cookie with NUL bytes or lone surrogates) is keyed by its hash."""
    text = str(value)
    if not (text.isascii() and text.isprintable()):
        text = "#" + hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
    return f"{prefix}:{text}"[:64]


def _client_keys(browser_key: str, address: str | None) -> list[tuple[str, int]]:
    keys = [(_client_key("b", browser_key), MAX_FAILURES_PER_BROWSER)]
    if address:
        keys.append((_client_key("a", address), MAX_FAILURES_PER_ADDRESS))
    return keys


def _now() -> dt.datetime:
    """The clock of join-code rate limiting (UTC, naive); tests replace it."""
    return m.utcnow()


def _check_rate(s: Session, keys: list[tuple[str, int]], now: dt.datetime) -> None:
    since = now - FAILURE_WINDOW
    for key, limit in keys:
        failures = s.execute(select(func.count()).select_from(m.JoinAttempt).where(
            m.JoinAttempt.client_key == key, m.JoinAttempt.at >= since, m.JoinAttempt.success.is_(False))).scalar_one()
        if failures >= limit:
            raise TooManyAttempts(minutes=int(FAILURE_WINDOW.total_seconds() // 60))


def _find(s: Session, code: str) -> SessionToJoin | None:
    session = s.execute(select(m.WorkshopSession).where(
        m.WorkshopSession.join_code == code, m.WorkshopSession.status != "closed",
        m.WorkshopSession.deleted_at.is_(None))).scalar_one_or_none()
    subgroup_id = None
    if session is None:
        row = s.execute(select(m.Subgroup, m.WorkshopSession).join(
            m.WorkshopSession, m.WorkshopSession.id == m.Subgroup.session_id).where(
            m.Subgroup.join_code == code, m.Subgroup.deleted_at.is_(None),
            m.WorkshopSession.status != "closed", m.WorkshopSession.deleted_at.is_(None))).first()
        if row is None:
            return None
        subgroup_id, session = row[0].id, row[1]
    theme = e.get_row(s, m.Theme, session.theme_id)
    event = e.get_row(s, m.Event, theme.event_id)
    groups = s.execute(select(m.Subgroup).where(m.Subgroup.session_id == session.id, m.Subgroup.deleted_at.is_(None))
                       .order_by(m.Subgroup.position, m.Subgroup.id)).scalars().all()
    return SessionToJoin(session.id, event.title, theme.title, session.starts_at, session.stage,
                         tuple(SubgroupChoice(g.id, g.name) for g in groups), subgroup_id)


def check_code(raw_code: str, browser_key: str, address: str | None = None) -> SessionToJoin:
    """The session a typed code opens; a wrong code is counted against this browser."""
    code = normalise_code(raw_code)
    keys = _client_keys(browser_key, address)
    now = _now()
    with db.write_session() as s:
        db.lock_keys(s, [key for key, _limit in keys])  # guesses sent at once are counted one after the other
        _check_rate(s, keys, now)  # a refused attempt is not counted (the transaction rolls back)
        found = _find(s, code) if code else None
        s.execute(delete(m.JoinAttempt).where(m.JoinAttempt.at < now - ATTEMPTS_KEPT)
                  .execution_options(synchronize_session=False))
        for key, _limit in keys:
            s.add(m.JoinAttempt(client_key=key, success=found is not None, at=now))
    if found is None:
        raise NotFound("error.join_bad_code", field="code") if code else ValidationError("error.required", field="code")
    return found


def join(session_id: int, subgroup_id: int, display_name: str = "") -> tuple[str, Membership]:
    """Join a sub-group of a session; returns the secret token to keep in the browser."""
    display_name = clean_text(display_name, "display_name", 60, required=False, multiline=False)
    token = secrets.token_urlsafe(32)

    def _join(s: Session) -> int:
        session = e.get_live(s, m.WorkshopSession, session_id, field="session_id")
        if session.status == "closed":
            raise ValidationError("error.session_closed", field="session_id")
        group = e.get_live(s, m.Subgroup, subgroup_id, field="subgroup_id")
        if group.session_id != session.id:
            raise NotFound(field="subgroup_id")
        row = m.ParticipantToken(token_hash=hash_token(token), session_id=session.id, subgroup_id=group.id,
                                 display_name=display_name)
        s.add(row)
        s.flush()
        e.record(s, Actor(kind="participant", id=row.id, label=display_name or group.name, session_id=session.id,
                          subgroup_id=group.id), "join", "participant_token", row.id,
                 e.scope_of(s, group), after={"subgroup_id": group.id, "display_name": display_name})
        return row.id
    e.run_write(_join)
    membership = resolve(token)
    assert membership is not None
    return token, membership


def resolve(token: str | None) -> Membership | None:
    """Who a browser token belongs to, or None (unknown, revoked, or malformed)."""
    if not token or not TOKEN_RE.match(token):
        return None
    with db.read_session() as s:
        row = s.execute(select(m.ParticipantToken, m.WorkshopSession, m.Theme, m.Event)
                        .join(m.WorkshopSession, m.WorkshopSession.id == m.ParticipantToken.session_id)
                        .join(m.Theme, m.Theme.id == m.WorkshopSession.theme_id)
                        .join(m.Event, m.Event.id == m.Theme.event_id)
                        .where(m.ParticipantToken.token_hash == hash_token(token),
                               m.ParticipantToken.revoked_at.is_(None),
                               m.WorkshopSession.deleted_at.is_(None))).first()
        if row is None:
            return None
        tok, session, theme, event = row
        group = s.get(m.Subgroup, tok.subgroup_id) if tok.subgroup_id else None
        stale = m.utcnow() - tok.last_seen_at > LAST_SEEN_EVERY
        membership = Membership(tok.id, session.id, tok.subgroup_id, group.name if group else "", tok.display_name,
                                event.id, event.title, theme.title, session.status)
    if stale:
        try:  # bookkeeping only: a database that cannot write just now must not hide who this is
            with db.write_session() as s:
                s.execute(update(m.ParticipantToken).where(m.ParticipantToken.id == membership.token_id)
                          .execution_options(synchronize_session=False)
                          .values(last_seen_at=m.utcnow()))
        except StorageUnavailable:
            pass
    return membership


def leave(token: str | None) -> None:
    if not token or not TOKEN_RE.match(token):
        return
    with db.write_session() as s:
        row = s.execute(select(m.ParticipantToken)
                        .where(m.ParticipantToken.token_hash == hash_token(token))).scalar_one_or_none()
        if row is not None and row.revoked_at is None:
            row.revoked_at = m.utcnow()
            e.record(s, Actor(kind="participant", id=row.id, label=row.display_name), "leave", "participant_token",
                     row.id, e._session_scope(s, row.session_id, row.subgroup_id))
