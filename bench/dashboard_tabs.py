#!/usr/bin/env python3
"""Time what each dashboard tab computes (``core.reporting.dashboard.TAB_FIGURES``), before and
after the revision-keyed cache (``core.reporting.cache``), on the demo data and on the 100k-item
database of ``bench/generate_data.py``, on SQLite and on PostgreSQL. Numbers, not pass/fail.

    .venv/bin/python bench/dashboard_tabs.py                          # demo + 100k on SQLite
    .venv/bin/python bench/dashboard_tabs.py --postgres postgresql+psycopg://postgres@127.0.0.1:5432/atelier_bench
    .venv/bin/python bench/dashboard_tabs.py --repeat 5 --json /tmp/tabs.json --regenerate

Per tab and scope (every event; the event with the most recommendations), median ms of:
- ``uncached``: the tab's figures computed afresh (what the page did on every rerun before);
- ``cold``: the revision query and the figures through an empty cache (first opening after a write);
- ``warm``: the revision query and the figures from the cache (opening the tab again, switching
  back, another organiser on the same events): what a tab costs while nothing was written.
On the demo data it also times the page script itself (``AppTest``), tab by tab, without and
with the cache. Targets (issue 16): under 0.5 s a tab on the demo data, under 1 s at 100k items.
"""
from __future__ import annotations

import argparse
import json
import logging
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from generate_data import DEFAULT_URL, generate  # noqa: E402

TOKENS_PER_SESSION = 25   # generate_data.py writes no joins by code: this script adds them


def _median_ms(fn: Callable[[], Any], repeat: int, before: Callable[[], Any] | None = None) -> float:
    times = []
    for _ in range(repeat):
        if before is not None:
            before()
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def _load() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "?"


def _ensure_postgres_database(url: str) -> None:
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    target = make_url(url)
    admin = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        if conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": target.database}).first() is None:
            conn.execute(text(f'CREATE DATABASE "{target.database}"'))
    admin.dispose()


def _drop_postgres_database(url: str) -> None:
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    from storage import db

    db.configure(None)
    target = make_url(url)
    admin = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{target.database}" WITH (FORCE)'))
    admin.dispose()


def _prepare_large(url: str, regenerate: bool) -> None:
    """The 100k-item database of generate_data.py, with joins by code added."""
    from sqlalchemy import func, select
    from sqlalchemy.exc import SQLAlchemyError

    from storage import db
    from storage import models as m

    if url.startswith("postgresql"):
        if regenerate:
            _drop_postgres_database(url)
        _ensure_postgres_database(url)
        db.configure(url)
        try:
            with db.read_session() as s:
                empty = not s.execute(select(func.count()).select_from(m.Event)).scalar_one()
        except SQLAlchemyError:   # not migrated yet
            empty = True
        if empty:
            print(f"generating data into {url} ...", flush=True)
            generate(url, fresh=False)
    else:
        path = Path(url.split("///", 1)[1])
        if regenerate or not path.exists():
            print(f"generating data into {url} ...", flush=True)
            generate(url)
    db.configure(url)
    _add_joins(url)
    if url.startswith("postgresql"):   # fresh bulk inserts have no planner statistics yet: 200 s plans
        from sqlalchemy import text

        with db.get_engine().execution_options(isolation_level="AUTOCOMMIT").connect() as conn:
            conn.execute(text("ANALYZE"))


def _add_joins(url: str) -> None:
    from sqlalchemy import func, insert, select

    from storage import db
    from storage import models as m

    with db.read_session() as s:
        if s.execute(select(func.count()).select_from(m.ParticipantToken)).scalar_one():
            return
        sessions = s.execute(select(m.Subgroup.session_id, func.min(m.Subgroup.id)).group_by(m.Subgroup.session_id)
                             ).all()
    rows = []
    for session_id, subgroup_id in sessions:
        for i in range(TOKENS_PER_SESSION):
            rows.append({"token_hash": f"{session_id:08d}-{i:04d}".ljust(64, "0"), "session_id": session_id,
                         "subgroup_id": subgroup_id, "display_name": f"Prénom {i % 20}" if i % 3 else ""})
    with db.get_engine().execution_options(atelier_write=True).begin() as conn:
        for start in range(0, len(rows), 5_000):
            conn.execute(insert(m.ParticipantToken), rows[start:start + 5_000])
    print(f"added {len(rows)} joins by code", flush=True)


def _prepare_demo() -> str:
    path = Path(tempfile.mkdtemp(prefix="atelier-demo-bench-")) / "demo.db"
    url = f"sqlite:///{path}"
    env = {**os.environ, "ATELIER_DATABASE_URL": url}
    for command in ("init-db", "seed-demo"):
        subprocess.run([sys.executable, str(ROOT / "manage.py"), command], env=env, check=True,
                       capture_output=True, text=True)
    return url


def _scopes() -> dict[str, Any]:
    from sqlalchemy import func, select

    from core.reporting import dashboard as d
    from storage import db
    from storage import models as m

    with db.read_session() as s:
        biggest = s.execute(
            select(m.Event.slug).join(m.Theme, m.Theme.event_id == m.Event.id)
            .join(m.WorkshopSession, m.WorkshopSession.theme_id == m.Theme.id)
            .join(m.Persona, m.Persona.session_id == m.WorkshopSession.id)
            .group_by(m.Event.slug).order_by(func.count().desc(), m.Event.slug).limit(1)).scalar_one()
    return {"all events": d.DashboardFilter(), f"one event ({biggest[:28]})": d.event_filter(biggest)}


def time_tabs(label: str, repeat: int) -> dict[str, Any]:
    from core.reporting import cache
    from core.reporting import dashboard as d

    out: dict[str, Any] = {"revision_ms": round(_median_ms(cache.data_revision, repeat), 2), "tabs": {}}
    print(f"\n{label}   (load average {_load()}; revision query {out['revision_ms']} ms)")
    print(f"{'tab':18} {'scope':40} {'uncached':>9} {'cold':>9} {'warm':>9}   ms")
    for scope, f in _scopes().items():
        for tab, figures in d.TAB_FIGURES.items():
            if not figures:
                continue
            uncached = _median_ms(lambda tab=tab, f=f: cache.tab_figures(tab, f), repeat)
            cold = _median_ms(lambda tab=tab, f=f: cache.tab_figures(tab, f, cache.data_revision(f)), repeat,
                              before=cache.clear)
            cache.tab_figures(tab, f, cache.data_revision(f))
            warm = _median_ms(lambda tab=tab, f=f: cache.tab_figures(tab, f, cache.data_revision(f)), repeat)
            out["tabs"].setdefault(tab, {})[scope] = {"uncached_ms": round(uncached, 1), "cold_ms": round(cold, 1),
                                                      "warm_ms": round(warm, 1)}
            print(f"{tab:18} {scope:40} {uncached:9.1f} {cold:9.1f} {warm:9.1f}", flush=True)
    out["load_after"] = _load()
    return out


def time_page(repeat: int) -> dict[str, Any]:
    """The page script under AppTest, tab by tab: the figures recomputed on every run (a cache that
    keeps nothing), then from the cache."""
    from streamlit.testing.v1 import AppTest

    from core.actor import Actor
    from core.reporting import cache

    logging.getLogger("streamlit").setLevel(logging.ERROR)
    out: dict[str, Any] = {}
    print(f"\n{'page script (AppTest), demo':34} {'no cache':>9} {'cache':>9}   ms")
    for mode, keep in (("no_cache", 0), ("cache", cache.MAX_ENTRIES)):
        cache.FIGURES = cache.FigureCache(max_entries=keep)
        at = AppTest.from_file(str(ROOT / "app_pages" / "dashboard.py"), default_timeout=300)
        at.session_state["actor"] = Actor(kind="staff", id=1, role="admin", label="Bench")
        at.run()
        labels = [tab.label for tab in at.tabs]
        for label in labels:    # every tab once, so the cache is as a user who looked around finds it
            at.session_state["dash_tab"] = label
            at.run()
        for label in labels:
            def run(label: str = label, at: AppTest = at) -> None:
                at.session_state["dash_tab"] = label
                at.run()
                assert not at.exception, at.exception
            out.setdefault(label, {})[mode] = round(_median_ms(run, repeat), 1)
    cache.FIGURES = cache.FigureCache()
    for label, row in out.items():
        print(f"{label:34} {row['no_cache']:9.1f} {row['cache']:9.1f}")
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sqlite", default=DEFAULT_URL, help=f"the 100k database on SQLite (default {DEFAULT_URL})")
    parser.add_argument("--postgres", default="", help="the 100k database on PostgreSQL (created if missing)")
    parser.add_argument("--no-demo", action="store_true", help="skip the demo data")
    parser.add_argument("--regenerate", action="store_true", help="generate the 100k data again first")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--json", metavar="FILE", help="also write the numbers as JSON")
    args = parser.parse_args()
    logging.getLogger("streamlit").setLevel(logging.ERROR)
    from storage import db

    report: dict[str, Any] = {}
    if not args.no_demo:
        db.configure(_prepare_demo())
        report["demo, SQLite"] = time_tabs("demo data, SQLite", args.repeat)
        report["demo page"] = time_page(args.repeat)
    for name, url in (("100k, SQLite", args.sqlite), ("100k, PostgreSQL", args.postgres)):
        if url:
            _prepare_large(url, args.regenerate)
            report[name] = time_tabs(f"{name}: {url}", args.repeat)
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=2, ensure_ascii=False), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
