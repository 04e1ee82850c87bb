"""Dashboard figures computed once per data revision, shared by every organiser of the process.

Every write appends an ``activity`` row in its transaction, so the data a dashboard reads changes
exactly when ``data_revision()`` changes: the newest activity id and the number of activity rows,
of the events the filter covers (the count moves even on PostgreSQL, where ids may commit out of
order; see ``core.session.live.revision``). A figure is then keyed by (database, revision, figure, filter,
arguments): opening a tab again, switching tabs or a second organiser looking at the same events
costs one revision query instead of the figure's queries. Only the newest revision of a database
is kept (older entries can never be asked for again), up to ``MAX_ENTRIES`` figures.

Rows written outside the write path move no revision (``bench/generate_data.py``; a restore
fills an empty database, activity rows included, so it does move it): ``clear()`` forgets
everything.

The figures themselves stay plain functions (``core.reporting.dashboard``); tests, the booklet
and the exports call them directly and always read fresh data.
"""
from __future__ import annotations

import copy
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from functools import partial
from typing import Any

from sqlalchemy import func, select

from core.reporting.dashboard import TAB_FIGURES, DashboardFilter
from core.settings import local_now
from storage import db
from storage import models as m

MAX_ENTRIES = 256

Revision = tuple[Hashable, ...]

A = m.Activity


def _state(conn: Any, *where: Any) -> tuple[int, str, int]:
    """Newest activity id, its time and the number of rows, of the activity rows ``where`` says."""
    rows = conn.execute(select(func.count()).select_from(A).where(*where)).scalar_one()
    newest = conn.execute(select(A.id, A.at).where(*where).order_by(A.id.desc()).limit(1)).first()
    return (int(newest[0]) if newest else 0, str(newest[1]) if newest else "", int(rows))


def data_revision(f: DashboardFilter | None = None) -> Revision:
    """The state of the data ``f`` covers: changes with every write to it.

    Without a filter, or for every event: the newest activity row (id and time) and the number of
    rows of the whole database. For some events (``f.event_ids``, else the organiser's
    ``f.visible_event_ids``): the same over those events' activity rows, and over the rows that
    belong to no event (the resource inventory, merges of organisations, erasures), so a live room
    of another event does not empty this one's cache.
    The time tells apart two databases emptied and filled again to the same number of rows (tests
    on PostgreSQL truncate their tables, restarting the ids). The local date ends the revision: the
    follow-up tab counts days (late actions, days waiting), which move at midnight without a write."""
    with db.get_engine().connect() as conn:
        scoped = f is not None and (f.event_ids or f.visible_event_ids is not None)
        if f is None or not scoped:
            state: tuple[Hashable, ...] = _state(conn)
        else:
            events = sorted(f.event_ids or f.visible_event_ids or ())   # an organiser sees only their events
            state = (tuple(events), *_state(conn, A.event_id.in_(events)), *_state(conn, A.event_id.is_(None)))
        conn.rollback()
    # the day too: what counts days (late actions, days waiting for an answer) changes at midnight
    return (db.database_url(), *state, local_now().date().isoformat())


class FigureCache:
    """Results by (revision, figure, arguments); a key is computed once even when several reruns ask
    at the same time (the others wait for it). Callers get a copy: a page may change what it draws."""

    def __init__(self, max_entries: int = MAX_ENTRIES) -> None:
        self.max_entries = max_entries
        self._data: OrderedDict[tuple[Hashable, ...], Any] = OrderedDict()
        self._newest: dict[Hashable, Revision] = {}    # database -> newest revision seen
        self._lock = threading.Lock()
        self._computing: dict[tuple[Hashable, ...], threading.Lock] = {}
        self.hits = self.misses = 0

    def get(self, rev: Revision, name: str, compute: Callable[[], Any], *args: Hashable) -> Any:
        key = (rev, name, *args)
        with self._lock:
            if key in self._data:
                self.hits += 1
                self._data.move_to_end(key)
                return copy.deepcopy(self._data[key])
            gate = self._computing.setdefault(key, threading.Lock())
        with gate:
            with self._lock:
                if key in self._data:   # computed by another rerun while this one waited
                    self.hits += 1
                    return copy.deepcopy(self._data[key])
            value = compute()
            with self._lock:
                self.misses += 1
                self._computing.pop(key, None)
                database, newest = rev[0], rev[1:]
                if self._newest.get(database) != newest:   # the data changed: older entries are never asked again
                    self._newest[database] = newest
                    for old in [k for k in self._data if k[0] != rev and k[0][0] == database]:  # type: ignore[index]
                        del self._data[old]
                self._data[key] = value
                while len(self._data) > self.max_entries:
                    self._data.popitem(last=False)
            return copy.deepcopy(value)

    def clear(self) -> None:
        with self._lock:
            self._data.clear()
            self._newest.clear()
            self.hits = self.misses = 0

    def __len__(self) -> int:
        return len(self._data)


FIGURES = FigureCache()


def cached(rev: Revision, fn: Callable[..., Any], *args: Hashable, **kwargs: Hashable) -> Any:
    """``fn(*args, **kwargs)`` from the process's figure cache at revision ``rev``."""
    name = f"{fn.__module__}.{fn.__qualname__}"
    return FIGURES.get(rev, name, lambda: fn(*args, **kwargs), *args, tuple(sorted(kwargs.items())))


def tab_figures(tab: str, f: DashboardFilter, rev: Revision | None = None) -> dict[str, Any]:
    """Every figure a dashboard tab draws (``dashboard.TAB_FIGURES``), from the cache at ``rev``;
    ``rev=None`` computes them afresh (what the page did before this cache)."""
    figures = TAB_FIGURES[tab]
    if rev is None:
        return {name: fn(f) for name, fn in figures.items()}
    return {name: FIGURES.get(rev, name, partial(fn, f), f) for name, fn in figures.items()}


def clear() -> None:
    FIGURES.clear()


__all__ = ["FIGURES", "FigureCache", "Revision", "cached", "clear", "data_revision", "tab_figures"]
