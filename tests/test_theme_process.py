"""A theme's process, in core: the stages each dated session covers (defaults by position, the
organiser's choice), recommendations citing an earlier date's findings, needs and personas (never a
later date's, never another theme's), plans of recommendations retained on an earlier date, and
personas continued by a later date (items dated by session, the earlier rows read-only). Runs on
SQLite and PostgreSQL."""
from __future__ import annotations

from types import SimpleNamespace

import pytest
from sqlalchemy import select

from core.access import join
from core.actor import SYSTEM, Actor
from core.errors import AtelierError, Conflict, PermissionDenied, StaleEdit, ValidationError
from core.personas import canvas
from core.session import board, plans, theme_process
from core.session import recommendations as recs
from core.session import session_flow as flow
from core.setup import events
from storage import db
from storage import models as m

DIAG, RECS, IMPL = "diagnostic", "recommendations", "implementation"


def _session(theme_id: int, day: str) -> int:
    return events.add_session(SYSTEM, theme_id, f"{day}T09:00", f"{day}T12:30")["id"]


def _table(session_id: int, name: str, person: str) -> tuple[int, Actor]:
    group = events.add_subgroup(SYSTEM, session_id, name)["id"]
    return group, join.join(session_id, group, person)[1].actor()


@pytest.fixture
def theme(database):
    """One theme over three dates (created out of order: the order is by date), another theme."""
    ev = events.create_event(SYSTEM, slug="logement-3-dates", title="Logement en trois dates")
    housing = events.add_theme(SYSTEM, ev["id"], "Logement")["id"]
    d3 = _session(housing, "2026-01-08")
    d1 = _session(housing, "2025-11-16")
    d2 = _session(housing, "2025-12-04")
    other_theme = events.add_theme(SYSTEM, ev["id"], "Formation")["id"]
    elsewhere = _session(other_theme, "2025-11-20")
    g1, p1 = _table(d1, "Table A", "Amina")
    g1b, p1b = _table(d1, "Table B", "Bruno")
    g2, p2 = _table(d2, "Table C", "Chloé")
    g2b, p2b = _table(d2, "Table D", "Dirk")
    g3, p3 = _table(d3, "Table E", "Emma")
    gx, px = _table(elsewhere, "Table X", "Xavier")
    orga = Actor(kind="staff", id=None, label="Orga", role="organiser", event_ids=frozenset({ev["id"]}))
    anim = Actor(kind="staff", id=None, label="Anim", role="facilitator", event_ids=frozenset({ev["id"]}))
    for sid in (d1, d2, d3, elsewhere):
        flow.start_session(SYSTEM, sid)
    return SimpleNamespace(event=ev["id"], theme=housing, d1=d1, d2=d2, d3=d3, elsewhere=elsewhere, g1=g1, g1b=g1b,
                           g2=g2, g2b=g2b, g3=g3, gx=gx, p1=p1, p1b=p1b, p2=p2, p2b=p2b, p3=p3, px=px, orga=orga,
                           anim=anim)


def _date_one(t: SimpleNamespace) -> SimpleNamespace:
    """Date 1's diagnostic: a finding, a persona with a need and a lead."""
    finding = board.add_contribution(t.p1, t.d1, "finding", "people", "Les loyers dépassent la moitié du revenu")
    persona = canvas.create_persona(t.p1, t.d1, "Nadia", subgroup_id=t.g1)
    need = canvas.add_need(t.p1, persona["id"], "Trouver un logement abordable")
    lead = canvas.add_solution_lead(t.p1, need["id"], "Agence immobilière sociale")
    return SimpleNamespace(finding=finding["id"], persona=persona["id"], need=need["id"], lead=lead["id"])


# --- the stages a date covers --------------------------------------------------------------------

def test_default_stages_follow_the_position_among_the_themes_dates():
    assert theme_process.default_stages(0, 1) == (DIAG, RECS, IMPL)
    assert [theme_process.default_stages(i, 2) for i in range(2)] == [(DIAG,), (RECS, IMPL)]
    assert [theme_process.default_stages(i, 3) for i in range(3)] == [(DIAG,), (RECS,), (IMPL,)]
    assert [theme_process.default_stages(i, 4) for i in range(4)] == [(DIAG,), (RECS,), (IMPL,), (IMPL,)]


def test_a_theme_s_dates_cover_their_stages_in_date_order(theme):
    assert theme_process.covered_stages(theme.d1) == (DIAG,)
    assert theme_process.covered_stages(theme.d2) == (RECS,)
    assert theme_process.covered_stages(theme.d3) == (IMPL,)
    assert theme_process.covered_stages(theme.elsewhere) == (DIAG, RECS, IMPL)   # a single-session theme
    assert [d.id for d in theme_process.theme_sessions(theme.theme)] == [theme.d1, theme.d2, theme.d3]
    # the console's stage buttons: the covered stages, and the current one when outside them
    view = flow.session_view(theme.d2)
    assert view.stages == (RECS,) and view.stage == RECS and view.proposed_stages == (RECS,)   # started on it
    flow.set_stage(theme.anim, theme.d2, DIAG)
    assert flow.session_view(theme.d2).proposed_stages == (DIAG, RECS)
    # a session can still be moved to any stage (existing data behaves as before)
    assert flow.set_stage(theme.anim, theme.d3, RECS)["stage"] == RECS
    # an undated session comes last; deleting a date moves the others up
    undated = events.add_session(SYSTEM, theme.theme, title="À fixer")["id"]
    assert [d.id for d in theme_process.theme_sessions(theme.theme)][-1] == undated
    assert theme_process.covered_stages(theme.d3) == (IMPL,)
    events.delete_session(SYSTEM, undated)
    events.delete_session(SYSTEM, theme.d2)
    assert theme_process.covered_stages(theme.d3) == (RECS, IMPL)   # now the second of two dates


def test_the_organiser_chooses_the_stages_of_a_date(theme):
    before = theme_process.theme_sessions(theme.theme)[1]
    saved = theme_process.set_session_stages(theme.orga, theme.d2, [IMPL, RECS, RECS], seen_version=before.version)
    assert saved["stages"] == [RECS, IMPL]                       # in the stages' order, once each
    assert theme_process.covered_stages(theme.d2) == (RECS, IMPL)
    chosen = theme_process.theme_sessions(theme.theme)[1]
    assert chosen.chosen and chosen.default == (RECS,)
    with db.read_session() as s:
        row = s.execute(select(m.Activity).where(m.Activity.entity_type == "session", m.Activity.action == "stages")
                        .order_by(m.Activity.id.desc())).scalars().first()
    assert row is not None and row.after["stages"] == [RECS, IMPL] and row.before["stages"] is None
    # refused, changing nothing: nothing chosen, an unknown stage, a plain text, a stale edit, a facilitator
    for bad, key in (([], "error.required"), ([DIAG, "vote"], "error.invalid_choice"), ("diagnostic", "error.invalid")):
        with pytest.raises(ValidationError) as caught:
            theme_process.set_session_stages(theme.orga, theme.d2, bad)
        assert caught.value.key == key
    with pytest.raises(StaleEdit):
        theme_process.set_session_stages(theme.orga, theme.d2, [DIAG], seen_version=before.version)
    with pytest.raises(PermissionDenied):
        theme_process.set_session_stages(theme.anim, theme.d2, [DIAG])
    with pytest.raises(PermissionDenied):
        theme_process.set_session_stages(theme.p2, theme.d2, [DIAG])
    assert theme_process.covered_stages(theme.d2) == (RECS, IMPL)
    # back to the default
    theme_process.set_session_stages(theme.orga, theme.d2, None)
    assert theme_process.covered_stages(theme.d2) == (RECS,)


def test_a_date_not_started_opens_on_its_first_chosen_stage(theme):
    planned = _session(theme.theme, "2026-02-01")
    assert flow.session_view(planned).stage == DIAG
    theme_process.set_session_stages(theme.orga, planned, [IMPL])
    assert flow.session_view(planned).stage == IMPL
    theme_process.set_session_stages(theme.orga, theme.d1, [RECS])   # started: the room's stage stays
    assert flow.session_view(theme.d1).stage == DIAG


# --- recommendations citing earlier dates -----------------------------------------------------------

def test_a_later_date_cites_an_earlier_date_s_findings_needs_and_personas(theme):
    one = _date_one(theme)
    flow.set_stage(theme.anim, theme.d2, RECS)
    snapshot = recs.recommendations_snapshot(theme.d2)
    earlier = {(o.kind, o.id): o for o in snapshot.options if o.earlier}
    assert set(earlier) == {("contribution", one.finding), ("need", one.need), ("persona", one.persona)}
    assert all(o.session_id == theme.d1 and o.session_date.date().isoformat() == "2025-11-16"
               for o in earlier.values())
    citable = recs.citable_sources(snapshot, board.board_snapshot(theme.d2), theme.g2)
    assert {(o.kind, o.id) for o in citable} >= set(earlier)
    rec = recs.create_recommendation(theme.p2, theme.d2, "Encadrer les loyers", "regional",
                                     sources=[("contribution", one.finding), ("need", one.need),
                                              ("persona", one.persona)])
    trail = recs.trail_for(theme.p2, rec["id"])
    assert [f.session_id for f in trail.findings] == [theme.d1]
    assert [(n.id, n.session_id, n.leads) for n in trail.needs] == [
        (one.need, theme.d1, ("Agence immobilière sociale",))]
    assert [p.session_id for p in trail.personas] == [theme.d1]
    dates = theme_process.session_dates([f.session_id for f in trail.findings])
    assert dates[theme.d1].day.isoformat() == "2025-11-16"


def test_an_earlier_date_never_cites_a_later_date_nor_another_theme(theme):
    flow.set_stage(theme.anim, theme.d2, DIAG)
    later = board.add_contribution(theme.p2, theme.d2, "finding", "people", "Constat du deuxième jour")["id"]
    other = board.add_contribution(theme.px, theme.elsewhere, "finding", "people", "Autre thème")["id"]
    other_persona = canvas.create_persona(theme.px, theme.elsewhere, "Omar", subgroup_id=theme.gx)["id"]
    flow.set_stage(theme.anim, theme.d1, RECS)
    options = {(o.kind, o.id) for o in recs.recommendations_snapshot(theme.d1).options}
    assert ("contribution", later) not in options and ("contribution", other) not in options
    for source in (("contribution", later), ("contribution", other), ("persona", other_persona)):
        with pytest.raises(ValidationError) as caught:
            recs.create_recommendation(theme.p1, theme.d1, "Trop tôt", "communal", sources=[source])
        assert caught.value.key == "error.source_not_in_session"
    assert recs.list_recommendations(theme.d1) == []


# --- plans of recommendations retained on an earlier date ---------------------------------------------

def test_a_later_date_plans_what_an_earlier_date_retained(theme):
    one = _date_one(theme)
    flow.set_stage(theme.anim, theme.d2, RECS)
    kept = recs.create_recommendation(theme.p2, theme.d2, "Encadrer les loyers", "regional",
                                      sources=[("need", one.need)])["id"]
    dropped = recs.create_recommendation(theme.p2, theme.d2, "Autre idée", "communal",
                                         sources=[("contribution", one.finding)])["id"]
    recs.set_retained(theme.anim, kept, True)
    flow.set_stage(theme.anim, theme.d3, IMPL)
    snapshot = recs.recommendations_snapshot(theme.d3)
    assert [r.id for r in snapshot.plannable] == [kept] and snapshot.items == ()
    plan = plans.start_plan(theme.p3, kept)
    assert plan["session_id"] == theme.d3 and plan["subgroup_id"] == theme.g3
    plans.add_action(theme.p3, plan["id"], "Réunir les AIS du quartier", carrier="CPAS")
    [view] = plans.plans_snapshot(theme.d3)
    assert view.recommendation_title == "Encadrer les loyers" and view.subgroup_name == "Table E"
    with pytest.raises(ValidationError) as caught:
        plans.start_plan(theme.p3, dropped)
    assert caught.value.key == "error.not_retained"
    # the earlier date never plans a later date's recommendation, nor another theme's
    flow.set_stage(theme.anim, theme.d1, IMPL)
    with pytest.raises(ValidationError) as caught:
        plans.start_plan(theme.p1, kept)
    assert caught.value.key == "error.source_not_in_session"
    flow.set_stage(theme.anim, theme.elsewhere, IMPL)
    with pytest.raises(ValidationError):
        plans.start_plan(theme.px, kept)
    assert len(plans.plans_snapshot(theme.d1)) == 0 and len(plans.plans_snapshot(theme.elsewhere)) == 0


# --- personas continued by a later date ----------------------------------------------------------

def test_a_later_date_picks_up_a_persona_and_its_additions_are_dated(theme):
    one = _date_one(theme)
    material = theme_process.earlier_material(theme.d2)
    assert [(p.id, p.picked_up_by) for p in material.personas] == [(one.persona, None)]
    assert [f.id for f in material.findings] == [one.finding]
    picked = theme_process.pick_up_persona(theme.p2, one.persona, theme.d2, subgroup_id=theme.g2b)
    assert picked["subgroup_id"] == theme.g2          # a participant picks up for their own sub-group
    with db.read_session() as s:
        row = s.execute(select(m.Activity).where(m.Activity.action == "pick_up")).scalar_one()
        assert (row.entity_id, row.session_id) == (one.persona, theme.d2)
        assert s.execute(select(m.PersonaPickup.subgroup_id)).scalars().all() == [theme.g2]
    with pytest.raises(Conflict) as caught:
        theme_process.pick_up_persona(theme.p2b, one.persona, theme.d2)
    assert caught.value.key == "error.already_picked_up"
    assert theme_process.earlier_material(theme.d2).personas[0].picked_up_by_name == "Table C"
    assert [c.id for c in canvas.continued_personas(theme.d2, theme.g2)] == [one.persona]
    assert canvas.continued_personas(theme.d2, theme.g2b) == []
    # the picking sub-group sees it editable (its own rows), the other tables read it
    options = {o.id: o for o in canvas.personas_for(theme.p2)}
    assert options[one.persona].editable and options[one.persona].picked_up and options[one.persona].earlier
    assert options[one.persona].writes_in == theme.d2
    assert not {o.id: o for o in canvas.personas_for(theme.p2b)}[one.persona].editable
    assert one.persona not in {o.id for o in canvas.personas_for(theme.px)}
    # what the later date adds is dated by its session; the canvas says which date added what
    before = canvas.get_canvas(one.persona)
    assert not before.several_dates
    barrier = canvas.add_barrier(theme.p2, one.persona, "Peur de perdre ses allocations")
    lead = canvas.add_solution_lead(theme.p2, one.need, "Permanence logement du CPAS")
    assert barrier["session_id"] == theme.d2 and lead["session_id"] == theme.d2
    after = canvas.get_canvas(one.persona)
    assert after.several_dates
    assert [(x.text, x.session_id) for x in after.barriers] == [("Peur de perdre ses allocations", theme.d2)]
    assert [(x.text, x.session_id) for x in after.needs[0].leads] == [("Agence immobilière sociale", theme.d1),
                                                                      ("Permanence logement du CPAS", theme.d2)]
    assert after.added_on(theme.d1).date().isoformat() == "2025-11-16"
    assert after.added_on(theme.d2).date().isoformat() == "2025-12-04"
    # the earlier date's rows stay read-only; another table of the later date writes nothing
    for fn in (lambda: canvas.edit_canvas_item(theme.p2, one.need, None, text="Réécrit"),
               lambda: canvas.delete_canvas_item(theme.p2, one.need),
               lambda: canvas.update_persona(theme.p2, one.persona, None, name="Nadia B."),
               lambda: canvas.add_barrier(theme.p2b, one.persona, "Pas notre persona")):
        with pytest.raises(PermissionDenied):
            fn()
    # the later date's additions are citable there, dated by it
    flow.set_stage(theme.anim, theme.d2, RECS)
    options_by_key = {(o.kind, o.id): o for o in recs.recommendations_snapshot(theme.d2).options}
    assert options_by_key[("need", one.need)].session_id == theme.d1


def test_picking_up_is_refused_for_the_same_a_later_or_another_theme_s_date(theme):
    one = _date_one(theme)
    later_persona = canvas.create_persona(theme.p3, theme.d3, "Léa", subgroup_id=theme.g3)["id"]
    cases = ((theme.p1b, one.persona, theme.d1, ValidationError, "error.not_earlier_date"),     # same date
             (theme.p2, later_persona, theme.d2, PermissionDenied, "error.permission_denied"),  # a later date's
             (theme.px, one.persona, theme.elsewhere, PermissionDenied, "error.permission_denied"))
    for who, persona, session, error, key in cases:
        with pytest.raises(error) as caught:
            theme_process.pick_up_persona(who, persona, session)
        assert caught.value.key == key
    # staff pick up on behalf of a sub-group of the later date, never into another session's sub-group
    with pytest.raises(AtelierError):
        theme_process.pick_up_persona(theme.anim, one.persona, theme.d2, subgroup_id=theme.g3)
    theme_process.pick_up_persona(theme.anim, one.persona, theme.d3, subgroup_id=theme.g3)
    canvas.add_need(theme.p3, one.persona, "Un garant pour le bail")
    with db.read_session() as s:
        assert s.execute(select(m.PersonaPickup.session_id)).scalars().all() == [theme.d3]
