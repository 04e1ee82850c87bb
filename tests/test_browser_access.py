"""Access in a real browser: a participant joins by link and stays in the sub-group across a
reload and a new tab; staff stay signed in across a reload; a typed staff URL is not served.

One server on one demo database for the module; each test has browser contexts of its own."""
from __future__ import annotations

import pytest

from tests.browser import cookie_value, poll, running_app, wait_idle

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def app(copy_demo):
    from core.access import accounts
    from core.setup.events import get_event
    from storage import db

    url = copy_demo("access")
    db.configure(url)
    try:
        accounts.create_user("anim", "facilitator", "Anim Navigateur", "", "motdepasse-anim")
        accounts.attach_to_event("anim", get_event("partners-day-2024").id)
        code = get_event("partners-day-2024").sessions[0].join_code
    finally:
        db.configure(None)
    with running_app(url) as base:
        yield base, code


def test_participant_joins_by_link_and_a_reload_keeps_the_subgroup(app, contexts):
    base, code = app
    context = contexts(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(f"{base}/join?join={code}")
    page.get_by_text("Sous-groupe 3").wait_for(timeout=30_000)
    page.get_by_text("Sous-groupe 3").click()
    page.get_by_role("textbox", name="Votre prénom (facultatif)").fill("Nadia")
    page.get_by_role("button", name="Rejoindre").click()
    page.get_by_text("Bienvenue, Nadia !").wait_for(timeout=30_000)
    page.get_by_text("Éric").first.wait_for(timeout=15_000)  # the persona of Sous-groupe 3
    poll(page, lambda: cookie_value(context, "atelier_p"), what="the participant's cookie written by the page")
    page.reload()
    page.get_by_text("Bienvenue, Nadia !").wait_for(timeout=30_000)
    other = context.new_page()
    other.goto(f"{base}/")
    other.get_by_text("Bienvenue, Nadia !").wait_for(timeout=30_000)
    other.goto(f"{base}/sessions")   # a staff page: back on the sub-group's home, with a word, no dialog
    other.get_by_text("Cette page n’est pas ouverte pour vous").wait_for(timeout=30_000)
    other.get_by_text("Bienvenue, Nadia !").wait_for(timeout=30_000)
    wait_idle(other)
    assert "Mes ateliers" not in other.inner_text("[data-testid='stMain']")
    assert other.get_by_role("dialog").count() == 0
    # leaving the session forgets the sub-group, across reloads
    other.get_by_role("link", name="Quitter l’atelier").click()
    other.get_by_text("Rejoindre un atelier").first.wait_for(timeout=30_000)
    poll(other, lambda: cookie_value(context, "atelier_p") is None, what="the participant's cookie deleted by the page")
    other.reload()
    other.get_by_text("Rejoindre un atelier").first.wait_for(timeout=30_000)
    wait_idle(other)
    assert "Bienvenue, Nadia !" not in other.inner_text("body")


def test_staff_login_survives_a_reload_and_logout_ends_it(app, contexts):
    base, _code = app
    context = contexts(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(f"{base}/login")
    page.get_by_role("textbox", name="Identifiant").fill("anim")
    page.get_by_role("textbox", name="Mot de passe").fill("motdepasse-anim")
    page.get_by_role("button", name="Se connecter").click()
    page.get_by_text("Mes ateliers").first.wait_for(timeout=30_000)
    page.get_by_text("Partner's Day 2024").first.wait_for(timeout=30_000)
    poll(page, lambda: cookie_value(context, "atelier_staff"), what="the staff cookie written by the page")
    page.reload()
    page.get_by_text("Connecté·e : Anim Navigateur").wait_for(timeout=30_000)
    page.get_by_role("link", name="Se déconnecter").click()
    page.get_by_text("Connexion équipe").first.wait_for(timeout=30_000)
    poll(page, lambda: cookie_value(context, "atelier_staff") is None, what="the staff cookie deleted by the page")
    page.reload()
    page.get_by_text("Connexion équipe").first.wait_for(timeout=30_000)
    wait_idle(page)
    assert "Connecté·e" not in page.inner_text("body")
