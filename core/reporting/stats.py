"""Counts of what the workshops produced: the one source for `manage.py stats`, the dashboards
and the booklet, so two places never disagree on a number."""
from __future__ import annotations

from typing import Any

from sqlalchemy import distinct, func, select
from sqlalchemy.orm import Session

from core.errors import NotFound
from core.reporting.dashboard import joined_people
from storage import db
from storage import models as m

STAT_KEYS = ("events", "themes", "sessions", "subgroups", "personas", "canvas_items", "needs",
             "solution_leads", "resources", "contributions", "recommendations", "votes", "participants",
             "joined")


def _count(s: Session, q: Any) -> int:
    return int(s.execute(select(func.count()).select_from(q.subquery())).scalar_one())


def counts(event_slug: str | None = None) -> dict[str, int]:
    """Live (not deleted) rows per kind, for the whole database or one event."""
    with db.read_session() as s:
        events = select(m.Event.id).where(m.Event.deleted_at.is_(None))
        if event_slug is not None:
            events = events.where(m.Event.slug == event_slug)
            if s.execute(events).first() is None:
                raise NotFound("error.unknown_event", field="event", slug=event_slug)
        themes = select(m.Theme.id).where(m.Theme.deleted_at.is_(None), m.Theme.event_id.in_(events))
        sessions = select(m.WorkshopSession.id).where(m.WorkshopSession.deleted_at.is_(None),
                                                      m.WorkshopSession.theme_id.in_(themes))
        personas = select(m.Persona.id).where(m.Persona.deleted_at.is_(None), m.Persona.session_id.in_(sessions))
        items = select(m.CanvasItem.id, m.CanvasItem.kind).where(
            m.CanvasItem.deleted_at.is_(None), m.CanvasItem.persona_id.in_(personas))
        needs = select(m.CanvasItem.id).where(m.CanvasItem.deleted_at.is_(None), m.CanvasItem.kind == "need",
                                              m.CanvasItem.persona_id.in_(personas))
        leads = select(m.SolutionLead.id).where(m.SolutionLead.deleted_at.is_(None), m.SolutionLead.need_id.in_(needs))
        live_resources = select(m.Resource.id).where(m.Resource.deleted_at.is_(None),
                                                     m.Resource.merged_into_id.is_(None))
        if event_slug is None:
            resources = live_resources
        else:  # the resources this event's canvases drew on
            resources = select(m.LeadResource.resource_id).where(
                m.LeadResource.lead_id.in_(leads), m.LeadResource.resource_id.in_(live_resources)).distinct()
        recommendations = select(m.Recommendation.id).where(
            m.Recommendation.deleted_at.is_(None), m.Recommendation.merged_into_id.is_(None),
            m.Recommendation.session_id.in_(sessions))
        participants = select(m.Registration.participant_id).join(
            m.Participant, m.Participant.id == m.Registration.participant_id).where(
            m.Registration.session_id.in_(sessions), m.Registration.status != "cancelled",
            m.Participant.erased_at.is_(None)).distinct()
        joined = joined_people(sessions).subquery()
        return {
            "events": _count(s, events),
            "themes": _count(s, themes),
            "sessions": _count(s, sessions),
            "subgroups": _count(s, select(m.Subgroup.id).where(m.Subgroup.deleted_at.is_(None),
                                                              m.Subgroup.session_id.in_(sessions))),
            "personas": _count(s, personas),
            "canvas_items": _count(s, items),
            "needs": _count(s, needs),
            "solution_leads": _count(s, leads),
            "resources": _count(s, resources),
            "contributions": _count(s, select(m.Contribution.id).where(
                m.Contribution.deleted_at.is_(None), m.Contribution.session_id.in_(sessions))),
            "recommendations": _count(s, recommendations),
            "votes": _count(s, select(m.Vote.id).where(m.Vote.recommendation_id.in_(recommendations))),
            "participants": _count(s, participants),
            # people who joined a sub-group by code, registered or not (the dashboard's rule)
            "joined": int(s.execute(select(func.count(distinct(joined.c.person)))).scalar_one()),
        }
