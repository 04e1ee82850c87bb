"""The projector in a real browser: a sub-group's barrier reaches it within seconds; the vote
results chart appears only when the facilitator reveals it from the console."""
from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.browser import ROOT, chromium, running_app, wait_idle

pytestmark = pytest.mark.browser


@pytest.fixture
def room(sqlite_file):
    env = {**os.environ, "ATELIER_DATABASE_URL": sqlite_file}
    subprocess.run([sys.executable, str(ROOT / "manage.py"), "seed-demo"], env=env, check=True, timeout=120)
    subprocess.run([sys.executable, str(ROOT / "manage.py"), "create-user", "--username", "anim", "--role",
                    "facilitator", "--name", "Anim", "--event", "partners-day-2024"],
                   env=env, input="motdepasse-anim\n", text=True, check=True, timeout=120)
    from core.personas import canvas
    from core.session import projector, recommendations, session_flow, voting
    from core.actor import SYSTEM
    from core.setup.events import get_event
    from core.access.join import join, resolve
    from storage import db

    db.configure(sqlite_file)
    try:
        session = get_event("partners-day-2024").sessions[0]
        session_flow.start_session(SYSTEM, session.id)
        personas = canvas.list_personas(session.id)
        token = projector.issue_screen_token(SYSTEM, session.id)
        return {"url": sqlite_file, "session": session, "screen": token, "personas": personas}
    finally:
        db.configure(None)


def test_barrier_reaches_the_projector_and_revealed_votes_draw_a_chart(room):
    from core.personas import canvas
    from core.session import recommendations, session_flow, voting
    from core.actor import SYSTEM
    from core.access.join import join, resolve
    from storage import db

    session = room["session"]
    with running_app(room["url"], env={"ATELIER_LIVE_INTERVAL": "1"}) as base, chromium() as browser:
        screen = browser.new_page(viewport={"width": 1920, "height": 1080})
        screen.goto(f"{base}/?screen={room['screen']}")
        screen.get_by_text(session.join_code).first.wait_for(timeout=30_000)
        wait_idle(screen)
        # a sub-group adds a barrier from its laptop
        laptop = browser.new_page(viewport={"width": 1400, "height": 1000})
        laptop.goto(f"{base}/join?join={session.join_code}")
        laptop.get_by_text("Sous-groupe 2").click()
        laptop.get_by_role("button", name="Rejoindre").click()
        laptop.get_by_role("link", name="Canevas du persona").click()
        box = laptop.get_by_role("textbox", name="Texte")
        box.wait_for(timeout=30_000)
        box.fill("Horaires de garde incompatibles")
        box.press("Enter")
        screen.get_by_text("Horaires de garde incompatibles").first.wait_for(timeout=5_000)

        # recommendations and a vote, results hidden on the projector
        db.configure(room["url"])
        try:
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
        finally:
            db.configure(None)
        screen.get_by_text("Vote en cours").first.wait_for(timeout=5_000)
        assert screen.locator(".js-plotly-plot").count() == 0

        # the facilitator reveals the results from the console
        console = browser.new_page(viewport={"width": 1400, "height": 1000})
        console.goto(f"{base}/login")
        console.get_by_role("textbox", name="Identifiant").fill("anim")
        console.get_by_role("textbox", name="Mot de passe").fill("motdepasse-anim")
        console.get_by_role("button", name="Se connecter").click()
        console.get_by_text("Mes ateliers").first.wait_for(timeout=30_000)
        console.get_by_role("link", name="Console d’animation").click()
        console.get_by_role("tab", name="Recommandations et vote").click()
        reveal = console.locator(".st-key-vote_reveal button")
        reveal.wait_for(timeout=30_000)
        reveal.click()
        screen.locator(".js-plotly-plot").first.wait_for(timeout=15_000)  # a loaded machine
        assert "Crèches à horaires décalés" in screen.inner_text("body")
        screen.screenshot(path=str(ROOT / ".pytest_cache" / "projector_votes.png"))
