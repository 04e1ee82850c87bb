"""In a real browser: a Geneva event with the Swiss preset (its setup page shows the Swiss levels); a sub-group of its
session files a recommendation to the canton (the form offers "Cantonal", not "Régional"); the
inventory page filtered on Geneva shows the Geneva services; the booklet prints the cantonal
addressee. Screenshots under test-artifacts/screenshots/."""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.browser import after_run, choose, chromium, running_app, wait_idle

pytestmark = pytest.mark.browser
SHOTS = Path(__file__).resolve().parent.parent / "test-artifacts" / "screenshots"


@pytest.fixture
def office(sqlite_file):
    from core.access import accounts
    from core.actor import SYSTEM
    from core.setup import events
    from core.setup.seed import seed_demo
    from storage import db

    db.configure(sqlite_file)
    try:
        seed_demo()   # the inventory: Brussels, Geneva and everywhere
        accounts.create_user("orga", "organiser", "Orga Genève", "", "motdepasse-orga")
        ev = events.create_event(SYSTEM, slug="miso-geneve", title="MISO Genève", territory="ch-ge")
        accounts.attach_to_event("orga", ev["id"])
    finally:
        db.configure(None)
        db.dispose_all()
    return sqlite_file


def _login(page, base: str) -> None:
    page.goto(f"{base}/login")
    page.get_by_role("textbox", name="Identifiant").fill("orga")
    page.get_by_role("textbox", name="Mot de passe").fill("motdepasse-orga")
    page.get_by_role("button", name="Se connecter").click()
    page.get_by_text("Mes ateliers").first.wait_for(timeout=30_000)


def _room(url: str) -> tuple[str, int]:
    """The Geneva event the organiser created gets a theme, a session at stage 2, a table and a finding."""
    from sqlalchemy import select

    from core.actor import SYSTEM
    from core.session import board
    from core.session import session_flow as flow
    from core.setup import events
    from storage import db
    from storage import models as m

    db.configure(url)
    try:
        with db.read_session() as s:
            ev_id = s.execute(select(m.Event.id).where(m.Event.title == "MISO Genève")).scalar_one()
        theme = events.add_theme(SYSTEM, ev_id, "Insertion sociale et professionnelle")
        session = events.add_session(SYSTEM, theme["id"], "2026-04-27T09:00", "2026-04-27T12:30")
        events.add_subgroup(SYSTEM, session["id"], "Table A")
        board.add_contribution(SYSTEM, session["id"], "finding", "people",
                               "Les courriers de l'Hospice sont durs à lire")
        flow.set_stage(SYSTEM, session["id"], "recommendations")
        return session["join_code"], ev_id
    finally:
        db.configure(None)
        db.dispose_all()


def test_a_geneva_event_files_a_recommendation_to_the_canton(office):
    SHOTS.mkdir(parents=True, exist_ok=True)
    with running_app(office) as base, chromium() as browser:
        orga = browser.new_context(viewport={"width": 1366, "height": 768}).new_page()
        _login(orga, base)
        code, ev_id = _room(office)
        orga.goto(f"{base}/events")
        orga.get_by_role("tab", name="L’événement").wait_for(timeout=30_000)
        wait_idle(orga)
        orga.get_by_role("tab", name="L’événement").click()
        orga.get_by_text("Niveaux proposés : Communal, Cantonal, Intercantonal, Fédéral").wait_for(timeout=30_000)
        orga.get_by_text("Territoire et niveaux de pouvoir").scroll_into_view_if_needed()
        orga.screenshot(path=str(SHOTS / "territory_event_setup_1366.png"))

        table = browser.new_context(viewport={"width": 390, "height": 844}).new_page()
        table.goto(f"{base}/join?join={code}")
        table.get_by_text("Table A").wait_for(timeout=30_000)
        table.get_by_text("Table A").click()
        table.get_by_role("button", name="Rejoindre").click()
        table.get_by_text("Nouvelle recommandation").wait_for(timeout=30_000)
        wait_idle(table)
        table.locator(".st-key-rec_title input").fill("Des courriers en langage clair")
        wait_idle(table)
        table.locator(".st-key-rec_level input").first.click()
        offered = [o.inner_text() for o in table.get_by_role("option").all()]
        assert offered == ["Communal", "Cantonal", "Intercantonal", "Fédéral"]
        table.screenshot(path=str(SHOTS / "territory_recommendation_levels_390.png"))
        table.keyboard.press("Escape")
        choose(table, table.locator(".st-key-rec_level"), "Cantonal")
        choose(table, table.locator(".st-key-rec_sources_contribution"),
               "Constat · Les courriers de l'Hospice sont durs à lire")
        table.keyboard.press("Escape")
        table.locator(".st-key-rec_title input").fill("Des courriers en langage clair")
        after_run(table, lambda: table.locator(".st-key-rec_submit button").click())
        table.get_by_text("Modifier : Des courriers en langage clair").wait_for(timeout=30_000)

        orga.goto(f"{base}/inventory")
        orga.locator(".st-key-inv_territory").wait_for(timeout=30_000)
        choose(orga, orga.locator(".st-key-inv_territory"), "Suisse – Genève")
        orga.locator('[data-testid="stDataFrame"]').first.wait_for(timeout=30_000)
        orga.screenshot(path=str(SHOTS / "territory_inventory_geneva_1366.png"), full_page=False)
        orga.get_by_role("tab", name="Glossaire").click()
        orga.get_by_text("Œuvre suisse d'entraide ouvrière").first.wait_for(timeout=30_000)
        glossary = orga.inner_text("body")
        assert "OFPC" in glossary and "Centre public d'action sociale" not in glossary

    from core.reporting import booklet as bk
    from storage import db

    db.configure(office)
    try:
        from sqlalchemy import select

        from storage import models as m
        with db.read_session() as s:
            level = s.execute(select(m.Recommendation.level)).scalar_one()
            slug = s.execute(select(m.Event.slug).where(m.Event.id == ev_id)).scalar_one()
        assert level == "cantonal"
        text = bk.build_booklet(slug, "fr").text()
        assert "Cantonal" in text and "Régional" not in text
    finally:
        db.configure(None)
        db.dispose_all()
