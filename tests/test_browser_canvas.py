"""Two laptops of one sub-group on the same persona: an item added in one appears in the other
without a reload, and without clearing what the other is typing; the identity dialog; edit, delete,
undo and leads from the live lists.

One server on one demo database for the module (live views tick every second); each test has
browser contexts of its own and writes texts of its own."""
from __future__ import annotations

import pytest

from tests.browser import ROOT, after_run, open_canvas, running_app, ticks, wait_idle

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def app(copy_demo):
    from core.setup.events import get_event
    from storage import db

    url = copy_demo("canvas")
    db.configure(url)
    try:
        code = get_event("partners-day-2024").sessions[0].join_code
    finally:
        db.configure(None)
    with running_app(url, env={"ATELIER_LIVE_INTERVAL": "1"}) as base:
        yield url, base, code


def _join(context, base: str, code: str, name: str):
    page = context.new_page()
    page.goto(f"{base}/join?join={code}")
    page.get_by_text("Sous-groupe 1").wait_for(timeout=30_000)
    page.get_by_text("Sous-groupe 1").click()
    page.get_by_role("textbox", name="Votre prénom (facultatif)").fill(name)
    page.get_by_role("button", name="Rejoindre").click()
    page.get_by_text(f"Bienvenue, {name} !").wait_for(timeout=30_000)
    open_canvas(page)
    return page


def test_item_added_in_one_browser_appears_in_the_other_without_losing_typing(app, contexts):
    _url, base, code = app
    first = _join(contexts(viewport={"width": 1400, "height": 1000}), base, code, "Nadia")
    second = _join(contexts(viewport={"width": 1400, "height": 1000}), base, code, "Karim")
    # Karim starts typing a motivation and leaves it unsent
    second.get_by_text("Une source de motivation").click()
    motivation = second.get_by_role("textbox", name="Texte")
    motivation.fill("Retrouver sa fille")
    # Nadia adds a barrier
    box = first.get_by_role("textbox", name="Texte")
    box.fill("Pas de carte d'identité valide")
    box.press("Enter")
    first.get_by_text("Pas de carte d'identité valide").first.wait_for(timeout=15_000)
    # it reaches Karim's screen by itself
    second.get_by_text("Pas de carte d'identité valide").first.wait_for(timeout=15_000)
    assert motivation.input_value() == "Retrouver sa fille"
    ticks(second, 3)  # three more live ticks of Karim's page: his text is still there
    assert motivation.input_value() == "Retrouver sa fille"
    first.screenshot(path=str(ROOT / ".pytest_cache" / "canvas.png"), full_page=True)


def test_identity_dialog_saves_and_a_dismissed_dialog_stays_closed(app, contexts):
    _url, base, code = app
    page = _join(contexts(viewport={"width": 1400, "height": 1000}), base, code, "Nadia")
    page.get_by_role("button", name="Modifier la fiche").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_role("textbox", name="Origine").fill("Belgique (Bruxelles)")
    dialog.get_by_role("button", name="Enregistrer").click()
    dialog.wait_for(state="detached", timeout=15_000)
    page.get_by_text("40 ans · Belgique (Bruxelles)").wait_for(timeout=15_000)
    page.get_by_role("button", name="Modifier la fiche").click()
    page.get_by_role("dialog").wait_for(timeout=15_000)
    page.keyboard.press("Escape")
    page.get_by_role("dialog").wait_for(state="detached", timeout=15_000)
    page.get_by_text("Une compétence").click()
    box = page.get_by_role("textbox", name="Texte")
    box.fill("Sait cuisiner pour vingt personnes")
    box.press("Enter")
    page.get_by_text("Sait cuisiner pour vingt personnes").first.wait_for(timeout=15_000)
    wait_idle(page)
    assert page.get_by_role("dialog").count() == 0


def test_edit_delete_undo_and_leads_work_from_the_live_lists(app, contexts):
    """Buttons inside the live lists open things drawn outside them (dialog, undo bar, a need's editor)."""
    url, base, code = app
    page = _join(contexts(viewport={"width": 1400, "height": 1000}), base, code, "Nadia")
    from core.personas import canvas
    from core.setup.events import get_event
    from storage import db

    db.configure(url)
    try:
        ahmed = next(p for p in canvas.list_personas(get_event("partners-day-2024").sessions[0].id)
                     if p.name == "Ahmed")
        assert any(i.text == "Français appris en prison" for i in canvas.get_canvas(ahmed.id).skills)
        need_id = next(n.id for n in canvas.get_canvas(ahmed.id).needs if n.text == "Sociabilisation")
    finally:
        db.configure(None)
    def choose(label: str) -> None:
        box = page.locator(".st-key-manage_item input")
        box.click()
        box.fill(label.split(" · ", 1)[1][:20])
        after_run(page, page.get_by_role("option").filter(has_text=label).first.click)

    # delete a skill, then undo
    page.get_by_text("Français appris en prison").first.wait_for(timeout=15_000)
    choose("compétence · Français appris en prison")
    page.locator(".st-key-manage_delete button").click()
    page.get_by_role("button", name="Annuler").wait_for(timeout=15_000)
    assert page.get_by_text("Français appris en prison", exact=True).count() == 0
    page.get_by_role("button", name="Annuler").click()
    page.get_by_text("Français appris en prison", exact=True).wait_for(timeout=15_000)
    # the editor opens on the chosen item
    choose("compétence · Français appris en prison")
    page.locator(".st-key-manage_edit button").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_role("textbox", name="Texte").fill("Français appris en prison, lu et écrit")
    dialog.get_by_role("button", name="Enregistrer").click()
    page.get_by_text("Français appris en prison, lu et écrit").first.wait_for(timeout=15_000)
    # a need's "Pistes et partenaires" editor opens next to it and takes a new lead
    row = page.locator(f".st-key-need_{need_id}")
    row.locator(f".st-key-need_pop_{need_id} button").first.click()
    body = page.locator('[data-testid="stPopoverBody"]').filter(has=page.locator(f".st-key-lead_text_{need_id}"))
    body.wait_for(timeout=15_000)
    wait_idle(page)
    box = body.get_by_role("textbox", name="Une piste de réponse")
    box.fill("Atelier collectif de recherche d'emploi")
    after_run(page, body.get_by_role("button", name="Ajouter la piste").click)
    row.get_by_text("→ Atelier collectif de recherche d'emploi · aucun partenaire").wait_for(timeout=15_000)
