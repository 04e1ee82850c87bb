"""Staff accounts: creation, passwords (bcrypt), deactivation, and the checks that make a login
cookie revocable (a cookie issued before the last password change or deactivation is refused)."""
from __future__ import annotations

import datetime as dt
import re
import secrets
from dataclasses import dataclass

import bcrypt
from sqlalchemy import select
from sqlalchemy.orm import Session

from core import entities as e
from core.actor import SYSTEM, Actor
from core.errors import Conflict, NotFound, ValidationError
from core.validation import clean_text
from storage import db
from storage import models as m

USERNAME_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{1,59}$")
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
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
    username = _clean_username(username)
    if role not in m.ROLES:
        raise ValidationError("error.invalid_choice", field="role", value=role)
    name = clean_text(name, "name", 120, multiline=False)
    email = clean_text(email, "email", 200, required=False, multiline=False)
    if email and not EMAIL_RE.match(email):
        raise ValidationError("error.invalid_email", field="email")
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
    hashed = hash_password(_clean_password(password))

    def _set(s: Session) -> None:
        user = _get_user(s, username)
        user.password_hash = hashed
        user.password_changed_at = m.utcnow()
        e.record(s, actor, "set_password", "user", user.id, e.Scope())
    e.run_write(_set)


def set_active(username: str, active: bool, actor: Actor = SYSTEM) -> None:
    def _set(s: Session) -> None:
        user = _get_user(s, username)
        user.active = active
        if not active:  # logins issued before this moment stay invalid, even after reactivation
            user.deactivated_at = m.utcnow()
        e.record(s, actor, "activate" if active else "deactivate", "user", user.id, e.Scope())
    e.run_write(_set)


def attach_to_event(username: str, event_id: int, actor: Actor = SYSTEM) -> None:
    def _attach(s: Session) -> None:
        user = _get_user(s, username)
        e._get_live(s, m.Event, event_id, field="event_id")
        if s.get(m.EventStaff, (event_id, user.id)) is None:
            s.add(m.EventStaff(event_id=event_id, user_id=user.id))
            e.record(s, actor, "attach", "event_staff", user.id, e.Scope(event_id=event_id))
    e.run_write(_attach)


def list_users() -> list[StaffUser]:
    with db.read_session() as s:
        return [_view(s, u) for u in s.execute(select(m.User).order_by(m.User.username)).scalars()]


def get_user(username: str) -> StaffUser | None:
    with db.read_session() as s:
        user = s.execute(select(m.User).where(m.User.username == (username or "").lower())).scalar_one_or_none()
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
    with db.read_session() as s:
        row = s.execute(select(m.User).where(m.User.username == (username or "").lower())).scalar_one_or_none()
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


def record_login(username: str) -> None:
    with db.write_session() as s:
        user = s.execute(select(m.User).where(m.User.username == username)).scalar_one_or_none()
        if user is not None:
            user.last_login_at = m.utcnow()


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
