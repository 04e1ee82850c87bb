"""The snapshots live views draw from: one computation per change for every screen, and memory
that stays flat however many changes a workshop day brings (the soak benchmark's finding)."""
from __future__ import annotations

import threading
import time

from core.actor import SYSTEM
from core.personas import canvas
from core.session import live


def test_many_screens_asking_at_once_share_one_computation():
    cache = live.LatestSnapshots()
    calls = []

    def compute():
        calls.append(1)
        time.sleep(0.05)
        return {"items": ["Logement"]}

    got = []
    barrier = threading.Barrier(40)

    def screen():
        barrier.wait()
        got.append(cache.get(("db", "board", 7, ()), (12, 12), compute))

    threads = [threading.Thread(target=screen) for _ in range(40)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(10)
    assert len(calls) == 1 and len(got) == 40 and all(g is got[0] for g in got)


def test_only_the_newest_revisions_of_a_view_are_held():
    cache = live.LatestSnapshots(keep=2)
    for rev in range(1, 1001):  # a long day of changes on one projector view
        cache.get(("db", "gallery", 1, ()), (rev, rev), lambda rev=rev: [rev] * 100)
    assert cache.sizes() == {"views": 1, "snapshots": 2}
    # a screen that read the revision a moment before the last change still finds its snapshot
    assert cache.get(("db", "gallery", 1, ()), (999, 999), lambda: "recomputed") == [999] * 100
    # and the newest one is served, not recomputed
    assert cache.get(("db", "gallery", 1, ()), (1000, 1000), lambda: "recomputed") == [1000] * 100


def test_views_not_asked_for_in_a_while_are_dropped():
    cache = live.LatestSnapshots(max_views=3)
    for session in range(1, 6):
        cache.get(("db", "board", session, ()), (1, 1), lambda session=session: session)
    assert cache.sizes()["views"] == 3
    assert cache.get(("db", "board", 1, ()), (1, 1), lambda: "recomputed") == "recomputed"


def test_a_change_in_the_session_is_seen_at_the_next_revision(seeded):
    persona = canvas.personas_for(SYSTEM)[0]
    session_id = persona.session_id
    view = ("test", "canvas", session_id, (persona.id,))
    rev = live.revision(session_id, max_age_s=0)
    before = live.SNAPSHOTS.get(view, rev, lambda: canvas.get_canvas(persona.id))
    canvas.add_barrier(SYSTEM, persona.id, "Pas de garde d'enfants le soir")
    rev2 = live.revision(session_id, max_age_s=0)
    assert rev2 != rev
    after = live.SNAPSHOTS.get(view, rev2, lambda: canvas.get_canvas(persona.id))
    assert "Pas de garde d'enfants le soir" in [i.text for i in after.barriers]
    assert "Pas de garde d'enfants le soir" not in [i.text for i in before.barriers]


def test_text_made_from_a_snapshot_is_made_once_per_snapshot_and_language(monkeypatch):
    """Every tab of a room draws the same snapshot on every tick: its Markdown is made once; a new
    snapshot (a change), even with equal contents, or another language makes it again."""
    from ui import live as ui_live

    made: list[str] = []
    language = ["fr"]
    monkeypatch.setattr(ui_live, "current_language", lambda: language[0])

    def make(data: list[str]) -> str:
        made.append(language[0])
        return f"{language[0]}:{','.join(data)}"

    first = ["Assuétudes"]
    assert [ui_live.made_once(first, "test", lambda: make(first)) for _ in range(3)] == ["fr:Assuétudes"] * 3
    second = ["Assuétudes"]                      # the next revision's snapshot, equal contents
    assert ui_live.made_once(second, "test", lambda: make(second)) == "fr:Assuétudes"
    language[0] = "nl"
    assert ui_live.made_once(second, "test", lambda: make(second)) == "nl:Assuétudes"
    assert made == ["fr", "fr", "nl"]
