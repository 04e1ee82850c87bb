"""The whole session in one snapshot, for the live views of the sub-groups' page, the console and
the projector: stage and timer, board, recommendations, votes, plans and mood. It sits above the
services it gathers (session_flow, board, recommendations, voting, plans, mood), which never import it."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from core.session import board, mood, plans, recommendations, voting
from core.session.session_flow import SessionState, session_view


@dataclass(frozen=True)
class Room:
    """One snapshot per (session, revision) for the participants' page and the console."""

    state: SessionState
    board: Any
    recommendations: Any
    votes: Any
    plans: Any
    mood: Any


PARTS = frozenset({"board", "recommendations", "votes", "plans", "mood"})


def room_snapshot(session_id: int, parts: frozenset[str] = PARTS) -> Room:
    """Builder for live views that need the whole session (a few queries, shared by every screen
    at one revision). With ``parts``, only those are read and the others left ``None`` (the
    projector reads what its view draws); the session's state is always read."""
    return Room(session_view(session_id),
                board.board_snapshot(session_id) if "board" in parts else None,
                recommendations.recommendations_snapshot(session_id) if "recommendations" in parts else None,
                voting.vote_snapshot(session_id) if "votes" in parts else None,
                plans.plans_snapshot(session_id) if "plans" in parts else None,
                mood.mood_summary(session_id) if "mood" in parts else None)
