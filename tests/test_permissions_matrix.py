"""Access, walked: every core write service and every page, with each role, against the one table
of permissions in ``core.permissions``.

(a) Services. Each core service that writes (and the reads that check a permission) is called
    by every role (``permissions.ROLES``: anonymous, a participant of another sub-group, a
    participant of the target's sub-group, a facilitator and an organiser of another event, of
    the target's event, an admin) on a seeded database: allowed calls succeed and write (the
    activity log grows), refused ones raise ``PermissionDenied`` and write nothing (every table's
    row count, every row version and the activity log unchanged). The expected outcome is read
    FROM the table. A test fails when a public function that writes (or takes an ``actor``)
    appears in ``core`` without being listed here.
(b) Pages. Every page url is opened by every role through ``app.py`` (AppTest): the pages the
    table grants render without exception and show their own title; the navigation lists
    exactly those; any other url typed by hand lands on the role's home page, never on the page.
(c) Intent. A hand-written list of cases that must be refused (or allowed), so the table itself
    is checked against what the product means, and the special rules (closed session, paused
    contributions, personas open to all, a sub-group's own resources, staff-only fields).
"""
from __future__ import annotations

import ast
import datetime as dt
import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import bcrypt
import pytest
from sqlalchemy import delete as sql_delete
from sqlalchemy import select, text
from sqlalchemy import update as sql_update

from core import entities, permissions
from core.access import accounts, join
from core.actor import ANONYMOUS, SYSTEM, Actor
from core.errors import AtelierError, Conflict, NotFound, PermissionDenied
from core.followup import closing, public, tracking
from core.permissions import (
    ADMIN,
    EARLIER_DATE,
    FACILITATOR,
    FACILITATOR_OTHER,
    OPEN_TO_ALL,
    ORGANISER,
    ORGANISER_OTHER,
    PARTICIPANT,
    PARTICIPANT_OTHER,
    PICKED_UP,
    ROLES,
    SAME_SESSION,
    Scope,
)
from core.personas import canvas, suggestions, templates
from core.resources import inventory
from core.session import board, mood, plans, projector, recommendations, session_flow, theme_process, voting
from core.setup import events
from core.signup import privacy, registration
from storage import db
from storage import models as m

ROOT = Path(__file__).resolve().parent.parent
EVENT_A, EVENT_B = "assises-logement-travail-social", "partners-day-2024"
PASSWORD = "motdepasse-solide"
_CHEAP_SALT = bcrypt.gensalt(rounds=4)


def _cheap_hash(password: str) -> str:   # account creation in fixtures without 12 bcrypt rounds each
    return bcrypt.hashpw(password.encode("utf-8"), _CHEAP_SALT).decode("ascii")


# --- the world: two events, staff of each, an admin; a fresh room per case ----------------------

class World:
    """On a seeded database: event A (where every target lives) and event B; a facilitator and an
    organiser attached to each; an admin; a facilitator "cible" for account and staff changes."""

    STAFF = {FACILITATOR: ("anim-a", "facilitator", EVENT_A), FACILITATOR_OTHER: ("anim-b", "facilitator", EVENT_B),
             ORGANISER: ("orga-a", "organiser", EVENT_A), ORGANISER_OTHER: ("orga-b", "organiser", EVENT_B),
             ADMIN: ("chef", "admin", None)}

    def __init__(self) -> None:
        self.counter = itertools.count(1)
        self.a, self.b = events.get_event(EVENT_A), events.get_event(EVENT_B)
        self.theme_a = self.a.themes[0].id
        registration.update_settings(SYSTEM, self.a.id, None, registration_open=True)
        for username, role, slug in self.STAFF.values():
            accounts.create_user(username, role, username.title(), "", PASSWORD)
            if slug:
                accounts.attach_to_event(username, self.a.id if slug == EVENT_A else self.b.id)
        self.staff = {role: accounts.get_user(username).actor() for role, (username, _r, _s) in self.STAFF.items()}
        self.cible = accounts.create_user("cible", "facilitator", "Cible", "", PASSWORD)
        self.resource_id = inventory.search_resources("")[0].id

    def seq(self) -> int:
        return next(self.counter)


class Room:
    """A fresh session of event A (starting in 60 days, open), sub-groups 1 and 2, a participant
    at each. The target of a case is in sub-group 1."""

    def __init__(self, world: World) -> None:
        self.world = world
        start = dt.datetime.now().replace(microsecond=0) + dt.timedelta(days=60)
        self.sid = events.add_session(SYSTEM, world.theme_a, start, start + dt.timedelta(hours=3),
                                      title=f"Salle {world.seq()}")["id"]
        self.g1 = events.add_subgroup(SYSTEM, self.sid, "Table 1")["id"]
        self.g2 = events.add_subgroup(SYSTEM, self.sid, "Table 2")["id"]
        # one of many dates of theme A: it covers the three stages, so it starts on the diagnostic
        theme_process.set_session_stages(SYSTEM, self.sid, ["diagnostic", "recommendations", "implementation"])
        session_flow.start_session(SYSTEM, self.sid)
        self.p1 = join.join(self.sid, self.g1, "Ana")[1].actor()
        self.p2 = join.join(self.sid, self.g2, "Bo")[1].actor()

    def actor(self, role: str) -> Actor:
        if role == permissions.ANONYMOUS:
            return ANONYMOUS
        if role == PARTICIPANT:
            return self.p1
        if role == PARTICIPANT_OTHER:
            return self.p2
        return self.world.staff[role]

    def text(self, what: str = "Texte") -> str:
        return f"{what} {self.world.seq()}"

    # targets, created as the system, in sub-group 1 unless told
    def session(self, **cols: Any) -> None:
        with db.write_session() as s:
            s.execute(sql_update(m.WorkshopSession).where(m.WorkshopSession.id == self.sid).values(**cols))

    def stage(self, stage: str) -> None:
        session_flow.set_stage(SYSTEM, self.sid, stage)

    def persona(self, group: int | None = None, **kw: Any) -> int:
        return canvas.create_persona(SYSTEM, self.sid, self.text("Persona"), subgroup_id=group or self.g1, **kw)["id"]

    def item(self, group: int | None = None, kind: str = "barrier") -> int:
        return canvas.add_canvas_item(SYSTEM, self.persona(group), kind, self.text("Frein"))["id"]

    def lead(self, group: int | None = None) -> int:
        return canvas.add_solution_lead(SYSTEM, self.item(group, "need"), self.text("Piste"))["id"]

    def contribution(self, group: int | None = None) -> int:
        return board.add_contribution(SYSTEM, self.sid, "finding", "people", self.text("Constat"),
                                      subgroup_id=group or self.g1)["id"]

    def rec(self, group: int | None = None) -> int:
        source = self.contribution(group)
        self.stage("recommendations")
        return recommendations.create_recommendation(SYSTEM, self.sid, self.text("Reco"), "communal",
                                                     sources=[("contribution", source)],
                                                     subgroup_id=group or self.g1)["id"]

    def retained_rec(self, group: int | None = None) -> int:
        rid = self.rec(group)
        recommendations.set_retained(SYSTEM, rid, True)
        self.stage("implementation")
        return rid

    def plan(self, group: int | None = None) -> int:
        return plans.start_plan(SYSTEM, self.retained_rec(group), subgroup_id=group or self.g1)["id"]

    def plan_action(self) -> int:
        return plans.add_action(SYSTEM, self.plan(), self.text("Action"))["id"]

    def vote_open(self) -> None:
        self.session(vote_status="none")
        voting.open_vote(SYSTEM, self.sid, dots=12, multi=True)

    def person(self, org: str = "") -> tuple[int, int]:
        """A person registered for the room's session: (participant id, registration id)."""
        n = self.world.seq()
        result = registration.register(EVENT_A, first_name=f"Prénom{n}", last_name="Nom", email=f"p{n}@example.org",
                                       organisation=org, session_ids=[self.sid], consent=True)
        with db.read_session() as s:
            reg_id = s.execute(select(m.Registration.id).where(m.Registration.participant_id == result.participant_id,
                                                               m.Registration.session_id == self.sid)).scalar_one()
        return result.participant_id, reg_id

    def resource(self, group: int | None = None) -> int:
        return suggestions.create_resource_inline(SYSTEM, group or self.g1, self.text("Ressource"))["id"]

    def earlier_persona(self) -> int:
        """A persona of an earlier date of the room's theme (a new session a week before the room's)."""
        with db.read_session() as s:
            start = s.get(m.WorkshopSession, self.sid).starts_at
        earlier = events.add_session(SYSTEM, self.world.theme_a, start - dt.timedelta(days=7),
                                     start - dt.timedelta(days=7, hours=-3), title=self.text("Date 1"))["id"]
        return canvas.create_persona(SYSTEM, earlier, self.text("Persona"))["id"]


# --- the cases: one per core service --------------------------------------------------------------

@dataclass(frozen=True)
class Case:
    service: str                                   # "module.function"
    actions: tuple[permissions.Action, ...]        # the table entries that decide it (all must allow)
    call: Callable[[Actor, Room, Any], Any]
    prepare: Callable[[Room], Any] = lambda room: None   # state for one call, as the system
    own_group: bool = False    # a participant always acts for their own sub-group (the id passed is ignored)
    unscoped: bool = False     # the target belongs to no event (inventory, accounts, a new event)
    kind: str = "write"        # "write", "read" (returns or raises), "predicate" (returns True/False)
    state: dict[str, bool] = field(default_factory=lambda: {OPEN_TO_ALL: False, SAME_SESSION: True, PICKED_UP: False,
                                                            EARLIER_DATE: False})
    cleanup: Callable[[Room], Any] = lambda room: None


def C(service: str, action: permissions.Action | tuple[permissions.Action, ...], call, prepare=lambda room: None,
      **kw: Any) -> Case:
    actions = action if isinstance(action[0], tuple) else (action,)
    return Case(service, actions, call, prepare, **kw)


RUN = ("session", "run")
MANAGE = ("registration", "manage")
ATTENDANCE = ("registration", "attendance")


def _unarchive(room: Room) -> None:
    with db.write_session() as s:
        s.execute(sql_update(m.Event).where(m.Event.id == room.world.a.id).values(archived_at=None))


def _detach_cible(room: Room) -> None:
    with db.write_session() as s:
        s.execute(sql_delete(m.EventStaff).where(m.EventStaff.user_id == room.world.cible.id))
        s.execute(sql_delete(m.SessionFacilitator).where(m.SessionFacilitator.user_id == room.world.cible.id))


def _waiting_person(room: Room) -> None:
    """One more person on the waiting list of the room's session, with a free place for them."""
    ev = room.world.a.id
    with db.write_session() as s:
        confirmed = s.execute(select(m.Registration.id).where(m.Registration.session_id == room.sid,
                                                              m.Registration.status == "confirmed")).all()
        s.execute(sql_update(m.Event).where(m.Event.id == ev).values(participant_cap=max(1, len(confirmed))))
    if not confirmed:
        room.person()
    room.person()
    with db.write_session() as s:
        s.execute(sql_update(m.Event).where(m.Event.id == ev).values(participant_cap=40))


def _two_orgs(room: Room) -> tuple[int, int]:
    ids = []
    for name in (room.text("Organisation"), room.text("Autre organisation")):
        pid, _reg = room.person(org=name)
        with db.read_session() as s:
            ids.append(s.get(m.Participant, pid).organisation_id)
    return ids[0], ids[1]


def _dots(room: Room) -> tuple[int, int]:
    """Two recommendations; a dot of each sub-group on the first."""
    first, second = room.rec(), room.rec()
    room.vote_open()
    for group in (room.g1, room.g2):
        voting.cast_dot(SYSTEM, room.sid, first, subgroup_id=group)
    return first, second


def _console_action(a: Actor, room: Room) -> Any:
    """A console action that renames the session (the title is made before the action runs)."""
    title = room.text("Titre")
    return session_flow.run_console_action(a, room.sid, "test", lambda s, row: setattr(row, "title", title))


def _clear_focus(room: Room) -> None:
    """Nobody's console has a session open (focusing the same one again writes nothing)."""
    with db.write_session() as s:
        s.query(m.ConsoleFocus).delete()


def _timer(room: Room, running: bool = False) -> None:
    session_flow.set_timer(SYSTEM, room.sid, 10)
    if running:
        session_flow.start_timer(SYSTEM, room.sid)


def _closed(room: Room, make: Callable[[], Any]) -> Any:
    """``make()`` in the room's session (opened again if an earlier call closed it), then the session
    closed: the follow-up of a recommendation starts once its session is closed."""
    room.session(status="open", closed_at=None)
    made = make()
    session_flow.close_session(SYSTEM, room.sid)
    return made


def _answer(room: Room, document: bool = False) -> int:
    rec = _closed(room, room.rec)
    return tracking.add_answer(SYSTEM, rec, dt.date.today(), room.text("Réponse"),
                               attachment=b"%PDF-1.4\n" if document else None,
                               attachment_name="reponse.pdf")["id"]


def _answer_rec(answer_id: int) -> int:
    with db.read_session() as s:
        return s.get(m.RecommendationFollowUp, s.get(m.FollowUpAnswer, answer_id).follow_up_id).recommendation_id


def _card(room: Room, pid: int) -> canvas.PersonaCard:
    return next(c for c in canvas.list_personas(room.sid) if c.id == pid)


def _option(a: Actor, pid: int) -> bool:
    return any(o.id == pid and o.editable for o in canvas.personas_for(a))


CASES: list[Case] = [
    # accounts (admins; the command line acts as SYSTEM)
    C("accounts.create_user", ("user", "create"), unscoped=True,
      call=lambda a, r, x: accounts.create_user(f"compte{r.world.seq()}", "facilitator", "Nouveau", "", PASSWORD,
                                                actor=a)),
    C("accounts.set_password", ("user", "update"), unscoped=True,
      call=lambda a, r, x: accounts.set_password("cible", f"{PASSWORD}-{r.world.seq()}", actor=a)),
    C("accounts.set_active", ("user", "update"), unscoped=True,
      call=lambda a, r, x: accounts.set_active("cible", True, actor=a)),
    C("accounts.attach_to_event", ("user", "update"), unscoped=True, prepare=_detach_cible,
      call=lambda a, r, x: accounts.attach_to_event("cible", r.world.a.id, actor=a)),
    # board
    C("board.add_contribution", ("contribution", "create"), own_group=True,
      call=lambda a, r, x: board.add_contribution(a, r.sid, "finding", "people", r.text(), subgroup_id=r.g1)),
    C("board.edit_contribution", ("contribution", "update"), prepare=lambda r: r.contribution(),
      call=lambda a, r, x: board.edit_contribution(a, x, None, text=r.text())),
    C("board.delete_contribution", ("contribution", "delete"), prepare=lambda r: r.contribution(),
      call=lambda a, r, x: board.delete_contribution(a, x)),
    # canvas
    C("canvas.create_persona", ("persona", "create"),
      call=lambda a, r, x: canvas.create_persona(a, r.sid, r.text("Nadia"), subgroup_id=r.g1)),
    C("canvas.update_persona", ("persona", "update"), prepare=lambda r: r.persona(),
      call=lambda a, r, x: canvas.update_persona(a, x, None, name=r.text("Nom"))),
    C("canvas.add_canvas_item", ("canvas_item", "create"), prepare=lambda r: r.persona(),
      call=lambda a, r, x: canvas.add_canvas_item(a, x, "skill", r.text("Compétence"))),
    C("canvas.add_barrier", ("canvas_item", "create"), prepare=lambda r: r.persona(),
      call=lambda a, r, x: canvas.add_barrier(a, x, r.text("Frein"))),
    C("canvas.add_need", ("canvas_item", "create"), prepare=lambda r: r.persona(),
      call=lambda a, r, x: canvas.add_need(a, x, r.text("Besoin"))),
    C("canvas.edit_canvas_item", ("canvas_item", "update"), prepare=lambda r: r.item(),
      call=lambda a, r, x: canvas.edit_canvas_item(a, x, None, text=r.text())),
    C("canvas.delete_canvas_item", ("canvas_item", "delete"), prepare=lambda r: r.item(),
      call=lambda a, r, x: canvas.delete_canvas_item(a, x)),
    C("canvas.restore_canvas_item", ("canvas_item", "restore"),
      prepare=lambda r: canvas.delete_canvas_item(SYSTEM, r.item())["id"],
      call=lambda a, r, x: canvas.restore_canvas_item(a, x)),
    C("canvas.add_solution_lead", ("solution_lead", "create"), prepare=lambda r: r.item(kind="need"),
      call=lambda a, r, x: canvas.add_solution_lead(a, x, r.text("Piste"))),
    C("canvas.link_resource", ("solution_lead", "update"), prepare=lambda r: r.lead(),
      call=lambda a, r, x: canvas.link_resource(a, x, r.world.resource_id)),
    C("canvas.unlink_resource", ("solution_lead", "update"),
      prepare=lambda r: [lead := r.lead(), canvas.link_resource(SYSTEM, lead, r.world.resource_id)][0],
      call=lambda a, r, x: canvas.unlink_resource(a, x, r.world.resource_id)),
    C("canvas.can_edit", ("canvas_item", "update"), kind="predicate", prepare=lambda r: r.persona(),
      call=lambda a, r, x: canvas.can_edit(a, _card(r, x))),
    C("canvas.personas_for", ("canvas_item", "update"), kind="predicate", prepare=lambda r: r.persona(),
      call=lambda a, r, x: _option(a, x)),
    # the generic write path (pages use it for solution leads, deletes and undo)
    C("entities.create", ("contribution", "create"),
      call=lambda a, r, x: entities.create(a, "contribution", session_id=r.sid, subgroup_id=r.g1, kind="finding",
                                           category="people", text=r.text())),
    C("entities.update", ("solution_lead", "update"), prepare=lambda r: r.lead(),
      call=lambda a, r, x: entities.update(a, "solution_lead", x, None, text=r.text("Piste"))),
    C("entities.delete", ("persona", "delete"), prepare=lambda r: r.persona(),
      call=lambda a, r, x: entities.delete(a, "persona", x)),
    C("entities.restore", ("contribution", "restore"),
      prepare=lambda r: board.delete_contribution(SYSTEM, r.contribution())["id"],
      call=lambda a, r, x: entities.restore(a, "contribution", x)),
    # events and their planning
    C("events.create_event", ("event", "create"), unscoped=True,
      call=lambda a, r, x: events.create_event(a, title=r.text("Événement"))),
    C("events.update_event", ("event", "update"),
      call=lambda a, r, x: events.update_event(a, r.world.a.id, None, place=r.text("Lieu"))),
    C("events.set_event_levels", ("event", "update"),
      call=lambda a, r, x: events.set_event_levels(a, r.world.a.id, None, "ch-ge", f"Communal\n{r.text('Niveau')}")),
    C("events.archive_event", ("event", "update"), prepare=_unarchive, cleanup=_unarchive,
      call=lambda a, r, x: events.archive_event(a, r.world.a.id, True)),
    C("events.copy_event", ("event", "copy"),
      call=lambda a, r, x: events.copy_event(a, r.world.a.id, r.text("Saison"), slug=f"saison-{r.world.seq()}")),
    C("events.add_theme", ("theme", "create"),
      call=lambda a, r, x: events.add_theme(a, r.world.a.id, r.text("Thème"))),
    C("events.update_theme", ("theme", "update"),
      prepare=lambda r: events.add_theme(SYSTEM, r.world.a.id, r.text("Thème"))["id"],
      call=lambda a, r, x: events.update_theme(a, x, None, title=r.text("Thème"))),
    C("events.delete_theme", ("theme", "delete"),
      prepare=lambda r: events.add_theme(SYSTEM, r.world.a.id, r.text("Thème"))["id"],
      call=lambda a, r, x: events.delete_theme(a, x)),
    C("events.add_session", ("session", "create"),
      call=lambda a, r, x: events.add_session(a, r.world.theme_a, title=r.text("Séance"))),
    C("events.update_session", ("session", "update"),
      prepare=lambda r: events.add_session(SYSTEM, r.world.theme_a, title=r.text("Séance"))["id"],
      call=lambda a, r, x: events.update_session(a, x, None, title=r.text("Séance"))),
    C("events.delete_session", ("session", "delete"),
      prepare=lambda r: events.add_session(SYSTEM, r.world.theme_a, title=r.text("Séance"))["id"],
      call=lambda a, r, x: events.delete_session(a, x)),
    C("events.add_subgroup", ("subgroup", "create"),
      call=lambda a, r, x: events.add_subgroup(a, r.sid, r.text("Table"))),
    C("events.add_subgroups", ("subgroup", "create"),
      call=lambda a, r, x: events.add_subgroups(a, r.sid, [r.text("Table"), r.text("Table")])),
    C("events.set_event_staff", ("event", "staff"), prepare=_detach_cible, cleanup=_detach_cible,
      call=lambda a, r, x: events.set_event_staff(
          a, r.world.a.id, [u.id for u in events.event_staff(r.world.a.id)] + [r.world.cible.id])),
    C("events.set_session_facilitators", ("session", "facilitators"), prepare=_detach_cible, cleanup=_detach_cible,
      call=lambda a, r, x: events.set_session_facilitators(a, r.sid, [r.world.cible.id])),
    # the shared inventory
    C("inventory.add_resource", ("inventory", "edit"), unscoped=True,
      call=lambda a, r, x: inventory.add_resource(a, r.text("Service"), "other")),
    C("inventory.update_resource", ("resource", "update"), unscoped=True, prepare=lambda r: r.resource(),
      call=lambda a, r, x: inventory.update_resource(a, x, None, description=r.text())),
    C("inventory.merge_resources", ("inventory", "edit"), unscoped=True,
      prepare=lambda r: (r.resource(), r.resource()),
      call=lambda a, r, x: inventory.merge_resources(a, x[0], [x[1]])),
    C("inventory.import_csv", ("inventory", "edit"), unscoped=True,
      call=lambda a, r, x: _imported(inventory.import_csv(a, f"name\n{r.text('Importé')}\n".encode()))),
    C("suggestions.create_resource_inline", ("resource", "create"), unscoped=True,
      call=lambda a, r, x: suggestions.create_resource_inline(a, r.g1, r.text("Ressource"))),
    # mood check
    C("mood.open_mood_check", RUN, prepare=lambda r: mood.open_mood_check(SYSTEM, r.sid, None),
      call=lambda a, r, x: mood.open_mood_check(a, r.sid, "before")),
    C("mood.set_mood", ("mood_check", "set"), own_group=True,
      prepare=lambda r: mood.open_mood_check(SYSTEM, r.sid, "before"),
      call=lambda a, r, x: mood.set_mood(a, "before", "sunny")),
    # after the event: the follow-up of recommendations, the public page, the closing summary
    C("tracking.update_follow_up", ("follow_up", "update"), prepare=lambda r: _closed(r, r.rec),
      call=lambda a, r, x: tracking.update_follow_up(a, x, None, addressee=r.text("Cabinet"))),
    C("tracking.add_answer", ("follow_up", "answer"), prepare=lambda r: _closed(r, r.rec),
      call=lambda a, r, x: tracking.add_answer(a, x, dt.date.today(), r.text("Réponse"))),
    C("tracking.edit_answer", ("follow_up", "answer"), prepare=_answer,
      call=lambda a, r, x: tracking.edit_answer(a, x, None, text=r.text("Réponse"))),
    C("tracking.delete_answer", ("follow_up", "answer"), prepare=_answer,
      call=lambda a, r, x: tracking.delete_answer(a, x)),
    C("tracking.set_action_progress", ("follow_up", "action"), prepare=lambda r: _closed(r, r.plan_action),
      call=lambda a, r, x: tracking.set_action_progress(a, x, None, "under_way", note=r.text("Note"))),
    C("tracking.event_follow_up", ("follow_up", "read"), kind="read", prepare=lambda r: _closed(r, r.rec),
      call=lambda a, r, x: tracking.event_follow_up(a, r.world.a.id)),
    C("tracking.open_recommendation_count", ("follow_up", "read"), kind="read",
      call=lambda a, r, x: tracking.open_recommendation_count(a, r.world.a.id)),
    C("tracking.history", ("follow_up", "read"), kind="read", prepare=_answer,
      call=lambda a, r, x: tracking.history(a, _answer_rec(x))),
    C("tracking.answer_attachment", ("follow_up", "read"), kind="read", prepare=lambda r: _answer(r, document=True),
      call=lambda a, r, x: tracking.answer_attachment(a, x)),
    C("public.page_settings", ("follow_up", "read"), kind="read",
      call=lambda a, r, x: public.page_settings(a, r.world.a.id)),
    C("public.set_public_page", ("follow_up", "publish"),
      prepare=lambda r: public.set_public_page(SYSTEM, r.world.a.id, False),
      call=lambda a, r, x: public.set_public_page(a, r.world.a.id, True)),
    C("closing.closing_status", ("follow_up", "read"), kind="read",
      call=lambda a, r, x: closing.closing_status(a, r.world.a.id)),
    C("closing.publish_closing_summary", ("follow_up", "publish"),
      call=lambda a, r, x: closing.publish_closing_summary(a, r.world.a.id)),
    # implementation plans
    C("plans.start_plan", ("implementation_plan", "create"), own_group=True, prepare=lambda r: r.retained_rec(),
      call=lambda a, r, x: plans.start_plan(a, x, subgroup_id=r.g1)),
    C("plans.update_plan", ("implementation_plan", "update"), prepare=lambda r: r.plan(),
      call=lambda a, r, x: plans.update_plan(a, x, None, who_wants_what=r.text())),
    C("plans.add_action", ("plan_action", "create"), prepare=lambda r: r.plan(),
      call=lambda a, r, x: plans.add_action(a, x, r.text("Action"))),
    C("plans.update_action", ("plan_action", "update"), prepare=lambda r: r.plan_action(),
      call=lambda a, r, x: plans.update_action(a, x, None, action=r.text("Action"))),
    C("plans.delete_action", ("plan_action", "delete"), prepare=lambda r: r.plan_action(),
      call=lambda a, r, x: plans.delete_action(a, x)),
    # personal data
    C("privacy.erase_participant", MANAGE, prepare=lambda r: r.person()[0],
      call=lambda a, r, x: privacy.erase_participant(a, x)),
    C("privacy.personal_data_for", MANAGE, kind="read", prepare=lambda r: r.person()[0],
      call=lambda a, r, x: privacy.personal_data_for(a, x)),
    # projector
    C("projector.issue_screen_token", RUN, call=lambda a, r, x: projector.issue_screen_token(a, r.sid)),
    C("projector.revoke_screen_token", RUN, call=lambda a, r, x: projector.revoke_screen_token(a, r.sid)),
    C("projector.focus_console", RUN, prepare=_clear_focus,
      call=lambda a, r, x: projector.focus_console(a, r.sid)),
    # recommendations
    C("recommendations.create_recommendation", ("recommendation", "create"), own_group=True,
      prepare=lambda r: [r.contribution(), r.stage("recommendations")][0],
      call=lambda a, r, x: recommendations.create_recommendation(a, r.sid, r.text("Reco"), "regional",
                                                                 sources=[("contribution", x)], subgroup_id=r.g1)),
    C("recommendations.edit_recommendation", ("recommendation", "update"), prepare=lambda r: r.rec(),
      call=lambda a, r, x: recommendations.edit_recommendation(a, x, None, title=r.text("Reco"))),
    C("recommendations.set_retained", ("recommendation", "retain"), prepare=lambda r: r.rec(),
      call=lambda a, r, x: recommendations.set_retained(a, x, True)),
    C("recommendations.delete_recommendation", ("recommendation", "delete"), prepare=lambda r: r.rec(),
      call=lambda a, r, x: recommendations.delete_recommendation(a, x)),
    C("recommendations.merge_recommendations", ("recommendation", "merge"), prepare=lambda r: (r.rec(), r.rec()),
      call=lambda a, r, x: recommendations.merge_recommendations(a, x[0], x[1])),
    C("recommendations.trail_for", ("recommendation", "read"), kind="read", prepare=lambda r: r.rec(),
      call=lambda a, r, x: recommendations.trail_for(a, x)),
    # registrations
    C("registration.confirm_anyway", MANAGE,
      prepare=lambda r: [reg := r.person()[1], registration.cancel_registration(SYSTEM, reg)][0],
      call=lambda a, r, x: registration.confirm_anyway(a, x)),
    C("registration.cancel_registration", MANAGE, prepare=lambda r: r.person()[1],
      call=lambda a, r, x: registration.cancel_registration(a, x)),
    C("registration.fill_from_waiting_list", MANAGE, prepare=_waiting_person,
      call=lambda a, r, x: registration.fill_from_waiting_list(a, r.world.a.id)),
    C("registration.set_present", ATTENDANCE, prepare=lambda r: r.person()[1],
      call=lambda a, r, x: registration.set_present(a, x, True)),
    C("registration.set_attendance", ATTENDANCE, prepare=lambda r: r.person()[1],
      call=lambda a, r, x: registration.set_attendance(a, r.sid, [x])),
    C("registration.update_attendance", ATTENDANCE, prepare=lambda r: r.person()[1],
      call=lambda a, r, x: registration.update_attendance(a, r.sid, {x: True})),
    C("registration.mark_present", ATTENDANCE, prepare=lambda r: r.person()[0],
      call=lambda a, r, x: registration.mark_present(r.sid, x, actor=a)),
    C("registration.merge_organisations", MANAGE, prepare=_two_orgs,
      call=lambda a, r, x: registration.merge_organisations(a, r.world.a.id, x[0], x[1])),
    C("registration.update_settings", MANAGE,
      call=lambda a, r, x: registration.update_settings(a, r.world.a.id, None,
                                                        retention_months=1 + r.world.seq() % 100)),
    C("registration.queue_invitations", MANAGE, prepare=lambda r: r.person(),
      call=lambda a, r, x: registration.queue_invitations(a, r.sid)),
    C("registration.resend_link", MANAGE, prepare=lambda r: r.person()[0],
      call=lambda a, r, x: registration.resend_link(a, x)),
    C("registration.sees_contacts", MANAGE, kind="predicate",
      call=lambda a, r, x: registration.sees_contacts(a, r.world.a.id)),
    C("registration.event_people", MANAGE, kind="read", prepare=lambda r: r.person(),
      call=lambda a, r, x: registration.event_people(a, r.world.a.id)),
    C("registration.rosters", ATTENDANCE, kind="read",
      call=lambda a, r, x: registration.rosters(a, r.world.a.id)),
    C("registration.event_organisations", ATTENDANCE, kind="read",
      call=lambda a, r, x: registration.event_organisations(a, r.world.a.id)),
    C("registration.merge_suggestions", ATTENDANCE, kind="read",
      call=lambda a, r, x: registration.merge_suggestions(a, r.world.a.id)),
    # the console
    C("session_flow.run_console_action", RUN,
      call=lambda a, r, x: _console_action(a, r)),
    C("session_flow.start_session", RUN, prepare=lambda r: r.session(status="planned"),
      call=lambda a, r, x: session_flow.start_session(a, r.sid)),
    C("session_flow.set_stage", RUN, prepare=lambda r: r.stage("diagnostic"),
      call=lambda a, r, x: session_flow.set_stage(a, r.sid, "recommendations")),
    C("session_flow.next_stage", RUN, prepare=lambda r: r.stage("diagnostic"),
      call=lambda a, r, x: session_flow.next_stage(a, r.sid)),
    C("session_flow.previous_stage", RUN, prepare=lambda r: r.stage("recommendations"),
      call=lambda a, r, x: session_flow.previous_stage(a, r.sid)),
    C("session_flow.set_contributions_open", RUN, prepare=lambda r: r.session(contributions_open=True),
      call=lambda a, r, x: session_flow.set_contributions_open(a, r.sid, False)),
    C("session_flow.set_contributions_hidden", RUN, prepare=lambda r: r.session(contributions_hidden=False),
      call=lambda a, r, x: session_flow.set_contributions_hidden(a, r.sid, True)),
    C("session_flow.reveal_contributions", RUN, prepare=lambda r: r.session(contributions_hidden=True),
      call=lambda a, r, x: session_flow.reveal_contributions(a, r.sid)),
    C("session_flow.set_prompt", RUN,
      call=lambda a, r, x: session_flow.set_prompt(a, r.sid, "diagnostic", r.text("Consigne"))),
    C("session_flow.set_timer", RUN, call=lambda a, r, x: session_flow.set_timer(a, r.sid, 1 + r.world.seq() % 50)),
    C("session_flow.start_timer", RUN, prepare=_timer, call=lambda a, r, x: session_flow.start_timer(a, r.sid)),
    C("session_flow.run_timer_for", RUN, call=lambda a, r, x: session_flow.run_timer_for(a, r.sid, 3)),
    C("session_flow.pause_timer", RUN, prepare=lambda r: _timer(r, running=True),
      call=lambda a, r, x: session_flow.pause_timer(a, r.sid)),
    C("session_flow.add_minute", RUN, prepare=_timer, call=lambda a, r, x: session_flow.add_minute(a, r.sid)),
    C("session_flow.reset_timer", RUN, prepare=lambda r: _timer(r, running=True),
      call=lambda a, r, x: session_flow.reset_timer(a, r.sid)),
    C("session_flow.set_projector_view", RUN, prepare=lambda r: r.session(projector_view="feed"),
      call=lambda a, r, x: session_flow.set_projector_view(a, r.sid, "board")),
    C("session_flow.open_mood_check", RUN, prepare=lambda r: mood.open_mood_check(SYSTEM, r.sid, None),
      call=lambda a, r, x: session_flow.open_mood_check(a, r.sid, "after")),
    C("session_flow.set_closing_round", RUN, prepare=lambda r: session_flow.set_closing_round(SYSTEM, r.sid, False),
      call=lambda a, r, x: session_flow.set_closing_round(a, r.sid, True)),
    C("session_flow.close_session", RUN, prepare=lambda r: session_flow.reopen_session(SYSTEM, r.sid),
      call=lambda a, r, x: session_flow.close_session(a, r.sid)),
    C("session_flow.reopen_session", RUN, prepare=lambda r: session_flow.close_session(SYSTEM, r.sid),
      call=lambda a, r, x: session_flow.reopen_session(a, r.sid)),
    C("session_flow.rename_subgroup", ("subgroup", "update"),
      call=lambda a, r, x: session_flow.rename_subgroup(a, r.g1, r.text("Table"))),
    # personas from templates and copies
    C("templates.create_persona_from_template", ("persona", "create"),
      call=lambda a, r, x: templates.create_persona_from_template(a, r.sid, r.g1, "ahmed")),
    C("templates.copy_persona", (("persona", "read"), ("persona", "create")), prepare=lambda r: r.persona(),
      call=lambda a, r, x: templates.copy_persona(a, x, r.sid, r.g1)),
    # a theme's process: the stages a date covers, a persona continued on a later date
    C("theme_process.set_session_stages", ("session", "update"),
      prepare=lambda r: theme_process.set_session_stages(SYSTEM, r.sid, None),
      call=lambda a, r, x: theme_process.set_session_stages(a, r.sid, ["recommendations"])),
    C("theme_process.pick_up_persona", (("persona", "read"), ("persona", "pick_up")), own_group=True,
      prepare=lambda r: r.earlier_persona(),
      call=lambda a, r, x: theme_process.pick_up_persona(a, x, r.sid, subgroup_id=r.g1)),
    # dot voting
    C("voting.open_vote", RUN, prepare=lambda r: r.session(vote_status="none"),
      call=lambda a, r, x: voting.open_vote(a, r.sid, 3)),
    C("voting.close_vote", RUN, prepare=lambda r: r.vote_open(), call=lambda a, r, x: voting.close_vote(a, r.sid)),
    C("voting.reveal_results", RUN, prepare=lambda r: r.session(votes_revealed=False),
      call=lambda a, r, x: voting.reveal_results(a, r.sid, True)),
    C("voting.show_results", RUN, prepare=lambda r: r.session(votes_revealed=False),
      call=lambda a, r, x: voting.show_results(a, r.sid)),
    C("voting.clear_votes", RUN, prepare=lambda r: r.session(vote_status="closed"),
      call=lambda a, r, x: voting.clear_votes(a, r.sid)),
    C("voting.cast_dot", ("recommendation", "vote"), own_group=True,
      prepare=lambda r: [r.rec(), r.vote_open()][0],
      call=lambda a, r, x: voting.cast_dot(a, r.sid, x, subgroup_id=r.g1)),
    C("voting.remove_dot", ("recommendation", "vote"), own_group=True, prepare=_dots,
      call=lambda a, r, x: voting.remove_dot(a, r.sid, x[0], subgroup_id=r.g1)),
    C("voting.move_dot", ("recommendation", "vote"), own_group=True, prepare=_dots,
      call=lambda a, r, x: voting.move_dot(a, r.sid, x[0], x[1], subgroup_id=r.g1)),
]


def _imported(report: inventory.ImportReport) -> inventory.ImportReport:
    assert report.written and not report.problems, report.problems
    return report


# Public functions of core that write but take no role: authorised by a secret (join code,
# browser token, personal registration link), part of the login flow, or the command line.
PUBLIC_WRITES = {
    "join.check_code", "join.join", "join.resolve", "join.leave",                      # join code, browser token
    "registration.register", "registration.change_sessions", "registration.cancel",   # public form, personal link
    "registration.add_sessions", "privacy.erase_by_token",
    "closing.set_opt_out",                                                            # personal link
    "accounts.record_login", "accounts.start_login_attempt", "accounts.ensure_demo_accounts",   # login flow, demo
    "privacy.purge_expired", "seed.seed_demo", "backup.restore_data", "backup.restore_file",   # command line
    "accounts.unlock_login",
    "invitations.deliver_pending", "invitations.deliver_quietly",                     # the outbox (cron, after a write)
}
# The write path itself: runs whatever it is given (every caller is a listed service).
INFRASTRUCTURE = {"entities.run_write"}
# Public functions taking an ``actor`` that are neither services nor permission-checked reads.
ACTOR_HELPERS = {
    "entities.check_can_write",        # the check itself (delegates to core.permissions)
    "session_flow.check_stage",        # a participant's page lagging behind the stage (after the table)
    "inventory.can_edit_inventory",    # the table's ("inventory", "edit") for the inventory page
    "events.sessions_for",             # the sessions listed in the console: the actor's events (admins: all)
    "projector.console_session",       # the session the actor's own console has open (their preference)
}
WALKED = {case.service for case in CASES}


def _expected(case: Case, role: str) -> bool:
    """What the table says for ``role`` on this case's target (in the case's state)."""
    if case.own_group and role == PARTICIPANT_OTHER:
        role = PARTICIPANT   # they act for their own sub-group, never for the target's
    if case.unscoped:
        role = {FACILITATOR_OTHER: FACILITATOR, ORGANISER_OTHER: ORGANISER}.get(role, role)
    for action in case.actions:
        grant = permissions.ACTIONS[action]
        condition = grant.get(role)
        names = condition if isinstance(condition, tuple) else (condition,)
        if role not in grant or (condition is not None and not any(case.state[c] for c in names)):
            return False
    return True


# --- what a call changed --------------------------------------------------------------------------

def _fingerprint_sql() -> str:
    parts = []
    for table in m.Base.metadata.sorted_tables:
        parts.append(f'(SELECT count(*) FROM "{table.name}")')
        if "version" in table.c:
            parts.append(f'(SELECT coalesce(sum(version), 0) FROM "{table.name}")')
    parts.append('(SELECT coalesce(max(id), 0) FROM "activity")')
    return "SELECT " + ", ".join(parts)


FINGERPRINT = _fingerprint_sql()


def fingerprint() -> tuple:
    """Row counts of every table, the sum of row versions, the newest activity id."""
    with db.read_session() as s:
        return tuple(s.execute(text(FINGERPRINT)).one())


def _run(case: Case, room: Room, role: str) -> str | None:
    """Call the case's service as ``role``; a description of what went against the table, or None."""
    actor = room.actor(role)
    ctx = case.prepare(room)
    before = fingerprint()
    expect = _expected(case, role)
    try:
        result = case.call(actor, room, ctx)
    except PermissionDenied:
        if expect:
            return "refused, but the table allows it"
        if fingerprint() != before:
            return "refused, but something was written"
        return None
    except AtelierError as exc:
        return f"{'allowed' if expect else 'refused'} by the table, but {type(exc).__name__} {exc.key} {exc.params}"
    after = fingerprint()
    if case.kind == "predicate":
        if bool(result) != expect:
            return f"answered {result!r}, the table says {expect}"
        return None if after == before else "a predicate wrote something"
    if not expect:
        return f"allowed (returned {str(result)[:60]}), but the table refuses it"
    if case.kind == "read":
        return None if after == before else "a read wrote something"
    if after[-1] <= before[-1]:
        return "allowed, but no activity row was written"
    if case.own_group and actor.kind == "participant" and isinstance(result, dict) and "subgroup_id" in result \
            and result["subgroup_id"] != actor.subgroup_id:
        return f"wrote into sub-group {result['subgroup_id']}, not the participant's own {actor.subgroup_id}"
    return None


def _walk(cases: list[Case]) -> tuple[int, list[str]]:
    world = World()
    checks, problems = 0, []
    for case in cases:
        expected = {_expected(case, role) for role in ROLES}
        assert expected == {True, False}, f"{case.service}: every role gets the same answer, nothing is compared"
        room = Room(world)
        try:
            for role in ROLES:
                problem = _run(case, room, role)
                checks += 1
                if problem:
                    problems.append(f"{case.service} as {role}: {problem}")
        finally:
            case.cleanup(room)
    return checks, problems


MODULES = sorted({case.service.split(".")[0] for case in CASES})


@pytest.fixture
def cheap_passwords(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(accounts, "hash_password", _cheap_hash)


@pytest.mark.parametrize("module", MODULES)
def test_every_service_of_a_module_with_every_role_matches_the_table(module: str, seeded, cheap_passwords):
    cases = [c for c in CASES if c.service.split(".")[0] == module]
    checks, problems = _walk(cases)
    assert checks == len(cases) * len(ROLES)
    assert not problems, "\n".join(problems)


# --- the list of services is complete -------------------------------------------------------------

WRITE_PRIMITIVES = {("core.entities", n) for n in ("run_write", "create_in", "update_in", "delete_in", "restore_in",
                                                   "record")} | {("storage.db", "write_session")}


def _core_functions() -> dict[str, tuple[ast.FunctionDef, set[tuple[str, str]], list[str]]]:
    """Every top-level function of core: its node, what it calls (module, name), its parameters."""
    out = {}
    for path in sorted((ROOT / "core").rglob("*.py")):
        module = ".".join(path.relative_to(ROOT).with_suffix("").parts)
        tree = ast.parse(path.read_text(encoding="utf-8"))
        names: dict[str, tuple[str, str | None]] = {}    # local name -> (module, attribute or None)
        for node in tree.body:
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                for alias in node.names:
                    target = f"{node.module}.{alias.name}"
                    is_module = (ROOT / (target.replace(".", "/") + ".py")).exists()
                    names[alias.asname or alias.name] = (target, None) if is_module else (node.module, alias.name)
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    names[alias.asname or alias.name] = (alias.name, None)
        local = {n.name for n in tree.body if isinstance(n, ast.FunctionDef)}
        for node in tree.body:
            if not isinstance(node, ast.FunctionDef):
                continue
            calls: set[tuple[str, str]] = set()
            for sub in ast.walk(node):
                if isinstance(sub, ast.Call) and isinstance(sub.func, ast.Attribute) and sub.func.attr == "begin":
                    calls.add(("storage.db", "write_session"))   # a transaction of its own (engine.begin())
                ref = sub.func if isinstance(sub, ast.Call) else sub
                if isinstance(ref, ast.Name):
                    if ref.id in local:
                        calls.add((module, ref.id))
                    elif ref.id in names and names[ref.id][1] is not None:
                        calls.add(names[ref.id])  # type: ignore[arg-type]
                elif isinstance(ref, ast.Attribute) and isinstance(ref.value, ast.Name) and ref.value.id in names \
                        and names[ref.value.id][1] is None:
                    calls.add((names[ref.value.id][0], ref.attr))
            params = [a.arg for a in node.args.args + node.args.kwonlyargs]
            out[f"{module}.{node.name}"] = (node, calls, params)
    return out


def _writing_functions(functions: dict) -> set[str]:
    writing = {f"{mod}.{name}" for mod, name in WRITE_PRIMITIVES}
    while True:
        more = {qual for qual, (_n, calls, _p) in functions.items()
                if qual not in writing and any(f"{mod}.{name}" in writing for mod, name in calls)}
        if not more:
            return writing
        writing |= more


def test_every_public_write_function_of_core_is_walked_or_listed():
    """A new public function that writes (directly or through another service) or takes an actor
    must be added to CASES (walked with every role) or to one of the documented lists."""
    functions = _core_functions()
    writing = _writing_functions(functions)

    def public(qual: str) -> bool:
        name = qual.rsplit(".", 1)[1]
        params = functions[qual][2]
        return not name.startswith("_") and not (params and params[0] == "s")   # *_in(s, ...): inside a service

    short = {q: ".".join(q.split(".")[-2:]) for q in functions}   # module.function
    public_writers = {short[q] for q in functions if q in writing and public(q)}
    takes_actor = {short[q] for q in functions if public(q) and "actor" in functions[q][2]
                   and not q.startswith("core.permissions.")}   # the table's own functions
    listed = WALKED | PUBLIC_WRITES | INFRASTRUCTURE
    assert public_writers - listed == set(), "write services neither walked nor listed"
    assert takes_actor - WALKED - ACTOR_HELPERS == set(), "services taking an actor neither walked nor listed"
    stale = (PUBLIC_WRITES | INFRASTRUCTURE | ACTOR_HELPERS | WALKED) - set(short.values())
    assert stale == set(), "listed functions that no longer exist"
    assert PUBLIC_WRITES <= public_writers, "listed as writing but they do not write"
    assert {c.service for c in CASES if c.kind == "write"} <= public_writers


def test_every_action_of_the_table_is_exercised_by_a_service():
    """No dead rows in the table (a row nobody consults would give a false sense of control)."""
    used = {action for case in CASES for action in case.actions}
    crud_only = {a for a in permissions.ACTIONS if a[1] in ("create", "update", "delete", "restore")}
    assert set(permissions.ACTIONS) - used - crud_only == set()
    # every entity of the generic write path has its four rows
    for entity in entities.SPECS:
        for action in ("create", "update", "delete", "restore"):
            assert (entity, action) in permissions.ACTIONS, (entity, action)


# --- relations and the table against intent --------------------------------------------------------

def test_relation_of_each_kind_of_actor_to_a_target():
    a, b = 10, 20
    target = Scope(event_id=a, session_id=1, subgroup_id=5)
    staff = lambda role, *events: Actor(kind="staff", id=1, role=role, event_ids=frozenset(events))  # noqa: E731
    member = lambda session, group: Actor(kind="participant", id=2, session_id=session, subgroup_id=group)  # noqa: E731
    expected = {
        permissions.ANONYMOUS: [None, ANONYMOUS, Actor(kind="staff", role="unknown")],
        PARTICIPANT_OTHER: [member(1, 6), member(2, 5), member(1, None)],
        PARTICIPANT: [member(1, 5)],
        FACILITATOR_OTHER: [staff("facilitator", b), staff("facilitator")],
        FACILITATOR: [staff("facilitator", a, b)],
        ORGANISER_OTHER: [staff("organiser", b)],
        ORGANISER: [staff("organiser", a)],
        ADMIN: [staff("admin")],
    }
    assert set(expected) == set(ROLES)
    for role, actors in expected.items():
        for actor in actors:
            assert permissions.relation(actor, target) == role, (actor, role)
    # a row of the facilitation (no sub-group) is nobody's own; a resource is its sub-group's
    assert permissions.relation(member(1, 5), Scope(event_id=a, session_id=1)) == PARTICIPANT_OTHER
    assert permissions.relation(member(1, 5), Scope(subgroup_id=5)) == PARTICIPANT
    # no event (inventory, accounts, a new event): staff are plainly what their account says
    assert permissions.relation(staff("facilitator", b), Scope()) == FACILITATOR
    assert permissions.relation(staff("organiser"), Scope()) == ORGANISER


MUST_REFUSE = [   # (action, role): what the product means, independently of how the table is written
    (("canvas_item", "create"), PARTICIPANT_OTHER),      # sub-group B adds a barrier to A's persona
    (("session", "run"), FACILITATOR_OTHER),             # another event's facilitator advances a stage
    (("session", "run"), PARTICIPANT),                   # participants never drive the session
    (("event", "update"), ORGANISER_OTHER),              # organiser of event B edits event A
    (("event", "update"), FACILITATOR),                  # facilitators do not change the event
    (("event", "create"), FACILITATOR),
    (("session", "create"), FACILITATOR), (("session", "update"), FACILITATOR), (("session", "delete"), FACILITATOR),
    (("session", "facilitators"), FACILITATOR), (("event", "staff"), FACILITATOR),
    (("registration", "manage"), FACILITATOR),           # contact details and lists: organisers
    (("registration", "attendance"), PARTICIPANT),
    (("resource", "update"), FACILITATOR),               # facilitators add to the inventory, do not edit it
    (("resource", "update"), PARTICIPANT_OTHER),         # nor another sub-group's resource
    (("inventory", "edit"), PARTICIPANT), (("inventory", "edit"), FACILITATOR),
    (("recommendation", "retain"), PARTICIPANT), (("recommendation", "merge"), PARTICIPANT),
    (("recommendation", "vote"), PARTICIPANT_OTHER),     # a dot for a sub-group that is not yours
    (("mood_check", "set"), FACILITATOR), (("mood_check", "set"), ADMIN),   # one's own weather only
    (("persona", "read"), ORGANISER_OTHER), (("persona", "read"), FACILITATOR_OTHER),
    (("recommendation", "read"), FACILITATOR_OTHER),
    # a theme's process: a later date writes an earlier date's persona only under PICKED_UP (its own rows)
    (("canvas_item", "update"), PARTICIPANT_OTHER), (("persona", "update"), PARTICIPANT_OTHER),
    (("persona", "pick_up"), FACILITATOR_OTHER), (("persona", "read"), PARTICIPANT_OTHER),
    # after the event: the follow-up is the event's organisers'
    (("follow_up", "update"), FACILITATOR), (("follow_up", "update"), ORGANISER_OTHER),
    (("follow_up", "answer"), FACILITATOR), (("follow_up", "publish"), FACILITATOR),
    (("follow_up", "read"), ORGANISER_OTHER), (("follow_up", "publish"), PARTICIPANT),
] + [(("user", action), role) for action in ("create", "update") for role in ROLES if role != ADMIN] \
  + [(action, permissions.ANONYMOUS) for action in permissions.ACTIONS]
MUST_ALLOW = [
    (("canvas_item", "create"), PARTICIPANT), (("contribution", "create"), PARTICIPANT),
    (("recommendation", "vote"), PARTICIPANT), (("mood_check", "set"), PARTICIPANT),
    (("resource", "create"), PARTICIPANT), (("resource", "update"), PARTICIPANT),   # what their sub-group added
    (("resource", "create"), FACILITATOR), (("session", "run"), FACILITATOR), (("subgroup", "create"), FACILITATOR),
    (("registration", "attendance"), FACILITATOR), (("registration", "manage"), ORGANISER),
    (("event", "create"), ORGANISER), (("inventory", "edit"), ORGANISER), (("user", "create"), ADMIN),
] + [(action, ADMIN) for action in permissions.ACTIONS if action != ("mood_check", "set")]


def _always(action: permissions.Action, role: str) -> bool:
    grant = permissions.ACTIONS[action]
    return role in grant and grant[role] is None


@pytest.mark.parametrize(("action", "role"), MUST_REFUSE, ids=lambda x: "-".join(x) if isinstance(x, tuple) else x)
def test_table_refuses_what_must_be_refused(action, role):
    assert not _always(action, role)


@pytest.mark.parametrize(("action", "role"), MUST_ALLOW, ids=lambda x: "-".join(x) if isinstance(x, tuple) else x)
def test_table_allows_what_must_be_allowed(action, role):
    assert _always(action, role)


def _refused(fn: Callable[[], Any], key: str | None = "error.permission_denied",
             error: type[AtelierError] = PermissionDenied) -> AtelierError:
    """``fn`` is refused with ``error`` (and ``key``) and writes nothing."""
    before = fingerprint()
    with pytest.raises(error) as caught:
        fn()
    if key is not None:
        assert caught.value.key == key
    assert fingerprint() == before
    return caught.value


def test_must_refuse_cases_on_a_real_room(seeded, cheap_passwords):
    world = World()
    room = Room(world)
    anim, anim_b = world.staff[FACILITATOR], world.staff[FACILITATOR_OTHER]
    orga_b, admin = world.staff[ORGANISER_OTHER], world.staff[ADMIN]
    persona_a = room.persona()
    # sub-group 2 adds a barrier to sub-group 1's persona; sub-group 1 may
    _refused(lambda: canvas.add_barrier(room.p2, persona_a, "Intrus"))
    canvas.add_barrier(room.p1, persona_a, "Le sien")
    # a facilitator of another event advances the stage; the event's own facilitator may
    _refused(lambda: session_flow.next_stage(anim_b, room.sid))
    assert session_flow.next_stage(anim, room.sid)["stage"] == "recommendations"
    # the organiser of event B edits event A, copies a persona of A into B (hole fixed), sees A's people
    _refused(lambda: events.update_event(orga_b, world.a.id, None, place="Ailleurs"))
    b_session = world.b.themes[0].sessions[0].id
    _refused(lambda: templates.copy_persona(orga_b, persona_a, b_session, None))
    templates.copy_persona(world.staff[ORGANISER], persona_a, room.sid, None)   # A's organiser may, within A
    _refused(lambda: registration.event_people(orga_b, world.a.id))
    # facilitators no longer reschedule or delete a session through the core (hole fixed)
    _refused(lambda: events.update_session(anim, room.sid, None, title="Renommée"))
    _refused(lambda: events.delete_session(anim, room.sid))
    _refused(lambda: entities.create(anim, "session", theme_id=world.theme_a, title="En douce"))
    # nobody but an admin creates, changes or attaches accounts (hole fixed: the core never checked)
    for role in ROLES:
        if role != ADMIN:
            _refused(lambda role=role: accounts.create_user(f"x{world.seq()}", "admin", "X", "", PASSWORD,
                                                            actor=room.actor(role)))
            _refused(lambda role=role: accounts.set_password("cible", PASSWORD + "2", actor=room.actor(role)))
    accounts.create_user("nouvelle", "organiser", "Nouvelle", "", PASSWORD, actor=admin)
    # a participant marks someone present (hole fixed: the core never checked)
    pid, _reg = room.person()
    _refused(lambda: registration.mark_present(room.sid, pid, actor=room.p1))
    assert registration.mark_present(room.sid, pid) is True   # the join flow (SYSTEM)
    # a participant sets what only staff decide
    _refused(lambda: canvas.create_persona(room.p1, room.sid, "Ouverte", subgroup_id=room.g1, open_to_all=True))
    _refused(lambda: canvas.update_persona(room.p1, persona_a, None, open_to_all=False))
    rec = room.rec()
    _refused(lambda: entities.update(room.p1, "recommendation", rec, None, retained=True))
    _refused(lambda: recommendations.set_retained(room.p1, rec, True))
    # the generic path honours the sub-group given: participant 1 cannot write into sub-group 2
    room.stage("diagnostic")
    _refused(lambda: entities.create(room.p1, "contribution", session_id=room.sid, subgroup_id=room.g2,
                                     kind="finding", category="people", text="Chez les autres"))
    # the named service puts a participant's contribution into their own sub-group, whatever is passed
    mine = board.add_contribution(room.p1, room.sid, "finding", "people", "Chez moi", subgroup_id=room.g2)
    assert mine["subgroup_id"] == room.g1


def test_voting_twice_or_in_another_session_is_refused(seeded, cheap_passwords):
    world = World()
    room, other = Room(world), Room(world)
    rec, other_rec = room.rec(), other.rec()
    session_flow.set_stage(SYSTEM, room.sid, "recommendations")
    voting.open_vote(SYSTEM, room.sid, dots=3, multi=False)
    voting.open_vote(SYSTEM, other.sid, dots=3, multi=False)
    voting.cast_dot(room.p1, room.sid, rec)
    _refused(lambda: voting.cast_dot(room.p1, room.sid, rec), "error.one_dot_per_item", Conflict)
    _refused(lambda: voting.cast_dot(room.p1, other.sid, other_rec), None, NotFound)   # not a sub-group of it
    _refused(lambda: voting.cast_dot(room.p1, room.sid, other_rec), None, NotFound)    # not a recommendation of it
    assert voting.vote_snapshot(room.sid).used(room.g1) == 1 and voting.vote_snapshot(other.sid).used(room.g1) == 0
    # the dots limit holds
    voting.open_vote(SYSTEM, room.sid, dots=1, multi=True)
    _refused(lambda: voting.cast_dot(room.p1, room.sid, rec), "error.no_dots_left", Conflict)


def test_special_rules_closed_paused_open_to_all_own_resources(seeded, cheap_passwords):
    world = World()
    room = Room(world)
    anim, admin = world.staff[FACILITATOR], world.staff[ADMIN]
    persona = room.persona()
    # a persona opened to all: every sub-group of its session writes in it; other sessions do not
    other = Room(world)
    _refused(lambda: canvas.add_barrier(room.p2, persona, "Avant"))
    _refused(lambda: canvas.update_persona(room.p1, persona, None, open_to_all=True))
    canvas.update_persona(anim, persona, None, open_to_all=True)
    canvas.add_barrier(room.p2, persona, "Ouverte à tous")
    _refused(lambda: canvas.add_barrier(other.p1, persona, "D'une autre séance"))
    # a resource added by sub-group 1: sub-group 1 edits it, sub-group 2 and facilitators do not
    resource = suggestions.create_resource_inline(room.p1, room.g1, "Service du quartier")["id"]
    _refused(lambda: suggestions.create_resource_inline(room.p2, room.g1, "Au nom des autres"))
    inventory.update_resource(room.p1, resource, None, description="Notre ajout")
    _refused(lambda: inventory.update_resource(room.p2, resource, None, description="Pas le nôtre"))
    _refused(lambda: inventory.update_resource(anim, resource, None, description="Pas l'animateur"))
    inventory.update_resource(world.staff[ORGANISER], resource, None, description="L'organisatrice")
    # contributions paused: participants' writes wait (with their own message); staff, votes, moods go on
    rec = room.rec()
    room.stage("diagnostic")
    voting.open_vote(SYSTEM, room.sid, dots=3)
    mood.open_mood_check(SYSTEM, room.sid, "before")
    session_flow.set_contributions_open(anim, room.sid, False)
    _refused(lambda: board.add_contribution(room.p1, room.sid, "finding", "people", "En pause"),
             "error.contributions_paused")
    _refused(lambda: canvas.add_barrier(room.p1, persona, "En pause"), "error.contributions_paused")
    board.add_contribution(anim, room.sid, "finding", "people", "L'animateur note", subgroup_id=room.g1)
    voting.cast_dot(room.p1, room.sid, rec)
    mood.set_mood(room.p1, "before", "cloudy")
    # closed session: nothing inside changes, not even for an admin; planning and reopening go on
    session_flow.close_session(anim, room.sid)
    for fn in (lambda: canvas.add_barrier(admin, persona, "Trop tard"),
               lambda: board.add_contribution(admin, room.sid, "finding", "people", "Trop tard", subgroup_id=room.g1),
               lambda: events.add_subgroup(admin, room.sid, "Table 3"),
               lambda: entities.update(anim, "persona", persona, None, name="Trop tard"),
               lambda: voting.cast_dot(room.p1, room.sid, rec),
               lambda: mood.set_mood(room.p1, "before", "sunny")):
        _refused(fn, "error.session_frozen")
    events.update_session(admin, room.sid, None, title="Reprogrammée")
    session_flow.reopen_session(anim, room.sid)
    canvas.add_barrier(room.p1, persona, "Après la réouverture")
    # reads: participants of the session (any sub-group) read a trail, and so do those of a later
    # date of the theme (``other`` starts after ``room``: the theme's process); an earlier date's
    # and another theme's do not
    assert recommendations.trail_for(room.p2, rec).recommendation.id == rec
    assert recommendations.trail_for(other.p1, rec).recommendation.id == rec
    other_rec = other.rec()
    _refused(lambda: recommendations.trail_for(room.p1, other_rec))
    elsewhere = events.add_session(SYSTEM, world.a.themes[1].id, title="Autre thème")["id"]
    reader = join.join(elsewhere, events.add_subgroup(SYSTEM, elsewhere, "Table")["id"], "Cy")[1].actor()
    _refused(lambda: recommendations.trail_for(reader, rec))


def test_theme_process_a_later_date_continues_a_persona_but_never_edits_the_earlier_date(seeded, cheap_passwords):
    """A sub-group of a later date picks up an earlier date's persona: it adds items and leads (dated
    by its session), edits and deletes those, never the earlier date's rows nor the identity card;
    the other sub-groups of the later date only read; another theme's session cannot pick it up."""
    world = World()
    first, later = Room(world), Room(world)        # ``later`` starts after ``first``: a later date
    persona = first.persona()
    old_item = canvas.add_need(first.p1, persona, "Besoin du premier jour")["id"]
    old_lead = canvas.add_solution_lead(first.p1, old_item, "Piste du premier jour")["id"]
    _refused(lambda: canvas.add_barrier(later.p1, persona, "Avant de le reprendre"))
    _refused(lambda: theme_process.pick_up_persona(first.p2, persona, first.sid), "error.not_earlier_date",
             AtelierError)
    theme_process.pick_up_persona(later.p1, persona, later.sid)
    new_item = canvas.add_need(later.p1, persona, "Besoin du deuxième jour")
    assert new_item["session_id"] == later.sid
    canvas.edit_canvas_item(later.p1, new_item["id"], None, text="Besoin du deuxième jour, précisé")
    lead = canvas.add_solution_lead(later.p1, old_item, "Piste du deuxième jour")
    assert lead["session_id"] == later.sid
    canvas.link_resource(later.p1, lead["id"], world.resource_id)
    for fn in (lambda: canvas.edit_canvas_item(later.p1, old_item, None, text="Réécrit"),
               lambda: canvas.delete_canvas_item(later.p1, old_item),
               lambda: entities.update(later.p1, "solution_lead", old_lead, None, text="Réécrite"),
               lambda: canvas.link_resource(later.p1, old_lead, world.resource_id),
               lambda: canvas.update_persona(later.p1, persona, None, name="Renommée"),
               lambda: canvas.add_barrier(later.p2, persona, "Pas notre sous-groupe")):
        _refused(fn)
    canvas.delete_canvas_item(later.p1, new_item["id"])
    # the earlier date closed: the later date goes on (its own session's state applies)
    session_flow.close_session(SYSTEM, first.sid)
    canvas.add_barrier(later.p1, persona, "Après la clôture du premier jour")
    _refused(lambda: canvas.add_barrier(first.p1, persona, "Trop tard"), "error.session_frozen")
    elsewhere = events.add_session(SYSTEM, world.a.themes[1].id, title="Autre thème")["id"]
    group = events.add_subgroup(SYSTEM, elsewhere, "Table")["id"]
    reader = join.join(elsewhere, group, "Cy")[1].actor()
    _refused(lambda: theme_process.pick_up_persona(reader, persona, elsewhere))


# --- (b) pages, through app.py --------------------------------------------------------------------

PAGE_SCRIPTS: dict[str, tuple[str, tuple[str, ...]]] = {   # url path -> script, texts showing it is on screen
    "home": ("home.py", ("app.title",)), "join": ("join.py", ("join.title",)),
    "register": ("register.py", ("reg.page.title_generic",)),
    "my-registration": ("my_registration.py", ("reg.my.title",)),
    "login": ("login.py", ("auth.login_title",)), "group": ("group.py", ()),
    "canvas": ("canvas.py", ("canvas.choose",)),
    "recommendation": ("recommendation.py", ("flow.trail.title",)), "inventory": ("inventory.py", ("inventory.title",)),
    "leave": ("logout.py", ()), "sessions": ("sessions.py", ("sessions.title",)),
    "console": ("console.py", ("flow.console.title",)),
    "projector": ("projector.py", ("projector.choose_session", "projector.pick_running", "stage.diagnostic",
                                   "stage.recommendations", "stage.implementation", "projector.closed")),
    "events": ("event_setup.py", ("flow.setup.title",)), "dashboard": ("dashboard.py", ("dashboard.title",)),
    "follow-up": ("follow_up.py", ("followup.title",)),
    "public-follow-up": ("public_follow_up.py", ("followup.public.title_generic",)),
    "registrations": ("registrations_admin.py", ("reg.admin.title",)), "users": ("users.py", ("users.title",)),
    "logout": ("logout.py", ()),
}


@pytest.fixture(scope="module")
def pages_world(tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path):
    """One seeded SQLite file for every page run: the staff of (a), a persona in each event, and a
    recommendation in the session the participants join."""
    import shutil

    path = tmp_path_factory.mktemp("pages") / "atelier.db"
    shutil.copy(sqlite_template, path)
    url = f"sqlite:///{path}"
    db.configure(url)
    try:
        from core.setup.seed import seed_demo

        seed_demo()
        with pytest.MonkeyPatch.context() as mp:
            mp.setattr(accounts, "hash_password", _cheap_hash)
            world = World()
        room = Room(world)
        room.persona(room.g1)
        room.persona(room.g2)
        room.rec()
        b_session = world.b.themes[0].sessions[0].id
        canvas.create_persona(SYSTEM, b_session, "Persona de B")
        yield url, world, room
    finally:
        db.configure(None)
        db.get_engine(url).dispose()


def _markers(at) -> set[str]:
    found = {str(x.value) for kind in ("title", "info") for x in getattr(at, kind)}
    found |= {str(x.label) for x in at.selectbox} | {str(x.label) for x in at.radio}
    found |= {line.lstrip("# ").strip() for x in at.markdown for line in str(x.value).splitlines()}
    return found


def _tr(key: str) -> str:
    from core.i18n import translate

    return translate("fr", key)


def _app_as(role: str, world: World, room: Room):
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    if role in (PARTICIPANT, PARTICIPANT_OTHER):   # a browser token of its own (leaving revokes it)
        token, _membership = join.join(room.sid, room.g1 if role == PARTICIPANT else room.g2, role)
        at.session_state["participant_token"] = token
    elif role != permissions.ANONYMOUS:
        username = World.STAFF[role][0]
        at.session_state["authentication_status"] = True
        at.session_state["username"] = username
        at.session_state["login_issued_at"] = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    at.run()
    assert not at.exception, at.exception
    return at


def _open_by_url(at, url: str):
    """A url typed by hand (or a stale link): the page is asked for by its url path, whether or not
    the navigation lists it. (AppTest internals of the pinned Streamlit 1.67: the hash of a
    ``st.Page`` is the hash of its url path.)"""
    from streamlit.util import calc_hash

    at._page_hash = calc_hash(url)
    at.run()
    return at


def _ran(at, url: str) -> bool:
    from streamlit.util import calc_hash

    return at._finished_page_script_hash == calc_hash(url)


@pytest.mark.parametrize("role", ROLES)
def test_every_page_with_every_role_matches_the_table(role: str, pages_world):
    url, world, room = pages_world
    db.configure(url)
    try:
        at = _app_as(role, world, room)
        actor = at.session_state["actor"] if "actor" in at.session_state else None
        page_role = permissions.page_role(actor)
        assert page_role == {PARTICIPANT_OTHER: PARTICIPANT, FACILITATOR_OTHER: FACILITATOR,
                             ORGANISER_OTHER: ORGANISER}.get(role, role)
        allowed = permissions.pages_for(actor)
        home = permissions.home_page(actor)
        # the navigation lists exactly the pages of the table (AppTest keeps st.navigation's registry)
        # (pages this identity may not open are hidden stand-ins without a script: back home with a word)
        listed = {info.get("url_pathname") or home for info in at._registered_pages.values()   # default: "/"
                  if info.get("script_path")}
        assert listed == set(allowed)
        assert set(PAGE_SCRIPTS) == set(permissions.PAGES)
        home_shown = _markers(_open_by_url(at, home))
        for page in [p for p in permissions.PAGES if p not in ("leave", "logout")]:
            script, markers = PAGE_SCRIPTS[page]
            texts = {_tr(key) for key in markers} or {"Table 1" if role == PARTICIPANT else "Table 2"}
            _open_by_url(at, page)
            assert not at.exception, (page, at.exception)
            shown = _markers(at)
            if page in allowed:
                assert _ran(at, page), page
                assert _tr("auth.not_allowed") not in {w.value for w in at.warning}, page
                assert texts & shown, (page, shown)   # the page's own title (the sub-group page: its name)
                at.switch_page(f"app_pages/{script}")   # and the navigation leads to it
            else:
                assert _ran(at, home), (page, "did not land on the home page")
                assert not (texts - home_shown) & shown, (page, shown)
                if script not in {PAGE_SCRIPTS[p][0] for p in allowed}:
                    with pytest.raises(ValueError):
                        at.switch_page(f"app_pages/{script}")
        # leaving / logging out: only where the table lists it; afterwards the browser is anonymous
        for page in ("leave", "logout"):
            if page not in allowed:
                _open_by_url(at, page)
                assert _ran(at, home)
                assert ("actor" in at.session_state) == (role != permissions.ANONYMOUS)   # still who they were
        exit_page = next((p for p in ("leave", "logout") if p in allowed), None)
        if exit_page:
            _open_by_url(at, exit_page)
            at.run()
            assert not at.exception, at.exception
            assert "actor" not in at.session_state or at.session_state["actor"] is None
            assert _ran(at, "home") and _tr("app.title") in _markers(at)
    finally:
        db.configure(None)
