"""The console's run-of-show strip and the projector that follows it, in a real browser (issue 15):

- at 1366x768 the stage, timer, contributions and projector controls are in the first screen,
  and a timer preset starts a countdown in one click;
- switching the session in the console switches the console and a projector the same facilitator
  opened with ``/projector`` in another window (another browser context);
- one click shows the vote results: revealed and on the projector;
- with ``ATELIER_BASE_URL`` unset, on a non-default port and another host name, the join link and
  QR code use the address the browser used; a loopback ``ATELIER_BASE_URL`` seen from another host
  name makes the console warn.

One server (and one demo database) for the module's first three tests; the address tests start
servers of their own."""
from __future__ import annotations

import contextlib
import re

import pytest

from tests.a11y import serious
from tests.browser import ROOT, after_run, poll, running_app, wait_idle

pytestmark = pytest.mark.browser

SHOTS = ROOT / "test-artifacts" / "screenshots"
PASSWORD = "motdepasse-console"


@contextlib.contextmanager
def database(url: str):
    from storage import db

    db.configure(url)
    try:
        yield
    finally:
        db.configure(None)


def _two_sessions(url: str, username: str) -> tuple[int, int]:
    """A facilitator of two events, each with one started session (theirs) covering the three stages
    (the first of a theme's three dates covers only the diagnostic)."""
    from core.access import accounts
    from core.actor import SYSTEM
    from core.session import session_flow, theme_process
    from core.setup import events
    from core.vocabulary import STAGES

    with database(url):
        accounts.create_user(username, "facilitator", "Camille Console", "", PASSWORD)
        chosen = []
        for ev in events.list_events()[:2]:
            accounts.attach_to_event(username, ev.id)
            sid = events.get_event(ev.slug).sessions[0].id
            theme_process.set_session_stages(SYSTEM, sid, list(STAGES))
            session_flow.start_session(SYSTEM, sid)
            chosen.append(sid)
        return chosen[0], chosen[1]


@pytest.fixture(scope="module")
def app(copy_demo):
    url = copy_demo("console")
    first, second = _two_sessions(url, "camille")
    with running_app(url, env={"ATELIER_LIVE_INTERVAL": "1"}) as base:
        yield {"url": url, "base": base, "first": first, "second": second}


def login(page, base: str, username: str = "camille") -> None:
    page.goto(f"{base}/login")
    page.get_by_role("textbox", name="Identifiant").fill(username)
    page.get_by_role("textbox", name="Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.get_by_text("Mes ateliers").first.wait_for(timeout=30_000)


def open_console(page, base: str) -> None:
    page.goto(f"{base}/console")
    page.locator(".st-key-run_of_show").wait_for(timeout=30_000)
    wait_idle(page)


def join_code(url: str, sid: int) -> str:
    from core.session import session_flow

    with database(url):
        return session_flow.session_view(sid).join_code


def _actor(url: str):
    from core.access import accounts

    with database(url):
        return accounts.get_user("camille").actor()


def console_session(url: str) -> int | None:
    from core.session import projector

    actor = _actor(url)
    with database(url):
        return projector.console_session(actor)


def test_the_run_of_show_is_in_the_first_screen_and_a_preset_starts_the_timer(app, contexts):
    from core.session import session_flow

    page = contexts(viewport={"width": 1366, "height": 768}).new_page()
    login(page, app["base"])
    open_console(page, app["base"])
    shown = console_session(app["url"])
    controls = {
        "stage": page.locator(".st-key-stage_recommendations button").first,
        "timer preset": page.locator(".st-key-timer_presets button").filter(has_text=re.compile(r"^5 min$")),
        "+1 min": page.locator(".st-key-timer_add button").first,
        "contributions": page.locator(".st-key-contrib_pause button").first,
        "projector view": page.locator('[class*="st-key-projector_view_"]').first,
    }
    for name, locator in controls.items():
        box = locator.bounding_box()
        assert box is not None, f"{name} is not drawn"
        assert box["y"] >= 0 and box["y"] + box["height"] <= 768, f"{name} is below the first screen: {box}"
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "console_1366x768.png"))
    assert serious(page) == []

    after_run(page, lambda: controls["timer preset"].click())

    def started() -> bool:
        with database(app["url"]):
            view = session_flow.session_view(shown)
        return view.timer_duration_s == 300 and view.timer_started_at is not None

    poll(page, started, what="a 5-minute countdown running after one click")
    clock = page.locator(".st-key-live_console_clock")
    poll(page, lambda: re.search(r"0[45]:\d\d", clock.inner_text()), what="the console's clock counting down")
    # the stage moves on: the countdown goes on
    after_run(page, lambda: controls["stage"].click())
    page.get_by_text("Étape en cours : Recommandations aux mandataires").wait_for(timeout=30_000)
    with database(app["url"]):
        view = session_flow.session_view(shown)
    assert view.stage == "recommendations" and view.timer_duration_s == 300 and view.timer_started_at is not None
    for width, height in ((390, 844), (1920, 1080)):
        page.set_viewport_size({"width": width, "height": height})
        page.screenshot(path=str(SHOTS / f"console_{width}x{height}.png"))


def test_switching_the_session_switches_the_console_and_a_projector_opened_elsewhere(app, contexts):
    console = contexts(viewport={"width": 1366, "height": 768}).new_page()
    login(console, app["base"])
    open_console(console, app["base"])
    # the projector, opened with /projector in another window (its own context: another login)
    screen = contexts(viewport={"width": 1920, "height": 1080}).new_page()
    login(screen, app["base"])
    screen.goto(f"{app['base']}/projector")
    shown = console_session(app["url"])
    other = app["second"] if shown == app["first"] else app["first"]
    screen.get_by_text(join_code(app["url"], shown)).first.wait_for(timeout=30_000)

    picker = console.locator(".st-key-console_pick")
    picker.click()
    from core.setup import events
    camille = _actor(app["url"])
    with database(app["url"]):
        title = next(c.theme_title for c in events.sessions_for(camille) if c.id == other)
    console.get_by_role("option").filter(has_text=title).first.click()
    poll(console, lambda: console_session(app["url"]) == other, what="the console's session switched")
    console.get_by_text(f"Code {join_code(app['url'], other)}").first.wait_for(timeout=30_000)
    screen.get_by_text(join_code(app["url"], other)).first.wait_for(timeout=15_000)
    # after a reload the console stays on the chosen session (it does not revert)
    console.reload()
    console.locator(".st-key-run_of_show").wait_for(timeout=30_000)
    console.get_by_text(f"Code {join_code(app['url'], other)}").first.wait_for(timeout=30_000)


def test_one_click_shows_the_vote_results_on_the_projector(app, contexts):
    from core.access.join import join, resolve
    from core.actor import SYSTEM
    from core.personas import canvas
    from core.session import recommendations, session_flow, voting

    console = contexts(viewport={"width": 1366, "height": 768}).new_page()
    login(console, app["base"])
    open_console(console, app["base"])
    sid = console_session(app["url"])
    with database(app["url"]):
        session_flow.set_stage(SYSTEM, sid, "recommendations")
        persona = canvas.list_personas(sid)[0]
        rec = recommendations.create_recommendation(SYSTEM, sid, "Permanence sociale au marché", "communal",
                                                    sources=[("persona", persona.id)])
        voting.open_vote(SYSTEM, sid, dots=3)
        group = session_flow.session_view(sid).subgroups[0]
        voting.cast_dot(resolve(join(sid, group.id)[0]).actor(), sid, rec["id"])
        session_flow.set_projector_view(SYSTEM, sid, "feed")
    screen = contexts(viewport={"width": 1920, "height": 1080}).new_page()
    login(screen, app["base"])
    screen.goto(f"{app['base']}/projector")
    screen.get_by_text(join_code(app["url"], sid)).first.wait_for(timeout=30_000)
    assert screen.locator(".js-plotly-plot").count() == 0

    show = console.locator(".st-key-strip_show_results button")
    show.wait_for(timeout=30_000)
    box = show.bounding_box()
    assert box is not None and box["y"] + box["height"] <= 768          # in the strip, first screen
    after_run(console, show.click)
    with database(app["url"]):
        view = session_flow.session_view(sid)
    assert view.votes_revealed and view.projector_view == "votes"
    screen.locator(".js-plotly-plot").first.wait_for(timeout=15_000)
    assert "Permanence sociale au marché" in screen.inner_text("body")


# --- the public address ------------------------------------------------------------------------------

def test_join_link_and_qr_use_the_address_the_browser_used(copy_demo, contexts):
    from core.actor import SYSTEM
    from core.session import session_flow

    url = copy_demo("console_address")
    sid, _ = _two_sessions(url, "camille")
    with database(url):
        session_flow.set_projector_view(SYSTEM, sid, "join")
    with running_app(url, env={"ATELIER_BASE_URL": "", "ATELIER_LIVE_INTERVAL": "1"}) as base:
        port = base.rsplit(":", 1)[1]
        room_base = f"http://atelier-salle.localhost:{port}"       # Chromium sends *.localhost to this machine
        page = contexts(viewport={"width": 1920, "height": 1080}).new_page()
        login(page, room_base)
        page.goto(f"{room_base}/projector")
        code = join_code(url, sid)
        page.get_by_text(code).first.wait_for(timeout=30_000)
        qr = page.locator(f'img[alt*="{code}"]').first
        qr.wait_for(timeout=30_000)
        assert f"atelier-salle.localhost:{port}/join?join={code}" in qr.get_attribute("alt")
        assert "127.0.0.1" not in page.inner_text("body")
        assert f"atelier-salle.localhost:{port}/join" in page.inner_text("body")
        # no warning: the links work for the room
        page.goto(f"{room_base}/console")
        page.locator(".st-key-run_of_show").wait_for(timeout=30_000)
        wait_idle(page)
        assert "seul cet ordinateur" not in page.inner_text("body")


def test_a_loopback_base_url_seen_from_another_host_name_is_warned(copy_demo, contexts):
    url = copy_demo("console_loopback")
    _two_sessions(url, "camille")
    with running_app(url, env={"ATELIER_BASE_URL": "http://127.0.0.1:8501", "ATELIER_LIVE_INTERVAL": "1"}) as base:
        port = base.rsplit(":", 1)[1]
        room_base = f"http://atelier-salle.localhost:{port}"
        page = contexts(viewport={"width": 1366, "height": 768}).new_page()
        login(page, room_base)
        open_console(page, room_base)
        page.get_by_text("seul cet ordinateur").first.wait_for(timeout=30_000)
        # seen from the machine itself, the same address works: no warning
        login(page, base)
        open_console(page, base)
        assert "seul cet ordinateur" not in page.inner_text("body")
