"""A sub-group's work page: the stage the facilitator chose, with its prompt and the timer, then
what the sub-group does in it — diagnostic board and personas, recommendations and dot voting,
implementation plans — plus the mood check and the closing round when the facilitator opens
them. The live part follows the session on every tick and reruns the page when the stage (or
anything that changes the forms) moves, so no one is left on an old stage. Forms stay outside
the live fragment so a tick never clears what someone is typing, and no button inside it changes
what is drawn outside it (in a browser such a click reruns the fragment only).

The sub-group edits what it wrote (contributions, recommendations, plan answers and actions)
through ``ui.actions.RowEdit``: a save over a teammate's newer version is refused and both are
shown; deletes can be undone."""
from __future__ import annotations

import datetime as dt
import functools
from pathlib import Path
from typing import Any, Callable

import streamlit as st
from streamlit.errors import StreamlitPageNotFoundError

from core.session import board, mood, plans, recommendations, session_flow as flow, voting
from core.session.room import Room, room_snapshot
from core.personas import canvas
from core import entities
from core.vocabulary import POWER_LEVELS, WEATHERS
from ui import actions, auth
from ui.actions import Field, RowEdit, show_error
from ui.i18n import t
from ui import labels as labels_mod
from ui.labels import category_label, weather_label
from ui.live import live_view, snapshot
from ui.text import md

actor = auth.require_participant()
membership = st.session_state["membership"]
SID, GROUP, TOKEN = membership.session_id, membership.subgroup_id, membership.token_id
CANVAS_PAGE = "app_pages/canvas.py"
UNDO_KEY = "group_undo"
DPA_PC = (("who_wants_what", "flow.plan.who_wants_what"), ("people_concerned_view", "flow.plan.people_concerned_view"),
          ("try_here_now", "flow.plan.try_here_now"), ("tried_learned", "flow.plan.tried_learned"))
ACTION_TEXT_FIELDS = (("action", "flow.plan.action"), ("carrier", "flow.plan.carrier"), ("means", "flow.plan.means"),
                      ("indicator", "flow.plan.indicator"), ("risks", "flow.plan.risks"))
# a write as this participant (``run(error_key, fn, *args, clear=..., **kwargs)``), usually a callback
run: Callable[..., bool] = functools.partial(actions.run, actor)


# --- small helpers ----------------------------------------------------------------------------

def shape(room: Room) -> tuple:
    """What the forms below the live part depend on: when it changes, the whole page reruns."""
    s = room.state
    own_recs = tuple(r.id for r in room.recommendations.items if r.subgroup_id == GROUP)
    options = len(room.recommendations.options) if s.stage == "recommendations" else 0
    own_plans = [p for p in room.plans if p.subgroup_id == GROUP]
    own_items = tuple(i.id for i in room.board.items if i.subgroup_id == GROUP)
    return (s.stage, s.status, s.contributions_open, s.contributions_hidden, s.vote_status, s.mood_check,
            s.closing_round, tuple(r.id for r in room.recommendations.retained),
            tuple(p.id for p in own_plans), own_recs, options, own_items,
            tuple(a.id for p in own_plans for a in p.actions))


def time_text(value: Any) -> str:
    """A stored date (ISO text in a stale edit's other version) as the page shows it."""
    return str(value)[:10] if value else ""


# --- delete with undo ---------------------------------------------------------------------------

def delete_with_undo(entity: str, ident: int, text: str, fn: Callable[..., Any]) -> None:
    """A callback: soft-delete one of our rows and offer to bring it back."""
    if run(f"{entity}_delete_error", fn, ident):
        st.session_state[UNDO_KEY] = (entity, ident, text)


def undo_delete() -> None:
    pending = st.session_state.pop(UNDO_KEY, None)
    if pending:
        run(f"{pending[0]}_delete_error", entities.restore, pending[0], pending[1])


_undo_drawn: set[str] = set()   # this run's undo notices (each drawn once, e.g. board and closing round)


def show_undo(entity: str) -> None:
    """The notice after a delete of ``entity`` on this page, with its undo button."""
    if entity in _undo_drawn:
        return
    _undo_drawn.add(entity)
    show_error(f"{entity}_delete_error")
    pending = st.session_state.get(UNDO_KEY)
    if not pending or pending[0] != entity:
        return
    with st.container(border=True, key=f"undo_box_{entity}"):
        cols = st.columns([4, 1], vertical_alignment="center")
        cols[0].caption(t("flow.undo.deleted", text=md(pending[2])))
        cols[1].button(t("flow.undo.button"), key=f"undo_{entity}_{pending[1]}", icon=":material/undo:",
                       on_click=undo_delete)


def follow(_old: int, _new: int) -> None:
    _rev, room = snapshot(room_snapshot, SID)
    if shape(room) != st.session_state.get("group_shape"):
        st.rerun()


# --- the live part ----------------------------------------------------------------------------

def draw_stage(s: flow.SessionState) -> None:
    st.subheader(t(f"stage.{s.stage}"), anchor=False)
    st.caption(t("flow.stage_of", n=s.stage_index + 1, total=len(flow.STAGES)))
    if s.prompt:
        st.markdown(md(s.prompt))
    else:
        st.markdown(t(f"flow.prompt.{s.stage}"))
    remaining, colour, running = flow.timer_state(s)
    if s.timer_duration_s:
        clock = f":material/timer: {remaining // 60:02d}:{remaining % 60:02d}"
        st.markdown(f"### {clock if colour == 'normal' else f':{colour}[{clock}]'}")
        if not running:
            st.caption(t("flow.timer.over") if remaining == 0 else t("flow.timer.paused"))
    if s.closed:
        st.info(t("group.session_closed"))
    elif not s.contributions_open:
        st.warning(t("flow.group.paused"))
    if s.contributions_hidden and not s.closed:
        st.caption(t("flow.group.hidden"))


def draw_board(b: board.Board, closing: bool = False) -> None:
    items = b.closing_round(GROUP) if closing else b.diagnostic(GROUP)
    if not items:
        st.caption(t("flow.board.empty"))
        return
    kinds = board.CLOSING_KINDS if closing else board.BOARD_KINDS
    for kind in kinds:
        mine = [i for i in items if i.kind == kind]
        if not mine:
            continue
        st.markdown(f"**{t(f'flow.kinds.{kind}')}**")
        for item in mine:
            who = item.subgroup_name or t("flow.facilitation")
            st.markdown(f"- {md(item.text)}  \n  :gray[{md(category_label(item.category))} · {md(who)}]")


def draw_sources(rec: recommendations.RecommendationView) -> None:
    st.caption(t("flow.rec.trail"))
    for src in rec.sources:
        if src.kind == "contribution":
            st.markdown(f"- {t(f'flow.kind.{src.detail}')} : {md(src.text)}")
        elif src.kind == "need":
            st.markdown(f"- {t('flow.source.need')} : {md(src.text)} ({md(src.detail)})")
        else:
            st.markdown(f"- {t('flow.source.persona')} : {md(src.text)}")
    for merged in rec.merged_from:
        st.markdown(f"- {t('flow.rec.merged_from')} : {md(merged.title)}")
    try:
        st.page_link("app_pages/recommendation.py", label=t("flow.rec.full_trail"), icon=":material/account_tree:",
                     query_params={"rec": str(rec.id)})
    except StreamlitPageNotFoundError:
        pass  # the trail page is not in this navigation


def draw_votes(room: Room) -> None:
    votes, items = room.votes, room.recommendations.items
    if votes.status == "open" and not room.state.closed:
        st.info(t("flow.vote.left", left=votes.left(GROUP), dots=votes.dots))
    show_error("vote_error")
    totals = votes.public_totals()
    for rec in items:
        with st.container(border=True):
            st.markdown(f"**{md(rec.title)}** · {t(f'flow.level.{rec.level}')}")
            if rec.text:
                st.markdown(md(rec.text))
            if rec.public:
                st.caption(t("flow.rec.public_is", public=md(rec.public)))
            mine = votes.mine(GROUP, rec.id)
            if votes.status != "none":
                st.markdown(t("flow.vote.mine", dots="●" * mine or "—"))
            if votes.status == "open" and not room.state.closed:
                cols = st.columns([1, 1, 6])
                cols[0].button(t("flow.vote.add"), key=f"dot_add_{rec.id}", on_click=run,
                               args=("vote_error", voting.cast_dot, SID, rec.id),
                               disabled=votes.left(GROUP) == 0 or (mine > 0 and not votes.multi))
                cols[1].button(t("flow.vote.remove"), key=f"dot_remove_{rec.id}", on_click=run,
                               args=("vote_error", voting.remove_dot, SID, rec.id), disabled=mine == 0)
            if totals is not None:
                st.markdown(t("flow.vote.total", count=totals.get(rec.id, 0)))
            with st.expander(t("flow.rec.trail_short", count=len(rec.sources))):
                draw_sources(rec)
    if not items:
        st.caption(t("flow.rec.none"))


def draw_plans(room: Room) -> None:
    retained = room.recommendations.retained
    if not retained:
        st.caption(t("flow.plan.none_retained"))
    for rec in retained:
        st.markdown(f"**{md(rec.title)}**")
        for plan in [p for p in room.plans if p.recommendation_id == rec.id]:
            with st.container(border=True):
                st.caption(t("flow.plan.by", group=md(plan.subgroup_name or t("flow.facilitation"))))
                for field, key in DPA_PC:
                    value = getattr(plan, field)
                    if value:
                        st.markdown(f"*{t(key)}*  \n{md(value)}")
                for a in plan.actions:
                    due = a.due.isoformat() if a.due else "—"
                    st.markdown(f"- **{md(a.action)}** · {t('flow.plan.carrier')} : {md(a.carrier or '—')} · "
                                f"{t('flow.plan.due')} : {due}")
                    details = " · ".join(f"{t(k)} : {md(v)}" for k, v in (("flow.plan.means", a.means),
                                         ("flow.plan.indicator", a.indicator), ("flow.plan.risks", a.risks)) if v)
                    if details:
                        st.caption(details)


def draw(room: Room) -> None:
    s = room.state
    draw_stage(s)
    if s.mood_check:
        answer = room.mood.mine(TOKEN, s.mood_check)
        st.caption(t("flow.mood.yours", weather=weather_label(answer)) if answer else t("flow.mood.please"))
    if s.stage == "diagnostic" or s.closed:
        st.markdown(f"#### {t('flow.board.title')}")
        draw_board(room.board)
    if s.stage == "recommendations" or s.closed:
        st.markdown(f"#### {t('flow.rec.title')}")
        draw_votes(room)
    if s.stage == "implementation" or s.closed:
        st.markdown(f"#### {t('flow.plan.title')}")
        draw_plans(room)
    if s.closing_round or (s.closed and room.board.closing_round(GROUP)):
        st.markdown(f"#### {t('flow.closing.title')}")
        draw_board(room.board, closing=True)


# --- editors of the sub-group's own rows (outside the live part: a tick never clears them) -------

def contribution_editor(item: board.BoardItem, closing: bool) -> None:
    """Edit or delete one of our board contributions (closing-round ones keep their category)."""
    edit = RowEdit(f"contrib_{item.id}")
    keys = {"text": f"contrib_text_{item.id}", "category": f"contrib_category_{item.id}"}
    values = {keys["text"]: item.text}
    cats: list[str] = []
    if not closing:
        cats = list(board.categories_for(state.category_template, item.kind))
        if item.category not in cats:
            cats.insert(0, item.category)
        values[keys["category"]] = item.category
    edit.open(item.version, values)

    def write(version: int | None, ident: int = item.id, with_category: bool = not closing) -> Any:
        changes = {"text": st.session_state.get(keys["text"], "")}
        if with_category:
            changes["category"] = st.session_state.get(keys["category"]) or ""
        return board.edit_contribution(actor, ident, version, **changes)

    label = f"{t(f'flow.kind.{item.kind}')} · {md(item.text[:80])}"
    with st.expander(label, expanded=edit.conflict is not None):
        with st.form(f"contrib_form_{item.id}", border=False):
            if cats:
                st.selectbox(t("flow.board.category"), cats, key=keys["category"], format_func=category_label)
            st.text_area(t("flow.board.text"), key=keys["text"], max_chars=1000)
            st.form_submit_button(t("flow.save"), key=f"contrib_save_{item.id}", on_click=edit.save, args=(write,))
        edit.show([Field("category", t("flow.board.category"), category_label), Field("text", t("flow.board.text"))],
                  write)
        st.button(t("flow.board.delete"), key=f"contrib_delete_{item.id}", icon=":material/delete:",
                  on_click=delete_with_undo, args=("contribution", item.id, item.text, board.delete_contribution))


def own_contributions(closing: bool) -> None:
    items = room.board.closing_round(GROUP) if closing else room.board.diagnostic(GROUP)
    mine = [i for i in items if i.subgroup_id == GROUP]
    show_undo("contribution")
    if not mine:
        return
    st.markdown(f"**{t('flow.board.ours')}**")
    for item in mine:
        contribution_editor(item, closing)


def action_editor(a: plans.ActionView) -> None:
    """Edit or delete one action of our plan."""
    edit = RowEdit(f"action_{a.id}")
    keys = {f: f"act_{f}_{a.id}" for f, _k in ACTION_TEXT_FIELDS} | {"due": f"act_due_{a.id}"}
    edit.open(a.version, {keys[f]: getattr(a, f) for f in keys})

    def write(version: int | None, ident: int = a.id) -> Any:
        return plans.update_action(actor, ident, version, **{f: st.session_state.get(k) if f == "due" else
                                                             st.session_state.get(k, "") for f, k in keys.items()})

    with st.expander(f"{md(a.action[:80])} · {md(a.carrier or '—')}", expanded=edit.conflict is not None):
        with st.form(f"action_edit_{a.id}", border=False):
            cols = st.columns(3)
            cols[0].text_input(t("flow.plan.action"), key=keys["action"], max_chars=1000)
            cols[1].text_input(t("flow.plan.carrier"), key=keys["carrier"], max_chars=200)
            cols[2].date_input(t("flow.plan.due"), key=keys["due"], min_value=dt.date(2000, 1, 1), format="DD/MM/YYYY")
            cols = st.columns(3)
            cols[0].text_input(t("flow.plan.means"), key=keys["means"], max_chars=1000)
            cols[1].text_input(t("flow.plan.indicator"), key=keys["indicator"], max_chars=1000)
            cols[2].text_input(t("flow.plan.risks"), key=keys["risks"], max_chars=1000)
            st.form_submit_button(t("flow.save"), key=f"action_save_{a.id}", on_click=edit.save, args=(write,))
        edit.show([Field(f, t(k)) for f, k in ACTION_TEXT_FIELDS[:2]] + [Field("due", t("flow.plan.due"), time_text)]
                  + [Field(f, t(k)) for f, k in ACTION_TEXT_FIELDS[2:]], write)
        st.button(t("flow.plan.delete_action"), key=f"action_delete_{a.id}", icon=":material/delete:",
                  on_click=delete_with_undo, args=("plan_action", a.id, a.action, plans.delete_action))


def plan_editor(plan: plans.PlanView) -> None:
    """The four DPA-PC answers of our plan."""
    edit = RowEdit(f"plan_{plan.id}")
    edit.open(plan.version, {f"plan_{f}_{plan.id}": getattr(plan, f) for f, _k in DPA_PC})

    def write(version: int | None, ident: int = plan.id) -> Any:
        return plans.update_plan(actor, ident, version,
                                 **{f: st.session_state.get(f"plan_{f}_{ident}", "") for f, _k in DPA_PC})

    with st.form(f"plan_form_{plan.id}", border=False):
        for field, key in DPA_PC:
            st.text_area(t(key), key=f"plan_{field}_{plan.id}", max_chars=5000)
        st.form_submit_button(t("flow.save"), key=f"plan_save_{plan.id}", on_click=edit.save, args=(write,))
    edit.show([Field(f, t(k)) for f, k in DPA_PC], write)


# --- the page -----------------------------------------------------------------------------------

st.title(md(membership.subgroup_name) if membership.subgroup_name else t("group.title"))
st.caption(md(f"{membership.event_title} · {membership.theme_title}"))
if membership.display_name:
    st.text(t("group.welcome", name=membership.display_name))

_rev, room = snapshot(room_snapshot, SID)
state = room.state
st.session_state["group_shape"] = shape(room)
live_view(SID, room_snapshot, draw, key="group", on_change=follow)
writable = state.accepting

def save_mood(moment: str) -> None:
    weather = st.session_state.get(f"mood_{moment}")
    if weather:
        run("mood_error", mood.set_mood, moment, weather)


# mood check
if state.mood_check and not state.closed:
    moment = state.mood_check
    with st.form(f"mood_form_{moment}", border=True):
        st.markdown(f"**{t(f'flow.mood.question_{moment}')}**")
        current = room.mood.mine(TOKEN, moment)
        st.radio(t("flow.mood.weather"), WEATHERS, index=WEATHERS.index(current) if current else None,
                 format_func=weather_label, horizontal=True, key=f"mood_{moment}")
        st.form_submit_button(t("flow.mood.save"), key=f"mood_save_{moment}", on_click=save_mood, args=(moment,))
    show_error("mood_error")

# stage 1: personas and the board
if state.stage == "diagnostic":
    st.subheader(t("group.personas"), anchor=False)
    cards = [p for p in canvas.list_personas(SID) if p.subgroup_id == GROUP or p.open_to_all]
    if not cards:
        st.caption(t("group.no_personas"))
    for persona in cards:
        with st.container(border=True):
            age = t("group.persona_age", age=persona.age) if persona.age is not None else ""
            st.markdown(f"**{md(persona.name)}**")
            if age or persona.origin:
                st.caption(md(" · ".join(x for x in (age, persona.origin) if x)))
            for fact in persona.facts:
                st.text(f"• {fact}")
            if (Path(__file__).resolve().parent / "canvas.py").exists() and \
                    st.button(t("flow.group.open_canvas"), key=f"open_canvas_{persona.id}"):
                st.session_state["canvas_persona_id"] = persona.id
                try:
                    st.switch_page(CANVAS_PAGE)
                except StreamlitPageNotFoundError:
                    pass
    if writable:
        st.subheader(t("flow.board.add"), anchor=False)
        kind = st.radio(t("flow.board.kind"), board.BOARD_KINDS, horizontal=True, key="board_kind",
                        format_func=lambda k: t(f"flow.kind.{k}"))
        with st.form("board_form", border=True):
            cats = board.categories_for(state.category_template, kind)
            st.selectbox(t("flow.board.category"), cats, key=f"board_category_{kind}", format_func=category_label)
            st.text_area(t("flow.board.text"), key="board_text", max_chars=1000, persist_state="page")
            st.form_submit_button(t("flow.board.add_button"), key="board_submit", type="primary", on_click=lambda: run(
                "board_error", board.add_contribution, SID, kind, st.session_state.get(f"board_category_{kind}") or "",
                st.session_state.get("board_text", ""), clear={"board_text": ""}))
        show_error("board_error")
        own_contributions(closing=False)

# stage 2: write recommendations (the list and the vote are in the live part)
if state.stage == "recommendations" and writable:
    board_now = room.board
    visible_ids = {i.id for i in board_now.visible(GROUP)}
    options = [o for o in room.recommendations.options if o.kind != "contribution" or o.id in visible_ids]
    labels = {f"{o.kind}:{o.id}": o for o in options}

    def source_label(key: str) -> str:
        return labels_mod.source_label(labels[key]) if key in labels else key

    def parse_sources(keys: list[str]) -> list[tuple[str, int]]:
        return [(k.split(":")[0], int(k.split(":")[1])) for k in keys or []]

    st.subheader(t("flow.rec.new"), anchor=False)
    with st.form("rec_form", border=True):
        st.text_input(t("flow.rec.title_label"), key="rec_title", max_chars=200, persist_state="page")
        st.text_area(t("flow.rec.text_label"), key="rec_text", max_chars=5000, persist_state="page")
        cols = st.columns(2)
        cols[0].selectbox(t("flow.rec.level"), POWER_LEVELS, key="rec_level", format_func=lambda x: t(f"flow.level.{x}"))
        cols[1].text_input(t("flow.rec.public"), key="rec_public", max_chars=200, persist_state="page")
        st.multiselect(t("flow.rec.sources"), list(labels), key="rec_sources", format_func=source_label,
                       help=t("flow.rec.sources_help"), placeholder=t("flow.rec.sources_placeholder"))
        st.form_submit_button(t("flow.rec.add_button"), key="rec_submit", type="primary", on_click=lambda: run(
            "rec_error", recommendations.create_recommendation, SID, st.session_state.get("rec_title", ""),
            st.session_state.get("rec_level"), text=st.session_state.get("rec_text", ""),
            public=st.session_state.get("rec_public", ""), sources=parse_sources(st.session_state.get("rec_sources")),
            clear={"rec_title": "", "rec_text": "", "rec_public": "", "rec_sources": []}))
    show_error("rec_error")

    rec_fields = [Field("title", t("flow.rec.title_label")), Field("text", t("flow.rec.text_label")),
                  Field("level", t("flow.rec.level"), lambda x: t(f"flow.level.{x}") if x else ""),
                  Field("public", t("flow.rec.public"))]
    for rec in [r for r in room.recommendations.items if r.subgroup_id == GROUP]:
        edit = RowEdit(f"rec_{rec.id}")
        edit.open(rec.version, {
            f"rec_edit_title_{rec.id}": rec.title, f"rec_edit_text_{rec.id}": rec.text,
            f"rec_edit_level_{rec.id}": rec.level, f"rec_edit_public_{rec.id}": rec.public,
            f"rec_edit_sources_{rec.id}": [f"{k}:{i}" for k, i in rec.source_keys if f"{k}:{i}" in labels]})

        def write_rec(version: int | None, ident: int = rec.id) -> Any:
            g = st.session_state.get
            return recommendations.edit_recommendation(
                actor, ident, version, sources=parse_sources(g(f"rec_edit_sources_{ident}")),
                title=g(f"rec_edit_title_{ident}", ""), text=g(f"rec_edit_text_{ident}", ""),
                level=g(f"rec_edit_level_{ident}"), public=g(f"rec_edit_public_{ident}", ""))

        with st.expander(t("flow.rec.edit", title=md(rec.title)), expanded=edit.conflict is not None):
            with st.form(f"rec_edit_{rec.id}", border=False):
                st.text_input(t("flow.rec.title_label"), key=f"rec_edit_title_{rec.id}", max_chars=200)
                st.text_area(t("flow.rec.text_label"), key=f"rec_edit_text_{rec.id}", max_chars=5000)
                st.selectbox(t("flow.rec.level"), POWER_LEVELS, key=f"rec_edit_level_{rec.id}",
                             format_func=lambda x: t(f"flow.level.{x}"))
                st.text_input(t("flow.rec.public"), key=f"rec_edit_public_{rec.id}", max_chars=200)
                st.multiselect(t("flow.rec.sources"), list(labels), key=f"rec_edit_sources_{rec.id}",
                               format_func=source_label, placeholder=t("flow.rec.sources_placeholder"))
                st.form_submit_button(t("flow.save"), key=f"rec_edit_save_{rec.id}", on_click=edit.save,
                                      args=(write_rec,))
            edit.show(rec_fields, write_rec)

# stage 3: plans of the sub-group for the retained recommendations
if state.stage == "implementation" and writable:
    st.subheader(t("flow.plan.ours"), anchor=False)
    st.caption(t("flow.plan.intro"))
    show_error("plan_error")
    for rec in room.recommendations.retained:
        plan = next((p for p in room.plans if p.recommendation_id == rec.id and p.subgroup_id == GROUP), None)
        with st.container(border=True):
            st.markdown(f"**{md(rec.title)}**")
            if plan is None:
                st.button(t("flow.plan.start"), key=f"plan_start_{rec.id}", on_click=run,
                          args=("plan_error", plans.start_plan, rec.id))
                continue
            plan_editor(plan)
            st.markdown(f"*{t('flow.plan.actions')}*")
            for a in plan.actions:
                action_editor(a)
            with st.form(f"action_form_{plan.id}", border=False):
                cols = st.columns(3)
                cols[0].text_input(t("flow.plan.action"), key=f"action_text_{plan.id}", max_chars=1000,
                                   persist_state="page")
                cols[1].text_input(t("flow.plan.carrier"), key=f"action_carrier_{plan.id}", max_chars=200,
                                   persist_state="page")
                cols[2].date_input(t("flow.plan.due"), value=None, key=f"action_due_{plan.id}_date",
                                   min_value=dt.date(2000, 1, 1), format="DD/MM/YYYY")
                cols = st.columns(3)
                cols[0].text_input(t("flow.plan.means"), key=f"action_means_{plan.id}", max_chars=1000,
                                   persist_state="page")
                cols[1].text_input(t("flow.plan.indicator"), key=f"action_indicator_{plan.id}", max_chars=1000,
                                   persist_state="page")
                cols[2].text_input(t("flow.plan.risks"), key=f"action_risks_{plan.id}", max_chars=1000,
                                   persist_state="page")
                st.form_submit_button(t("flow.plan.add_action"), key=f"action_add_{plan.id}", on_click=lambda p=plan: run(
                    "plan_error", plans.add_action, p.id, st.session_state.get(f"action_text_{p.id}", ""),
                    carrier=st.session_state.get(f"action_carrier_{p.id}", ""),
                    due=st.session_state.get(f"action_due_{p.id}_date"),
                    means=st.session_state.get(f"action_means_{p.id}", ""),
                    indicator=st.session_state.get(f"action_indicator_{p.id}", ""),
                    risks=st.session_state.get(f"action_risks_{p.id}", ""),
                    clear={**{f"action_{x}_{p.id}": "" for x in ("text", "carrier", "means", "indicator", "risks")},
                           f"action_due_{p.id}_date": None}))
    show_undo("plan_action")

# closing round: findings and wishes
if state.closing_round and writable:
    st.subheader(t("flow.closing.add"), anchor=False)
    with st.form("closing_form", border=True):
        st.radio(t("flow.board.kind"), board.CLOSING_KINDS, horizontal=True, key="closing_kind",
                 format_func=lambda k: t(f"flow.kind.{k}"))
        st.text_area(t("flow.board.text"), key="closing_text", max_chars=1000, persist_state="page")
        st.form_submit_button(t("flow.board.add_button"), key="closing_submit", on_click=lambda: run(
            "closing_error", board.add_contribution, SID, st.session_state["closing_kind"],
            board.categories_for(state.category_template, st.session_state["closing_kind"], closing=True)[0],
            st.session_state.get("closing_text", ""), clear={"closing_text": ""}))
    show_error("closing_error")
    own_contributions(closing=True)
