"""Atelier: entry point. Page config, identity, language, navigation by role."""
from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT))

import streamlit as st  # noqa: E402

from core import accounts  # noqa: E402
from core.actor import Actor  # noqa: E402
from ui import auth, errors  # noqa: E402
from ui.i18n import language_selector, t  # noqa: E402
from ui.text import md  # noqa: E402

st.set_page_config(page_title="Atelier", page_icon=":material/diversity_3:", layout="wide")


@st.cache_resource(show_spinner=False)
def _demo_accounts() -> list[tuple[str, str, str]]:
    return accounts.ensure_demo_accounts()


try:
    auth.cookie_key()
except auth.ConfigurationError:
    st.error(t("auth.config_missing"))
    st.stop()
if auth.demo_mode():
    st.session_state["demo_accounts"] = _demo_accounts()

# A second screen opened with the facilitator's read-only link: the projector, nothing else.
screen_token = st.query_params.get("screen")
if screen_token:
    from core.projector import session_for_screen

    screen_session = session_for_screen(screen_token)
    if screen_session is None:
        st.error(t("projector.bad_screen_link"))
        st.stop()
    st.session_state["screen_session_id"] = screen_session
    st.navigation([st.Page("app_pages/projector.py", title=t("nav.projector"), url_path="projector")],
                  position="hidden").run()
    st.stop()
st.session_state.pop("screen_session_id", None)

try:
    actor: Actor | None = auth.resolve_identity()
except Exception as exc:  # noqa: BLE001 - e.g. the database is unreachable
    errors.show(exc)
    st.stop()


DEFAULT_PAGE = "default_page"


def page(path: str, key: str, icon: str, url: str, default: bool = False, hidden: bool = False):  # noqa: ANN201
    created = st.Page(f"app_pages/{path}", title=t(key), icon=icon, url_path=url, default=default,
                      visibility="hidden" if hidden else "visible")
    if default:
        st.session_state[DEFAULT_PAGE] = created
    return created


def _existing(*pages):  # noqa: ANN001, ANN202 - pages still being written are left out
    return [p for p in pages if p is not None]


def maybe(path: str, key: str, icon: str, url: str, default: bool = False, hidden: bool = False):  # noqa: ANN201
    if not (ROOT / "app_pages" / path).exists():
        return None
    return page(path, key, icon, url, default, hidden)


def public_links():  # noqa: ANN201 - personal registration links work whoever is signed in
    return [maybe("register.py", "nav.register", ":material/how_to_reg:", "register", hidden=True),
            maybe("my_registration.py", "nav.my_registration", ":material/badge:", "my-registration", hidden=True)]


def build_pages(actor: Actor | None) -> dict[str, list]:
    """The pages this identity may open; anything else is 'page not found'."""
    if actor is None:
        return {t("nav.section.workshops"): _existing(
            page("home.py", "nav.home", ":material/home:", "home", default=True),
            page("join.py", "nav.join", ":material/login:", "join"),
            maybe("register.py", "nav.register", ":material/how_to_reg:", "register"),
            maybe("my_registration.py", "nav.my_registration", ":material/badge:", "my-registration", hidden=True),
        ), t("nav.section.staff"): [
            page("login.py", "nav.login", ":material/key:", "login"),
        ]}
    if actor.is_participant:
        return {t("nav.section.my_session"): _existing(
            page("group.py", "nav.group", ":material/groups:", "group", default=True),
            maybe("canvas.py", "nav.canvas", ":material/person_book:", "canvas"),
            maybe("recommendation.py", "flow.nav.recommendation", ":material/account_tree:", "recommendation",
                  hidden=True),
            maybe("inventory.py", "nav.inventory", ":material/menu_book:", "inventory"),
            page("logout.py", "nav.leave", ":material/logout:", "leave"),
            *public_links(),
        )}
    workshops = _existing(
        page("sessions.py", "nav.sessions", ":material/event:", "sessions", default=True),
        maybe("console.py", "nav.console", ":material/tune:", "console"),
        maybe("projector.py", "nav.projector", ":material/connected_tv:", "projector"),
        maybe("canvas.py", "nav.canvas", ":material/person_book:", "canvas"),
        maybe("recommendation.py", "flow.nav.recommendation", ":material/account_tree:", "recommendation", hidden=True),
        page("home.py", "nav.home", ":material/home:", "home"),
    )
    sections = {t("nav.section.workshops"): workshops}
    organise = _existing(
        maybe("registrations_admin.py", "nav.registrations", ":material/how_to_reg:", "registrations"),
        maybe("inventory.py", "nav.inventory", ":material/menu_book:", "inventory"),
        *public_links(),
    )
    if actor.role in ("organiser", "admin"):
        organise = _existing(
            maybe("event_setup.py", "nav.event_setup", ":material/edit_calendar:", "events"),
            maybe("dashboard.py", "nav.dashboard", ":material/monitoring:", "dashboard"),
            *organise,
        )
    if organise:
        sections[t("nav.section.organise")] = organise
    if actor.role == "admin":
        sections[t("nav.section.admin")] = [page("users.py", "nav.users", ":material/manage_accounts:", "users")]
    sections[t("nav.section.account")] = [page("logout.py", "nav.logout", ":material/logout:", "logout")]
    return sections


auth.keep_cookies()
language_selector()
pages = build_pages(actor)
navigation = st.navigation(pages)

if actor is not None:
    who = t("nav.signed_in_as", name=md(actor.label), role=t(f"role.{actor.role}")) if actor.is_staff \
        else t("nav.participant_as", name=md(actor.label))
    st.sidebar.caption(who)
notice = st.session_state.pop("auth_notice", None)
if notice:
    st.toast(t(notice), icon=":material/info:")

if st.session_state.pop("go_to", None):  # just logged in or joined: land on the role's home page
    st.switch_page(st.session_state[DEFAULT_PAGE])

try:
    navigation.run()
except Exception as exc:  # noqa: BLE001 - no stack trace reaches a user
    errors.show(exc)
