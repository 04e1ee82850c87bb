"""SQLAlchemy 2 typed models for the whole Atelier domain.

Conventions (see DESIGN.md):
- every editable row carries a ``version`` (SQLAlchemy ``version_id_col``): an edit states the
  version the user saw and a stale one is refused;
- deletes are soft (``deleted_at``) so undo can restore a row with its links;
- the ``activity`` table is the audit trail and the change cursor of live views.

The schema is created only by Alembic (``python manage.py init-db``).
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {dict[str, Any]: JSON, list[Any]: JSON}


# --- staff ---------------------------------------------------------------------------------

class User(Base):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(60), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    email: Mapped[str] = mapped_column(String(200), default="")
    role: Mapped[str] = mapped_column(String(20))
    password_hash: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)
    password_changed_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    last_login_at: Mapped[dt.datetime | None] = mapped_column(DateTime, default=None)
    deactivated_at: Mapped[dt.datetime | None] = mapped_column(DateTime, default=None)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    __mapper_args__ = {"version_id_col": version}


class EventStaff(Base):
    """A facilitator or organiser attached to an event they work on."""

    __tablename__ = "event_staff"
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)


# --- events, themes, sessions ---------------------------------------------------------------

class Event(Base):
    __tablename__ = "events"
    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    organisers: Mapped[str] = mapped_column(Text, default="")
    place: Mapped[str] = mapped_column(String(300), default="")
    starts_on: Mapped[dt.date | None] = mapped_column(Date, default=None)
    ends_on: Mapped[dt.date | None] = mapped_column(Date, default=None)
    participant_cap: Mapped[int] = mapped_column(Integer, default=40)
    per_org_cap: Mapped[int] = mapped_column(Integer, default=2)
    category_template: Mapped[str] = mapped_column(String(40), default="plain")
    languages: Mapped[str] = mapped_column(String(40), default="fr,en,nl")
    # territory preset (core.territory): levels of power and which resources are suggested
    territory: Mapped[str] = mapped_column(String(20), default="be-bru", server_default="be-bru")
    # a custom ordered list of levels of power; None means the territory preset's list
    power_levels: Mapped[list[Any] | None] = mapped_column(JSON, default=None)
    registration_open: Mapped[bool] = mapped_column(Boolean, default=False)
    retention_months: Mapped[int | None] = mapped_column(Integer, default=None)
    archived_at: Mapped[dt.datetime | None] = mapped_column(DateTime, default=None)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    deleted_at: Mapped[dt.datetime | None] = mapped_column(DateTime, default=None)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    # 0007 (core.followup): the public follow-up page, off by default, reached by an unguessable token
    # (kept when the page is switched off and on again, so shared links come back); when the organiser
    # published the booklet and sent participants the closing summary
    public_follow_up: Mapped[bool] = mapped_column(Boolean, default=False)
    public_token: Mapped[str | None] = mapped_column(String(64), unique=True, default=None)
    booklet_published_at: Mapped[dt.datetime | None] = mapped_column(DateTime, default=None)
    __mapper_args__ = {"version_id_col": version}

    themes: Mapped[list[Theme]] = relationship(back_populates="event", order_by="Theme.position")


class Theme(Base):
    __tablename__ = "themes"
    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    title: Mapped[str] = mapped_column(String(200))
    why: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    deleted_at: Mapped[dt.datetime | None] = mapped_column(DateTime, default=None)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    __mapper_args__ = {"version_id_col": version}

    event: Mapped[Event] = relationship(back_populates="themes")
    sessions: Mapped[list[WorkshopSession]] = relationship(
        back_populates="theme", order_by="WorkshopSession.starts_at"
    )


class WorkshopSession(Base):
    """A dated half-day workshop on one theme (atelier, séance)."""

    __tablename__ = "sessions"
    __table_args__ = (
        # a join code is unique among the sessions that are not closed
        Index("uq_sessions_live_join_code", "join_code", unique=True,
              sqlite_where=text("status != 'closed' AND join_code IS NOT NULL"),
              postgresql_where=text("status != 'closed' AND join_code IS NOT NULL")),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    theme_id: Mapped[int] = mapped_column(ForeignKey("themes.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200), default="")
    starts_at: Mapped[dt.datetime | None] = mapped_column(DateTime, default=None)
    ends_at: Mapped[dt.datetime | None] = mapped_column(DateTime, default=None)
    stage: Mapped[str] = mapped_column(String(20), default="diagnostic")
    # the stages this dated session covers in its theme's process; None means by its position
    stages: Mapped[list[Any] | None] = mapped_column(JSON, default=None)
    status: Mapped[str] = mapped_column(String(20), default="planned")
    join_code: Mapped[str | None] = mapped_column(String(12), default=None)
    contributions_open: Mapped[bool] = mapped_column(Boolean, default=True)
    contributions_hidden: Mapped[bool] = mapped_column(Boolean, default=False)
    # countdown timer of the current stage: duration, and either running (started_at) or paused
    timer_duration_s: Mapped[int] = mapped_column(Integer, default=0)
    timer_started_at: Mapped[dt.datetime | None] = mapped_column(DateTime, default=None)
    timer_remaining_s: Mapped[int] = mapped_column(Integer, default=0)
    # per-stage prompt overrides ({"diagnostic": "…"}); empty means the default prompt of the stage
    prompts: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    projector_view: Mapped[str] = mapped_column(String(30), default="feed")
    projector_spotlight_id: Mapped[int | None] = mapped_column(Integer, default=None)
    projector_token: Mapped[str | None] = mapped_column(String(64), default=None)
    # dot voting
    vote_status: Mapped[str] = mapped_column(String(10), default="none")
    vote_dots: Mapped[int] = mapped_column(Integer, default=3)
    vote_multi: Mapped[bool] = mapped_column(Boolean, default=False)
    votes_revealed: Mapped[bool] = mapped_column(Boolean, default=False)
    closed_at: Mapped[dt.datetime | None] = mapped_column(DateTime, default=None)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    deleted_at: Mapped[dt.datetime | None] = mapped_column(DateTime, default=None)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    __mapper_args__ = {"version_id_col": version}

    theme: Mapped[Theme] = relationship(back_populates="sessions")
    subgroups: Mapped[list[Subgroup]] = relationship(
        back_populates="session", order_by="Subgroup.position"
    )


class ConsoleFocus(Base):
    """The session a facilitator's console has open: a projector this person opens in another
    window or on a second screen shows it, and follows when the console switches."""

    __tablename__ = "console_focus"
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("sessions.id", ondelete="CASCADE"))
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class SessionFacilitator(Base):
    __tablename__ = "session_facilitators"
    session_id: Mapped[int] = mapped_column(ForeignKey("sessions.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)


class Subgroup(Base):
    __tablename__ = "subgroups"
    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("sessions.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    name: Mapped[str] = mapped_column(String(80))
    join_code: Mapped[str | None] = mapped_column(String(12), default=None, index=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    deleted_at: Mapped[dt.datetime | None] = mapped_column(DateTime, default=None)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    __mapper_args__ = {"version_id_col": version}

    session: Mapped[WorkshopSession] = relationship(back_populates="subgroups")


# --- people ---------------------------------------------------------------------------------

class Organisation(Base):
    __tablename__ = "organisations"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    normalized_name: Mapped[str] = mapped_column(String(200), unique=True)
    sector: Mapped[str] = mapped_column(String(120), default="")
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"), default=None)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class Participant(Base):
    __tablename__ = "participants"
    id: Mapped[int] = mapped_column(primary_key=True)
    first_name: Mapped[str] = mapped_column(String(120), default="")
    last_name: Mapped[str] = mapped_column(String(120), default="")
    email: Mapped[str] = mapped_column(String(200), default="", index=True)
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"), default=None)
    sector: Mapped[str] = mapped_column(String(120), default="")
    # Unused since 0005 and always NULL: personal links are hashed in ``personal_links``. The column
    # stays because SQLite can only drop a UNIQUE column by rebuilding the table, and rebuilding
    # ``participants`` with foreign keys on would cascade-delete their registrations.
    personal_token: Mapped[str | None] = mapped_column(String(64), unique=True, default=None)
    consent_at: Mapped[dt.datetime | None] = mapped_column(DateTime, default=None)
    erased_at: Mapped[dt.datetime | None] = mapped_column(DateTime, default=None)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    # 0003: a person registers for one event (same email, same event: same person); emails in their language
    event_id: Mapped[int | None] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), default=None, index=True)
    lang: Mapped[str] = mapped_column(String(5), default="fr")
    # 0007: the closing summary of the event (core.followup.closing): sent once; a person may opt out
    summary_sent_at: Mapped[dt.datetime | None] = mapped_column(DateTime, default=None)
    summary_opt_out_at: Mapped[dt.datetime | None] = mapped_column(DateTime, default=None)


class PersonalLink(Base):
    """0005: a personal link (``my-registration?token=...``) of a registered person, hashed like the
    join tokens: the clear token exists only in the email that carries it. Every email that carries a
    link carries a new one, and every link stays valid until the person's data is erased."""

    __tablename__ = "personal_links"
    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participants.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class Registration(Base):
    __tablename__ = "registrations"
    __table_args__ = (UniqueConstraint("participant_id", "session_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participants.id", ondelete="CASCADE"), index=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("sessions.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(20), default="confirmed")
    present: Mapped[bool] = mapped_column(Boolean, default=False)
    promoted_at: Mapped[dt.datetime | None] = mapped_column(DateTime, default=None)
    overridden_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), default=None)
    checked_in_at: Mapped[dt.datetime | None] = mapped_column(DateTime, default=None)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    # 0005: the calendar (.ics) this person was last sent for the session: its SEQUENCE (only goes
    # up) and what it said ("" none, "CANCEL", else a fingerprint of the time and place it gave)
    calendar_sequence: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    calendar_sent: Mapped[str] = mapped_column(String(40), default="", server_default="")
    __mapper_args__ = {"version_id_col": version}


class ParticipantToken(Base):
    """A browser that joined a session with its code: no account, a token kept in a cookie."""

    __tablename__ = "participant_tokens"
    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("sessions.id", ondelete="CASCADE"), index=True)
    subgroup_id: Mapped[int | None] = mapped_column(ForeignKey("subgroups.id", ondelete="CASCADE"), default=None)
    participant_id: Mapped[int | None] = mapped_column(ForeignKey("participants.id", ondelete="SET NULL"), default=None)
    display_name: Mapped[str] = mapped_column(String(80), default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    last_seen_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime, default=None)


# --- personas and canvas --------------------------------------------------------------------

class Persona(Base):
    __tablename__ = "personas"
    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("sessions.id", ondelete="CASCADE"), index=True)
    subgroup_id: Mapped[int | None] = mapped_column(ForeignKey("subgroups.id", ondelete="SET NULL"), default=None,
                                                    index=True)
    name: Mapped[str] = mapped_column(String(120))
    age: Mapped[int | None] = mapped_column(Integer, default=None)
    origin: Mapped[str] = mapped_column(String(120), default="")
    facts: Mapped[list[Any]] = mapped_column(JSON, default=list)
    note: Mapped[str] = mapped_column(Text, default="")
    open_to_all: Mapped[bool] = mapped_column(Boolean, default=False)
    template_key: Mapped[str] = mapped_column(String(40), default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    deleted_at: Mapped[dt.datetime | None] = mapped_column(DateTime, default=None)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    __mapper_args__ = {"version_id_col": version}


class PersonaPickup(Base):
    """A persona of an earlier date of the theme, picked up (continued) by a later session."""

    __tablename__ = "persona_pickups"
    __table_args__ = (UniqueConstraint("persona_id", "session_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    persona_id: Mapped[int] = mapped_column(ForeignKey("personas.id", ondelete="CASCADE"))
    session_id: Mapped[int] = mapped_column(ForeignKey("sessions.id", ondelete="CASCADE"), index=True)
    subgroup_id: Mapped[int | None] = mapped_column(ForeignKey("subgroups.id", ondelete="SET NULL"), default=None)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class CanvasItem(Base):
    """A barrier, motivation, skill or need on a persona's canvas."""

    __tablename__ = "canvas_items"
    __table_args__ = (Index("ix_canvas_items_persona_kind", "persona_id", "kind"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    persona_id: Mapped[int] = mapped_column(ForeignKey("personas.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))
    text: Mapped[str] = mapped_column(Text)
    nature: Mapped[str | None] = mapped_column(String(20), default=None)  # barriers only
    # the dated session it was added in (None: the persona's own session)
    session_id: Mapped[int | None] = mapped_column(ForeignKey("sessions.id", ondelete="SET NULL"), default=None)
    category: Mapped[str | None] = mapped_column(String(40), default=None)
    created_by: Mapped[str] = mapped_column(String(120), default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    deleted_at: Mapped[dt.datetime | None] = mapped_column(DateTime, default=None)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    __mapper_args__ = {"version_id_col": version}


class LeadResource(Base):
    __tablename__ = "lead_resources"
    lead_id: Mapped[int] = mapped_column(ForeignKey("solution_leads.id", ondelete="CASCADE"), primary_key=True)
    resource_id: Mapped[int] = mapped_column(ForeignKey("resources.id", ondelete="CASCADE"), primary_key=True,
                                             index=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class SolutionLead(Base):
    """A solution lead (piste de réponse) under a need."""

    __tablename__ = "solution_leads"
    id: Mapped[int] = mapped_column(primary_key=True)
    need_id: Mapped[int] = mapped_column(ForeignKey("canvas_items.id", ondelete="CASCADE"), index=True)
    text: Mapped[str] = mapped_column(Text)
    # the dated session it was added in (None: the persona's own session)
    session_id: Mapped[int | None] = mapped_column(ForeignKey("sessions.id", ondelete="SET NULL"), default=None)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    deleted_at: Mapped[dt.datetime | None] = mapped_column(DateTime, default=None)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    __mapper_args__ = {"version_id_col": version}


class Resource(Base):
    """A partner service in the shared inventory.

    Shaped to take an Open Referral (HSDS) record without loss: organisation, service,
    location and contact each have their fields; anything else goes to ``extra``.
    """

    __tablename__ = "resources"
    id: Mapped[int] = mapped_column(primary_key=True)
    acronym: Mapped[str] = mapped_column(String(40), default="", index=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    category: Mapped[str] = mapped_column(String(40), default="other")
    organisation_name: Mapped[str] = mapped_column(String(200), default="")
    service_name: Mapped[str] = mapped_column(String(200), default="")
    address: Mapped[str] = mapped_column(String(300), default="")
    contact_name: Mapped[str] = mapped_column(String(120), default="")
    phone: Mapped[str] = mapped_column(String(60), default="")
    email: Mapped[str] = mapped_column(String(200), default="")
    url: Mapped[str] = mapped_column(String(500), default="")
    extra: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # territory preset key (core.territory); None: offered to every event
    territory: Mapped[str | None] = mapped_column(String(20), default=None, index=True)
    added_by_subgroup_id: Mapped[int | None] = mapped_column(ForeignKey("subgroups.id", ondelete="SET NULL"),
                                                             default=None)
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("resources.id"), default=None)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    deleted_at: Mapped[dt.datetime | None] = mapped_column(DateTime, default=None)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    __mapper_args__ = {"version_id_col": version}


# --- board, recommendations, votes, plans, moods --------------------------------------------

class Contribution(Base):
    """A finding, success, challenge, solution idea or wish on the session board."""

    __tablename__ = "contributions"
    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("sessions.id", ondelete="CASCADE"), index=True)
    subgroup_id: Mapped[int | None] = mapped_column(ForeignKey("subgroups.id", ondelete="SET NULL"), default=None)
    kind: Mapped[str] = mapped_column(String(20))
    category: Mapped[str] = mapped_column(String(120), default="")
    text: Mapped[str] = mapped_column(Text)
    created_by: Mapped[str] = mapped_column(String(120), default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    deleted_at: Mapped[dt.datetime | None] = mapped_column(DateTime, default=None)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    __mapper_args__ = {"version_id_col": version}


class Recommendation(Base):
    __tablename__ = "recommendations"
    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("sessions.id", ondelete="CASCADE"), index=True)
    subgroup_id: Mapped[int | None] = mapped_column(ForeignKey("subgroups.id", ondelete="SET NULL"), default=None)
    title: Mapped[str] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(Text, default="")
    level: Mapped[str] = mapped_column(String(20))
    public: Mapped[str] = mapped_column(String(200), default="")
    retained: Mapped[bool] = mapped_column(Boolean, default=False)
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("recommendations.id"), default=None)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    deleted_at: Mapped[dt.datetime | None] = mapped_column(DateTime, default=None)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    __mapper_args__ = {"version_id_col": version}


class RecommendationSource(Base):
    """The trail of a recommendation: a finding (contribution), a need (canvas item) or a persona."""

    __tablename__ = "recommendation_sources"
    id: Mapped[int] = mapped_column(primary_key=True)
    recommendation_id: Mapped[int] = mapped_column(ForeignKey("recommendations.id", ondelete="CASCADE"), index=True)
    contribution_id: Mapped[int | None] = mapped_column(ForeignKey("contributions.id", ondelete="CASCADE"),
                                                        default=None)
    canvas_item_id: Mapped[int | None] = mapped_column(ForeignKey("canvas_items.id", ondelete="CASCADE"), default=None)
    persona_id: Mapped[int | None] = mapped_column(ForeignKey("personas.id", ondelete="CASCADE"), default=None)


class Vote(Base):
    """One dot a sub-group placed on a recommendation."""

    __tablename__ = "votes"
    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("sessions.id", ondelete="CASCADE"), index=True)
    subgroup_id: Mapped[int] = mapped_column(ForeignKey("subgroups.id", ondelete="CASCADE"), index=True)
    recommendation_id: Mapped[int] = mapped_column(ForeignKey("recommendations.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class ImplementationPlan(Base):
    __tablename__ = "implementation_plans"
    id: Mapped[int] = mapped_column(primary_key=True)
    recommendation_id: Mapped[int] = mapped_column(ForeignKey("recommendations.id", ondelete="CASCADE"), index=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("sessions.id", ondelete="CASCADE"), index=True)
    subgroup_id: Mapped[int | None] = mapped_column(ForeignKey("subgroups.id", ondelete="SET NULL"), default=None)
    # DPA-PC prompts
    who_wants_what: Mapped[str] = mapped_column(Text, default="")
    people_concerned_view: Mapped[str] = mapped_column(Text, default="")
    try_here_now: Mapped[str] = mapped_column(Text, default="")
    tried_learned: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    deleted_at: Mapped[dt.datetime | None] = mapped_column(DateTime, default=None)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    __mapper_args__ = {"version_id_col": version}


class PlanAction(Base):
    __tablename__ = "plan_actions"
    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("implementation_plans.id", ondelete="CASCADE"), index=True)
    action: Mapped[str] = mapped_column(Text)
    carrier: Mapped[str] = mapped_column(String(200), default="")
    due: Mapped[dt.date | None] = mapped_column(Date, default=None)
    means: Mapped[str] = mapped_column(Text, default="")
    indicator: Mapped[str] = mapped_column(Text, default="")
    risks: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    deleted_at: Mapped[dt.datetime | None] = mapped_column(DateTime, default=None)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    __mapper_args__ = {"version_id_col": version}


# --- after the event: follow-up of the recommendations (0007, core.followup) ----------------------

class RecommendationFollowUp(Base):
    """What became of a recommendation once its session is closed: to whom it was sent and where it
    stands (``core.followup.tracking.STATUSES``). One row per recommendation, made on the first change."""

    __tablename__ = "recommendation_follow_ups"
    id: Mapped[int] = mapped_column(primary_key=True)
    recommendation_id: Mapped[int] = mapped_column(ForeignKey("recommendations.id", ondelete="CASCADE"), unique=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    addressee: Mapped[str] = mapped_column(String(300), default="")
    status: Mapped[str] = mapped_column(String(20), default="not_yet_sent")
    status_on: Mapped[dt.date | None] = mapped_column(Date, default=None)
    status_note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    __mapper_args__ = {"version_id_col": version}


class FollowUpAnswer(Base):
    """A dated answer of the decision maker: text, an optional http(s) link, an optional document
    (base64 in ``attachment_b64``, at most ``limits.ATTACHMENT_MAX_BYTES``)."""

    __tablename__ = "follow_up_answers"
    id: Mapped[int] = mapped_column(primary_key=True)
    follow_up_id: Mapped[int] = mapped_column(ForeignKey("recommendation_follow_ups.id", ondelete="CASCADE"),
                                              index=True)
    answered_on: Mapped[dt.date] = mapped_column(Date)
    text: Mapped[str] = mapped_column(Text, default="")
    link: Mapped[str] = mapped_column(String(500), default="")
    attachment_name: Mapped[str] = mapped_column(String(120), default="")
    attachment_type: Mapped[str] = mapped_column(String(100), default="")
    attachment_size: Mapped[int] = mapped_column(Integer, default=0)
    attachment_sha256: Mapped[str] = mapped_column(String(64), default="")
    attachment_b64: Mapped[str | None] = mapped_column(Text, default=None)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    deleted_at: Mapped[dt.datetime | None] = mapped_column(DateTime, default=None)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    __mapper_args__ = {"version_id_col": version}


class ActionFollowUp(Base):
    """Where an implementation action (``plan_actions``) stands after the event."""

    __tablename__ = "action_follow_ups"
    id: Mapped[int] = mapped_column(primary_key=True)
    plan_action_id: Mapped[int] = mapped_column(ForeignKey("plan_actions.id", ondelete="CASCADE"), unique=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(20), default="not_started")
    status_on: Mapped[dt.date | None] = mapped_column(Date, default=None)
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    __mapper_args__ = {"version_id_col": version}


class MoodCheck(Base):
    __tablename__ = "mood_checks"
    __table_args__ = (UniqueConstraint("session_id", "token_id", "moment"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("sessions.id", ondelete="CASCADE"), index=True)
    token_id: Mapped[int | None] = mapped_column(ForeignKey("participant_tokens.id", ondelete="SET NULL"), default=None)
    moment: Mapped[str] = mapped_column(String(10))
    weather: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class JoinAttempt(Base):
    """A join-code attempt from one browser, for rate limiting code guessing."""

    __tablename__ = "join_attempts"
    __table_args__ = (Index("ix_join_attempts_client_at", "client_key", "at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    client_key: Mapped[str] = mapped_column(String(64))
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, index=True)  # purged after a day
    success: Mapped[bool] = mapped_column(Boolean, default=False)


class LoginFailure(Base):
    """A failed staff login (or one in progress: counted until it succeeds), for throttling password
    guessing. ``client_key`` is ``u:<sha256 of the typed username>`` (never the typed text: people
    type passwords into the username field) or ``a:<client address>``."""

    __tablename__ = "login_failures"
    __table_args__ = (Index("ix_login_failures_client_at", "client_key", "at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    client_key: Mapped[str] = mapped_column(String(80))
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, index=True)


class OutboxEmail(Base):
    __tablename__ = "outbox"
    id: Mapped[int] = mapped_column(primary_key=True)
    to_address: Mapped[str] = mapped_column(String(200))
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    sent_at: Mapped[dt.datetime | None] = mapped_column(DateTime, default=None)
    # 0003: which event and person an email is for (organisers see their event's outbox; erasure
    # removes a person's emails), a calendar attachment, and the last delivery error
    event_id: Mapped[int | None] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), default=None, index=True)
    participant_id: Mapped[int | None] = mapped_column(ForeignKey("participants.id", ondelete="SET NULL"), default=None,
                                                       index=True)
    attachment_name: Mapped[str] = mapped_column(String(120), default="")
    attachment: Mapped[str | None] = mapped_column(Text, default=None)
    last_error: Mapped[str] = mapped_column(String(300), default="")
    # 0005: delivery attempts (a claim counts one), when the next one may start (also the lease of a
    # claimed email: a sender that died leaves it to be tried again then), when delivery was given up
    # (a permanent refusal, or too many attempts; ``last_error`` says why), and the Message-ID it
    # goes out with (the same on every attempt)
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    next_attempt_at: Mapped[dt.datetime | None] = mapped_column(DateTime, default=None)
    failed_at: Mapped[dt.datetime | None] = mapped_column(DateTime, default=None)
    message_id: Mapped[str] = mapped_column(String(250), default="", server_default="")


# --- activity log ---------------------------------------------------------------------------

class Activity(Base):
    """Audit trail, undo source and change cursor: one row per write, same transaction."""

    __tablename__ = "activity"
    __table_args__ = (Index("ix_activity_session_id_id", "session_id", "id"),)
    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    actor_type: Mapped[str] = mapped_column(String(20))  # staff / participant / system
    actor_id: Mapped[int | None] = mapped_column(Integer, default=None)
    actor_label: Mapped[str] = mapped_column(String(120), default="")
    action: Mapped[str] = mapped_column(String(40))
    entity_type: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[int | None] = mapped_column(Integer, default=None)
    event_id: Mapped[int | None] = mapped_column(Integer, default=None, index=True)
    session_id: Mapped[int | None] = mapped_column(Integer, default=None)
    # the persona a row belongs to (its canvas, leads, partners, card), None for anything else:
    # per-persona revisions of live views (core.session.live.revision)
    persona_id: Mapped[int | None] = mapped_column(Integer, default=None)
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
