"""The persona canvas and the resources page as a sub-group uses them in the room (issue 14): on a
laptop (1366x768) and on a phone (390x844), in headless Chromium, on the Partner's Day demo data.

- a need's leads and partners are worked on from the need's own row (its "Pistes et partenaires"
  button opens next to it), never through a dropdown and a panel at the bottom of the page;
- the same need typed twice asks "already there: add anyway?" and loses nothing;
- no row button is cut ("Modif…") at 1366 px; nothing scrolls sideways at 390 px;
- axe-core finds no critical or serious violation (WCAG 2 A/AA) on either page at either size;
- a lead added by a teammate reaches the need's row without a reload, and what I was typing stays.

Screenshots of both pages at both sizes go to test-artifacts/screenshots/ (not committed)."""
from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from tests.a11y import serious
from tests.browser import ROOT, after_run, poll, running_app, wait_idle

pytestmark = pytest.mark.browser

LAPTOP = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}
SHOTS = ROOT / "test-artifacts" / "screenshots"
COOKIE = "atelier_p"   # the participant's token (ui.auth)


@dataclass(frozen=True)
class Room:
    url: str                     # the database
    base: str                    # the app
    tokens: dict[str, str]       # persona name -> the token of a participant of its sub-group
    personas: dict[str, int]     # persona name -> id


@contextlib.contextmanager
def _database(url: str) -> Iterator[None]:
    from storage import db

    db.configure(url)
    try:
        yield
    finally:
        db.configure(None)


@pytest.fixture(scope="module")
def room(copy_demo) -> Iterator[Room]:
    """One app on a copy of the demo data; a participant of each persona's sub-group."""
    url = copy_demo("canvas_room")
    with _database(url):
        from core.access import join
        from core.personas import canvas
        from core.setup.events import get_event

        session = get_event("partners-day-2024").sessions[0]
        personas = {p.name: p for p in canvas.list_personas(session.id)}
        tokens = {name: join.join(session.id, p.subgroup_id, "Nadia")[0] for name, p in personas.items()}
    with running_app(url) as base:
        yield Room(url, base, tokens, {name: p.id for name, p in personas.items()})


def _canvas(room: Room, name: str) -> Any:
    from core.personas import canvas

    with _database(room.url):
        return canvas.get_canvas(room.personas[name])


def _resource_id(room: Room, acronym: str) -> int:
    from core.resources import inventory

    with _database(room.url):
        return next(r.id for r in inventory.search_resources(acronym) if r.acronym == acronym)


def _open(contexts, room: Room, persona: str, page_name: str, viewport: dict[str, int]):
    """A participant of ``persona``'s sub-group on ``page_name``, the page drawn."""
    context = contexts(viewport=viewport)
    context.add_cookies([{"name": COOKIE, "value": room.tokens[persona], "url": room.base}])
    page = context.new_page()
    page.goto(f"{room.base}/{page_name}")
    ready = page.locator(".st-key-add_text input" if page_name == "canvas" else ".st-key-inv_search input")
    ready.wait_for(timeout=30_000)
    wait_idle(page)
    return page


def _open_need(page, need_id: int):
    """Open the need's "Pistes et partenaires" editor; returns its body."""
    page.locator(f".st-key-need_pop_{need_id} button").first.click()
    body = page.locator('[data-testid="stPopoverBody"]').filter(has=page.locator(f".st-key-lead_text_{need_id}"))
    body.wait_for(timeout=15_000)
    wait_idle(page)
    return body


def _in_viewport(page, locator) -> bool:
    box = locator.bounding_box()
    size = page.viewport_size
    return box is not None and box["y"] < size["height"] and box["y"] + box["height"] > 0


# --- leads and partners on the need's row ---------------------------------------------------------

def test_a_lead_and_its_partner_are_added_without_leaving_the_needs_row(room, contexts):
    page = _open(contexts, room, "Fatoumata", "canvas", LAPTOP)
    need = next(n for n in _canvas(room, "Fatoumata").needs if n.category == "family_childcare")
    row = page.locator(f".st-key-need_{need.id}")
    body = _open_need(page, need.id)

    box = body.get_by_role("textbox", name="Une piste de réponse")
    box.fill("Une crèche près du lieu de formation")
    after_run(page, lambda: body.get_by_role("button", name="Ajouter la piste").click())
    row.get_by_text("→ Une crèche près du lieu de formation · aucun partenaire").wait_for(timeout=15_000)
    assert body.is_visible(), "the editor stays open next to the need"
    assert box.input_value() == ""

    lead = poll(page, lambda: next((x for n in _canvas(room, "Fatoumata").needs if n.id == need.id
                                    for x in n.leads if x.text == "Une crèche près du lieu de formation"), None),
                what="the new lead in the database")
    # a childcare need: the ONE (early childhood) is the first suggestion, before the AMO (youth help)
    suggested = [re.sub(r"\s+", " ", x) for x in
                 body.locator(f'[class*="st-key-suggest_{lead.id}_"]').all_inner_texts()]
    assert suggested and suggested[0].startswith("ONE — Office de la Naissance et de l'Enfance"), suggested
    one = _resource_id(room, "ONE")
    after_run(page, lambda: body.locator(f".st-key-link_{lead.id}_{one} button").click())
    row.get_by_text("→ Une crèche près du lieu de formation (ONE — Office de la Naissance et de l'Enfance)").wait_for(
        timeout=15_000)
    assert body.is_visible() and _in_viewport(page, row), "still on the need's row, its editor open"
    assert [r.acronym for n in _canvas(room, "Fatoumata").needs for x in n.leads if x.id == lead.id
            for r in x.resources] == ["ONE"]

    # any other partner of the inventory, from the same editor
    picker = body.locator(f".st-key-link_pick_{lead.id}")
    picker.locator("input").fill("Maison de quart")
    page.get_by_role("option", name="Maisons de quartier").first.click()
    # (the lead has a partner now: no more one-click suggestions, the only "Lier" is the list's)
    after_run(page, lambda: body.locator(f".st-key-lead_box_{lead.id}").get_by_role("button", name="Lier").click())
    row.get_by_text(re.compile(r"→ Une crèche près du lieu de formation \(.*Maisons de quartier")).wait_for(
        timeout=15_000)
    assert page.get_by_text("Pistes pour :").count() == 0   # no panel at the bottom of the page any more

    # the lead's own text, rewritten from the same editor
    body.locator(f".st-key-lead_box_{lead.id}").get_by_text("Modifier ou supprimer la piste").click()
    text = body.locator(f".st-key-lead_edit_{lead.id} input")
    text.fill("Une crèche à deux pas du lieu de formation")
    after_run(page, lambda: body.locator(f".st-key-lead_save_{lead.id} button").click())
    row.get_by_text(re.compile(r"→ Une crèche à deux pas du lieu de formation \(")).wait_for(timeout=15_000)
    assert body.is_visible()


def test_a_lead_that_names_its_partner_says_it_once(room, contexts):
    page = _open(contexts, room, "Amir", "canvas", LAPTOP)
    rows = page.locator('[class*="st-key-need_"]').all_inner_texts()
    text = "\n".join(rows)
    assert "→ CIRÉ" in text and "→ Delta" in text
    assert "CIRÉ (CIRÉ" not in text and "Delta (Delta" not in text


# --- "already there: add anyway?" ----------------------------------------------------------------

def test_a_near_duplicate_need_asks_first_and_nothing_typed_is_lost(room, contexts):
    page = _open(contexts, room, "Sofia", "canvas", LAPTOP)
    before = len(_canvas(room, "Sofia").needs)
    page.locator(".st-key-add_kind").get_by_text("Un besoin").click()
    box = page.locator(".st-key-add_text input")
    box.fill("gérer le Budget !")
    after_run(page, lambda: box.press("Enter"))
    question = page.locator(".st-key-add_similar_box")
    question.get_by_text("Déjà là : « Gérer le budget ». Ajouter quand même ?").wait_for(timeout=15_000)
    assert len(_canvas(room, "Sofia").needs) == before

    after_run(page, lambda: question.get_by_role("button", name="Annuler").click())
    question.wait_for(state="detached", timeout=15_000)
    assert box.input_value() == "gérer le Budget !"          # cancelling keeps the text to rework
    assert len(_canvas(room, "Sofia").needs) == before

    after_run(page, lambda: box.press("Enter"))
    after_run(page, lambda: question.get_by_role("button", name="Ajouter quand même").click())
    poll(page, lambda: len(_canvas(room, "Sofia").needs) == before + 1, what="the need added anyway")
    page.locator('[class*="st-key-need_"]').get_by_text("gérer le Budget !").wait_for(timeout=15_000)
    assert box.input_value() == ""


# --- nothing cut, nothing sideways ---------------------------------------------------------------

# Every element inside a button that hides part of its text (Streamlit cuts a label with an ellipsis)
CUT_LABELS = """(root) => [...root.querySelectorAll('button')].filter(b => b.offsetParent !== null).flatMap(b =>
  [b, ...b.querySelectorAll('*')].filter(e => e.scrollWidth > e.clientWidth + 1
      && ['hidden', 'clip'].includes(getComputedStyle(e).overflowX) && e.innerText.trim())
    .map(e => b.innerText.trim().replace(/\\s+/g, ' ')))"""

def test_no_row_action_is_cut_at_1366(room, contexts):
    page = _open(contexts, room, "Paulette", "canvas", LAPTOP)
    main = page.locator('[data-testid="stMain"]')
    assert main.evaluate(CUT_LABELS) == []
    labels = [re.sub(r"\s+", " ", x) for x in page.locator('[class*="st-key-need_actions_"]').all_inner_texts()]
    assert labels and all("Pistes et partenaires" in x and "Modifier" in x and "Supprimer" in x for x in labels)
    need = _canvas(room, "Paulette").needs[0]
    body = _open_need(page, need.id)
    assert body.evaluate(CUT_LABELS) == []   # (every button has a name: axe's button-name rule, below)


def _sideways(page) -> list[int]:
    """How far the page and its scrolling main area reach beyond the screen's width."""
    return page.evaluate("""() => {
      const main = document.querySelector('[data-testid="stMain"]');
      return [document.documentElement.scrollWidth - window.innerWidth, main.scrollWidth - main.clientWidth];
    }""")


def test_nothing_scrolls_sideways_on_a_phone(room, contexts):
    page = _open(contexts, room, "Amir", "canvas", PHONE)
    assert max(_sideways(page)) <= 0
    _open_need(page, _canvas(room, "Amir").needs[0].id)
    assert max(_sideways(page)) <= 0
    page = _open(contexts, room, "Amir", "inventory", PHONE)
    assert max(_sideways(page)) <= 0
    cards = page.locator('[class*="st-key-inv_card_"]')
    assert cards.count() > 50                              # one card per resource, not a wide table
    assert page.locator('[data-testid="stDataFrame"]').count() == 0
    first = cards.first.bounding_box()
    assert first["x"] >= 0 and first["x"] + first["width"] <= PHONE["width"]
    search = page.locator(".st-key-inv_search input")
    search.fill("petite enfance")
    search.press("Enter")
    page.get_by_text("1 ressource", exact=True).wait_for(timeout=15_000)
    assert cards.count() == 1 and "ONE — Office de la Naissance et de l'Enfance" in cards.first.inner_text()


# --- accessibility and screenshots ---------------------------------------------------------------

def _shoot(page, name: str) -> None:
    """The screen as seen, then the whole page (the viewport stretched to the page's length)."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"))
    size = page.viewport_size
    length = page.evaluate("() => { const m = document.querySelector('[data-testid=\"stMain\"]');"
                           " return m ? m.scrollHeight : document.documentElement.scrollHeight; }")
    page.set_viewport_size({"width": size["width"], "height": min(max(length, size["height"]), 8000)})
    wait_idle(page)
    page.screenshot(path=str(SHOTS / f"{name}-full.png"))
    page.set_viewport_size(size)
    wait_idle(page)


@pytest.mark.parametrize("size", ["laptop", "phone"])
def test_canvas_and_resources_pass_axe_and_are_photographed(room, contexts, size):
    viewport = LAPTOP if size == "laptop" else PHONE
    label = f"{viewport['width']}x{viewport['height']}"
    page = _open(contexts, room, "Amir", "canvas", viewport)
    page.get_by_text("→ CIRÉ").first.wait_for(timeout=15_000)
    assert serious(page) == []
    _shoot(page, f"canvas-{label}")
    _open_need(page, _canvas(room, "Amir").needs[0].id)
    assert serious(page) == []
    _shoot(page, f"canvas-need-editor-{label}")
    page = _open(contexts, room, "Amir", "inventory", viewport)
    assert serious(page) == []
    _shoot(page, f"resources-{label}")
    page.get_by_role("tab", name="Glossaire").click()
    page.get_by_text("Centre public d'action sociale").locator("visible=true").first.wait_for(timeout=15_000)
    assert serious(page) == []


# --- live: a teammate's lead reaches my screen, my typing stays ------------------------------------

def test_a_teammates_lead_reaches_the_needs_row_and_my_typing_stays(room, contexts):
    need = next(n for n in _canvas(room, "Ahmed").needs if n.text == "Logement")
    mine = _open(contexts, room, "Ahmed", "canvas", LAPTOP)
    theirs = _open(contexts, room, "Ahmed", "canvas", LAPTOP)
    typing = mine.locator(".st-key-add_text input")
    typing.fill("Peur des administrations")          # typed, not sent
    my_editor = _open_need(mine, need.id)
    my_lead = my_editor.get_by_role("textbox", name="Une piste de réponse")
    my_lead.fill("Une piste que je tape")              # typed in the need's editor, not sent

    their_editor = _open_need(theirs, need.id)
    their_editor.get_by_role("textbox", name="Une piste de réponse").fill("Agence immobilière sociale du quartier")
    after_run(theirs, lambda: their_editor.get_by_role("button", name="Ajouter la piste").click())

    mine.locator(f".st-key-need_{need.id}").get_by_text("→ Agence immobilière sociale du quartier").wait_for(
        timeout=20_000)
    wait_idle(mine)
    assert typing.input_value() == "Peur des administrations"
    assert my_editor.is_visible() and my_lead.input_value() == "Une piste que je tape"
