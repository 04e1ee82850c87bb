"""The dashboard's "Suivi" tab (issue 17 item 5): recommendations by status and level of power, the
answered share, implementation actions by progress and late, the oldest unanswered, across the
events of the filter; from the revision-keyed cache, moved by follow-up writes. SQLite and
PostgreSQL; the page through AppTest."""
from __future__ import annotations

import datetime as dt
import io

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from core.followup import tracking as tr
from core.reporting import cache
from core.reporting import dashboard as d
from core.reporting import exports as x
from core.settings import local_now
from core.setup import events
from tests.test_dashboard import ROOT
from tests.test_followup import EVENT, Room


@pytest.fixture
def room(seeded) -> Room:
    return Room()


def _scope(room: Room, *session_ids: int) -> d.DashboardFilter:
    return d.DashboardFilter(event_ids=(room.event_id,), session_ids=session_ids or (room.sid,))


def _grid(fu: d.FollowUpFigures) -> dict[tuple[str, str], int]:
    return {(lv, st): n for lv, st, n in fu.by_status_level.itertuples(index=False) if n}


def test_follow_up_figures_follow_statuses_answers_and_actions(room: Room):
    today = local_now().date()
    fu = d.follow_up(_scope(room))
    assert (fu.sessions, fu.closed_sessions) == (1, 1)
    assert _grid(fu) == {("regional", "not_yet_sent"): 1, ("communal", "not_yet_sent"): 1}
    assert fu.answered_share == 0.0 and fu.unanswered.empty
    # the first action is 3 days past its due date: late, and still "not started"
    assert (fu.action_count("not_started"), fu.action_count("done"), fu.action_count("late")) == (2, 0, 1)

    o = room.organiser
    tr.update_follow_up(o, room.rec, 0, addressee="Cabinet du Logement", status="sent",
                        status_on=today - dt.timedelta(days=10))
    tr.update_follow_up(o, room.other, 0, addressee="Commune d’Ixelles", status="sent",
                        status_on=today - dt.timedelta(days=20))
    fu = d.follow_up(_scope(room))
    assert _grid(fu) == {("regional", "sent"): 1, ("communal", "sent"): 1}
    # the longest waiting first, with its addressee and the days it waited
    waiting = fu.unanswered
    assert list(waiting["recommendation"]) == ["Guichet unique", "Encadrer les loyers"]
    assert list(waiting["addressee"]) == ["Commune d’Ixelles", "Cabinet du Logement"]
    assert list(waiting["days_waiting"]) == [20, 10]
    assert set(waiting["event"]) == {events.get_event(EVENT).title}

    tr.add_answer(o, room.rec, today - dt.timedelta(days=2), "Nous étudions la grille.")
    tr.set_action_progress(o, room.action, None, "done")
    tr.set_action_progress(o, room.action2, None, "under_way")
    fu = d.follow_up(_scope(room))
    assert _grid(fu) == {("regional", "answered"): 1, ("communal", "sent"): 1}
    assert fu.answered_share == 0.5 and fu.answered == 1
    assert list(fu.unanswered["recommendation"]) == ["Guichet unique"]
    assert (fu.action_count("done"), fu.action_count("under_way"), fu.action_count("not_started"),
            fu.action_count("late")) == (1, 1, 0, 0)
    row = fu.recommendations.set_index("recommendation").loc["Encadrer les loyers"]
    assert (row["status"], row["answers"], row["actions_done"], bool(row["answered"])) == ("answered", 1, 1, True)


def test_sessions_not_closed_have_nothing_to_follow_up(room: Room):
    fu = d.follow_up(_scope(room, room.future_sid))
    assert (fu.sessions, fu.closed_sessions, len(fu.recommendations)) == (1, 0, 0)
    assert fu.answered_share is None and fu.by_status_level.empty
    # an organiser who may see no event sees nothing, not everybody's follow-up
    nobody = d.follow_up(d.DashboardFilter(visible_event_ids=frozenset()))
    assert nobody.sessions == 0 and nobody.recommendations.empty


def test_the_cached_tab_moves_with_a_follow_up_write(room: Room):
    cache.clear()
    f = _scope(room)
    rev = cache.data_revision(f)
    before = cache.tab_figures("followup", f, rev)["follow_up"]
    assert before.answered == 0
    tr.add_answer(room.organiser, room.other, local_now().date(), "Le collège en débattra.")
    moved = cache.data_revision(f)
    assert moved != rev
    after = cache.tab_figures("followup", f, moved)["follow_up"]
    assert after.answered == 1 and _grid(after)[("communal", "answered")] == 1


def test_downloads_carry_every_followed_up_recommendation(room: Room):
    tr.update_follow_up(room.organiser, room.rec, 0, addressee="=HYPERLINK(\"http://x\")", status="sent")
    table = d.follow_up(_scope(room)).recommendations
    csv = x.to_csv(table).decode("utf-8-sig")
    assert "Encadrer les loyers" in csv and "Guichet unique" in csv
    assert "'=HYPERLINK" in csv       # an addressee typed as a formula stays text
    sheet = pd.read_excel(io.BytesIO(x.to_xlsx(table, sheet_name="followup_recommendations")))
    assert set(sheet["recommendation"]) == {"Encadrer les loyers", "Guichet unique"}


def test_every_column_and_label_of_the_tab_is_translated(room: Room):
    from core.i18n import LANGUAGES, catalog

    fu = d.follow_up(_scope(room))
    columns = {c for frame in (fu.by_status_level, fu.actions, fu.unanswered, fu.recommendations)
               for c in frame.columns if not c.endswith("_id")}
    keys = {f"dashboard.col.{c}" for c in columns} | {f"followup.status.{s}" for s in tr.STATUSES} \
        | {f"followup.action_status.{s}" for s in tr.ACTION_STATUSES} | {"dashboard.tab.followup"}
    for lang in LANGUAGES:
        assert sorted(k for k in keys if k not in catalog(lang)) == [], lang


# --- the page ---------------------------------------------------------------------------------

def _page(room: Room, *session_ids: int, lang: str = "fr") -> AppTest:
    at = AppTest.from_file(str(ROOT / "app_pages" / "dashboard.py"), default_timeout=60)
    at.session_state["actor"] = room.organiser
    at.session_state["lang"] = lang
    at.session_state["dash_events"] = [room.event_id]
    at.session_state["dash_sessions"] = list(session_ids or (room.sid,))
    at.session_state["dash_tab"] = {"fr": "Suivi", "en": "Follow-up", "nl": "Opvolging"}[lang]
    at.run()
    assert not at.exception, at.exception
    return at


def test_page_shows_the_follow_up_an_organiser_recorded(room: Room):
    today = local_now().date()
    tr.update_follow_up(room.organiser, room.other, 0, addressee="Commune d’Ixelles", status="sent",
                        status_on=today - dt.timedelta(days=20))
    tr.update_follow_up(room.organiser, room.rec, 0, status="sent", status_on=today - dt.timedelta(days=9))
    tr.add_answer(room.organiser, room.rec, today, "Nous étudions la grille.")
    at = _page(room)
    shown = {mt.label: mt.value for mt in at.metric}
    assert shown["Recommandations suivies"] == "2" and shown["Part avec réponse"] == "50 %"
    assert shown["Actions en retard"] == "1" and shown["Actions réalisées"] == "0"
    # the one still waiting, with its addressee and the days it waited
    waiting = next(df.value for df in at.dataframe if "Jours d’attente" in df.value.columns)
    assert list(waiting["Recommandation"]) == ["Guichet unique"]
    assert list(waiting["Destinataire (institution)"]) == ["Commune d’Ixelles"]
    assert list(waiting["Jours d’attente"]) == [20] and list(waiting["Niveau de pouvoir"]) == ["Communal"]
    # status by level: the statuses as the follow-up page names them, levels as the event does
    at.segmented_control(key="view_followup_by_status_level").set_value("table").run()
    grid = next(df.value for df in at.dataframe if "Statut" in df.value.columns and "Recommandations"
                in df.value.columns)
    assert set(zip(grid["Niveau de pouvoir"], grid["Statut"], grid["Recommandations"])) == {
        ("Régional", "Réponse reçue", 1), ("Communal", "Envoyée", 1)}
    # each of the four figures offers its rows as CSV and Excel
    keys = {b.key for b in at.get("download_button")}
    assert {f"{fmt}_followup_{name}" for fmt in ("csv", "xlsx")
            for name in ("by_status_level", "actions", "unanswered", "recommendations")} <= keys


def test_page_shows_the_empty_state_when_no_plan_has_an_action(room: Room):
    """The actions figure always has one row per action status: with no action at all it says so
    instead of a table of zeros."""
    from sqlalchemy import update

    from storage import db
    from storage import models as m

    at = _page(room)
    assert "Pas encore de plan de mise en œuvre." not in [i.value for i in at.info]
    with db.write_session() as s:   # the session is closed: its actions removed straight
        s.execute(update(m.PlanAction).where(m.PlanAction.id.in_((room.action, room.action2)))
                  .values(deleted_at=m.utcnow()))
    cache.clear()   # written without an activity row: the figures' revision does not move
    assert d.follow_up(_scope(room)).actions["actions"].sum() == 0
    at = _page(room)
    assert "Pas encore de plan de mise en œuvre." in [i.value for i in at.info]
    assert "csv_followup_actions" not in {b.key for b in at.get("download_button")}


def test_page_says_plainly_when_no_session_is_closed_yet(room: Room):
    at = _page(room, room.future_sid)
    assert any("Aucune séance de ces filtres n’est encore clôturée" in i.value for i in at.info)
    assert "Recommandations suivies" not in [mt.label for mt in at.metric]
    en = _page(room, room.future_sid, lang="en")
    assert any("No workshop of these filters is closed yet" in i.value for i in en.info)


def test_days_waiting_move_with_the_day_not_only_with_writes(room: Room, monkeypatch):
    today = local_now().date()
    tr.update_follow_up(room.organiser, room.other, 0, status="sent", status_on=today - dt.timedelta(days=2))
    f = _scope(room)
    assert list(d.follow_up(f, today).unanswered["days_waiting"]) == [2]
    later = d.follow_up(f, today + dt.timedelta(days=30))
    assert list(later.unanswered["days_waiting"]) == [32]
    # the cache's revision ends with the day: tomorrow's dashboard recomputes without any write
    rev = cache.data_revision(f)
    tomorrow = dt.datetime.combine(today + dt.timedelta(days=1), dt.time(8))
    monkeypatch.setattr(cache, "local_now", lambda: tomorrow)
    assert cache.data_revision(f) != rev and cache.data_revision(f)[:-1] == rev[:-1]
