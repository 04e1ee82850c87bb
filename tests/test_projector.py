"""The projector page and its second-screen link (AppTest through app.py)."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from core.actor import SYSTEM, Actor
from core.errors import PermissionDenied
from core.session import projector, session_flow
from core.setup.events import get_event

ROOT = Path(__file__).resolve().parent.parent


def _text(at: AppTest) -> str:
    parts = []
    for kind in ("title", "header", "subheader", "markdown", "text", "caption", "error", "warning", "info"):
        parts += [str(getattr(e, "value", "")) for e in getattr(at, kind)]
    return "\n".join(parts)


def _screen(token: str) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=30)
    at.query_params["screen"] = token
    return at.run()


@pytest.fixture
def session(seeded):
    return get_event("partners-day-2024").sessions[0]


def test_second_screen_shows_code_stage_and_qr_without_login(session):
    token = projector.issue_screen_token(SYSTEM, session.id)
    at = _screen(token)
    text = _text(at)
    assert "Diagnostic et pistes de solutions" in text
    html = " ".join(h.proto.body for h in at.get("html"))
    assert session.join_code in html
    # the QR code: an image whose alternative text gives the code and the join address
    alt = re.search(r'<img class="atelier-qr" alt="([^"]*)" src="data:image/png;base64,', html)
    assert alt and session.join_code in alt.group(1) and f"/join?join={session.join_code}" in alt.group(1)
    assert not at.sidebar.children or all(c.type != "navigation" for c in at.sidebar.children.values())


def test_gallery_shows_every_persona_side_by_side(session):
    session_flow.set_projector_view(SYSTEM, session.id, "personas")
    at = _screen(projector.issue_screen_token(SYSTEM, session.id))
    text = _text(at)
    for name in ("Ahmed", "Amir", "Éric", "Fatoumata", "Paulette", "Sofia"):
        assert name in text


def test_revoked_screen_link_stops_working(session):
    token = projector.issue_screen_token(SYSTEM, session.id)
    projector.revoke_screen_token(SYSTEM, session.id)
    at = _screen(token)
    assert "n’est plus valide" in _text(at)
    assert session.join_code not in _text(at)


def test_participants_cannot_issue_screen_links(session):
    participant = Actor(kind="participant", id=1, session_id=session.id, subgroup_id=None)
    with pytest.raises(PermissionDenied):
        projector.issue_screen_token(participant, session.id)


def test_revealed_votes_without_any_dot_say_so_instead_of_an_empty_chart(session):
    from core.personas import canvas
    from core.session import recommendations, voting

    session_flow.start_session(SYSTEM, session.id)
    session_flow.set_stage(SYSTEM, session.id, "recommendations")
    recommendations.create_recommendation(SYSTEM, session.id, "Guichet unique", "regional",
                                          sources=[("persona", canvas.list_personas(session.id)[0].id)])
    voting.open_vote(SYSTEM, session.id, dots=3)
    voting.show_results(SYSTEM, session.id)
    at = _screen(projector.issue_screen_token(SYSTEM, session.id))
    assert "aucune gommette n’a encore été placée" in _text(at)
    assert not at.get("plotly_chart")



def test_recommendations_view_lists_the_events_own_levels_geneva(session):
    """A Geneva event's recommendations sit under its own levels (cantonal, a custom one), in its order,
    on the projector: not only under Brussels' levels."""
    from core.personas import canvas
    from core.session import recommendations
    from core.setup import events

    event_id = get_event("partners-day-2024").id
    events.set_event_levels(SYSTEM, event_id, None, "ch-ge", "Communal\nCantonal\nConfédération")
    session_flow.start_session(SYSTEM, session.id)
    session_flow.set_stage(SYSTEM, session.id, "recommendations")
    source = [("persona", canvas.list_personas(session.id)[0].id)]
    recommendations.create_recommendation(SYSTEM, session.id, "Guichet cantonal unique", "cantonal", sources=source)
    recommendations.create_recommendation(SYSTEM, session.id, "Loi fédérale sur l’équivalence", "x-confederation",
                                          sources=source)
    recommendations.create_recommendation(SYSTEM, session.id, "Permanence dans chaque commune", "communal",
                                          sources=source)
    session_flow.set_projector_view(SYSTEM, session.id, "recommendations")
    text = _text(_screen(projector.issue_screen_token(SYSTEM, session.id)))
    order = [text.index(s) for s in ("### Communal", "Permanence dans chaque commune", "### Cantonal",
                                     "Guichet cantonal unique", "### Confédération", "Loi fédérale sur l’équivalence")]
    assert order == sorted(order)


def test_the_projector_loads_only_what_the_view_shown_draws(session):
    """A canvas write on the personas view reloads the canvases, not the board, votes or plans."""
    personas = projector.projector_snapshot(session.id, "personas")
    assert len(personas.canvases) == 6 and personas.room.board is None and personas.room.votes is None
    board = projector.projector_snapshot(session.id, "board")
    assert board.canvases == () and board.room.board.visible()
    everything = projector.projector_snapshot(session.id)
    assert everything.canvases and everything.room.board is not None and everything.room.plans is not None
    assert set(projector.VIEW_PARTS) == set(projector.VIEW_IGNORES)   # every view says what it loads


def test_a_canvas_write_rebuilds_that_canvas_only_and_the_projector_shows_it(session, monkeypatch):
    """The gallery draws each canvas from the snapshot the canvas screens share: after an item is
    added to one persona, the projector shows it having reloaded that canvas alone."""
    from core.personas import canvas

    session_flow.set_projector_view(SYSTEM, session.id, "personas")
    token = projector.issue_screen_token(SYSTEM, session.id)
    loaded: list[list[str]] = []
    real = canvas.load_canvases
    monkeypatch.setattr(canvas, "load_canvases", lambda s, personas: loaded.append(
        [p.name for p in personas]) or real(s, personas))
    _screen(token)
    assert sorted(name for batch in loaded for name in batch) == ["Ahmed", "Amir", "Fatoumata", "Paulette", "Sofia",
                                                                  "Éric"]
    ahmed = next(p for p in canvas.list_personas(session.id) if p.name == "Ahmed")
    canvas.add_barrier(SYSTEM, ahmed.id, "Horaires du guichet incompatibles avec le travail de nuit")
    loaded.clear()
    text = _text(_screen(token))
    assert "Horaires du guichet incompatibles avec le travail de nuit" in text
    assert loaded == [["Ahmed"]]
    # the projector's own snapshot does not move with a canvas item, but does with a new persona
    ignored = projector.shell_ignores("personas")
    assert "canvas_item" in ignored and "persona" not in ignored
