"""In a real browser: the facilitator advances the stage from the console and a participant's
open page follows within a few seconds, without a reload (the live view ticks every second here)."""
from __future__ import annotations

import pytest

from tests.browser import chromium, running_app, wait_idle

pytestmark = pytest.mark.browser


@pytest.fixture
def room(sqlite_file):
    from core.access import accounts
    from core.actor import SYSTEM
    from core.setup import events
    from storage import db

    db.configure(sqlite_file)
    try:
        ev = events.create_event(SYSTEM, slug="assises-navigateur", title="Assises (navigateur)")
        theme = events.add_theme(SYSTEM, ev["id"], "Accès au logement")
        session = events.add_session(SYSTEM, theme["id"], "2026-03-02T09:00", "2026-03-02T12:30")
        events.add_subgroup(SYSTEM, session["id"], "Table A")
        accounts.create_user("anim", "facilitator", "Anim Navigateur", "", "motdepasse-anim")
        accounts.attach_to_event("anim", ev["id"])
    finally:
        db.configure(None)
        db.dispose_all()
    return sqlite_file, session["join_code"]


def test_participant_page_follows_the_stage_the_facilitator_chooses(room):
    url, code = room
    with running_app(url, env={"ATELIER_LIVE_INTERVAL": "1"}) as base, chromium() as browser:
        participant = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
        participant.goto(f"{base}/join?join={code}")
        participant.get_by_text("Table A").wait_for(timeout=30_000)
        participant.get_by_text("Table A").click()
        participant.get_by_role("textbox", name="Votre prénom (facultatif)").fill("Nadia")
        participant.get_by_role("button", name="Rejoindre").click()
        participant.get_by_text("Bienvenue, Nadia !").wait_for(timeout=30_000)
        participant.get_by_text("Étape 1 sur 3").wait_for(timeout=30_000)
        wait_idle(participant)
        participant.evaluate("window.__still_the_same_page = true")

        facilitator = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
        facilitator.goto(f"{base}/login")
        facilitator.get_by_role("textbox", name="Identifiant").fill("anim")
        facilitator.get_by_role("textbox", name="Mot de passe").fill("motdepasse-anim")
        facilitator.get_by_role("button", name="Se connecter").click()
        facilitator.get_by_text("Mes ateliers").first.wait_for(timeout=30_000)
        facilitator.goto(f"{base}/console")
        facilitator.locator(".st-key-stage_recommendations button").wait_for(timeout=30_000)
        wait_idle(facilitator)
        facilitator.locator(".st-key-stage_recommendations button").click()
        facilitator.get_by_text("Étape en cours : Recommandations aux mandataires").wait_for(timeout=30_000)

        # the participant's page shows the new stage and its forms on its own
        participant.get_by_text("Étape 2 sur 3").wait_for(timeout=8_000)
        participant.get_by_text("Nouvelle recommandation").wait_for(timeout=8_000)
        assert participant.evaluate("window.__still_the_same_page === true")   # no reload happened
        assert "Étape 1 sur 3" not in participant.inner_text("body")
