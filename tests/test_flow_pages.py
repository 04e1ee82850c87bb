"""Preparing and running sessions through the pages (AppTest drives app.py): an organiser sets up
an event with two themes and three sessions, a facilitator runs one from the console, and two
sub-groups go through the three stages — contributions, a recommendation citing a need and a
finding, a vote with hidden then revealed results, an implementation plan, mood before and after,
the closing round and the close."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from core.access import accounts
from core.actor import SYSTEM, Actor
from core.personas import canvas
from core.session import session_flow as flow
from core.setup import events
from tests.apptest import follow_home

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def _fresh_live_cache():
    """Live snapshots are cached by (database, session id, revision): a PostgreSQL test schema, emptied
    between tests, reuses all three."""
    st.cache_data.clear()
    st.cache_resource.clear()
    yield
    st.cache_data.clear()
    st.cache_resource.clear()


def _app() -> AppTest:
    return AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)


def _text(at: AppTest) -> str:
    parts = []
    for kind in ("title", "header", "subheader", "markdown", "text", "caption", "error", "warning", "info", "success"):
        parts += [str(getattr(e, "value", "")) for e in getattr(at, kind)]
    parts += [e.label for e in at.expander] + [str(getattr(e, "value", "")) for e in at.metric]
    return "\n".join(parts)


def _ok(at: AppTest) -> AppTest:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    return at


def _login(username: str, password: str) -> AppTest:
    at = _app()
    at.run()
    at.switch_page("app_pages/login.py").run()
    at.text_input[0].input(username)
    at.text_input[1].input(password)
    at.button[0].click().run()
    return _ok(follow_home(at.run()))


def _join(code: str, session_id: int, group_name: str, name: str) -> AppTest:
    at = _app()
    at.run()
    at.switch_page("app_pages/join.py").run()
    at.text_input(key="join_code_input").input(code)
    at.button[0].click().run()
    group = next(g.id for g in flow.session_view(session_id).subgroups if g.name == group_name)
    at.radio(key="join_group").set_value(group)
    at.text_input(key="join_name").input(name)
    at.button[1].click().run()
    return _ok(follow_home(at.run()))


def _click(at: AppTest, key: str) -> AppTest:
    at.button(key=key).click().run()
    return _ok(at)


# --- an organiser prepares an event, a facilitator runs one of its sessions --------------------

def test_organiser_creates_an_event_with_two_themes_and_three_sessions_and_a_facilitator_runs_one(database):
    accounts.create_user("orga", "organiser", "Orga Nisatrice", "", "motdepasse-orga")
    accounts.create_user("anim", "facilitator", "Anim Ateur", "", "motdepasse-anim")
    at = _login("orga", "motdepasse-orga")
    at.switch_page("app_pages/event_setup.py").run()
    _ok(at)
    # the event, with a mistake first: no title
    at.text_input(key="ev_new_place").input("Bruxelles, Maison des associations")
    at.multiselect(key="ev_new_languages").set_value(["fr", "nl"])
    at.button(key="ev_new_submit").click().run()
    assert "Ce champ est obligatoire." in "\n".join(e.value for e in at.error)
    at.text_input(key="ev_new_title").input("Assises du Travail social 2026")
    at.selectbox(key="ev_new_template").set_value("partners_day")
    at.date_input(key="ev_new_starts_on").set_value(dt.date(2026, 2, 5))
    at.date_input(key="ev_new_ends_on").set_value(dt.date(2026, 3, 12))
    at.button(key="ev_new_submit").click().run()
    assert not at.exception
    assert "Enregistré." in _text(at)
    (ev,) = events.list_events()
    assert (ev.title, ev.place, ev.category_template, ev.languages) == (
        "Assises du Travail social 2026", "Bruxelles, Maison des associations", "partners_day", ("fr", "nl"))
    # two themes
    for title, why in (("Logement", "Se loger reste le premier obstacle."), ("Emploi", "")):
        at.text_input(key="theme_new_title").input(title)
        at.text_area(key="theme_new_why").input(why)
        _click(at, "theme_new_submit")
    assert [t.title for t in events.get_event(ev.slug).themes] == ["Logement", "Emploi"]
    # three dated sessions, the first with its facilitator
    anim = accounts.get_user("anim")
    themes = events.get_event(ev.slug).themes
    for theme, day, with_anim in ((themes[0], dt.date(2026, 2, 5), True), (themes[0], dt.date(2026, 2, 19), False),
                                  (themes[1], dt.date(2026, 3, 12), False)):
        at.selectbox(key=f"session_new_theme_{ev.id}").set_value(theme.id)
        at.date_input(key="session_new_date").set_value(day)
        at.time_input(key="session_new_start").set_value(dt.time(9, 30))
        at.time_input(key="session_new_end").set_value(dt.time(12, 30))
        if with_anim:
            at.multiselect(key="session_new_staff").set_value([anim.id])
        _click(at, "session_new_submit")
    # a session without a date is refused with an explanation
    at.date_input(key="session_new_date").set_value(None)
    at.button(key="session_new_submit").click().run()
    assert "Indiquez la date de l’atelier." in "\n".join(e.value for e in at.error)
    ev = events.get_event(ev.slug)
    assert [(x.starts_at, x.ends_at) for x in ev.sessions] == [
        (dt.datetime(2026, 2, 5, 9, 30), dt.datetime(2026, 2, 5, 12, 30)),
        (dt.datetime(2026, 2, 19, 9, 30), dt.datetime(2026, 2, 19, 12, 30)),
        (dt.datetime(2026, 3, 12, 9, 30), dt.datetime(2026, 3, 12, 12, 30))]
    assert "jeudi 5 février 2026, 09:30–12:30" in _text(at) and "Anim Ateur" in _text(at)
    # edit the event, then copy its structure for a new season
    prefix = f"ev_{ev.id}"      # keys stay the same whatever the version: a colleague's save never wipes a form
    at.text_input(key=f"{prefix}_place").input("Forest, Centre culturel")
    _click(at, f"{prefix}_submit")
    assert events.get_event_record(ev.id).place == "Forest, Centre culturel"
    at.text_input(key=f"copy_{ev.id}_title").input("Assises du Travail social 2027")
    _click(at, f"copy_{ev.id}_submit")
    copy = next(e for e in events.list_events() if e.title == "Assises du Travail social 2027")
    assert at.selectbox(key="setup_event").value == copy.id
    assert [t.title for t in copy.themes] == ["Logement", "Emploi"]
    assert [x.starts_at for x in copy.sessions] == [dt.datetime(2027, 2, 4, 9, 30), dt.datetime(2027, 2, 18, 9, 30),
                                                    dt.datetime(2027, 3, 11, 9, 30)]

    # the facilitator finds the session and runs it from the console
    fac = _login("anim", "motdepasse-anim")
    assert "Assises du Travail social 2026" in _text(fac)
    assert fac.selectbox(key="sessions_console_pick").value == ev.sessions[0].id   # theirs first
    fac.selectbox(key="sessions_console_pick").set_value(ev.sessions[1].id)
    _click(fac, "sessions_open_console")
    assert "Console d’animation" in _text(fac) and ev.sessions[1].join_code in _text(fac)
    fac.switch_page("app_pages/sessions.py").run()
    fac.selectbox(key="sessions_console_pick").set_value(ev.sessions[0].id)
    _click(fac, "sessions_open_console")
    assert "Console d’animation" in _text(fac) and ev.sessions[0].join_code in _text(fac)
    fac.switch_page("app_pages/console.py").run()   # AppTest's later reruns stay on the page st.switch_page opened
    assert fac.selectbox(key="console_pick").value == ev.sessions[0].id
    for name in ("Table A", "Table B"):
        key = next(w.key for w in fac.text_input if w.key and w.key.startswith("new_group_name_"))
        fac.text_input(key=key).input(name)
        _click(fac, "add_group_submit")
    _click(fac, "console_start")
    _click(fac, "stage_recommendations")
    view = flow.session_view(ev.sessions[0].id)
    assert [g.name for g in view.subgroups] == ["Table A", "Table B"] and all(g.join_code for g in view.subgroups)
    assert (view.status, view.stage) == ("open", "recommendations")
    assert "Étape en cours : Recommandations aux mandataires" in _text(fac)

    # the season is over: the organiser archives the event, it leaves the lists
    at.selectbox(key="setup_event").set_value(ev.id).run()
    _click(at, "ev_archive")
    assert [e.title for e in events.list_events()] == ["Assises du Travail social 2027"]


# --- a whole session: facilitator and two sub-groups --------------------------------------------

@pytest.fixture
def workshop(database):
    ev = events.create_event(SYSTEM, slug="assises", title="Assises du Logement")
    theme = events.add_theme(SYSTEM, ev["id"], "Accès au logement")
    session = events.add_session(SYSTEM, theme["id"], "2026-03-02T09:00", "2026-03-02T12:30")
    accounts.create_user("anim", "facilitator", "Anim Ateur", "", "motdepasse-anim")
    accounts.attach_to_event("anim", ev["id"])
    return {"event": ev, "session": session}


def test_a_whole_session_through_the_three_stages(workshop):
    sid, code = workshop["session"]["id"], workshop["session"]["join_code"]
    fac = _login("anim", "motdepasse-anim")
    fac.switch_page("app_pages/console.py").run()
    _ok(fac)
    for name in ("Table A", "Table B"):
        key = next(w.key for w in fac.text_input if w.key and w.key.startswith("new_group_name_"))
        fac.text_input(key=key).input(name)
        _click(fac, "add_group_submit")
    _click(fac, "console_start")
    _click(fac, "mood_before")

    a = _join(code, sid, "Table A", "Amina")
    b = _join(code, sid, "Table B", "Bruno")
    assert "Diagnostic et pistes de solutions" in _text(a) and "Étape 1 sur 3" in _text(a)

    # mood before
    assert "Comment arrivez-vous aujourd’hui ?" in _text(a)
    _ok(a.pills(key="mood_before").set_value("rainy").run())                 # one tap saves it
    assert "Merci ! Votre météo : 🌧️ Pluvieux." in _text(a)
    _ok(b.pills(key="mood_before").set_value("cloudy").run())
    _click(fac, "mood_stop")

    # stage 1: hidden contributions, then revealed
    _click(fac, "contrib_hide")
    _ok(fac.run().pills(key="timer_presets").set_value(15).run())         # one click: set and started
    a.run()
    assert "Les contributions des autres sous-groupes restent cachées" in _text(a)
    assert ":material/timer: 15:00" in _text(a) or ":material/timer: 14:5" in _text(a)
    a.pills(key="board_kind").set_value("finding")
    a.run()
    assert a.selectbox(key="board_category_finding").value is None           # the table chooses the category
    a.text_area(key="board_text").input("Les listes d’attente du logement social dépassent dix ans")
    a.button(key="board_submit").click().run()
    assert "Choisissez une catégorie pour ranger cet élément" in _errors(a)
    assert a.text_area(key="board_text").value == "Les listes d’attente du logement social dépassent dix ans"
    a.selectbox(key="board_category_finding").set_value("people")
    _click(a, "board_submit")
    assert a.text_area(key="board_text").value == ""          # the form is ready for the next one
    assert "Ajouté au tableau (Constat) : « Les listes d’attente du logement social dépassent dix ans »" in _text(a)
    assert a.selectbox(key="board_category_finding").value == "people"      # kept for the next one
    b.pills(key="board_kind").set_value("challenge")
    b.run()
    b.text_area(key="board_text").input("Coordonner les CPAS et les AIS")
    b.selectbox(key="board_category_challenge").set_value("network")
    _click(b, "board_submit")
    a.run()
    assert "Les listes d’attente" in _text(a) and "Coordonner les CPAS" not in _text(a)
    _click(fac, "contrib_reveal")
    a.run()
    assert "Constats · 1" not in _text(a) and "Défis · 1" in _text(a)       # the others' items, collapsed
    assert "Coordonner les CPAS" not in _text(a)
    a.text_input(key="board_search").input("cpas").run()                     # found by a search
    assert "Coordonner les CPAS" in _text(a) and "Table B" in _text(a)
    a.text_input(key="board_search").input("").run()
    # the persona canvas of table A (filled on the canvas page) gives a need to cite
    actor_a = Actor(kind="participant", id=None, label="Amina (Table A)", session_id=sid,
                    subgroup_id=flow.session_view(sid).subgroups[0].id)
    persona = canvas.create_persona(actor_a, sid, "Sofia", subgroup_id=actor_a.subgroup_id, age=34)
    need = canvas.add_canvas_item(actor_a, persona["id"], "need", "Un logement stable pour ses enfants")
    a.run()
    assert "Sofia" in _text(a)

    # stage 2: every page follows the facilitator
    _click(fac, "stage_recommendations")
    a.run()
    b.run()
    assert "Recommandations aux mandataires" in _text(a) and "Étape 2 sur 3" in _text(b)
    assert not [w for w in a.button if w.key == "board_submit"]          # the board form is gone
    from core.session import board
    finding_id = next(i.id for i in board.board_snapshot(sid).items if i.kind == "finding")
    a.text_input(key="rec_title").input("Un guichet unique du logement")
    a.text_area(key="rec_text").input("Un seul point d’entrée pour les demandes de logement social.")
    a.selectbox(key="rec_level").set_value("regional")
    a.text_input(key="rec_public").input("Familles en attente d’un logement social")
    a.multiselect(key="rec_sources_need").set_value([f"need:{need['id']}"])
    a.multiselect(key="rec_sources_contribution").set_value([f"contribution:{finding_id}"])
    _click(a, "rec_submit")
    assert "Recommandation ajoutée : « Un guichet unique du logement »" in _text(a)
    assert a.text_input(key="rec_title").value == "" and a.multiselect(key="rec_sources_need").value == []
    b.text_input(key="rec_title").input("Plus de logements de transit")
    b.selectbox(key="rec_level").set_value("communal")
    b.multiselect(key="rec_sources_persona").set_value([f"persona:{persona['id']}"])
    _click(b, "rec_submit")
    b.text_input(key="rec_title").input("Sans source")
    b.button(key="rec_submit").click().run()
    assert "Citez au moins un constat" in "\n".join(e.value for e in b.error)
    a.run()
    assert "Plus de logements de transit" not in _text(a)                   # the others' come collapsed
    a.session_state["room_recs_others"] = True                                # opened
    a.run()
    text = _text(a)
    assert "Un guichet unique du logement" in text and "Plus de logements de transit" in text
    assert "Besoin : Un logement stable pour ses enfants (Sofia)" in text
    assert "Constat : Les listes d’attente du logement social dépassent dix ans" in text

    # dot voting, results hidden until revealed
    from core.session import recommendations
    rec_a, rec_b = [r.id for r in recommendations.list_recommendations(sid)]
    fac.run()
    fac.number_input(key="vote_dots").set_value(2)
    _click(fac, "vote_open")
    a.run()
    assert "il reste 2 points sur 2" in _text(a)
    _click(a, f"dot_add_{rec_a}")
    b.run()
    _click(b, f"dot_add_{rec_a}")
    _click(b, f"dot_add_{rec_b}")
    assert "il reste 0 point sur 2" in _text(b)
    assert "au total" not in _text(a) and "au total" not in _text(b)
    _click(fac, "vote_close")
    _click(fac, "vote_reveal")
    a.session_state["room_recs_others"] = True
    a.run()
    assert "2 points au total" in _text(a) and "1 point au total" in _text(a)
    fac.run()
    _click(fac, f"retain_{rec_a}")

    # stage 3: a plan for the retained recommendation
    _click(fac, "stage_implementation")
    a.run()
    assert "Mise en œuvre" in _text(a) and "Un guichet unique du logement" in _text(a)
    _click(a, f"plan_start_{rec_a}")
    from core.session import plans
    (plan,) = plans.plans_snapshot(sid)
    a.text_area(key=f"plan_who_wants_what_{plan.id}").input("Les familles et les CPAS veulent un interlocuteur")
    a.text_area(key=f"plan_tried_learned_{plan.id}").input("Un guichet pilote à Forest en 2022")
    _click(a, f"plan_save_{plan.id}")
    a.text_input(key=f"action_text_{plan.id}").input("Réunir les CPAS et les AIS")
    a.text_input(key=f"action_carrier_{plan.id}").input("Fédération des CPAS")
    a.date_input(key=f"action_due_{plan.id}_date").set_value(dt.date(2026, 9, 30))
    a.text_input(key=f"action_indicator_{plan.id}").input("Une convention signée")
    _click(a, f"action_add_{plan.id}")
    assert "Action ajoutée au plan." in _text(a)
    b.run()
    assert "Le plan d’un autre sous-groupe" in _text(b) and "Réunir les CPAS" not in _text(b)   # collapsed
    b.session_state[f"room_plans_{rec_a}"] = True
    b.run()
    text = _text(b)
    assert "Les familles et les CPAS veulent un interlocuteur" in text and "Réunir les CPAS et les AIS" in text
    assert "Fédération des CPAS" in text and "2026-09-30" in text

    # mood after, closing round, close
    fac.run()
    _click(fac, "mood_after")
    a.run()
    _ok(a.pills(key="mood_after").set_value("sunny").run())
    _click(fac, "closing_open")
    a.run()
    a.radio(key="closing_kind").set_value("wish")
    a.text_area(key="closing_text").input("Une maison sociale sous un même toit")
    _click(a, "closing_submit")
    fac.run()
    text = _text(fac)
    assert "Une maison sociale sous un même toit" in text
    mood_table = fac.dataframe[-1].value
    assert list(mood_table.iloc[:, 1]) == [0, 0, 1, 1, 0] and list(mood_table.iloc[:, 2]) == [1, 0, 0, 0, 0]
    fac.checkbox(key="console_confirm_close").check()
    fac.run()
    _click(fac, "console_close")
    a.run()
    assert "Cet atelier est clôturé" in _text(a)
    assert not [w for w in a.button if w.key and w.key.startswith(("plan_", "action_", "closing_", "dot_"))]
    assert "Un guichet unique du logement" in _text(a) and "Réunir les CPAS et les AIS" in _text(a)


def test_the_recommendation_page_shows_its_trail(workshop):
    from core.access import join
    from core.session import board, recommendations

    sid = workshop["session"]["id"]
    group = events.add_subgroup(SYSTEM, sid, "Table A")
    token, membership = join.join(sid, group["id"], "Amina")
    actor = membership.actor()
    persona = canvas.create_persona(actor, sid, "Paulette", subgroup_id=group["id"], age=67, origin="Belge",
                                    facts=["Veuve, vit seule"])
    need = canvas.add_canvas_item(actor, persona["id"], "need", "Rompre l’isolement")
    canvas.add_solution_lead(actor, need["id"], "Un service d’accompagnement à domicile")
    finding = board.add_contribution(actor, sid, "finding", "people", "Les aînés isolés décrochent")
    anim = Actor(kind="staff", label="Anim", role="facilitator", event_ids=frozenset({workshop["event"]["id"]}))
    flow.set_stage(anim, sid, "recommendations")
    rec = recommendations.create_recommendation(actor, sid, "Des visites à domicile", "communal",
                                                public="Personnes âgées isolées",
                                                sources=[("contribution", finding["id"]), ("need", need["id"])])
    at = AppTest.from_file(str(ROOT / "app_pages" / "recommendation.py"), default_timeout=30)
    at.session_state["actor"] = actor
    at.query_params["rec"] = str(rec["id"])
    at.run()
    _ok(at)
    text = _text(at)
    assert "Des visites à domicile" in text and "Communal" in text and "Public : Personnes âgées isolées" in text
    assert "Les aînés isolés décrochent" in text
    assert "Rompre l’isolement" in text and "Besoin de Paulette" in text
    assert "Paulette · 67 ans · Belge" in text and "via un de ses besoins" in text
    assert "Un service d’accompagnement à domicile" in text
    # someone from another event's session cannot read it
    at.session_state["actor"] = Actor(kind="staff", label="Ailleurs", role="facilitator", event_ids=frozenset({999}))
    at.run()
    assert "Des visites à domicile" not in _text(at)
    assert "Vous n’avez pas le droit" in "\n".join(e.value for e in at.error)


# --- editing existing rows: a stale save never overwrites someone else's ------------------------

@pytest.fixture
def room(workshop):
    """A started session with two tables; Amina and Ali sit at table A (two laptops), Bruno at B."""
    from types import SimpleNamespace

    from core.access import join

    sid, eid = workshop["session"]["id"], workshop["event"]["id"]
    a = events.add_subgroup(SYSTEM, sid, "Table A")
    b = events.add_subgroup(SYSTEM, sid, "Table B")
    flow.start_session(SYSTEM, sid)
    anim = Actor(kind="staff", label="Anim", role="facilitator", event_ids=frozenset({eid}))
    return SimpleNamespace(sid=sid, event_id=eid, anim=anim, groups=(a["id"], b["id"]),
                           amina=join.join(sid, a["id"], "Amina")[1], ali=join.join(sid, a["id"], "Ali")[1],
                           bruno=join.join(sid, b["id"], "Bruno")[1])


def _page(name: str, actor: Actor, membership=None) -> AppTest:
    """A page script on its own (no login): the actor (and the participant's membership) as app.py sets them."""
    at = AppTest.from_file(str(ROOT / "app_pages" / f"{name}.py"), default_timeout=60)
    at.session_state["actor"] = actor
    if membership is not None:
        at.session_state["membership"] = membership
    return _ok(at.run())


def _errors(at: AppTest) -> str:
    return "\n".join(e.value for e in at.error)


def _retained_plan(room) -> tuple[dict, dict]:
    """A retained recommendation and table A's plan for it, in stage 3."""
    from core.session import board, plans, recommendations

    finding = board.add_contribution(room.anim, room.sid, "finding", "people", "Les loyers explosent")
    flow.set_stage(room.anim, room.sid, "recommendations")
    rec = recommendations.create_recommendation(room.anim, room.sid, "Un guichet unique", "regional",
                                                sources=[("contribution", finding["id"])])
    recommendations.set_retained(room.anim, rec["id"])
    flow.set_stage(room.anim, room.sid, "implementation")
    return rec, plans.start_plan(room.amina.actor(), rec["id"])


def test_a_stale_plan_edit_is_refused_with_the_other_version_then_apply_mine_or_keep_theirs(room):
    from core.session import plans
    from ui.text import md

    _rec, plan = _retained_plan(room)
    amina = _page("group", room.amina.actor(), room.amina)
    key, save = f"plan_who_wants_what_{plan['id']}", f"plan_save_{plan['id']}"
    mine = "Les familles veulent un seul guichet"
    amina.text_area(key=key).input(mine)
    # while Amina types, Ali, at the same table on another laptop, saves his answer
    theirs = "Les CPAS **et** les AIS [voir](javascript:alert(1))"
    plans.update_plan(room.ali.actor(), plan["id"], plan["version"], who_wants_what=theirs)
    amina.button(key=save).click().run()
    assert "Quelqu’un a modifié cet élément" in _errors(amina)
    assert plans.plans_snapshot(room.sid)[0].who_wants_what == theirs       # nothing overwritten
    assert md(theirs) in _text(amina)                                       # their version, shown as typed
    amina.run()                                           # any rerun (a tick, another click): her text stays
    assert amina.text_area(key=key).value == mine
    assert md(theirs) in _text(amina)
    _click(amina, f"plan_{plan['id']}_apply_mine")
    assert plans.plans_snapshot(room.sid)[0].who_wants_what == mine
    assert not [b for b in amina.button if b.key == f"plan_{plan['id']}_apply_mine"]
    # a second time: Amina keeps Ali's version instead, and her next save (on his version) goes through
    amina.text_area(key=key).input("Ma deuxième idée")
    current = plans.plans_snapshot(room.sid)[0]
    plans.update_plan(room.ali.actor(), plan["id"], current.version, who_wants_what="La version d’Ali")
    amina.button(key=save).click().run()
    assert "Quelqu’un a modifié cet élément" in _errors(amina)
    _click(amina, f"plan_{plan['id']}_keep_theirs")
    assert amina.text_area(key=key).value == "La version d’Ali"
    amina.text_area(key=key).input("La version d’Ali, complétée")
    _click(amina, save)
    assert plans.plans_snapshot(room.sid)[0].who_wants_what == "La version d’Ali, complétée"


def test_a_stale_event_edit_is_refused_then_apply_mine_wins(workshop):
    from ui.text import md

    ev_id = workshop["event"]["id"]
    organiser = Actor(kind="staff", label="Orga", role="organiser", event_ids=frozenset({ev_id}))
    at = _page("event_setup", organiser)
    place = f"ev_{ev_id}_place"
    at.text_input(key=place).input("Forest, Centre culturel")
    # a colleague saves the event while the organiser types
    record = events.get_event_record(ev_id)
    events.update_event(SYSTEM, ev_id, record.version, place="Liège, salle *B*", organisers="Fédération [x](y)")
    at.button(key=f"ev_{ev_id}_submit").click().run()
    assert "Quelqu’un a modifié cet élément" in _errors(at)
    assert events.get_event_record(ev_id).place == "Liège, salle *B*"
    assert md("Liège, salle *B*") in _text(at) and md("Fédération [x](y)") in _text(at)
    at.run()                                              # the colleague's save does not wipe the organiser's text
    assert at.text_input(key=place).value == "Forest, Centre culturel"
    _click(at, f"ev_{ev_id}_apply_mine")
    saved = events.get_event_record(ev_id)
    assert saved.place == "Forest, Centre culturel" and "Enregistré." in _text(at)
    assert saved.organisers == ""           # "apply mine" applies the whole form as the organiser has it
    # keep theirs: the form takes the colleague's version
    at.text_input(key=f"ev_{ev_id}_title").input("Mon titre")
    events.update_event(SYSTEM, ev_id, saved.version, title="Leur titre")
    at.button(key=f"ev_{ev_id}_submit").click().run()
    _click(at, f"ev_{ev_id}_keep_theirs")
    assert at.text_input(key=f"ev_{ev_id}_title").value == "Leur titre"
    assert at.text_input(key=place).value == "Forest, Centre culturel"
    assert events.get_event_record(ev_id).title == "Leur titre"


def test_stale_theme_and_session_edits_are_refused(workshop):
    ev_id = workshop["event"]["id"]
    organiser = Actor(kind="staff", label="Orga", role="organiser", event_ids=frozenset({ev_id}))
    theme = events.get_event("assises").themes[0]
    x = theme.sessions[0]
    at = _page("event_setup", organiser)
    events.update_theme(SYSTEM, theme.id, theme.version, title="Accès au logement (2)")
    events.update_session(SYSTEM, x.id, x.version, title="Après-midi")
    at.text_input(key=f"th_{theme.id}_title").input("Le logement d’abord")
    at.button(key=f"th_{theme.id}_save").click().run()
    assert "Quelqu’un a modifié cet élément" in _errors(at)
    at.text_input(key=f"s_{x.id}_title").input("Matinée")
    at.button(key=f"s_{x.id}_save").click().run()
    assert at.text_input(key=f"th_{theme.id}_title").value == "Le logement d’abord"
    theme_now = events.get_event("assises").themes[0]
    assert (theme_now.title, theme_now.sessions[0].title) == ("Accès au logement (2)", "Après-midi")
    at.button(key=f"session_{x.id}_apply_mine").click().run()
    assert events.get_event("assises").themes[0].sessions[0].title == "Matinée"
    assert "Quelqu’un a modifié cet élément" in _errors(at)          # the theme still waits for a choice
    _click(at, f"theme_{theme.id}_apply_mine")
    assert events.get_event("assises").themes[0].title == "Le logement d’abord"


def test_a_stale_recommendation_wording_and_subgroup_rename_are_refused_in_the_console(room):
    from core.session import board, recommendations
    from ui.text import md

    finding = board.add_contribution(room.amina.actor(), room.sid, "finding", "people", "Les loyers explosent")
    flow.set_stage(room.anim, room.sid, "recommendations")
    rec = recommendations.create_recommendation(room.amina.actor(), room.sid, "Un guichet", "communal",
                                                sources=[("contribution", finding["id"])])
    fac = _page("console", room.anim)
    amina = _page("group", room.amina.actor(), room.amina)
    fac.text_input(key=f"c_rec_title_{rec['id']}").input("Un guichet unique du logement")
    amina.text_input(key=f"rec_edit_title_{rec['id']}").input("Un guichet par commune")
    _click(amina, f"rec_edit_save_{rec['id']}")
    fac.button(key=f"c_rec_save_{rec['id']}").click().run()
    assert "Quelqu’un a modifié cet élément" in _errors(fac)
    assert recommendations.list_recommendations(room.sid)[0].title == "Un guichet par commune"
    assert md("Un guichet par commune") in _text(fac)
    _click(fac, f"c_rec_{rec['id']}_apply_mine")
    assert recommendations.list_recommendations(room.sid)[0].title == "Un guichet unique du logement"
    # the table's form is now stale in turn: keep theirs shows the facilitator's wording
    amina.text_input(key=f"rec_edit_title_{rec['id']}").input("Encore autre chose")
    amina.button(key=f"rec_edit_save_{rec['id']}").click().run()
    assert "Quelqu’un a modifié cet élément" in _errors(amina)
    _click(amina, f"rec_edit_{rec['id']}_keep_theirs")
    assert amina.text_input(key=f"rec_edit_title_{rec['id']}").value == "Un guichet unique du logement"

    group = room.groups[0]
    fac.text_input(key=f"rename_name_{group}").input("Les Lilas")
    view = flow.session_view(room.sid)
    flow.rename_subgroup(room.anim, group, "Les Roses", next(g.version for g in view.subgroups if g.id == group))
    fac.button(key=f"rename_save_{group}").click().run()
    assert "Quelqu’un a modifié cet élément" in _errors(fac)
    assert flow.session_view(room.sid).subgroup_name(group) == "Les Roses"
    _click(fac, f"rename_{group}_apply_mine")
    assert flow.session_view(room.sid).subgroup_name(group) == "Les Lilas"


# --- what a table and the facilitator can do with what they wrote ---------------------------------

def test_a_table_edits_and_deletes_its_own_contributions_with_undo(room):
    from core.session import board

    mine = board.add_contribution(room.amina.actor(), room.sid, "finding", "people", "Texte à corigger")
    other = board.add_contribution(room.bruno.actor(), room.sid, "challenge", "people", "De la table B")
    amina = _page("group", room.amina.actor(), room.amina)
    assert f"contrib_text_{mine['id']}" in [w.key for w in amina.text_area]
    assert f"contrib_text_{other['id']}" not in [w.key for w in amina.text_area]     # not theirs to edit
    amina.text_area(key=f"contrib_text_{mine['id']}").input("Texte à corriger")
    amina.selectbox(key=f"contrib_category_{mine['id']}").set_value("network")
    _click(amina, f"contrib_save_{mine['id']}")
    item = next(i for i in board.board_snapshot(room.sid).items if i.id == mine["id"])
    assert (item.text, item.category) == ("Texte à corriger", "network")
    _click(amina, f"contrib_delete_{mine['id']}")
    assert [i.id for i in board.board_snapshot(room.sid).items] == [other["id"]]
    assert "Supprimé : « Texte à corriger »" in _text(amina)
    _click(amina, f"undo_contribution_{mine['id']}")
    assert sorted(i.id for i in board.board_snapshot(room.sid).items) == sorted([mine["id"], other["id"]])
    assert "Texte à corriger" in _text(amina)


def test_a_table_edits_and_deletes_the_actions_of_its_plan(room):
    from core.session import plans

    _rec, plan = _retained_plan(room)
    action = plans.add_action(room.amina.actor(), plan["id"], "Réunir les CPAS", carrier="Fédération")
    amina = _page("group", room.amina.actor(), room.amina)
    amina.text_input(key=f"act_carrier_{action['id']}").input("Fédération des CPAS")
    amina.date_input(key=f"act_due_{action['id']}").set_value(dt.date(2026, 9, 30))
    _click(amina, f"action_save_{action['id']}")
    (saved,) = plans.plans_snapshot(room.sid)[0].actions
    assert (saved.action, saved.carrier, saved.due) == ("Réunir les CPAS", "Fédération des CPAS", dt.date(2026, 9, 30))
    _click(amina, f"action_delete_{action['id']}")
    assert plans.plans_snapshot(room.sid)[0].actions == ()
    _click(amina, f"undo_plan_action_{action['id']}")
    assert [a.id for a in plans.plans_snapshot(room.sid)[0].actions] == [action["id"]]


def test_the_console_puts_a_persona_in_the_spotlight_and_the_facilitator_writes_a_recommendation(room):
    from core.session import board, recommendations

    paulette = canvas.create_persona(room.amina.actor(), room.sid, "Paulette", subgroup_id=room.groups[0], age=67)
    canvas.create_persona(room.bruno.actor(), room.sid, "Ahmed", subgroup_id=room.groups[1])
    fac = _page("console", room.anim)

    def listed(name: str):
        return next(w for w in fac.selectbox if w.key.startswith(f"projector_{name}_{room.sid}_"))

    assert listed("spotlight").options == ["Tous les personas côte à côte", "Paulette (Table A)", "Ahmed (Table B)"]
    listed("spotlight").set_value(paulette["id"]).run()
    state = flow.session_view(room.sid)
    assert (state.projector_view, state.projector_spotlight_id) == ("personas", paulette["id"])
    assert listed("view").value == "personas"
    listed("spotlight").set_value(None).run()
    state = flow.session_view(room.sid)
    assert (state.projector_view, state.projector_spotlight_id) == ("personas", None)
    # another console changes the projector: this one follows
    flow.set_projector_view(room.anim, room.sid, "board")
    fac.run()
    assert listed("view").value == "board" and listed("spotlight").value is None

    finding = board.add_contribution(room.amina.actor(), room.sid, "finding", "people", "Les aînés sont isolés")
    flow.set_stage(room.anim, room.sid, "recommendations")
    fac.run()
    fac.text_input(key="c_rec_new_title").input("Des visites à domicile")
    fac.selectbox(key="c_rec_new_level").set_value("communal")
    fac.multiselect(key="c_rec_new_sources_contribution").set_value([f"contribution:{finding['id']}"])
    _click(fac, "c_rec_new_submit")
    (rec,) = recommendations.list_recommendations(room.sid)
    assert (rec.title, rec.level, rec.subgroup_id) == ("Des visites à domicile", "communal", None)
    assert fac.text_input(key="c_rec_new_title").value == ""
    amina = _page("group", room.amina.actor(), room.amina)
    assert "1 autre recommandation dans la salle" in _text(amina)
    amina.session_state["room_recs_others"] = True                   # opened
    amina.run()
    assert "Des visites à domicile" in _text(amina) and "Animation" in _text(amina)


# --- the vote never strands a dot; the sources come grouped -----------------------------------------

def test_dots_that_cannot_be_placed_are_said_plainly_and_the_facilitator_is_warned(room):
    from core.session import board, recommendations, voting

    finding = board.add_contribution(room.amina.actor(), room.sid, "finding", "people", "Les loyers explosent")
    flow.set_stage(room.anim, room.sid, "recommendations")
    recs = [recommendations.create_recommendation(room.amina.actor(), room.sid, title, "communal",
                                                  sources=[("contribution", finding["id"])])["id"]
            for title in ("Un guichet unique", "Des logements de transit")]
    fac = _page("console", room.anim)
    fac.number_input(key="vote_dots").set_value(3).run()
    warning = "chaque sous-groupe ne peut placer que 2 points sur 3"
    assert warning in "\n".join(w.value for w in fac.warning)
    fac.checkbox(key="vote_multi").check().run()                 # several dots per recommendation: all placeable
    assert warning not in "\n".join(w.value for w in fac.warning)
    fac.checkbox(key="vote_multi").uncheck().run()
    _click(fac, "vote_open")                                      # the facilitator may still open it
    assert voting.vote_snapshot(room.sid).dots == 3

    amina = _page("group", room.amina.actor(), room.amina)
    text = _text(amina)
    assert "votre sous-groupe peut encore placer 2 points, un par recommandation" in text
    assert "1 point ne pourra pas être placé : il n’y a que 2 recommandations." in text
    _click(amina, f"dot_add_{recs[0]}")
    _click(amina, f"dot_add_{recs[1]}")
    text = _text(amina)
    assert "il reste 1 point sur 3" not in text
    assert ("Votre sous-groupe a un point sur chaque recommandation. Le point restant ne peut pas être placé : "
            "un seul point par recommandation dans ce vote.") in text
    assert all(amina.button(key=f"dot_add_{r}").disabled for r in recs)
    _click(amina, f"dot_remove_{recs[1]}")                        # a dot taken back can go somewhere again
    assert "peut encore placer 1 point" in _text(amina) and not amina.button(key=f"dot_add_{recs[1]}").disabled


def test_sources_are_offered_by_kind_with_the_tables_own_first(room):
    from core.session import board

    board.add_contribution(room.bruno.actor(), room.sid, "finding", "people", "Aucun logement adapté")
    board.add_contribution(room.amina.actor(), room.sid, "success", "network", "Le CPAS répond vite")
    board.add_contribution(room.amina.actor(), room.sid, "finding", "people", "Les loyers explosent")
    sofia = canvas.create_persona(room.amina.actor(), room.sid, "Sofia", subgroup_id=room.groups[0])
    canvas.add_canvas_item(room.amina.actor(), sofia["id"], "need", "Un logement stable")
    ahmed = canvas.create_persona(room.bruno.actor(), room.sid, "Ahmed", subgroup_id=room.groups[1])
    canvas.add_canvas_item(room.bruno.actor(), ahmed["id"], "need", "Apprendre le français")
    flow.set_stage(room.anim, room.sid, "recommendations")
    amina = _page("group", room.amina.actor(), room.amina)
    assert amina.multiselect(key="rec_sources_contribution").options == [
        "Constat · Les loyers explosent", "Réussite · Le CPAS répond vite", "Constat · Aucun logement adapté — Table B"]
    assert amina.multiselect(key="rec_sources_need").options == ["Sofia · Un logement stable",
                                                                 "Ahmed · Apprendre le français"]
    assert amina.multiselect(key="rec_sources_persona").options == ["Sofia", "Ahmed — Table B"]
    # the console (no table of its own) lists them by table
    fac = _page("console", room.anim)
    assert fac.multiselect(key="c_rec_new_sources_persona").options == ["Sofia — Table A", "Ahmed — Table B"]
