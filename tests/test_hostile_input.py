"""Hostile and odd text, everywhere users type (issue 9, item 1): every core service a user's typing
reaches either refuses the input with a keyed error whose message renders in French, English and
Dutch, and writes NOTHING (row counts of every table, version sums and the activity log unchanged),
or stores it and reads it back EXACTLY as typed after the documented normalisation
(``core/validation.py``: NFC, line breaks to LF, controls refused, surrounding whitespace stripped,
one-line fields joined, invisible-only text is empty, limits). Never another exception
(IntegrityError, DataError, ValueError, UnicodeEncodeError...). Runs on SQLite and PostgreSQL.

Inventory of the services a user's typing reaches, and where each is exercised
(I = this file, text; D = test_hostile_values.py, ids, numbers, dates and choices;
R = test_hostile_render.py, rendering and exports):

- entities (create_in/update_in via SPECS): every text field of every entity — event, theme,
  session, subgroup, persona (incl. facts), canvas_item, solution_lead, resource, contribution,
  recommendation, implementation_plan, plan_action (I); every ref field with malformed ids (D)
- canvas: create_persona, update_persona, add_barrier/add_need/add_canvas_item, edit_canvas_item,
  add_solution_lead (I); get_canvas, delete/restore, link/unlink_resource with odd ids (D)
- templates: create_persona_from_template (name, template key), get_template, copy_persona (I, D)
- resources: inventory.add_resource (every field and ``extra``), update_resource, search_resources,
  suggestions.create_resource_inline and suggest_resources (I); merge, get_resource with odd ids
  (D); CSV import of hostile cells and export round trip (R)
- board: add_contribution (text, category), edit_contribution (I); odd ids (D)
- session_flow: set_prompt, rename_subgroup (I); set_stage, set_timer, set_projector_view,
  odd session ids (D)
- recommendations: create_recommendation (title, text, public), edit_recommendation (I); sources
  and ids (D); voting: open_vote dots, cast/remove/move with odd ids (D)
- plans: update_plan (four DPA-PC answers), add_action (action, carrier, means, indicator,
  risks), update_action (I); due dates and ids (D)
- mood: set_mood moment and weather (D)
- events: create_event (title, slug, languages, category template), update_event (description,
  organisers, place), add_theme, update_theme, add_session (title), add_subgroup (I); dates, end
  before start, caps, positions, copy_event shift (D)
- registration: register (first/last name, email, organisation, sector, slug), public_event and
  participant_view with odd slugs/tokens (I); session ids, caps and retention (D); invitations and
  the .ics file with hostile titles (R)
- join: check_code (odd codes, forged browser keys), join (display name), resolve (odd tokens),
  projector.session_for_screen (I); odd session/sub-group ids (D)
- accounts (called, not changed here): create_user (username, name, email, password),
  get_user / authenticate with odd usernames (I)
- exports and booklet given stored hostile text: CSV formula neutralisation, XLSX, DOCX and PDF
  read back with openpyxl / python-docx / pypdf; ui.text.md() escaping; ui.errors.message (R)
"""
from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

import email_validator
import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select

from core import entities as e
from core import limits as L
from core.access import accounts, join
from core.access.codes import normalise_code
from core.actor import SYSTEM
from core.errors import AtelierError
from core.i18n import LANGUAGES
from core.personas import canvas, suggestions, templates
from core.resources import inventory
from core.resources.categories import normalise
from core.session import board, plans, projector, recommendations
from core.session import session_flow as flow
from core.setup import events
from core.signup import registration
from storage import db
from storage import models as m
from tests.hostile import (
    NAMED,
    TALLY,
    build_world,
    check,
    expected_lines,
    expected_text,
    hostile_text,
    hypothesis_settings,
    report_tally,
)


@pytest.fixture(scope="module", autouse=True)
def _tally(request):
    yield
    report_tally(request)


@pytest.fixture
def world(database):
    return build_world()


# --- one text input of one service ----------------------------------------------------------------

@dataclasses.dataclass(frozen=True)
class Case:
    name: str
    expect: Callable[[Any, Any], tuple[str, Any]]      # (world, payload) -> ("ok", value) | ("err", key)
    call: Callable[[Any, Any], Any]                     # (world, payload) -> result
    read: Callable[[Any, Any], Any] | None = None       # (world, result) -> what is stored
    exclude: tuple[str, ...] = ()                       # tables a refusal may still write (rate limits)

    def run(self, w: Any, payload: Any) -> Any:
        return check(self.name, payload, self.expect(w, payload), lambda: self.call(w, payload),
                     (lambda result: self.read(w, result)) if self.read else None, self.exclude)


def rule(max_len: int, required: bool = True, multiline: bool = True) -> Callable[[Any, Any], tuple[str, Any]]:
    return lambda _w, payload: expected_text(payload, max_len, required, multiline)


def one_line(max_len: int, required: bool = True) -> Callable[[Any, Any], tuple[str, Any]]:
    return rule(max_len, required, multiline=False)


def _item(persona_id: int, item_id: int) -> canvas.ItemView:
    c = canvas.get_canvas(persona_id)
    return next(i for section in (c.barriers, c.motivations, c.skills, c.needs) for i in section if i.id == item_id)


def _card(persona_id: int) -> canvas.PersonaCard:
    return canvas.get_canvas(persona_id).persona


def _lead(w: Any, lead_id: int) -> str:
    return next(ld.text for ld in _item(w.persona, w.need).leads if ld.id == lead_id)


def _board_item(session_id: int, item_id: int) -> board.BoardItem:
    return next(i for i in board.board_snapshot(session_id).items if i.id == item_id)


def _rec(session_id: int, rec_id: int) -> recommendations.RecommendationView:
    found = recommendations.recommendations_snapshot(session_id).get(rec_id)
    assert found is not None
    return found


def _plan(w: Any) -> plans.PlanView:
    return next(p for p in plans.plans_snapshot(w.s3) if p.id == w.plan)


def _action(w: Any, action_id: int) -> plans.ActionView:
    return next(a for a in _plan(w).actions if a.id == action_id)


CANVAS = [
    Case("canvas.create_persona(name)", one_line(L.NAME_MAX),
         lambda w, p: canvas.create_persona(w.m1, w.s1, p, subgroup_id=w.g1), lambda w, r: _card(r["id"]).name),
    Case("canvas.update_persona(origin)", one_line(L.NAME_MAX, required=False),
         lambda w, p: canvas.update_persona(w.m1, w.persona, None, origin=p), lambda w, r: _card(w.persona).origin),
    Case("canvas.update_persona(note)", rule(L.LONG_MAX, required=False),
         lambda w, p: canvas.update_persona(w.m1, w.persona, None, note=p), lambda w, r: _card(w.persona).note),
    Case("canvas.update_persona(facts)", lambda _w, p: expected_lines(p, L.FACTS_MAX, L.ITEM_MAX),
         lambda w, p: canvas.update_persona(w.m1, w.persona, None, facts=p), lambda w, r: _card(w.persona).facts),
    Case("canvas.add_barrier", rule(L.ITEM_MAX),
         lambda w, p: canvas.add_barrier(w.m1, w.persona, p, nature="subjective"),
         lambda w, r: _item(w.persona, r["id"]).text),
    Case("canvas.add_need", rule(L.ITEM_MAX), lambda w, p: canvas.add_need(w.m1, w.persona, p, category="housing"),
         lambda w, r: _item(w.persona, r["id"]).text),
    Case("canvas.add_canvas_item(motivation)", rule(L.ITEM_MAX),
         lambda w, p: canvas.add_canvas_item(w.m1, w.persona, "motivation", p),
         lambda w, r: _item(w.persona, r["id"]).text),
    Case("canvas.add_canvas_item(skill)", rule(L.ITEM_MAX),
         lambda w, p: canvas.add_canvas_item(w.m1, w.persona, "skill", p), lambda w, r: _item(w.persona, r["id"]).text),
    Case("canvas.edit_canvas_item(text)", rule(L.ITEM_MAX),
         lambda w, p: canvas.edit_canvas_item(w.m1, w.barrier, None, text=p),
         lambda w, r: _item(w.persona, w.barrier).text),
    Case("canvas.add_solution_lead", rule(L.ITEM_MAX), lambda w, p: canvas.add_solution_lead(w.m1, w.need, p),
         lambda w, r: _lead(w, r["id"])),
]


def _category_expect(_w: Any, payload: Any) -> tuple[str, Any]:
    if not isinstance(payload, str) or not payload.strip():
        return "err", "error.required"
    return ("ok", payload.strip()) if payload.strip() in board.PLAIN_CATEGORIES else ("err", "error.invalid_choice")


BOARD_FLOW = [
    Case("board.add_contribution(text)", rule(L.ITEM_MAX),
         lambda w, p: board.add_contribution(w.m1, w.s1, "finding", "people", p),
         lambda w, r: _board_item(w.s1, r["id"]).text),
    Case("board.add_contribution(category)", _category_expect,
         lambda w, p: board.add_contribution(w.m1, w.s1, "challenge", p, "Un défi"),
         lambda w, r: _board_item(w.s1, r["id"]).category),
    Case("board.edit_contribution(text)", rule(L.ITEM_MAX),
         lambda w, p: board.edit_contribution(w.m1, w.c1, None, text=p), lambda w, r: _board_item(w.s1, w.c1).text),
    Case("session_flow.set_prompt", rule(flow.PROMPT_MAX, required=False),
         lambda w, p: flow.set_prompt(w.fac, w.s1, "diagnostic", p),
         lambda w, r: flow.session_view(w.s1).prompts.get("diagnostic", "")),
    Case("session_flow.rename_subgroup", one_line(L.SUBGROUP_NAME_MAX),
         lambda w, p: flow.rename_subgroup(w.fac, w.g1, p), lambda w, r: flow.session_view(w.s1).subgroup_name(w.g1)),
    Case("events.add_subgroup(name)", one_line(L.SUBGROUP_NAME_MAX),
         lambda w, p: events.add_subgroup(w.org, w.s1, p), lambda w, r: flow.session_view(w.s1).subgroup_name(r["id"])),
    Case("join.join(display_name)", one_line(60, required=False),
         lambda w, p: join.join(w.s1, w.g1, p), lambda w, r: r[1].display_name),
]

RECS_PLANS = [
    Case("recommendations.create(title)", one_line(L.TITLE_MAX),
         lambda w, p: recommendations.create_recommendation(w.m2, w.s2, p, "communal",
                                                            sources=[("contribution", w.c2)]),
         lambda w, r: _rec(w.s2, r["id"]).title),
    Case("recommendations.create(text)", rule(L.LONG_MAX, required=False),
         lambda w, p: recommendations.create_recommendation(w.m2, w.s2, "Titre", "federal", text=p,
                                                            sources=[("contribution", w.c2)]),
         lambda w, r: _rec(w.s2, r["id"]).text),
    Case("recommendations.create(public)", one_line(L.TITLE_MAX, required=False),
         lambda w, p: recommendations.create_recommendation(w.m2, w.s2, "Titre", "european", public=p,
                                                            sources=[("contribution", w.c2)]),
         lambda w, r: _rec(w.s2, r["id"]).public),
    Case("recommendations.edit(title)", one_line(L.TITLE_MAX),
         lambda w, p: recommendations.edit_recommendation(w.m2, w.rec2, None, title=p),
         lambda w, r: _rec(w.s2, w.rec2).title),
    *[Case(f"plans.update_plan({f})", rule(L.LONG_MAX, required=False),
           lambda w, p, f=f: plans.update_plan(w.m3, w.plan, None, **{f: p}), lambda w, r, f=f: getattr(_plan(w), f))
      for f in plans.DPA_PC],
    Case("plans.add_action(action)", rule(L.ITEM_MAX), lambda w, p: plans.add_action(w.m3, w.plan, p),
         lambda w, r: _action(w, r["id"]).action),
    Case("plans.add_action(carrier)", one_line(L.TITLE_MAX, required=False),
         lambda w, p: plans.add_action(w.m3, w.plan, "Agir", carrier=p), lambda w, r: _action(w, r["id"]).carrier),
    *[Case(f"plans.add_action({f})", rule(L.LONG_MAX, required=False),
           lambda w, p, f=f: plans.add_action(w.m3, w.plan, "Agir", **{f: p}),
           lambda w, r, f=f: getattr(_action(w, r["id"]), f))
      for f in ("means", "indicator", "risks")],
    Case("plans.update_action(action)", rule(L.ITEM_MAX),
         lambda w, p: plans.update_action(w.m3, w.action, None, action=p),
         lambda w, r: _action(w, w.action).action),
]


def _slug_expect(w: Any, payload: Any) -> tuple[str, Any]:
    if not payload:
        return "ok", None                      # derived from the title
    slug = str(payload).strip().lower()
    if not events.SLUG_RE.match(slug) or slug.endswith("\n"):
        return "err", "error.invalid_slug"
    with db.read_session() as s:
        taken = s.query(m.Event.id).filter(m.Event.slug == slug).first() is not None
    return ("err", "error.slug_taken") if taken else ("ok", slug)


def _languages_expect(_w: Any, payload: Any) -> tuple[str, Any]:
    chosen = {x.strip().lower() for x in str(payload).split(",") if x.strip()}
    if not chosen or not chosen <= set(LANGUAGES):
        return "err", "error.invalid_languages"
    return "ok", ",".join(x for x in LANGUAGES if x in chosen)


def _get(entity: str, ident: int, field: str) -> Any:
    return e.get(entity, ident)[field]


SETUP = [
    Case("events.create_event(title)", one_line(L.TITLE_MAX), lambda w, p: events.create_event(w.org, title=p),
         lambda w, r: events.get_event_record(r["id"]).title),
    Case("events.create_event(slug)", _slug_expect,
         lambda w, p: events.create_event(w.org, slug=p, title=f"Titre {next(w.counter)}"),
         lambda w, r: None if r["slug"].startswith("titre-") else events.get_event_record(r["id"]).slug),
    Case("events.update_event(languages)", _languages_expect,
         lambda w, p: events.update_event(w.org, w.event, None, languages=p),
         lambda w, r: _get("event", w.event, "languages")),
    Case("events.update_event(description)", rule(L.LONG_MAX, required=False),
         lambda w, p: events.update_event(w.org, w.event, None, description=p),
         lambda w, r: _get("event", w.event, "description")),
    Case("events.update_event(organisers)", rule(L.LONG_MAX, required=False),
         lambda w, p: events.update_event(w.org, w.event, None, organisers=p),
         lambda w, r: _get("event", w.event, "organisers")),
    Case("events.update_event(place)", one_line(300, required=False),
         lambda w, p: events.update_event(w.org, w.event, None, place=p), lambda w, r: _get("event", w.event, "place")),
    Case("events.add_theme(title)", one_line(L.TITLE_MAX), lambda w, p: events.add_theme(w.org, w.event, p),
         lambda w, r: _get("theme", r["id"], "title")),
    Case("events.update_theme(why)", rule(L.LONG_MAX, required=False),
         lambda w, p: events.update_theme(w.org, w.theme, None, why=p), lambda w, r: _get("theme", w.theme, "why")),
    Case("events.add_session(title)", one_line(L.TITLE_MAX, required=False),
         lambda w, p: events.add_session(w.org, w.theme, title=p), lambda w, r: _get("session", r["id"], "title")),
]


def _resource(ident: int) -> inventory.ResourceView:
    return inventory.get_resource(ident)


RESOURCE_FIELDS = {"acronym": (40, False), "organisation_name": (L.TITLE_MAX, False),
                   "service_name": (L.TITLE_MAX, False), "address": (300, False), "contact_name": (L.NAME_MAX, False),
                   "phone": (60, False), "email": (200, False), "url": (L.URL_MAX, False)}


def _extra_expect(_w: Any, payload: Any) -> tuple[str, Any]:
    kind, key = expected_text(payload, 100, required=False, multiline=False)
    if kind == "err":
        return kind, key
    return "ok", ({key: "valeur"} if key else {})


def _inline_expect(w: Any, payload: Any) -> tuple[str, Any]:
    expected = expected_text(payload, L.TITLE_MAX, required=True, multiline=False)
    key = (inventory.compact(payload) or payload.strip()) if isinstance(payload, str) else ""
    with db.read_session() as s:
        names = [inventory.compact(n) or n.strip() for n in s.execute(select(m.Resource.name).where(
            m.Resource.deleted_at.is_(None), m.Resource.merged_into_id.is_(None))).scalars()]
    return ("err", "error.resource_already_listed") if key in names else expected


INVENTORY = [
    Case("inventory.add_resource(name)", one_line(L.TITLE_MAX),
         lambda w, p: inventory.add_resource(w.org, p, category="housing"), lambda w, r: _resource(r["id"]).name),
    Case("inventory.add_resource(description)", rule(L.LONG_MAX, required=False),
         lambda w, p: inventory.add_resource(w.org, "Service", category="other", description=p),
         lambda w, r: _resource(r["id"]).description),
    *[Case(f"inventory.add_resource({f})", one_line(n, req),
           lambda w, p, f=f: inventory.add_resource(w.org, "Service", category="other", **{f: p}),
           lambda w, r, f=f: getattr(_resource(r["id"]), f)) for f, (n, req) in RESOURCE_FIELDS.items()],
    Case("inventory.add_resource(extra column)", _extra_expect,
         lambda w, p: inventory.add_resource(w.org, "Service", category="other", extra={p: "valeur"}),
         lambda w, r: _resource(r["id"]).extra),
    Case("inventory.update_resource(description)", rule(L.LONG_MAX, required=False),
         lambda w, p: inventory.update_resource(w.org, w.resource, None, description=p),
         lambda w, r: _resource(w.resource).description),
    Case("suggestions.create_resource_inline(name)", _inline_expect,
         lambda w, p: suggestions.create_resource_inline(w.m1, w.g1, p, category="other"),
         lambda w, r: _resource(r["id"]).name),
]


def _person_expect(field: str) -> Callable[[Any, Any], tuple[str, Any]]:
    def expect(_w: Any, payload: Any) -> tuple[str, Any]:
        if field == "first_name":
            kind, value = expected_text(payload, L.NAME_MAX, required=False, multiline=False)
            return ("err", "error.reg_first_name_required") if kind == "ok" and not value else (kind, value)
        if field == "email":
            kind, value = expected_text(payload, registration.EMAIL_MAX, required=False, multiline=False)
            if kind == "err":
                return kind, value
            if not value:
                return "err", "error.reg_email_required"
            try:   # the app's one email rule: email-validator's syntax, normalised, lower-cased
                address = email_validator.validate_email(value, check_deliverability=False).normalized.lower()
            except email_validator.EmailNotValidError:
                return "err", "error.reg_email_invalid"
            return ("ok", address) if len(address) <= registration.EMAIL_MAX else ("err", "error.reg_email_invalid")
        limit = {"last_name": L.NAME_MAX, "organisation": registration.ORGANISATION_MAX,
                 "sector": registration.SECTOR_MAX}
        return expected_text(payload, limit[field], required=False, multiline=False)
    return expect


def _register(w: Any, field: str, payload: Any) -> Any:
    values = {"first_name": "Eva", "email": f"eva{next(w.counter)}@example.org", field: payload}
    return registration.register("hostile", session_ids=[w.s1], consent=True, **values)


def _person_read(field: str) -> Callable[[Any, Any], Any]:
    def read(_w: Any, result: Any) -> Any:
        if result.existing:   # the address was already registered: nothing changed, nothing to read
            return None
        view = registration.participant_view(result.token)
        if field != "organisation":
            return getattr(view, field)
        typed = view.organisation
        return typed
    return read


def _organisation_expect(w: Any, payload: Any) -> tuple[str, Any]:
    kind, value = expected_text(payload, registration.ORGANISATION_MAX, required=False, multiline=False)
    if kind == "err" or not value:
        return kind, value
    key = registration.normalize_organisation(value)
    if not key:
        return "ok", ""                         # no letters or digits: no organisation
    with db.read_session() as s:
        first = s.query(m.Organisation.name).filter(m.Organisation.normalized_name == key).scalar()
    return "ok", first if first is not None else value   # counted with the organisation of that name


def _email_read(w: Any, result: Any) -> Any:
    return None if result.existing else registration.participant_view(result.token).email


def _email_expect(w: Any, payload: Any) -> tuple[str, Any]:
    kind, value = _person_expect("email")(w, payload)
    if kind == "ok":
        with db.read_session() as s:
            if s.query(m.Participant.id).filter(m.Participant.email == value).first():
                return "ok", None                # already registered: the form changes nothing
    return kind, value


REGISTRATION = [
    *[Case(f"registration.register({f})", _person_expect(f), lambda w, p, f=f: _register(w, f, p), _person_read(f))
      for f in ("first_name", "last_name", "sector")],
    Case("registration.register(organisation)", _organisation_expect, lambda w, p: _register(w, "organisation", p),
         _person_read("organisation")),
    Case("registration.register(email)", _email_expect, lambda w, p: _register(w, "email", p), _email_read),
]


def _code_expect(w: Any, payload: Any) -> tuple[str, Any]:
    code = normalise_code(payload)
    if not code:
        return "err", "error.required"
    with db.read_session() as s:
        known = {c for (c,) in s.query(m.WorkshopSession.join_code)} | {c for (c,) in s.query(m.Subgroup.join_code)}
    return ("ok", None) if code in known else ("err", "error.join_bad_code")


def _valid_code(w: Any) -> str:
    return flow.session_view(w.s1).join_code


def _template_expect(_w: Any, payload: Any) -> tuple[str, Any]:
    wanted = normalise(payload).replace(" ", "-")
    keys = {t.key: t.key for t in templates.list_templates()} | {normalise(t.name).replace(" ", "-"): t.key
                                                                 for t in templates.list_templates()}
    return ("ok", keys[wanted]) if wanted and wanted in keys else ("err", "error.template_unknown")


LOOKUPS = [
    Case("join.check_code(code)", _code_expect, lambda w, p: join.check_code(p, f"browser-{next(w.counter)}"),
         exclude=("join_attempts",)),
    Case("join.check_code(forged browser key)", lambda w, p: ("ok", w.s1),
         lambda w, p: join.check_code(_valid_code(w), p, p), lambda w, r: r.session_id, exclude=("join_attempts",)),
    Case("join.resolve(token)", lambda w, p: ("ok", None), lambda w, p: join.resolve(p), lambda w, r: r),
    Case("projector.session_for_screen(token)", lambda w, p: ("ok", None), lambda w, p: projector.session_for_screen(p),
         lambda w, r: r),
    Case("registration.participant_view(token)", lambda w, p: ("err", "error.reg_invalid_link"),
         lambda w, p: registration.participant_view(p)),
    Case("registration.public_event(slug)",
         lambda w, p: ("ok", "hostile") if str(p)[:80] == "hostile" else ("err", "error.reg_unknown_event"),
         lambda w, p: registration.public_event(p), lambda w, r: r.slug),
    Case("registration.register(slug)",
         lambda w, p: ("ok", None) if str(p)[:80] == "hostile" else ("err", "error.reg_unknown_event"),
         lambda w, p: registration.register(p, first_name="Flo", email=f"flo{next(w.counter)}@example.org",
                                            session_ids=[w.s1], consent=True)),
    Case("templates.get_template(key)", _template_expect, lambda w, p: templates.get_template(p), lambda w, r: r.key),
    Case("inventory.search_resources(text)", lambda w, p: ("ok", True), lambda w, p: inventory.search_resources(p),
         lambda w, r: isinstance(r, list)),
    Case("suggestions.suggest_resources(need text)", lambda w, p: ("ok", True),
         lambda w, p: suggestions.suggest_resources(p, None), lambda w, r: isinstance(r, list)),
]

GROUPS = {"canvas": CANVAS, "board_flow": BOARD_FLOW, "recs_plans": RECS_PLANS, "setup": SETUP, "inventory": INVENTORY,
          "registration": REGISTRATION, "lookups": LOOKUPS}
ALL_CASES = [case for cases in GROUPS.values() for case in cases]


# --- properties over generated input ----------------------------------------------------------------

@pytest.mark.parametrize("group", list(GROUPS))
def test_hostile_text_is_refused_with_a_key_or_stored_as_typed(world, group):
    cases = GROUPS[group]

    @hypothesis_settings(max_examples=12 * len(cases) if len(cases) < 5 else 60)
    @given(case=st.sampled_from(cases), payload=hostile_text)
    def prop(case: Case, payload: str) -> None:
        case.run(world, payload)

    prop()


# --- the named payloads, always -----------------------------------------------------------------------

NAMED_SERVICES = [c for c in ALL_CASES if c.name in {
    "canvas.create_persona(name)", "canvas.update_persona(facts)", "canvas.add_barrier", "canvas.add_solution_lead",
    "board.add_contribution(text)", "board.add_contribution(category)", "session_flow.set_prompt",
    "session_flow.rename_subgroup", "join.join(display_name)", "recommendations.create(title)",
    "recommendations.create(text)", "plans.add_action(carrier)", "events.create_event(title)",
    "events.create_event(slug)", "events.update_event(languages)", "inventory.add_resource(name)",
    "inventory.add_resource(url)", "inventory.add_resource(extra column)", "registration.register(first_name)",
    "registration.register(email)", "registration.register(organisation)", "join.check_code(code)",
    "join.check_code(forged browser key)", "registration.public_event(slug)", "templates.get_template(key)",
    "inventory.search_resources(text)"}]


def test_named_payloads_in_every_kind_of_field(world):
    problems = []
    for n, (payload_name, payload) in enumerate(NAMED.items()):
        # each payload goes to 7 of the services, in turn: every service meets ~14 named payloads
        for case in (NAMED_SERVICES[(n * 7 + k) % len(NAMED_SERVICES)] for k in range(7)):
            try:
                case.run(world, payload)
            except Exception as exc:  # noqa: BLE001 - collected, so one run shows every failing pair
                problems.append(f"{payload_name} in {case.name}: {type(exc).__name__}: {str(exc)[:200]}")
    assert not problems, "\n".join(problems)


def test_the_rule_itself_on_the_named_payloads(database):
    """What the named payloads become, spelled out (the oracle above could share a mistake with the
    code; these cannot)."""
    from core.validation import clean_text

    def ok(raw: str, multiline: bool = True, max_len: int = 100_000) -> str:
        return clean_text(raw, "f", max_len, required=False, multiline=multiline)

    def key(raw: Any, **kw: Any) -> str:
        with pytest.raises(AtelierError) as err:
            clean_text(raw, "f", kw.pop("max_len", 1_000), **kw)
        return err.value.key

    assert ok(NAMED["nbsp_zwsp_tab_newline"]) == ""             # invisible only: empty
    assert key(NAMED["zero_width_only"]) == "error.required"
    assert key(NAMED["nul"]) == key(NAMED["bell"]) == key(NAMED["c1_next_line"]) == "error.control_characters"
    assert key(NAMED["escape_seq"]) == key(NAMED["del"]) == key("abc\x1f") == "error.control_characters"
    assert key(NAMED["lone_surrogate"]) == key(NAMED["noncharacter_ffff"]) == "error.invalid_characters"
    assert key(NAMED["long_100k"]) == "error.too_long"
    assert key(123) == "error.not_text"
    assert ok(NAMED["crlf"]) == "ligne 1\nligne 2\nligne 3"
    assert ok(NAMED["crlf"], multiline=False) == "ligne 1 ligne 2 ligne 3"
    assert ok(NAMED["line_separators"], multiline=False) == "a b c"
    assert ok(NAMED["combining"]) == "élève"
    assert ok("  \u00a0 Zoë \t") == "Zoë"
    assert ok("\u200bAhmed") == "\u200bAhmed"                      # kept: only surrounding *whitespace* goes
    for name in ("arabic", "hebrew", "rtl_override", "mixed_bidi", "emoji_zwj_family", "emoji_flags", "sql_drop",
                 "script", "img_onerror", "md_js_link", "st_colour", "code_fence", "formula_eq", "format_braces"):
        assert ok(NAMED[name]) == NAMED[name], name            # plain text, kept exactly
    assert ok("x" * 1_000, max_len=1_000) == "x" * 1_000 and key("x" * 1_001, max_len=1_000) == "error.too_long"
    assert ok("😀" * 10, max_len=10) == "😀" * 10             # emoji count as one character each


def test_postgres_and_sqlite_refuse_nul_bytes_the_same_way(world):
    """PostgreSQL cannot store NUL in text: core refuses it first, with the same key on both."""
    for call in (lambda: canvas.add_barrier(world.m1, world.persona, "a\x00b"),
                 lambda: events.create_event(world.org, title="\x00"),
                 lambda: registration.register("hostile", first_name="A\x00", email="a@example.org",
                                               session_ids=[world.s1], consent=True),
                 lambda: inventory.add_resource(world.org, "Nom", category="other", extra={"col\x00": "v"})):
        check("nul on both backends", "\x00", ("err", "error.control_characters"), call)
    for label, call in (("public_event", lambda: registration.public_event("host\x00ile")),
                        ("resolve", lambda: join.resolve("a\x00" * 20)),
                        ("check_code", lambda: join.check_code("ABC\x00DEF", "k\x00", "1.2.3.4\x00"))):
        TALLY.add(f"nul lookups {label}", "\x00")
        try:
            assert call() is None
        except AtelierError as exc:
            assert exc.key in ("error.reg_unknown_event", "error.join_bad_code")


# --- the entity layer itself: every text field of every entity ---------------------------------------------

def _base_values(w: Any, entity: str) -> dict[str, Any]:
    n = next(w.counter)
    return {
        "event": {"slug": f"ev-{n}", "title": "Événement"},
        "theme": {"event_id": w.event, "title": "Thème", "position": 1},
        "session": {"theme_id": w.theme},
        "subgroup": {"session_id": w.s1, "name": "Table", "position": 1},
        "persona": {"session_id": w.s1, "subgroup_id": w.g1, "name": "Ahmed"},
        "canvas_item": {"persona_id": w.persona, "kind": "skill", "text": "Parle arabe"},
        "solution_lead": {"need_id": w.need, "text": "Une piste"},
        "resource": {"name": "Service", "category": "other"},
        "contribution": {"session_id": w.s1, "kind": "finding", "text": "Constat"},
        "recommendation": {"session_id": w.s2, "title": "Titre", "level": "communal"},
        "implementation_plan": {"recommendation_id": w.rec3, "session_id": w.s3},
        "plan_action": {"plan_id": w.plan, "action": "Agir"},
    }[entity]


TEXT_FIELDS = [(name, field, r) for name, spec in e.SPECS.items() for field, r in spec.fields.items()
               if r.kind in ("text", "list")]


def _entity_limit(entity: str, field: str, r: Any) -> int:
    return L.SUBGROUP_NAME_MAX if (entity, field) == ("subgroup", "name") else r.max_len


def _entity_expect(w: Any, entity: str, field: str, r: Any, payload: Any) -> tuple[str, Any]:
    if r.kind == "list":
        return expected_lines(payload, r.max_items, r.max_len)
    expected = expected_text(payload, _entity_limit(entity, field, r), r.required, r.multiline)
    if expected[0] == "ok" and (entity, field) == ("event", "slug"):
        with db.read_session() as s:
            if s.query(m.Event.id).filter(m.Event.slug == expected[1]).first():
                return "err", "error.conflict"    # the unique slug: a duplicate is a conflict, nothing written
    if expected[0] == "ok" and field == "join_code" and expected[1] == "":
        return "ok", None                        # no code is stored as NULL (many rows have none)
    if expected[0] == "ok" and (entity, field) == ("session", "join_code"):
        with db.read_session() as s:             # unique among live sessions
            if s.query(m.WorkshopSession.id).filter(m.WorkshopSession.join_code == expected[1],
                                                    m.WorkshopSession.status != "closed").first():
                return "err", "error.conflict"
    return expected


@hypothesis_settings(max_examples=60)
@given(target=st.sampled_from(TEXT_FIELDS), payload=hostile_text)
def _entity_create(w: Any, target: tuple, payload: str) -> None:
    entity, field, r = target
    values = {**_base_values(w, entity), field: payload}
    check(f"entities.create({entity}.{field})", payload, _entity_expect(w, entity, field, r, payload),
          lambda: e.create(SYSTEM, entity, **values), lambda result: e.get(entity, result["id"])[field])


def test_every_text_field_of_every_entity_through_the_entity_layer(world):
    _entity_create(world)


def test_the_entity_rule_of_a_subgroup_name_matches_its_column(world):
    check("entities.create(subgroup.name) 81", "x" * 81, ("err", "error.too_long"),
          lambda: e.create(SYSTEM, "subgroup", session_id=world.s1, name="x" * 81, position=9))


EDITABLE = [(name, field, r) for name, field, r in TEXT_FIELDS if field in e.SPECS[name].editable]


@hypothesis_settings(max_examples=50)
@given(target=st.sampled_from(EDITABLE), payload=hostile_text)
def _entity_update(w: Any, target: tuple, payload: str) -> None:
    entity, field, r = target
    row = e.create(SYSTEM, entity, **_base_values(w, entity))
    check(f"entities.update({entity}.{field})", payload, _entity_expect(w, entity, field, r, payload),
          lambda: e.update(SYSTEM, entity, row["id"], row["version"], **{field: payload}),
          lambda result: e.get(entity, row["id"])[field])


def test_every_editable_text_field_through_the_entity_layer(world):
    _entity_update(world)


def test_subgroup_names_longer_than_the_column_are_refused_by_the_services(world):
    """The sub-group services check the column's length themselves (80), on both backends."""
    for call in (lambda: events.add_subgroup(world.org, world.s1, "x" * 81),
                 lambda: flow.rename_subgroup(world.fac, world.g1, "x" * 81)):
        check("subgroup name 81", "x" * 81, ("err", "error.too_long"), call)
    check("subgroup name 80", "y" * 80, ("ok", "y" * 80), lambda: events.add_subgroup(world.org, world.s1, "y" * 80),
          lambda r: flow.session_view(world.s1).subgroup_name(r["id"]))


# --- templates and copies ------------------------------------------------------------------------------------

def test_a_persona_from_a_template_takes_the_typed_name_or_refuses_it(world):
    for payload_name in ("empty", "spaces", "nul", "rtl_override", "emoji_zwj_family", "script", "md_js_link",
                         "long_100k", "lone_surrogate"):
        payload = NAMED[payload_name]
        expected = ("ok", "Éric") if not payload else expected_text(payload, L.NAME_MAX, True, False)
        check("templates.create_persona_from_template(name)", payload, expected,
              lambda payload=payload: templates.create_persona_from_template(world.m1, world.s1, world.g1, "eric",
                                                                             name=payload),
              lambda r: _card(r["id"]).name)


def test_a_copied_persona_keeps_hostile_text_exactly(world):
    texts = [NAMED[k] for k in ("arabic", "rtl_override", "emoji_zwj_family", "sql_drop", "script", "md_js_link",
                                "formula_eq", "format_braces", "st_latex")]
    for t in texts:
        canvas.add_barrier(world.m1, world.persona, t)
        canvas.add_solution_lead(world.m1, world.need, t)
    canvas.update_persona(world.m1, world.persona, None, name=NAMED["mixed_bidi"], facts=texts[:5])
    copy = templates.copy_persona(SYSTEM, world.persona, world.s1, world.g1)
    TALLY.add("templates.copy_persona", texts)
    original, copied = canvas.get_canvas(world.persona), canvas.get_canvas(copy["id"])
    assert copied.persona.name == NAMED["mixed_bidi"] and copied.persona.facts == texts[:5]
    assert [i.text for i in copied.barriers] == [i.text for i in original.barriers]
    assert [ld.text for ld in copied.needs[0].leads] == [ld.text for ld in original.needs[0].leads]
    assert {t for t in texts} <= {i.text for i in copied.barriers}


# --- accounts (called only) -------------------------------------------------------------------------------------

def _username_expect(payload: Any) -> tuple[str, Any]:
    name = (payload or "").strip().lower() if isinstance(payload, str) else None
    if name is None or not accounts.USERNAME_RE.match(name) or name.endswith("\n"):
        return "err", "error.invalid_username"
    return "ok", name


def test_staff_accounts_refuse_or_keep_hostile_usernames_and_names(database):
    for payload_name in ("empty", "spaces", "nul", "lone_surrogate", "sql_drop", "sql_or", "script", "arabic",
                         "emoji_flags", "long_100k", "format_braces"):
        _account(payload_name, NAMED[payload_name])


def _account(payload_name: str, payload: str) -> None:
    check("accounts.create_user(username)", payload, _username_expect(payload),
          lambda: accounts.create_user(payload, "facilitator", "Nom", "", "un mot de passe solide"))
    name_expected = expected_text(payload, 120, True, False)
    if name_expected[0] == "ok":   # bcrypt is slow: only the names that pass are hashed once
        check("accounts.create_user(name)", payload, name_expected,
              lambda: accounts.create_user(payload_name, "facilitator", payload, "",
                                           "un mot de passe solide"),
              lambda r: accounts.get_user(r.username).name)
    else:
        check("accounts.create_user(name)", payload, name_expected,
              lambda: accounts.create_user("someone", "facilitator", payload, "", "un mot de passe solide"))


def _lookup(payload: str) -> None:
    TALLY.add("accounts.get_user", payload)
    before = len(accounts.list_users())
    assert accounts.get_user(payload) is None
    assert accounts.authenticate(payload, payload) is None
    assert len(accounts.list_users()) == before


def test_staff_lookups_by_odd_usernames_find_nobody(database):
    for payload_name in ("sql_or", "long_100k", "emoji_zwj_family", "script", "spaces"):
        _lookup(NAMED[payload_name])


def test_staff_lookups_by_usernames_with_nul_or_lone_surrogates_find_nobody(database):
    for payload_name in ("nul", "lone_surrogate"):
        _lookup(NAMED[payload_name])
