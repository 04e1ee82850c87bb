"""The real app in headless Chromium: the home page shows both events in French."""
from __future__ import annotations

import pytest

from tests.browser import ROOT, chromium, running_app, wait_idle

pytestmark = pytest.mark.browser


def test_home_page_shows_both_events_in_french(demo_sqlite):
    with running_app(demo_sqlite) as base, chromium() as browser:
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto(base + "/")
        page.get_by_text("Assises du Logement et du Travail social").wait_for(timeout=30_000)
        wait_idle(page)
        body = page.inner_text("body")
        assert "Partner's Day 2024" in body
        assert "Du jeudi 16 novembre 2023 au lundi 15 janvier 2024" in body
        assert "Événements" in body and "Langue" in body
        page.screenshot(path=str(ROOT / ".pytest_cache" / "home.png"), full_page=True)
