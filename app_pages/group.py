"""A sub-group's work page, task first: at the top, the stage the facilitator chose with its
prompt and the timer (live), then what the sub-group must do now — the mood check when it is open
(one tap on a weather), the closing round when open, and the stage's form: add to the board (stage
1), write a recommendation (stage 2; the ballot comes first while a vote is open), the group's
implementation plans (stage 3). What the sub-group wrote follows (to edit), then what the other
sub-groups wrote, collapsed or searched (live).

Two live parts follow the session on every tick: the task band at the top (which reruns the page
when the stage, or anything that changes the forms, moves, so no one is left on an old stage) and
the room's work at the bottom. Forms stay outside them so a tick never clears what someone is
typing, and no button inside one changes what is drawn outside it (in a browser such a click reruns
that part only).

The sub-group edits what it wrote (contributions, recommendations, plan answers and actions)
through ``ui.actions.RowEdit``: a save over a teammate's newer version is refused and both are
shown; deletes can be undone."""
from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable
from pathlib import Path
from typing import Any

import streamlit as st
from streamlit.errors import StreamlitPageNotFoundError

from core import entities
from core import limits as L
from core.errors import AtelierError
from core.personas import canvas
from core.session import board, mood, plans, recommendations, theme_process, voting
from core.session.room import Room, room_snapshot
from core.vocabulary import WEATHERS
from ui import actions, auth, errors
from ui import recommendation_form as rec_form
from ui.actions import Field, RowEdit, show_error
from ui.i18n import current_language, date_label, fmt_date, t
from ui.labels import category_label, weather_label
from ui.live import live_view, snapshot
from ui.text import md
from ui.timer import timer

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
            s.closing_round, tuple(r.id for r in room.recommendations.plannable),
            tuple(p.id for p in own_plans), own_recs, options, own_items,
            tuple(a.id for p in own_plans for a in p.actions))


def day_text(value: dt.datetime | None) -> str:
    """A session's date, short, in the user's language."""
    return fmt_date(value.date(), current_language(), "short") if value else "—"


def retained_on(rec: recommendations.RecommendationView) -> str:
    """" · retenue le 04/12/23" for a recommendation retained on an earlier date of the theme."""
    if rec.session_id == SID:
        return ""
    return f" · {t('flow.earlier.retained_on', date=day_text(EARLIER_DATES.get(rec.session_id)))}"


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


# --- the live parts ---------------------------------------------------------------------------

def draw_task(room: Room) -> None:
    """The top of the page: the stage, its prompt and the timer, in a band; during a vote in stage
    2, the ballot (the task then)."""
    s = room.state
    with st.container(border=True, key="stage_banner"):
        with st.container(horizontal=True, vertical_alignment="center", horizontal_alignment="distribute",
                          gap="small"):
            st.caption(t("flow.stage_of", n=s.stage_step[0], total=s.stage_step[1]), width="content")
            timer(s)
        st.header(t(f"stage.{s.stage}"), anchor=False)
        st.markdown(md(s.prompt) if s.prompt else t(f"flow.prompt.{s.stage}"))
        if s.closed:
            st.info(t("group.session_closed"))
        elif not s.contributions_open:
            st.warning(t("flow.group.paused"))
        if s.contributions_hidden and not s.closed:
            st.caption(t("flow.group.hidden"))
    if room.votes.status == "open" and not s.closed and s.stage == "recommendations":
        draw_ballot(room)


def vote_message(votes: voting.VoteState, rec_ids: list[int]) -> str:
    """How many dots the sub-group has left, said plainly when some cannot be placed."""
    placeable, stranded = votes.placeable(GROUP, rec_ids), votes.stranded(GROUP, rec_ids)
    if not stranded:
        return t("flow.vote.left", left=votes.left(GROUP), dots=votes.dots)
    if not placeable:
        return t("flow.vote.all_placed", stranded=stranded)
    return t("flow.vote.placeable", placeable=placeable, stranded=stranded, recs=len(rec_ids))


def draw_ballot(room: Room) -> None:
    """The open vote: what is left to place, and each recommendation with +1 / −1."""
    votes, items = room.votes, room.recommendations.items
    with st.container(border=True, key="ballot_box"):
        st.subheader(t("flow.vote.title"), anchor=False)
        if not items:
            st.caption(t("flow.rec.none"))
            return
        st.info(vote_message(votes, [r.id for r in items]), icon=":material/how_to_vote:")
        show_error("vote_error")
        for rec in items:
            mine = votes.mine(GROUP, rec.id)
            with st.container(key=f"ballot_{rec.id}"), \
                    st.container(horizontal=True, vertical_alignment="center", gap="small"):
                st.markdown(f"**{md(rec.title)}** · {t(f'flow.level.{rec.level}')}"
                            + (f"  \n{t('flow.vote.mine', dots='●' * mine)}" if mine else ""), width="stretch")
                st.button(t("flow.vote.add"), key=f"dot_add_{rec.id}", on_click=run,
                          args=("vote_error", voting.cast_dot, SID, rec.id),
                          disabled=votes.left(GROUP) == 0 or (mine > 0 and not votes.multi))
                st.button(t("flow.vote.remove"), key=f"dot_remove_{rec.id}", on_click=run,
                          args=("vote_error", voting.remove_dot, SID, rec.id), disabled=mine == 0)


def board_lines(items: list[board.BoardItem], with_group: bool = True) -> str:
    """Board items as one Markdown list (one element per list, however long)."""
    lines = []
    for item in items:
        where = [category_label(item.category)] + ([item.subgroup_name or t("flow.facilitation")] if with_group else [])
        lines.append(f"- {md(item.text)}  \n  *{md(' · '.join(where))}*")
    return "\n".join(lines)


def matches(item: board.BoardItem, query: str) -> bool:
    query = query.casefold()
    return any(query in x.casefold() for x in (item.text, category_label(item.category), item.subgroup_name,
                                                t(f"flow.kind.{item.kind}")))


def draw_board(b: board.Board, closing: bool = False) -> None:
    """The room's board: ours first when it is not edited above, then the other sub-groups' by
    kind, each kind collapsed (drawn only when opened); or what matches the search."""
    items = b.closing_round(GROUP) if closing else b.diagnostic(GROUP)
    kinds = board.CLOSING_KINDS if closing else board.BOARD_KINDS
    edited_above = EDIT_CLOSING if closing else EDIT_BOARD
    mine = [i for i in items if i.subgroup_id == GROUP]
    others = [i for i in items if i.subgroup_id != GROUP]
    if not items:
        st.caption(t("flow.board.empty"))
        return
    query = "" if closing else (st.session_state.get("board_search") or "").strip()
    if query:
        found = [i for i in (others if edited_above else items) if matches(i, query)]
        st.caption(t("flow.board.found", count=len(found), query=md(query)))
        if found:
            st.markdown(board_lines(found))
        return
    if mine and not edited_above:
        st.markdown(f"**{t('flow.board.ours_title')}**")
        for kind in kinds:
            ours = [i for i in mine if i.kind == kind]
            if ours:
                st.markdown(f"*{t(f'flow.kinds.{kind}')}*\n\n" + board_lines(ours, with_group=False))
    if not others:
        return
    st.markdown(f"**{t('flow.board.others_title')}**")
    st.caption(t("flow.board.others_help", count=len(others)))
    for kind in kinds:
        theirs = [i for i in others if i.kind == kind]
        if not theirs:
            continue
        box = st.expander(t("flow.board.kind_count", kind=t(f"flow.kinds.{kind}"), count=len(theirs)),
                          key=f"room_{'closing' if closing else 'board'}_{kind}", on_change="rerun")
        if box.open:
            with box:
                st.markdown(board_lines(theirs))


def draw_sources(rec: recommendations.RecommendationView) -> None:
    lines = []
    for src in rec.sources:
        if src.kind == "contribution":
            lines.append(f"- {t(f'flow.kind.{src.detail}')} : {md(src.text)}")
        elif src.kind == "need":
            lines.append(f"- {t('flow.source.need')} : {md(src.text)} ({md(src.detail)})")
        else:
            lines.append(f"- {t('flow.source.persona')} : {md(src.text)}")
    lines += [f"- {t('flow.rec.merged_from')} : {md(merged.title)}" for merged in rec.merged_from]
    st.markdown(f"{t('flow.rec.trail')}\n\n" + "\n".join(lines))
    try:
        st.page_link("app_pages/recommendation.py", label=t("flow.rec.full_trail"), icon=":material/account_tree:",
                     query_params={"rec": str(rec.id)})
    except StreamlitPageNotFoundError:
        pass  # the trail page is not in this navigation


def rec_text(rec: recommendations.RecommendationView, votes: voting.VoteState, totals: dict[int, int] | None,
             with_group: bool) -> str:
    """One recommendation as one Markdown block: title, level, author, text, public, dots."""
    head = f"**{md(rec.title)}** · {t(f'flow.level.{rec.level}')}"
    if with_group:
        head += f" · *{md(rec.subgroup_name or t('flow.facilitation'))}*"
    parts = [head]
    if rec.text:
        parts.append(md(rec.text))
    if rec.public:
        parts.append(t("flow.rec.public_is", public=md(rec.public)))
    mine = votes.mine(GROUP, rec.id)
    if votes.status != "none" and mine:
        parts.append(t("flow.vote.mine", dots="●" * mine))
    if totals is not None:
        parts.append(f"**{t('flow.vote.total', count=totals.get(rec.id, 0))}**")
    return "  \n".join(parts)


def draw_recommendations(room: Room) -> None:
    """Ours, each with its trail; then the other sub-groups' in one collapsed list."""
    votes, items = room.votes, room.recommendations.items
    totals = votes.public_totals()
    if not items:
        st.caption(t("flow.rec.none"))
        return
    mine = [r for r in items if r.subgroup_id == GROUP]
    others = [r for r in items if r.subgroup_id != GROUP]
    if mine:
        st.markdown(f"**{t('flow.rec.ours')}**")
    for rec in mine:
        with st.container(border=True):
            st.markdown(rec_text(rec, votes, totals, with_group=False))
            with st.expander(t("flow.rec.trail_short", count=len(rec.sources))):
                draw_sources(rec)
    if not others:
        return
    box = st.expander(t("flow.rec.others", count=len(others)), key="room_recs_others", on_change="rerun",
                      icon=":material/groups:")
    if box.open:
        with box:
            for rec in others:
                st.markdown(rec_text(rec, votes, totals, with_group=True))
                try:
                    st.page_link("app_pages/recommendation.py", label=t("flow.rec.full_trail"),
                                 icon=":material/account_tree:", query_params={"rec": str(rec.id)})
                except StreamlitPageNotFoundError:
                    pass
                st.divider()


def plan_text(plan: plans.PlanView) -> str:
    parts = []
    for field, key in DPA_PC:
        value = getattr(plan, field)
        if value:
            parts.append(f"*{t(key)}*  \n{md(value)}")
    for a in plan.actions:
        due = a.due.isoformat() if a.due else "—"
        line = (f"- **{md(a.action)}** · {t('flow.plan.carrier')} : {md(a.carrier or '—')} · "
                f"{t('flow.plan.due')} : {due}")
        details = " · ".join(f"{t(k)} : {md(v)}" for k, v in (("flow.plan.means", a.means),
                             ("flow.plan.indicator", a.indicator), ("flow.plan.risks", a.risks)) if v)
        parts.append(line + (f"  \n  *{details}*" if details else ""))
    return "\n\n".join(parts)


def draw_plans(room: Room) -> None:
    """Per retained recommendation (also on an earlier date of the theme): our plan as the room reads
    it, the other sub-groups' collapsed."""
    retained = room.recommendations.plannable
    if not retained:
        st.caption(t("flow.plan.none_retained"))
    for rec in retained:
        st.markdown(f"**{md(rec.title)}**{retained_on(rec)}")
        here = [p for p in room.plans if p.recommendation_id == rec.id]
        ours = [p for p in here if p.subgroup_id == GROUP]
        theirs = [p for p in here if p.subgroup_id != GROUP]
        for plan in ours:
            with st.container(border=True):
                st.caption(t("flow.plan.by", group=md(plan.subgroup_name)))
                st.markdown(plan_text(plan) or "—")
        if not here:
            st.caption(t("flow.plan.none_yet"))
        if theirs:
            box = st.expander(t("flow.plan.others", count=len(theirs)), key=f"room_plans_{rec.id}", on_change="rerun")
            if box.open:
                with box:
                    for plan in theirs:
                        st.caption(t("flow.plan.by", group=md(plan.subgroup_name or t("flow.facilitation"))))
                        st.markdown(plan_text(plan) or "—")


def draw_room(room: Room) -> None:
    """The bottom of the page: what the room wrote in this stage (everything once closed)."""
    s = room.state
    if room.votes.status == "open" and not s.closed and s.stage != "recommendations":
        draw_ballot(room)         # a vote left open in another stage: after that stage's task
    if s.stage == "diagnostic" or s.closed:
        draw_board(room.board)
    if s.stage == "recommendations" or s.closed:
        st.subheader(t("flow.rec.title"), anchor=False)
        draw_recommendations(room)
    if s.stage == "implementation" or s.closed:
        st.subheader(t("flow.plan.title"), anchor=False)
        draw_plans(room)
    if s.closing_round or (s.closed and room.board.closing_round(GROUP)):
        st.subheader(t("flow.closing.title"), anchor=False)
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
                st.selectbox(t("flow.board.category"), cats, key=keys["category"], format_func=category_label,
                             placeholder=t("widget.choose_one"))
            st.text_area(t("flow.board.text"), key=keys["text"], max_chars=L.ITEM_MAX)
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
    for item in reversed(mine):     # the newest first: what was just added is at hand
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
            cols[0].text_input(t("flow.plan.action"), key=keys["action"], max_chars=L.ITEM_MAX)
            cols[1].text_input(t("flow.plan.carrier"), key=keys["carrier"], max_chars=L.TITLE_MAX)
            cols[2].date_input(date_label("flow.plan.due"), key=keys["due"], min_value=dt.date(2000, 1, 1),
                               format="DD/MM/YYYY")
            cols = st.columns(3)
            cols[0].text_input(t("flow.plan.means"), key=keys["means"], max_chars=L.ITEM_MAX)
            cols[1].text_input(t("flow.plan.indicator"), key=keys["indicator"], max_chars=L.ITEM_MAX)
            cols[2].text_input(t("flow.plan.risks"), key=keys["risks"], max_chars=L.ITEM_MAX)
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
            st.text_area(t(key), key=f"plan_{field}_{plan.id}", max_chars=L.LONG_MAX)
        st.form_submit_button(t("flow.save"), key=f"plan_save_{plan.id}", on_click=edit.save, args=(write,))
    edit.show([Field(f, t(k)) for f, k in DPA_PC], write)


# --- the task's forms (outside the live parts: a tick never clears them) -------------------------

# Static CSS (no user text): less empty space above the task, a calm band for the stage, and
# contrast of at least 4.5:1 where Streamlit's defaults fall short (grey captions, faded to about
# 2.7:1; the chosen pill's text in the theme colour on its tint, 4.47:1).
PAGE_CSS = """<style>
[data-testid="stMainBlockContainer"] { padding-top: 4rem; padding-bottom: 4rem; }
.st-key-group_head h1 { font-size: 1.25rem; padding: 0; }
.st-key-stage_banner { background-color: #f2f6fb; border-color: #c9d6e6; }
.st-key-stage_banner h2 { padding-top: 0; padding-bottom: 0.25rem; }
.st-key-stage_banner h3 { padding: 0; }
[class*="st-key-"][class*="_box"] h3 { font-size: 1.4rem; padding-top: 0.25rem; }
@media (max-width: 640px) { .st-key-stage_banner h2 { font-size: 1.75rem; } }
[data-testid="stCaptionContainer"] { color: #55585f !important; opacity: 1 !important; }
.st-key-board_kind button[data-selected="true"] p, [class*="st-key-mood_"] button[data-selected="true"] p {
  color: #1f2430 !important; }
</style>"""


def save_mood(moment: str) -> None:
    weather = st.session_state.get(f"mood_{moment}")
    if weather and run("mood_error", mood.set_mood, moment, weather):
        st.session_state["mood_saved"] = True


def mood_check(moment: str) -> None:
    """The open mood check: one tap on a weather saves it; it can be changed until it closes."""
    key = f"mood_{moment}"
    current = room.mood.mine(TOKEN, moment)
    if key not in st.session_state and current:
        st.session_state[key] = current
    with st.container(border=True, key="mood_box"):
        question = t(f"flow.mood.question_{moment}")
        hint = t("flow.mood.yours", weather=weather_label(current)) if current else t("flow.mood.tap")
        st.markdown(f"**{question}** {hint}")
        st.pills(question, WEATHERS, key=key, format_func=weather_label, required=True, on_change=save_mood,
                 args=(moment,), label_visibility="collapsed")
        show_error("mood_error")
        if current and st.session_state.pop("mood_saved", False):      # just tapped: say it is saved
            st.success(t("flow.mood.saved", weather=weather_label(current)), icon=":material/check_circle:")


def show_form_error(key: str, fields: tuple[str, ...]) -> None:
    """The refusal kept under ``key``; a missing field of the board's forms said by its name."""
    exc = st.session_state.pop(key, None)
    if exc is None:
        return
    if isinstance(exc, AtelierError) and exc.key == "error.required" and exc.field in fields:
        st.error(t(f"flow.board.{exc.field}_required"), icon=":material/error:")
    else:
        errors.show(exc)


def show_added(key: str) -> None:
    """The confirmation of the add just made (kept until the next run of the page)."""
    added = st.session_state.pop(key, None)
    if added:
        kind, text = added
        short = text if len(text) <= 120 else text[:119] + "…"
        st.success(t("flow.board.added", kind=t(f"flow.kind.{kind}"), text=md(short)), icon=":material/check_circle:")


def add_to_board(kind: str, category_key: str | None, text_key: str, error_key: str) -> None:
    """Add what is typed under ``text_key``, in the category chosen under ``category_key`` (the
    closing round's own category without one); on success, empty the text and confirm."""
    text = st.session_state.get(text_key, "")
    if category_key is None:
        category = board.categories_for(state.category_template, kind, closing=True)[0]
    else:
        category = st.session_state.get(category_key) or ""
    if run(error_key, board.add_contribution, SID, kind, category, text, clear={text_key: ""}):
        st.session_state[f"{text_key}_added"] = (kind, text.strip())


def board_form() -> None:
    """Stage 1's form: the kind, the text, and a category the table chooses (none preselected);
    after an add the text empties, the kind and category stay for the next one."""
    with st.container(border=True, key="board_box"):
        st.subheader(t("flow.board.add"), anchor=False)
        kind = st.pills(t("flow.board.kind"), board.BOARD_KINDS, key="board_kind", default=board.BOARD_KINDS[0],
                        required=True, format_func=lambda k: t(f"flow.kind.{k}"),
                        label_visibility="collapsed") or board.BOARD_KINDS[0]
        with st.form("board_form", border=False, enter_to_submit=False):
            st.text_area(t("flow.board.text"), key="board_text", max_chars=L.ITEM_MAX, persist_state="page",
                         placeholder=t("flow.board.text_placeholder"), height=96)
            st.selectbox(t("flow.board.category"), board.categories_for(state.category_template, kind), index=None,
                         key=f"board_category_{kind}", format_func=category_label, persist_state="page",
                         placeholder=t("flow.board.category_placeholder"))
            st.form_submit_button(t("flow.board.add_button"), key="board_submit", type="primary",
                                  icon=":material/add:", on_click=add_to_board,
                                  args=(kind, f"board_category_{kind}", "board_text", "board_error"))
        show_form_error("board_error", ("category", "text"))
        show_added("board_text_added")


def closing_form() -> None:
    """The closing round: a finding or a wish for what comes next."""
    with st.container(border=True, key="closing_box"):
        st.subheader(t("flow.closing.add"), anchor=False)
        with st.form("closing_form", border=False, enter_to_submit=False):
            st.radio(t("flow.board.kind"), board.CLOSING_KINDS, horizontal=True, key="closing_kind",
                     format_func=lambda k: t(f"flow.kind.{k}"))
            st.text_area(t("flow.board.text"), key="closing_text", max_chars=L.ITEM_MAX, persist_state="page",
                         height=96)
            st.form_submit_button(t("flow.board.add_button"), key="closing_submit", type="primary",
                                  icon=":material/add:", on_click=lambda: add_to_board(
                                      st.session_state.get("closing_kind") or "finding", None, "closing_text",
                                      "closing_error"))
        show_form_error("closing_error", ("text",))
        show_added("closing_text_added")


def open_canvas(persona_id: int) -> None:
    st.session_state["canvas_persona_id"] = persona_id
    try:
        st.switch_page(CANVAS_PAGE)
    except StreamlitPageNotFoundError:
        pass


def personas_list() -> None:
    """The personas this table works on, each a click away from its canvas (also those it picked up
    from an earlier date of the theme)."""
    cards = [p for p in canvas.list_personas(SID) if p.subgroup_id == GROUP or p.open_to_all]
    cards += canvas.continued_personas(SID, GROUP)
    st.subheader(t("group.personas"), anchor=False)
    if not cards:
        st.caption(t("group.no_personas"))
    has_canvas = (Path(__file__).resolve().parent / "canvas.py").exists()
    for persona in cards:
        with st.container(border=True, horizontal=True, vertical_alignment="center", gap="small"):
            age = t("group.persona_age", age=persona.age) if persona.age is not None else ""
            about = " · ".join(x for x in (age, persona.origin, *persona.facts) if x)
            st.markdown(f"**{md(persona.name)}**" + (f"  \n{md(about)}" if about else ""), width="stretch")
            if persona.session_id != SID:
                st.caption(t("flow.earlier.continued_from", date=day_text(EARLIER_DATES.get(persona.session_id))),
                           width="content")
            if has_canvas and st.button(t("flow.group.open_canvas"), key=f"open_canvas_{persona.id}",
                                        icon=":material/edit_note:"):
                open_canvas(persona.id)


def earlier_material() -> None:
    """What the earlier dates of the theme produced: their personas (to read, or to pick up and
    continue) and their board, read-only; collapsed, after the task."""
    material = theme_process.earlier_material(SID)
    if material.empty:
        return
    box = st.expander(t("flow.earlier.title", count=len(material.sessions)), icon=":material/history:",
                      key="earlier_box", expanded=state.stage == "diagnostic" and not material.picked_up_by(GROUP))
    with box:
        st.caption(t("flow.earlier.intro"))
        show_error("pick_up_error")
        picked = st.session_state.pop("picked_up_notice", None)
        if picked:
            st.success(t("flow.earlier.picked_up", name=md(picked)), icon=":material/check_circle:")
        has_canvas = (Path(__file__).resolve().parent / "canvas.py").exists()
        for when in reversed(material.sessions):    # the newest date first
            personas = [p for p in material.personas if p.session_id == when.id]
            findings = [f for f in material.findings if f.session_id == when.id]
            if not (personas or findings):
                continue
            st.markdown(f"**{t('flow.earlier.date', date=day_text(when.starts_at))}**"
                        + (f" · {md(when.title)}" if when.title else ""))
            for persona in personas:
                with st.container(border=True, horizontal=True, vertical_alignment="center", gap="small",
                                  key=f"earlier_persona_{persona.id}"):
                    about = [t("group.persona_age", age=persona.age) if persona.age is not None else "",
                             persona.origin, persona.subgroup_name]
                    if persona.picked_up_by == GROUP:
                        about.append(t("flow.earlier.picked_up_by_us"))
                    elif persona.picked_up_by is not None:
                        about.append(t("flow.earlier.picked_up_by", group=persona.picked_up_by_name))
                    st.markdown(f"**{md(persona.name)}**  \n{md(' · '.join(x for x in about if x))}", width="stretch")
                    if persona.picked_up_by is None and writable:
                        st.button(t("flow.earlier.pick_up"), key=f"pick_up_{persona.id}", icon=":material/move_down:",
                                  on_click=run, args=("pick_up_error", theme_process.pick_up_persona, persona.id, SID),
                                  kwargs={"then": lambda done: st.session_state.update(picked_up_notice=done["name"])})
                    if has_canvas and st.button(t("flow.earlier.read_canvas") if persona.picked_up_by != GROUP
                                                else t("flow.group.open_canvas"), key=f"earlier_canvas_{persona.id}",
                                                icon=":material/visibility:"):
                        open_canvas(persona.id)
            if findings:
                st.markdown(f"*{t('flow.earlier.findings', count=len(findings))}*")
                st.markdown("\n".join(f"- {t(f'flow.kind.{f.kind}')} · {md(f.text)}"
                                       + (f" — *{md(f.subgroup_name)}*" if f.subgroup_name else "") for f in findings))


def recommendation_box() -> None:
    """Stage 2's form, then our recommendations to edit."""
    citable = recommendations.citable_sources(room.recommendations, room.board, GROUP)
    with st.container(border=True, key="rec_box"):
        st.subheader(t("flow.rec.new"), anchor=False)
        rec_form.new_form(actor, SID, citable, "rec", subgroup_id=GROUP)
    ours = [r for r in room.recommendations.items if r.subgroup_id == GROUP]
    if ours:
        st.markdown(f"**{t('flow.rec.ours_edit')}**")
    for rec in ours:
        rec_form.edit_form(actor, rec, "rec_edit", citable, expander=True, subgroup_id=GROUP)


def plan_forms() -> None:
    """Stage 3's form: our plan for each retained recommendation, its four questions, its actions."""
    with st.container(key="plans_head_box"):
        st.subheader(t("flow.plan.ours"), anchor=False)
        st.caption(t("flow.plan.intro"))
    show_error("plan_error")
    if not room.recommendations.plannable:
        st.info(t("flow.plan.none_retained"))
    for rec in room.recommendations.plannable:
        plan = next((p for p in room.plans if p.recommendation_id == rec.id and p.subgroup_id == GROUP), None)
        with st.container(border=True, key=f"plan_box_{rec.id}"):
            st.markdown(f"**{md(rec.title)}**{retained_on(rec)}")
            if plan is None:
                st.button(t("flow.plan.start"), key=f"plan_start_{rec.id}", type="primary", icon=":material/edit:",
                          on_click=run, args=("plan_error", plans.start_plan, rec.id))
                continue
            plan_editor(plan)
            st.markdown(f"*{t('flow.plan.actions')}*")
            for a in plan.actions:
                action_editor(a)
            with st.form(f"action_form_{plan.id}", border=False, enter_to_submit=False):
                cols = st.columns(3)
                cols[0].text_input(t("flow.plan.action"), key=f"action_text_{plan.id}", max_chars=L.ITEM_MAX,
                                   persist_state="page")
                cols[1].text_input(t("flow.plan.carrier"), key=f"action_carrier_{plan.id}", max_chars=L.TITLE_MAX,
                                   persist_state="page")
                cols[2].date_input(date_label("flow.plan.due"), value=None, key=f"action_due_{plan.id}_date",
                                   min_value=dt.date(2000, 1, 1), format="DD/MM/YYYY")
                cols = st.columns(3)
                cols[0].text_input(t("flow.plan.means"), key=f"action_means_{plan.id}", max_chars=L.ITEM_MAX,
                                   persist_state="page")
                cols[1].text_input(t("flow.plan.indicator"), key=f"action_indicator_{plan.id}", max_chars=L.ITEM_MAX,
                                   persist_state="page")
                cols[2].text_input(t("flow.plan.risks"), key=f"action_risks_{plan.id}", max_chars=L.ITEM_MAX,
                                   persist_state="page")
                st.form_submit_button(t("flow.plan.add_action"), key=f"action_add_{plan.id}", icon=":material/add:",
                                      on_click=lambda p=plan: run(
                    "plan_error", plans.add_action, p.id, st.session_state.get(f"action_text_{p.id}", ""),
                    carrier=st.session_state.get(f"action_carrier_{p.id}", ""),
                    due=st.session_state.get(f"action_due_{p.id}_date"),
                    means=st.session_state.get(f"action_means_{p.id}", ""),
                    indicator=st.session_state.get(f"action_indicator_{p.id}", ""),
                    risks=st.session_state.get(f"action_risks_{p.id}", ""),
                    clear={**{f"action_{x}_{p.id}": "" for x in ("text", "carrier", "means", "indicator", "risks")},
                           f"action_due_{p.id}_date": None}, notice=("plan_notice", "flow.plan.action_added")))
    notice = st.session_state.pop("plan_notice", None)
    if notice:
        st.success(t(notice), icon=":material/check_circle:")
    show_undo("plan_action")


# --- the page -----------------------------------------------------------------------------------

st.html(PAGE_CSS)
_rev, room = snapshot(room_snapshot, SID)
state = room.state
EARLIER_DATES = {x.id: x.starts_at for x in theme_process.earlier_sessions(SID)}   # the theme's earlier dates
writable = state.accepting
EDIT_BOARD = writable and state.stage == "diagnostic"
EDIT_CLOSING = writable and bool(state.closing_round)
EDIT_RECS = writable and state.stage == "recommendations"
EDIT_PLANS = writable and state.stage == "implementation"
st.session_state["group_shape"] = shape(room)

# who and where, small: the page's title is the sub-group's name, the stage below is what stands out
with st.container(key="group_head", horizontal=True, vertical_alignment="center", gap="small"):
    st.title(md(membership.subgroup_name) if membership.subgroup_name else t("group.title"), anchor=False,
             width="content")
    if membership.display_name:
        st.markdown(f"· {t('group.welcome', name=md(membership.display_name))}", width="content")
st.caption(md(f"{membership.event_title} · {membership.theme_title}"))

# what to do now: the stage (live), then its forms
live_view(SID, room_snapshot, draw_task, key="group_task", on_change=follow)
if state.mood_check and not state.closed:
    mood_check(state.mood_check)
if EDIT_CLOSING:
    closing_form()
if EDIT_BOARD:
    board_form()
if state.stage == "diagnostic":
    personas_list()
if EDIT_BOARD:
    own_contributions(closing=False)
if EDIT_RECS:
    recommendation_box()
if EDIT_PLANS:
    plan_forms()
if EDIT_CLOSING:
    own_contributions(closing=True)
if EARLIER_DATES:
    earlier_material()

# what the room wrote (live)
if state.stage == "diagnostic" or state.closed:
    st.subheader(t("flow.board.title"), anchor=False)
    st.text_input(t("flow.board.search"), key="board_search", placeholder=t("flow.board.search_placeholder"),
                  icon=":material/search:", max_chars=L.TITLE_MAX)
live_view(SID, room_snapshot, draw_room, key="group")
