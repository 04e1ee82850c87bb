"""Two app processes sharing one PostgreSQL: a change written through one appears in the other's
live view (change detection goes through the database, not through process memory)."""
from __future__ import annotations

import pytest

from tests.browser import chromium, open_canvas, running_app, wait_idle

pytestmark = pytest.mark.browser


def test_change_through_one_server_shows_on_the_other(demo_postgres):
    from core.actor import SYSTEM
    from core.session import projector, session_flow
    from core.setup.events import get_event
    from storage import db

    db.configure(demo_postgres)
    try:
        session = get_event("partners-day-2024").sessions[0]
        session_flow.set_projector_view(SYSTEM, session.id, "personas")
        token = projector.issue_screen_token(SYSTEM, session.id)
    finally:
        db.configure(None)
    env = {"ATELIER_LIVE_INTERVAL": "1"}
    with running_app(demo_postgres, env=env) as server_a, running_app(demo_postgres, env=env) as server_b, \
            chromium() as browser:
        assert server_a != server_b
        screen = browser.new_page(viewport={"width": 1920, "height": 1080})
        screen.goto(f"{server_b}/?screen={token}")
        screen.get_by_text("Ahmed").first.wait_for(timeout=30_000)
        wait_idle(screen)
        laptop = browser.new_page(viewport={"width": 1400, "height": 1000})
        laptop.goto(f"{server_a}/join?join={session.join_code}")
        laptop.get_by_text("Sous-groupe 1").wait_for(timeout=30_000)
        laptop.get_by_text("Sous-groupe 1").click()
        laptop.get_by_role("button", name="Rejoindre").click()
        open_canvas(laptop)
        box = laptop.get_by_role("textbox", name="Texte")
        box.fill("Frein écrit sur le serveur A")
        box.press("Enter")
        laptop.get_by_text("Frein écrit sur le serveur A").first.wait_for(timeout=15_000)
        # the projector is served by server B
        screen.get_by_text("Frein écrit sur le serveur A").first.wait_for(timeout=15_000)
        assert screen.get_by_text("Freins (10)").count() == 1
