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

from core import accounts, canvas, events, session_flow as flow
from core.actor import SYSTEM, Actor

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def _fresh_live_cache():
    """Live snapshots are cached by (session id, revision): another test's database may reuse both."""
    st.cache_data.clear()
    yield
    st.cache_data.clear()


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
    return _ok(at.run())


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
    return _ok(at.run())


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
        "Assises du Travail social 2026", "Bruxelles, Maison des associations", "partners_day", "fr,nl")
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
    record = events.get_event_record(ev.id)
    prefix = f"ev_{record.id}_{record.version}"
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
    a.radio(key="mood_before").set_value("rainy")
    _click(a, "mood_save_before")
    assert "Votre météo : 🌧️ Pluvieux" in _text(a)
    b.radio(key="mood_before").set_value("cloudy")
    _click(b, "mood_save_before")
    _click(fac, "mood_stop")

    # stage 1: hidden contributions, then revealed
    _click(fac, "contrib_hide")
    _click(fac.run(), "timer_set")
    _click(fac, "timer_start")
    a.run()
    assert "Les contributions des autres sous-groupes restent cachées" in _text(a)
    assert ":material/timer: 15:00" in _text(a) or ":material/timer: 14:5" in _text(a)
    a.radio(key="board_kind").set_value("finding")
    a.run()
    a.selectbox(key="board_category_finding").set_value("people")
    a.text_area(key="board_text").input("Les listes d’attente du logement social dépassent dix ans")
    _click(a, "board_submit")
    assert a.text_area(key="board_text").value == ""          # the form is ready for the next one
    b.radio(key="board_kind").set_value("challenge")
    b.run()
    b.text_area(key="board_text").input("Coordonner les CPAS et les AIS")
    _click(b, "board_submit")
    a.run()
    assert "Les listes d’attente" in _text(a) and "Coordonner les CPAS" not in _text(a)
    _click(fac, "contrib_reveal")
    a.run()
    assert "Coordonner les CPAS" in _text(a) and "Table B" in _text(a)
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
    from core import board
    finding_id = next(i.id for i in board.board_snapshot(sid).items if i.kind == "finding")
    a.text_input(key="rec_title").input("Un guichet unique du logement")
    a.text_area(key="rec_text").input("Un seul point d’entrée pour les demandes de logement social.")
    a.selectbox(key="rec_level").set_value("regional")
    a.text_input(key="rec_public").input("Familles en attente d’un logement social")
    a.multiselect(key="rec_sources").set_value([f"need:{need['id']}", f"contribution:{finding_id}"])
    _click(a, "rec_submit")
    b.text_input(key="rec_title").input("Plus de logements de transit")
    b.multiselect(key="rec_sources").set_value([f"persona:{persona['id']}"])
    _click(b, "rec_submit")
    b.text_input(key="rec_title").input("Sans source")
    b.button(key="rec_submit").click().run()
    assert "Citez au moins un constat" in "\n".join(e.value for e in b.error)
    a.run()
    text = _text(a)
    assert "Un guichet unique du logement" in text and "Plus de logements de transit" in text
    assert "Besoin : Un logement stable pour ses enfants (Sofia)" in text
    assert "Constat : Les listes d’attente du logement social dépassent dix ans" in text

    # dot voting, results hidden until revealed
    from core import recommendations
    rec_a, rec_b = [r.id for r in recommendations.list_recommendations(sid)]
    fac.run()
    fac.number_input(key="vote_dots").set_value(2)
    _click(fac, "vote_open")
    a.run()
    assert "il reste 2 point(s) sur 2" in _text(a)
    _click(a, f"dot_add_{rec_a}")
    b.run()
    _click(b, f"dot_add_{rec_a}")
    _click(b, f"dot_add_{rec_b}")
    assert "il reste 0 point(s) sur 2" in _text(b)
    assert "au total" not in _text(a) and "au total" not in _text(b)
    _click(fac, "vote_close")
    _click(fac, "vote_reveal")
    a.run()
    assert "2 point(s) au total" in _text(a) and "1 point(s) au total" in _text(a)
    fac.run()
    _click(fac, f"retain_{rec_a}")

    # stage 3: a plan for the retained recommendation
    _click(fac, "stage_implementation")
    a.run()
    assert "Mise en œuvre" in _text(a) and "Un guichet unique du logement" in _text(a)
    _click(a, f"plan_start_{rec_a}")
    from core import plans
    (plan,) = plans.plans_snapshot(sid)
    a.text_area(key=f"plan_who_wants_what_{plan.id}").input("Les familles et les CPAS veulent un interlocuteur")
    a.text_area(key=f"plan_tried_learned_{plan.id}").input("Un guichet pilote à Forest en 2022")
    _click(a, f"plan_save_{plan.id}")
    a.text_input(key=f"action_text_{plan.id}").input("Réunir les CPAS et les AIS")
    a.text_input(key=f"action_carrier_{plan.id}").input("Fédération des CPAS")
    a.date_input(key=f"action_due_{plan.id}_date").set_value(dt.date(2026, 9, 30))
    a.text_input(key=f"action_indicator_{plan.id}").input("Une convention signée")
    _click(a, f"action_add_{plan.id}")
    b.run()
    text = _text(b)
    assert "Les familles et les CPAS veulent un interlocuteur" in text and "Réunir les CPAS et les AIS" in text
    assert "Fédération des CPAS" in text and "2026-09-30" in text

    # mood after, closing round, close
    fac.run()
    _click(fac, "mood_after")
    a.run()
    a.radio(key="mood_after").set_value("sunny")
    _click(a, "mood_save_after")
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
    from core import board, join, recommendations

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
