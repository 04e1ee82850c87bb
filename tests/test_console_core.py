"""The console's run of show, in core (issue 15): one-click timer presets, a timer that survives a
stage change, one click to show the vote results, sub-groups for every table at once, the session
a facilitator's console has open (followed by their projector elsewhere), and per-view revisions:
a write redraws only the projector views that show it."""
from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest

from core.access import join
from core.actor import SYSTEM, Actor
from core.errors import PermissionDenied, ValidationError
from core.personas import canvas
from core.session import live, projector, recommendations, voting
from core.session import session_flow as flow
from core.setup import events

T0 = dt.datetime(2026, 3, 2, 9, 0, 0)


@pytest.fixture
def room(database):
    from core.access import accounts

    ev = events.create_event(SYSTEM, slug="console-test", title="Console test")
    theme = events.add_theme(SYSTEM, ev["id"], "Logement")
    session = events.add_session(SYSTEM, theme["id"], "2026-03-02T09:00", "2026-03-02T12:30")
    other_ev = events.create_event(SYSTEM, slug="console-other", title="Another event")
    other_theme = events.add_theme(SYSTEM, other_ev["id"], "Emploi")
    other = events.add_session(SYSTEM, other_theme["id"], "2026-03-09T09:00", "2026-03-09T12:30")
    accounts.create_user("anim", "facilitator", "Anim", "", "motdepasse-anim")
    accounts.attach_to_event("anim", ev["id"])
    anim = accounts.get_user("anim").actor()
    return SimpleNamespace(sid=session["id"], other=other["id"], anim=anim)


def test_a_preset_sets_and_starts_the_countdown_in_one_write(room):
    before = live.revision(room.sid, max_age_s=0)
    flow.run_timer_for(room.anim, room.sid, 5, now=T0)
    view = flow.session_view(room.sid)
    assert flow.timer_state(view, T0 + dt.timedelta(seconds=60)) == (240, "normal", True)
    assert live.revision(room.sid, max_age_s=0)[1] == before[1] + 1          # one activity row
    with pytest.raises(ValidationError):
        flow.run_timer_for(room.anim, room.sid, 0)
    with pytest.raises(PermissionDenied):
        flow.run_timer_for(Actor(kind="staff", id=None, label="X", role="facilitator"), room.sid, 5)


def test_the_timer_keeps_running_when_the_stage_changes(room):
    flow.run_timer_for(room.anim, room.sid, 10, now=T0)
    flow.set_stage(room.anim, room.sid, "recommendations")
    view = flow.session_view(room.sid)
    assert view.stage == "recommendations"
    assert flow.timer_state(view, T0 + dt.timedelta(minutes=3)) == (420, "normal", True)
    flow.set_stage(room.anim, room.sid, "diagnostic")                          # and back
    assert flow.timer_state(flow.session_view(room.sid), T0 + dt.timedelta(minutes=4)) == (360, "normal", True)


def test_one_click_reveals_the_results_and_puts_them_on_the_projector(room):
    subgroup = events.add_subgroup(room.anim, room.sid, "Table A")
    persona = canvas.create_persona(room.anim, room.sid, "Amir", subgroup_id=subgroup["id"])
    flow.set_stage(room.anim, room.sid, "recommendations")
    rec = recommendations.create_recommendation(room.anim, room.sid, "Guichet unique", "communal",
                                                sources=[("persona", persona["id"])])
    voting.open_vote(room.anim, room.sid, dots=3)
    token, _ = join.join(room.sid, subgroup["id"])
    voting.cast_dot(join.resolve(token).actor(), room.sid, rec["id"])
    assert not flow.session_view(room.sid).votes_revealed
    voting.show_results(room.anim, room.sid)
    view = flow.session_view(room.sid)
    assert view.votes_revealed and view.projector_view == "votes" and view.projector_spotlight_id is None


def test_subgroups_for_every_table_at_once(room):
    made = events.add_subgroups(room.anim, room.sid, ["Table 1", "Table 2", "Table 3"])
    assert [g["name"] for g in made] == ["Table 1", "Table 2", "Table 3"]
    groups = flow.session_view(room.sid).subgroups
    assert [g.name for g in groups] == ["Table 1", "Table 2", "Table 3"]
    assert len({g.join_code for g in groups}) == 3
    with pytest.raises(ValidationError):
        events.add_subgroups(room.anim, room.sid, [])
    with pytest.raises(ValidationError):
        events.add_subgroups(room.anim, room.sid, [f"T{i}" for i in range(events.SUBGROUPS_AT_ONCE_MAX + 1)])
    with pytest.raises(ValidationError):                                        # all or none
        events.add_subgroups(room.anim, room.sid, ["Table 4", ""])
    assert len(flow.session_view(room.sid).subgroups) == 3


def test_the_console_session_is_remembered_per_person_and_only_for_sessions_they_run(room):
    assert projector.console_session(room.anim) is None
    projector.focus_console(room.anim, room.sid)
    assert projector.console_session(room.anim) == room.sid
    with pytest.raises(PermissionDenied):                                       # not their event
        projector.focus_console(room.anim, room.other)
    assert projector.console_session(room.anim) == room.sid
    before = live.revision(room.sid, max_age_s=0)
    projector.focus_console(room.anim, room.sid)
    assert live.revision(room.sid, max_age_s=0) == before                      # no redraw of the room
    assert projector.console_session(SYSTEM) is None


def test_a_write_moves_only_the_revisions_of_the_views_that_show_it(room):
    subgroup = events.add_subgroup(room.anim, room.sid, "Table A")
    flow.start_session(room.anim, room.sid)
    token, _ = join.join(room.sid, subgroup["id"])
    participant = join.resolve(token).actor()
    persona = canvas.create_persona(participant, room.sid, "Paulette", subgroup_id=subgroup["id"])

    def revs() -> dict[str, tuple[int, int]]:
        return {view: live.revision(room.sid, max_age_s=0, ignore=projector.view_ignores(view))
                for view in flow.PROJECTOR_VIEWS}

    before = revs()
    canvas.add_barrier(participant, persona["id"], "Pas de mutuelle")
    after = revs()
    moved = {view for view in before if before[view] != after[view]}
    assert moved == {"feed", "personas"}
    before = after
    flow.set_projector_view(room.anim, room.sid, "votes")                       # the header: every view
    after = revs()
    assert all(before[view] != after[view] for view in before)


def test_the_stage_buttons_move_among_the_stages_this_date_covers(room):
    from core.session import theme_process

    theme_process.set_session_stages(SYSTEM, room.sid, ["recommendations", "implementation"])
    flow.start_session(room.anim, room.sid)
    view = flow.session_view(room.sid)
    assert view.stage == "recommendations"                                     # opens on its first covered stage
    assert (view.stage_step, view.previous_stage, view.next_stage) == ((1, 2), None, "implementation")
    assert view.other_stages == ("diagnostic",)                                # one click away, on purpose
    flow.set_stage(room.anim, room.sid, "implementation")
    view = flow.session_view(room.sid)
    assert (view.stage_step, view.previous_stage, view.next_stage) == ((2, 2), "recommendations", None)
    flow.set_stage(room.anim, room.sid, "diagnostic")                          # outside the date's stages
    view = flow.session_view(room.sid)
    assert view.proposed_stages == ("diagnostic", "recommendations", "implementation")
    assert (view.stage_step, view.previous_stage, view.next_stage) == ((1, 3), None, "recommendations")
    assert view.other_stages == ()


def test_the_second_of_two_dates_starts_on_the_recommendations(room):
    later = events.add_session(SYSTEM, flow.session_view(room.sid).theme_id, "2026-03-16T09:00", "2026-03-16T12:30")
    before = live.revision(later["id"], max_age_s=0)
    flow.start_session(room.anim, later["id"])                                  # the stages by default: no choice made
    assert live.revision(later["id"], max_age_s=0)[1] == before[1] + 1          # the screens move
    view = flow.session_view(later["id"])
    assert (view.stage, view.stage_step, view.previous_stage) == ("recommendations", (1, 2), None)
    flow.start_session(room.anim, room.sid)                                     # the first date: the diagnostic
    assert flow.session_view(room.sid).stage == "diagnostic"
