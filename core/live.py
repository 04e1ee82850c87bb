"""Change detection for live views: the newest activity row of a session is its revision.

Every write appends an activity row in the same transaction, so ``revision(session_id)`` changes
exactly when something in the session changed. It is one indexed lookup
(``ix_activity_session_id_id``), cheap enough for every tick of every screen."""
from __future__ import annotations

from sqlalchemy import func, select

from storage import db
from storage import models as m


def revision(session_id: int) -> tuple[int, int]:
    """(newest activity id, number of activity rows) of the session.

    The count matters on PostgreSQL, where ids come from a sequence and transactions may commit
    out of order: a slow writer holding id 100 can commit after one holding id 101 was already
    seen, so the newest id alone would not move. The count always does."""
    with db.read_session() as s:
        newest, rows = s.execute(select(func.max(m.Activity.id), func.count())
                                 .where(m.Activity.session_id == session_id)).one()
        return int(newest or 0), int(rows)


def global_revision() -> int:
    """Newest activity of the whole database (inventory and dashboards)."""
    with db.read_session() as s:
        return int(s.execute(select(func.max(m.Activity.id))).scalar_one() or 0)
