"""Addresses opened directly (a deep link, a bookmark, an address typed, a reload) land on the page
in the visitor's language, never on Streamlit's English "Page not found" dialog: a participant (their
cookie in the browser) on /group, their home page, and on / and /canvas; a facilitator (signed in)
on /sessions, their home page, and on /console and /canvas; an anonymous visitor on /group is led to
the home page with the app's own word (``app._elsewhere``).

Streamlit's default page answers at "/" only: the home page asked for by its own path used to match
no page on the tab's first run (``app.asked_by_path``). Each page's server messages are recorded: no
``page_not_found`` may be sent, even one the page would show for a moment only."""
from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from tests.browser import cookie_value, poll, running_app, sign_in, wait_idle

pytestmark = pytest.mark.browser

COOKIE = "atelier_p"   # the participant's token (ui.auth)
FACILITATOR = ("anim-liens", "motdepasse-anim-liens")
GROUP = "Table des liens"
DIALOG = '[data-testid="stDialog"], [role="dialog"]'
WAIT = 30_000


@dataclass(frozen=True)
class Room:
    url: str     # the database
    base: str    # the app
    token: str   # a participant of GROUP


@contextlib.contextmanager
def _database(url: str) -> Iterator[None]:
    from storage import db

    db.configure(url)
    try:
        yield
    finally:
        db.configure(None)
        db.dispose_all()


@pytest.fixture(scope="module")
def room(tmp_path_factory: pytest.TempPathFactory, sqlite_template) -> Iterator[Room]:
    """One app on a started session with one sub-group, a participant of it and its facilitator."""
    import shutil

    from core.access import accounts, join
    from core.actor import SYSTEM
    from core.session import session_flow as flow
    from core.setup import events

    path = tmp_path_factory.mktemp("deep_links") / "atelier.db"
    shutil.copy(sqlite_template, path)
    url = f"sqlite:///{path}"
    with _database(url):
        event = events.create_event(SYSTEM, slug="liens-directs", title="Journée des liens directs")
        theme = events.add_theme(SYSTEM, event["id"], "Logement")
        session = events.add_session(SYSTEM, theme["id"], "2026-03-02T09:00", "2026-03-02T12:30")
        group = events.add_subgroup(SYSTEM, session["id"], GROUP)["id"]
        flow.start_session(SYSTEM, session["id"])
        token = join.join(session["id"], group, "Nadia")[0]
        accounts.create_user(FACILITATOR[0], "facilitator", "Fatou Animatrice", "", FACILITATOR[1])
        accounts.attach_to_event(FACILITATOR[0], event["id"])
    with running_app(url) as base:
        yield Room(url, base, token)


def _tr(key: str) -> str:
    from core.i18n import translate

    return translate("fr", key)


class Recorder:
    """What the server sends a page, by message type (call before the page opens the app)."""

    def __init__(self, page) -> None:
        self.kinds: list[str] = []
        page.route_web_socket("**/_stcore/stream", self._route)

    def _route(self, ws) -> None:
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        server = ws.connect_to_server()
        ws.on_message(server.send)

        def down(message) -> None:
            msg = ForwardMsg()
            msg.ParseFromString(message if isinstance(message, bytes) else message.encode())
            self.kinds.append(msg.WhichOneof("type") or "")
            ws.send(message)
        server.on_message(down)


def _open(context, base: str, path: str, marker: str):
    """Open ``base + path`` in a new tab of ``context`` (its cookies: who the visitor is) and wait for
    ``marker``; returns the page and what the server sent it."""
    page = context.new_page()
    record = Recorder(page)
    page.goto(base + path)
    page.get_by_text(marker).first.wait_for(timeout=WAIT)
    wait_idle(page, WAIT)
    page.wait_for_timeout(500)   # a dialog sent with the page's first run would be drawn by now
    return page, record


def _no_page_not_found(page, record: Recorder, path: str) -> None:
    assert "page_not_found" not in record.kinds, (path, "the server told the page: page not found")
    assert page.locator(DIALOG).count() == 0, (path, page.locator(DIALOG).first.inner_text())
    body = page.inner_text("body")
    for words in ("Page not found", "Page introuvable", "You have requested page", "does not seem to exist"):
        assert words not in body, (path, words)


def test_a_participant_opening_group_directly_sees_the_sub_group_page_without_a_dialog(room: Room, browser):
    context = browser.new_context(viewport={"width": 1366, "height": 768})
    try:
        context.add_cookies([{"name": COOKIE, "value": room.token, "url": room.base}])
        for path in ("/group", "/", "/canvas", "/group"):
            page, record = _open(context, room.base, path, GROUP if path != "/canvas" else _tr("canvas.choose"))
            _no_page_not_found(page, record, path)
            if path != "/canvas":   # the sub-group page itself: the session's stage, the board's form
                page.get_by_text(_tr("stage.diagnostic")).first.wait_for(timeout=WAIT)
                assert _tr("nav.not_for_you") not in page.inner_text("body"), path
            page.close()
    finally:
        context.close()


def test_a_facilitator_opening_staff_pages_directly_sees_them_without_a_dialog(room: Room, browser):
    context = browser.new_context(viewport={"width": 1366, "height": 768})
    try:
        first = context.new_page()
        sign_in(first, room.base, *FACILITATOR)
        poll(first, lambda: cookie_value(context, "atelier_staff"), what="the staff cookie written by the page")
        first.close()
        for path, key in (("/sessions", "sessions.title"), ("/console", "flow.console.title"),
                          ("/canvas", "canvas.choose"), ("/sessions", "sessions.title")):
            page, record = _open(context, room.base, path, _tr(key))
            _no_page_not_found(page, record, path)
            assert _tr("nav.not_for_you") not in page.inner_text("body"), path
            page.close()
    finally:
        context.close()


def test_an_anonymous_visitor_opening_group_lands_home_with_the_apps_own_word(room: Room, browser):
    context = browser.new_context(viewport={"width": 390, "height": 844})
    try:
        page, record = _open(context, room.base, "/group", _tr("nav.not_for_you"))
        _no_page_not_found(page, record, "/group")
        page.get_by_text(_tr("app.title")).first.wait_for(timeout=WAIT)
        page.close()
        page, record = _open(context, room.base, "/home", _tr("app.title"))   # the home page by its own path
        _no_page_not_found(page, record, "/home")
        page.close()
    finally:
        context.close()
