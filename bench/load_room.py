#!/usr/bin/env python3
"""Speed benchmark of a workshop room (issue 6): simulated browser tabs against a real server.

    .venv/bin/python bench/load_room.py [--sessions 40|80] [--duration 60] [--interval 1]

One command, bounded in time, loopback only. It

1. creates a temporary SQLite database (or uses ``--database URL``: it must be empty or already
   seeded), runs ``manage.py init-db`` and ``seed-demo``;
2. prepares the Partner's Day session: 8 sub-groups (the 6 seeded ones plus new ones, each with a
   persona), the session open, the projector on the personas gallery (``--view``), a second-screen
   token, a join token per participant (spread over the sub-groups) and a facilitator account;
3. starts the app (``streamlit run app.py`` on a free loopback port, ``ATELIER_LIVE_INTERVAL``
   = ``--interval``) and opens, through Streamlit's websocket protocol (bench/stclient.py):
   the projector (``/?screen=TOKEN``), the facilitator's console (``/console``, staff cookie),
   the participants beyond the first 40 (spread over ``--ramp`` s), then the *burst*: 40
   participants opening ``/canvas`` with their ``atelier_p`` cookie within ``--burst-window`` s;
4. measures ``--duration`` s of ticking (every tab follows its fragments' ``run_every`` timers
   like a browser) while every sub-group submits the canvas page's "add a barrier" form with a
   unique marker every ``--write-every`` s (``--write-mode form``: through the websocket, so the
   write costs the server what a real click costs; ``--write-mode core``: ``core.personas.canvas.add_barrier``
   called from this process, so the write's cost lands here, not in the server's CPU figure);
   propagation = form submit -> the marker's first byte on the projector tab (and on the other
   tabs of the same sub-group);
5. stops the app and does the same number of tabs ticking at the same rate on
   bench/trivial_app.py (a fragment that reads nothing) in a second server: the framework's floor
   on this machine, in the same run;
6. prints a table with the targets and writes the JSON to bench/results/.

Server CPU and RSS come from /proc/<pid>; the load client's own CPU is reported too (it shares the
machine's cores with the server). See bench/LOAD.md.
"""
from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import hashlib
import json
import math
import os
import random
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(BENCH))

from stclient import Tab, http_get, now  # noqa: E402

CLK_TCK = os.sysconf("SC_CLK_TCK")
BURST = 40
GROUPS = 8
STAFF_USER = "bench-facilitator"
# the canvas page's "add an item" form, (form key, text input key), newest layout last; its kind
# selector (if any) is left at its default, a barrier
ADD_FORMS = (("add_barrier_form", "add_barrier_text"), ("add_form", "add_text"))
LOAD_TIMEOUT = 60.0  # a first load not done by then counts as this long (and as an error)
TARGETS = {"propagation_p95_s": 1.5, "tick_ratio_p95": 3.0, "first_load_p95_s": 3.0}


# --- numbers --------------------------------------------------------------------------------------

def percentile(values: list[float], p: float) -> float:
    s = sorted(values)
    return s[max(0, min(len(s) - 1, math.ceil(p / 100 * len(s)) - 1))] if s else float("nan")


def summary(values: list[float]) -> dict[str, Any]:
    if not values:
        return {"n": 0}
    return {"n": len(values), "p50_ms": round(1000 * percentile(values, 50), 1),
            "p95_ms": round(1000 * percentile(values, 95), 1), "p99_ms": round(1000 * percentile(values, 99), 1),
            "max_ms": round(1000 * max(values), 1), "mean_ms": round(1000 * sum(values) / len(values), 1)}


def cpu_seconds(pid: int | str) -> float | None:
    """utime + stime of a process, all threads (/proc/<pid>/stat)."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = raw[raw.rfind(")") + 2:].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def rss_mb(pid: int | str) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


def machine_busy() -> tuple[float, float]:
    parts = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
    return float(sum(parts) - parts[3] - parts[4]), float(sum(parts))


class Meter:
    """CPU of the server, of this client and of the machine between two marks; RSS sampled each second."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.rss: list[float] = []
        self.cpu_1s: list[float] = []
        self._task: asyncio.Task | None = None

    def mark(self) -> dict[str, Any]:
        return {"t": now(), "server": cpu_seconds(self.pid), "client": cpu_seconds("self"), "machine": machine_busy()}

    @staticmethod
    def between(a: dict[str, Any], b: dict[str, Any]) -> dict[str, float | None]:
        span = b["t"] - a["t"]
        busy, total = b["machine"][0] - a["machine"][0], b["machine"][1] - a["machine"][1]
        return {"server_cpu_pct": round(100 * (b["server"] - a["server"]) / span, 1)
                if span > 0 and a["server"] is not None and b["server"] is not None else None,
                "client_cpu_pct": round(100 * (b["client"] - a["client"]) / span, 1) if span > 0 else None,
                "machine_cpu_pct": round(100 * (os.cpu_count() or 1) * busy / total, 1) if total else None}

    async def _sample(self) -> None:
        last = self.mark()
        while True:
            await asyncio.sleep(1.0)
            mark = self.mark()
            if (r := rss_mb(self.pid)) is not None:
                self.rss.append(r)
            if (c := self.between(last, mark)["server_cpu_pct"]) is not None:
                self.cpu_1s.append(c)
            last = mark

    def start(self) -> None:
        self._task = asyncio.create_task(self._sample())

    async def stop(self) -> None:
        if self._task:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)


# --- servers ---------------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def profile(cfg: argparse.Namespace, pid: int, name: str, seconds: float) -> subprocess.Popen | None:
    """With ``--profile DIR``: py-spy samples the server (threads holding the GIL) during the window,
    as collapsed stacks in DIR/<name>.txt (pip install py-spy into the venv; not a dependency)."""
    if not cfg.profile:
        return None
    cfg.profile.mkdir(parents=True, exist_ok=True)
    spy = Path(sys.executable).with_name("py-spy")
    return subprocess.Popen([str(spy), "record", "--pid", str(pid), "--duration", str(int(seconds)), "--rate", "100",
                             "--gil", "--format", "raw", "--output", str(cfg.profile / f"{name}.txt"), "--nonblocking"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


# (label, substrings of a py-spy frame): a sample goes to the first category one of its frames matches
PROFILE_CATEGORIES = (
    ("revision query (core.session.live.revision)", ("revision (core/session/live.py",)),
    ("snapshot rebuilt after a write (st.cache_* miss)", ("_handle_cache_miss",)),
    ("st.cache_* key: hashing the arguments", ("_make_value_key",)),
    ("st.cache_* hit: read (+ unpickle for cache_data)", ("_get_or_create_cached_value",)),
    ("canvas sections: item rows (canvas.py section_drawer)", ("section_drawer.<locals>.draw",)),
    ("canvas live part: what is missing + lists (canvas.py draw_canvas)",
     ("draw_canvas (canvas.py", "draw_canvas (app_pages/canvas.py")),
    ("projector page", ("(projector.py:", "(app_pages/projector.py:")),
    ("console page", ("(console.py:", "(app_pages/console.py:")),
    ("identity (ui.auth.resolve_identity)", ("resolve_identity",)),
    ("rest of full runs (app.py, page bodies, forms)", ("<module> (app.py",)),
    ("script runner + fragment machinery", ("ScriptRunner._run_script",)),
    ("event loop: websocket in/out, ForwardMsg queue", ("BaseEventLoop",)),
)


def summarise_profile(path: Path, cpu_pct: float | None) -> dict[str, Any]:
    """Share of the GIL-holding samples per category (and as ms of server CPU per second)."""
    counts: dict[str, int] = {}
    total = 0
    try:
        lines = path.read_text().splitlines()
    except OSError:
        return {}
    for line in lines:
        stack, _, n = line.rpartition(" ")
        if not stack or not n.isdigit():
            continue
        total += int(n)
        name = next((label for label, keys in PROFILE_CATEGORIES if any(k in stack for k in keys)), "other")
        counts[name] = counts.get(name, 0) + int(n)
    if not total:
        return {}
    return {"samples": total, "file": str(path), "categories": [
        {"what": name, "share_pct": round(100 * n / total, 1),
         "cpu_ms_per_s": round(10 * cpu_pct * n / total, 1) if cpu_pct is not None else None}
        for name, n in sorted(counts.items(), key=lambda x: -x[1])]}


def stop_profile(spy: subprocess.Popen | None) -> None:
    if spy is not None:
        try:
            spy.wait(20)
        except subprocess.TimeoutExpired:
            spy.terminate()
            spy.wait(5)


class Server:
    """``streamlit run SCRIPT`` on a free loopback port; its log goes to a file."""

    def __init__(self, script: str, env: dict[str, str], log: Path, extra: list[str] = ()) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/"
        self.log = log
        cmd = [sys.executable, "-m", "streamlit", "run", script, "--server.port", str(self.port),
               "--server.address", "127.0.0.1", "--server.headless", "true", "--browser.gatherUsageStats", "false",
               *extra]
        self._out = open(log, "wb")
        self.proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=self._out, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL)
        self.pid = self.proc.pid

    async def ready(self, timeout: float = 90) -> None:
        deadline = now() + timeout
        while now() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited ({self.proc.returncode}); see {self.log}")
            if await http_get("127.0.0.1", self.port, "/_stcore/health", 2) == 200:
                return
            await asyncio.sleep(0.3)
        raise RuntimeError(f"server not ready in {timeout:.0f} s; see {self.log}")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        self._out.close()

    def log_size(self) -> int:
        self._out.flush()
        return self.log.stat().st_size if self.log.exists() else 0

    def log_problems(self, upto: int | None = None) -> list[str]:
        """Tracebacks and errors in the server's log (up to byte ``upto``: e.g. before the tabs close,
        since uvicorn logs a traceback for some websockets closed by the client)."""
        try:
            lines = self.log.read_bytes()[:upto].decode(errors="replace").splitlines()
        except OSError:
            return []
        return [ln for ln in lines if "Traceback" in ln or " ERROR " in ln or ln.startswith("Error")]


# --- the room --------------------------------------------------------------------------------------

@dataclass
class Room:
    session_id: int
    groups: list[tuple[int, str]]            # (sub-group id, name), 8 of them
    personas: dict[int, int]                 # sub-group id -> its persona
    participants: list[tuple[str, int]]      # (join token, sub-group id)
    screen_token: str
    staff_cookie: str
    persona_names: list[str] = field(default_factory=list)
    setup_s: float = 0.0


MEASURED_FILES = ("app.py", "ui/live.py", "ui/auth.py", "core/session/live.py", "app_pages/canvas.py",
                  "app_pages/projector.py", "app_pages/console.py", "core/personas/canvas.py",
                  "core/session/projector.py", ".streamlit/config.toml")


def code_version() -> dict[str, Any]:
    """Which code was measured: the commit, the files changed since, a digest of the live-view files."""
    def git(*args: str) -> str:
        try:
            return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, timeout=10).stdout.rstrip()
        except (OSError, subprocess.SubprocessError):
            return ""
    digest = hashlib.sha1()
    for name in MEASURED_FILES:
        path = ROOT / name
        digest.update(name.encode() + (path.read_bytes() if path.exists() else b"-"))
    return {"commit": git("rev-parse", "--short", "HEAD"),
            "uncommitted": [ln[3:] for ln in git("status", "--porcelain", "--", *MEASURED_FILES).splitlines()],
            "live_files_sha1": digest.hexdigest()[:12]}


def view_shows_personas(view: str) -> bool:
    return view == "personas"


def prepare_database(url: str, env: dict[str, str]) -> None:
    for cmd in (["init-db"], ["seed-demo", "--if-empty"]):
        done = subprocess.run([sys.executable, "manage.py", *cmd], cwd=ROOT, env=env, capture_output=True, text=True,
                              timeout=300)
        if done.returncode != 0:
            raise RuntimeError(f"manage.py {' '.join(cmd)} failed: {done.stderr.strip() or done.stdout.strip()}")


def prepare_room(participants: int, view: str, cookie_key: str) -> Room:
    """Through core, as the command line would: sub-groups, personas, tokens, projector link."""
    import jwt
    from sqlalchemy import select

    from core.access import accounts, join
    from core.actor import SYSTEM
    from core.personas import canvas
    from core.session import projector, session_flow
    from core.setup import demo_data, events
    from storage import db
    from storage import models as m

    t0 = time.monotonic()
    with db.read_session() as s:
        sid = s.execute(select(m.WorkshopSession.id).join(m.Theme).join(m.Event)
                        .where(m.Event.slug == demo_data.PARTNERS_DAY["slug"]).order_by(m.WorkshopSession.id)
                        ).scalars().first()
        if sid is None:
            raise RuntimeError("the Partner's Day session is missing: run seed-demo")
        event_id = s.execute(select(m.Theme.event_id).join(m.WorkshopSession)
                             .where(m.WorkshopSession.id == sid)).scalar_one()

    def groups() -> list[tuple[int, str]]:
        with db.read_session() as s:
            return [(g.id, g.name) for g in s.execute(select(m.Subgroup).where(
                m.Subgroup.session_id == sid, m.Subgroup.deleted_at.is_(None)).order_by(m.Subgroup.position,
                                                                                        m.Subgroup.id)).scalars()]
    found = groups()
    for number in range(len(found) + 1, GROUPS + 1):
        events.add_subgroup(SYSTEM, sid, f"Sous-groupe {number}")
    found = groups()[:GROUPS]
    with db.read_session() as s:
        personas = {}
        for p in s.execute(select(m.Persona).where(m.Persona.session_id == sid, m.Persona.deleted_at.is_(None))
                           .order_by(m.Persona.id)).scalars():
            personas.setdefault(p.subgroup_id, p.id)
    for number, (gid, _name) in enumerate(found, start=1):
        if gid not in personas:
            personas[gid] = canvas.create_persona(SYSTEM, sid, f"Persona {number}", subgroup_id=gid, age=30 + number,
                                                  origin="Bruxelles")["id"]
    session_flow.start_session(SYSTEM, sid)
    session_flow.set_stage(SYSTEM, sid, "diagnostic")
    session_flow.set_projector_view(SYSTEM, sid, view)
    screen = projector.issue_screen_token(SYSTEM, sid)
    tokens = []
    for i in range(participants):
        gid = found[i % len(found)][0]
        tokens.append((join.join(sid, gid, f"P{i + 1:02d}")[0], gid))
    if accounts.get_user(STAFF_USER) is None:
        accounts.create_user(STAFF_USER, "facilitator", "Bench Facilitator", "", secrets.token_urlsafe(24))
    accounts.attach_to_event(STAFF_USER, event_id)
    events.set_session_facilitators(SYSTEM, sid, [accounts.get_user(STAFF_USER).id])
    hours = float(os.environ.get("ATELIER_COOKIE_EXPIRY_HOURS", "12"))
    staff = jwt.encode({"username": STAFF_USER, "exp_date": time.time() + hours * 3600 + 60}, cookie_key,
                       algorithm="HS256")
    with db.read_session() as s:
        names = list(s.execute(select(m.Persona.name).where(m.Persona.id.in_(list(personas.values())))).scalars())
    return Room(sid, found, personas, tokens, screen, staff, names, time.monotonic() - t0)


# --- phases ----------------------------------------------------------------------------------------

@dataclass
class Run:
    """Shared state of one phase: its tabs (with their role) and the error log."""

    tabs: list[tuple[str, Tab]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def tab(self, role: str, url: str, **kw: Any) -> Tab:
        tab = Tab(url, on_error=self.errors.append, label=kw.pop("label", role), **kw)
        self.tabs.append((role, tab))
        return tab

    def ticks(self, role: str, start: float, end: float, by_full_run: bool | None = None) -> list[float]:
        """Latencies of fragment ticks sent in [start, end); ``by_full_run``: only those answered by a
        full run (True: the tick reran the page) or by a fragment run (False)."""
        return [a.latency for r, tab in self.tabs if r == role for a in tab.answers
                if a.kind == "fragment" and start <= a.t_send < end
                and (by_full_run is None or a.by_full_run == by_full_run)]

    def unanswered(self, role: str, start: float, end: float) -> int:
        return sum(1 for r, tab in self.tabs if r == role for q in tab.pending
                   if q.kind == "fragment" and start <= q.t_send < end)

    def run_times(self, role: str, start: float, end: float) -> list[float]:
        return [d for r, tab in self.tabs if r == role for t, d, _n in tab.run_durations if start <= t < end]

    def messages_per_run(self, role: str, start: float, end: float) -> float | None:
        counts = [n for r, tab in self.tabs if r == role for t, _d, n in tab.run_durations if start <= t < end]
        return round(sum(counts) / len(counts), 1) if counts else None

    def timeline(self, roles: tuple[str, ...], start: float, end: float, step: float = 5.0) -> list[dict[str, Any]]:
        out = []
        for b in range(max(1, math.ceil((end - start) / step))):
            lo, hi = start + b * step, min(end, start + (b + 1) * step)
            vals = [v for role in roles for v in self.ticks(role, lo, hi)]
            out.append({"t": b * step, "n": len(vals), "p50_ms": summary(vals).get("p50_ms"),
                        "p95_ms": summary(vals).get("p95_ms")})
        return out

    async def close(self) -> None:
        await asyncio.gather(*(tab.close() for _r, tab in self.tabs), return_exceptions=True)


T0 = now()


def say(text: str) -> None:
    print(f"load_room [{now() - T0:6.1f} s] {text}", flush=True)


async def sleep_until(t: float) -> None:
    await asyncio.sleep(max(0.0, t - now()))


async def open_spread(run: Run, tabs: list[Tab], window: float, first_at: float | None = None) -> list[float | None]:
    """Open the tabs at random moments within ``window`` seconds (like people arriving)."""
    start = now() if first_at is None else first_at
    offsets = sorted(random.uniform(0, window) for _ in tabs)

    async def one(tab: Tab, offset: float) -> float | None:
        await sleep_until(start + offset)
        return await tab.open(timeout=LOAD_TIMEOUT)
    return await asyncio.gather(*(one(t, o) for t, o in zip(tabs, offsets)))


async def room_phase(cfg: argparse.Namespace, room: Room, env: dict[str, str], workdir: Path,
                     result: dict[str, Any]) -> None:
    """The app with the room; fills ``result`` as it goes (a run stopped by the cap keeps what it has)."""
    server = Server("app.py", env, workdir / "app-server.log")
    run = Run()
    meter = Meter(server.pid)
    result["server_port"] = server.port
    log_mark, spy = None, None
    try:
        await server.ready()
        say(f"app server up on {server.url} (pid {server.pid})")
        meter.start()
        url = server.url
        # the facilitator and the projector come first (they also pay the first imports)
        projector = run.tab("projector", url, query=f"screen={room.screen_token}", collect_text=True)
        opened = {"projector": await projector.open(timeout=90)}
        console = None
        if cfg.facilitator:
            console = run.tab("console", url, path="console", cookies={"atelier_staff": room.staff_cookie})
            opened["console"] = await console.open(timeout=90)
        result["first_open_s"] = {k: round(v, 3) if v else None for k, v in opened.items()}
        if view_shows_personas(cfg.view) and not any(n in x for n in room.persona_names for x in projector.texts):
            run.errors.append("projector: no persona of the room on the screen")

        canvases = [run.tab("canvas", url, path="canvas", cookies={"atelier_p": token}, label=f"canvas-{i + 1}")
                    for i, (token, _gid) in enumerate(room.participants)]
        group_of = {id(tab): gid for tab, (_token, gid) in zip(canvases, room.participants)}
        burst, early = canvases[:BURST], canvases[BURST:]
        say(f"projector and console open ({result['first_open_s']})")
        if early:  # a room larger than the burst: the others are already there, ticking
            await open_spread(run, early, cfg.ramp)
            say(f"{len(early)} participants beyond the burst open")
            await asyncio.sleep(2)
        mark = meter.mark()
        loads = await open_spread(run, burst, cfg.burst_window)
        result["burst"] = {"tabs": len(burst), "window_s": cfg.burst_window,
                           "first_load": summary([LOAD_TIMEOUT if x is None else x for x in loads]),
                           "failed": sum(1 for x in loads if x is None), **meter.between(mark, meter.mark())}

        say(f"burst done: {len(burst)} first loads, p95 {result['burst']['first_load'].get('p95_ms')} ms")
        await asyncio.sleep(cfg.settle)
        writers = {}
        for tab in canvases:  # the first tab of each sub-group writes, the others of the group read
            writers.setdefault(group_of[id(tab)], tab)
        start = now()
        end = start + cfg.duration
        mark = meter.mark()
        writes: dict[str, dict[str, Any]] = {}
        tag = secrets.token_hex(3)

        async def writer(number: int, gid: int, tab: Tab) -> None:
            from core.access import join as core_join
            from core.personas import canvas as core_canvas

            actor = core_join.resolve(room.participants[canvases.index(tab)][0]).actor() \
                if cfg.write_mode == "core" else None
            k = 0
            at = start + 0.5 + number * cfg.write_every / len(writers)
            while at < end - 1 and not tab.closed:
                await sleep_until(at)
                if now() >= end - 1:  # a slow server made this writer late: no write after the window
                    break
                # not flagged as personal data (letters only), and unlike every other marker: the canvas
                # asks "already there: add anyway?" for a near-duplicate item of the same section
                noise = "".join(random.choice("abcdefghijkmnopqrstuvwxyz") for _ in range(14))
                marker = f"zqbench {tag} g{number + 1} w{k}x {noise}"
                projector.watch(marker)
                for other in canvases:
                    if other is not tab and group_of[id(other)] == gid:
                        other.watch(marker)
                record = writes[marker] = {"group": number + 1, "gid": gid, "t": now()}
                try:
                    if cfg.write_mode == "form":
                        form, text_key = next(((f, key) for f, key in ADD_FORMS if key in tab.widgets), ADD_FORMS[0])
                        states = tab.submit_form(form, {text_key: marker})
                        record["t"] = now()
                        record["ack"] = await tab.rerun(states, timeout=max(2.0, end + cfg.drain - now()))
                    else:
                        record["t"] = now()
                        await asyncio.to_thread(core_canvas.add_barrier, actor, room.personas[gid], marker)
                        record["ack"] = now() - record["t"]
                except Exception as exc:  # noqa: BLE001 - a failed write is an error of the run
                    run.errors.append(f"writer g{number + 1}: {exc!r}")
                if record.get("ack") is None and tab.trace is not None:
                    traces.setdefault(f"g{number + 1} {marker}", list(tab.trace))
                k += 1
                at = start + 0.5 + number * cfg.write_every / len(writers) + k * cfg.write_every

        traces: dict[str, list] = {}  # protocol events of writers whose submit went unanswered
        for tab in writers.values():
            tab.enable_trace()
        tasks = [asyncio.create_task(writer(n, gid, tab)) for n, (gid, tab) in enumerate(writers.items())
                 if cfg.write_every > 0]
        say(f"measuring {cfg.duration:.0f} s of ticks with {len(writers)} writing sub-groups")
        spy = profile(cfg, server.pid, "app", cfg.duration)
        await sleep_until(end)
        window = meter.between(mark, meter.mark())
        log_mark = server.log_size()
        await asyncio.gather(*tasks, return_exceptions=True)
        drain_end = now() + cfg.drain
        while now() < drain_end and any(m not in projector.seen for m in writes):
            await asyncio.sleep(0.1)

        readers = [t for t in canvases if t not in writers.values()]
        to_projector = [projector.seen[m] - w["t"] for m, w in writes.items() if m in projector.seen]
        to_group = [t.seen[m] - w["t"] for m, w in writes.items() for t in readers
                    if group_of[id(t)] == w["gid"] and m in t.seen]
        group_expected = sum(1 for w in writes.values() for t in readers if group_of[id(t)] == w["gid"])
        result.update({
            "window": {"duration_s": cfg.duration, **window,
                       "server_cpu_pct_max_1s": max(meter.cpu_1s[-int(cfg.duration):], default=None)},
            "ticks": {role: summary(run.ticks(role, start, end)) for role in ("projector", "canvas", "console")},
            "ticks_unanswered": {role: run.unanswered(role, start, end) for role in ("projector", "canvas", "console")},
            "ticks_by_fragment_run": {role: summary(run.ticks(role, start, end, False))
                                      for role in ("projector", "canvas", "console")},
            "ticks_by_full_run": {role: summary(run.ticks(role, start, end, True))
                                  for role in ("projector", "canvas", "console")},
            "run_time": {role: summary(run.run_times(role, start, end)) for role in ("projector", "canvas", "console")},
            "messages_per_run": {role: run.messages_per_run(role, start, end)
                                 for role in ("projector", "canvas", "console")},
            "runs_per_s": {role: round(len(run.run_times(role, start, end)) / cfg.duration, 1)
                           for role in ("projector", "canvas", "console")},
            "timeline": run.timeline(("canvas", "projector"), start, end),
            "propagation": {
                "write_mode": cfg.write_mode, "writers": len(writers), "write_every_s": cfg.write_every,
                "writes": len(writes),
                "to_projector": summary(to_projector), "missed_projector": len(writes) - len(to_projector),
                "to_group_tabs": summary(to_group), "missed_group_tabs": group_expected - len(to_group),
                "write_ack": summary([w["ack"] for w in writes.values() if w.get("ack") is not None]),
            },
            "unanswered_write_traces": traces,
            "tabs": {"projector": 1, "console": 1 if console else 0, "canvas": len(canvases)},
            "interrupted_runs": sum(t.interrupted for _r, t in run.tabs),
            "runs_without_finish": sum(t.runs_without_finish for _r, t in run.tabs),
            "messages": sum(t.messages for _r, t in run.tabs), "bytes": sum(t.bytes for _r, t in run.tabs),
        })
    finally:
        stop_profile(spy)
        if spy is not None:
            result["profile"] = summarise_profile(cfg.profile / "app.txt",
                                                  result.get("window", {}).get("server_cpu_pct"))
        await run.close()
        await meter.stop()
        result["rss_mb"] = {"max": round(max(meter.rss), 1) if meter.rss else None,
                            "end": round(meter.rss[-1], 1) if meter.rss else None}
        server.stop()
        say("app server stopped")
        result["server_log_problems"] = server.log_problems(log_mark)[:20]
        result["server_log_problems_at_close"] = len(server.log_problems()) - len(server.log_problems(log_mark))
        result["errors"] = run.errors[:50]
        result["error_count"] = len(run.errors)


async def trivial_phase(cfg: argparse.Namespace, tabs: int, env: dict[str, str], workdir: Path,
                        result: dict[str, Any]) -> None:
    server = Server("bench/trivial_app.py", env, workdir / "trivial-server.log", ["--runner.postScriptGC", "false"])
    run = Run()
    meter = Meter(server.pid)
    result.update({"tabs": tabs, "fragments_per_tab": int(env.get("ATELIER_TRIVIAL_FRAGMENTS", "1"))})
    log_mark, spy = None, None
    try:
        await server.ready()
        say(f"trivial server up on {server.url}")
        meter.start()
        loads = await open_spread(run, [run.tab("trivial", server.url, label=f"trivial-{i + 1}") for i in range(tabs)],
                                  cfg.ramp)
        result["first_load"] = summary([LOAD_TIMEOUT if x is None else x for x in loads])
        say(f"{tabs} trivial tabs open; measuring {cfg.trivial_duration:.0f} s")
        await asyncio.sleep(cfg.settle)
        start, mark = now(), meter.mark()
        spy = profile(cfg, server.pid, "trivial", cfg.trivial_duration)
        await asyncio.sleep(cfg.trivial_duration)
        end = now()
        log_mark = server.log_size()
        result.update({"window": {"duration_s": cfg.trivial_duration, **meter.between(mark, meter.mark())},
                       "ticks": summary(run.ticks("trivial", start, end)),
                       "ticks_unanswered": run.unanswered("trivial", start, end),
                       "run_time": summary(run.run_times("trivial", start, end)),
                       "messages_per_run": run.messages_per_run("trivial", start, end),
                       "runs_per_s": round(len(run.run_times("trivial", start, end)) / cfg.trivial_duration, 1),
                       "timeline": run.timeline(("trivial",), start, end)})
    finally:
        stop_profile(spy)
        if spy is not None:
            result["profile"] = summarise_profile(cfg.profile / "trivial.txt",
                                                  result.get("window", {}).get("server_cpu_pct"))
        await run.close()
        await meter.stop()
        result["rss_mb"] = {"max": round(max(meter.rss), 1) if meter.rss else None}
        server.stop()
        say("trivial server stopped")
        result["server_log_problems"] = server.log_problems(log_mark)[:20]
        result["server_log_problems_at_close"] = len(server.log_problems()) - len(server.log_problems(log_mark))
        result["errors"] = run.errors[:50]
        result["error_count"] = len(run.errors)


# --- report ----------------------------------------------------------------------------------------

def row(name: str, s: dict[str, Any], note: str = "") -> str:
    if not s or not s.get("n"):
        return f"  {name:<44s} {'n=0':>6s}"
    return (f"  {name:<44s} {s['n']:>6d} {s['p50_ms']:>8.0f} {s['p95_ms']:>8.0f} {s['p99_ms']:>8.0f} "
            f"{s['max_ms']:>8.0f}  {note}")


def verdicts(res: dict[str, Any]) -> list[tuple[str, bool | None, str]]:
    room, triv = res["room"], res.get("trivial")
    out = []
    prop = room.get("propagation", {})
    p95 = prop.get("to_projector", {}).get("p95_ms")
    out.append(("write -> projector p95 <= 1.5 s, none missed",
                None if p95 is None else p95 <= 1000 * TARGETS["propagation_p95_s"] and prop["missed_projector"] == 0,
                f"p95 {p95} ms, missed {prop.get('missed_projector')}"))
    floor = triv.get("ticks", {}).get("p95_ms") if triv else None
    for role in ("projector", "canvas"):
        v = room.get("ticks", {}).get(role, {}).get("p95_ms")
        ok = None if v is None or not floor else v <= TARGETS["tick_ratio_p95"] * floor
        ratio = f"{v / floor:.1f}x" if v is not None and floor else "n/a"
        out.append((f"tick p95 {role} <= 3x trivial page", ok, f"{v} ms vs {floor} ms = {ratio}"))
    fl = room.get("burst", {}).get("first_load", {}).get("p95_ms")
    out.append(("first load p95 < 3 s (burst of 40 in 10 s)",
                None if fl is None else fl < 1000 * TARGETS["first_load_p95_s"], f"{fl} ms"))
    errs = (room.get("error_count", 0) + (triv or {}).get("error_count", 0)
            + len((triv or {}).get("server_log_problems", [])) + len(room.get("server_log_problems", [])))
    out.append(("zero errors", errs == 0, f"{errs}"))
    return out


def report(res: dict[str, Any]) -> None:
    cfg, room, triv = res["config"], res["room"], res.get("trivial")
    b = room.get("burst", {})
    p = print
    p(f"\n== Atelier load room: {cfg['sessions']} participants + projector"
      f"{' + facilitator' if cfg['facilitator'] else ''}, tick {cfg['interval']} s (+0-25 %), "
      f"{cfg['duration']} s window, writes: {room.get('propagation', {}).get('writers', GROUPS)} sub-groups every "
      f"{cfg['write_every']} s ({cfg['write_mode']})")
    code = res.get("code", {})
    p(f"   machine: {os.cpu_count()} cores, load average before {res['loadavg_before']}; app postScriptGC="
      f"{res['app_post_script_gc']}; database {res['database']}")
    p(f"   code: commit {code.get('commit')}, uncommitted {code.get('uncommitted') or 'none'}, "
      f"live files sha1 {code.get('live_files_sha1')}")
    p(f"  {'':<44s} {'n':>6s} {'p50':>8s} {'p95':>8s} {'p99':>8s} {'max':>8s}  (ms)")
    p(row(f"first load, burst of {b.get('tabs')} in {b.get('window_s')} s", b.get("first_load", {}),
          f"server CPU {b.get('server_cpu_pct')} % during the burst"))
    for role in ("projector", "canvas", "console"):
        p(row(f"tick {role}", room.get("ticks", {}).get(role, {}),
              f"unanswered {room.get('ticks_unanswered', {}).get(role)}"))
        full = room.get("ticks_by_full_run", {}).get(role, {})
        if full.get("n"):
            p(row("  of which answered by a fragment run", room.get("ticks_by_fragment_run", {}).get(role, {})))
            p(row("  of which reran the page (full run)", full))
    if triv:
        p(row(f"tick trivial page ({triv.get('tabs')} tabs, same rate)", triv.get("ticks", {}),
              f"unanswered {triv.get('ticks_unanswered')}"))
    for role in ("projector", "canvas"):
        p(row(f"  run time {role} (new_session->finished)", room.get("run_time", {}).get(role, {}),
              f"{room.get('runs_per_s', {}).get(role)} runs/s, {room.get('messages_per_run', {}).get(role)} msgs/run"))
    if triv:
        p(row("  run time trivial", triv.get("run_time", {}),
              f"{triv.get('runs_per_s')} runs/s, {triv.get('messages_per_run')} msgs/run"))
    pr = room.get("propagation", {})
    if pr:
        p(row(f"write -> projector ({pr['writes']} writes)", pr["to_projector"], f"missed {pr['missed_projector']}"))
        p(row("write -> other tabs of the sub-group", pr["to_group_tabs"], f"missed {pr['missed_group_tabs']}"))
        p(row("write ack (form submit -> its run ends)", pr["write_ack"]))
    w = room.get("window", {})
    p(f"   server CPU (100 % = one core): app {w.get('server_cpu_pct')} % (max 1 s {w.get('server_cpu_pct_max_1s')} %)"
      + (f", trivial {triv.get('window', {}).get('server_cpu_pct')} %" if triv else "")
      + f"; RSS app max {room.get('rss_mb', {}).get('max')} MB"
      + (f", trivial {triv.get('rss_mb', {}).get('max')} MB" if triv else ""))
    p(f"   load client CPU {w.get('client_cpu_pct')} %, machine {w.get('machine_cpu_pct')} % of "
      f"{(os.cpu_count() or 1) * 100} %"
      + (f" (trivial run: client {triv.get('window', {}).get('client_cpu_pct')} %)" if triv else ""))
    tl = " ".join(f"{int(x['t'])}s:{x['p95_ms']:.0f}" for x in room.get("timeline", []) if x.get("p95_ms") is not None)
    p(f"   tick p95 by 5 s (projector+canvas, ms): {tl}")
    p(f"   runs whose end the server never sent (streamlit, see stclient.py): {room.get('runs_without_finish')}; "
      f"interrupted runs: {room.get('interrupted_runs')}")
    p(f"   errors: app run {room.get('error_count')}, server log {len(room.get('server_log_problems', []))}"
      + (f", trivial {triv.get('error_count')}" if triv else ""))
    for e in (room.get("errors", []) + room.get("server_log_problems", []))[:8]:
        p(f"     ! {e}")
    for name, part in (("app", room), ("trivial page", triv or {})):
        prof = part.get("profile")
        if prof:
            p(f"   where the {name} server's time goes (py-spy, {prof['samples']} samples holding the GIL):")
            for c in prof["categories"]:
                p(f"     {c['share_pct']:5.1f} %  "
                  f"{c['cpu_ms_per_s'] if c['cpu_ms_per_s'] is not None else '?':>6} ms/s  {c['what']}")
    p("   targets:")
    for name, ok, detail in verdicts(res):
        p(f"     [{'ok' if ok else 'n/a' if ok is None else 'MISSED'}] {name}: {detail}")


# --- main ------------------------------------------------------------------------------------------

def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    ap.add_argument("--sessions", type=int, default=40,
                    help="participant tabs on /canvas (plus projector and facilitator)")
    ap.add_argument("--duration", type=float, default=60, help="measured seconds of ticking, per server")
    ap.add_argument("--interval", type=float, default=1.0, help="ATELIER_LIVE_INTERVAL: live tick, s")
    ap.add_argument("--database", help="database URL, empty or seeded; the run adds sub-groups, participants and "
                    "items to it, so use a scratch database (default: a temporary SQLite file)")
    ap.add_argument("--view", choices=["personas", "feed"], default="personas", help="projector view")
    ap.add_argument("--write-every", type=float, default=5.0,
                    help="s between two writes of one sub-group (0: no writes, ticks only)")
    ap.add_argument("--write-mode", choices=["form", "core"], default="form",
                    help="form: submit the canvas page's add form over the websocket (the write costs the server); "
                    "core: core.personas.canvas.add_barrier from this process "
                    "(the write's cost is not in the server CPU)")
    ap.add_argument("--no-facilitator", dest="facilitator", action="store_false", help="no console tab")
    ap.add_argument("--burst-window", type=float, default=10.0, help="the first 40 loads happen within s")
    ap.add_argument("--ramp", type=float, default=15.0,
                    help="s over which the tabs beyond the burst (and the trivial page's tabs) open")
    ap.add_argument("--settle", type=float, default=5.0, help="s between opening and measuring")
    ap.add_argument("--drain", type=float, default=5.0, help="s to wait for the last writes to show")
    ap.add_argument("--trivial-duration", type=float, help="measured s on the trivial page (default: --duration)")
    ap.add_argument("--trivial-fragments", type=int, default=1, help="live fragments per trivial page")
    ap.add_argument("--no-trivial", dest="trivial", action="store_false", help="skip the trivial page")
    ap.add_argument("--seed", type=int, help="random seed (tab arrival times)")
    ap.add_argument("--profile", type=Path, help="py-spy the servers during the windows into DIR (needs py-spy)")
    ap.add_argument("--json", type=Path, help="result file (default: bench/results/load_room-<time>-n<N>.json)")
    cfg = ap.parse_args(argv)
    if not 1 <= cfg.sessions <= 200:
        ap.error("--sessions must be 1..200")
    if not 5 <= cfg.duration <= 600 or not 0.2 <= cfg.interval <= 10:
        ap.error("--duration must be 5..600 s and --interval 0.2..10 s")
    cfg.trivial_duration = cfg.trivial_duration or cfg.duration
    return cfg


async def amain(cfg: argparse.Namespace, res: dict[str, Any]) -> None:
    workdir = Path(tempfile.mkdtemp(prefix="atelier-load-"))
    url = cfg.database or f"sqlite:///{workdir / 'atelier.db'}"
    cookie_key = secrets.token_urlsafe(48)
    env = {k: v for k, v in os.environ.items() if k not in ("ATELIER_DEMO",)}
    env.update({"ATELIER_DATABASE_URL": url, "ATELIER_COOKIE_KEY": cookie_key,
                "ATELIER_LIVE_INTERVAL": str(cfg.interval), "ATELIER_TRIVIAL_FRAGMENTS": str(cfg.trivial_fragments),
                "PYTHONUNBUFFERED": "1"})
    os.environ["ATELIER_DATABASE_URL"] = url
    os.environ["ATELIER_COOKIE_KEY"] = cookie_key
    say(f"database {url}; logs in {workdir}")
    prepare_database(url, env)
    room = await asyncio.to_thread(prepare_room, cfg.sessions, cfg.view, cookie_key)
    try:
        config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
        gc = config.get("runner", {}).get("postScriptGC", True)
    except (OSError, tomllib.TOMLDecodeError):
        gc = "unknown"
    res.update({
        "started_at": dt.datetime.now().isoformat(timespec="seconds"), "argv": sys.argv[1:],
        "config": {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(cfg).items()},
        "database": url.split("///")[0] + "///…" if url.startswith("sqlite") else url.split("@")[-1],
        "loadavg_before": " ".join(f"{x:.2f}" for x in os.getloadavg()), "cpus": os.cpu_count(),
        "app_post_script_gc": gc, "setup_s": round(room.setup_s, 2), "logs": str(workdir), "code": code_version()})
    say(f"room ready ({len(room.groups)} sub-groups, {len(room.participants)} participants, "
        f"setup {room.setup_s:.1f} s); starting the app")
    await room_phase(cfg, room, env, workdir, res.setdefault("room", {}))
    if cfg.trivial:
        await trivial_phase(cfg, len(room.participants) + 1 + int(cfg.facilitator), env, workdir,
                            res.setdefault("trivial", {}))


def main(argv: list[str] | None = None) -> int:
    cfg = parse_args(argv)
    if cfg.seed is not None:
        random.seed(cfg.seed)
    budget = 240 + cfg.ramp + cfg.burst_window + 2 * cfg.settle + cfg.duration + cfg.drain \
        + (cfg.ramp + cfg.settle + cfg.trivial_duration if cfg.trivial else 0)

    res: dict[str, Any] = {}
    code = 0
    try:
        asyncio.run(asyncio.wait_for(amain(cfg, res), budget))
    except TimeoutError:
        print(f"load_room: stopped after the {budget:.0f} s wall-clock cap; partial result", file=sys.stderr)
        code = 3
    except KeyboardInterrupt:
        print("load_room: interrupted; partial result", file=sys.stderr)
        code = 130
    if "room" not in res:
        print(json.dumps(res, indent=1, default=str))
        return code or 3
    res["targets"] = [{"target": n, "ok": ok, "measured": d} for n, ok, d in verdicts(res)]
    report(res)
    out = cfg.json or BENCH / "results" / f"load_room-{time.strftime('%Y%m%d-%H%M%S')}-n{cfg.sessions}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(res, indent=2, ensure_ascii=False, default=str))
    print(f"\n   result: {out}")
    return code or (0 if all(ok is not False for _n, ok, _d in verdicts(res)) else 1)


if __name__ == "__main__":
    sys.exit(main())
