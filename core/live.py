"""Change detection for live views: the newest activity row of a session is its revision.

Every write appends an activity row in the same transaction, so ``revision(session_id)`` changes
exactly when something in the session changed. It is one indexed lookup
(``ix_activity_session_id_id``), cheap enough for every tick of every screen."""
from __future__ import annotations

from sqlalchemy import func, select

from storage import db
from storage import models as m


def revision(session_id: int) -> int:
    with db.read_session() as s:
        return int(s.execute(select(func.max(m.Activity.id)).where(m.Activity.session_id == session_id))
                   .scalar_one() or 0)


def global_revision() -> int:
    """Newest activity of the whole database (inventory and dashboards)."""
    with db.read_session() as s:
        return int(s.execute(select(func.max(m.Activity.id))).scalar_one() or 0)
