"""Dot voting on the recommendations of a session.

The facilitator opens a vote with N dots per sub-group (1 to 12, default 3), optionally allowing
several dots on one recommendation; sub-groups place, remove and move their dots until the vote
closes; totals stay hidden from participants (and the projector) until the facilitator reveals
them. One ``votes`` row per dot.

With one dot per recommendation, a sub-group cannot place more dots than there are
recommendations: ``VoteState.placeable`` says how many it can still place (``stranded`` how many
it cannot), so its page never offers a dot that has nowhere to go, and ``placeable_dots`` tells the
facilitator when the dots they give are more than can be placed.

The limit holds when two members of a sub-group click at the same moment: a dot is counted and
inserted in one transaction that first locks the sub-group's row (``SELECT ... FOR UPDATE`` on
PostgreSQL; on SQLite every writing transaction starts with ``BEGIN IMMEDIATE``), so the second
click counts the first one's dot.
"""
from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from core import entities as e
from core import limits as L
from core import validation as v
from core.actor import Actor
from core.errors import Conflict, NotFound, PermissionDenied, ValidationError
from core.session import session_flow as flow
from storage import db
from storage import models as m

# --- read model -------------------------------------------------------------------------------

@dataclass(frozen=True)
class VoteState:
    session_id: int
    status: str                 # none / open / closed
    dots: int                   # per sub-group
    multi: bool                 # several dots on one recommendation
    revealed: bool
    by_subgroup: dict[int, dict[int, int]] = field(default_factory=dict)   # subgroup -> rec -> dots

    def used(self, subgroup_id: int | None) -> int:
        return sum(self.by_subgroup.get(subgroup_id, {}).values()) if subgroup_id is not None else 0

    def left(self, subgroup_id: int | None) -> int:
        return max(0, self.dots - self.used(subgroup_id))

    def mine(self, subgroup_id: int | None, rec_id: int) -> int:
        return self.by_subgroup.get(subgroup_id, {}).get(rec_id, 0) if subgroup_id is not None else 0

    def placeable(self, subgroup_id: int | None, rec_ids: Iterable[int]) -> int:
        """How many of the sub-group's remaining dots it can still place on ``rec_ids`` (the
        recommendations on the ballot): all of them when several dots may go on one recommendation,
        otherwise no more than the recommendations it has not given a dot yet."""
        left, ballot = self.left(subgroup_id), set(rec_ids)
        if not ballot:
            return 0
        if self.multi:
            return left
        return min(left, sum(1 for rec_id in ballot if not self.mine(subgroup_id, rec_id)))

    def stranded(self, subgroup_id: int | None, rec_ids: Iterable[int]) -> int:
        """Remaining dots the sub-group cannot place (one dot per recommendation, fewer
        recommendations than dots): 0 when every remaining dot has somewhere to go."""
        ballot = list(rec_ids)
        return self.left(subgroup_id) - self.placeable(subgroup_id, ballot)

    def unplaceable(self, rec_count: int) -> int:
        """How many of the dots given to each sub-group can never be placed on ``rec_count``
        recommendations (what the facilitator is warned about): ``dots - placeable_dots(...)``."""
        return self.dots - placeable_dots(self.dots, self.multi, rec_count)

    def totals(self) -> dict[int, int]:
        """Dots per recommendation (for the facilitator; participants use ``public_totals``)."""
        out: dict[int, int] = {}
        for per_rec in self.by_subgroup.values():
            for rec_id, n in per_rec.items():
                out[rec_id] = out.get(rec_id, 0) + n
        return out

    def public_totals(self) -> dict[int, int] | None:
        """Totals once revealed, else None."""
        return self.totals() if self.revealed else None

    def ranking(self, rec_ids: list[int]) -> list[tuple[int, int]]:
        """(recommendation id, dots), most dots first (ties in the given order)."""
        totals = self.totals()
        order = {rid: i for i, rid in enumerate(rec_ids)}
        return sorted(((rid, totals.get(rid, 0)) for rid in rec_ids), key=lambda x: (-x[1], order[x[0]]))


def vote_snapshot(session_id: int) -> VoteState:
    with db.read_session() as s:
        x = s.get(m.WorkshopSession, v.clean_id(session_id, "session_id"))
        if x is None:
            raise NotFound(field="session_id")
        by: dict[int, dict[int, int]] = {}
        for subgroup_id, rec_id, n in s.execute(
                select(m.Vote.subgroup_id, m.Vote.recommendation_id, func.count())
                .where(m.Vote.session_id == x.id).group_by(m.Vote.subgroup_id, m.Vote.recommendation_id)):
            by.setdefault(subgroup_id, {})[rec_id] = int(n)
        return VoteState(x.id, x.vote_status, int(x.vote_dots or L.VOTE_DOTS_DEFAULT), bool(x.vote_multi),
                         bool(x.votes_revealed), by)


def placeable_dots(dots: int, multi: bool, rec_count: int) -> int:
    """The most dots one sub-group can place on ``rec_count`` recommendations: every dot when
    several may go on one recommendation, else one per recommendation."""
    if rec_count <= 0:
        return 0
    return dots if multi else min(dots, rec_count)


# --- facilitator ------------------------------------------------------------------------------

def _clean_dots(dots: Any) -> int:
    value = v.parse_int(dots)
    if value is None:
        raise ValidationError("error.not_a_number", field="dots")
    if not L.VOTE_DOTS_MIN <= value <= L.VOTE_DOTS_MAX:
        raise ValidationError("error.out_of_range", field="dots", min=L.VOTE_DOTS_MIN, max=L.VOTE_DOTS_MAX)
    return value


def open_vote(actor: Actor, session_id: int, dots: Any = L.VOTE_DOTS_DEFAULT, multi: bool = False) -> dict:
    """Open (or reopen) the vote: N dots per sub-group; results hidden until revealed. Dots
    already placed in an earlier round stay."""
    dots = _clean_dots(dots)

    def change(_s: Session, x: m.WorkshopSession) -> None:
        x.vote_status, x.vote_dots, x.vote_multi, x.votes_revealed = "open", dots, bool(multi), False
    return flow.run_console_action(actor, session_id, "vote_open", change)


def close_vote(actor: Actor, session_id: int) -> dict:
    def change(_s: Session, x: m.WorkshopSession) -> None:
        if x.vote_status == "open":
            x.vote_status = "closed"
    return flow.run_console_action(actor, session_id, "vote_close", change)


def reveal_results(actor: Actor, session_id: int, revealed: bool = True) -> dict:
    def change(_s: Session, x: m.WorkshopSession) -> None:
        x.votes_revealed = bool(revealed)
    return flow.run_console_action(actor, session_id, "vote_reveal" if revealed else "vote_hide", change)


def show_results(actor: Actor, session_id: int) -> dict:
    """One click in the console: the results are revealed and the projector shows them (one write,
    so the room never sees the chart view with the results still hidden)."""
    def change(_s: Session, x: m.WorkshopSession) -> None:
        x.votes_revealed = True
        x.projector_view, x.projector_spotlight_id = "votes", None
    return flow.run_console_action(actor, session_id, "vote_reveal", change)


def clear_votes(actor: Actor, session_id: int) -> dict:
    """Start over: every dot removed (not while the vote is open)."""
    def change(s: Session, x: m.WorkshopSession) -> None:
        if x.vote_status == "open":
            raise Conflict("error.vote_still_open")
        s.execute(delete(m.Vote).where(m.Vote.session_id == x.id).execution_options(synchronize_session=False))
        x.vote_status, x.votes_revealed = "none", False
    return flow.run_console_action(actor, session_id, "vote_clear", change)


# --- sub-groups -------------------------------------------------------------------------------

def _voting_context(s: Session, actor: Actor, session_id: Any, subgroup_id: int | None
                    ) -> tuple[m.WorkshopSession, m.Subgroup, e.Scope]:
    """Lock the voting sub-group's row, then check the vote is open and the actor may vote for it."""
    group_id = actor.subgroup_id if actor.is_participant else subgroup_id
    if group_id is None:
        raise ValidationError("error.required", field="subgroup_id")
    group_ident, session_ident = v.parse_id(group_id), v.parse_id(session_id)
    group = s.execute(select(m.Subgroup).where(m.Subgroup.id == group_ident).with_for_update()
                      ).scalar_one_or_none() if group_ident is not None else None
    session = s.get(m.WorkshopSession, session_ident) if session_ident is not None else None
    if group is None or group.deleted_at is not None or session is None or group.session_id != session.id:
        raise NotFound(field="subgroup_id")
    scope = e.scope_of(s, group)
    # a paused board does not stop the vote: only a closed session or vote does
    e.check_can_write(actor, dataclasses.replace(scope, contributions_open=True), "recommendation", "vote")
    if session.status == "closed":
        raise PermissionDenied("error.session_frozen")
    if session.vote_status != "open":
        raise Conflict("error.vote_not_open")
    return session, group, scope


def _live_recommendation(s: Session, session: m.WorkshopSession, rec_id: Any) -> m.Recommendation:
    rec = e.get_live(s, m.Recommendation, rec_id, field="recommendation_id")
    if rec.session_id != session.id or rec.merged_into_id is not None:
        raise NotFound(field="recommendation_id")
    return rec


def _cast_in(s: Session, actor: Actor, session: m.WorkshopSession, group: m.Subgroup, scope: e.Scope,
             rec: m.Recommendation) -> m.Vote:
    used = s.execute(select(func.count()).select_from(m.Vote).where(m.Vote.session_id == session.id,
                                                                     m.Vote.subgroup_id == group.id)).scalar_one()
    if used >= session.vote_dots:
        raise Conflict("error.no_dots_left", dots=session.vote_dots)
    if not session.vote_multi:
        here = s.execute(select(func.count()).select_from(m.Vote).where(
            m.Vote.subgroup_id == group.id, m.Vote.recommendation_id == rec.id)).scalar_one()
        if here:
            raise Conflict("error.one_dot_per_item")
    vote = m.Vote(session_id=session.id, subgroup_id=group.id, recommendation_id=rec.id)
    s.add(vote)
    s.flush()
    e.record(s, actor, "vote", "vote", vote.id, scope, after={"subgroup_id": group.id, "recommendation_id": rec.id})
    return vote


def _remove_in(s: Session, actor: Actor, group: m.Subgroup, scope: e.Scope, rec: m.Recommendation) -> None:
    vote = s.execute(select(m.Vote).where(m.Vote.subgroup_id == group.id, m.Vote.recommendation_id == rec.id)
                     .order_by(m.Vote.id.desc()).limit(1)).scalar_one_or_none()
    if vote is None:
        raise Conflict("error.no_dot_here")
    s.delete(vote)
    s.flush()
    e.record(s, actor, "unvote", "vote", vote.id, scope, before={"subgroup_id": group.id, "recommendation_id": rec.id})


def cast_dot(actor: Actor, session_id: Any, rec_id: Any, subgroup_id: int | None = None) -> dict:
    """Place one of the sub-group's dots on a recommendation."""
    def _cast(s: Session) -> dict:
        session, group, scope = _voting_context(s, actor, session_id, subgroup_id)
        vote = _cast_in(s, actor, session, group, scope, _live_recommendation(s, session, rec_id))
        return {"id": vote.id, "recommendation_id": vote.recommendation_id, "subgroup_id": vote.subgroup_id}
    return e.run_write(_cast)


def remove_dot(actor: Actor, session_id: Any, rec_id: Any, subgroup_id: int | None = None) -> None:
    """Take one of the sub-group's dots back from a recommendation."""
    def _remove(s: Session) -> None:
        session, group, scope = _voting_context(s, actor, session_id, subgroup_id)
        _remove_in(s, actor, group, scope, _live_recommendation(s, session, rec_id))
    e.run_write(_remove)


def move_dot(actor: Actor, session_id: Any, from_rec_id: Any, to_rec_id: Any, subgroup_id: int | None = None) -> dict:
    """Move one dot from one recommendation to another, in one step."""
    def _move(s: Session) -> dict:
        session, group, scope = _voting_context(s, actor, session_id, subgroup_id)
        source = _live_recommendation(s, session, from_rec_id)
        target = _live_recommendation(s, session, to_rec_id)
        _remove_in(s, actor, group, scope, source)
        vote = _cast_in(s, actor, session, group, scope, target)
        return {"id": vote.id, "recommendation_id": vote.recommendation_id, "subgroup_id": vote.subgroup_id}
    return e.run_write(_move)
