"""Atelier: entry point. Page config, identity, language, navigation by role."""
from __future__ import annotations

import gc
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT))

import streamlit as st  # noqa: E402
from streamlit.runtime.scriptrunner import get_script_run_ctx  # noqa: E402

from core import __version__, permissions  # noqa: E402  (after the sys.path insert above)
from core.access import accounts  # noqa: E402
from core.actor import Actor  # noqa: E402
from ui import auth, errors  # noqa: E402
from ui.i18n import language_selector, t  # noqa: E402
from ui.text import md  # noqa: E402

st.set_page_config(page_title="Atelier", page_icon=str(ROOT / "ui" / "assets" / "icon.png"), layout="wide")
# Streamlit's own input hints ("Press Enter to submit form", "Press Enter to apply") exist only in
# English: hidden everywhere; forms show their submit button. Static CSS, no user text.
st.html("<style>[data-testid='InputInstructions']{display:none}"
        "[data-testid='stDateInput'] input::placeholder{color:transparent}</style>")   # see ui.i18n.date_label


@st.cache_resource(show_spinner=False)
def _demo_accounts() -> list[tuple[str, str, str]]:
    return accounts.ensure_demo_accounts()


@st.cache_resource(show_spinner=False)
def _settle_memory() -> bool:
    """Once per server process: load the heavy libraries the pages use (pandas, Plotly) and move
    everything alive into Python's permanent generation (``gc.freeze``): a full garbage collection
    then walks only what was made since (sessions, snapshots), not the ~190,000 objects of the
    libraries. And collect the young generation every 10,000 allocations instead of 700: a room's
    ticks allocate fast, and full collections came every 8 s. bench/load_room.py at 80 participants
    saw full collections of 50-160 ms every 8 s, each stalling every screen of the room at once."""
    import pandas  # noqa: F401
    import plotly.graph_objects  # noqa: F401

    gc.collect()
    gc.freeze()
    gc.set_threshold(10_000, 10, 10)
    return True


_settle_memory()
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
    from core.session.projector import session_for_screen

    try:
        screen_session = session_for_screen(screen_token)
        if screen_session is None:
            st.error(t("projector.bad_screen_link"))
            st.stop()
        st.session_state["screen_session_id"] = screen_session
        st.navigation([st.Page("app_pages/projector.py", title=t("nav.projector"), url_path="projector")],
                      position="hidden").run()
    except Exception as exc:  # noqa: BLE001 - the projector must never show a stack trace
        errors.page_failed(exc)
    st.stop()
st.session_state.pop("screen_session_id", None)

try:
    actor: Actor | None = auth.resolve_identity()
except Exception as exc:  # noqa: BLE001 - e.g. the database is unreachable
    # database away for a moment: keep the identity this browser session had on its last run, so the
    # page (and what is typed in it) stays on screen; its reads and writes say the database is away
    actor = auth.current_actor() if errors.is_unavailable(exc) else None
    if actor is None:
        errors.page_failed(exc)


DEFAULT_PAGE = "default_page"

# How each page looks in the navigation. WHO may open it is core.permissions.PAGES, and only
# the pages it grants this identity are built: any other url is Streamlit's "page not found".
PAGE_UI: dict[str, tuple[str, str, str]] = {   # url path -> (script in app_pages/, title key, icon)
    "home": ("home.py", "nav.home", ":material/home:"),
    "join": ("join.py", "nav.join", ":material/login:"),
    "register": ("register.py", "nav.register", ":material/how_to_reg:"),
    "my-registration": ("my_registration.py", "nav.my_registration", ":material/badge:"),
    "login": ("login.py", "nav.login", ":material/key:"),
    "group": ("group.py", "nav.group", ":material/groups:"),
    "canvas": ("canvas.py", "nav.canvas", ":material/person_book:"),
    "recommendation": ("recommendation.py", "flow.nav.recommendation", ":material/account_tree:"),
    "inventory": ("inventory.py", "nav.inventory", ":material/menu_book:"),
    "leave": ("logout.py", "nav.leave", ":material/logout:"),
    "sessions": ("sessions.py", "nav.sessions", ":material/event:"),
    "console": ("console.py", "nav.console", ":material/tune:"),
    "projector": ("projector.py", "nav.projector", ":material/connected_tv:"),
    "events": ("event_setup.py", "nav.event_setup", ":material/edit_calendar:"),
    "dashboard": ("dashboard.py", "nav.dashboard", ":material/monitoring:"),
    "follow-up": ("follow_up.py", "nav.follow_up", ":material/fact_check:"),
    "public-follow-up": ("public_follow_up.py", "nav.public_follow_up", ":material/public:"),
    "registrations": ("registrations_admin.py", "nav.registrations", ":material/how_to_reg:"),
    "users": ("users.py", "nav.users", ":material/manage_accounts:"),
    "logout": ("logout.py", "nav.logout", ":material/logout:"),
}
NAV_SECTIONS: dict[str, list[tuple[str, list[str]]]] = {   # page role -> (section title key, url paths)
    "anonymous": [("nav.section.workshops", ["home", "join", "register", "my-registration", "public-follow-up"]),
                  ("nav.section.staff", ["login"])],
    "participant": [("nav.section.my_session", ["group", "canvas", "recommendation", "inventory", "leave",
                                                "register", "my-registration", "public-follow-up"])],
    "staff": [("nav.section.workshops", ["sessions", "console", "projector", "canvas", "recommendation", "home"]),
              ("nav.section.organise", ["events", "dashboard", "follow-up", "registrations", "inventory", "register",
                                        "my-registration", "public-follow-up"]),
              ("nav.section.admin", ["users"]),
              ("nav.section.account", ["logout"])],
}
# reached by a link, not listed (registration: listed for anonymous)
HIDDEN_PAGES = {"recommendation", "my-registration", "public-follow-up"}


BUILT: set[str] = set()   # url paths built for this run's identity


def asked_by_path(url: str) -> bool:
    """This run was asked for the page at ``url`` by its path: the first run of a browser tab names
    the page of its address (a deep link, a bookmark, an address typed, a reload); later runs give
    the page's hash. Streamlit's default page answers at "/" only (``Page.url_path`` is "" for it),
    so the home page asked for by its own path (``/group``) matches no page and Streamlit shows its
    English "Page not found" (streamlit/commands/navigation.py, ``send_page_not_found``). The
    request is what Streamlit itself resolves the page from (``PagesManager``, Streamlit 1.67)."""
    ctx = get_script_run_ctx()
    manager = getattr(ctx, "pages_manager", None)
    return (manager is not None and not getattr(manager, "intended_page_script_hash", None)
            and getattr(manager, "intended_page_name", None) == url)


def build_pages(actor: Actor | None) -> dict[str, list]:
    """The pages this identity may open (core.permissions.pages_for); anything else is 'page not found'.

    The role's home page is the default page ("/"), except on a run that asks for it by its own path:
    then it answers at that path and "/" is a hidden stand-in that leads home (``_home``)."""
    allowed = set(permissions.pages_for(actor))
    role = permissions.page_role(actor)
    home = permissions.home_page(actor)
    home_by_path = asked_by_path(home)
    layout = NAV_SECTIONS["staff" if role in ("facilitator", "organiser", "admin") else role]
    sections: dict[str, list] = {}
    for title_key, urls in layout:
        built = []
        for url in urls:
            script, key, icon = PAGE_UI[url]
            if url not in allowed or not (ROOT / "app_pages" / script).exists():  # pages still being written
                continue
            hidden = url in HIDDEN_PAGES or (url == "register" and actor is not None)
            created = st.Page(f"app_pages/{script}", title=t(key), icon=icon, url_path=url,
                              default=url == home and not home_by_path, visibility="hidden" if hidden else "visible")
            if url == home:
                st.session_state[DEFAULT_PAGE] = created
            built.append(created)
            BUILT.add(url)
        if built:
            sections[t(title_key)] = built
    if home_by_path and home in BUILT:   # "/" this run: a hidden stand-in (no section of its own)
        root = st.Page(_home, title=t(PAGE_UI[home][1]), url_path="", default=True, visibility="hidden")
        sections[next(reversed(sections))].append(root)
    return sections


ENTRY_PAGES = ("login", "join", "leave", "logout")   # for someone already in (or out): just go home


def _elsewhere() -> None:
    """A page this visitor may not open (a deep link, a bookmark from another role, a session that
    ended): back to the role's home with a word, never Streamlit's English "Page not found"."""
    st.session_state["auth_notice"] = "nav.not_for_you"
    st.switch_page(st.session_state[DEFAULT_PAGE])


def _home() -> None:
    """An entry page for someone already signed in or joined (the QR code scanned again): home."""
    st.switch_page(st.session_state[DEFAULT_PAGE])


def guard_pages(sections: dict[str, list]) -> list:
    """Hidden stand-ins for the known pages this identity may not open."""
    if not sections:
        return []
    return [st.Page(_home if url in ENTRY_PAGES else _elsewhere, title=t(PAGE_UI[url][1]), url_path=url,
                    visibility="hidden") for url in PAGE_UI if url not in BUILT]


auth.keep_cookies()
language_selector()
pages = build_pages(actor)
guards = guard_pages(pages)
if guards:
    pages[next(reversed(pages))] = [*pages[next(reversed(pages))], *guards]   # hidden: no section of their own
navigation = st.navigation(pages)

if actor is not None:
    who = t("nav.signed_in_as", name=md(actor.label), role=t(f"role.{actor.role}")) if actor.is_staff \
        else t("nav.participant_as", name=md(actor.label))
    st.sidebar.caption(who)
st.sidebar.caption(t("app.version", version=__version__))   # discreet: which release is this, for a bug report
notice = st.session_state.pop("auth_notice", None)
if notice:
    st.toast(t(notice), icon=":material/info:")

if st.session_state.pop("go_to", None):  # just logged in or joined: land on the role's home page
    st.switch_page(st.session_state[DEFAULT_PAGE])

try:
    navigation.run()
except Exception as exc:  # noqa: BLE001 - no stack trace reaches a user
    errors.page_failed(exc)  # a message in the user's language; forms keep their text; back by itself
