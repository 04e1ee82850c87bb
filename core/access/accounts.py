"""Staff accounts: creation, passwords (bcrypt), deactivation, and the checks that make a login
cookie revocable (a cookie issued before the last password change or deactivation is refused)."""
from __future__ import annotations

import datetime as dt
import functools
import hashlib
import math
import re
import secrets
from dataclasses import dataclass

import bcrypt
from sqlalchemy import delete, func, or_, select
from sqlalchemy.orm import Session

from core import entities as e
from core import permissions, vocabulary
from core.actor import SYSTEM, Actor
from core.errors import AtelierError, Conflict, NotFound, ValidationError
from core.validation import clean_email, clean_text
from storage import db
from storage import models as m

USERNAME_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{1,59}$")
PASSWORD_MIN = 10
DEMO_ACCOUNTS = (  # created only in demo mode (ATELIER_DEMO=1); passwords are shown on the login page
    ("admin", "admin", "Admin Démo", "admin-demo"),
    ("organisatrice", "organiser", "Organisatrice Démo", "organiser-demo"),
    ("animateur", "facilitator", "Animateur Démo", "facilitator-demo"),
)


@dataclass(frozen=True)
class StaffUser:
    id: int
    username: str
    name: str
    email: str
    role: str
    active: bool
    is_demo: bool
    password_changed_at: dt.datetime
    deactivated_at: dt.datetime | None
    event_ids: frozenset[int]

    def actor(self) -> Actor:
        return Actor(kind="staff", id=self.id, label=self.name, role=self.role, event_ids=self.event_ids)


def hash_password(password: str) -> str:
    return bcrypt.hashpw(password.encode("utf-8"), bcrypt.gensalt(rounds=12)).decode("ascii")


def check_password(password: str, hashed: str) -> bool:
    try:
        return bcrypt.checkpw(password.encode("utf-8"), hashed.encode("ascii"))
    except ValueError:
        return False


def _clean_password(password: str) -> str:
    if not isinstance(password, str) or len(password) < PASSWORD_MIN:
        raise ValidationError("error.password_too_short", field="password", min=PASSWORD_MIN)
    if password != password.strip():  # the login form strips what is typed: it could never match
        raise ValidationError("error.password_spaces", field="password")
    if len(password.encode("utf-8")) > 72:  # bcrypt's limit
        raise ValidationError("error.password_too_long", field="password", max=72)
    return password


def _clean_username(username: str) -> str:
    username = (username or "").strip().lower()
    if not USERNAME_RE.match(username):
        raise ValidationError("error.invalid_username", field="username")
    return username


def _view(s: Session, u: m.User) -> StaffUser:
    events = s.execute(select(m.EventStaff.event_id).where(m.EventStaff.user_id == u.id)).scalars().all()
    return StaffUser(u.id, u.username, u.name, u.email, u.role, u.active, u.is_demo, u.password_changed_at,
                     u.deactivated_at, frozenset(events))


def _get_user(s: Session, username: str) -> m.User:
    user = s.execute(select(m.User).where(m.User.username == (username or "").strip().lower())).scalar_one_or_none()
    if user is None:
        raise NotFound("error.unknown_user", field="username", username=username)
    return user


def create_user(username: str, role: str, name: str, email: str, password: str, *, is_demo: bool = False,
                actor: Actor = SYSTEM) -> StaffUser:
    permissions.require(actor, ("user", "create"))   # admins (and the command line), before any work
    username = _clean_username(username)
    if role not in vocabulary.ROLES:
        raise ValidationError("error.invalid_choice", field="role", value=role)
    name = clean_text(name, "name", 120, multiline=False)
    email = clean_email(email, "email", required=False)
    hashed = hash_password(_clean_password(password))

    def _create(s: Session) -> StaffUser:
        if s.execute(select(m.User.id).where(m.User.username == username)).first():
            raise Conflict("error.username_taken", field="username", username=username)
        user = m.User(username=username, role=role, name=name, email=email, password_hash=hashed, is_demo=is_demo)
        s.add(user)
        s.flush()
        e.record(s, actor, "create", "user", user.id, e.Scope(), after={"username": username, "role": role})
        return _view(s, user)
    return e.run_write(_create)


def set_password(username: str, password: str, actor: Actor = SYSTEM) -> None:
    permissions.require(actor, ("user", "update"))
    hashed = hash_password(_clean_password(password))

    def _set(s: Session) -> None:
        user = _get_user(s, username)
        user.password_hash = hashed
        user.password_changed_at = m.utcnow()
        e.record(s, actor, "set_password", "user", user.id, e.Scope())
    e.run_write(_set)


def set_active(username: str, active: bool, actor: Actor = SYSTEM) -> None:
    permissions.require(actor, ("user", "update"))

    def _set(s: Session) -> None:
        user = _get_user(s, username)
        user.active = active
        if not active:  # logins issued before this moment stay invalid, even after reactivation
            user.deactivated_at = m.utcnow()
        e.record(s, actor, "activate" if active else "deactivate", "user", user.id, e.Scope())
    e.run_write(_set)


def attach_to_event(username: str, event_id: int, actor: Actor = SYSTEM) -> None:
    permissions.require(actor, ("user", "update"))

    def _attach(s: Session) -> None:
        user = _get_user(s, username)
        e.get_live(s, m.Event, event_id, field="event_id")
        if s.get(m.EventStaff, (event_id, user.id)) is None:
            s.add(m.EventStaff(event_id=event_id, user_id=user.id))
            e.record(s, actor, "attach", "event_staff", user.id, e.Scope(event_id=event_id))
    e.run_write(_attach)


def list_users() -> list[StaffUser]:
    with db.read_session() as s:
        return [_view(s, u) for u in s.execute(select(m.User).order_by(m.User.username)).scalars()]


def _possible_username(username: object) -> str | None:
    """The typed username as stored (lower case), or None when no account can have it (NUL bytes,
    lone surrogates, spaces...: never sent to the database)."""
    if not isinstance(username, str):
        return None
    name = username.strip().lower()
    return name if USERNAME_RE.match(name) else None


def get_user(username: str) -> StaffUser | None:
    name = _possible_username(username)
    if name is None:
        return None
    with db.read_session() as s:
        user = s.execute(select(m.User).where(m.User.username == name)).scalar_one_or_none()
        return _view(s, user) if user else None


def credentials() -> dict:
    """Active accounts in the shape streamlit-authenticator expects (built from the database,
    never written to a file)."""
    with db.read_session() as s:
        users = s.execute(select(m.User).where(m.User.active.is_(True))).scalars().all()
        return {"usernames": {u.username: {"name": u.name, "email": u.email or f"{u.username}@invalid",
                                           "password": u.password_hash, "roles": [u.role],
                                           "failed_login_attempts": 0, "logged_in": False}
                              for u in users}}


def authenticate(username: str, password: str) -> StaffUser | None:
    """The user if the password is right and the account active (used by tests and the CLI)."""
    user = get_user(username)
    if user is None:
        return None
    with db.read_session() as s:
        row = s.execute(select(m.User).where(m.User.username == user.username)).scalar_one_or_none()
        ok = row is not None and row.active and check_password(password, row.password_hash)
    return user if ok else None


def session_user(username: str, issued_at: dt.datetime) -> StaffUser | None:
    """The user behind a login issued at ``issued_at`` (UTC), or None when it must be logged out:
    unknown or inactive user, or a login older than the last password change or deactivation."""
    user = get_user(username)
    if user is None or not user.active:
        return None
    floor = max(user.password_changed_at, user.deactivated_at or user.password_changed_at)
    if issued_at < floor - dt.timedelta(seconds=1):
        return None
    return user


def record_login(username: str, attempt: tuple[int, ...] = ()) -> None:
    """After a successful login: the time of it, the username's failure counter back to zero, and
    the ``attempt`` (from ``start_login_attempt``) no longer counted against the address."""
    with db.write_session() as s:
        user = s.execute(select(m.User).where(m.User.username == username)).scalar_one_or_none()
        if user is not None:
            user.last_login_at = m.utcnow()
        s.execute(delete(m.LoginFailure).where(_username_rows(username)))
        if attempt:
            s.execute(delete(m.LoginFailure).where(m.LoginFailure.id.in_(list(attempt))))


# --- login throttling -----------------------------------------------------------------------
# Password guessing is slowed down in the database (so a new tab, a new browser or another app
# process does not reset it): every attempt counts as a failure until it succeeds, per typed
# username (known or not, so the refusal says nothing about which usernames exist) from one client
# address, per username from anywhere (a higher bar: one address alone cannot reach it, so nobody
# can lock a colleague out from their own machine), and per address. While a key has too many
# failures in the window, attempts are refused before the password is even checked, so a right
# password is refused too; refused attempts are not counted (the lock ends when the failures age
# out of the window).

LOGIN_MAX_FAILURES_PER_USERNAME_AND_ADDRESS = 5
LOGIN_MAX_FAILURES_PER_USERNAME = 50     # a guesser spread over many addresses
LOGIN_MAX_FAILURES_PER_ADDRESS = 30      # an office behind one address has a few staff, not a room
LOGIN_FAILURE_WINDOW = dt.timedelta(minutes=15)
LOGIN_FAILURES_KEPT = dt.timedelta(days=1)


class LoginThrottled(AtelierError):
    key = "error.login_rate_limited"


def _now() -> dt.datetime:
    """The clock of login throttling (UTC, naive); tests replace it."""
    return m.utcnow()


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def _username_key(username: str) -> str:
    # the hash, never the typed text (people type their password in the username field)
    return "u:" + _digest((username or "").strip().lower())


def _pair_prefix(username: str) -> str:
    return "p:" + _digest((username or "").strip().lower())[:32]


def _login_keys(username: str, address: str | None) -> list[tuple[str, int]]:
    text = str(address or "")
    keys = [(_pair_prefix(username) + _digest(text)[:32], LOGIN_MAX_FAILURES_PER_USERNAME_AND_ADDRESS),
            (_username_key(username), LOGIN_MAX_FAILURES_PER_USERNAME)]
    if text:
        if not (text.isascii() and text.isprintable()) or len(text) > 78:
            text = "#" + _digest(text)
        keys.append((f"a:{text}", LOGIN_MAX_FAILURES_PER_ADDRESS))
    return keys


def _username_rows(username: str):  # noqa: ANN202 - a SQL condition
    """The failures of a username, from anywhere (its own key and its username-and-address keys)."""
    return or_(m.LoginFailure.client_key == _username_key(username),
               m.LoginFailure.client_key.startswith(_pair_prefix(username), autoescape=True))


def start_login_attempt(username: str, address: str | None = None) -> tuple[int, ...]:
    """Call before checking a typed password. Raises ``LoginThrottled`` (with ``minutes``, the wait
    before the next try) when this username or this address has too many recent failures; else
    counts this attempt as a failure and returns its rows (``record_login`` clears them on
    success). Counting before the check means many attempts sent at once cannot all slip under
    the limit."""
    now = _now()
    since = now - LOGIN_FAILURE_WINDOW
    keys = _login_keys(username, address)
    with db.write_session() as s:
        db.lock_keys(s, [key for key, _limit in keys])  # attempts sent at once count one after the other
        retry_at: dt.datetime | None = None
        for key, limit in keys:
            times = s.execute(select(m.LoginFailure.at).where(
                m.LoginFailure.client_key == key, m.LoginFailure.at > since)
                .order_by(m.LoginFailure.at)).scalars().all()
            if len(times) >= limit:
                # free again once enough failures have left the window
                at = times[len(times) - limit] + LOGIN_FAILURE_WINDOW
                retry_at = at if retry_at is None else max(retry_at, at)
        if retry_at is not None:
            minutes = max(1, math.ceil((retry_at - now).total_seconds() / 60))
            raise LoginThrottled(minutes=minutes)
        s.execute(delete(m.LoginFailure).where(m.LoginFailure.at < now - LOGIN_FAILURES_KEPT))
        rows = [m.LoginFailure(client_key=key, at=now) for key, _limit in keys]
        s.add_all(rows)
        s.flush()
        return tuple(row.id for row in rows)


def throttle_deadline(refused: LoginThrottled) -> dt.datetime:
    """When a refused login may be tried again (to keep on screen while it holds)."""
    return _now() + dt.timedelta(minutes=refused.params.get("minutes", 1))


def throttle_left(deadline: dt.datetime | None) -> LoginThrottled | None:
    """The refusal to show now for a wait ending at ``deadline`` (minutes left as of now), or None
    once it has passed."""
    if deadline is None:
        return None
    left = (deadline - _now()).total_seconds()
    return LoginThrottled(minutes=math.ceil(left / 60)) if left > 0 else None


def login_failures(username: str) -> int:
    """Failures of this username in the current window (for the command line and tests)."""
    with db.read_session() as s:
        return len(s.execute(select(m.LoginFailure.id).where(
            m.LoginFailure.client_key == _username_key(username),
            m.LoginFailure.at > _now() - LOGIN_FAILURE_WINDOW)).all())


def unlock_login(username: str) -> int:
    """Forget the recent failures of this username (the command line's unlock-user, for staff
    locked out by someone else's guesses); returns how many were forgotten. Address counters are
    left alone: they age out of the window."""
    with db.write_session() as s:
        forgotten = s.execute(select(func.count()).select_from(m.LoginFailure).where(
            m.LoginFailure.client_key == _username_key(username))).scalar_one()
        s.execute(delete(m.LoginFailure).where(_username_rows(username)))
        return forgotten


@functools.cache
def _decoy_hash() -> str:
    return hash_password(secrets.token_urlsafe(16))


def spend_password_check(password: str) -> None:
    """A bcrypt check against a throw-away hash, so that a login with an unknown username takes as
    long as one with a known username and a wrong password."""
    check_password(password or "", _decoy_hash())


def ensure_demo_accounts() -> list[tuple[str, str, str]]:
    """Create the demo staff accounts if missing and attach them to every event; returns
    (username, role, password) for the login page's demo banner."""
    with db.read_session() as s:
        existing = set(s.execute(select(m.User.username)).scalars())
        event_ids = s.execute(select(m.Event.id)).scalars().all()
    for username, role, name, password in DEMO_ACCOUNTS:
        if username not in existing:
            try:
                create_user(username, role, name, "", password, is_demo=True)
            except Conflict:
                pass  # another process created it at the same moment
        if role != "admin":
            for event_id in event_ids:
                attach_to_event(username, event_id)
    return [(u, r, p) for u, r, _n, p in DEMO_ACCOUNTS]


def new_secret() -> str:
    return secrets.token_urlsafe(48)
