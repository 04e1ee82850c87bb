"""In a real browser: a table's plan form keeps what someone is typing while the page follows the
room, refuses a save over a teammate's newer answer (showing it), and "keep theirs" puts the
teammate's answer back in the form — the parts AppTest cannot check (it holds no unsent form
text and reruns everything on every click)."""
from __future__ import annotations

import pytest

from tests.browser import chromium, poll, running_app, ticks, wait_idle

pytestmark = pytest.mark.browser


@pytest.fixture
def plan_room(sqlite_file):
    from core.access import join
    from core.actor import SYSTEM, Actor
    from core.session import board, plans, recommendations
    from core.session import session_flow as flow
    from core.setup import events
    from storage import db

    db.configure(sqlite_file)
    try:
        ev = events.create_event(SYSTEM, slug="assises-conflits", title="Assises (conflits)")
        theme = events.add_theme(SYSTEM, ev["id"], "Accès au logement")
        session = events.add_session(SYSTEM, theme["id"], "2026-03-02T09:00", "2026-03-02T12:30")
        group = events.add_subgroup(SYSTEM, session["id"], "Table A")
        flow.start_session(SYSTEM, session["id"])
        anim = Actor(kind="staff", label="Anim", role="facilitator", event_ids=frozenset({ev["id"]}))
        finding = board.add_contribution(anim, session["id"], "finding", "people", "Les loyers explosent")
        flow.set_stage(anim, session["id"], "recommendations")
        rec = recommendations.create_recommendation(anim, session["id"], "Un guichet unique", "regional",
                                                    sources=[("contribution", finding["id"])])
        recommendations.set_retained(anim, rec["id"])
        flow.set_stage(anim, session["id"], "implementation")
        ali = join.join(session["id"], group["id"], "Ali")[1].actor()      # a teammate on another laptop
        plan = plans.start_plan(ali, rec["id"])
    finally:
        db.configure(None)
        db.dispose_all()
    return sqlite_file, session["join_code"], plan["id"], ali


def _as_teammate(url: str, fn) -> None:
    from storage import db

    db.configure(url)
    try:
        fn()
    finally:
        db.configure(None)
        db.dispose_all()


def test_a_teammates_save_never_wipes_nor_is_overwritten_by_what_someone_types(plan_room):
    from core.session import plans

    url, code, plan_id, ali = plan_room
    with running_app(url, env={"ATELIER_LIVE_INTERVAL": "1"}) as base, chromium() as browser:
        page = browser.new_context(viewport={"width": 1280, "height": 1000}).new_page()
        page.goto(f"{base}/join?join={code}")
        page.get_by_text("Table A").wait_for(timeout=30_000)
        page.get_by_text("Table A").click()
        page.get_by_role("textbox", name="Votre prénom (facultatif)").fill("Amina")
        page.get_by_role("button", name="Rejoindre").click()
        answer = page.locator(f".st-key-plan_who_wants_what_{plan_id} textarea")
        answer.wait_for(timeout=30_000)
        wait_idle(page)

        # Amina types (not saved yet) while Ali saves his answer and adds an action: the page follows
        # the room (the new action appears) and her text stays where it is
        answer.fill("Les familles veulent un seul guichet")
        _as_teammate(url, lambda: plans.update_plan(ali, plan_id, 1, who_wants_what="Les CPAS et les AIS"))
        _as_teammate(url, lambda: plans.add_action(ali, plan_id, "Réunir les CPAS"))
        page.get_by_text("Réunir les CPAS").first.wait_for(timeout=15_000)
        wait_idle(page)
        assert answer.input_value() == "Les familles veulent un seul guichet"

        # her save is refused: Ali's answer is shown next to hers, nothing is overwritten
        page.locator(f".st-key-plan_save_{plan_id} button").click()
        page.get_by_text("Quelqu’un a modifié cet élément").wait_for(timeout=15_000)
        page.locator(f".st-key-plan_{plan_id}_conflict").get_by_text("Les CPAS et les AIS").wait_for(timeout=15_000)
        wait_idle(page)
        assert answer.input_value() == "Les familles veulent un seul guichet"
        assert _plan_answer(url, plan_id) == "Les CPAS et les AIS"

        # keep theirs: the form shows Ali's answer, and her next save (on his version) goes through
        page.locator(f".st-key-plan_{plan_id}_keep_theirs button").click()
        page.wait_for_function(
            f"document.querySelector('.st-key-plan_who_wants_what_{plan_id} textarea').value === 'Les CPAS et les AIS'",
            timeout=15_000)
        wait_idle(page)
        answer.fill("Les CPAS et les AIS, avec les familles")
        page.locator(f".st-key-plan_save_{plan_id} button").click()
        poll(page, lambda: _plan_answer(url, plan_id) == "Les CPAS et les AIS, avec les familles", 15_000,
             "her answer saved")
        ticks(page, 1)   # a run of the page finished after the save: it has drawn what the save left
        assert page.locator(f".st-key-plan_{plan_id}_conflict").count() == 0


def _plan_answer(url: str, plan_id: int) -> str:
    from storage import db
    from storage import models as m

    db.configure(url)
    try:
        with db.read_session() as s:
            return s.get(m.ImplementationPlan, plan_id).who_wants_what
    finally:
        db.configure(None)
        db.dispose_all()
