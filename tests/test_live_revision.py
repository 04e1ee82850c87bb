"""The revision live views read (``core.session.live.revision``): a slow read never hands screens an
older revision than one already read after it (issue 13, the stale projector: suspects examined)."""
from __future__ import annotations

import threading

from sqlalchemy import event

from core.actor import SYSTEM
from core.session import live, session_flow
from core.setup import events
from storage import db


def _session() -> int:
    ev = events.create_event(SYSTEM, slug="revision", title="Revision")
    theme = events.add_theme(SYSTEM, ev["id"], "Logement")
    return events.add_session(SYSTEM, theme["id"], "2026-03-02T09:00", "2026-03-02T12:30")["id"]


def test_a_slow_read_of_the_revision_does_not_replace_a_newer_one(database):
    """Screen A reads the revision; its answer is held up (a loaded process) while the facilitator
    switches the projector and screen B reads the new revision. When A's answer lands it must not
    become the revision every other screen is given for the next moment: they would draw the view
    from before the switch again after B drew the new one."""
    sid = _session()
    before = live.revision(sid, max_age_s=0)
    engine = db.get_engine()
    read_done, go_on = threading.Event(), threading.Event()
    slow_thread: list[threading.Thread] = []

    def hold_up(_conn, _cursor, statement: str, *_rest) -> None:
        if threading.current_thread() in slow_thread and "activity" in statement:
            read_done.set()
            assert go_on.wait(10)

    event.listen(engine, "after_cursor_execute", hold_up)
    got: dict[str, tuple[int, int]] = {}
    try:
        screen_a = threading.Thread(target=lambda: got.setdefault("a", live.revision(sid, max_age_s=0)))
        slow_thread.append(screen_a)
        screen_a.start()
        assert read_done.wait(10)                    # A has read the old revision, not stored it yet
        session_flow.set_projector_view(SYSTEM, sid, "plans")
        got["b"] = live.revision(sid, max_age_s=0)   # B reads the new one
        go_on.set()
        screen_a.join(10)
    finally:
        event.remove(engine, "after_cursor_execute", hold_up)
    assert got["a"] == before and got["b"] > before
    # the next screens, within the moment reads are shared, are given the newer revision
    assert live.revision(sid) == got["b"]


def test_a_canvas_view_moves_with_its_own_persona_not_with_the_others(database):
    """Eight sub-groups write on eight canvases: a canvas screen redraws when its own persona (or
    the session) changes, not on every write of the room. Writes of no persona still move it."""
    from core.personas import canvas
    from core.session.projector import view_ignores

    sid = _session()
    group_a, group_b = (events.add_subgroup(SYSTEM, sid, name)["id"] for name in ("Table A", "Table B"))
    ahmed = canvas.create_persona(SYSTEM, sid, "Ahmed", subgroup_id=group_a)["id"]
    nadia = canvas.create_persona(SYSTEM, sid, "Nadia", subgroup_id=group_b)["id"]
    ignore = view_ignores("personas")

    def seen(persona: int) -> tuple[int, int]:
        return live.revision(sid, max_age_s=0, ignore=ignore, persona=persona)

    a0, n0, room0 = seen(ahmed), seen(nadia), live.revision(sid, max_age_s=0)
    need = canvas.add_need(SYSTEM, nadia, "Un logement")["id"]
    canvas.add_barrier(SYSTEM, nadia, "Pas de garant")
    canvas.add_solution_lead(SYSTEM, need, "Agence immobilière sociale")
    assert seen(ahmed) == a0, "Nadia's canvas changed, Ahmed's screen need not redraw"
    assert seen(nadia) > n0 and live.revision(sid, max_age_s=0) > room0   # hers does, the room's too
    a1 = seen(ahmed)
    canvas.add_barrier(SYSTEM, ahmed, "Dettes")
    assert seen(ahmed) > a1
    a2, n2 = seen(ahmed), seen(nadia)
    session_flow.start_session(SYSTEM, sid)
    session_flow.set_contributions_open(SYSTEM, sid, False)   # the session's state: every canvas shows it
    assert seen(ahmed) > a2 and seen(nadia) > n2
