"""Change detection for live views: the newest activity row of a session is its revision.

Every write appends an activity row in the same transaction, so ``revision(session_id)`` changes
exactly when something in the session changed. It is one indexed lookup
(``ix_activity_session_id_id``), cheap enough for every tick of every screen."""
from __future__ import annotations

import threading
import time

from sqlalchemy import bindparam, func, select

from storage import db
from storage import models as m


_REVISION_QUERY = (select(func.max(m.Activity.id), func.count())
                   .where(m.Activity.session_id == bindparam("session_id")))
MAX_AGE_S = 0.2            # every screen of a room ticks about once a second: they share reads
_recent: dict[tuple[str, int], tuple[float, tuple[int, int]]] = {}
_lock = threading.Lock()


def revision(session_id: int, max_age_s: float = MAX_AGE_S) -> tuple[int, int]:
    """(newest activity id, number of activity rows) of the session.

    The count matters on PostgreSQL, where ids come from a sequence and transactions may commit
    out of order: a slow writer holding id 100 can commit after one holding id 101 was already
    seen, so the newest id alone would not move. The count always does.

    A value read less than ``max_age_s`` ago in this process is reused: forty screens ticking
    every second then cost a few queries per second, for at most 0.2 s of extra delay."""
    key = (db.database_url(), int(session_id))
    now = time.monotonic()
    with _lock:
        hit = _recent.get(key)
    if hit is not None and now - hit[0] < max_age_s:
        return hit[1]
    with db.get_engine().connect() as conn:
        newest, rows = conn.execute(_REVISION_QUERY, {"session_id": int(session_id)}).one()
        conn.rollback()
    value = (int(newest or 0), int(rows))
    with _lock:
        _recent[key] = (time.monotonic(), value)
        if len(_recent) > 4096:
            _recent.clear()
    return value


def global_revision() -> int:
    """Newest activity of the whole database (inventory and dashboards)."""
    with db.read_session() as s:
        return int(s.execute(select(func.max(m.Activity.id))).scalar_one() or 0)
