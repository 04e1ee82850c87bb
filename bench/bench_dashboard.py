#!/usr/bin/env python3
"""Time every dashboard figure, the dashboard page script (AppTest) and the booklet export on a
large database (see bench/generate_data.py). Prints a table; numbers, not pass/fail.

    .venv/bin/python bench/bench_dashboard.py                     # generates the data if missing
    .venv/bin/python bench/bench_dashboard.py --database URL --repeat 5 --json out.json

Targets (issue 7): the dashboard page script under 1 s, the booklet under 10 s at the default size.
"""
from __future__ import annotations

import argparse
import json
import logging
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from generate_data import DEFAULT_URL, generate  # noqa: E402

CPU: dict[int, float] = {}  # id(fn) -> median CPU ms of the last _time call


def _time(fn: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    """Median wall time in ms over ``repeat`` runs, and the last result. The median CPU time of
    this process (SQLite runs in it) goes to CPU[id(fn)]: it moves less when the machine is busy."""
    times, cpu, result = [], [], None
    for _ in range(repeat):
        started, started_cpu = time.perf_counter(), time.process_time()
        result = fn()
        times.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
    CPU[id(fn)] = statistics.median(cpu)
    return statistics.median(times), result


def _load() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "?"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", default=DEFAULT_URL)
    parser.add_argument("--regenerate", action="store_true", help="generate the data again first")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--json", metavar="FILE", help="also write the numbers as JSON")
    args = parser.parse_args()
    logging.getLogger("streamlit").setLevel(logging.ERROR)

    from sqlalchemy import func, select

    from storage import db
    from storage import models as m

    path = Path(args.database.split("///", 1)[1]) if args.database.startswith("sqlite:///") else None
    if args.regenerate or (path is not None and not path.exists()):
        print(f"generating data into {args.database} ...", flush=True)
        generate(args.database)
    db.configure(args.database)

    from core.actor import Actor
    from core.reporting import booklet as bk
    from core.reporting import dashboard as d

    with db.read_session() as s:
        sizes = {name: s.execute(select(func.count()).select_from(model)).scalar_one() for name, model in (
            ("events", m.Event), ("sessions", m.WorkshopSession), ("personas", m.Persona),
            ("canvas_items", m.CanvasItem), ("solution_leads", m.SolutionLead), ("recommendations", m.Recommendation),
            ("votes", m.Vote), ("registrations", m.Registration), ("mood_checks", m.MoodCheck))}
        # the event with the most recommendations, for the one-event figures and the booklet
        biggest = s.execute(
            select(m.Event.slug).join(m.Theme, m.Theme.event_id == m.Event.id)
            .join(m.WorkshopSession, m.WorkshopSession.theme_id == m.Theme.id)
            .join(m.Recommendation, m.Recommendation.session_id == m.WorkshopSession.id)
            .group_by(m.Event.slug).order_by(func.count().desc(), m.Event.slug).limit(1)).scalar_one()
    report: dict[str, Any] = {"database": args.database, "sizes": sizes, "event": biggest, "figures": {},
                              "page": {}, "booklet": {}}
    print("sizes:", ", ".join(f"{k} {v}" for k, v in sizes.items()))

    everything = d.DashboardFilter()
    one_event = d.event_filter(biggest)
    print(f"load average before: {_load()}")
    print(f"\n{'figure (wall / cpu ms)':32} {'all events':>18} {'one event':>18}")
    for name, fn in d.FIGURES.items():
        run_all, run_one = (lambda fn=fn: fn(everything)), (lambda fn=fn: fn(one_event))
        all_ms, _ = _time(run_all, args.repeat)
        one_ms, _ = _time(run_one, args.repeat)
        row = {"all_events_ms": round(all_ms, 1), "all_events_cpu_ms": round(CPU[id(run_all)], 1),
               "one_event_ms": round(one_ms, 1), "one_event_cpu_ms": round(CPU[id(run_one)], 1)}
        report["figures"][name] = row
        print(f"{name:32} {all_ms:9.1f} /{row['all_events_cpu_ms']:7.1f} {one_ms:9.1f} /{row['one_event_cpu_ms']:7.1f}")

    from streamlit.testing.v1 import AppTest

    admin = Actor(kind="staff", id=1, role="admin", label="Bench")
    at = AppTest.from_file(str(ROOT / "app_pages" / "dashboard.py"), default_timeout=300)
    at.session_state["actor"] = admin
    started = time.perf_counter()
    at.run()
    cold = (time.perf_counter() - started) * 1000
    if at.exception:
        print("page error:", at.exception)
        return 1
    report["page"]["first_run_ms_including_imports"] = round(cold, 1)
    labels = [tab.label for tab in at.tabs]
    keys = ("diagnostic", "coverage", "recommendations", "participation", "exports")
    print(f"\n{'page script, AppTest (wall / cpu)':32} {'all events':>18} {'one event':>18}")
    print(f"{'first run, with imports':32} {cold:9.1f}")
    for key, label in zip(keys, labels):
        row = {}
        for scope, events in (("all_events", []), ("one_event", list(one_event.event_ids))):
            def run(label: str = label, events: list[int] = events) -> None:
                at.session_state["dash_tab"] = label
                at.session_state["dash_events"] = events
                at.run()
                assert not at.exception, at.exception
            wall, _ = _time(run, args.repeat)
            row[f"{scope}_ms"], row[f"{scope}_cpu_ms"] = round(wall, 1), round(CPU[id(run)], 1)
        report["page"][key] = row
        print(f"{'tab ' + key:32} {row['all_events_ms']:9.1f} /{row['all_events_cpu_ms']:7.1f} "
              f"{row['one_event_ms']:9.1f} /{row['one_event_cpu_ms']:7.1f}")

    print(f"\nbooklet of {biggest}")
    build_ms, booklet = _time(lambda: bk.build_booklet(biggest), args.repeat)
    docx_ms, docx = _time(lambda: bk.render_docx(booklet), args.repeat)
    pdf_ms, pdf = _time(lambda: bk.render_pdf(booklet), args.repeat)
    total_ms, _ = _time(lambda: bk.export_booklet(biggest, "pdf"), 1)
    import io

    from pypdf import PdfReader
    report["booklet"] = {"build_ms": round(build_ms, 1), "docx_ms": round(docx_ms, 1), "pdf_ms": round(pdf_ms, 1),
                         "docx_bytes": len(docx), "pdf_bytes": len(pdf), "export_pdf_total_ms": round(total_ms, 1),
                         "pdf_pages": len(PdfReader(io.BytesIO(pdf)).pages),
                         "recommendations": int(d.totals(one_event)["recommendations"]),
                         "personas": int(d.totals(one_event)["personas"])}
    report["load_after"] = _load()
    for k, v in report["booklet"].items():
        print(f"  {k:28} {v}")
    print(f"load average after: {report['load_after']}")
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=2, ensure_ascii=False), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
