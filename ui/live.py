"""Live views, as DESIGN.md prescribes.

Two shapes, both an ``st.fragment(run_every=...)`` whose tick reads the session's revision (one
indexed query) and uses a snapshot cached by (database, builder, session, revision, args), so many
screens share one computation per change:

- ``live_view``: the fragment draws the snapshot on every tick (projector, stage and timer). A
  tick always draws (a fragment that returns early goes blank).
- ``watch``: the fragment draws nothing and, when the data this screen shows has changed, reruns
  the whole page, which draws from the same cached snapshot. A quiet tick then costs about what a
  trivial page costs, whatever the size of the page; buttons and forms live in the page body and
  behave normally. Used by the pages people work in (canvas).

Editors (forms) always stay outside ticking fragments so a tick never clears what someone types.

When a whole room joins at once every browser's timer fires in step; each browser session gets a
small random offset on its interval so the ticks spread out.
"""
from __future__ import annotations

import hashlib
import os
import pickle
import random
from typing import Any, Callable

import streamlit as st

from core import live
from storage import db

DEFAULT_INTERVAL_S = float(os.environ.get("ATELIER_LIVE_INTERVAL", "2"))
JITTER = 0.25  # up to +25 % of the interval, drawn once per browser session


def interval() -> float:
    offset = st.session_state.get("_live_offset")
    if offset is None:
        offset = st.session_state["_live_offset"] = random.uniform(0, JITTER)
    return round(DEFAULT_INTERVAL_S * (1 + offset), 2)


@st.cache_resource(show_spinner=False, max_entries=1024)
def _snapshot(database: str, builder_name: str, session_id: int, rev: tuple[int, int], args: tuple,
              _builder: Callable[..., Any]) -> tuple[Any, str]:
    """One computation per (database, builder, session, revision, args), shared by every screen
    (cache_resource: no copy per reader; snapshots are read-only), with a digest of its content."""
    data = _builder(*args) if args else _builder(session_id)
    return data, hashlib.sha1(pickle.dumps(data, protocol=5)).hexdigest()


def _cached(builder: Callable[..., Any], session_id: int, args: tuple) -> tuple[tuple[int, int], Any, str]:
    rev = live.revision(session_id)
    name = f"{builder.__module__}.{builder.__qualname__}"
    data, digest = _snapshot(db.database_url(), name, session_id, rev, tuple(args), builder)
    return rev, data, digest


def snapshot(builder: Callable[..., Any], session_id: int, args: tuple = ()) -> tuple[tuple[int, int], Any]:
    """The current revision and the builder's data at that revision (pure data, no widgets).
    The builder is called as ``builder(session_id)``, or ``builder(*args)`` when args are given."""
    rev, data, _digest = _cached(builder, session_id, args)
    return rev, data


def current(builder: Callable[..., Any], session_id: int, key: str, args: tuple = ()) -> Any:
    """The snapshot a page draws now; remembers what this screen shows, for ``watch``."""
    _rev, data, digest = _cached(builder, session_id, args)
    st.session_state[f"_live_seen_{key}"] = digest
    return data


def watch(builder: Callable[..., Any], session_id: int, key: str, args: tuple = ()) -> None:
    """Rerun the whole page when the data drawn with ``current(..., key)`` changes (see above)."""

    @st.fragment(run_every=interval())
    def _watch() -> None:
        _rev, _data, digest = _cached(builder, session_id, args)
        seen = st.session_state.get(f"_live_seen_{key}")
        if seen is not None and seen != digest:
            st.rerun()

    _watch()


def live_view(session_id: int, builder: Callable[..., Any], draw: Callable[[Any], None],
              key: str, on_change: Callable[[Any, Any], None] | None = None, args: tuple = ()) -> None:
    """Draw ``draw(builder(session_id))`` now and again on every tick; ``on_change(old, new)`` is
    called inside the fragment when the revision moved (e.g. to rerun the whole page)."""

    @st.fragment(run_every=interval())
    def _view() -> None:
        rev, data = snapshot(builder, session_id, args)
        seen_key = f"_live_rev_{key}"
        previous = st.session_state.get(seen_key)
        st.session_state[seen_key] = rev
        if on_change is not None and previous is not None and previous != rev:
            on_change(previous, rev)
        draw(data)

    _view()
