"""Who may do what: the one table of permissions, kept here and read by every write service and by
the navigation.

**Roles are relations**, not titles: the same person is a *facilitator* of the session in front
of them and a *facilitator of another event* for a session of an event they do not work on. The
relation of an actor to a target comes from the ``Actor`` and the ``Scope`` of the target (its
event, session and sub-group), see ``relation()``:

================================  ==========================================================
``anonymous``                     no identity (nobody signed in, no sub-group token)
``participant_other_subgroup``    a participant whose sub-group is not the target's (another
                                  sub-group of the session, another session, or a row of the
                                  facilitation that belongs to no sub-group; a later date of the
                                  theme reading or continuing an earlier date's material)
``participant``                   a participant of the target's own sub-group (for a resource:
                                  of the sub-group that added it)
``facilitator_other_event``       a facilitator not attached to the target's event
``facilitator``                   a facilitator attached to the target's event (or any
                                  facilitator, when the target belongs to no event: the shared
                                  inventory, accounts, a new event)
``organiser_other_event``         an organiser not attached to the target's event
``organiser``                     an organiser attached to the target's event (or any organiser
                                  when the target belongs to no event)
``admin``                         an administrator (every event)
================================  ==========================================================

The command line acts as ``SYSTEM`` and passes every check (it is the server's operator).

**ACTIONS** is the table: for each (entity, action), the roles allowed, each either always or
under one of the documented conditions of ``CONDITIONS``. On top of the table, three rules hold
for everybody (the admin included), in this order:

1. *Closed session* (``error.session_frozen``): once the facilitator closes a session, nothing
   inside it changes (canvas, board, recommendations, votes, plans, moods, sub-groups); it stays
   readable. Planning (event, theme, session) and registrations are not frozen, so a session
   can be reopened, rescheduled and its attendance ticked afterwards.
2. *The table* (``error.permission_denied``): the actor's relation to the target must be granted.
3. *Contributions paused* (``error.contributions_paused``): while the facilitator pauses
   contributions, participants' writes in the session wait (``PAUSABLE``); staff continue, and
   votes and mood checks go on.

**A theme's process** (``core.session.theme_process``): a theme's dated sessions form one workshop.
A participant of a later date *reads* the earlier dates' material (``EARLIER_DATE``: personas and
their canvases, recommendations and their trails; findings and needs are cited in recommendations,
retained recommendations are planned) and *writes only in their own session*: a sub-group that
picked up an earlier persona (``("persona", "pick_up")``) adds items and leads to its canvas, and
edits or deletes those its own date added (``PICKED_UP``); what an earlier date wrote (the identity
card, items, leads and their partners) stays read-only for it. Such rows are dated by the session
they were written in (``Scope.written_in``): that session's closed and paused states apply to them
and their activity rows belong to it.

**Staff-only fields** (``STAFF_ONLY_FIELDS``): a participant may not set a persona's
``open_to_all`` nor a recommendation's ``retained`` (the facilitator decides).

**PAGES** says which pages (the url paths of ``app.py``) each kind of identity may open; a page is
not a target, so the ``*_other_*`` relations open the same pages as their base role (what a page
then lets them change is decided by ACTIONS). ``app.py`` builds its navigation from ``pages_for()``:
any page left out is Streamlit's "page not found" and lands on the role's home page.

``tests/test_permissions_matrix.py`` walks every page and every core write service with each
role and compares what happens with this table.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from core.actor import Actor
from core.errors import PermissionDenied

Action = tuple[str, str]   # (entity, action), e.g. ("canvas_item", "create")

# --- roles: relations of an actor to a target ---------------------------------------------------

ANONYMOUS = "anonymous"
PARTICIPANT_OTHER = "participant_other_subgroup"
PARTICIPANT = "participant"
FACILITATOR_OTHER = "facilitator_other_event"
FACILITATOR = "facilitator"
ORGANISER_OTHER = "organiser_other_event"
ORGANISER = "organiser"
ADMIN = "admin"

ROLES: tuple[str, ...] = (ANONYMOUS, PARTICIPANT_OTHER, PARTICIPANT, FACILITATOR_OTHER, FACILITATOR,
                          ORGANISER_OTHER, ORGANISER, ADMIN)
STAFF_ROLES = ("facilitator", "organiser", "admin")   # the ``role`` of a staff account


@dataclass(frozen=True)
class Scope:
    """Where a target lives: which event, session and sub-group (and the session's state)."""

    event_id: int | None = None
    session_id: int | None = None
    subgroup_id: int | None = None
    open_to_all: bool = False           # a persona the facilitator opened to every sub-group
    session_closed: bool = False        # contributions frozen, still readable
    contributions_open: bool = True     # the facilitator may pause participants' contributions
    # a theme's process (core.session.theme_process)
    picked_up_by: frozenset[int] = frozenset()    # a persona's: sub-groups of later dates continuing it
    written_in: int | None = None                 # canvas rows: the later date they were written in
    later_sessions: frozenset[int] = frozenset()  # the later dates of the theme, who read this session
                                                  # (filled for read checks: core.entities.read_scope)
    persona_id: int | None = None                 # a persona's rows: which persona (activity rows name it,
                                                  # so one canvas's writes do not redraw the others)


def relation(actor: Actor | None, scope: Scope = Scope()) -> str:
    """The role of ``actor`` towards a target in ``scope`` (one of ``ROLES``; ``SYSTEM`` is not
    a role: it passes every check before this is asked)."""
    if actor is None:
        return ANONYMOUS
    if actor.kind == "participant":
        own = (actor.subgroup_id is not None and scope.subgroup_id == actor.subgroup_id
               and (scope.session_id is None or scope.session_id == actor.session_id))
        return PARTICIPANT if own else PARTICIPANT_OTHER
    if actor.kind == "staff" and actor.role in STAFF_ROLES:
        if actor.role == "admin":
            return ADMIN
        attached = scope.event_id is None or scope.event_id in actor.event_ids
        if actor.role == "organiser":
            return ORGANISER if attached else ORGANISER_OTHER
        return FACILITATOR if attached else FACILITATOR_OTHER
    return ANONYMOUS


# --- conditions some grants carry ----------------------------------------------------------------

OPEN_TO_ALL = "open_to_all"
SAME_SESSION = "same_session"
PICKED_UP = "picked_up"
EARLIER_DATE = "earlier_date"

CONDITIONS: Mapping[str, Callable[[Actor, Scope], bool]] = MappingProxyType({
    # A persona the facilitator opened to all: every sub-group of its session writes in its canvas.
    OPEN_TO_ALL: lambda actor, scope: (scope.open_to_all and scope.session_id is not None
                                       and scope.session_id == actor.session_id),
    # What a session shows to every sub-group (a recommendation's trail, a persona to copy):
    # participants of the same session read it, whatever their sub-group.
    SAME_SESSION: lambda actor, scope: scope.session_id is not None and scope.session_id == actor.session_id,
    # A persona of an earlier date that the actor's sub-group picked up: it writes the rows written
    # in its own session (new items and leads, and those it added), never the earlier date's.
    PICKED_UP: lambda actor, scope: (actor.subgroup_id is not None and actor.subgroup_id in scope.picked_up_by
                                     and scope.written_in is not None and scope.written_in == actor.session_id),
    # The material of an earlier date of the actor's theme: participants of the later dates read it.
    EARLIER_DATE: lambda actor, scope: actor.session_id is not None and actor.session_id in scope.later_sessions,
})

Condition = str | tuple[str, ...]   # one condition, or several of which any one suffices


def _grant(*roles: str, **conditional: Condition) -> Mapping[str, Condition | None]:
    """Roles allowed always (``None``), and roles allowed under a named condition (or under any
    of several)."""
    out: dict[str, Condition | None] = {r: None for r in roles}
    for role, condition in conditional.items():
        names = condition if isinstance(condition, tuple) else (condition,)
        assert role in ROLES and names and all(c in CONDITIONS for c in names), (role, condition)
        out[role] = condition
    assert set(out) <= set(ROLES), out
    return MappingProxyType(out)


# who works on an event's planning / runs its sessions / writes in a sub-group's work
_ORGANISERS = _grant(ORGANISER, ADMIN)
_FACILITATION = _grant(FACILITATOR, ORGANISER, ADMIN)
_SUBGROUP_WORK = _grant(PARTICIPANT, FACILITATOR, ORGANISER, ADMIN)
_OPEN_CANVAS = _grant(PARTICIPANT, FACILITATOR, ORGANISER, ADMIN,
                      participant_other_subgroup=(OPEN_TO_ALL, PICKED_UP))
_SESSION_READERS = _grant(PARTICIPANT, FACILITATOR, ORGANISER, ADMIN,
                          participant_other_subgroup=(SAME_SESSION, EARLIER_DATE))
_WRITES = ("create", "update", "delete", "restore")


def _crud(entity: str, grant: Mapping[str, Condition | None]) -> dict[Action, Mapping[str, Condition | None]]:
    return {(entity, action): grant for action in _WRITES}


ACTIONS: Mapping[Action, Mapping[str, Condition | None]] = MappingProxyType({
    # events and their planning: the organisers of the event (any organiser creates a new one)
    **_crud("event", _ORGANISERS),
    ("event", "copy"): _ORGANISERS,                    # a new season from an event
    ("event", "staff"): _ORGANISERS,                   # who works on the event
    **_crud("theme", _ORGANISERS),
    **_crud("session", _ORGANISERS),                   # create, reschedule, delete a session
    ("session", "facilitators"): _ORGANISERS,          # who runs a session
    # running a session from the console: stages, timer, prompts, pause and hide contributions,
    # votes (open, close, reveal, clear), projector view and second-screen link, mood check,
    # closing round, close and reopen
    ("session", "run"): _FACILITATION,
    **_crud("subgroup", _FACILITATION),
    # a sub-group's work: its own rows (staff of the event on behalf of any sub-group)
    **_crud("persona", _OPEN_CANVAS),
    **_crud("canvas_item", _OPEN_CANVAS),
    **_crud("solution_lead", _OPEN_CANVAS),            # and linking resources to a lead
    ("persona", "read"): _SESSION_READERS,             # copy a persona into another session, read an
                                                       # earlier date's persona (the theme's process)
    ("persona", "pick_up"): _SUBGROUP_WORK,            # continue an earlier date's persona (scope: the
                                                       # picking session and sub-group)
    **_crud("contribution", _SUBGROUP_WORK),
    **_crud("recommendation", _SUBGROUP_WORK),
    ("recommendation", "read"): _SESSION_READERS,      # its trail (sources, personas); an earlier date's
    ("recommendation", "vote"): _SUBGROUP_WORK,        # place, remove, move the sub-group's dots
    ("recommendation", "retain"): _FACILITATION,       # retained for stage 3
    ("recommendation", "merge"): _FACILITATION,
    **_crud("implementation_plan", _SUBGROUP_WORK),
    **_crud("plan_action", _SUBGROUP_WORK),
    ("mood_check", "set"): _grant(PARTICIPANT),        # one's own weather
    # the shared inventory: anyone at work adds a resource (a participant in the name of their
    # own sub-group); organisers edit, import and merge; a sub-group edits what it added
    ("resource", "create"): _SUBGROUP_WORK,
    **{("resource", a): _grant(PARTICIPANT, ORGANISER, ADMIN) for a in ("update", "delete", "restore")},
    ("inventory", "edit"): _ORGANISERS,                # add from the inventory page, import, merge
    # registrations: organisers manage the lists and see contact details; facilitators tick
    # attendance and read the rosters
    ("registration", "manage"): _ORGANISERS,
    ("registration", "attendance"): _FACILITATION,
    # after the event (core.followup): what became of the recommendations of closed sessions (addressee,
    # status, the decision makers' answers, where each action stands), the public follow-up page and the
    # closing summary to participants: the organisers of the event; "read" is the organiser's view with
    # its history (the public page reads through its token, no role)
    ("follow_up", "read"): _ORGANISERS,
    ("follow_up", "update"): _ORGANISERS,              # addressee and status of a recommendation
    ("follow_up", "answer"): _ORGANISERS,              # add, edit, remove an answer
    ("follow_up", "action"): _ORGANISERS,              # status and progress of an implementation action
    ("follow_up", "publish"): _ORGANISERS,             # public page on/off, closing summary
    # staff accounts
    ("user", "create"): _grant(ADMIN),
    ("user", "update"): _grant(ADMIN),                 # password, (de)activation, events
})

READS = frozenset({"read"})
FROZEN_ENTITIES = frozenset({"subgroup", "persona", "canvas_item", "solution_lead", "contribution", "recommendation",
                             "implementation_plan", "plan_action", "mood_check", "resource"})
PAUSABLE = frozenset(a for a in ACTIONS if a[0] in {"persona", "canvas_item", "solution_lead", "contribution",
                                                    "recommendation", "implementation_plan", "plan_action"}
                     and a[1] in _WRITES) | {("persona", "pick_up")}
STAFF_ONLY_FIELDS: Mapping[str, tuple[str, ...]] = MappingProxyType({
    "persona": ("open_to_all",),
    "recommendation": ("retained",),
})


def decide(actor: Actor | None, action: Action, scope: Scope = Scope()) -> str | None:
    """``None`` when allowed, else the message key of the refusal."""
    if actor is not None and actor.kind == "system":
        return None
    grant = ACTIONS.get(action)
    if grant is None:  # an action nobody listed is nobody's
        return PermissionDenied.key
    if scope.session_closed and action[0] in FROZEN_ENTITIES and action[1] not in READS:
        return "error.session_frozen"
    role = relation(actor, scope)
    if role not in grant:
        return PermissionDenied.key
    condition = grant[role]
    if condition is not None:
        names = condition if isinstance(condition, tuple) else (condition,)
        if actor is None or not any(CONDITIONS[name](actor, scope) for name in names):
            return PermissionDenied.key
    if role in (PARTICIPANT, PARTICIPANT_OTHER) and action in PAUSABLE and not scope.contributions_open:
        return "error.contributions_paused"
    return None


def allowed(actor: Actor | None, action: Action, scope: Scope = Scope()) -> bool:
    return decide(actor, action, scope) is None


def require(actor: Actor | None, action: Action, scope: Scope = Scope()) -> None:
    """Raise ``PermissionDenied`` (with the rule's message key) unless ``actor`` may do ``action``."""
    refusal = decide(actor, action, scope)
    if refusal is not None:
        raise PermissionDenied(refusal)


def require_fields(actor: Actor | None, entity: str, values: Mapping[str, Any], updating: bool = False) -> None:
    """Staff-only fields: only staff (and the system) set them. On create a false value is the
    default and passes; on update any change of such a field is refused."""
    if actor is not None and actor.kind in ("staff", "system"):
        return
    for name in STAFF_ONLY_FIELDS.get(entity, ()):
        if name in values and (updating or values[name]):
            raise PermissionDenied()


def roles_allowed(action: Action) -> dict[str, Condition | None]:
    """The roles granted ``action`` and their condition (``None``: always)."""
    return dict(ACTIONS[action])


# --- pages ---------------------------------------------------------------------------------------

PAGE_ROLES = (ANONYMOUS, PARTICIPANT, FACILITATOR, ORGANISER, ADMIN)
_EVERYONE = frozenset(PAGE_ROLES)
_STAFF = frozenset({FACILITATOR, ORGANISER, ADMIN})
_AT_WORK = frozenset({PARTICIPANT, FACILITATOR, ORGANISER, ADMIN})

PAGES: Mapping[str, frozenset[str]] = MappingProxyType({
    "home": frozenset({ANONYMOUS, FACILITATOR, ORGANISER, ADMIN}),   # participants: their sub-group
    "join": frozenset({ANONYMOUS}),
    "register": _EVERYONE,              # public registration (?event=SLUG)
    "my-registration": _EVERYONE,       # personal registration link (?token=...)
    "login": frozenset({ANONYMOUS}),
    "group": frozenset({PARTICIPANT}),
    "canvas": _AT_WORK,
    "recommendation": _AT_WORK,
    "inventory": _AT_WORK,
    "leave": frozenset({PARTICIPANT}),
    "sessions": _STAFF,
    "console": _STAFF,
    "projector": _STAFF,
    "events": frozenset({ORGANISER, ADMIN}),
    "dashboard": frozenset({ORGANISER, ADMIN}),
    "follow-up": frozenset({ORGANISER, ADMIN}),
    "public-follow-up": _EVERYONE,      # an event's public follow-up page (?t=TOKEN), read-only
    "registrations": _STAFF,
    "users": frozenset({ADMIN}),
    "logout": _STAFF,
})
HOME_PAGES: Mapping[str, str] = MappingProxyType({
    ANONYMOUS: "home", PARTICIPANT: "group", FACILITATOR: "sessions", ORGANISER: "sessions", ADMIN: "sessions",
})


def page_role(actor: Actor | None) -> str:
    """The role that decides which pages an identity opens (``PAGE_ROLES``)."""
    if actor is not None and actor.kind == "participant":
        return PARTICIPANT
    if actor is not None and actor.kind == "staff" and actor.role in STAFF_ROLES:
        return {"admin": ADMIN, "organiser": ORGANISER, "facilitator": FACILITATOR}[actor.role]
    return ANONYMOUS


def pages_for(actor: Actor | None) -> list[str]:
    """The url paths this identity may open, in the table's order."""
    role = page_role(actor)
    return [url for url, roles in PAGES.items() if role in roles]


def page_allowed(actor: Actor | None, url_path: str) -> bool:
    return page_role(actor) in PAGES.get(url_path, frozenset())


def home_page(actor: Actor | None) -> str:
    return HOME_PAGES[page_role(actor)]


__all__ = ["ACTIONS", "ADMIN", "ANONYMOUS", "CONDITIONS", "EARLIER_DATE", "FACILITATOR", "FACILITATOR_OTHER",
           "HOME_PAGES", "ORGANISER", "ORGANISER_OTHER", "PAGES", "PAGE_ROLES", "PARTICIPANT", "PARTICIPANT_OTHER",
           "PAUSABLE", "PICKED_UP",
           "ROLES", "STAFF_ONLY_FIELDS", "Scope", "allowed", "decide", "home_page", "page_allowed", "page_role",
           "pages_for", "relation", "require", "require_fields", "roles_allowed"]
