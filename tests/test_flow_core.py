"""Running a session, in core: stages, timer, board, recommendations and their trail, dot voting
(including two members of one sub-group placing their last dot at the same moment), plans, mood
check, closing; and event setup. Runs on SQLite and PostgreSQL."""
from __future__ import annotations

import datetime as dt
import threading
from types import SimpleNamespace

import pytest

from core.access import accounts, join
from core.actor import SYSTEM, Actor
from core.errors import AtelierError, Conflict, PermissionDenied, ValidationError
from core.personas import canvas
from core.session import board, live, mood, plans, voting
from core.session import recommendations as recs
from core.session import session_flow as flow
from core.setup import events
from storage import db
from storage import models as m


@pytest.fixture
def room(database):
    ev = events.create_event(SYSTEM, slug="assises-test", title="Assises test")
    theme = events.add_theme(SYSTEM, ev["id"], "Logement")
    session = events.add_session(SYSTEM, theme["id"], "2026-03-02T09:00", "2026-03-02T12:30")
    a = events.add_subgroup(SYSTEM, session["id"], "Table A")
    b = events.add_subgroup(SYSTEM, session["id"], "Table B")
    _, ma1 = join.join(session["id"], a["id"], "Amina")
    _, ma2 = join.join(session["id"], a["id"], "Bruno")
    _, mb1 = join.join(session["id"], b["id"], "Chloé")
    anim = Actor(kind="staff", id=None, label="Anim", role="facilitator", event_ids=frozenset({ev["id"]}))
    return SimpleNamespace(event=ev, sid=session["id"], a=a["id"], b=b["id"], a1=ma1.actor(), a2=ma2.actor(),
                           b1=mb1.actor(), anim=anim)


def _err(exc_info) -> str:
    return exc_info.value.key


# --- timer ---------------------------------------------------------------------------------------

T0 = dt.datetime(2026, 3, 2, 9, 0, 0)


def _timer(duration: int, remaining: int, started: dt.datetime | None) -> SimpleNamespace:
    return SimpleNamespace(timer_duration_s=duration, timer_remaining_s=remaining, timer_started_at=started)


def test_timer_turns_orange_at_20_percent_and_red_at_5_percent():
    running = _timer(600, 600, T0)
    assert flow.timer_state(running, T0) == (600, "normal", True)
    assert flow.timer_state(running, T0 + dt.timedelta(seconds=479))[1] == "normal"    # 121 s left
    assert flow.timer_state(running, T0 + dt.timedelta(seconds=480)) == (120, "orange", True)
    assert flow.timer_state(running, T0 + dt.timedelta(seconds=569))[1] == "orange"    # 31 s left
    assert flow.timer_state(running, T0 + dt.timedelta(seconds=570)) == (30, "red", True)
    assert flow.timer_state(running, T0 + dt.timedelta(seconds=700)) == (0, "red", False)   # time is up
    paused = _timer(600, 100, None)
    assert flow.timer_state(paused, T0 + dt.timedelta(hours=5)) == (100, "orange", False)
    assert flow.timer_state(_timer(0, 0, None), T0) == (0, "normal", False)              # no timer set


def test_timer_start_pause_add_minute_reset(room):
    flow.set_timer(room.anim, room.sid, 10)
    flow.start_timer(room.anim, room.sid, now=T0)
    flow.pause_timer(room.anim, room.sid, now=T0 + dt.timedelta(seconds=90))
    view = flow.session_view(room.sid)
    assert flow.timer_state(view, T0 + dt.timedelta(hours=1)) == (510, "normal", False)
    flow.add_minute(room.anim, room.sid)
    view = flow.session_view(room.sid)
    assert (view.timer_duration_s, view.timer_remaining_s) == (660, 570)
    flow.start_timer(room.anim, room.sid, now=T0 + dt.timedelta(seconds=100))
    assert flow.timer_state(flow.session_view(room.sid), T0 + dt.timedelta(seconds=160)) == (510, "normal", True)
    flow.reset_timer(room.anim, room.sid)
    assert flow.timer_state(flow.session_view(room.sid), T0) == (660, "normal", False)
    with pytest.raises(ValidationError):
        flow.set_timer(room.anim, room.sid, 0)
    with pytest.raises(PermissionDenied):
        flow.start_timer(room.a1, room.sid)


# --- stage and permissions ----------------------------------------------------------------------

def test_facilitator_moves_the_stage_and_the_revision_follows(room):
    before = live.revision(room.sid, max_age_s=0)
    flow.next_stage(room.anim, room.sid)
    view = flow.session_view(room.sid)
    assert view.stage == "recommendations" and view.status == "open"
    assert live.revision(room.sid, max_age_s=0) > before
    flow.previous_stage(room.anim, room.sid)
    assert flow.session_view(room.sid).stage == "diagnostic"


def test_participants_and_other_facilitators_cannot_run_the_console(room):
    stranger = Actor(kind="staff", id=None, label="Ailleurs", role="facilitator", event_ids=frozenset({999}))
    for actor in (room.a1, stranger):
        with pytest.raises(PermissionDenied):
            flow.set_stage(actor, room.sid, "implementation")
        with pytest.raises(PermissionDenied):
            voting.open_vote(actor, room.sid, 3)
        with pytest.raises(PermissionDenied):
            flow.set_contributions_hidden(actor, room.sid, True)
        with pytest.raises(PermissionDenied):
            flow.close_session(actor, room.sid)
    with pytest.raises(PermissionDenied):
        flow.rename_subgroup(room.a1, room.a, "Pirates")
    assert flow.session_view(room.sid).stage == "diagnostic"
    flow.rename_subgroup(room.anim, room.a, "Les Pionniers")
    assert flow.session_view(room.sid).subgroup_name(room.a) == "Les Pionniers"


def test_a_page_left_on_an_old_stage_cannot_write_into_it(room):
    board.add_contribution(room.a1, room.sid, "finding", "people", "Les loyers explosent")
    flow.set_stage(room.anim, room.sid, "recommendations")
    with pytest.raises(Conflict) as exc:
        board.add_contribution(room.a1, room.sid, "finding", "people", "Trop tard")
    assert _err(exc) == "error.wrong_stage"
    assert [i.text for i in board.board_snapshot(room.sid).items] == ["Les loyers explosent"]


# --- board ---------------------------------------------------------------------------------------

def test_board_categories_come_from_the_event_template(database):
    ev = events.create_event(SYSTEM, title="Partner's Day test", category_template="partners_day")
    assert ev["slug"] == "partner-s-day-test"
    theme = events.add_theme(SYSTEM, ev["id"], "Emploi")
    sid = events.add_session(SYSTEM, theme["id"])["id"]
    g = events.add_subgroup(SYSTEM, sid, "SG 1")
    actor = join.join(sid, g["id"])[1].actor()
    assert board.categories_for("partners_day", "challenge")[0] == "Cadres de travail et valeurs partagées"
    board.add_contribution(actor, sid, "success", "Réussites de nos objectifs", "Un stagiaire a trouvé un emploi")
    with pytest.raises(ValidationError):
        board.add_contribution(actor, sid, "success", "people", "Catégorie d'un autre modèle")
    with pytest.raises(ValidationError):
        board.add_contribution(actor, sid, "success", "", "Sans catégorie")
    with pytest.raises(ValidationError):
        events.create_event(SYSTEM, title="X", category_template="inconnu")
    assert len(board.board_snapshot(sid).items) == 1


def test_hidden_contributions_are_seen_only_by_their_subgroup_until_revealed(room):
    flow.set_contributions_hidden(room.anim, room.sid, True)
    board.add_contribution(room.a1, room.sid, "finding", "people", "Constat de A")
    board.add_contribution(room.b1, room.sid, "challenge", "network", "Défi de B")
    snap = board.board_snapshot(room.sid)
    assert [i.text for i in snap.visible(room.a)] == ["Constat de A"]
    assert [i.text for i in snap.visible(room.b)] == ["Défi de B"]
    assert snap.visible() == []                       # the projector shows nothing yet
    assert len(snap.visible(staff=True)) == 2         # the facilitator sees everything
    flow.reveal_contributions(room.anim, room.sid)
    snap = board.board_snapshot(room.sid)
    assert {i.text for i in snap.visible(room.a)} == {"Constat de A", "Défi de B"}
    assert snap.items[0].subgroup_name == "Table A" and snap.items[0].created_by == "Amina (Table A)"


def test_paused_contributions_and_closed_session(room):
    flow.set_contributions_open(room.anim, room.sid, False)
    with pytest.raises(PermissionDenied) as exc:
        board.add_contribution(room.a1, room.sid, "finding", "people", "En pause")
    assert _err(exc) == "error.contributions_paused"
    flow.set_contributions_open(room.anim, room.sid, True)
    board.add_contribution(room.a1, room.sid, "finding", "people", "Rouvert")
    flow.close_session(room.anim, room.sid)
    view = flow.session_view(room.sid)
    assert view.status == "closed" and view.closed_at is not None and not view.accepting
    with pytest.raises(PermissionDenied) as exc:
        board.add_contribution(room.a1, room.sid, "finding", "people", "Après la clôture")
    assert _err(exc) == "error.session_frozen"
    with pytest.raises(PermissionDenied):
        board.add_contribution(room.anim, room.sid, "finding", "people", "Même l'animation")
    assert [i.text for i in board.board_snapshot(room.sid).items] == ["Rouvert"]   # still readable
    flow.reopen_session(room.anim, room.sid)
    board.add_contribution(room.a1, room.sid, "finding", "people", "Après réouverture")


def test_closing_round_captures_findings_and_wishes(room):
    with pytest.raises(Conflict) as exc:
        board.add_contribution(room.a1, room.sid, "wish", "closing", "Un souhait trop tôt")
    assert _err(exc) == "error.closing_round_closed"
    flow.set_stage(room.anim, room.sid, "implementation")
    flow.set_closing_round(room.anim, room.sid, True)
    board.add_contribution(room.a1, room.sid, "wish", "closing", "Une maison sociale sous un même toit")
    board.add_contribution(room.anim, room.sid, "finding", "closing", "Les profils cumulent les difficultés")
    snap = board.board_snapshot(room.sid)
    assert [(i.kind, i.text) for i in snap.closing_round(staff=True)] == [
        ("wish", "Une maison sociale sous un même toit"), ("finding", "Les profils cumulent les difficultés")]
    assert snap.diagnostic(staff=True) == []


# --- recommendations and trail -------------------------------------------------------------------

@pytest.fixture
def stage1(room):
    persona = canvas.create_persona(room.a1, room.sid, "Sofia", subgroup_id=room.a, age=34)
    need = canvas.add_canvas_item(room.a1, persona["id"], "need", "Trouver un logement stable")
    finding = board.add_contribution(room.a1, room.sid, "finding", "people", "Les listes d'attente sont longues")
    other = board.add_contribution(room.b1, room.sid, "challenge", "network", "Coordonner les CPAS")
    flow.set_stage(room.anim, room.sid, "recommendations")
    return SimpleNamespace(persona=persona["id"], need=need["id"], finding=finding["id"], other=other["id"])


def test_recommendation_trail_shows_the_findings_needs_and_personas_it_cites(room, stage1):
    rec = recs.create_recommendation(room.a1, room.sid, "Un guichet logement unique", "regional",
                                     text="Un seul point d'entrée", public="Personnes sans logement",
                                     sources=[("need", stage1.need), ("contribution", stage1.finding)])
    trail = recs.trail(rec["id"])
    assert trail.recommendation.level == "regional" and trail.recommendation.subgroup_name == "Table A"
    assert [f.text for f in trail.findings] == ["Les listes d'attente sont longues"]
    assert [(n.text, n.persona_name) for n in trail.needs] == [("Trouver un logement stable", "Sofia")]
    assert [(p.name, p.cited) for p in trail.personas] == [("Sofia", False)]
    recs.edit_recommendation(room.a1, rec["id"], rec["version"], sources=[("persona", stage1.persona)])
    trail = recs.trail(rec["id"])
    assert trail.findings == () and trail.needs == ()
    assert [(p.name, p.cited) for p in trail.personas] == [("Sofia", True)]


def test_recommendation_needs_a_source_from_its_own_session(room, stage1):
    with pytest.raises(ValidationError) as exc:
        recs.create_recommendation(room.a1, room.sid, "Sans source", "communal", sources=[])
    assert _err(exc) == "error.sources_required"
    with pytest.raises(ValidationError):
        recs.create_recommendation(room.a1, room.sid, "Niveau inconnu", "planétaire",
                                   sources=[("contribution", stage1.finding)])
    other_theme = events.add_theme(SYSTEM, room.event["id"], "Autre")
    other_sid = events.add_session(SYSTEM, other_theme["id"])["id"]
    foreign = board.add_contribution(SYSTEM, other_sid, "finding", "people", "Ailleurs")
    with pytest.raises(ValidationError) as exc:
        recs.create_recommendation(room.a1, room.sid, "Source étrangère", "communal",
                                   sources=[("contribution", foreign["id"])])
    assert _err(exc) == "error.source_not_in_session"
    assert recs.list_recommendations(room.sid) == []


def test_merge_keeps_both_texts_in_the_history_and_moves_sources_and_dots(room, stage1):
    keep = recs.create_recommendation(room.a1, room.sid, "Guichet unique", "regional", text="Texte de A",
                                      sources=[("contribution", stage1.finding)])
    dup = recs.create_recommendation(room.b1, room.sid, "Un seul guichet", "regional", text="Texte de B",
                                     sources=[("contribution", stage1.other)])
    voting.open_vote(room.anim, room.sid, 3)
    voting.cast_dot(room.b1, room.sid, dup["id"])
    with pytest.raises(Conflict):
        recs.merge_recommendations(room.anim, keep["id"], dup["id"])     # not during the vote
    voting.close_vote(room.anim, room.sid)
    with pytest.raises(PermissionDenied):
        recs.merge_recommendations(room.a1, keep["id"], dup["id"])
    recs.merge_recommendations(room.anim, keep["id"], dup["id"], text="Texte fusionné")
    items = recs.list_recommendations(room.sid)
    assert [(r.title, r.text) for r in items] == [("Guichet unique", "Texte fusionné")]
    assert [(x.title, x.text) for x in items[0].merged_from] == [("Un seul guichet", "Texte de B")]
    texts = str(recs.history(keep["id"]))
    assert "Texte de A" in texts and "Texte de B" in texts and "Texte fusionné" in texts
    assert {f.text for f in recs.trail(keep["id"]).findings} == {"Les listes d'attente sont longues",
                                                                "Coordonner les CPAS"}
    assert voting.vote_snapshot(room.sid).totals() == {keep["id"]: 1}


# --- voting --------------------------------------------------------------------------------------

@pytest.fixture
def ballot(room, stage1):
    ids = [recs.create_recommendation(room.a1, room.sid, f"Recommandation {i}", "communal",
                                      sources=[("contribution", stage1.finding)])["id"] for i in range(6)]
    return ids


def test_dot_voting_limits_moves_and_hidden_results(room, ballot):
    with pytest.raises(Conflict) as exc:
        voting.cast_dot(room.a1, room.sid, ballot[0])
    assert _err(exc) == "error.vote_not_open"
    for bad in (0, 13, "x"):
        with pytest.raises(ValidationError):
            voting.open_vote(room.anim, room.sid, bad)
    voting.open_vote(room.anim, room.sid, 2)
    voting.cast_dot(room.a1, room.sid, ballot[0])
    with pytest.raises(Conflict) as exc:
        voting.cast_dot(room.a2, room.sid, ballot[0])         # one dot per item unless allowed
    assert _err(exc) == "error.one_dot_per_item"
    voting.cast_dot(room.a2, room.sid, ballot[1])
    with pytest.raises(Conflict) as exc:
        voting.cast_dot(room.a1, room.sid, ballot[2])
    assert _err(exc) == "error.no_dots_left"
    voting.move_dot(room.a1, room.sid, ballot[1], ballot[2])
    voting.cast_dot(room.b1, room.sid, ballot[2])
    state = voting.vote_snapshot(room.sid)
    assert state.by_subgroup[room.a] == {ballot[0]: 1, ballot[2]: 1} and state.left(room.a) == 0
    assert state.public_totals() is None                  # hidden until revealed
    voting.reveal_results(room.anim, room.sid)
    assert voting.vote_snapshot(room.sid).public_totals() == {ballot[0]: 1, ballot[2]: 2}
    assert voting.vote_snapshot(room.sid).ranking(ballot)[0] == (ballot[2], 2)
    voting.close_vote(room.anim, room.sid)
    with pytest.raises(Conflict):
        voting.remove_dot(room.a1, room.sid, ballot[0])
    voting.open_vote(room.anim, room.sid, 3, multi=True)
    voting.cast_dot(room.b1, room.sid, ballot[2])
    voting.cast_dot(room.b1, room.sid, ballot[2])
    assert voting.vote_snapshot(room.sid).mine(room.b, ballot[2]) == 3


def test_dots_that_cannot_be_placed_are_told_apart_from_dots_left(room, stage1):
    """3 dots, 2 recommendations, one dot per recommendation: only 2 can ever be placed."""
    two = [recs.create_recommendation(room.a1, room.sid, title, "communal",
                                      sources=[("contribution", stage1.finding)])["id"] for title in ("Un", "Deux")]
    voting.open_vote(room.anim, room.sid, 3)
    state = voting.vote_snapshot(room.sid)
    assert (state.left(room.a), state.placeable(room.a, two), state.stranded(room.a, two)) == (3, 2, 1)
    assert state.unplaceable(len(two)) == 1
    voting.cast_dot(room.a1, room.sid, two[0])
    voting.cast_dot(room.a2, room.sid, two[1])
    state = voting.vote_snapshot(room.sid)
    assert (state.left(room.a), state.placeable(room.a, two), state.stranded(room.a, two)) == (1, 0, 1)
    with pytest.raises(Conflict) as exc:                 # the core agrees: the last dot has nowhere to go
        voting.cast_dot(room.a1, room.sid, two[0])
    assert _err(exc) == "error.one_dot_per_item"
    # table B has placed nothing; a third recommendation gives the stranded dot somewhere to go
    assert (state.placeable(room.b, two), state.stranded(room.b, two)) == (2, 1)
    three = two + [recs.create_recommendation(room.b1, room.sid, "Trois", "communal",
                                              sources=[("contribution", stage1.other)])["id"]]
    state = voting.vote_snapshot(room.sid)
    assert (state.placeable(room.a, three), state.stranded(room.a, three), state.unplaceable(3)) == (1, 0, 0)
    # several dots on one recommendation: every dot can be placed
    voting.close_vote(room.anim, room.sid)
    voting.open_vote(room.anim, room.sid, 5, multi=True)
    state = voting.vote_snapshot(room.sid)
    assert (state.placeable(room.a, two), state.stranded(room.a, two), state.unplaceable(2)) == (3, 0, 0)
    assert state.placeable(room.a, []) == 0          # no recommendation, nothing to place


@pytest.mark.parametrize(("dots", "multi", "recs_count", "expected"), [
    (3, False, 2, 2), (3, False, 3, 3), (2, False, 5, 2), (3, True, 2, 3), (3, False, 0, 0), (3, True, 0, 0)])
def test_the_facilitator_is_told_how_many_dots_can_be_placed(dots, multi, recs_count, expected):
    assert voting.placeable_dots(dots, multi, recs_count) == expected


def test_sources_to_cite_come_by_kind_the_tables_own_first_then_sorted(room, stage1):
    flow.set_stage(room.anim, room.sid, "diagnostic")
    ahmed = canvas.create_persona(room.b1, room.sid, "Ahmed", subgroup_id=room.b)
    canvas.add_canvas_item(room.b1, ahmed["id"], "need", "Apprendre le français")
    board.add_contribution(room.b1, room.sid, "finding", "people", "écoles trop loin")
    board.add_contribution(room.a1, room.sid, "success", "people", "Une crèche a ouvert")
    board.add_contribution(room.a1, room.sid, "finding", "people", "Écoute des familles")
    options = recs.recommendations_snapshot(room.sid).options
    grouped = recs.sources_by_kind(options, room.b)
    assert list(grouped) == ["contribution", "need", "persona"]
    # table B's own first; then by board kind (findings before successes...), text without case or accents
    assert [(o.text, o.subgroup_name) for o in grouped["contribution"]] == [
        ("écoles trop loin", "Table B"), ("Coordonner les CPAS", "Table B"),
        ("Écoute des familles", "Table A"), ("Les listes d'attente sont longues", "Table A"),
        ("Une crèche a ouvert", "Table A")]
    assert [(o.detail, o.text) for o in grouped["need"]] == [("Ahmed", "Apprendre le français"),
                                                             ("Sofia", "Trouver un logement stable")]
    assert [o.text for o in grouped["persona"]] == ["Ahmed", "Sofia"]
    # table A sees its own first
    assert [o.text for o in recs.sources_by_kind(options, room.a)["persona"]] == ["Sofia", "Ahmed"]


def test_two_members_placing_the_last_dots_at_once_never_exceed_the_limit(room, ballot):
    """Six clicks of one sub-group at the same moment with three dots: exactly three land."""
    voting.open_vote(room.anim, room.sid, 3)
    for attempt in range(2):
        voting.close_vote(room.anim, room.sid)
        voting.clear_votes(room.anim, room.sid)
        voting.open_vote(room.anim, room.sid, 3)
        start = threading.Barrier(len(ballot))
        outcomes: list[str] = []

        def click(rec_id: int, actor: Actor, start: threading.Barrier = start, outcomes: list[str] = outcomes) -> None:
            start.wait()
            try:
                voting.cast_dot(actor, room.sid, rec_id)
                outcomes.append("ok")
            except AtelierError as exc:
                outcomes.append(exc.key)

        threads = [threading.Thread(target=click, args=(rec_id, room.a1 if i % 2 else room.a2))
                   for i, rec_id in enumerate(ballot)]
        for th in threads:
            th.start()
        for th in threads:
            th.join(60)
        assert sorted(outcomes) == ["error.no_dots_left"] * 3 + ["ok"] * 3, (attempt, outcomes)
        with db.read_session() as s:
            assert s.query(m.Vote).filter(m.Vote.subgroup_id == room.a).count() == 3


# --- plans ---------------------------------------------------------------------------------------

def test_plan_for_a_retained_recommendation_with_dpa_pc_and_actions(room, ballot):
    flow.set_stage(room.anim, room.sid, "implementation")
    with pytest.raises(ValidationError) as exc:
        plans.start_plan(room.a1, ballot[0])
    assert _err(exc) == "error.not_retained"
    with pytest.raises(PermissionDenied):
        recs.set_retained(room.a1, ballot[0])
    recs.set_retained(room.anim, ballot[0])
    plan = plans.start_plan(room.a1, ballot[0], who_wants_what="Les locataires veulent un interlocuteur")
    with pytest.raises(Conflict) as exc:
        plans.start_plan(room.a2, ballot[0])
    assert _err(exc) == "error.plan_exists"
    plans.update_plan(room.a2, plan["id"], plan["version"], tried_learned="Un guichet pilote en 2022")
    plans.add_action(room.a1, plan["id"], "Réunir les CPAS", carrier="Fédération", due="2026-09-30",
                     indicator="Une convention signée", risks="Calendrier électoral")
    with pytest.raises(PermissionDenied):
        plans.add_action(room.b1, plan["id"], "Action d'une autre table")
    (view,) = plans.plans_snapshot(room.sid)
    assert view.recommendation_title == "Recommandation 0" and view.subgroup_name == "Table A"
    assert view.who_wants_what.startswith("Les locataires") and view.tried_learned == "Un guichet pilote en 2022"
    assert [(a.action, a.carrier, a.due) for a in view.actions] == [("Réunir les CPAS", "Fédération",
                                                                     dt.date(2026, 9, 30))]


# --- mood ----------------------------------------------------------------------------------------

def test_mood_before_and_after_one_answer_per_participant_and_moment(room):
    with pytest.raises(Conflict) as exc:
        mood.set_mood(room.a1, "before", "sunny")
    assert _err(exc) == "error.mood_not_open"
    flow.open_mood_check(room.anim, room.sid, "before")
    mood.set_mood(room.a1, "before", "rainy")
    mood.set_mood(room.a1, "before", "cloudy")     # changing one's mind updates the answer
    mood.set_mood(room.b1, "before", "cloudy")
    with pytest.raises(ValidationError):
        mood.set_mood(room.a2, "before", "tornado")
    with pytest.raises(PermissionDenied):
        mood.set_mood(room.anim, "before", "sunny")
    flow.open_mood_check(room.anim, room.sid, "after")
    mood.set_mood(room.a1, "after", "sunny")
    summary = mood.mood_summary(room.sid)
    assert summary.distribution("before") == [("sunny", 0), ("partly_cloudy", 0), ("cloudy", 2), ("rainy", 0),
                                              ("stormy", 0)]
    assert summary.total("after") == 1 and summary.mine(room.a1.id, "after") == "sunny"


# --- event setup ---------------------------------------------------------------------------------

def test_organiser_sets_up_an_event_copies_it_and_archives_it(database):
    accounts.create_user("orga", "organiser", "Orga", "", "motdepasse-orga")
    accounts.create_user("anim2", "facilitator", "Anim Deux", "", "motdepasse-anim")
    orga = accounts.get_user("orga").actor()
    anim = accounts.get_user("anim2")
    ev = events.create_event(orga, title="Assises 2026", place="Bruxelles", languages=["fr", "nl"],
                             starts_on="2026-01-10", ends_on="2026-03-10")
    assert ev["languages"] == "fr,nl"
    orga = accounts.get_user("orga").actor()         # attached to the event they created
    assert ev["id"] in orga.event_ids
    t1 = events.add_theme(orga, ev["id"], "Logement", why="Parce que")
    t2 = events.add_theme(orga, ev["id"], "Travail social")
    assert t2["position"] == 1
    s1 = events.add_session(orga, t1["id"], "2026-01-10T09:00", "2026-01-10T12:30", facilitator_ids=[anim.id])
    events.add_session(orga, t1["id"], "2026-02-10T09:00", "2026-02-10T12:30")
    events.add_session(orga, t2["id"], "2026-03-10T13:00", "2026-03-10T16:30")
    assert [f.username for f in events.session_facilitators(s1["id"])] == ["anim2"]
    assert ev["id"] in accounts.get_user("anim2").event_ids
    with pytest.raises(ValidationError):
        events.add_session(orga, t1["id"], "2026-01-10T12:00", "2026-01-10T09:00")
    with pytest.raises(PermissionDenied):
        events.add_theme(accounts.get_user("anim2").actor(), ev["id"], "Thème d'un animateur")
    with pytest.raises(ValidationError):
        events.update_event(orga, ev["id"], ev["version"], languages=[])
    with pytest.raises(ValidationError) as exc:
        events.update_event(orga, ev["id"], ev["version"], slug="Assises 2026 !")
    assert _err(exc) == "error.invalid_slug"
    events.update_event(orga, ev["id"], ev["version"], title="Assises du logement 2026")
    copy = events.copy_event(orga, ev["id"], "Assises 2027", shift_days=364)
    new = events.get_event(copy["slug"])
    assert [t.title for t in new.themes] == ["Logement", "Travail social"]
    assert [x.starts_at for x in new.sessions] == [dt.datetime(2027, 1, 9, 9), dt.datetime(2027, 2, 9, 9),
                                                   dt.datetime(2027, 3, 9, 13)]
    old_codes = {x.join_code for x in events.get_event(ev["slug"]).sessions}
    assert not old_codes & {x.join_code for x in new.sessions}
    assert [f.username for f in events.session_facilitators(new.sessions[0].id)] == ["anim2"]
    events.archive_event(orga, ev["id"])
    assert [x.title for x in events.list_events()] == ["Assises 2027"]
    assert events.get_event(ev["slug"]).archived
