"""Rules that used to sit in pages, now in core where every page (and the command line) shares
them: which sources a sub-group may cite and how a chosen source is read back, which fields a canvas
item carries, and the completion ratios of implementation plans."""
from __future__ import annotations

from types import SimpleNamespace

import pandas as pd
import pytest

from core.access import join
from core.actor import SYSTEM, Actor
from core.errors import ValidationError
from core.personas import canvas
from core.reporting.dashboard import Completeness
from core.session import board
from core.session import recommendations as recs
from core.session import session_flow as flow
from core.setup import events


@pytest.fixture
def room(database):
    ev = events.create_event(SYSTEM, slug="regles", title="Règles")
    theme = events.add_theme(SYSTEM, ev["id"], "Logement")
    session = events.add_session(SYSTEM, theme["id"], "2026-03-02T09:00", "2026-03-02T12:30")
    a = events.add_subgroup(SYSTEM, session["id"], "Table A")
    b = events.add_subgroup(SYSTEM, session["id"], "Table B")
    anim = Actor(kind="staff", id=None, label="Anim", role="facilitator", event_ids=frozenset({ev["id"]}))
    a1 = join.join(session["id"], a["id"], "Amina")[1].actor()
    b1 = join.join(session["id"], b["id"], "Chloé")[1].actor()
    flow.set_contributions_hidden(anim, session["id"], True)
    persona = canvas.create_persona(b1, session["id"], "Sofia", subgroup_id=b["id"])
    need = canvas.add_canvas_item(b1, persona["id"], "need", "Trouver un logement stable")
    ours = board.add_contribution(a1, session["id"], "finding", "people", "Les loyers explosent")
    theirs = board.add_contribution(b1, session["id"], "challenge", "network", "Coordonner les CPAS")
    flow.set_stage(anim, session["id"], "recommendations")
    return SimpleNamespace(sid=session["id"], a=a["id"], b=b["id"], a1=a1, anim=anim, persona=persona["id"],
                           need=need["id"], ours=ours["id"], theirs=theirs["id"])


def _citable(room, subgroup_id=None, staff=False) -> set[str]:
    options = recs.citable_sources(recs.recommendations_snapshot(room.sid), board.board_snapshot(room.sid),
                                   subgroup_id, staff=staff)
    return {recs.source_key(o.kind, o.id) for o in options}


# --- citable sources ---------------------------------------------------------------------------

def test_while_contributions_are_hidden_a_subgroup_may_cite_only_its_own_findings(room):
    everything = {f"contribution:{room.ours}", f"contribution:{room.theirs}", f"need:{room.need}",
                  f"persona:{room.persona}"}
    assert _citable(room, room.a) == everything - {f"contribution:{room.theirs}"}
    assert _citable(room, staff=True) == everything
    flow.set_contributions_hidden(room.anim, room.sid, False)
    assert _citable(room, room.a) == everything


def test_what_is_not_citable_is_refused_on_write_too(room):
    with pytest.raises(ValidationError) as exc:
        recs.create_recommendation(room.a1, room.sid, "Un guichet", "regional",
                                   sources=[f"contribution:{room.theirs}"])
    assert exc.value.key == "error.source_not_in_session"
    assert recs.list_recommendations(room.sid) == []


# --- source keys -------------------------------------------------------------------------------

def test_a_source_key_is_read_back_as_its_kind_and_id():
    assert recs.parse_source_key(recs.source_key("need", 12)) == ("need", 12)
    assert recs.parse_source_key(("persona", 3)) == ("persona", 3)


@pytest.mark.parametrize("key", ["need", "need:", "need:abc", "need:-1", "need:1.5", "", None, 12, ("a", 1, 2)])
def test_a_malformed_source_key_is_refused_with_a_message(key):
    with pytest.raises(ValidationError) as exc:
        recs.parse_source_key(key)
    assert exc.value.key == "error.invalid" and exc.value.field == "sources"


def test_a_recommendation_cites_sources_given_as_keys(room):
    rec = recs.create_recommendation(room.a1, room.sid, "Un guichet", "regional",
                                     sources=[f"contribution:{room.ours}", f"need:{room.need}"])
    view = recs.list_recommendations(room.sid)[0]
    assert view.id == rec["id"] and view.source_keys == [("contribution", room.ours), ("need", room.need)]
    with pytest.raises(ValidationError):
        recs.edit_recommendation(room.a1, rec["id"], view.version, sources=["need:x"])
    assert recs.list_recommendations(room.sid)[0].source_keys == view.source_keys


# --- canvas items: category and nature -------------------------------------------------------

def test_barriers_and_needs_carry_a_category_and_barriers_a_nature():
    assert canvas.item_fields("barrier", "Dettes", "housing", "subjective") == {
        "text": "Dettes", "category": "housing", "nature": "subjective"}
    assert canvas.item_fields("barrier", "Dettes") == {"text": "Dettes", "category": None, "nature": "objective"}
    assert canvas.item_fields("need", "Un logement", "housing", "subjective") == {"text": "Un logement",
                                                                                  "category": "housing"}
    for kind in ("motivation", "skill"):
        assert canvas.item_fields(kind, "Sa fille", "housing", "subjective") == {"text": "Sa fille"}


def test_a_suggested_category_comes_from_the_text():
    assert canvas.item_fields("need", "Trouver un logement", "health", suggest=True)["category"] == "housing"
    assert canvas.item_fields("need", "zzz", suggest=True)["category"] is None
    assert "category" not in canvas.item_fields("skill", "Trouver un logement", suggest=True)


def test_an_item_added_with_its_fields_keeps_only_what_its_kind_carries(room):
    for kind, text in (("barrier", "Beaucoup de dettes"), ("motivation", "Retrouver sa fille")):
        canvas.add_canvas_item(SYSTEM, room.persona, kind, **canvas.item_fields(kind, text, "housing", suggest=True))
    data = canvas.get_canvas(room.persona)
    assert [(b.category, b.nature) for b in data.barriers] == [("money_debt", "objective")]
    assert [(x.category, x.nature) for x in data.motivations] == [(None, None)]


# --- plan completion ---------------------------------------------------------------------------

def _plans(*rows: tuple[int, int, int, int, bool]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["actions", "with_carrier", "with_due", "with_indicator", "complete"])


def test_plan_completion_counts_plans_and_the_share_of_actions_with_each_answer():
    done = Completeness.of(_plans((1, 1, 1, 1, True), (2, 1, 0, 1, False)))
    assert (done.plans, done.complete_plans, done.actions) == (2, 1, 3)
    assert done.share_complete == 0.5
    assert [done.share_of_actions(f) for f in Completeness.ACTION_FIELDS] == [2 / 3, 1 / 3, 2 / 3]


def test_plans_without_actions_complete_nothing_and_divide_by_nothing():
    assert Completeness.of(_plans((0, 0, 0, 0, False))).share_of_actions("with_due") == 0.0
    empty = Completeness.of(_plans())
    assert (empty.plans, empty.share_complete, empty.share_of_actions("with_carrier")) == (0, 0.0, 0.0)
    with pytest.raises(ValueError):
        empty.share_of_actions("plans")
