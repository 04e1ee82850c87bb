"""Who is using this browser, resolved on every run from a cookie checked against the database.

- Staff log in with streamlit-authenticator (credentials built from the database). Its cookie
  (a signed JWT: username + expiry) cannot be revoked by itself, so every run checks that the
  user still exists, is active and that the login was issued after their last password change or
  deactivation; otherwise the browser is logged out.
- Participants hold a random token (cookie ``atelier_p``) whose hash is in the database.

``app.py`` calls ``resolve_identity()`` first and stores the ``core.actor.Actor`` in
``st.session_state["actor"]``; pages read it with ``current_actor()`` / ``require_*()``.
Query parameters are never part of the identity (they are lost on navigation).
"""
from __future__ import annotations

import datetime as dt
import html
import os
import secrets
from pathlib import Path

import jwt
import streamlit as st

from core.access import accounts, join
from core.actor import Actor
from core.i18n import LANGUAGE_COOKIE, LANGUAGES
from ui.i18n import t

ACTOR_KEY = "actor"
STAFF_COOKIE = "atelier_staff"
PARTICIPANT_COOKIE = "atelier_p"
BROWSER_COOKIE = "atelier_b"
MIN_KEY_LENGTH = 32
ROOT = Path(__file__).resolve().parent.parent


class ConfigurationError(RuntimeError):
    pass


def demo_mode() -> bool:
    return os.environ.get("ATELIER_DEMO") == "1"


def cookie_expiry_hours() -> float:
    try:
        return max(0.1, float(os.environ.get("ATELIER_COOKIE_EXPIRY_HOURS", "12")))
    except ValueError:
        return 12.0


def _secret_from_file() -> str | None:
    path = ROOT / ".streamlit" / "secrets.toml"
    if not path.exists():  # st.secrets raises when no secrets.toml exists
        return None
    try:
        value = st.secrets.get("cookie_key")
    except Exception:  # noqa: BLE001 - a malformed secrets file counts as missing
        return None
    return str(value) if value else None


@st.cache_resource(show_spinner=False)
def cookie_key() -> str:
    """The key signing staff cookies: environment, then secrets.toml; in demo mode a random key
    kept under data/. Outside demo mode a missing or short key stops the app."""
    key = os.environ.get("ATELIER_COOKIE_KEY") or _secret_from_file()
    if key and len(key) >= MIN_KEY_LENGTH:
        return key
    if not demo_mode():
        raise ConfigurationError("ATELIER_COOKIE_KEY (or cookie_key in .streamlit/secrets.toml) must be set "
                                 f"to at least {MIN_KEY_LENGTH} characters outside demo mode")
    path = ROOT / "data" / "demo_cookie_key"
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        path.write_text(secrets.token_urlsafe(48))
    return path.read_text().strip()


def authenticator():  # noqa: ANN201 - streamlit_authenticator.Authenticate
    """The login widget's controller; built only where used (it renders a cookie component)."""
    import streamlit_authenticator as stauth

    # cookie_expiry_days=0: the library reads the staff cookie but never writes it; this module
    # writes it (issue_staff_cookie + keep_cookies), with the flags below.
    return stauth.Authenticate(accounts.credentials(), STAFF_COOKIE, cookie_key(),
                               cookie_expiry_days=0, auto_hash=False, login_sleep_time=0)


# The one script this app runs in the page. Its text never changes (the cookie comes in a data
# attribute), so deploy/nginx.conf allows exactly it by hash in the Content-Security-Policy.
COOKIE_SCRIPT = ("var s=document.currentScript;"
                 "document.cookie=s.dataset.cookie+(location.protocol==='https:'?'; Secure':'');s.remove();")


def _cookie_script(attributes: str) -> None:
    """Run ``document.cookie = attributes`` in the page, then remove the script element so the
    value (a login or participant token) never stays in the page's HTML. ``Secure`` is added when
    the page is served over HTTPS. These cookies cannot be HttpOnly: a page script writes them
    (Streamlit offers no HTTP response of our own); the server reads them from the websocket
    handshake, no script reads them."""
    st.html(f'<script data-cookie="{html.escape(attributes, quote=True)}">{COOKIE_SCRIPT}</script>',
            unsafe_allow_javascript=True, width=1)


def _set_cookie(name: str, value: str, max_age_s: int) -> None:
    """Write a cookie from the browser. Values are server-made tokens (checked), never user text."""
    if not join.TOKEN_RE.match(value) and not all(c.isalnum() or c in "._-" for c in value):
        return
    _cookie_script(f"{name}={value}; path=/; max-age={max_age_s}; SameSite=Lax")


def _delete_cookie(name: str) -> None:
    _cookie_script(f"{name}=; path=/; max-age=0; SameSite=Lax")


def _cookie(name: str) -> str | None:
    try:
        value = st.context.cookies.get(name)
    except Exception:  # noqa: BLE001 - no browser context (bare runs)
        return None
    return value if isinstance(value, str) and value else None


# --- staff ----------------------------------------------------------------------------------

def issue_staff_cookie(username: str) -> None:
    """After a successful login: our own copy of the library's cookie (same JWT), written at once."""
    hours = cookie_expiry_hours()
    exp = (dt.datetime.now() + dt.timedelta(hours=hours)).timestamp()
    token = jwt.encode({"username": username, "exp_date": exp}, cookie_key(), algorithm="HS256")
    st.session_state["staff_cookie"] = (token, int(hours * 3600))
    st.session_state["login_issued_at"] = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    st.session_state.pop("ignored_staff_cookie", None)


def _staff_from_cookie() -> tuple[str, dt.datetime] | None:
    raw = _cookie(STAFF_COOKIE)
    if not raw or raw == st.session_state.get("ignored_staff_cookie"):
        return None
    try:
        data = jwt.decode(raw, cookie_key(), algorithms=["HS256"])
        exp = float(data["exp_date"])
        username = str(data["username"])
    except (jwt.PyJWTError, KeyError, TypeError, ValueError):
        return None
    now = dt.datetime.now().timestamp()
    if exp <= now:
        return None
    issued = dt.datetime.fromtimestamp(exp - cookie_expiry_hours() * 3600, dt.UTC).replace(tzinfo=None)
    return username, issued


def logout_staff() -> None:
    raw = _cookie(STAFF_COOKIE)
    if raw:
        st.session_state["ignored_staff_cookie"] = raw
    for key in ("authentication_status", "username", "name", "roles", "email", "login_issued_at", "staff_cookie",
                ACTOR_KEY):
        st.session_state.pop(key, None)
    st.session_state["logout"] = True
    st.session_state["delete_staff_cookie"] = True


def _resolve_staff() -> Actor | None:
    username, issued = None, None
    if st.session_state.get("authentication_status") and st.session_state.get("username"):
        username = st.session_state["username"]
        issued = st.session_state.get("login_issued_at")
        if issued is None:  # logged in by the library in this session just now
            issued = dt.datetime.now(dt.UTC).replace(tzinfo=None)
            st.session_state["login_issued_at"] = issued
    else:
        found = _staff_from_cookie()
        if found:
            username, issued = found
    if not username:
        return None
    user = accounts.session_user(username, issued)
    if user is None:
        logout_staff()
        st.session_state["auth_notice"] = "auth.logged_out_revoked"
        return None
    st.session_state.update({"authentication_status": True, "username": user.username, "name": user.name,
                             "login_issued_at": issued, "logout": False})
    return user.actor()


# --- participants ---------------------------------------------------------------------------

def browser_key() -> str:
    """A stable random id for this browser (cookie), used to rate-limit join-code guessing."""
    key = _cookie(BROWSER_COOKIE) or st.session_state.get("browser_key")
    if not key:
        key = secrets.token_urlsafe(16)
        st.session_state["browser_key"] = key
    return key


def keep_browser_key() -> None:
    if not _cookie(BROWSER_COOKIE):
        _set_cookie(BROWSER_COOKIE, browser_key(), 365 * 24 * 3600)


def client_address() -> str | None:
    try:
        address = st.context.ip_address
    except Exception:  # noqa: BLE001
        return None
    return address if isinstance(address, str) else None


def remember_participant(token: str) -> None:
    st.session_state["participant_token"] = token
    st.session_state.pop("ignored_participant_cookie", None)


def keep_cookies() -> None:
    """Make the browser keep this session's identity for reloads and new tabs.

    Written on every run until the browser sends it back: a script rendered just before an
    ``st.rerun()`` or ``st.switch_page()`` may never reach the browser, so one write is not enough
    (``st.context.cookies`` only changes on a new connection)."""
    token = st.session_state.get("participant_token")
    if token:
        st.session_state.pop("delete_participant_cookie", None)   # joined again: keep the new one
        if _cookie(PARTICIPANT_COOKIE) != token:
            _set_cookie(PARTICIPANT_COOKIE, token, 7 * 24 * 3600)
    staff = st.session_state.get("staff_cookie")
    if staff:
        st.session_state.pop("delete_staff_cookie", None)         # logged in again: keep the new one
        if _cookie(STAFF_COOKIE) != staff[0]:
            _set_cookie(STAFF_COOKIE, staff[0], staff[1])
    lang = st.session_state.get("lang_to_remember")
    if lang in LANGUAGES and _cookie(LANGUAGE_COOKIE) != lang:
        _set_cookie(LANGUAGE_COOKIE, lang, 365 * 24 * 3600)   # a language, never a person: kept a year


def leave_session() -> None:
    token = st.session_state.pop("participant_token", None) or _cookie(PARTICIPANT_COOKIE)
    join.leave(token)
    if _cookie(PARTICIPANT_COOKIE):
        st.session_state["ignored_participant_cookie"] = _cookie(PARTICIPANT_COOKIE)
    st.session_state["delete_participant_cookie"] = True
    st.session_state.pop(ACTOR_KEY, None)


def _resolve_participant() -> Actor | None:
    token = st.session_state.get("participant_token")
    if not token:
        cookie = _cookie(PARTICIPANT_COOKIE)
        if cookie and cookie != st.session_state.get("ignored_participant_cookie"):
            token = cookie
    membership = join.resolve(token)
    if membership is None:
        st.session_state.pop("participant_token", None)
        return None
    st.session_state["participant_token"] = token
    st.session_state["membership"] = membership
    return membership.actor()


# --- every run ------------------------------------------------------------------------------

def resolve_identity() -> Actor | None:
    """Identity of this run (staff first, then participant); stored for the pages."""
    # Deleted on every run until the browser stops sending it (a script rendered just before an
    # st.rerun() or st.switch_page() may never reach the browser, so one deletion is not enough).
    for flag, name in (("delete_staff_cookie", STAFF_COOKIE), ("delete_participant_cookie", PARTICIPANT_COOKIE)):
        if st.session_state.get(flag):
            if _cookie(name):
                _delete_cookie(name)
            else:
                st.session_state.pop(flag, None)
    actor = _resolve_staff() or _resolve_participant()
    if actor is None:
        st.session_state.pop(ACTOR_KEY, None)
    else:
        st.session_state[ACTOR_KEY] = actor
    return actor


def current_actor() -> Actor | None:
    actor = st.session_state.get(ACTOR_KEY)
    return actor if isinstance(actor, Actor) else None


def require_staff(*roles: str) -> Actor:
    """The staff actor of this run, or stop the page with a message (admin always passes)."""
    actor = current_actor()
    if actor is None or not actor.is_staff or (roles and actor.role not in roles and actor.role != "admin"):
        st.warning(t("auth.not_allowed"))
        st.stop()
    return actor


def require_participant() -> Actor:
    actor = current_actor()
    if actor is None or not actor.is_participant:
        st.warning(t("auth.not_allowed"))
        st.stop()
    return actor
