"""The projector in a real browser: a sub-group's barrier reaches it within seconds; the vote
results chart appears only when the facilitator reveals it from the console; a console that lags
behind never puts the projector back on the view it still shows (issue 13).

One server (and one demo database) for the module; each test works on a session of its own."""
from __future__ import annotations

import contextlib

import pytest
from playwright.sync_api import expect

from tests.browser import ROOT, Lag, choose, open_canvas, poll, running_app, wait_idle

pytestmark = pytest.mark.browser


@contextlib.contextmanager
def database(url: str):
    """Core calls of this test process on the app's database (as another console would write)."""
    from storage import db

    db.configure(url)
    try:
        yield
    finally:
        db.configure(None)


@pytest.fixture(scope="module")
def app(copy_demo):
    url = copy_demo("projector")
    from core.access import accounts
    from core.setup.events import get_event

    with database(url):
        accounts.create_user("anim", "facilitator", "Anim", "", "motdepasse-anim")
        accounts.attach_to_event("anim", get_event("partners-day-2024").id)
    with running_app(url, env={"ATELIER_LIVE_INTERVAL": "1"}) as base:
        yield url, base


@pytest.fixture
def room(app):
    from core.actor import SYSTEM
    from core.personas import canvas
    from core.session import projector, session_flow
    from core.setup.events import get_event

    url, base = app
    with database(url):
        session = get_event("partners-day-2024").sessions[0]
        session_flow.start_session(SYSTEM, session.id)
        personas = canvas.list_personas(session.id)
        token = projector.issue_screen_token(SYSTEM, session.id)
        return {"url": url, "base": base, "session": session, "screen": token, "personas": personas}


def login(page, base: str, username: str, password: str) -> None:
    page.goto(f"{base}/login")
    page.get_by_role("textbox", name="Identifiant").fill(username)
    page.get_by_role("textbox", name="Mot de passe").fill(password)
    page.get_by_role("button", name="Se connecter").click()
    page.get_by_text("Mes ateliers").first.wait_for(timeout=30_000)


def test_barrier_reaches_the_projector_and_revealed_votes_draw_a_chart(room, contexts):
    from core.access.join import join, resolve
    from core.actor import SYSTEM
    from core.session import recommendations, session_flow, voting

    session, base = room["session"], room["base"]
    screen = contexts(viewport={"width": 1920, "height": 1080}).new_page()
    screen.goto(f"{base}/?screen={room['screen']}")
    screen.get_by_text(session.join_code).first.wait_for(timeout=30_000)
    wait_idle(screen)
    # a sub-group adds a barrier from its laptop
    laptop = contexts(viewport={"width": 1400, "height": 1000}).new_page()
    laptop.goto(f"{base}/join?join={session.join_code}")
    laptop.get_by_text("Sous-groupe 2").click()
    laptop.get_by_role("button", name="Rejoindre").click()
    open_canvas(laptop)
    box = laptop.get_by_role("textbox", name="Texte")
    box.fill("Horaires de garde incompatibles")
    box.press("Enter")
    screen.get_by_text("Horaires de garde incompatibles").first.wait_for(timeout=5_000)

    # recommendations and a vote, results hidden on the projector
    with database(room["url"]):
        session_flow.set_stage(SYSTEM, session.id, "recommendations")
        personas = {p.name: p for p in room["personas"]}
        a = recommendations.create_recommendation(SYSTEM, session.id, "Guichet unique logement-emploi",
                                                  "regional", sources=[("persona", personas["Amir"].id)])
        b = recommendations.create_recommendation(SYSTEM, session.id, "Crèches à horaires décalés",
                                                  "communal", sources=[("persona", personas["Fatoumata"].id)])
        session_flow.set_projector_view(SYSTEM, session.id, "votes")
        voting.open_vote(SYSTEM, session.id, dots=3)
        groups = session_flow.session_view(session.id).subgroups
        for group in groups[:3]:
            token, _ = join(session.id, group.id)
            actor = resolve(token).actor()
            voting.cast_dot(actor, session.id, b["id"])
        voting.cast_dot(resolve(join(session.id, groups[3].id)[0]).actor(), session.id, a["id"])
    screen.get_by_text("Vote en cours").first.wait_for(timeout=5_000)
    assert screen.locator(".js-plotly-plot").count() == 0

    # the facilitator reveals the results from the console
    console = contexts(viewport={"width": 1400, "height": 1000}).new_page()
    login(console, base, "anim", "motdepasse-anim")
    console.get_by_role("link", name="Console d’animation").click()
    console.get_by_role("tab", name="Recommandations et vote").click()
    reveal = console.locator(".st-key-vote_reveal button")
    reveal.wait_for(timeout=30_000)
    reveal.click()
    screen.locator(".js-plotly-plot").first.wait_for(timeout=15_000)  # a loaded machine
    assert "Crèches à horaires décalés" in screen.inner_text("body")
    screen.screenshot(path=str(ROOT / ".pytest_cache" / "projector_votes.png"))


@pytest.fixture
def lone_session(app):
    """A session run by a facilitator who runs nothing else (the console opens on it), showing the
    vote on the projector, with its second-screen link."""
    from core.access import accounts
    from core.actor import SYSTEM
    from core.session import projector, session_flow
    from core.setup import events

    url, _base = app
    with database(url):
        ev = events.create_event(SYSTEM, slug="ecran-en-retard", title="Assises (écran en retard)")
        theme = events.add_theme(SYSTEM, ev["id"], "Accès au logement")
        session = events.add_session(SYSTEM, theme["id"], "2026-03-02T09:00", "2026-03-02T12:30")
        events.add_subgroup(SYSTEM, session["id"], "Table A")
        accounts.create_user("anim-retard", "facilitator", "Anim Retard", "", "motdepasse-retard")
        accounts.attach_to_event("anim-retard", ev["id"])
        session_flow.start_session(SYSTEM, session["id"])
        session_flow.set_projector_view(SYSTEM, session["id"], "votes")
        return session["id"], projector.issue_screen_token(SYSTEM, session["id"])


def stored_view(url: str, sid: int) -> str:
    from core.session import session_flow

    with database(url):
        return session_flow.session_view(sid).projector_view


def test_a_lagging_console_never_puts_the_projector_back_on_the_view_it_still_shows(app, lone_session, contexts):
    """Issue 13 (the projector stayed on the votes after a switch to the plans). Every live tick of the
    console sends the value each of its widgets has on screen. Here the console's screen lags: what
    its server sends is held back while another console switches the projector to the plans. The
    server redraws the console (the new view, held back) and runs its next ticks, which still carry
    "votes" from the screen: that must not be taken for a choice and written back. Then the screen
    catches up, follows, and a choice really made on it still goes through."""
    from core.actor import SYSTEM
    from core.session import session_flow

    url, base = app
    sid, token = lone_session
    screen = contexts(viewport={"width": 1920, "height": 1080}).new_page()
    screen.goto(f"{base}/?screen={token}")
    screen.get_by_text("Vote en cours").first.wait_for(timeout=30_000)

    console = contexts(viewport={"width": 1400, "height": 1000}).new_page()
    lag = Lag(console)
    login(console, base, "anim-retard", "motdepasse-retard")
    console.goto(f"{base}/console")
    listed = console.locator(f'[class*="st-key-projector_view_{sid}"]')
    expect(listed.get_by_role("combobox")).to_have_value("Les résultats du vote", timeout=30_000)
    wait_idle(console)

    lag.hold()
    with database(url):
        session_flow.set_projector_view(SYSTEM, sid, "plans")   # from another console

    def redrawn_then_ticked() -> bool:
        """The console's server redrew the whole page (it follows the room: the new view in its list,
        held back) and finished two more runs after it: live ticks sent by a screen on "votes"."""
        ends = lag.runs_held()
        return "FINISHED_SUCCESSFULLY" in ends and len(ends) - ends.index("FINISHED_SUCCESSFULLY") > 2

    poll(console, redrawn_then_ticked, 60_000, "the console redrawn with the new view, then two of its live ticks")
    assert stored_view(url, sid) == "plans", "a console that had not caught up wrote its old view back"
    screen.get_by_text("Pas encore de plan de mise en œuvre.").wait_for(timeout=30_000)

    lag.release()
    expect(listed.get_by_role("combobox")).to_have_value("Les plans de mise en œuvre", timeout=30_000)
    assert stored_view(url, sid) == "plans"
    # a choice made on the console is written: the projector shows the board
    choose(console, listed, "Le tableau du diagnostic")
    poll(console, lambda: stored_view(url, sid) == "board", 30_000, "the board view stored")
    screen.get_by_text("Les contributions des sous-groupes apparaîtront ici.").wait_for(timeout=30_000)
    assert screen.get_by_text("Pas encore de plan de mise en œuvre.").count() == 0
