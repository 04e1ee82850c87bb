#!/usr/bin/env python3
"""Soak of a workshop room (issue 9, item 6): the room load of bench/load_room.py for 30 minutes.

    .venv/bin/python bench/soak.py [--duration 1800] [--sessions 40] [--interval 2] [--write-every 15]

One command, bounded in time, loopback only. It builds the same room as load_room.py (and with its
functions: database, sub-groups, tokens, server, tabs): the projector, the facilitator's console and
``--sessions`` participants on ``/canvas`` (Streamlit's websocket protocol, bench/stclient.py),
the production live interval (2 s), and every sub-group submitting the canvas page's add form with
a unique marker every ``--write-every`` s through the websocket (a write costs the server what a
real click costs). For ``--duration`` seconds it

* samples the server process (and its children, if any) every ``--sample-every`` s: RSS (VmRSS),
  anonymous RSS, threads, open file descriptors, CPU, with the machine's load average, the load
  client's own CPU and RSS, the tick latencies and the writes of the interval: a time series;
* keeps a ledger of every write attempted; at the end it counts in the database which markers are
  present exactly once, on the right persona, as a barrier, with their activity row:
  attempted / found / missing / duplicated;
* counts errors: websocket errors and disconnects, exceptions and ``st.error`` messages in the
  deltas, submits never answered, "Traceback"/"ERROR" lines in the server log (before the tabs close).

It reports the RSS after the warm-up (``--warmup``, the first 3 minutes excluded), at the end, the
growth in MiB and %, and the least-squares slope in MiB/hour over the window after the warm-up
(also over its second half: a slope that falls to ~0 is a plateau, one that stays is a leak).
It prints a table and writes the JSON to bench/results/soak-<time>.json (gitignored).

The code measured is a copy of the working tree taken at the start (``--no-snapshot`` runs the
checkout itself): other people editing files during half an hour change neither the code nor the
result. Exit code 0: no write lost or duplicated and no error, memory growth within
``--max-growth-mib``; 1: a write lost/duplicated or an error; 2: only the growth is over the
threshold; 3: the wall-clock cap stopped the run.
"""
from __future__ import annotations

import argparse
import asyncio
import collections
import datetime as dt
import hashlib
import json
import os
import random
import secrets
import shutil
import string
import subprocess
import sys
import tempfile
import time
import tomllib
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(BENCH))

import load_room as lr  # noqa: E402  (puts ROOT on sys.path too)
from stclient import Tab, now  # noqa: E402

MIB = 1024 * 1024
MARKER = "zqsoak"          # not a word, not flagged as personal data
SNAPSHOT_IGNORE = shutil.ignore_patterns(".venv", ".git", "data", "results", "exports", "__pycache__", "*.pyc",
                                         ".pytest_cache", ".hypothesis", "*.db", "*.db-wal", "*.db-shm", "*.log")


# --- the server process ----------------------------------------------------------------------------

def process_tree(pid: int) -> list[int]:
    """``pid`` and its descendants (/proc/<pid>/task/<tid>/children)."""
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        try:
            for task in Path(f"/proc/{p}/task").iterdir():
                try:
                    todo.extend(int(c) for c in (task / "children").read_text().split())
                except OSError:
                    pass
        except OSError:
            pass
    return out


def status_fields(pid: int | str) -> dict[str, int]:
    """VmRSS, RssAnon (kB) and Threads of /proc/<pid>/status."""
    found = {}
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            name, _, value = line.partition(":")
            if name in ("VmRSS", "RssAnon", "Threads"):
                found[name] = int(value.split()[0])
    except (OSError, ValueError, IndexError):
        pass
    return found


def open_fds(pid: int) -> int | None:
    try:
        return len(os.listdir(f"/proc/{pid}/fd"))
    except OSError:
        return None


def server_memory(pid: int) -> dict[str, Any]:
    """RSS of the server and its children (MiB), its threads and file descriptors."""
    procs = process_tree(pid)
    main = status_fields(pid)
    tree = [status_fields(p) for p in procs]
    return {"rss_mib": round(sum(f.get("VmRSS", 0) for f in tree) / 1024, 2),
            "rss_main_mib": round(main.get("VmRSS", 0) / 1024, 2) if main else None,
            "rss_anon_mib": round(sum(f.get("RssAnon", 0) for f in tree) / 1024, 2),
            "processes": len(procs), "threads": main.get("Threads"), "fds": open_fds(pid)}


def slope_mib_per_hour(points: list[tuple[float, float]]) -> float | None:
    """Least-squares slope of (seconds, MiB) points, in MiB per hour."""
    if len(points) < 3:
        return None
    n = len(points)
    mx = sum(t for t, _ in points) / n
    my = sum(v for _, v in points) / n
    sxx = sum((t - mx) ** 2 for t, _ in points)
    if sxx == 0:
        return None
    return round(3600 * sum((t - mx) * (v - my) for t, v in points) / sxx, 2)


def loadavg() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def db_files_mib(url: str) -> float | None:
    if not url.startswith("sqlite:///"):
        return None
    path = Path(url[len("sqlite:///"):])
    return round(sum(p.stat().st_size for p in (path, Path(f"{path}-wal")) if p.exists()) / MIB, 2)


# --- optional: tracemalloc inside the server (--tracemalloc), no change to the app ---------------

PROBE = r"""
# Written by bench/soak.py --tracemalloc: loaded by the server's interpreter through PYTHONPATH.
import os, threading, time, tracemalloc
_dir = os.environ.get("SOAK_TRACEMALLOC_DIR")
if _dir:
    tracemalloc.start(int(os.environ.get("SOAK_TRACEMALLOC_FRAMES", "10")))

    def _caches():
        try:
            from streamlit.runtime.caching.cache_resource_api import _resource_caches
            out = {}
            for caches in list(_resource_caches._function_caches.values()):
                for cache in list(caches.values()):
                    out[cache.display_name] = out.get(cache.display_name, 0) + len(cache._mem_cache)
            return out
        except Exception as exc:  # noqa: BLE001
            return {"error": repr(exc)}

    def _loop():
        base = None
        while True:
            time.sleep(0.5)
            for name in sorted(os.listdir(_dir)):
                if not name.startswith("req-"):
                    continue
                label = name[4:]
                snap = tracemalloc.take_snapshot().filter_traces(
                    (tracemalloc.Filter(False, tracemalloc.__file__),
                     tracemalloc.Filter(False, "<frozen importlib._bootstrap>")))
                traced, peak = tracemalloc.get_traced_memory()
                lines = [f"== {label}: traced {traced / 2**20:.1f} MiB (peak {peak / 2**20:.1f}); "
                         f"cache_resource entries {_caches()}"]
                if base is None:
                    base = snap
                    lines.append("baseline taken")
                else:
                    lines.append("-- growth since the baseline, by line:")
                    for st in snap.compare_to(base, "lineno")[:25]:
                        lines.append(f"{st.size_diff / 2**20:+8.2f} MiB {st.count_diff:+9d} blocks  {st.traceback[0]}")
                    lines.append("-- growth since the baseline, by call stack (top 6):")
                    for st in snap.compare_to(base, "traceback")[:6]:
                        lines.append(f"{st.size_diff / 2**20:+8.2f} MiB {st.count_diff:+9d} blocks")
                        lines.extend(f"      {frame}" for frame in st.traceback.format()[-20:])
                if label == "end":  # what the live snapshots hold: drop them and measure again
                    import gc
                    entries = _caches().get("ui.live._snapshot")
                    try:
                        from streamlit.runtime.caching.cache_resource_api import _resource_caches
                        for caches in list(_resource_caches._function_caches.values()):
                            for cache in list(caches.values()):
                                if cache.display_name == "ui.live._snapshot":
                                    cache.clear()
                    except Exception as exc:  # noqa: BLE001
                        lines.append(f"could not clear the snapshot cache: {exc!r}")
                    del snap
                    gc.collect()
                    after, _peak = tracemalloc.get_traced_memory()
                    lines.insert(1, f"-- ui.live._snapshot ({entries} entries) held {(traced - after) / 2**20:.1f} MiB "
                                    f"(traced {traced / 2**20:.1f} -> {after / 2**20:.1f} MiB once cleared + gc)")
                with open(os.path.join(_dir, f"stats-{label}.txt"), "w") as fh:
                    fh.write("\n".join(lines) + "\n")
                os.remove(os.path.join(_dir, name))

    threading.Thread(target=_loop, name="soak-tracemalloc", daemon=True).start()
"""


def tracemalloc_probe(workdir: Path, frames: int, env: dict[str, str]) -> Path:
    """A sitecustomize.py for the server only: tracemalloc on, and a thread that writes the growth
    since the first snapshot (by line and by call stack) when soak.py drops a request file."""
    probe = workdir / "tracemalloc"
    probe.mkdir(exist_ok=True)
    (probe / "sitecustomize.py").write_text(PROBE)
    env["PYTHONPATH"] = os.pathsep.join(x for x in (str(probe), env.get("PYTHONPATH", "")) if x)
    env.update({"SOAK_TRACEMALLOC_DIR": str(probe), "SOAK_TRACEMALLOC_FRAMES": str(frames)})
    return probe


async def tracemalloc_request(probe: Path | None, label: str, wait: float = 900.0) -> str | None:
    if probe is None:
        return None
    (probe / f"req-{label}").write_text("")
    out = probe / f"stats-{label}.txt"
    deadline = now() + wait
    while now() < deadline and not out.exists():
        await asyncio.sleep(0.5)
    await asyncio.sleep(0.5)
    return out.read_text() if out.exists() else None


# --- the ledger ------------------------------------------------------------------------------------

def count_in_database(tag: str, ledger: list[dict[str, Any]], personas: dict[int, int]) -> dict[str, Any]:
    """Which markers of the ledger are in the database exactly once, as a live barrier of the writing
    sub-group's persona, with the activity row written in the same transaction."""
    from sqlalchemy import select

    from storage import db
    from storage import models as m

    with db.read_session() as s:
        rows = s.execute(select(m.CanvasItem.id, m.CanvasItem.text, m.CanvasItem.persona_id, m.CanvasItem.kind,
                                m.CanvasItem.deleted_at).where(m.CanvasItem.text.like(f"{MARKER} {tag} %"))).all()
        ids = [r.id for r in rows]
        logged = set()
        for chunk in range(0, len(ids), 500):
            logged.update(s.execute(select(m.Activity.entity_id).where(
                m.Activity.entity_type == "canvas_item", m.Activity.entity_id.in_(ids[chunk:chunk + 500]))).scalars())
    live = [r for r in rows if r.deleted_at is None]
    count = collections.Counter(r.text for r in live)
    expected = {w["marker"]: w for w in ledger}
    missing = [mk for mk in expected if count[mk] == 0]
    duplicated = {mk: n for mk, n in count.items() if n > 1}
    misplaced = [r.text for r in live if r.text in expected
                 and (r.kind != "barrier" or r.persona_id != personas.get(expected[r.text]["gid"]))]
    unexpected = sorted({r.text for r in rows} - set(expected))
    without_activity = [r.text for r in live if r.id not in logged]
    for w in ledger:
        w["in_database"] = count[w["marker"]]
    return {"attempted": len(expected), "found_once": sum(1 for mk in expected if count[mk] == 1),
            "missing": len(missing), "duplicated": len(duplicated), "misplaced": len(misplaced),
            "deleted": sum(1 for r in rows if r.deleted_at is not None), "unexpected": len(unexpected),
            "without_activity_row": len(without_activity),
            "missing_markers": missing[:50], "duplicated_markers": dict(list(duplicated.items())[:50]),
            "misplaced_markers": misplaced[:50], "unexpected_markers": unexpected[:50],
            "without_activity_markers": without_activity[:50]}


# --- the run ---------------------------------------------------------------------------------------

def say(text: str) -> None:
    print(f"soak [{time.strftime('%H:%M:%S')} {now() - lr.T0:7.1f} s] {text}", flush=True)


async def soak_phase(cfg: argparse.Namespace, room: lr.Room, env: dict[str, str], workdir: Path, url: str,
                     result: dict[str, Any]) -> None:
    """The app with the room for ``cfg.duration`` s; fills ``result`` as it goes (a run stopped by
    the cap keeps what it has)."""
    probe = tracemalloc_probe(workdir, cfg.tracemalloc, env) if cfg.tracemalloc else None
    server = lr.Server("app.py", env, workdir / "app-server.log")
    run = lr.Run()
    samples: list[dict[str, Any]] = result.setdefault("samples", [])
    ledger: list[dict[str, Any]] = result.setdefault("ledger", [])
    tag = "".join(random.choice(string.ascii_lowercase) for _ in range(6))
    result.update({"server_pid": server.pid, "marker_prefix": f"{MARKER} {tag}"})
    clock = {"start": None, "end": None}
    log_mark, sampler = None, None
    try:
        await server.ready()
        say(f"app server up on {server.url} (pid {server.pid})")

        last = {"mark": None}
        tm: dict[str, str | None] = result.setdefault("tracemalloc", {}) if probe is not None else {}

        def sample(phase: str) -> dict[str, Any]:
            mark = lr.Meter(server.pid).mark()
            t = now()
            start = clock["start"]
            rel = round(t - start, 1) if start is not None else None
            row: dict[str, Any] = {"t_s": rel, "phase": phase, "clock": time.strftime("%H:%M:%S"),
                                   **server_memory(server.pid), "loadavg": loadavg(),
                                   "client_rss_mib": round((lr.rss_mb("self") or 0), 1),
                                   "db_mib": db_files_mib(url)}
            if last["mark"] is not None:
                row.update(lr.Meter.between(last["mark"], mark))
                lo = last["mark"]["t"]
                for role in ("canvas", "projector", "console"):
                    s = lr.summary(run.ticks(role, lo, t))
                    row[f"tick_{role}_p50_ms"], row[f"tick_{role}_p95_ms"] = s.get("p50_ms"), s.get("p95_ms")
                done = [w for w in ledger if lo <= w["_t"] < t]
                acks = [w["ack_s"] for w in done if w.get("ack_s") is not None]
                row["writes"] = len(done)
                row["write_ack_p95_ms"] = lr.summary(acks).get("p95_ms")
            row["writes_total"] = len(ledger)
            row["errors_total"] = len(run.errors)
            last["mark"] = mark
            samples.append(row)
            return row

        async def sample_every() -> None:
            k = 1
            while True:
                start = clock["start"]
                if start is None:
                    await asyncio.sleep(0.5)
                    continue
                await lr.sleep_until(start + k * cfg.sample_every)
                if clock["end"] is not None and now() > clock["end"] + 1:
                    return
                row = sample("soak")
                if probe is not None and "warmup" not in tm and row["t_s"] >= cfg.warmup:
                    tm["warmup"] = await tracemalloc_request(probe, "warmup")
                    say("tracemalloc baseline taken")
                say(f"t={row['t_s']:>6.0f} s  RSS {row['rss_mib']:7.1f} MiB  threads {row['threads']}  fds {row['fds']}"
                    f"  CPU {row.get('server_cpu_pct')} %  load {row['loadavg'][0]}  writes {row['writes_total']}  "
                    f"tick p95 canvas {row.get('tick_canvas_p95_ms')} / projector {row.get('tick_projector_p95_ms')} ms"
                    f"  errors {row['errors_total']}")
                k = max(k + 1, int((now() - start) / cfg.sample_every) + 1)  # no burst of late samples

        sample("server ready")
        projector = run.tab("projector", server.url, query=f"screen={room.screen_token}", collect_text=True)
        opened = {"projector": await projector.open(timeout=90)}
        if cfg.facilitator:
            console = run.tab("console", server.url, path="console", cookies={"atelier_staff": room.staff_cookie})
            opened["console"] = await console.open(timeout=90)
        result["first_open_s"] = {k: round(v, 3) if v else None for k, v in opened.items()}
        if lr.view_shows_personas(cfg.view) and not any(n in x for n in room.persona_names for x in projector.texts):
            run.errors.append("projector: no persona of the room on the screen")
        projector.collect_text = False  # the soak does not need the texts; keep the client small
        canvases = [run.tab("canvas", server.url, path="canvas", cookies={"atelier_p": token}, label=f"canvas-{i + 1}")
                    for i, (token, _gid) in enumerate(room.participants)]
        group_of = {id(tab): gid for tab, (_token, gid) in zip(canvases, room.participants)}
        burst, early = canvases[:lr.BURST], canvases[lr.BURST:]
        if early:
            await lr.open_spread(run, early, cfg.ramp)
        loads = await lr.open_spread(run, burst, cfg.burst_window)
        result["first_load"] = lr.summary([lr.LOAD_TIMEOUT if x is None else x for x in loads])
        result["first_load_failed"] = sum(1 for x in loads if x is None)
        say(f"{len(canvases)} participants, the projector{' and the console' if cfg.facilitator else ''} open; "
            f"first load p95 {result['first_load'].get('p95_ms')} ms")
        await asyncio.sleep(cfg.settle)
        sample("tabs open")

        writers: dict[int, Tab] = {}
        for tab in canvases:
            writers.setdefault(group_of[id(tab)], tab)
        start = clock["start"] = now()
        end = start + cfg.duration
        sampler = asyncio.create_task(sample_every())

        async def writer(number: int, gid: int, tab: Tab) -> None:
            k = 0
            first = start + 0.5 + number * cfg.write_every / len(writers)
            at = first
            while at < end - 1 and not tab.closed:
                await lr.sleep_until(at)
                if now() >= end - 1:
                    break
                marker = f"{MARKER} {tag} g{number + 1} w{k}x"
                projector.watch(marker)
                for other in canvases:
                    if other is not tab and group_of[id(other)] == gid:
                        other.watch(marker)
                entry = {"marker": marker, "group": number + 1, "gid": gid, "_t": now(), "t_s": round(now() - start, 1)}
                ledger.append(entry)
                try:
                    form, text_key = next(((f, key) for f, key in lr.ADD_FORMS if key in tab.widgets), lr.ADD_FORMS[0])
                    states = tab.submit_form(form, {text_key: marker})
                    entry["_t"] = now()
                    ack = await tab.rerun(states, timeout=cfg.ack_timeout)
                    entry["ack_s"] = round(ack, 3) if ack is not None else None
                except Exception as exc:  # noqa: BLE001 - a write that could not be sent is an error of the run
                    entry["not_sent"] = repr(exc)
                    run.errors.append(f"writer g{number + 1}: {exc!r}")
                k += 1
                at = first + k * cfg.write_every

        tasks = [asyncio.create_task(writer(n, gid, tab)) for n, (gid, tab) in enumerate(writers.items())
                 if cfg.write_every > 0]
        say(f"soaking {cfg.duration:.0f} s: {len(canvases)} participants + projector"
            f"{' + console' if cfg.facilitator else ''}, tick {cfg.interval} s, {len(tasks)} sub-groups writing "
            f"every {cfg.write_every:g} s; a sample every {cfg.sample_every:g} s")
        await lr.sleep_until(end)
        clock["end"] = end
        await asyncio.gather(*tasks, return_exceptions=True)
        readers = [t for t in canvases if t not in writers.values()]
        drain_end = now() + cfg.drain
        while now() < drain_end and (any(w["marker"] not in projector.seen for w in ledger)
                                     or any(t.markers for t in readers if not t.closed)):
            await asyncio.sleep(0.2)
        final = sample("end")
        if probe is not None and "warmup" in tm:
            tm["end"] = await tracemalloc_request(probe, "end")
            print(tm["end"] or "tracemalloc: no answer from the server", flush=True)
        log_mark = server.log_size()
        say(f"window over: RSS {final['rss_mib']} MiB, {len(ledger)} writes, {len(run.errors)} errors")

        to_projector = [projector.seen[w["marker"]] - w["_t"] for w in ledger if w["marker"] in projector.seen]
        to_group = [t.seen[w["marker"]] - w["_t"] for w in ledger for t in readers
                    if group_of[id(t)] == w["gid"] and w["marker"] in t.seen]
        group_expected = sum(1 for w in ledger for t in readers if group_of[id(t)] == w["gid"])
        for w in ledger:
            w["on_projector"] = w["marker"] in projector.seen
        result.update({
            "ticks": {role: lr.summary(run.ticks(role, start, end)) for role in ("projector", "canvas", "console")},
            "ticks_unanswered": {role: run.unanswered(role, start, end - 10)
                                 for role in ("projector", "canvas", "console")},
            "propagation": {"to_projector": lr.summary(to_projector),
                            "missed_projector": len(ledger) - len(to_projector),
                            "to_group_tabs": lr.summary(to_group), "missed_group_tabs": group_expected - len(to_group),
                            "write_ack": lr.summary([w["ack_s"] for w in ledger if w.get("ack_s") is not None]),
                            "unanswered_submits": sum(1 for w in ledger if "ack_s" in w and w["ack_s"] is None)},
            "tabs": {"projector": 1, "console": int(cfg.facilitator), "canvas": len(canvases)},
            "interrupted_runs": sum(t.interrupted for _r, t in run.tabs),
            "runs_without_finish": sum(t.runs_without_finish for _r, t in run.tabs),
            "messages": sum(t.messages for _r, t in run.tabs), "bytes": sum(t.bytes for _r, t in run.tabs),
        })
    finally:
        if sampler is not None:
            sampler.cancel()
            await asyncio.gather(sampler, return_exceptions=True)
        await run.close()
        if server.proc.poll() is None and clock["start"] is not None:
            await asyncio.sleep(5)  # the sessions of the closed tabs are gone: what memory comes back?
            after = server_memory(server.pid)
            result["after_tabs_closed"] = {"rss_mib": after["rss_mib"], "threads": after["threads"],
                                           "fds": after["fds"]}
        server.stop()
        say("app server stopped")
        result["server_log_problems"] = server.log_problems(log_mark)[:50]
        result["server_log_problems_count"] = len(server.log_problems(log_mark))
        result["server_log_problems_at_close"] = len(server.log_problems()) - len(server.log_problems(log_mark))
        result["errors"] = run.errors[:100]
        result["error_count"] = len(run.errors)
        result["tag"] = tag


def memory_figures(samples: list[dict[str, Any]], warmup: float, max_growth: float) -> dict[str, Any]:
    """RSS after the warm-up, at the end, growth and least-squares slopes over the post-warm-up window."""
    window = [s for s in samples if s.get("t_s") is not None and s["phase"] in ("soak", "end")]
    post = [s for s in window if s["t_s"] >= warmup]
    if len(post) < 2:
        return {"note": "not enough samples after the warm-up", "samples_after_warmup": len(post)}
    first, last = post[0], post[-1]
    growth = last["rss_mib"] - first["rss_mib"]
    points = [(s["t_s"], s["rss_mib"]) for s in post]
    half = [p for p in points if p[0] >= (points[0][0] + points[-1][0]) / 2]
    return {"warmup_s": warmup, "samples_after_warmup": len(post),
            "rss_start_of_window_mib": window[0]["rss_mib"] if window else None,
            "rss_after_warmup_mib": first["rss_mib"], "rss_after_warmup_at_s": first["t_s"],
            "rss_end_mib": last["rss_mib"], "rss_end_at_s": last["t_s"],
            "rss_max_mib": max(s["rss_mib"] for s in window),
            "growth_mib": round(growth, 2), "growth_pct": round(100 * growth / first["rss_mib"], 2),
            "slope_mib_per_hour": slope_mib_per_hour(points),
            "slope_second_half_mib_per_hour": slope_mib_per_hour(half),
            "anon_growth_mib": round(last["rss_anon_mib"] - first["rss_anon_mib"], 2),
            "threads_after_warmup": first.get("threads"), "threads_end": last.get("threads"),
            "fds_after_warmup": first.get("fds"), "fds_end": last.get("fds"),
            "max_growth_mib": max_growth, "growth_over_threshold": growth > max_growth}


def load_figures(samples: list[dict[str, Any]]) -> dict[str, Any]:
    loads = [s["loadavg"][0] for s in samples if s.get("loadavg")]
    cpu = [s["machine_cpu_pct"] for s in samples if s.get("machine_cpu_pct") is not None]
    srv = [s["server_cpu_pct"] for s in samples if s.get("server_cpu_pct") is not None and s["phase"] == "soak"]
    return {"loadavg_1min_min": min(loads, default=None), "loadavg_1min_max": max(loads, default=None),
            "loadavg_1min_mean": round(sum(loads) / len(loads), 2) if loads else None,
            "machine_cpu_pct_mean": round(sum(cpu) / len(cpu), 1) if cpu else None,
            "server_cpu_pct_mean": round(sum(srv) / len(srv), 1) if srv else None,
            "server_cpu_pct_max_interval": max(srv, default=None)}


def verdict(res: dict[str, Any]) -> tuple[int, list[str]]:
    """Exit code and the reasons."""
    soak, why = res.get("soak", {}), []
    led = res.get("writes", {})
    if not led:
        why.append("the database was not checked")
    else:
        for key in ("missing", "duplicated", "misplaced", "without_activity_row", "unexpected"):
            if led.get(key):
                why.append(f"writes {key}: {led[key]}")
    if soak.get("error_count"):
        why.append(f"client-side errors: {soak['error_count']}")
    if soak.get("server_log_problems_count"):
        why.append(f"server log problems: {soak['server_log_problems_count']}")
    if why:
        return 1, why
    if res.get("memory", {}).get("growth_over_threshold"):
        return 2, [f"RSS growth {res['memory']['growth_mib']} MiB > {res['memory']['max_growth_mib']} MiB"]
    return 0, []


def report(res: dict[str, Any]) -> None:
    cfg, soak, mem, led, load = (res["config"], res.get("soak", {}), res.get("memory", {}), res.get("writes", {}),
                                 res.get("load", {}))
    p = print
    p(f"\n== Atelier soak: {cfg['sessions']} participants + projector{' + facilitator' if cfg['facilitator'] else ''}, "
      f"tick {cfg['interval']} s, {cfg['duration']:.0f} s, "
      f"every sub-group writes every {cfg['write_every']:g} s (form)")
    code = res.get("code", {})
    p(f"   code: commit {code.get('commit')}, uncommitted {code.get('uncommitted') or 'none'}, snapshot "
      f"sha1 {res.get('snapshot', {}).get('sha1', 'n/a')}; database {res.get('database')}; postScriptGC "
      f"{res.get('app_post_script_gc')}")
    p(f"   machine: {res.get('cpus')} cores; load average before {res.get('loadavg_before')}, during 1-min "
      f"{load.get('loadavg_1min_min')}..{load.get('loadavg_1min_max')} (mean {load.get('loadavg_1min_mean')}); "
      f"machine CPU mean {load.get('machine_cpu_pct_mean')} % of {100 * (res.get('cpus') or 1)} %")
    p(f"  {'memory (server RSS, MiB)':<40s}")
    p(f"    {'after warm-up (' + str(mem.get('rss_after_warmup_at_s')) + ' s)':<38s} {mem.get('rss_after_warmup_mib')}")
    p(f"    {'end (' + str(mem.get('rss_end_at_s')) + ' s)':<38s} {mem.get('rss_end_mib')}")
    p(f"    {'growth':<38s} {mem.get('growth_mib')} MiB ({mem.get('growth_pct')} %)"
      f"{'  OVER ' + str(mem.get('max_growth_mib')) + ' MiB' if mem.get('growth_over_threshold') else ''}")
    p(f"    {'slope after warm-up / 2nd half':<38s} {mem.get('slope_mib_per_hour')} / "
      f"{mem.get('slope_second_half_mib_per_hour')} MiB/h")
    p(f"    {'max; after the tabs closed':<38s} {mem.get('rss_max_mib')}; "
      f"{soak.get('after_tabs_closed', {}).get('rss_mib')}")
    p(f"    {'threads, fds (after warm-up -> end)':<38s} {mem.get('threads_after_warmup')} -> "
      f"{mem.get('threads_end')}, {mem.get('fds_after_warmup')} -> {mem.get('fds_end')}")
    p(f"  {'writes':<40s} attempted {led.get('attempted')}, found once {led.get('found_once')}, missing "
      f"{led.get('missing')}, duplicated {led.get('duplicated')}, misplaced {led.get('misplaced')}, without activity "
      f"row {led.get('without_activity_row')}")
    pr = soak.get("propagation", {})
    p(f"  {'write ack p50 / p95 / max (ms)':<40s} {pr.get('write_ack', {}).get('p50_ms')} / "
      f"{pr.get('write_ack', {}).get('p95_ms')} / {pr.get('write_ack', {}).get('max_ms')}; unanswered submits "
      f"{pr.get('unanswered_submits')}")
    p(f"  {'write -> projector p50 / p95 (ms)':<40s} {pr.get('to_projector', {}).get('p50_ms')} / "
      f"{pr.get('to_projector', {}).get('p95_ms')}, missed {pr.get('missed_projector')}; other tabs of the sub-group "
      f"p95 {pr.get('to_group_tabs', {}).get('p95_ms')}, missed {pr.get('missed_group_tabs')}")
    for role in ("canvas", "projector", "console"):
        s = soak.get("ticks", {}).get(role, {})
        if s.get("n"):
            p(f"  {'tick ' + role + ' p50 / p95 / max (ms)':<40s} {s['p50_ms']} / {s['p95_ms']} / {s['max_ms']} "
              f"(n {s['n']}, unanswered {soak.get('ticks_unanswered', {}).get(role)})")
    p(f"  {'server CPU mean / worst interval':<40s} {load.get('server_cpu_pct_mean')} % / "
      f"{load.get('server_cpu_pct_max_interval')} % of one core")
    p(f"  {'errors':<40s} client {soak.get('error_count')}, server log {soak.get('server_log_problems_count')} "
      f"(at close, not counted: {soak.get('server_log_problems_at_close')}); runs without finish "
      f"{soak.get('runs_without_finish')}, interrupted {soak.get('interrupted_runs')}")
    for e in (soak.get("errors", []) + soak.get("server_log_problems", []))[:10]:
        p(f"     ! {e}")
    step = max(1, len(res.get("soak", {}).get("samples", [])) // 12)
    series = [s for s in soak.get("samples", []) if s.get("phase") in ("soak", "end")][::step]
    p("   RSS series (t s: MiB): " + "  ".join(f"{s['t_s']:.0f}:{s['rss_mib']:.0f}" for s in series))
    code_, why = verdict(res)
    p(f"   verdict: {'ok' if code_ == 0 else 'FAILED: ' + '; '.join(why)}")


# --- main ------------------------------------------------------------------------------------------

def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    ap.add_argument("--duration", type=float, default=1800, help="soak length, s (after the tabs are open)")
    ap.add_argument("--sessions", type=int, default=40, help="participant tabs on /canvas (plus projector and console)")
    ap.add_argument("--interval", type=float, default=2.0, help="ATELIER_LIVE_INTERVAL (production default: 2 s)")
    ap.add_argument("--write-every", type=float, default=15.0,
                    help="s between two writes of one sub-group (8 sub-groups, staggered; 0: no writes)")
    ap.add_argument("--sample-every", type=float, default=30.0, help="s between two samples of the server")
    ap.add_argument("--warmup", type=float, default=180.0, help="s of the window left out of the memory figures")
    ap.add_argument("--max-growth-mib", type=float, default=50.0, help="RSS growth after the warm-up flagged above")
    ap.add_argument("--database", help="database URL, empty or seeded (a scratch database: the run adds to it; "
                    "default: a temporary SQLite file)")
    ap.add_argument("--view", choices=["personas", "feed"], default="personas", help="projector view")
    ap.add_argument("--no-facilitator", dest="facilitator", action="store_false", help="no console tab")
    ap.add_argument("--burst-window", type=float, default=10.0, help="the first 40 participants open within s")
    ap.add_argument("--ramp", type=float, default=15.0, help="s over which the participants beyond 40 open")
    ap.add_argument("--settle", type=float, default=5.0, help="s between opening and the window")
    ap.add_argument("--drain", type=float, default=15.0, help="s to wait for the last writes to show")
    ap.add_argument("--ack-timeout", type=float, default=60.0, help="a submit not answered by then is an error")
    ap.add_argument("--tracemalloc", type=int, default=0, metavar="FRAMES",
                    help="diagnosis: run the server under tracemalloc (FRAMES deep; slower, more memory) and print "
                    "what grew between the end of the warm-up and the end, by line and by call stack")
    ap.add_argument("--seed", type=int, help="random seed")
    ap.add_argument("--no-snapshot", dest="snapshot", action="store_false",
                    help="run the checkout itself, not a copy of the working tree taken at the start")
    ap.add_argument("--from-commit", metavar="REV", help="measure the code of a commit (git archive REV) instead "
                    "of the working tree, e.g. HEAD: other people's uncommitted changes are then left out")
    ap.add_argument("--workdir", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--code-info", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--json", type=Path, help="result file (default: bench/results/soak-<time>.json)")
    cfg = ap.parse_args(argv)
    if not 30 <= cfg.duration <= 4 * 3600:
        ap.error("--duration must be 30 s .. 4 h")
    if not 1 <= cfg.sessions <= 200 or not 0.2 <= cfg.interval <= 10 or cfg.sample_every < 1:
        ap.error("--sessions 1..200, --interval 0.2..10 s, --sample-every >= 1 s")
    return cfg


def tree_digest(root: Path) -> dict[str, Any]:
    digest, files = hashlib.sha1(), 0
    for path in sorted(p for p in root.rglob("*") if p.is_file() and p.suffix in (".py", ".toml", ".json", ".txt")):
        digest.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes())
        files += 1
    return {"sha1": digest.hexdigest()[:12], "files": files}


def snapshot_and_exec(cfg: argparse.Namespace, argv: list[str]) -> None:
    """Copy the working tree into a scratch directory and run this script from the copy."""
    workdir = Path(tempfile.mkdtemp(prefix="atelier-soak-"))
    code = workdir / "code"
    if cfg.from_commit:  # the committed code only (git archive: reads the repository, changes nothing)
        code.mkdir()
        commit = subprocess.run(["git", "rev-parse", "--short", cfg.from_commit], cwd=ROOT, capture_output=True,
                                text=True, check=True).stdout.strip()
        archive = subprocess.run(["git", "archive", "--format=tar", commit], cwd=ROOT, capture_output=True, check=True)
        subprocess.run(["tar", "-x", "-C", str(code)], input=archive.stdout, check=True)
        shutil.copy2(__file__, code / "bench" / "soak.py")  # this script, whatever the commit holds
        digest = hashlib.sha1()
        for name in lr.MEASURED_FILES:
            path = code / name
            digest.update(name.encode() + (path.read_bytes() if path.exists() else b"-"))
        version = {"commit": commit, "uncommitted": [], "live_files_sha1": digest.hexdigest()[:12]}
    else:
        shutil.copytree(ROOT, code, ignore=SNAPSHOT_IGNORE)
        version = lr.code_version()
    info = {"code": version, "snapshot": {"path": str(code), "of": f"{ROOT} at {cfg.from_commit or 'working tree'}",
                                          **tree_digest(code)}}
    (workdir / "code-info.json").write_text(json.dumps(info))
    out = (cfg.json or BENCH / "results" / f"soak-{time.strftime('%Y%m%d-%H%M%S')}.json").resolve()
    print(f"soak: code copied to {code} (sha1 {info['snapshot']['sha1']}); running from there", flush=True)
    os.chdir(code)
    os.execv(sys.executable, [sys.executable, str(code / "bench" / "soak.py"), *argv, "--no-snapshot",
                              "--workdir", str(workdir), "--code-info", str(workdir / "code-info.json"),
                              "--json", str(out)])


async def amain(cfg: argparse.Namespace, res: dict[str, Any]) -> None:
    workdir = cfg.workdir or Path(tempfile.mkdtemp(prefix="atelier-soak-"))
    url = cfg.database or f"sqlite:///{workdir / 'atelier.db'}"
    cookie_key = secrets.token_urlsafe(48)
    env = {k: v for k, v in os.environ.items() if k not in ("ATELIER_DEMO",)}
    env.update({"ATELIER_DATABASE_URL": url, "ATELIER_COOKIE_KEY": cookie_key,
                "ATELIER_LIVE_INTERVAL": str(cfg.interval), "PYTHONUNBUFFERED": "1"})
    os.environ["ATELIER_DATABASE_URL"] = url
    os.environ["ATELIER_COOKIE_KEY"] = cookie_key
    say(f"database {url}; logs in {workdir}")
    lr.prepare_database(url, env)
    room = await asyncio.to_thread(lr.prepare_room, cfg.sessions, cfg.view, cookie_key)
    try:
        config = tomllib.loads((lr.ROOT / ".streamlit" / "config.toml").read_text())
        gc = config.get("runner", {}).get("postScriptGC", True)
    except (OSError, tomllib.TOMLDecodeError):
        gc = "unknown"
    info = json.loads(cfg.code_info.read_text()) if cfg.code_info else {"code": lr.code_version()}
    res.update({
        "started_at": dt.datetime.now().isoformat(timespec="seconds"), "argv": sys.argv[1:],
        "config": {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(cfg).items()},
        "database": url.split("///")[0] + "///…" if url.startswith("sqlite") else url.split("@")[-1],
        "loadavg_before": loadavg(), "cpus": os.cpu_count(), "app_post_script_gc": gc,
        "logs": str(workdir), **info})
    say(f"room ready ({len(room.groups)} sub-groups, {len(room.participants)} participants); starting the app")
    soak = res.setdefault("soak", {})
    try:
        await soak_phase(cfg, room, env, workdir, url, soak)
    finally:
        if soak.get("tag"):
            res["writes"] = await asyncio.to_thread(count_in_database, soak["tag"], soak.get("ledger", []),
                                                    room.personas)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    cfg = parse_args(argv)
    if cfg.snapshot:
        snapshot_and_exec(cfg, argv)  # does not return
    if cfg.seed is not None:
        random.seed(cfg.seed)
    budget = 300 + cfg.ramp + cfg.burst_window + cfg.settle + cfg.duration + cfg.drain + cfg.ack_timeout \
        + (1800 if cfg.tracemalloc else 0)  # two snapshots of a traced server take minutes
    res: dict[str, Any] = {}
    code = 0
    try:
        asyncio.run(asyncio.wait_for(amain(cfg, res), budget))
    except TimeoutError:
        print(f"soak: stopped after the {budget:.0f} s wall-clock cap; partial result", file=sys.stderr)
        code = 3
    except KeyboardInterrupt:
        print("soak: interrupted; partial result", file=sys.stderr)
        code = 130
    if "soak" not in res:
        print(json.dumps(res, indent=1, default=str))
        return code or 3
    samples = res["soak"].get("samples", [])
    res["memory"] = memory_figures(samples, cfg.warmup, cfg.max_growth_mib)
    res["load"] = load_figures(samples)
    for w in res["soak"].get("ledger", []):
        w.pop("_t", None)
    exit_code, why = verdict(res)
    res["verdict"] = {"exit_code": code or exit_code, "reasons": why}
    report(res)
    out = cfg.json or BENCH / "results" / f"soak-{time.strftime('%Y%m%d-%H%M%S')}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(res, indent=2, ensure_ascii=False, default=str))
    print(f"\n   result: {out}")
    return code or exit_code


if __name__ == "__main__":
    sys.exit(main())
