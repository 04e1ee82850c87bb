"""Change detection for live views: the newest activity row of a session is its revision.

Every write appends an activity row in the same transaction, so ``revision(session_id)`` changes
exactly when something in the session changed; ``revision(session_id, ignore=...)`` when
something of the other kinds changed (per-view revisions), ``revision(..., persona=...)`` when
something of that persona's canvas (or of no persona) changed. One grouped query over the session's
activity rows (``ix_activity_session_id_id``) serves every view, shared by the screens of the
process for a fraction of a tick."""
from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Collection, Hashable
from typing import Any

from sqlalchemy import bindparam, func, select

from storage import db
from storage import models as m

_REVISION_QUERY = (select(m.Activity.entity_type, m.Activity.persona_id, func.max(m.Activity.id), func.count())
                   .where(m.Activity.session_id == bindparam("session_id"))
                   .group_by(m.Activity.entity_type, m.Activity.persona_id))
MAX_AGE_S = 0.2            # every screen of a room ticks about once a second: they share reads
Revision = tuple[int, int]
# (kind of row, persona or None) -> (newest activity id, number of rows)
Revisions = dict[tuple[str, int | None], Revision]
_recent: dict[tuple[str, int], tuple[float, Revisions]] = {}
_lock = threading.Lock()


def revisions(session_id: int, max_age_s: float = MAX_AGE_S) -> Revisions:
    """(newest activity id, number of activity rows) of the session, per kind of row written
    (``Activity.entity_type``: "session", "canvas_item", "vote"...) and persona (``Activity.persona_id``,
    None for rows of no persona): one grouped query for every view of the session, each view
    reading the kinds (and the persona) it draws (``revision(..., ignore, persona)``).

    The count matters on PostgreSQL, where ids come from a sequence and transactions may commit
    out of order: a slow writer holding id 100 can commit after one holding id 101 was already
    seen, so the newest id alone would not move. The count always does.

    A value read less than ``max_age_s`` ago in this process is reused: forty screens ticking
    every second then cost a few queries per second, for at most 0.2 s of extra delay. A read is as
    old as the moment it started: a slow read never replaces one that started after it (it would
    hand screens an older revision than one they may already have drawn)."""
    key = (db.database_url(), int(session_id))
    started = time.monotonic()
    with _lock:
        hit = _recent.get(key)
    if hit is not None and started - hit[0] < max_age_s:
        return hit[1]
    with db.get_engine().connect() as conn:
        rows = conn.execute(_REVISION_QUERY, {"session_id": int(session_id)}).all()
        conn.rollback()
    value = {(str(kind), None if persona is None else int(persona)): (int(newest or 0), int(count))
             for kind, persona, newest, count in rows}
    with _lock:
        held = _recent.get(key)
        if held is None or held[0] <= started:
            _recent[key] = (started, value)
        if len(_recent) > 4096:
            _recent.clear()
    return value


def revision(session_id: int, max_age_s: float = MAX_AGE_S, ignore: Collection[str] = (),
             persona: int | None = None) -> Revision:
    """The session's revision: it moves exactly when something in the session is written, except
    rows of the kinds in ``ignore`` (a view redraws only when what it shows may have changed: the
    vote results do not move when a canvas gets an item). Views list what they do *not* draw, so
    a kind of row added later moves every view until someone says otherwise.
    With ``persona`` (a view of one persona's canvas), rows that belong to *another* persona do
    not move it either: eight sub-groups writing on eight canvases no longer make every canvas
    of the room be rebuilt on each write. Rows of no persona (the session's state, a partner
    service, rows written before activity named personas) still move it."""
    return revision_in(revisions(session_id, max_age_s), ignore, persona)


def revision_in(per_kind: Revisions, ignore: Collection[str] = (), persona: int | None = None) -> Revision:
    """``revision`` from revisions already read (several views at one read)."""
    chosen = [rev for (kind, of), rev in per_kind.items()
              if kind not in ignore and (persona is None or of is None or of == persona)]
    return (max((newest for newest, _n in chosen), default=0), sum(n for _newest, n in chosen))


def global_revision() -> int:
    """Newest activity of the whole database (inventory and dashboards)."""
    with db.read_session() as s:
        return int(s.execute(select(func.max(m.Activity.id))).scalar_one() or 0)


class LatestSnapshots:
    """What live views draw, computed once per change and shared by every screen of the process.

    One entry per view (database, builder, session, arguments) holding only its ``keep`` newest
    revisions: every screen asks for the current revision, so older ones are never read again
    (two are kept because screens may read the revision a moment apart). Views not asked for in a
    while are dropped beyond ``max_views``. A revision is computed once even when many screens ask
    at the same time (the others wait for it). A cache keyed by revision alone would instead keep
    a snapshot per change until its size limit: the soak benchmark saw the server grow by
    ~200 MiB an hour that way."""

    def __init__(self, keep: int = 2, max_views: int = 512) -> None:
        self.keep = keep
        self.max_views = max_views
        self._views: OrderedDict[Hashable, dict[Hashable, Any]] = OrderedDict()
        self._computing: dict[Hashable, threading.Lock] = {}
        self._lock = threading.Lock()

    def get(self, view: Hashable, rev: Hashable, compute: Callable[[], Any]) -> Any:
        with self._lock:
            held = self._views.get(view)
            if held is not None and rev in held:
                self._views.move_to_end(view)
                return held[rev]
            gate = self._computing.setdefault(view, threading.Lock())
        with gate:  # one computation per view at a time; who waited finds it done
            with self._lock:
                held = self._views.get(view)
                if held is not None and rev in held:
                    return held[rev]
            data = compute()
            with self._lock:
                held = self._views.setdefault(view, {})
                held[rev] = data
                while len(held) > self.keep:
                    del held[next(iter(held))]  # the oldest inserted
                self._views.move_to_end(view)
                while len(self._views) > self.max_views:
                    old, _ = self._views.popitem(last=False)
                    self._computing.pop(old, None)
            return data

    def sizes(self) -> dict[str, int]:
        """Views held and snapshots held (for tests and benchmarks)."""
        with self._lock:
            return {"views": len(self._views), "snapshots": sum(len(h) for h in self._views.values())}

    def clear(self) -> None:
        with self._lock:
            self._views.clear()
            self._computing.clear()


SNAPSHOTS = LatestSnapshots()   # the process's live-view snapshots (ui.live)


def reset() -> None:
    """Forget every revision read and snapshot held (tests that reuse a database URL)."""
    with _lock:
        _recent.clear()
    SNAPSHOTS.clear()


# --- the database away for a moment (pages and live views recover by themselves) ------------

def database_reachable() -> bool:
    """Whether the database answers a trivial query now."""
    return db.reachable()


def database_unavailable(exc: BaseException) -> bool:
    """Whether ``exc`` (a driver or SQLAlchemy error that escaped the engines' own translation to
    ``core.errors.StorageUnavailable``) means the database is away for a moment, not a bug."""
    return db.unavailable_reason(exc) is not None
