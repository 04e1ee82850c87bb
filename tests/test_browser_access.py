"""Access in a real browser: a participant joins by link and stays in the sub-group across a
reload and a new tab; staff stay signed in across a reload; a typed staff URL is not served."""
from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.browser import ROOT, chromium, running_app, wait_idle

pytestmark = pytest.mark.browser


@pytest.fixture
def demo_db(sqlite_file):
    env = {**os.environ, "ATELIER_DATABASE_URL": sqlite_file}
    subprocess.run([sys.executable, str(ROOT / "manage.py"), "seed-demo"], env=env, check=True, timeout=120)
    subprocess.run([sys.executable, str(ROOT / "manage.py"), "create-user", "--username", "anim", "--role",
                    "facilitator", "--name", "Anim Navigateur", "--event", "partners-day-2024"],
                   env=env, input="motdepasse-anim\n", text=True, check=True, timeout=120)
    return sqlite_file


def _code(url: str) -> str:
    from storage import db
    from core.setup.events import get_event

    db.configure(url)
    try:
        return get_event("partners-day-2024").sessions[0].join_code
    finally:
        db.configure(None)


def test_participant_joins_by_link_and_a_reload_keeps_the_subgroup(demo_db):
    code = _code(demo_db)
    with running_app(demo_db) as base, chromium() as browser:
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        page = context.new_page()
        page.goto(f"{base}/join?join={code}")
        page.get_by_text("Sous-groupe 3").wait_for(timeout=30_000)
        page.get_by_text("Sous-groupe 3").click()
        page.get_by_role("textbox", name="Votre prénom (facultatif)").fill("Nadia")
        page.get_by_role("button", name="Rejoindre").click()
        page.get_by_text("Bienvenue, Nadia !").wait_for(timeout=30_000)
        page.get_by_text("Éric").first.wait_for(timeout=15_000)  # the persona of Sous-groupe 3
        page.wait_for_timeout(500)
        page.reload()
        page.get_by_text("Bienvenue, Nadia !").wait_for(timeout=30_000)
        other = context.new_page()
        other.goto(f"{base}/")
        other.get_by_text("Bienvenue, Nadia !").wait_for(timeout=30_000)
        other.goto(f"{base}/sessions")
        wait_idle(other)
        other.get_by_role("dialog").wait_for(timeout=10_000)  # Streamlit's "page not found"
        assert "Mes ateliers" not in other.inner_text("body")
        assert "Bienvenue, Nadia !" in other.inner_text("body")
        other.keyboard.press("Escape")
        other.get_by_role("dialog").wait_for(state="detached", timeout=10_000)
        # leaving the session forgets the sub-group, across reloads
        other.get_by_role("link", name="Quitter l’atelier").click()
        other.get_by_text("Rejoindre un atelier").first.wait_for(timeout=30_000)
        other.wait_for_timeout(500)
        other.reload()
        wait_idle(other)
        assert "Bienvenue, Nadia !" not in other.inner_text("body")


def test_staff_login_survives_a_reload_and_logout_ends_it(demo_db):
    with running_app(demo_db) as base, chromium() as browser:
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto(f"{base}/login")
        page.get_by_role("textbox", name="Identifiant").fill("anim")
        page.get_by_role("textbox", name="Mot de passe").fill("motdepasse-anim")
        page.get_by_role("button", name="Se connecter").click()
        page.get_by_text("Mes ateliers").first.wait_for(timeout=30_000)
        page.get_by_text("Partner's Day 2024").first.wait_for(timeout=30_000)
        page.wait_for_timeout(500)
        page.reload()
        page.get_by_text("Connecté·e : Anim Navigateur").wait_for(timeout=30_000)
        page.get_by_role("link", name="Se déconnecter").click()
        page.get_by_text("Connexion équipe").first.wait_for(timeout=30_000)
        page.wait_for_timeout(500)
        page.reload()
        wait_idle(page)
        assert "Connecté·e" not in page.inner_text("body")
