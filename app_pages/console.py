"""The facilitator's console: one page to run a whole half-day session — sub-groups and join
codes, the current stage and its prompt, contributions open/paused and hidden/revealed, the stage
timer, what the projector shows, recommendations (edit, merge, retain), dot voting, the mood
check, the closing round and closing. A live panel follows the room; the controls sit outside it
so a tick never clears what the facilitator is typing."""
from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import pandas as pd
import streamlit as st
from streamlit.errors import StreamlitPageNotFoundError

from core import limits as L
from core.errors import AtelierError
from core.personas import canvas
from core.session import board, mood, projector, recommendations, voting
from core.session import session_flow as flow
from core.session.room import Room, room_snapshot
from core.setup import events
from core.vocabulary import WEATHERS
from ui import actions, auth, errors, links
from ui import recommendation_form as rec_form
from ui.actions import Field, RowEdit
from ui.i18n import current_language, fmt_datetime, t
from ui.labels import category_label, weather_label
from ui.live import live_view, snapshot
from ui.text import md
from ui.timer import timer

actor = auth.require_staff("facilitator", "organiser")
lang = current_language()

choices = events.sessions_for(actor)
if not choices:
    st.title(t("flow.console.title"))
    st.info(t("sessions.none"))
    st.stop()
by_id = {c.id: c for c in choices}


def pick_session() -> None:
    """The selector's choice becomes the console's session (and the projector's of this person)."""
    st.session_state["console_session_id"] = st.session_state.get("console_pick")


# the session: the one chosen here or opened from "My sessions", else the one this person's
# console had open last (another tab, another day), else the first one
SID = st.session_state.get("console_session_id")
if SID not in by_id:
    SID = projector.console_session(actor)
if SID not in by_id:
    SID = choices[0].id
st.session_state["console_session_id"] = st.session_state["console_pick"] = SID


def session_label(sid: int) -> str:
    # no status in the label: a label that changes when the session starts would be a new option
    c = by_id[sid]
    when = fmt_datetime(c.starts_at, lang, "short") if c.starts_at else t("home.session_line_nodate")
    title = f" · {c.title}" if c.title else ""
    return f"{c.event_title} · {c.theme_title}{title} · {when}"


st.title(t("flow.console.title"), anchor=False)
if len(by_id) > 1:
    st.selectbox(t("flow.console.session"), list(by_id), format_func=session_label, key="console_pick",
                 on_change=pick_session, placeholder=t("widget.choose_one"), label_visibility="collapsed")
else:
    st.markdown(f"**{md(session_label(SID))}**")
if st.session_state.get("_console_focus") != (SID, actor.id):
    try:  # a projector this person opens in another window shows this session
        projector.focus_console(actor, SID)
        st.session_state["_console_focus"] = (SID, actor.id)
    except AtelierError:
        pass


# one console action as this facilitator (``run(fn, *args, clear=..., **kwargs)``, usually a callback);
# its error is shown at the top of the page
run: Callable[..., bool] = functools.partial(actions.run, actor, "console_error")


def merge_into(rec_id: int) -> None:
    duplicate = st.session_state.get(f"merge_pick_{rec_id}")
    if duplicate is not None:
        run(recommendations.merge_recommendations, rec_id, duplicate, clear={f"merge_pick_{rec_id}": None})


def follow_widget(key: str, value: Any) -> None:
    """A widget showing a session setting others may change (another console, another tab): set it
    to the stored value whenever that value moved. Call before drawing the widget."""
    seen = f"_follow_{key}"
    if seen not in st.session_state or st.session_state[seen] != value:
        st.session_state[key] = value
        st.session_state[seen] = value


def set_projector(view_key: str, spotlight_key: str, spotlight: bool, seen: tuple[str, int | None]) -> None:
    """The projector's view (a callback): a view chosen in the list, or one persona in the spotlight
    (None: all the personas side by side).

    The two lists are keyed by the stored setting ``seen`` (view, spotlight) they were drawn from.
    Every live tick of this page sends the value each widget has on screen, so a screen that has not
    drawn a newer setting yet (another console just switched the projector) sends the old value, for
    the old widget: that is no choice, and writing it would put the projector back on the old view.
    Nothing is written when the stored setting moved since the list was drawn."""
    try:
        now = flow.session_view(SID)
    except AtelierError as exc:
        st.session_state["console_error"] = exc
        return
    if (now.projector_view, now.projector_spotlight_id) != seen:
        return
    if spotlight:
        ok = run(flow.set_projector_view, SID, "personas", spotlight_id=st.session_state.get(spotlight_key))
    else:
        ok = run(flow.set_projector_view, SID, st.session_state.get(view_key))
    if not ok:  # show the stored setting again
        st.session_state.pop(f"_follow_{view_key}", None)
        st.session_state.pop(f"_follow_{spotlight_key}", None)


_rev, room = snapshot(room_snapshot, SID)
state = room.state
error = st.session_state.pop("console_error", None)
if error is not None:
    errors.show(error)

def shape(r: Room) -> tuple:
    """What the controls below the live panel are drawn from: when it changes (a recommendation
    written, a stage moved from another screen...), the whole page reruns so that they follow."""
    s = r.state
    return (s.stage, s.status, s.closed, s.contributions_open, s.contributions_hidden, s.vote_status,
            s.votes_revealed, s.mood_check, s.closing_round, s.projector_view, s.projector_spotlight_id,
            s.prompt, s.timer_duration_s, s.timer_started_at, s.vote_dots, s.vote_multi,
            tuple((g.id, g.name) for g in s.subgroups),
            tuple((x.id, x.retained) for x in r.recommendations.items), len(r.recommendations.options),
            tuple(p.id for p in r.plans))


def follow(_old: Any, _new: Any) -> None:
    _r, now = snapshot(room_snapshot, SID)
    if shape(now) != st.session_state.get("console_shape"):
        st.rerun()



st.session_state["console_shape"] = shape(room)

# --- run of show: everything a facilitator does during the session, in the first screen ----------

TIMER_PRESETS = (3, 5, 10, 15, 20)


def start_preset() -> None:
    """A preset chosen: its countdown starts at once, and the pills are free for the next click."""
    minutes = st.session_state.get("timer_presets")
    st.session_state["timer_presets"] = None
    if minutes is not None:
        run(flow.run_timer_for, SID, minutes)


def draw_clock(r: Room) -> None:
    timer(r.state, facilitator=True)


def draw_projector_select() -> None:
    seen = (state.projector_view, state.projector_spotlight_id)   # the lists are keyed by it: see set_projector
    view_key, spotlight_key = (f"projector_{part}_{SID}_{seen[0]}_{seen[1]}" for part in ("view", "spotlight"))
    follow_widget(view_key, state.projector_view if state.projector_view in flow.PROJECTOR_VIEWS
                  else flow.PROJECTOR_VIEWS[0])
    st.selectbox(t("flow.console.projector"), flow.PROJECTOR_VIEWS, format_func=lambda v: t(f"flow.projector.{v}"),
                 key=view_key, on_change=set_projector, args=(view_key, spotlight_key, False, seen),
                 placeholder=t("widget.choose_one"))


def draw_projector_actions() -> None:
    if room.votes.status != "none" or state.votes_revealed:
        if state.votes_revealed and state.projector_view == "votes":
            st.button(t("flow.vote.hide_results"), key="strip_vote_hide", width="stretch", on_click=run,
                      args=(voting.reveal_results, SID, False))
        else:
            st.button(t("flow.console.show_results"), key="strip_show_results", type="primary", width="stretch",
                      icon=":material/bar_chart:", on_click=run, args=(voting.show_results, SID))
    lcols = st.columns(2, vertical_alignment="center")
    with lcols[0]:
        try:
            st.page_link("app_pages/projector.py", label=t("flow.console.projector_short"),
                         icon=":material/connected_tv:", help=t("flow.console.open_projector_help"))
        except StreamlitPageNotFoundError:
            pass
    with lcols[1], st.popover(t("flow.console.screen_short"), icon=":material/cast:", help=t("projector.screen_link")):
        st.caption(t("projector.screen_link_help"))
        if st.button(t("projector.screen_link_new"), key="screen_link_new"):
            try:
                st.session_state["screen_link"] = (SID, projector.screen_url(projector.issue_screen_token(actor, SID),
                                                                            links.public_base()))
            except AtelierError as exc:
                errors.show(exc)
        link = st.session_state.get("screen_link")
        if link and link[0] == SID:
            st.code(link[1], language=None)
        if projector.screen_link_active(SID):
            if st.button(t("projector.screen_link_revoke"), key="screen_link_revoke"):
                projector.revoke_screen_token(actor, SID)
                st.session_state.pop("screen_link", None)
                st.rerun()
        else:
            st.caption(t("projector.screen_link_none"))


with st.container(border=True, key="run_of_show"):
    # back and forward move among the stages this date covers in its theme's process (a date of
    # recommendations only has no "Diagnostic" button); the other stages stay one click away
    step, steps = state.stage_step
    row = st.columns([4, 2, 2], vertical_alignment="center")
    row[0].markdown(f"**{t('flow.console.now', stage=t(f'stage.{state.stage}'))}**  \n"
                    f"{t('flow.console.stage_n', n=step, total=steps)} · "
                    f"{t('flow.console.code_status', code=state.join_code or '—', status=t(f'status.{state.status}'))}")
    back, ahead = state.previous_stage, state.next_stage
    if state.status == "planned":
        row[1].button(t("flow.console.start"), key="console_start", type="primary", width="stretch", on_click=run,
                      args=(flow.start_session, SID))
    elif back:
        row[1].button(t(f"stage_short.{back}"), key=f"stage_{back}", icon=":material/arrow_back:", width="stretch",
                      on_click=run, args=(flow.set_stage, SID, back))
    if ahead:
        row[2].button(t(f"stage_short.{ahead}"), key=f"stage_{ahead}", icon=":material/arrow_forward:",
                      width="stretch", type="primary" if state.status == "open" else "secondary",
                      on_click=run, args=(flow.set_stage, SID, ahead))
    if state.other_stages and state.status != "planned":
        with (row[1] if not back else row[2] if not ahead else row[0]).popover(
                t("flow.console.other_stages"), icon=":material/more_horiz:", width="stretch"):
            st.caption(t("flow.console.other_stages_help"))
            for other in state.other_stages:
                st.button(t(f"stage_short.{other}"), key=f"stage_{other}", width="stretch",
                          on_click=run, args=(flow.set_stage, SID, other))

    row = st.columns([1.6, 4.8, 1.3, 1.6, 1.8], vertical_alignment="center")
    with row[0]:
        live_view(SID, room_snapshot, draw_clock, key="console_clock", on_change=follow)
    row[1].pills(t("flow.console.timer_presets"), TIMER_PRESETS, key="timer_presets", on_change=start_preset,
                 format_func=lambda n: t("flow.console.minutes_short", n=n), label_visibility="collapsed",
                 help=t("flow.console.timer_preset_help"))
    _remaining, _colour, running = flow.timer_state(state)
    row[2].button(t("flow.console.timer_add"), key="timer_add", width="stretch", on_click=run,
                  args=(flow.add_minute, SID), disabled=not state.timer_duration_s)
    if running:
        row[3].button(t("flow.console.timer_pause"), key="timer_pause", width="stretch", icon=":material/pause:",
                      on_click=run, args=(flow.pause_timer, SID))
    else:
        row[3].button(t("flow.console.timer_resume"), key="timer_start", width="stretch", icon=":material/play_arrow:",
                      on_click=run, args=(flow.start_timer, SID), disabled=not state.timer_duration_s)
    with row[4].popover(t("flow.console.timer_custom"), width="stretch", help=t("flow.console.timer_custom_help")):
        st.number_input(t("flow.console.minutes"), min_value=1, max_value=flow.TIMER_MAX_S // 60, value=15,
                        step=1, key="timer_minutes")
        st.button(t("flow.console.timer_start"), key="timer_set", type="primary", on_click=lambda: run(
            flow.run_timer_for, SID, st.session_state.get("timer_minutes")))
        st.button(t("flow.console.timer_reset"), key="timer_reset", on_click=run, args=(flow.reset_timer, SID),
                  disabled=not state.timer_duration_s)

    row = st.columns([2, 2.7, 2.8, 2.5], vertical_alignment="bottom")
    if state.contributions_open:
        row[0].button(t("flow.console.pause"), key="contrib_pause", width="stretch", icon=":material/pause:",
                      on_click=run, args=(flow.set_contributions_open, SID, False))
    else:
        row[0].button(t("flow.console.resume"), key="contrib_open", type="primary", width="stretch",
                      icon=":material/play_arrow:", on_click=run, args=(flow.set_contributions_open, SID, True))
    if state.contributions_hidden:
        row[1].button(t("flow.console.reveal"), key="contrib_reveal", type="primary", width="stretch",
                      icon=":material/visibility:", on_click=run, args=(flow.set_contributions_hidden, SID, False))
    else:
        row[1].button(t("flow.console.hide"), key="contrib_hide", help=t("flow.console.hide_help"), width="stretch",
                      icon=":material/visibility_off:", on_click=run, args=(flow.set_contributions_hidden, SID, True))
    with row[2]:
        draw_projector_select()
    with row[3]:
        draw_projector_actions()

if links.unreachable_from_the_room():
    st.warning(t("flow.console.address_unreachable", url=links.public_base()), icon=":material/link_off:")
if state.status == "open" and not state.subgroups:
    with st.container(border=True, key="no_subgroups"):
        st.warning(t("flow.console.no_groups_started"), icon=":material/groups:")
        gcols = st.columns([1, 2], vertical_alignment="bottom")
        gcols[0].number_input(t("flow.console.groups_count"), min_value=1, max_value=events.SUBGROUPS_AT_ONCE_MAX,
                              value=4, step=1, key="groups_count")
        gcols[1].button(t("flow.console.groups_create"), key="groups_create", type="primary", on_click=lambda: run(
            events.add_subgroups, SID, [t("flow.console.group_default", n=i + 1)
                                        for i in range(int(st.session_state.get("groups_count") or 0))]))


# --- live panel ----------------------------------------------------------------------------------

def draw_live(r: Room) -> None:
    s = r.state
    notes = [t("flow.console.contrib_open") if s.contributions_open else t("flow.console.contrib_paused"),
                 t("flow.console.hidden") if s.contributions_hidden else t("flow.console.shown"),
                 t(f"flow.projector.{s.projector_view}") if s.projector_view in flow.PROJECTOR_VIEWS
             else s.projector_view]
    st.caption(" · ".join(notes))
    rows = []
    for g in s.subgroups:
        rows.append({
            t("flow.console.col_group"): g.name,
            t("flow.console.col_code"): g.join_code or "",
            t("flow.console.col_contributions"): sum(1 for i in r.board.items if i.subgroup_id == g.id),
            t("flow.console.col_recommendations"): sum(1 for x in r.recommendations.items if x.subgroup_id == g.id),
            t("flow.console.col_dots"): f"{r.votes.used(g.id)}/{r.votes.dots}" if r.votes.status != "none" else "",
            t("flow.console.col_plans"): sum(1 for p in r.plans if p.subgroup_id == g.id),
        })
    if rows:
        st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")
    if s.stage == "diagnostic":
        with st.expander(t("flow.console.board", count=len(r.board.diagnostic(staff=True))), expanded=False):
            for item in r.board.diagnostic(staff=True):
                st.markdown(f"- **{t(f'flow.kind.{item.kind}')}** · {md(item.text)}  \n"
                            f"  :gray[{md(category_label(item.category))} · {md(item.subgroup_name or '—')}]")
    if r.votes.status != "none" and r.recommendations.items:
        titles = {x.id: x.title for x in r.recommendations.items}
        label = t("flow.vote.results_shown") if s.votes_revealed else t("flow.vote.results_hidden")
        with st.expander(label, expanded=s.votes_revealed):
            for rec_id, n in r.votes.ranking(list(titles)):
                st.markdown(f"- {md(titles[rec_id])} — {t('flow.vote.total', count=n)}")
    if r.mood.total("before") or r.mood.total("after") or s.mood_check:
        st.markdown(f"**{t('flow.mood.title')}**")
        st.dataframe(pd.DataFrame([{t("flow.mood.col_weather"): weather_label(w),
                                    t("flow.mood.before"): dict(r.mood.distribution("before"))[w],
                                    t("flow.mood.after"): dict(r.mood.distribution("after"))[w]} for w in WEATHERS]),
                     hide_index=True, width="stretch")
    closing = r.board.closing_round(staff=True)
    if closing:
        with st.expander(t("flow.closing.title"), expanded=s.closing_round):
            for item in closing:
                st.markdown(f"- **{t(f'flow.kind.{item.kind}')}** · {md(item.text)}")


live_view(SID, room_snapshot, draw_live, key="console")

# --- controls --------------------------------------------------------------------------------------

tab_run, tab_groups, tab_recs, tab_close = st.tabs([t("flow.console.tab_run"), t("flow.console.tab_groups"),
                                                    t("flow.console.tab_recs"), t("flow.console.tab_close")])

with tab_run:
    with st.form(f"prompt_form_{state.stage}", border=True):
        st.text_area(t("flow.console.prompt", stage=t(f"stage.{state.stage}")), value=state.prompt,
                     placeholder=t(f"flow.prompt.{state.stage}"), key=f"prompt_{state.stage}",
                     max_chars=flow.PROMPT_MAX, help=t("flow.console.prompt_help"))
        st.form_submit_button(t("flow.save"), key="prompt_save", on_click=lambda: run(
            flow.set_prompt, SID, state.stage, st.session_state.get(f"prompt_{state.stage}", "")))
    seen = (state.projector_view, state.projector_spotlight_id)   # the lists are keyed by it: see set_projector
    view_key, spotlight_key = (f"projector_{part}_{SID}_{seen[0]}_{seen[1]}" for part in ("view", "spotlight"))
    personas = {p.id: p for p in canvas.list_personas(SID)}
    group_names = {g.id: g.name for g in state.subgroups}
    spotlight = state.projector_spotlight_id if state.projector_view == "personas" else None
    follow_widget(spotlight_key, spotlight if spotlight in personas else None)
    st.selectbox(t("flow.console.spotlight"), [None, *personas], key=spotlight_key,
                 format_func=lambda i: t("flow.console.spotlight_all") if i is None else
                 f"{personas[i].name} ({group_names.get(personas[i].subgroup_id) or t('flow.facilitation')})",
                 help=t("flow.console.spotlight_help"), on_change=set_projector,
                 args=(view_key, spotlight_key, True, seen), disabled=not personas,
                 placeholder=t("widget.choose_one"))

with tab_groups:
    if not state.subgroups:
        st.info(t("flow.console.no_groups"))
    for g in state.subgroups:
        rename = RowEdit(f"rename_{g.id}")
        rename.open(g.version, {f"rename_name_{g.id}": g.name})

        def write_name(version: int | None, ident: int = g.id) -> Any:
            return flow.rename_subgroup(actor, ident, st.session_state.get(f"rename_name_{ident}", ""), version)

        with st.expander(f"{md(g.name)} — {t('flow.console.code_is', code=g.join_code or '—')}",
                         expanded=rename.conflict is not None):
            with st.form(f"rename_{g.id}", border=False):
                st.text_input(t("flow.console.group_name"), key=f"rename_name_{g.id}", max_chars=L.NAME_MAX)
                st.form_submit_button(t("flow.console.rename"), key=f"rename_save_{g.id}", on_click=rename.save,
                                      args=(write_name,))
            rename.show([Field("name", t("flow.console.group_name"))], write_name)
    with st.form("add_group", border=True):
        st.text_input(t("flow.console.group_name"), value=t("flow.console.group_default", n=len(state.subgroups) + 1),
                      key=f"new_group_name_{len(state.subgroups)}", max_chars=L.NAME_MAX)
        st.form_submit_button(t("flow.console.add_group"), key="add_group_submit", on_click=lambda: run(
            events.add_subgroup, SID, st.session_state.get(f"new_group_name_{len(state.subgroups)}", "")))

with tab_recs:
    votes = room.votes
    st.markdown(f"**{t('flow.vote.title')}** — {t(f'flow.vote.status_{votes.status}')}")
    vcols = st.columns([1, 1, 3])
    vcols[0].number_input(t("flow.vote.dots"), min_value=L.VOTE_DOTS_MIN, max_value=L.VOTE_DOTS_MAX,
                          value=votes.dots, step=1, key="vote_dots")
    vcols[1].checkbox(t("flow.vote.multi"), value=votes.multi, key="vote_multi")
    with vcols[2]:
        bcols = st.columns(3)
        if votes.status == "open":
            bcols[0].button(t("flow.vote.close"), key="vote_close", on_click=run, args=(voting.close_vote, SID))
        else:
            bcols[0].button(t("flow.vote.open"), key="vote_open", type="primary", on_click=lambda: run(
                voting.open_vote, SID, st.session_state.get("vote_dots"), bool(st.session_state.get("vote_multi"))),
                disabled=not room.recommendations.items)
        if state.votes_revealed:
            bcols[1].button(t("flow.vote.hide_results"), key="vote_hide", on_click=run,
                            args=(voting.reveal_results, SID, False))
        else:
            bcols[1].button(t("flow.vote.reveal"), key="vote_reveal", on_click=run, args=(voting.reveal_results, SID))
        bcols[2].button(t("flow.vote.clear"), key="vote_clear", disabled=votes.status == "open", on_click=run,
                        args=(voting.clear_votes, SID))
    # dots no sub-group could place (one per recommendation, fewer recommendations than dots)
    dots_set, multi_set = st.session_state.get("vote_dots", votes.dots), st.session_state.get("vote_multi", votes.multi)
    placeable = voting.placeable_dots(int(dots_set or 0), bool(multi_set), len(room.recommendations.items))
    if room.recommendations.items and placeable < int(dots_set or 0):
        st.warning(t("flow.vote.over", recs=len(room.recommendations.items), placeable=placeable, dots=dots_set))

    items = room.recommendations.items
    if not state.closed:
        st.markdown(f"**{t('flow.console.rec_new')}**")
        rec_form.new_form(actor, SID, recommendations.citable_sources(room.recommendations, room.board, staff=True),
                          "c_rec_new")
    if not items:
        st.caption(t("flow.rec.none"))
    titles = {x.id: x.title for x in items}
    for rec in items:
        badge = " ✅" if rec.retained else ""
        with st.expander(f"{md(rec.title)}{badge} — {md(rec.subgroup_name or t('flow.facilitation'))} · "
                         f"{t(f'flow.level.{rec.level}')}"):
            if rec.public:
                st.caption(t("flow.rec.public_is", public=md(rec.public)))
            st.markdown(md(rec.text) if rec.text else "—")
            st.caption(t("flow.rec.trail"))
            for src in rec.sources:
                label = t(f"flow.kind.{src.detail}") if src.kind == "contribution" else t(f"flow.source.{src.kind}")
                extra = f" ({md(src.detail)})" if src.kind == "need" and src.detail else ""
                st.markdown(f"- {label} : {md(src.text)}{extra}")
            for merged in rec.merged_from:
                st.markdown(f"- {t('flow.rec.merged_from')} : {md(merged.title)} — {md(merged.text)}")
            try:
                st.page_link("app_pages/recommendation.py", label=t("flow.rec.full_trail"),
                             icon=":material/account_tree:", query_params={"rec": str(rec.id)})
            except StreamlitPageNotFoundError:
                pass
            st.button(t("flow.rec.unretain") if rec.retained else t("flow.rec.retain"), key=f"retain_{rec.id}",
                      on_click=run, args=(recommendations.set_retained, rec.id, not rec.retained))
            rec_form.edit_form(actor, rec, "c_rec", save_label="flow.rec.save_wording")
            others = [x for x in titles if x != rec.id]
            if others:
                mcols = st.columns([3, 1], vertical_alignment="bottom")
                mcols[0].selectbox(t("flow.rec.merge_pick"), others, index=None, key=f"merge_pick_{rec.id}",
                                   format_func=lambda x: titles.get(x, ""), placeholder=t("widget.choose_one"))
                mcols[1].button(t("flow.rec.merge"), key=f"merge_{rec.id}", on_click=merge_into, args=(rec.id,),
                                help=t("flow.rec.merge_help"))

with tab_close:
    st.markdown(f"**{t('flow.mood.title')}**")
    mcols = st.columns(3)
    mcols[0].button(t("flow.mood.open_before"), key="mood_before", disabled=state.mood_check == "before",
                    on_click=run, args=(mood.open_mood_check, SID, "before"))
    mcols[1].button(t("flow.mood.open_after"), key="mood_after", disabled=state.mood_check == "after",
                    on_click=run, args=(mood.open_mood_check, SID, "after"))
    mcols[2].button(t("flow.mood.stop"), key="mood_stop", disabled=state.mood_check is None,
                    on_click=run, args=(mood.open_mood_check, SID, None))
    st.markdown(f"**{t('flow.closing.title')}**")
    st.caption(t("flow.closing.help"))
    if state.closing_round:
        st.button(t("flow.closing.stop"), key="closing_stop", on_click=run, args=(flow.set_closing_round, SID, False))
    else:
        st.button(t("flow.closing.open"), key="closing_open", on_click=run, args=(flow.set_closing_round, SID, True))
    with st.form("console_closing_form", border=True):
        st.radio(t("flow.board.kind"), board.CLOSING_KINDS, horizontal=True, key="c_closing_kind",
                        format_func=lambda k: t(f"flow.kind.{k}"))
        st.text_area(t("flow.board.text"), key="c_closing_text", max_chars=L.ITEM_MAX)
        st.form_submit_button(t("flow.closing.capture"), key="c_closing_submit", on_click=lambda: run(
            board.add_contribution, SID, st.session_state["c_closing_kind"],
            board.categories_for(state.category_template, st.session_state["c_closing_kind"], closing=True)[0],
            st.session_state.get("c_closing_text", ""), clear={"c_closing_text": ""}))
    st.caption(t("flow.plan.count", count=len(room.plans)))
    st.markdown(f"**{t('flow.console.status')}** — {t(f'status.{state.status}')}")
    if state.status == "open":
        confirm = st.checkbox(t("flow.console.confirm_close"), key="console_confirm_close")
        st.button(t("flow.console.close"), key="console_close", disabled=not confirm, on_click=run,
                  args=(flow.close_session, SID))
    elif state.status == "closed":
        st.caption(t("flow.console.closed_at", at=fmt_datetime(state.closed_at, lang, "short")))
        st.button(t("flow.console.reopen"), key="console_reopen", on_click=run, args=(flow.reopen_session, SID))

