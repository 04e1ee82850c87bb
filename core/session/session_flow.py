"""Running a session: the facilitator's console actions and the state every screen follows.

The facilitator chooses the current stage (and may go back), opens or pauses contributions, hides
them until revealed (to avoid anchoring), runs a countdown timer per stage, chooses what the
projector shows, opens the mood check and the closing round, and closes the session. Each action
is one transaction that appends an ``activity`` row, so the session's revision moves and every
live view (participants, projector, console) follows on its next tick.

``session_view(session_id)`` is the snapshot those screens draw from; ``timer_state(view, now)``
is a pure function so the countdown is computed on every tick without a write.
"""
from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core import entities as e
from core import limits as L
from core import permissions, vocabulary
from core.access.codes import code_in_use, unique_code
from core.actor import Actor
from core.errors import Conflict, NotFound, PermissionDenied, ValidationError
from core.session import theme_process
from core.validation import clean_id, clean_text, parse_id
from storage import db
from storage import models as m

STAGES = vocabulary.STAGES
PROJECTOR_VIEWS = ("feed", "join", "stage", "board", "personas", "recommendations", "votes", "plans", "mood")
TIMER_MAX_S = 4 * 3600
TIMER_ORANGE = 0.20   # share of the duration left when the timer turns orange
TIMER_RED = 0.05      # ... and red
PROMPT_MAX = 1_000
# session settings kept in the ``prompts`` JSON next to the per-stage prompt overrides
MOOD_KEY = "mood_check"          # None | "before" | "after": the mood check participants may answer now
CLOSING_KEY = "closing_round"    # True while the closing round ("l'heure des bilans") is open


# --- read model -------------------------------------------------------------------------------

@dataclass(frozen=True)
class SubgroupInfo:
    id: int
    name: str
    join_code: str | None
    position: int
    version: int


@dataclass(frozen=True)
class SessionState:
    """What every screen of a running session follows (a plain, picklable snapshot)."""

    id: int
    event_id: int
    event_title: str
    event_slug: str
    theme_id: int
    theme_title: str
    title: str
    starts_at: dt.datetime | None
    ends_at: dt.datetime | None
    stage: str
    status: str
    join_code: str | None
    contributions_open: bool
    contributions_hidden: bool
    timer_duration_s: int
    timer_started_at: dt.datetime | None
    timer_remaining_s: int
    prompts: dict[str, str]
    projector_view: str
    projector_spotlight_id: int | None
    vote_status: str
    vote_dots: int
    vote_multi: bool
    votes_revealed: bool
    closed_at: dt.datetime | None
    mood_check: str | None
    closing_round: bool
    category_template: str
    version: int
    subgroups: tuple[SubgroupInfo, ...] = ()
    # the stages this dated session covers in its theme's process (core.session.theme_process): what
    # the stage buttons propose; the facilitator may still move to any stage
    stages: tuple[str, ...] = STAGES

    @property
    def proposed_stages(self) -> tuple[str, ...]:
        """The covered stages, and the current one when it is outside them."""
        return tuple(x for x in STAGES if x in self.stages or x == self.stage)

    @property
    def stage_step(self) -> tuple[int, int]:
        """(n, total): the current stage's place among the stages this date proposes ("Étape 1/2")."""
        proposed = self.proposed_stages
        return (proposed.index(self.stage) + 1 if self.stage in proposed else 1), len(proposed)

    @property
    def previous_stage(self) -> str | None:
        """The proposed stage before the current one (the console's back button), or None."""
        proposed = self.proposed_stages
        i = proposed.index(self.stage) if self.stage in proposed else 0
        return proposed[i - 1] if i > 0 else None

    @property
    def next_stage(self) -> str | None:
        """The proposed stage after the current one (the console's forward button), or None."""
        proposed = self.proposed_stages
        i = proposed.index(self.stage) if self.stage in proposed else 0
        return proposed[i + 1] if i + 1 < len(proposed) else None

    @property
    def other_stages(self) -> tuple[str, ...]:
        """The stages this date does not cover: the facilitator may still move there, on purpose."""
        return tuple(x for x in STAGES if x not in self.proposed_stages)

    @property
    def prompt(self) -> str:
        """The facilitator's prompt for the current stage ('' = the stage's default prompt)."""
        return self.prompts.get(self.stage, "")

    @property
    def closed(self) -> bool:
        return self.status == "closed"

    @property
    def accepting(self) -> bool:
        """Participants may add and edit right now."""
        return not self.closed and self.contributions_open

    @property
    def stage_index(self) -> int:
        return STAGES.index(self.stage) if self.stage in STAGES else 0

    def subgroup_name(self, subgroup_id: int | None) -> str:
        return next((g.name for g in self.subgroups if g.id == subgroup_id), "")


def _state(s: Session, x: m.WorkshopSession) -> SessionState:
    theme = e.get_row(s, m.Theme, x.theme_id)
    event = e.get_row(s, m.Event, theme.event_id)
    groups = s.execute(select(m.Subgroup).where(m.Subgroup.session_id == x.id, m.Subgroup.deleted_at.is_(None))
                       .order_by(m.Subgroup.position, m.Subgroup.id)).scalars().all()
    settings = dict(x.prompts or {})
    mood = settings.get(MOOD_KEY)
    return SessionState(
        x.id, event.id, event.title, event.slug, theme.id, theme.title, x.title, x.starts_at, x.ends_at, x.stage,
        x.status, x.join_code, bool(x.contributions_open), bool(x.contributions_hidden), int(x.timer_duration_s or 0),
        x.timer_started_at, int(x.timer_remaining_s or 0),
        {k: str(v) for k, v in settings.items() if k in STAGES and v}, x.projector_view, x.projector_spotlight_id,
        x.vote_status, int(x.vote_dots or L.VOTE_DOTS_DEFAULT), bool(x.vote_multi), bool(x.votes_revealed),
        x.closed_at, mood if mood in vocabulary.MOOD_MOMENTS else None, bool(settings.get(CLOSING_KEY)),
        event.category_template or "plain", x.version,
        tuple(SubgroupInfo(g.id, g.name, g.join_code, g.position, g.version) for g in groups),
        theme_process.covered_stages_in(s, x))


def session_view(session_id: int) -> SessionState:
    """The session as every screen shows it (builder for ``ui.live.live_view``)."""
    with db.read_session() as s:
        x = s.get(m.WorkshopSession, clean_id(session_id, "session_id"))
        if x is None or x.deleted_at is not None:
            raise NotFound(field="session_id")
        return _state(s, x)


# --- the countdown timer (pure) -----------------------------------------------------------------

def remaining_seconds(view: Any, now: dt.datetime | None = None) -> float:
    remaining = float(view.timer_remaining_s or 0)
    if view.timer_started_at is not None:
        now = now or m.utcnow()
        remaining -= (now - view.timer_started_at).total_seconds()
    return max(0.0, remaining)


def timer_state(view: Any, now: dt.datetime | None = None) -> tuple[int, str, bool]:
    """``(remaining_s, colour, running)`` of a session's timer at ``now`` (UTC, naive).

    ``colour`` is 'normal', 'orange' when 20 % or less of the duration is left, 'red' at 5 % or
    less (and when the time is up). Works on a ``SessionState`` or a ``WorkshopSession`` row."""
    duration = int(view.timer_duration_s or 0)
    left = remaining_seconds(view, now)
    running = view.timer_started_at is not None and left > 0
    if duration <= 0:
        return 0, "normal", False
    share = left / duration
    colour = "red" if share <= TIMER_RED else "orange" if share <= TIMER_ORANGE else "normal"
    return int(math.ceil(left)), colour, running


# --- helpers shared by the session-flow services ----------------------------------------------

def lock_session(s: Session, session_id: Any) -> m.WorkshopSession:
    """The session row, locked for the rest of the transaction on PostgreSQL (``FOR UPDATE``);
    on SQLite writing transactions already start with ``BEGIN IMMEDIATE``."""
    ident = parse_id(session_id)
    if ident is None:
        raise NotFound(field="session_id")
    x = s.execute(select(m.WorkshopSession).where(m.WorkshopSession.id == ident).with_for_update()).scalar_one_or_none()
    if x is None or x.deleted_at is not None:
        raise NotFound(field="session_id")
    return x


def check_facilitator(s: Session, actor: Actor, session: m.WorkshopSession,
                      action: tuple[str, str] = ("session", "run")) -> e.Scope:
    """Console actions: staff who may run this session (facilitators of its event, organisers,
    admins: ``core.permissions``). A participant never changes the stage, opens votes, etc."""
    scope = e.scope_of(s, session)
    permissions.require(actor, action, scope)
    return scope


def check_stage(actor: Actor, session: m.WorkshopSession, stage: str | None) -> None:
    """A participant's page may lag behind the facilitator: refuse a write meant for another stage."""
    if session.status == "closed":
        raise PermissionDenied("error.session_frozen")
    if actor.is_participant:
        if actor.session_id != session.id:
            raise PermissionDenied()
        if stage is not None and session.stage != stage:
            raise Conflict("error.wrong_stage")


def closing_round_open(session: m.WorkshopSession) -> bool:
    return bool((session.prompts or {}).get(CLOSING_KEY))


def mood_moment_open(session: m.WorkshopSession) -> str | None:
    moment = (session.prompts or {}).get(MOOD_KEY)
    return moment if moment in vocabulary.MOOD_MOMENTS else None


def _set_setting(session: m.WorkshopSession, key: str, value: Any) -> None:
    settings = dict(session.prompts or {})
    if value in (None, "", False):
        settings.pop(key, None)
    else:
        settings[key] = value
    session.prompts = settings  # a new dict, so the change is detected


def run_console_action(actor: Actor, session_id: Any, action: str,
                       change: Callable[[Session, m.WorkshopSession], None], allow_closed: bool = False) -> dict:
    """Lock the session, check the facilitator, apply ``change``, record one activity row."""
    def _do(s: Session) -> m.WorkshopSession:
        session = lock_session(s, session_id)
        scope = check_facilitator(s, actor, session)
        if session.status == "closed" and not allow_closed:
            raise PermissionDenied("error.session_frozen")
        before = e.snapshot(session)
        change(s, session)
        if s.is_modified(session):
            s.flush()
            e.record(s, actor, action, "session", session.id, scope, before=before, after=e.snapshot(session))
        return session
    return e.run_write(_do)


# --- stage, contributions, prompts ------------------------------------------------------------

def start_session(actor: Actor, session_id: int) -> dict:
    """A planned session starts (status 'open'), on the first stage its date covers in its theme
    (the second of two dates opens on the recommendations, not on the diagnostic)."""
    def change(s: Session, x: m.WorkshopSession) -> None:
        if x.status == "planned":
            # read before changing: the query would flush the change, and an unmodified row records
            # no activity (the screens would not move)
            covered = theme_process.covered_stages_in(s, x)
            x.status = "open"
            if x.stage not in covered:
                x.stage = covered[0]
    return run_console_action(actor, session_id, "start", change)


def set_stage(actor: Actor, session_id: int, stage: str) -> dict:
    """Move every screen to ``stage`` (forward or back). The timer keeps running: a facilitator
    who moves on a few minutes early, or goes back a step, does not lose the room's countdown."""
    if stage not in STAGES:
        raise ValidationError("error.invalid_choice", field="stage", value=str(stage)[:40])

    def change(_s: Session, x: m.WorkshopSession) -> None:
        if x.stage == stage:
            return
        x.stage = stage
        if x.status == "planned":
            x.status = "open"
    return run_console_action(actor, session_id, "stage", change)


def next_stage(actor: Actor, session_id: int) -> dict:
    current = session_view(session_id)
    return set_stage(actor, session_id, STAGES[min(current.stage_index + 1, len(STAGES) - 1)])


def previous_stage(actor: Actor, session_id: int) -> dict:
    current = session_view(session_id)
    return set_stage(actor, session_id, STAGES[max(current.stage_index - 1, 0)])


def set_contributions_open(actor: Actor, session_id: int, is_open: bool) -> dict:
    def change(_s: Session, x: m.WorkshopSession) -> None:
        x.contributions_open = bool(is_open)
    return run_console_action(actor, session_id, "contributions_open" if is_open else "contributions_pause", change)


def set_contributions_hidden(actor: Actor, session_id: int, hidden: bool) -> dict:
    """Hidden: each sub-group sees only its own contributions until the facilitator reveals them."""
    def change(_s: Session, x: m.WorkshopSession) -> None:
        x.contributions_hidden = bool(hidden)
    return run_console_action(actor, session_id, "contributions_hide" if hidden else "contributions_reveal", change)


def reveal_contributions(actor: Actor, session_id: int) -> dict:
    return set_contributions_hidden(actor, session_id, False)


def set_prompt(actor: Actor, session_id: int, stage: str, text: str) -> dict:
    """The facilitator's prompt for a stage ('' falls back to the stage's default prompt)."""
    if stage not in STAGES:
        raise ValidationError("error.invalid_choice", field="stage", value=str(stage)[:40])
    text = clean_text(text, "prompt", PROMPT_MAX, required=False)

    def change(_s: Session, x: m.WorkshopSession) -> None:
        _set_setting(x, stage, text)
    return run_console_action(actor, session_id, "prompt", change)


# --- timer ------------------------------------------------------------------------------------

def _clean_duration(minutes: Any) -> int:
    try:
        value = float(minutes.strip() if isinstance(minutes, str) else minutes)
    except (TypeError, ValueError):
        raise ValidationError("error.not_a_number", field="minutes") from None
    if isinstance(minutes, bool) or not math.isfinite(value):
        raise ValidationError("error.not_a_number", field="minutes")
    if abs(value) > TIMER_MAX_S:   # 1e306 minutes: out of range before it overflows
        raise ValidationError("error.out_of_range", field="minutes", min=1, max=TIMER_MAX_S // 60)
    seconds = int(round(value * 60))
    if seconds < 1 or seconds > TIMER_MAX_S:
        raise ValidationError("error.out_of_range", field="minutes", min=1, max=TIMER_MAX_S // 60)
    return seconds


def set_timer(actor: Actor, session_id: int, minutes: Any) -> dict:
    """Set the timer of the current stage to ``minutes``, stopped."""
    seconds = _clean_duration(minutes)

    def change(_s: Session, x: m.WorkshopSession) -> None:
        x.timer_duration_s, x.timer_remaining_s, x.timer_started_at = seconds, seconds, None
    return run_console_action(actor, session_id, "timer_set", change)


def run_timer_for(actor: Actor, session_id: int, minutes: Any, now: dt.datetime | None = None) -> dict:
    """One click: a countdown of ``minutes`` set and started at once (the console's presets)."""
    seconds = _clean_duration(minutes)

    def change(_s: Session, x: m.WorkshopSession) -> None:
        x.timer_duration_s, x.timer_remaining_s = seconds, seconds
        x.timer_started_at = now or m.utcnow()
    return run_console_action(actor, session_id, "timer_start", change)


def start_timer(actor: Actor, session_id: int, now: dt.datetime | None = None) -> dict:
    """Start or resume the countdown; a finished timer starts again from its full duration."""
    def change(_s: Session, x: m.WorkshopSession) -> None:
        if not x.timer_duration_s:
            raise ValidationError("error.timer_not_set", field="minutes")
        at = now or m.utcnow()
        if x.timer_started_at is not None and remaining_seconds(x, at) > 0:
            return  # already running
        left = remaining_seconds(x, at)
        x.timer_remaining_s = int(math.ceil(left)) if left > 0 else x.timer_duration_s
        x.timer_started_at = at
    return run_console_action(actor, session_id, "timer_start", change)


def pause_timer(actor: Actor, session_id: int, now: dt.datetime | None = None) -> dict:
    def change(_s: Session, x: m.WorkshopSession) -> None:
        if x.timer_started_at is None:
            return
        x.timer_remaining_s = int(math.ceil(remaining_seconds(x, now or m.utcnow())))
        x.timer_started_at = None
    return run_console_action(actor, session_id, "timer_pause", change)


def add_minute(actor: Actor, session_id: int, now: dt.datetime | None = None) -> dict:
    """One more minute on the clock (and on the duration, so the colours stay proportional)."""
    def change(_s: Session, x: m.WorkshopSession) -> None:
        if not x.timer_duration_s:
            raise ValidationError("error.timer_not_set", field="minutes")
        at = now or m.utcnow()
        if x.timer_started_at is not None and remaining_seconds(x, at) <= 0:
            x.timer_remaining_s, x.timer_started_at = 0, None  # it had run out: a stopped minute
        x.timer_remaining_s = min(TIMER_MAX_S, int(x.timer_remaining_s) + 60)
        x.timer_duration_s = min(TIMER_MAX_S, int(x.timer_duration_s) + 60)
    return run_console_action(actor, session_id, "timer_add", change)


def reset_timer(actor: Actor, session_id: int) -> dict:
    def change(_s: Session, x: m.WorkshopSession) -> None:
        x.timer_remaining_s, x.timer_started_at = x.timer_duration_s, None
    return run_console_action(actor, session_id, "timer_reset", change)


# --- projector, mood check, closing round ------------------------------------------------------

def set_projector_view(actor: Actor, session_id: int, view: str, spotlight_id: int | None = None) -> dict:
    if view not in PROJECTOR_VIEWS:
        raise ValidationError("error.invalid_choice", field="projector_view", value=str(view)[:40])
    spotlight = clean_id(spotlight_id, "spotlight_id") if spotlight_id is not None else None

    def change(_s: Session, x: m.WorkshopSession) -> None:
        x.projector_view = view
        x.projector_spotlight_id = spotlight
    return run_console_action(actor, session_id, "projector", change)


def open_mood_check(actor: Actor, session_id: int, moment: str | None) -> dict:
    """Let participants give their weather for ``moment`` ('before' / 'after'), or stop (None)."""
    if moment is not None and moment not in vocabulary.MOOD_MOMENTS:
        raise ValidationError("error.invalid_choice", field="moment", value=str(moment)[:40])

    def change(_s: Session, x: m.WorkshopSession) -> None:
        _set_setting(x, MOOD_KEY, moment)
    return run_console_action(actor, session_id, "mood_open" if moment else "mood_close", change)


def set_closing_round(actor: Actor, session_id: int, is_open: bool) -> dict:
    """The closing round ("l'heure des bilans"): findings and wishes of the whole session."""
    def change(_s: Session, x: m.WorkshopSession) -> None:
        _set_setting(x, CLOSING_KEY, bool(is_open))
    return run_console_action(actor, session_id, "closing_open" if is_open else "closing_close", change)


# --- closing ----------------------------------------------------------------------------------

def close_session(actor: Actor, session_id: int, now: dt.datetime | None = None) -> dict:
    """Freeze the session: contributions, votes and moods stop; everything stays readable."""
    def change(_s: Session, x: m.WorkshopSession) -> None:
        if x.status == "closed":
            return
        at = now or m.utcnow()
        if x.timer_started_at is not None:
            x.timer_remaining_s = int(math.ceil(remaining_seconds(x, at)))
            x.timer_started_at = None
        x.status, x.closed_at, x.contributions_open = "closed", at, False
        if x.vote_status == "open":
            x.vote_status = "closed"
        _set_setting(x, MOOD_KEY, None)
        _set_setting(x, CLOSING_KEY, False)
    return run_console_action(actor, session_id, "close", change, allow_closed=True)


def reopen_session(actor: Actor, session_id: int) -> dict:
    """Undo a close. The join code is kept unless another live session took it meanwhile."""
    def change(s: Session, x: m.WorkshopSession) -> None:
        if x.status != "closed":
            return
        if x.join_code and code_in_use(s, x.join_code):
            x.join_code = unique_code(s)
        x.status, x.closed_at, x.contributions_open = "open", None, True
    return run_console_action(actor, session_id, "reopen", change, allow_closed=True)


# --- sub-groups -------------------------------------------------------------------------------

def rename_subgroup(actor: Actor, subgroup_id: int, name: str, seen_version: int | None = None) -> dict:
    """Staff of the session's event (``core.permissions``: ("subgroup", "update"))."""
    return e.update(actor, "subgroup", subgroup_id, seen_version, name=name)

