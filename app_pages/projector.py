"""The projector: readable from the back of the room, no controls on screen.

Join code, QR code and short URL; the stage, its prompt and the timer; then what the facilitator
chose to show (feed, canvases gallery or spotlight, board, recommendations, vote results once
revealed, mood before/after). Everything is drawn by one live fragment from a snapshot cached per
(session, revision), so every screen of the room shares one computation per change."""
from __future__ import annotations

import datetime as dt

import plotly.graph_objects as go
import streamlit as st

from core.errors import AtelierError
from core.personas.canvas import Canvas
from core.session import projector, session_flow
from core.vocabulary import CONTRIBUTION_KINDS, POWER_LEVELS
from ui import auth, errors
from ui.i18n import t
from ui.live import live_view
from ui.text import chart_text, md, unique_labels
from ui.timer import clock

# Okabe-Ito: colour-blind-safe
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000"]
WEATHER_ICONS = {"sunny": "☀️", "partly_cloudy": "🌤️", "cloudy": "☁️", "rainy": "🌧️", "stormy": "⛈️"}

# Large type and high contrast for a room; hides the sidebar and the toolbar (no user text here).
st.html("""<style>
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], [data-testid="stHeader"],
[data-testid="stToolbar"], [data-testid="stDecoration"] { display: none !important; }
.block-container, [data-testid="stMainBlockContainer"] { padding-top: 1rem !important; max-width: 100% !important; }
[data-testid="stAppViewContainer"] { background: #ffffff; color: #111111; }
[data-testid="stMarkdownContainer"] p, [data-testid="stText"] {
    font-size: 1.7rem !important; line-height: 1.35; color: #111111; }
[data-testid="stCaptionContainer"] p { font-size: 1.3rem !important; color: #333333 !important; }
h1 { font-size: 3.4rem !important; } h2 { font-size: 2.6rem !important; } h3 { font-size: 2.1rem !important; }
.atelier-code { font-size: 5.5rem; font-weight: 800; letter-spacing: .5rem; font-family: monospace; color: #000; }
.atelier-timer {
    font-size: 4.5rem; font-weight: 800; font-family: monospace; padding: .2rem 1.2rem; border-radius: .6rem;
    display: inline-block; }
.atelier-timer.normal { background: #ffffff; color: #000000; border: 4px solid #000000; }
.atelier-timer.orange { background: #b35900; color: #ffffff; }
.atelier-timer.red { background: #b00020; color: #ffffff; }
</style>""")

# Which session: the second-screen link, else the facilitator's current session.
screen_session = st.session_state.get("screen_session_id")
if screen_session is None:
    actor = auth.require_staff("facilitator", "organiser")
session_id = screen_session or st.session_state.get("console_session_id")
if session_id is None:
    st.info(t("projector.choose_session"))
    st.page_link("app_pages/sessions.py", label=t("nav.sessions"), icon=":material/event:")
    st.stop()


def draw_header(state: session_flow.SessionState) -> None:
    left, right = st.columns([3, 2], vertical_alignment="top")
    with left:
        st.caption(md(f"{state.event_title} · {state.theme_title}"))
        st.title(t(f"stage.{state.stage}") if not state.closed else t("projector.closed"), anchor=False)
        st.markdown(md(state.prompt) if state.prompt else t(f"flow.prompt.{state.stage}"))
        if state.timer_duration_s:
            remaining, colour, running = session_flow.timer_state(state, dt.datetime.now(dt.UTC).replace(tzinfo=None))
            st.html(f'<div class="atelier-timer {colour}" role="timer">{clock(remaining)}</div>')
            if not running:
                st.caption(t("projector.timer_paused"))
    with right:
        if state.join_code and not state.closed:
            url = projector.join_url(state.join_code)
            qr_col, code_col = st.columns([1, 1], vertical_alignment="center")
            qr_col.image(projector.qr_png(url), width=260)
            with code_col:
                st.caption(t("projector.join_with"))
                st.html(f'<div class="atelier-code">{state.join_code}</div>')
                st.caption(projector.base_url().split("://", 1)[-1] + "/join")


def draw_feed(data: projector.ProjectorData) -> None:
    """The newest work of the room: canvas items on one side, the board on the other."""
    canvas_col, board_col = st.columns(2)
    with canvas_col:
        st.subheader(t("projector.feed_canvases"), anchor=False)
        kinds = ("barrier", "motivation", "skill", "need")
        newest = sorted(((item, c.persona.name) for c in data.canvases for kind in kinds for item in c.section(kind)),
                        key=lambda pair: pair[0].id, reverse=True)[:8]
        if not newest:
            st.caption(t("projector.feed_empty"))
        for item, persona_name in newest:
            with st.container(border=True):
                st.caption(md(f"{persona_name} · {t(f'projector.kind.{item.kind}')}"))
                st.markdown(md(item.text))
    with board_col:
        st.subheader(t("projector.feed_board"), anchor=False)
        board = data.room.board
        if board.hidden:
            st.info(t("projector.hidden"), icon=":material/visibility_off:")
            return
        latest = sorted(board.visible(), key=lambda i: i.id, reverse=True)[:8]
        if not latest:
            st.caption(t("projector.feed_empty"))
        for item in latest:
            with st.container(border=True):
                st.caption(md(f"{t(f'flow.kind.{item.kind}')} · {item.subgroup_name or ''}"))
                st.markdown(md(item.text))


def draw_board(data: projector.ProjectorData) -> None:
    board = data.room.board
    if board.hidden:
        st.info(t("projector.hidden"), icon=":material/visibility_off:")
        return
    kinds = [k for k in CONTRIBUTION_KINDS if any(i.kind == k for i in board.visible())]
    if not kinds:
        st.caption(t("projector.feed_empty"))
    cols = st.columns(max(1, len(kinds)))
    for col, kind in zip(cols, kinds):
        with col:
            st.subheader(t(f"flow.kind.{kind}"), anchor=False)
            for item in board.visible():
                if item.kind == kind:
                    st.markdown(md(f"• {item.text}"))


def draw_canvas(c: Canvas, compact: bool) -> None:
    """One persona card: a heading, a caption and one Markdown block (few elements per tick)."""
    st.subheader(md(c.persona.name), anchor=False)
    bits = [t("group.persona_age", age=c.persona.age) if c.persona.age is not None else "", c.persona.origin]
    if any(bits):
        st.caption(md(" · ".join(b for b in bits if b)))
    limit = 5 if compact else 50
    lines: list[str] = []
    for kind, key in (("barrier", "canvas.barriers"), ("motivation", "canvas.motivations"),
                      ("skill", "canvas.skills"), ("need", "canvas.needs")):
        items = c.section(kind)
        lines.append(f"\n**{t(key)}** ({len(items)})\n")
        if len(items) > limit:  # the newest ones: the room watches its work arrive
            lines.append(f"_{t('projector.more', count=len(items) - limit)}_\n")
        for item in items[-limit:]:
            lines.append(f"- {md(item.text)}")
            if kind == "need" and not compact:
                for lead in item.leads:
                    partners = ", ".join(r.acronym or r.name for r in lead.resources)
                    lines.append(f"    - → {md(lead.text)}" + (f" ({md(partners)})" if partners else ""))
    st.markdown("\n".join(lines))


def draw_gallery(data: projector.ProjectorData) -> None:
    canvases = list(data.canvases)
    spotlight = data.room.state.projector_spotlight_id
    focus = next((c for c in canvases if c.persona.id == spotlight), None)
    if focus is not None:
        with st.container(border=True):
            draw_canvas(focus, compact=False)
        return
    if not canvases:
        st.caption(t("projector.no_personas"))
    per_row = 3 if len(canvases) > 4 else max(1, len(canvases))
    for start in range(0, len(canvases), per_row):
        cols = st.columns(per_row)
        for col, c in zip(cols, canvases[start:start + per_row]):
            with col.container(border=True):
                draw_canvas(c, compact=True)


def draw_recommendations(data: projector.ProjectorData) -> None:
    items = data.room.recommendations.items
    if not items:
        st.caption(t("projector.no_recommendations"))
    for level in POWER_LEVELS:
        at_level = [r for r in items if r.level == level]
        if at_level:
            st.subheader(t(f"flow.level.{level}"), anchor=False)
            for r in at_level:
                st.markdown(md(f"• {r.title}") + (f"  _({md(r.subgroup_name)})_" if r.subgroup_name else ""))


def draw_votes(data: projector.ProjectorData) -> None:
    votes = data.room.votes
    totals = votes.public_totals()
    if totals is None:
        voted = sum(1 for g in data.room.state.subgroups if votes.used(g.id))
        st.info(t("projector.votes_hidden", voted=voted, total=len(data.room.state.subgroups)),
                icon=":material/how_to_vote:")
        return
    recs = list(data.room.recommendations.items)
    ranking = votes.ranking([r.id for r in recs])
    by_id = {r.id: r.title for r in recs}
    titles = dict(zip([rid for rid, _n in ranking],  # plotly reads tags; equal titles would share a bar
                      (chart_text(v) for v in unique_labels([by_id[rid] for rid, _n in ranking]))))
    fig = go.Figure(go.Bar(x=[n for _rid, n in ranking][::-1], y=[titles[rid] for rid, _n in ranking][::-1],
                           orientation="h", marker_color=PALETTE[0], text=[n for _rid, n in ranking][::-1],
                           textposition="outside", textfont=dict(size=30, color="#111111")))
    fig.update_layout(height=max(360, 90 * len(ranking) + 120), margin=dict(l=10, r=60, t=10, b=80),
                      font=dict(size=24, color="#111111"), plot_bgcolor="#ffffff", paper_bgcolor="#ffffff",
                      xaxis=dict(title=dict(text=t("projector.dots"), font=dict(size=24)), dtick=1,
                                 tickfont=dict(size=22)),
                      yaxis=dict(automargin=True, tickfont=dict(size=28, color="#111111")))
    st.plotly_chart(fig, theme=None, config={"displayModeBar": False, "staticPlot": True}, key="votes_chart")


def draw_mood(data: projector.ProjectorData) -> None:
    mood = data.room.mood
    fig = go.Figure()
    for index, moment in enumerate(("before", "after")):
        dist = mood.distribution(moment)
        fig.add_bar(name=t(f"flow.mood.{moment}"), x=[f"{WEATHER_ICONS[w]} {t(f'flow.weather.{w}')}" for w, _ in dist],
                    y=[n for _, n in dist], marker_color=PALETTE[index], text=[n for _, n in dist],
                    textposition="outside")
    fig.update_layout(barmode="group", height=460, margin=dict(l=10, r=10, t=10, b=10),
                      font=dict(size=22, color="#111111"), plot_bgcolor="#ffffff", paper_bgcolor="#ffffff",
                      legend=dict(orientation="h", font=dict(size=24)), xaxis=dict(tickfont=dict(size=24)))
    st.plotly_chart(fig, theme=None, config={"displayModeBar": False, "staticPlot": True}, key="mood_chart")


def draw_plans(data: projector.ProjectorData) -> None:
    plans = data.room.plans
    if not plans:
        st.caption(t("projector.no_plans"))
    for plan in plans:
        with st.container(border=True):
            st.subheader(md(plan.recommendation_title), anchor=False)
            if plan.subgroup_name:
                st.caption(md(plan.subgroup_name))
            for action in plan.actions:
                st.text(f"• {action.action}" + (f" — {action.carrier}" if action.carrier else ""))


VIEWS = {"feed": draw_feed, "board": draw_board, "personas": draw_gallery, "recommendations": draw_recommendations,
         "votes": draw_votes, "mood": draw_mood, "plans": draw_plans}


def draw(data: projector.ProjectorData) -> None:
    state = data.room.state
    draw_header(state)
    view = VIEWS.get(state.projector_view)
    if view is not None and state.projector_view != "join":
        st.divider()
        view(data)


try:
    live_view(int(session_id), projector.projector_snapshot, draw, key=f"projector_{session_id}")
except AtelierError as exc:
    errors.show(exc)
