"""Every sub-group page follows the session: when the facilitator moves the stage, each open page
shows the new « Étape n sur 3 » within seconds, however the moves fall — quick succession, while
participants type (full reruns of the page), while the live parts tick.

Six participant pages of one session; the stage is moved many times through core (as the console
does), sometimes twice in a row, while some pages get typed into, and stage 2's vote is played as
in the rehearsal (dots placed with the ballot's buttons, inside the live part). A page that does not
follow is reported with its screenshot, its console errors and the last messages of its websocket
(decoded: rerun requests sent, runs started and finished, auto-rerun timers registered).

ATELIER_FOLLOW_ROUNDS (default 12) and ATELIER_FOLLOW_SEED (default 7) vary the run."""
from __future__ import annotations

import os
import random
import time

import pytest

from tests.browser import chromium, running_app, wait_idle

pytestmark = pytest.mark.browser

GROUPS = ("Table A", "Table B", "Table C", "Table D", "Table E", "Table F")
STAGES = ("diagnostic", "recommendations", "implementation")
ROUNDS = int(os.environ.get("ATELIER_FOLLOW_ROUNDS", "12"))
FOLLOW_S = 10   # a tick is about a second; a full rerun of the page a few more on a loaded machine


@pytest.fixture
def room(sqlite_file):
    from core.access import join
    from core.actor import SYSTEM
    from core.session import board, recommendations
    from core.session import session_flow as flow
    from core.setup import events
    from storage import db

    db.configure(sqlite_file)
    try:
        ev = events.create_event(SYSTEM, slug="suivre", title="Suivre", category_template="partners_day")
        theme = events.add_theme(SYSTEM, ev["id"], "Thème")
        session = events.add_session(SYSTEM, theme["id"], "2026-03-02T09:00", "2026-03-02T12:30")
        groups = [events.add_subgroup(SYSTEM, session["id"], name)["id"] for name in GROUPS]
        flow.start_session(SYSTEM, session["id"])
        members = [join.join(session["id"], g, f"Rédaction {i}")[1].actor() for i, g in enumerate(groups)]
        findings = []
        for i, member in enumerate(members):
            kind = board.BOARD_KINDS[0]
            findings.append(board.add_contribution(member, session["id"], kind,
                                                   board.categories_for("partners_day", kind)[0], f"Constat {i}")["id"])
        flow.set_stage(SYSTEM, session["id"], "recommendations")
        for i, member in enumerate(members):
            recommendations.create_recommendation(member, session["id"], f"Recommandation {i + 1}", "regional",
                                                  text="Un guichet unique.", sources=[("contribution", findings[i])])
        flow.set_stage(SYSTEM, session["id"], "diagnostic")
    finally:
        db.configure(None)
        db.dispose_all()
    return {"url": sqlite_file, "sid": session["id"], "code": session["join_code"]}


def _in_core(url: str, fn, *args):
    from storage import db

    db.configure(url)
    try:
        return fn(*args)
    finally:
        db.configure(None)
        db.dispose_all()


def _join(browser, base: str, code: str, group: str, hook=None):
    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    if hook:
        hook(page)
    page.goto(f"{base}/join?join={code}")
    page.get_by_text(group, exact=True).wait_for(timeout=60_000)
    page.get_by_text(group, exact=True).click()
    page.locator(".st-key-join_name input").fill(f"Membre {group[-1]}")
    page.get_by_role("button", name="Rejoindre").click()
    page.get_by_text(f"Bienvenue, Membre {group[-1]} !").wait_for(timeout=60_000)
    wait_idle(page, 60_000)
    return page


def _banner(page) -> str:
    loc = page.locator(".st-key-live_group_task")
    try:
        return loc.first.inner_text(timeout=1_000) if loc.count() else ""
    except Exception:   # noqa: BLE001 - the part is being redrawn
        return ""


def _type_somewhere(page, rng: random.Random) -> None:
    """A participant types into a field of the page and leaves it (a full rerun of the page)."""
    fields = page.locator('[data-testid="stMain"] input[type="text"]:visible, '
                          '[data-testid="stMain"] textarea:visible')
    n = fields.count()
    if not n:
        return
    try:
        field = fields.nth(rng.randrange(n))
        field.fill(f"texte {rng.randrange(1000)}", timeout=2_000)
        field.press("Tab", timeout=2_000)
    except Exception:   # noqa: BLE001 - the field went away with a rerun: typing elsewhere is as good
        pass


def _vote(url: str, sid: int, pages: dict, rng: random.Random) -> None:
    """Stage 2's vote as the rehearsal has it: the vote opens, each table clicks its dots (buttons
    inside the live part), the results are revealed, the vote closed, two recommendations retained."""
    from core.actor import SYSTEM
    from core.session import recommendations, voting

    def ids() -> list[int]:
        return [r.id for r in recommendations.recommendations_snapshot(sid).items]
    _in_core(url, voting.clear_votes, SYSTEM, sid)
    _in_core(url, voting.open_vote, SYSTEM, sid, 3)
    started = time.monotonic()
    for _click in range(3):
        for page in pages.values():
            buttons = page.get_by_role("button", name="+1 point")
            try:
                if time.monotonic() - started < 15:
                    buttons.first.wait_for(timeout=5_000)
                n = buttons.count()
                if n:
                    buttons.nth(rng.randrange(n)).click(timeout=2_000)
            except Exception:   # noqa: BLE001 - redrawn or no dots left: the next click will do
                pass
    _in_core(url, voting.reveal_results, SYSTEM, sid)
    _in_core(url, voting.close_vote, SYSTEM, sid)
    recs = _in_core(url, ids)
    for rec in recs:
        _in_core(url, recommendations.set_retained, SYSTEM, rec, False)
    for rec in rng.sample(recs, 2):
        _in_core(url, recommendations.set_retained, SYSTEM, rec, True)


def _record(page, sent: list[float], trace: list[str]) -> None:
    """Keep what the page's websocket sends and receives (decoded), from its first connection on."""
    def on_socket(ws) -> None:
        ws.on("framesent", lambda f: (sent.append(time.monotonic()), trace.append(_back(f))))
        ws.on("framereceived", lambda f: trace.append(_fwd(f)))
        ws.on("close", lambda _ws: trace.append(f"{time.monotonic():.2f} -- websocket closed"))
    page.on("websocket", on_socket)
    page.on("console", lambda msg: trace.append(f"{time.monotonic():.2f} -- console {msg.type}: {msg.text[:200]}")
            if any(w in msg.text for w in ("onnect", "eartbeat", "WebSocket", "websocket")) else None)


def _back(frame) -> str:
    from streamlit.proto.BackMsg_pb2 import BackMsg
    try:
        msg = BackMsg()
        msg.ParseFromString(frame if isinstance(frame, bytes) else frame.encode())
        kind = msg.WhichOneof("type")
        if kind == "rerun_script":
            r = msg.rerun_script
            trig = [w.id[-30:] for w in r.widget_states.widgets if w.WhichOneof("value") == "trigger_value"]
            return f"{time.monotonic():.2f} >> rerun frag={r.fragment_id[:6]} auto={r.is_auto_rerun} trig={trig}"
        return f"{time.monotonic():.2f} >> {kind}"
    except Exception as exc:   # noqa: BLE001
        return f">> ? {exc}"


def _fwd(frame) -> str:
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
    try:
        msg = ForwardMsg()
        msg.ParseFromString(frame if isinstance(frame, bytes) else frame.encode())
        kind = msg.WhichOneof("type")
        run = msg.metadata.run
        tag = f"run={run.script_run_id[:6]} frags={[f[:6] for f in run.fragment_ids]}"
        if kind == "delta":
            return f"{time.monotonic():.2f} << delta {list(msg.metadata.delta_path)} {tag}"
        if kind == "auto_rerun":
            rerun = msg.auto_rerun
            return f"{time.monotonic():.2f} << auto_rerun {rerun.fragment_id[:6]} {rerun.interval:.2f}"
        if kind == "stop_auto_rerun":
            stopped = [f[:6] for f in msg.stop_auto_rerun.fragment_ids]
            return f"{time.monotonic():.2f} << STOP_auto_rerun {stopped}"
        if kind == "script_finished":
            return f"{time.monotonic():.2f} << finished {msg.script_finished} {tag}"
        if kind == "session_status_changed":
            return f"{time.monotonic():.2f} << status running={msg.session_status_changed.script_is_running}"
        return f"{time.monotonic():.2f} << {kind} {tag}"
    except Exception as exc:   # noqa: BLE001
        return f"<< ? {exc}"


@pytest.mark.xfail(
    reason="under load (2 cores, two rooms at once) a page now and then loses its websocket (console: « Cannot "
           "send rerun backMessage when disconnected from server »), its live parts stop and it stays on the old "
           "stage; not yet fixed (see the report of 2026-12-05)",
    strict=False)
def test_every_page_follows_the_stage_however_often_it_moves(room) -> None:
    from core.actor import SYSTEM
    from core.session import session_flow as flow

    rng = random.Random(os.environ.get("ATELIER_FOLLOW_SEED", "7"))
    sent: dict[str, list[float]] = {g: [] for g in GROUPS}
    stuck: list[str] = []
    errors: list[str] = []
    trace: dict[str, list[str]] = {g: [] for g in GROUPS}
    with running_app(room["url"]) as base, chromium() as browser:
        pages = {}
        for group in GROUPS:
            page = _join(browser, base, room["code"], group,
                         hook=lambda page, g=group: _record(page, sent[g], trace[g]))
            page.on("pageerror", lambda exc, g=group: errors.append(f"{g}: {exc}"))
            page.on("console", lambda msg, g=group: errors.append(f"{g} console {msg.type}: {msg.text[:300]}")
                    if msg.type == "error" else None)
            pages[group] = page
        current = "diagnostic"
        for round_ in range(ROUNDS):
            if current == "recommendations" and rng.random() < 0.7:
                _vote(room["url"], room["sid"], pages, rng)
                moves = ["implementation"]
            else:
                moves = [rng.choice([s for s in STAGES if s != current])]
                if rng.random() < 0.3:   # the facilitator clicks on, then back
                    moves.append(rng.choice([s for s in STAGES if s != moves[-1]]))
            for i, stage in enumerate(moves):
                _in_core(room["url"], flow.set_stage, SYSTEM, room["sid"], stage)
                current = stage
                for page in pages.values():
                    if rng.random() < 0.2:
                        _type_somewhere(page, rng)
                if i + 1 < len(moves):
                    time.sleep(rng.uniform(0.05, 1.5))
            want = f"Étape {STAGES.index(current) + 1} sur 3"
            started = time.monotonic()
            late = set(pages)
            while late and time.monotonic() - started < FOLLOW_S:
                late = {g for g in late if want not in _banner(pages[g])}
                time.sleep(0.2)
            for g in sorted(late):
                now = time.monotonic()
                recent = sum(1 for t in sent[g] if now - t < 5)
                shot = f"/tmp/follow-{round_}-{g[-1]}.png"
                pages[g].screenshot(path=shot)
                stuck.append(f"round {round_}: {g} shows {_banner(pages[g])[:40]!r}, not {want!r}, "
                             f"after {FOLLOW_S} s; {recent} frames sent in the last 5 s ({shot})")
                print(stuck[-1], flush=True)
                print("\n".join(errors[-20:]), flush=True)
                print("\n".join(trace[g][-150:]), flush=True)
                pages[g].reload()
                wait_idle(pages[g], 60_000)
            print(f"round {round_}: {moves} late={sorted(late)} in {time.monotonic() - started:.1f} s", flush=True)
    assert not stuck, "\n".join(stuck)
