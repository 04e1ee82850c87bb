"""The diagnostic board: findings, successes, challenges and solution ideas, each in a category,
and the closing round's findings and wishes ("l'heure des bilans").

An event chooses its category set from a template: ``plain`` (a few neutral categories, labels
translated through ``flow.category.<code>``) or ``partners_day`` (the successes' and challenges'
categories of the Partner's Day 2024 report, shown as written in the report).

Sub-groups add contributions with plain inserts (concurrent adds never collide). While the
facilitator hides contributions, a sub-group sees only its own; ``Board.visible`` applies that
rule so every screen shares one cached snapshot per revision.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core import entities as e
from core.actor import Actor
from core.errors import Conflict, NotFound, ValidationError
from core.session import session_flow as flow
from core.setup.board_categories import (  # noqa: F401 (part of the board's interface)
    BOARD_KINDS,
    CLOSING_CATEGORY,
    CLOSING_KINDS,
    PLAIN_CATEGORIES,
    TEMPLATES,
    CategoryTemplate,
    categories_for,
    category_label_key,
    template,
)
from core.validation import clean_id
from storage import db
from storage import models as m


def is_closing(template_key: str | None, kind: str, category: str) -> bool:
    return category in template(template_key).closing.get(kind, ())


# --- read model -------------------------------------------------------------------------------

@dataclass(frozen=True)
class BoardItem:
    id: int
    subgroup_id: int | None
    subgroup_name: str
    kind: str
    category: str
    text: str
    created_by: str
    created_at: dt.datetime
    version: int
    closing: bool


@dataclass(frozen=True)
class Board:
    session_id: int
    template_key: str
    hidden: bool
    items: tuple[BoardItem, ...]

    def visible(self, subgroup_id: int | None = None, staff: bool = False) -> list[BoardItem]:
        """What a viewer may see: staff everything; while hidden, a sub-group only its own items
        (and a screen without a sub-group, e.g. the projector, nothing); once revealed, all."""
        if staff or not self.hidden:
            return list(self.items)
        return [i for i in self.items if subgroup_id is not None and i.subgroup_id == subgroup_id]

    def diagnostic(self, subgroup_id: int | None = None, staff: bool = False) -> list[BoardItem]:
        return [i for i in self.visible(subgroup_id, staff) if not i.closing]

    def closing_round(self, subgroup_id: int | None = None, staff: bool = False) -> list[BoardItem]:
        return [i for i in self.visible(subgroup_id, staff) if i.closing]


def board_snapshot(session_id: int) -> Board:
    """Every live contribution of a session (builder for ``ui.live.live_view``)."""
    with db.read_session() as s:
        x = s.get(m.WorkshopSession, clean_id(session_id, "session_id"))
        if x is None:
            raise NotFound(field="session_id")
        tpl = _template_key(s, x)
        names = dict(s.execute(select(m.Subgroup.id, m.Subgroup.name).where(m.Subgroup.session_id == x.id)).all())
        rows = s.execute(select(m.Contribution).where(m.Contribution.session_id == x.id,
                                                      m.Contribution.deleted_at.is_(None))
                         .order_by(m.Contribution.id)).scalars().all()
        items = tuple(BoardItem(c.id, c.subgroup_id, names.get(c.subgroup_id or 0, ""), c.kind, c.category, c.text,
                                c.created_by, c.created_at, c.version, is_closing(tpl, c.kind, c.category))
                      for c in rows)
        return Board(x.id, tpl, bool(x.contributions_hidden), items)


def _template_key(s: Session, session: m.WorkshopSession) -> str:
    return s.execute(select(m.Event.category_template).join(m.Theme, m.Theme.event_id == m.Event.id)
                     .where(m.Theme.id == session.theme_id)).scalar_one() or "plain"


# --- writes -----------------------------------------------------------------------------------

def _check_kind_category(tpl: str, kind: str, category: Any) -> bool:
    """Validate kind and category against the event's template; returns whether it is a
    closing-round contribution."""
    if not isinstance(category, str) or not category.strip():
        raise ValidationError("error.required", field="category")
    category = category.strip()
    if is_closing(tpl, kind, category):
        return True
    if kind not in BOARD_KINDS:
        raise ValidationError("error.invalid_choice", field="kind", value=str(kind)[:40])
    if category not in categories_for(tpl, kind):
        raise ValidationError("error.invalid_choice", field="category", value=category[:40])
    return False


def _check_closing_round(actor: Actor, session: m.WorkshopSession, closing: bool) -> None:
    if closing:
        flow.check_stage(actor, session, None)
        if actor.is_participant and not flow.closing_round_open(session):
            raise Conflict("error.closing_round_closed")
    else:
        flow.check_stage(actor, session, "diagnostic")


def add_contribution_in(s: Session, actor: Actor, session_id: Any, kind: str, category: str, text: str,
                        subgroup_id: int | None = None) -> m.Contribution:
    session = e.get_live(s, m.WorkshopSession, session_id, field="session_id")
    closing = _check_kind_category(_template_key(s, session), kind, category)
    _check_closing_round(actor, session, closing)
    group = actor.subgroup_id if actor.is_participant else subgroup_id
    return e.create_in(s, actor, "contribution", session_id=session.id, subgroup_id=group, kind=kind,
                       category=category.strip(), text=text, created_by=actor.label[:120])


def add_contribution(actor: Actor, session_id: Any, kind: str, category: str, text: str,
                     subgroup_id: int | None = None) -> dict:
    """Add a finding, success, challenge or solution idea (stage 1), or a closing-round finding or
    wish; participants write into their own sub-group."""
    return e.run_write(add_contribution_in, actor, session_id, kind, category, text, subgroup_id)


def edit_contribution(actor: Actor, contribution_id: Any, seen_version: int | None, **changes: Any) -> dict:
    def _edit(s: Session) -> m.Contribution:
        c = e.get_live(s, m.Contribution, contribution_id)
        session = e.get_row(s, m.WorkshopSession, c.session_id)
        kind, category = changes.get("kind", c.kind), changes.get("category", c.category)
        _check_closing_round(actor, session, _check_kind_category(_template_key(s, session), kind, category))
        return e.update_in(s, actor, "contribution", c.id, seen_version, **changes)
    return e.run_write(_edit)


def delete_contribution(actor: Actor, contribution_id: Any) -> dict:
    def _delete(s: Session) -> m.Contribution:
        c = e.get_live(s, m.Contribution, contribution_id)
        session = e.get_row(s, m.WorkshopSession, c.session_id)
        _check_closing_round(actor, session, is_closing(_template_key(s, session), c.kind, c.category))
        return e.delete_in(s, actor, "contribution", c.id)
    return e.run_write(_delete)
