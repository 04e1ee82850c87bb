"""The language a visitor picks stays across reloads and new tabs; a Dutch browser starts in Dutch."""
from __future__ import annotations

import pytest

from tests.browser import chromium, running_app, wait_idle

pytestmark = pytest.mark.browser


def _pick(page, label: str, option: str) -> None:
    wait_idle(page)
    page.get_by_role("combobox", name=label).click()
    page.get_by_role("option", name=option).click()


def test_a_chosen_language_survives_a_reload_and_a_new_tab(sqlite_file):
    with running_app(sqlite_file) as base, chromium() as browser:
        context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="fr-BE")
        page = context.new_page()
        page.goto(base + "/")
        page.get_by_text("Langue").first.wait_for(timeout=30_000)
        _pick(page, "Langue", "Nederlands")
        page.get_by_text("Taal").first.wait_for(timeout=30_000)
        # the browser keeps the choice: the cookie arrives with the next page load
        page.wait_for_function("() => document.cookie.includes('atelier_lang=nl')", timeout=30_000)
        page.reload()
        wait_idle(page)
        page.get_by_text("Taal").first.wait_for(timeout=30_000)
        assert "Langue" not in page.inner_text("[data-testid='stSidebar']")
        other = context.new_page()
        other.goto(base + "/join")
        other.get_by_text("Taal").first.wait_for(timeout=30_000)
        # and back to French: the next reload is French again
        _pick(other, "Taal", "Français")
        other.get_by_text("Langue").first.wait_for(timeout=30_000)
        other.wait_for_function("() => document.cookie.includes('atelier_lang=fr')", timeout=30_000)
        other.reload()
        other.get_by_text("Langue").first.wait_for(timeout=30_000)


def test_a_dutch_browser_starts_in_dutch_and_a_link_can_say_otherwise(sqlite_file):
    with running_app(sqlite_file) as base, chromium() as browser:
        dutch = browser.new_context(viewport={"width": 390, "height": 844}, locale="nl-BE")
        page = dutch.new_page()
        page.goto(base + "/")
        wait_idle(page)
        page.get_by_role("heading", name="Evenementen").wait_for(timeout=30_000)
        page.goto(base + "/?lang=en")
        wait_idle(page)
        page.get_by_role("heading", name="Events").wait_for(timeout=30_000)
        german = browser.new_context(viewport={"width": 1366, "height": 768}, locale="de-DE")
        page = german.new_page()
        page.goto(base + "/")
        wait_idle(page)
        page.get_by_role("heading", name="Événements").wait_for(timeout=30_000)


def test_a_deep_link_to_a_closed_page_lands_home_with_a_word_in_the_visitors_language(sqlite_file):
    with running_app(sqlite_file) as base, chromium() as browser:
        page = browser.new_page(viewport={"width": 390, "height": 844}, locale="nl-BE")
        page.goto(base + "/group")
        page.get_by_text("Die pagina is niet voor u open").wait_for(timeout=30_000)
        wait_idle(page)
        assert page.get_by_role("dialog").count() == 0           # no English "Page not found"
        assert "Page not found" not in page.inner_text("body")
        # Streamlit's English input hints never show, even while typing in a form
        page.goto(base + "/join")
        wait_idle(page)
        box = page.get_by_role("textbox").first
        box.fill("ABC")
        assert not page.get_by_text("Press Enter").is_visible()
        assert "Press Enter" not in page.inner_text("body")
