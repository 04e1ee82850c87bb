"""The mood check (météo de l'humeur): each participant picks one of five weathers at the start
('before') and at the end ('after') of the session, while the facilitator has that moment open;
the session shows the before/after distribution. Answering again changes one's weather (one row
per participant browser and moment)."""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core import entities as e
from core import vocabulary
from core.actor import Actor
from core.errors import Conflict, PermissionDenied, ValidationError
from core.session import session_flow as flow
from core.validation import clean_id
from storage import db
from storage import models as m

WEATHERS = vocabulary.WEATHERS
MOMENTS = vocabulary.MOOD_MOMENTS


@dataclass(frozen=True)
class MoodSummary:
    session_id: int
    counts: dict[str, dict[str, int]] = field(default_factory=dict)      # moment -> weather -> n
    by_token: dict[int, dict[str, str]] = field(default_factory=dict)    # token -> moment -> weather

    def distribution(self, moment: str) -> list[tuple[str, int]]:
        """(weather, count) for every weather, sunny first."""
        per = self.counts.get(moment, {})
        return [(w, per.get(w, 0)) for w in WEATHERS]

    def total(self, moment: str) -> int:
        return sum(self.counts.get(moment, {}).values())

    def mine(self, token_id: int | None, moment: str) -> str | None:
        return self.by_token.get(token_id, {}).get(moment) if token_id is not None else None


def mood_summary(session_id: int) -> MoodSummary:
    session_id = clean_id(session_id)
    with db.read_session() as s:
        counts: dict[str, dict[str, int]] = {}
        for moment, weather, n in s.execute(
                select(m.MoodCheck.moment, m.MoodCheck.weather, func.count())
                .where(m.MoodCheck.session_id == session_id)
                .group_by(m.MoodCheck.moment, m.MoodCheck.weather)):
            counts.setdefault(moment, {})[weather] = int(n)
        by_token: dict[int, dict[str, str]] = {}
        for token_id, moment, weather in s.execute(
                select(m.MoodCheck.token_id, m.MoodCheck.moment, m.MoodCheck.weather)
                .where(m.MoodCheck.session_id == session_id, m.MoodCheck.token_id.is_not(None))):
            by_token.setdefault(token_id or 0, {})[moment] = weather  # NULL tokens are filtered out above
        return MoodSummary(session_id, counts, by_token)


def open_mood_check(actor: Actor, session_id: int, moment: str | None) -> dict:
    """The facilitator opens the 'before' or 'after' check (None closes it)."""
    return flow.open_mood_check(actor, session_id, moment)


def set_mood(actor: Actor, moment: str, weather: str) -> dict:
    """A participant gives (or changes) their weather for the moment the facilitator opened."""
    if not actor.is_participant or actor.id is None:
        raise PermissionDenied()
    if moment not in MOMENTS:
        raise ValidationError("error.invalid_choice", field="moment", value=str(moment)[:40])
    if weather not in WEATHERS:
        raise ValidationError("error.invalid_choice", field="weather", value=str(weather)[:40])

    def _set(s: Session) -> dict[str, Any]:
        session = e.get_live(s, m.WorkshopSession, actor.session_id, field="session_id")
        scope = e._session_scope(s, session.id, actor.subgroup_id)
        # a paused board does not stop the mood check: only a closed session does
        e.check_can_write(actor, dataclasses.replace(scope, contributions_open=True), "mood_check", "set")
        if flow.mood_moment_open(session) != moment:
            raise Conflict("error.mood_not_open")
        row = s.execute(select(m.MoodCheck).where(m.MoodCheck.session_id == session.id,
                                                  m.MoodCheck.token_id == actor.id,
                                                  m.MoodCheck.moment == moment)).scalar_one_or_none()
        before = {"moment": moment, "weather": row.weather} if row is not None else None
        if row is None:
            row = m.MoodCheck(session_id=session.id, token_id=actor.id, moment=moment, weather=weather)
            s.add(row)
        elif row.weather == weather:
            return {"id": row.id, "moment": moment, "weather": weather}
        else:
            row.weather = weather
        s.flush()
        e.record(s, actor, "mood", "mood_check", row.id, scope, before=before,
                 after={"moment": moment, "weather": weather})
        return {"id": row.id, "moment": moment, "weather": weather}
    return e.run_write(_set)
