"""The sub-group page in a real browser, on a full room (60 board items, 20 recommendations):
in every stage the task comes first — the stage's name, prompt, timer and the stage's form start
in the first screenful of a laptop (1366x768) and of a phone (390x844), and the mood check too
when it is open — the page never scrolls sideways on a phone, and axe-core finds no serious
accessibility fault in the app's own markup. Screenshots of each stage at both sizes are saved
into test-artifacts/screenshots/ (not committed) to be looked at."""
from __future__ import annotations

import re
from types import SimpleNamespace

import pytest

from tests.a11y import serious
from tests.browser import ROOT, after_run, chromium, running_app, wait_idle

pytestmark = pytest.mark.browser

SIZES = {"laptop": (1366, 768), "phone": (390, 844)}
SHOTS = ROOT / "test-artifacts" / "screenshots"
GROUPS = ("Table A", "Table B", "Table C", "Table D", "Table E", "Table F")
WORDS = ("Les listes d’attente du logement social dépassent dix ans pour les familles nombreuses",
         "Les permanences sociales sont saturées le lundi matin",
         "Le réseau entre CPAS et associations fonctionne bien quand les personnes se connaissent",
         "Trop de démarches se font uniquement en ligne",
         "Une formation commune des travailleurs sociaux aiderait à orienter")


@pytest.fixture
def full_room(sqlite_file):
    """A started Partner's Day style session: six tables, a persona with two needs per table, 60
    board items (10 per table), 20 recommendations (two retained, table A's plan started)."""
    from core.access import join
    from core.actor import SYSTEM
    from core.personas import canvas
    from core.session import board, plans, recommendations
    from core.session import session_flow as flow
    from core.setup import events
    from storage import db

    db.configure(sqlite_file)
    try:
        ev = events.create_event(SYSTEM, slug="journee-partenaires", title="Journée des partenaires",
                                 category_template="partners_day")
        theme = events.add_theme(SYSTEM, ev["id"], "Insertion socioprofessionnelle")
        session = events.add_session(SYSTEM, theme["id"], "2026-03-02T09:00", "2026-03-02T12:30")
        sid = session["id"]
        groups = [events.add_subgroup(SYSTEM, sid, name)["id"] for name in GROUPS]
        flow.start_session(SYSTEM, sid)
        members = [join.join(sid, g, f"Membre {i}")[1].actor() for i, g in enumerate(groups)]
        findings: list[int] = []
        for i, (group, member) in enumerate(zip(groups, members)):
            persona = canvas.create_persona(member, sid, f"Persona {GROUPS[i][-1]}", subgroup_id=group, age=30 + i)
            for need in ("Un logement stable", "Une garde d’enfants"):
                canvas.add_canvas_item(member, persona["id"], "need", f"{need} ({GROUPS[i]})")
            for n in range(10):
                kind = board.BOARD_KINDS[n % len(board.BOARD_KINDS)]
                category = board.categories_for("partners_day", kind)[n % 3]
                text = f"{WORDS[n % len(WORDS)]} ({GROUPS[i]}, {n + 1})"
                item = board.add_contribution(member, sid, kind, category, text)
                findings.append(item["id"])
        flow.set_timer(SYSTEM, sid, 20)
        flow.start_timer(SYSTEM, sid)
        flow.set_stage(SYSTEM, sid, "recommendations")
        recs = []
        for n in range(20):
            member = members[n % len(members)]
            recs.append(recommendations.create_recommendation(
                member, sid, f"Recommandation {n + 1} : un guichet unique par commune", "regional",
                text="Un seul point d’entrée pour les demandes, avec un accompagnement jusqu’au bout.",
                public="Familles en attente", sources=[("contribution", findings[n * 3])])["id"])
        for rec in recs[:2]:
            recommendations.set_retained(SYSTEM, rec)
        flow.set_stage(SYSTEM, sid, "implementation")
        plan = plans.start_plan(members[0], recs[0])
        flow.set_stage(SYSTEM, sid, "diagnostic")
    finally:
        db.configure(None)
        db.dispose_all()
    return SimpleNamespace(url=sqlite_file, sid=sid, code=session["join_code"], groups=groups, recs=recs,
                           plan=plan["id"], members=members)


def _in_core(url: str, fn, *args, **kwargs):
    """Run a core service against the app's database from the test process."""
    from storage import db

    db.configure(url)
    try:
        return fn(*args, **kwargs)
    finally:
        db.configure(None)
        db.dispose_all()


def _join(context, base: str, code: str, group: str = "Table A", name: str = "Nadia"):
    page = context.new_page()
    page.goto(f"{base}/join?join={code}")
    page.get_by_text(group, exact=True).wait_for(timeout=30_000)
    page.get_by_text(group, exact=True).click()
    page.locator(".st-key-join_name input").fill(name)
    page.get_by_role("button", name="Rejoindre").click()
    page.get_by_text(f"Bienvenue, {name} !").wait_for(timeout=30_000)
    wait_idle(page)
    return page


def _shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"))


def _set_stage(room, stage: str, mood: str | None = None) -> None:
    """What the facilitator does from the console: the stage, a running 20-minute timer, the mood check."""
    from core.actor import SYSTEM
    from core.session import session_flow as flow

    def change() -> None:
        flow.set_stage(SYSTEM, room.sid, stage)
        flow.set_timer(SYSTEM, room.sid, 20)
        flow.start_timer(SYSTEM, room.sid)
        flow.open_mood_check(SYSTEM, room.sid, mood)
    _in_core(room.url, change)


def _open_stage(page, form: str) -> None:
    """Load the page afresh (scrolled to the top, as a participant opens it) and wait for the form."""
    page.reload()
    page.locator(form).wait_for(state="visible", timeout=30_000)
    wait_idle(page)


def _in_first_screen(page, selector: str) -> dict:
    box = page.locator(selector).first.bounding_box()
    height = page.viewport_size["height"]
    assert box is not None, f"{selector} is not drawn"
    if not (0 <= box["y"] and box["y"] + box["height"] <= height):
        _shot(page, "failed-first-screen")
    assert 0 <= box["y"] and box["y"] + box["height"] <= height, f"{selector} at {box}, viewport height {height}"
    return box


# the stage, its name as the page shows it, and the first input of its form
STAGES = (("diagnostic", 1, "Diagnostic et pistes de solutions", ".st-key-board_text textarea"),
          ("recommendations", 2, "Recommandations aux mandataires", ".st-key-rec_title input"),
          ("implementation", 3, "Mise en œuvre", ".st-key-plan_who_wants_what_{plan} textarea"))


def test_each_stage_opens_on_its_task_on_a_laptop_and_a_phone(full_room):
    """60 board items and 20 recommendations in the room: the stage band and the stage's form are
    in the first screenful, the page does not scroll sideways on a phone, axe finds nothing serious."""
    with running_app(full_room.url) as base, chromium() as browser:
        for size, (width, height) in SIZES.items():
            context = browser.new_context(viewport={"width": width, "height": height})
            page = _join(context, base, full_room.code)
            for stage, number, name, form in STAGES:
                form = form.format(plan=full_room.plan)
                for mood in (None, "before"):
                    _set_stage(full_room, stage, mood)
                    _open_stage(page, form)
                    band = page.locator(".st-key-stage_banner")
                    assert f"Étape {number} sur 3" in band.inner_text() and name in band.inner_text()
                    assert re.search(r"\b(19|20):\d\d\b", band.inner_text())        # the timer runs
                    _in_first_screen(page, ".st-key-stage_banner h2")
                    _in_first_screen(page, form)
                    if mood:
                        _in_first_screen(page, ".st-key-mood_before button")   # one tap on a weather
                    if size == "phone":
                        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
                    found = serious(page)
                    assert found == [], (stage, size, mood, found)
                    _shot(page, f"group-{stage}{'-mood' if mood else ''}-{size}")
            context.close()


def _board_item(room, text: str):
    from core.session import board

    return next((i for i in _in_core(room.url, board.board_snapshot, room.sid).items if i.text == text), None)


def test_a_table_adds_to_the_board_with_a_chosen_category_and_sees_it_confirmed(full_room):
    """On a phone: one tap on a weather saves the mood; the category is the table's choice (none is
    preselected, and adding without one says so and keeps the text); an add is confirmed without
    leaving the stage; what is being typed survives the page following the room."""
    from core.session import board, mood

    _set_stage(full_room, "diagnostic", "before")
    with running_app(full_room.url, env={"ATELIER_LIVE_INTERVAL": "1"}) as base, chromium() as browser:
        page = _join(browser.new_context(viewport={"width": 390, "height": 844}), base, full_room.code)
        text = page.locator(".st-key-board_text textarea")
        text.wait_for(timeout=30_000)

        after_run(page, lambda: page.locator(".st-key-mood_before button").filter(has_text="Pluvieux").click())
        page.get_by_text("Merci ! Votre météo : 🌧️ Pluvieux.").wait_for(timeout=15_000)
        assert _in_core(full_room.url, mood.mood_summary, full_room.sid).counts["before"] == {"rainy": 1}

        category = page.locator(".st-key-board_category_finding input")
        assert category.input_value() == ""                                    # nothing chosen for the table
        assert category.get_attribute("placeholder") == "Choisissez une catégorie"
        text.fill("Les horaires des crèches ne collent pas aux formations")
        after_run(page, lambda: page.locator(".st-key-board_submit button").click())
        page.get_by_text("Choisissez une catégorie pour ranger cet élément").wait_for(timeout=15_000)
        assert text.input_value() == "Les horaires des crèches ne collent pas aux formations"
        assert _board_item(full_room, "Les horaires des crèches ne collent pas aux formations") is None

        category.click()
        page.get_by_role("option", name="Accompagnement, formation").click()
        after_run(page, lambda: page.locator(".st-key-board_submit button").click())
        page.get_by_text("Ajouté au tableau (Constat) : « Les horaires des crèches ne collent pas aux formations »"
                         ).wait_for(timeout=15_000)
        item = _board_item(full_room, "Les horaires des crèches ne collent pas aux formations")
        assert (item.kind, item.category, item.subgroup_id) == ("finding", "Accompagnement, formation",
                                                                full_room.groups[0])
        assert text.input_value() == ""                                         # ready for the next one
        assert category.input_value() == "Accompagnement, formation"           # the table's choice stays
        assert "Étape 1 sur 3" in page.locator(".st-key-stage_banner").inner_text()
        _in_first_screen(page, ".st-key-board_text textarea")                  # still at the task

        # a draft survives a teammate's add (the whole page reruns) and another table's (a tick)
        text.fill("Un brouillon pas encore envoyé")
        _in_core(full_room.url, board.add_contribution, full_room.members[0], full_room.sid, "challenge",
                 "Employeur·euse·s", "Ajout d’une coéquipière")
        page.get_by_text("Défi · Ajout d’une coéquipière").wait_for(timeout=15_000)
        _in_core(full_room.url, board.add_contribution, full_room.members[1], full_room.sid, "finding",
                 "Employeur·euse·s", "Ajout de la table B")
        page.get_by_text("Constats · 16").wait_for(timeout=15_000)
        assert text.input_value() == "Un brouillon pas encore envoyé"
        _shot(page, "group-diagnostic-added-phone")
