"""Stage 3: an implementation plan for each retained recommendation.

A plan belongs to a sub-group (one plan per recommendation and sub-group) and answers the four
DPA-PC questions — who wants to change what; what do the people concerned think; what can be
tried here and now; what was tried and what was learned — and lists actions: what, who carries
it (porteur), by when, means, success indicator, risks.

A theme's process (``core.session.theme_process``): a session plans the recommendations retained
in it or on an earlier date of its theme; the plan belongs to the session that writes it.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core import entities as e
from core.actor import Actor
from core.errors import Conflict, ValidationError
from core.session import session_flow as flow
from core.session import theme_process
from core.validation import clean_id
from storage import db
from storage import models as m

DPA_PC = ("who_wants_what", "people_concerned_view", "try_here_now", "tried_learned")
ACTION_FIELDS = ("action", "carrier", "due", "means", "indicator", "risks")


@dataclass(frozen=True)
class ActionView:
    id: int
    action: str
    carrier: str
    due: dt.date | None
    means: str
    indicator: str
    risks: str
    version: int


@dataclass(frozen=True)
class PlanView:
    id: int
    recommendation_id: int
    recommendation_title: str
    subgroup_id: int | None
    subgroup_name: str
    who_wants_what: str
    people_concerned_view: str
    try_here_now: str
    tried_learned: str
    version: int
    actions: tuple[ActionView, ...] = ()


def plans_snapshot(session_id: int) -> tuple[PlanView, ...]:
    """Every live plan of a session with its actions (builder for live views)."""
    session_id = clean_id(session_id)
    with db.read_session() as s:
        plans = s.execute(select(m.ImplementationPlan).where(m.ImplementationPlan.session_id == session_id,
                                                             m.ImplementationPlan.deleted_at.is_(None))
                          .order_by(m.ImplementationPlan.id)).scalars().all()
        if not plans:
            return ()
        titles = dict(s.execute(select(m.Recommendation.id, m.Recommendation.title)   # also an earlier date's
                                .where(m.Recommendation.id.in_({p.recommendation_id for p in plans}))).all())
        names: dict[int | None, str] = dict(s.execute(select(m.Subgroup.id, m.Subgroup.name)
                                                      .where(m.Subgroup.session_id == session_id)).all())
        actions: dict[int, list[ActionView]] = {p.id: [] for p in plans}
        for a in s.execute(select(m.PlanAction).where(m.PlanAction.plan_id.in_(actions),
                                                      m.PlanAction.deleted_at.is_(None))
                           .order_by(m.PlanAction.id)).scalars():
            actions[a.plan_id].append(ActionView(a.id, a.action, a.carrier, a.due, a.means, a.indicator, a.risks,
                                                 a.version))
        return tuple(PlanView(p.id, p.recommendation_id, titles.get(p.recommendation_id, ""), p.subgroup_id,
                              names.get(p.subgroup_id, ""), p.who_wants_what, p.people_concerned_view,
                              p.try_here_now, p.tried_learned, p.version, tuple(actions[p.id])) for p in plans)


def _session_of_plan(s: Session, plan: m.ImplementationPlan) -> m.WorkshopSession:
    return e.get_row(s, m.WorkshopSession, plan.session_id)


def _refuse_unknown(given: Any, known: tuple[str, ...]) -> None:
    unknown = set(given) - set(known)
    if unknown:
        raise Conflict("error.unknown_field", field=sorted(unknown)[0])


def _plan_to_write(s: Session, actor: Actor, plan_id: Any) -> m.ImplementationPlan:
    """A live plan whose session is at stage 3 (``actor`` may write there), else refused."""
    plan = e.get_live(s, m.ImplementationPlan, plan_id, field="plan_id")
    flow.check_stage(actor, _session_of_plan(s, plan), "implementation")
    return plan


def _action_to_write(s: Session, actor: Actor, action_id: Any) -> m.PlanAction:
    """A live action whose plan's session is at stage 3, else refused."""
    row = e.get_live(s, m.PlanAction, action_id, field="action_id")
    flow.check_stage(actor, _session_of_plan(s, e.get_row(s, m.ImplementationPlan, row.plan_id)), "implementation")
    return row


def start_plan(actor: Actor, rec_id: Any, subgroup_id: int | None = None, session_id: Any = None,
               **answers: Any) -> dict:
    """Start the plan of a sub-group for a retained recommendation (one per sub-group). The plan
    belongs to the session that writes it: a participant's own, for staff ``session_id`` (default:
    the recommendation's); the recommendation was retained there or on an earlier date of its
    theme (otherwise ``error.source_not_in_session``)."""
    _refuse_unknown(answers, DPA_PC)

    def _start(s: Session) -> m.ImplementationPlan:
        rec = e.get_live(s, m.Recommendation, rec_id, field="recommendation_id")
        where = actor.session_id if actor.is_participant else session_id
        session = e.get_live(s, m.WorkshopSession, rec.session_id if where is None else where, field="session_id")
        flow.check_stage(actor, session, "implementation")
        if not theme_process.is_earlier_or_same(s, session, rec.session_id):
            raise ValidationError("error.source_not_in_session", field="recommendation_id")
        if not rec.retained or rec.merged_into_id is not None:
            raise ValidationError("error.not_retained", field="recommendation_id")
        group = actor.subgroup_id if actor.is_participant else subgroup_id
        if group is not None:  # two members clicking at once: the second sees the first's plan
            s.execute(select(m.Subgroup.id).where(m.Subgroup.id == group).with_for_update()).first()
        existing = s.execute(select(m.ImplementationPlan.id).where(
            m.ImplementationPlan.recommendation_id == rec.id, m.ImplementationPlan.deleted_at.is_(None),
            m.ImplementationPlan.subgroup_id.is_(None) if group is None else m.ImplementationPlan.subgroup_id == group
        )).first()
        if existing:
            raise Conflict("error.plan_exists")
        return e.create_in(s, actor, "implementation_plan", recommendation_id=rec.id, session_id=session.id,
                           subgroup_id=group, **answers)
    return e.run_write(_start)


def _update(actor: Actor, entity: str, to_write: Callable[[Session, Actor, Any], Any], ident: Any,
            seen_version: int | None, changes: dict[str, Any], known: tuple[str, ...]) -> dict:
    """Edit a plan or an action: known fields only, the row live and its session at stage 3."""
    _refuse_unknown(changes, known)
    return e.run_write(lambda s: e.update_in(s, actor, entity, to_write(s, actor, ident).id, seen_version, **changes))


def update_plan(actor: Actor, plan_id: Any, seen_version: int | None, **answers: Any) -> dict:
    """Answer the DPA-PC questions of a plan."""
    return _update(actor, "implementation_plan", _plan_to_write, plan_id, seen_version, answers, DPA_PC)


def add_action(actor: Actor, plan_id: Any, action: str, carrier: str = "", due: Any = None, means: str = "",
               indicator: str = "", risks: str = "") -> dict:
    def _add(s: Session) -> m.PlanAction:
        plan = _plan_to_write(s, actor, plan_id)
        return e.create_in(s, actor, "plan_action", plan_id=plan.id, action=action, carrier=carrier, due=due,
                           means=means, indicator=indicator, risks=risks)
    return e.run_write(_add)


def update_action(actor: Actor, action_id: Any, seen_version: int | None, **changes: Any) -> dict:
    return _update(actor, "plan_action", _action_to_write, action_id, seen_version, changes, ACTION_FIELDS)


def delete_action(actor: Actor, action_id: Any) -> dict:
    def _delete(s: Session) -> m.PlanAction:
        row = _action_to_write(s, actor, action_id)
        return e.delete_in(s, actor, "plan_action", row.id)
    return e.run_write(_delete)

