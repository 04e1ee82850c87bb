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


def room_snapshot(session_id: int) -> Room:
    """Builder for live views that need the whole session (a few queries, shared by every screen
    at one revision)."""
    return Room(session_view(session_id), board.board_snapshot(session_id),
                recommendations.recommendations_snapshot(session_id), voting.vote_snapshot(session_id),
                plans.plans_snapshot(session_id), mood.mood_summary(session_id))
