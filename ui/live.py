"""Live views, as DESIGN.md (at the root of the repository) prescribes.

A live view is an ``st.fragment(run_every=...)``. Each tick reads the session's revision (one
indexed query) and draws from a snapshot held per (database, builder, session, args) for the
newest revisions only (``core.session.live.LatestSnapshots``): many screens share one computation per
change, memory stays flat however many changes a day brings, and a quiet tick costs one query
plus drawing.
A tick always draws (a fragment that returns early goes blank). Keep what a tick draws small
(lists as one Markdown block, not a widget per item): the cost of a tick grows with the number
of elements. Editors (forms, buttons) stay outside live fragments, so a tick never clears what
someone is typing and a click reruns the page, not only the fragment.

When a whole room joins at once every browser's timer fires in step; each browser session gets a
small random offset on its interval so the ticks spread out.
"""
from __future__ import annotations

import os
import random
import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

import streamlit as st
from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx

from core.errors import AtelierError, NotFound, StorageUnavailable
from core.session import live
from storage import db
from ui import errors
from ui.i18n import current_language, t

DEFAULT_INTERVAL_S = float(os.environ.get("ATELIER_LIVE_INTERVAL", "1"))
JITTER = 0.25  # up to +25 % of the interval, drawn once per browser session


def interval() -> float:
    offset = st.session_state.get("_live_offset")
    if offset is None:
        offset = st.session_state["_live_offset"] = random.uniform(0, JITTER)
    return round(DEFAULT_INTERVAL_S * (1 + offset), 2)


def _snapshot(database: str, builder_name: str, session_id: int, rev: tuple[int, int], args: tuple,
              builder: Callable[..., Any]) -> Any:
    """One computation per (database, builder, session, args) and revision, shared by every
    screen of the process (no copy per reader: snapshots are read-only); only the newest
    revisions are held (core.session.live.LatestSnapshots)."""
    return live.SNAPSHOTS.get((database, builder_name, session_id, args), rev,
                         lambda: builder(*args) if args else builder(session_id))


def _ticking() -> bool:
    """True during a fragment's own rerun (a tick), False during a full run of the page."""
    ctx = get_script_run_ctx()
    return bool(ctx is not None and ctx.fragment_ids_this_run)


def snapshot(builder: Callable[..., Any], session_id: int, args: tuple = (),
             ignore: frozenset[str] = frozenset(), persona: int | None = None) -> tuple[tuple[int, int], Any]:
    """The current revision and the builder's data at that revision (pure data, no widgets).
    The builder is called as ``builder(session_id)``, or ``builder(*args)`` when args are given.
    A full run reads the revision fresh (someone who just saved sees it at once); ticks may share
    a read made a moment ago by another screen. Writes of the kinds in ``ignore`` (activity entity
    types the view does not draw) do not move the revision, so they cost the view nothing; with
    ``persona`` (a view of that persona's canvas only), neither do writes to other personas."""
    rev = live.revision(session_id, max_age_s=live.MAX_AGE_S if _ticking() else 0, ignore=ignore, persona=persona)
    return rev, _snapshot(db.database_url(), _view_name(builder, ignore), session_id, rev, tuple(args), builder)


def _view_name(builder: Callable[..., Any], ignore: frozenset[str]) -> str:
    return f"{builder.__module__}.{builder.__qualname__}" + (f"-{sorted(ignore)}" if ignore else "")


def snapshots_per_persona(builder: Callable[[int], Any], session_id: int, persona_ids: tuple[int, ...],
                          ignore: frozenset[str]) -> list[Any]:
    """``snapshot(builder, session_id, args=(persona,), ignore=ignore, persona=persona)`` for each
    persona, at one read of the revisions: the same snapshots the canvas screens draw, so a screen
    that shows every canvas (the projector) rebuilds only the canvas written to, or nothing when a
    canvas screen already did. A persona removed meanwhile is left out (the next tick's list
    follows)."""
    per_kind = live.revisions(session_id, live.MAX_AGE_S if _ticking() else 0)
    name, database = _view_name(builder, ignore), db.database_url()
    out = []
    for persona in persona_ids:
        rev = live.revision_in(per_kind, ignore, persona)
        try:
            out.append(_snapshot(database, name, session_id, rev, (persona,), builder))
        except NotFound:
            continue
    return out


_MADE: OrderedDict[tuple[int, str, str], tuple[Any, Any]] = OrderedDict()
_MADE_LOCK = threading.Lock()
MADE_KEEP = 256


def made_once(data: Any, name: str, make: Callable[[], Any]) -> Any:
    """What ``make()`` builds from a shared snapshot ``data`` (its Markdown, say), once per snapshot,
    ``name`` and language: every tab of a room draws the same snapshot on every tick, so the text is
    made once, not once per tab and tick. Snapshots are never changed once built (``snapshot``); an
    entry is recognised by the snapshot object itself, so a reused ``id`` never returns another's."""
    key = (id(data), name, current_language())
    with _MADE_LOCK:
        held = _MADE.get(key)
    if held is not None and held[0] is data:
        return held[1]
    value = make()
    with _MADE_LOCK:
        _MADE[key] = (data, value)
        _MADE.move_to_end(key)
        while len(_MADE) > MADE_KEEP:
            _MADE.popitem(last=False)
    return value


def live_view(session_id: int, builder: Callable[..., Any], draw: Callable[[Any], None],
              key: str, on_change: Callable[[Any, Any], None] | None = None, args: tuple = (),
              ignore: frozenset[str] = frozenset(), persona: int | None = None) -> None:
    """Draw ``draw(builder(session_id))`` now and again on every tick; ``on_change(old, new)`` is
    called inside the fragment when the revision moved (e.g. to rerun the whole page). Writes of
    the kinds in ``ignore`` (and, with ``persona``, of other personas) do not count as a change for
    this view (see ``snapshot``)."""

    @st.fragment(run_every=interval())
    def _view() -> None:
        # a container without a look of its own: its key (CSS class ``st-key-live_<key>``) marks the
        # live part of the page for tests and styles
        with st.container(key=f"live_{key}"):
            _draw_tick()

    def _draw_tick() -> None:
        data_key = f"_live_data_{key}"
        try:
            rev, data = snapshot(builder, session_id, args, ignore, persona)
        except StorageUnavailable:
            # the database is away for a moment: a tick must draw, so draw what this screen showed
            # last, say so in the user's language, and pick up again on a later tick
            st.caption(t("faults.last_known"))
            if data_key in st.session_state:
                draw(st.session_state[data_key])
            return
        except AtelierError as exc:  # e.g. what this view shows was just deleted: say so, no trace
            errors.show(exc)
            return
        st.session_state[data_key] = data
        seen_key = f"_live_rev_{key}"
        previous = st.session_state.get(seen_key)
        st.session_state[seen_key] = rev
        if on_change is not None and previous is not None and previous != rev:
            on_change(previous, rev)
        draw(data)

    _view()
