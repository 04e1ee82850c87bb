"""The projector: readable from the back of the room, no controls on screen.

Join code, QR code and short URL; the stage, its prompt and the timer; then what the facilitator
chose to show (feed, canvases gallery or spotlight, board, recommendations, vote results once
revealed, mood before/after). Everything is drawn by one live fragment from a snapshot cached per
(session, revision), so every screen of the room shares one computation per change."""
from __future__ import annotations

import base64
import datetime as dt
import html
import textwrap
from dataclasses import replace

import plotly.graph_objects as go
import streamlit as st

from core import territory
from core.errors import AtelierError, StorageUnavailable
from core.personas import canvas
from core.personas.canvas import Canvas
from core.session import projector, session_flow
from core.setup import events
from core.vocabulary import CONTRIBUTION_KINDS
from ui import auth, errors, links
from ui.i18n import current_language, t
from ui.live import live_view, made_once, snapshots_per_persona
from ui.text import chart_text, md, unique_labels
from ui.timer import clock

# Okabe-Ito: colour-blind-safe
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000"]
STATIC_CHART = {"displayModeBar": False, "staticPlot": True}
WEATHER_ICONS = {"sunny": "☀️", "partly_cloudy": "🌤️", "cloudy": "☁️", "rainy": "🌧️", "stormy": "⛈️"}

# Large type and high contrast for a room; hides the sidebar and the toolbar (no user text here).
# Sizes follow the screen (vw) within bounds: at 1920x1080 nothing is under 24 px, and at 1280x720
# nothing clips; every text is near-black on white (at least 7:1), captions included.
st.html("""<style>
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], [data-testid="stHeader"],
[data-testid="stToolbar"], [data-testid="stDecoration"], [data-testid="stHeaderActionElements"] {
    display: none !important; }
.block-container, [data-testid="stMainBlockContainer"] {
    padding: 1rem 1.5vw 2rem !important; max-width: 100% !important; }
[data-testid="stAppViewContainer"] {
    background: #ffffff; color: #111111;
    --pj-label: clamp(14px, 1.3vw, 40px); --pj-body: clamp(15px, 1.45vw, 44px);
    --pj-h3: clamp(17px, 1.7vw, 52px); --pj-h2: clamp(20px, 2.1vw, 64px); --pj-h1: clamp(26px, 2.9vw, 88px); }
[data-testid="stMain"] :is([data-testid="stMarkdownContainer"], [data-testid="stMarkdownContainer"] *,
    [data-testid="stText"], [data-testid="stHeading"], h1, h2, h3, h4) {
    overflow-wrap: anywhere; }
[data-testid="stMain"] [data-testid="stMarkdownContainer"] :is(p, li), [data-testid="stMain"] [data-testid="stText"] {
    font-size: var(--pj-body) !important; line-height: 1.3; color: #111111; }
[data-testid="stMain"] [data-testid="stMarkdownContainer"] li { margin-bottom: .2em; }
/* Streamlit greys captions with opacity (#333 at .6 is 3.7:1): opaque, near-black */
[data-testid="stCaptionContainer"] { opacity: 1 !important; }
[data-testid="stCaptionContainer"], [data-testid="stCaptionContainer"] * {
    font-size: var(--pj-label) !important; color: #1a1a1a !important; }
[data-testid="stIconMaterial"] { font-size: var(--pj-body) !important; }
[data-testid="stMain"] h1 { font-size: var(--pj-h1) !important; line-height: 1.15; padding: .2em 0 .1em; color: #000; }
[data-testid="stMain"] h2 { font-size: var(--pj-h2) !important; line-height: 1.2; color: #000; }
[data-testid="stMain"] h3 { font-size: var(--pj-h3) !important; line-height: 1.2; color: #000; }
/* the header: event and theme on the first line, the stage, its prompt; the timer and the join
block beside them (one horizontal container: few elements per tick) */
[data-testid="stMain"] .st-key-pj_top > div:first-child { flex: 1 1 50%; min-width: 0; }
[data-testid="stMain"] .st-key-pj_top > div:not(:first-child) { flex: 0 1 auto; width: auto !important; }
[data-testid="stMain"] :is(.st-key-pj_top, .st-key-pj_top_join) [data-testid="stMarkdownContainer"] > p:first-child {
    font-size: var(--pj-label) !important; font-weight: 700; color: #1a1a1a; margin-bottom: 0; }
.atelier-side { display: flex; align-items: flex-start; gap: 2vw; flex-wrap: wrap; justify-content: flex-end; }
/* the view under the header, after a rule */
[class*="st-key-pj_body"] { border-top: 2px solid #6b6b6b; padding-top: .6em; }
/* the join block: QR code (with its alternative text), code and short address */
.atelier-join { display: flex; align-items: center; gap: 1.2vw; flex-wrap: wrap; justify-content: flex-end; }
.atelier-join p { margin: 0; color: #111111; font-size: var(--pj-label); font-weight: 600; overflow-wrap: anywhere; }
.atelier-join .atelier-code {
    font-size: clamp(30px, 3.4vw, 104px); font-weight: 800; letter-spacing: .08em; font-family: monospace;
    color: #000000; line-height: 1.1; white-space: nowrap; }
.atelier-qr { width: clamp(150px, 12vw, 360px); height: auto; image-rendering: pixelated; display: block; }
.atelier-join.big { justify-content: center; gap: 4vw; flex-wrap: nowrap; margin-top: 1vh; }
.atelier-join.big .atelier-qr { width: min(72vh, 44vw); }
.atelier-join.big p { font-size: var(--pj-h2); }
.atelier-join.big .atelier-code { font-size: clamp(48px, 8vw, 240px); margin: .1em 0; }
.atelier-timer {
    font-size: clamp(30px, 3.6vw, 110px); font-weight: 800; font-family: monospace; padding: .05em .4em;
    border-radius: .6rem; display: inline-block; margin-top: .4em; }
.atelier-timer.normal { background: #ffffff; color: #000000; border: 4px solid #000000; }
.atelier-timer.orange { background: #b35900; color: #ffffff; }
.atelier-timer.red { background: #b00020; color: #ffffff; }
.atelier-timer-paused { font-size: var(--pj-label); font-weight: 700; color: #1a1a1a; margin: .3em 0 0; }
/* Each view is one Markdown block in one container (a tick sends a handful of elements, not one
per card); the container's key says its layout: pj_body_cols_N (N parts side by side, each an h3
and one list or paragraph: a grid of two rows filled column by column), pj_body_cards_N (cards,
N a row), pj_body_spotlight */
[class*="st-key-pj_body"] [data-testid="stMarkdownContainer"] h3 { padding-top: 0; margin: 0 0 .3em; }
[class*="st-key-pj_body_cols"] [data-testid="stMarkdownContainer"] {
    display: grid; grid-template-rows: auto auto; grid-auto-flow: column; grid-auto-columns: minmax(0, 1fr);
    column-gap: 2.5vw; align-items: start; }
/* lists as cards (feed): their first line, in bold, is their label */
.st-key-pj_view_feed [data-testid="stMarkdownContainer"] ul { list-style: none; padding: 0; margin: 0; }
.st-key-pj_view_feed [data-testid="stMarkdownContainer"] li {
    border: 2px solid #6b6b6b; border-radius: .5rem; padding: .4em .6em; margin: 0 0 .5em; }
.st-key-pj_view_feed li strong { display: block; font-size: var(--pj-label); }
/* persona and plan cards: one list of cards on a grid, each card's first line is its title */
[class*="st-key-pj_body_cards"] [data-testid="stMarkdownContainer"] > ul {
    list-style: none; padding: 0; margin: 0; display: grid; gap: 1vw;
    grid-template-columns: repeat(var(--pj-per-row, 3), minmax(0, 1fr)); }
[class*="st-key-pj_body_cards"] [data-testid="stMarkdownContainer"] > ul > li {
    border: 2px solid #6b6b6b; border-radius: .6rem; padding: .5em .8em; margin: 0; }
[class*="st-key-pj_body_cards"] [data-testid="stMarkdownContainer"] > ul > li > p:first-child {
    font-size: var(--pj-h3) !important; font-weight: 700; color: #000; }
[class*="st-key-pj_body_cards"] [data-testid="stMarkdownContainer"] :is(p, ul) { margin: 0 0 .25em; }
[class*="st-key-pj_body_cards"] [data-testid="stMarkdownContainer"] > ul > li ul { padding-left: 1.2em; }
.st-key-pj_body_cards_1 { --pj-per-row: 1; }
.st-key-pj_body_cards_2 { --pj-per-row: 2; }
.st-key-pj_body_cards_3 { --pj-per-row: 3; }
/* one persona at length: its sections side by side, under its name */
.st-key-pj_body_spotlight [data-testid="stMarkdownContainer"] {
    column-count: 2; column-gap: 3vw; border: 2px solid #6b6b6b; border-radius: .6rem; padding: .5em .8em; }
.st-key-pj_body_spotlight [data-testid="stMarkdownContainer"] > p:first-child {
    column-span: all; font-size: var(--pj-h3) !important; font-weight: 700; color: #000; }
.st-key-pj_body_spotlight [data-testid="stMarkdownContainer"] li { break-inside: avoid; }
</style>""")

# Which session: the second-screen link's; else, for a facilitator, the session their console has
# open (in this tab, or in another window or on another computer: the projector follows it);
# else a choice among the sessions they run that are under way.
screen_session = st.session_state.get("screen_session_id")
actor = None
if screen_session is None:
    actor = auth.require_staff("facilitator", "organiser")
    session_id = projector.console_session(actor) or st.session_state.get("console_session_id")
else:
    session_id = screen_session
if session_id is None:
    running = [c for c in events.sessions_for(actor) if c.status == "open"] if actor is not None else []
    if not running:
        st.info(t("projector.choose_session"))
        st.page_link("app_pages/sessions.py", label=t("nav.sessions"), icon=":material/event:")
        st.stop()
    labels = {c.id: f"{c.event_title} · {c.theme_title}" + (f" · {c.title}" if c.title else "") for c in running}
    session_id = st.radio(t("projector.pick_running"), list(labels), format_func=labels.__getitem__,
                          key="projector_pick")


def join_block(code: str, url: str, big: bool = False) -> str:
    """The QR code (one <img> with its alternative text, the PNG cached by ``projector.qr_png``: no
    media file per tick), the code and the short address, as one element. Nothing here is user text,
    and every value is escaped all the same."""
    png = base64.b64encode(projector.qr_png(url)).decode("ascii")
    alt = html.escape(t("projector.qr_alt", code=code, url=url))
    return (f'<div class="atelier-join{" big" if big else ""}">'
            f'<img class="atelier-qr" alt="{alt}" src="data:image/png;base64,{png}">'
            f'<div><p>{html.escape(t("projector.join_with"))}</p>'
            f'<p class="atelier-code">{html.escape(code)}</p>'
            f'<p>{html.escape(links.host_and_path(url))}</p></div></div>')


def timer_block(state: session_flow.SessionState) -> str:
    remaining, colour, running = session_flow.timer_state(state, dt.datetime.now(dt.UTC).replace(tzinfo=None))
    paused = "" if running else f'<p class="atelier-timer-paused">{html.escape(t("projector.timer_paused"))}</p>'
    return (f'<div class="atelier-timer {html.escape(colour)}" role="timer">{html.escape(clock(remaining))}</div>'
            f'{paused}')


def draw_header(state: session_flow.SessionState, join_view: bool = False) -> None:
    """Event and theme, the stage and its prompt; the timer and the join code and QR code beside
    them, or filling the screen below the first line in the join view. Three elements: a tick sends
    little, whatever the view."""
    joinable = bool(state.join_code) and not state.closed
    url = projector.join_url(state.join_code, links.public_base()) if joinable else ""
    where = md(f"{state.event_title} · {state.theme_title}")
    title = md(t(f"stage.{state.stage}") if not state.closed else t("projector.closed"))
    if join_view and joinable:
        with st.container(key="pj_top_join"):
            st.markdown(f"{where}\n\n{title}")
            st.html(join_block(state.join_code, url, big=True))
        return
    prompt = md(state.prompt) if state.prompt else t(f"flow.prompt.{state.stage}")
    side = ((timer_block(state) if state.timer_duration_s else "")
            + (join_block(state.join_code, url) if joinable else ""))
    with st.container(horizontal=True, key="pj_top", gap="large"):
        st.markdown(f"{where}\n\n# {title}\n\n{prompt}")
        if side:
            st.html(f'<div class="atelier-side">{side}</div>', width="content")


def body(layout: str, text: str) -> None:
    """A view's content: one Markdown block in a container whose key says its layout (the page's
    CSS: ``cols_N`` side by side, ``cards_N`` a grid of cards, ``spotlight``, ``list``)."""
    st.container(key=f"pj_body_{layout}").markdown(text)


def note(text: str, icon: str) -> None:
    """What a view says instead of its content (hidden, nothing yet), under the view's rule."""
    st.container(key="pj_body_note").info(text, icon=icon)


def draw_feed(data: projector.ProjectorData) -> None:
    """The newest work of the room: canvas items on one side, the board on the other (one Markdown
    block, two columns of cards)."""
    kinds = ("barrier", "motivation", "skill", "need")
    newest = sorted(((item, c.persona.name) for c in data.canvases for kind in kinds for item in c.section(kind)),
                    key=lambda pair: pair[0].id, reverse=True)[:8]
    lines = [f"### {t('projector.feed_canvases')}", ""]
    lines += [f"- **{md(name)} · {t(f'projector.kind.{item.kind}')}** {md(item.text)}" for item, name in newest] \
        or [t("projector.feed_empty")]
    lines += ["", f"### {t('projector.feed_board')}", ""]
    board = data.room.board
    if board.hidden:
        lines.append(f":material/visibility_off: {t('projector.hidden')}")
    else:
        latest = sorted(board.visible(), key=lambda i: i.id, reverse=True)[:8]
        lines += [f"- **{t(f'flow.kind.{item.kind}')}" + (md(f" · {item.subgroup_name}") if item.subgroup_name else "")
                  + f"** {md(item.text)}" for item in latest] or [t("projector.feed_empty")]
    body("cols_2", "\n".join(lines))


def draw_board(data: projector.ProjectorData) -> None:
    board = data.room.board
    if board.hidden:
        note(t("projector.hidden"), icon=":material/visibility_off:")
        return
    kinds = [k for k in CONTRIBUTION_KINDS if any(i.kind == k for i in board.visible())]
    if not kinds:
        body("list", t("projector.feed_empty"))
        return
    lines: list[str] = []
    for kind in kinds:
        lines += ["", f"### {t(f'flow.kind.{kind}')}", ""]
        lines += [f"- {md(item.text)}" for item in board.visible() if item.kind == kind]
    body(f"cols_{len(kinds)}", "\n".join(lines))


def canvas_markdown(c: Canvas, compact: bool, indent: str = "") -> str:
    """One persona card as Markdown: the name, age and origin (its first line, styled as a title),
    then each section with its newest items (all of them in the spotlight, with the leads). With
    ``indent``, the card is the body of a list item (the gallery: one list of cards)."""
    bits = [t("group.persona_age", age=c.persona.age) if c.persona.age is not None else "", c.persona.origin]
    lines = [md(" · ".join(b for b in (c.persona.name, *bits) if b)), ""]
    limit = 3 if compact else 50
    for kind, key in (("barrier", "canvas.barriers"), ("motivation", "canvas.motivations"),
                      ("skill", "canvas.skills"), ("need", "canvas.needs")):
        items = c.section(kind)
        more = f" — _{t('projector.more', count=len(items) - limit)}_" if len(items) > limit else ""
        lines += ["", f"**{t(key)}** ({len(items)}){more}", ""]   # the newest: the room watches its work arrive
        for item in items[-limit:]:
            lines.append(f"- {md(item.text)}")
            if kind == "need" and not compact:
                for lead in item.leads:
                    partners = ", ".join(r.acronym or r.name for r in lead.resources)
                    lines.append(f"    - → {md(lead.text)}" + (f" ({md(partners)})" if partners else ""))
    text = "\n".join(lines)
    # inside a list item every line but the first is indented (a user's line breaks included)
    return text.replace("\n", "\n" + indent) if indent else text


def draw_gallery(data: projector.ProjectorData) -> None:
    canvases = list(data.canvases)
    spotlight = data.room.state.projector_spotlight_id
    focus = next((c for c in canvases if c.persona.id == spotlight), None)
    if focus is not None:
        body("spotlight", made_once(focus, "pj_spotlight", lambda: canvas_markdown(focus, compact=False)))
        return
    if not canvases:
        body("list", t("projector.no_personas"))
        return
    per_row = 3 if len(canvases) > 4 else min(3, len(canvases))
    # each card's text is made once per canvas snapshot: a write remakes the card written to
    body(f"cards_{per_row}", "\n\n".join(
        made_once(c, "pj_card", lambda c=c: "- " + canvas_markdown(c, compact=True, indent="    ")) for c in canvases))


def draw_recommendations(data: projector.ProjectorData) -> None:
    items = data.room.recommendations.items
    if not items:
        body("list", t("projector.no_recommendations"))
        return
    lang = current_language()
    lines: list[str] = []
    for level in territory.level_order([data.levels]) + sorted({r.level for r in items} - set(
            territory.level_order([data.levels]))):
        at_level = [r for r in items if r.level == level]
        if at_level:
            lines += ["", f"### {md(territory.level_label(data.levels, level, lang))}", ""]
            lines += [f"- {md(r.title)}" + (f" _({md(r.subgroup_name)})_" if r.subgroup_name else "")
                      for r in at_level]
    body("list", "\n".join(lines))


def chart_label(text: str, width: int = 38) -> str:
    """A bar's label on short lines (Plotly does not wrap), escaped for Plotly; each line but the last
    ends with its space, so the label's text (read aloud, copied) stays whole."""
    return " <br>".join(chart_text(line) for line in textwrap.wrap(text, width, break_on_hyphens=False) or [""])


def draw_votes(data: projector.ProjectorData) -> None:
    votes = data.room.votes
    totals = votes.public_totals()
    if totals is None:
        voted = sum(1 for g in data.room.state.subgroups if votes.used(g.id))
        note(t("projector.votes_hidden", voted=voted, total=len(data.room.state.subgroups)),
                icon=":material/how_to_vote:")
        return
    recs = list(data.room.recommendations.items)
    ranking = votes.ranking([r.id for r in recs])
    if not any(n for _rid, n in ranking):   # no empty chart: say what will appear
        note(t("projector.votes_none"), icon=":material/how_to_vote:")
        return
    by_id = {r.id: r.title for r in recs}
    titles = dict(zip([rid for rid, _n in ranking],  # plotly reads tags; equal titles would share a bar
                      (chart_label(v) for v in unique_labels([by_id[rid] for rid, _n in ranking]))))
    tallest = max(titles[rid].count("<br>") + 1 for rid, _n in ranking)   # every bar gets the tallest label's room
    fig = go.Figure(go.Bar(x=[n for _rid, n in ranking][::-1], y=[titles[rid] for rid, _n in ranking][::-1],
                           orientation="h", marker_color=PALETTE[0], text=[n for _rid, n in ranking][::-1],
                           textposition="outside", cliponaxis=False, textfont=dict(size=30, color="#111111")))
    fig.update_layout(height=max(360, len(ranking) * (34 * tallest + 18) + 130), margin=dict(l=10, r=70, t=10, b=80),
                      font=dict(size=24, color="#111111"), plot_bgcolor="#ffffff", paper_bgcolor="#ffffff",
                      xaxis=dict(title=dict(text=t("projector.dots"), font=dict(size=26)),
                                 dtick=1 if max(n for _rid, n in ranking) <= 12 else None,
                                 tickfont=dict(size=24), automargin=True),
                      yaxis=dict(automargin=True, tickfont=dict(size=26, color="#111111"), ticklabelstandoff=12))
    st.container(key="pj_body_chart").plotly_chart(fig, theme=None, config=STATIC_CHART, key="votes_chart")


def draw_mood(data: projector.ProjectorData) -> None:
    mood = data.room.mood
    if not any(mood.total(moment) for moment in ("before", "after")):
        note(t("projector.mood_empty"), icon=":material/partly_cloudy_day:")
        return
    fig = go.Figure()
    for index, moment in enumerate(("before", "after")):
        dist = mood.distribution(moment)
        fig.add_bar(name=t(f"flow.mood.{moment}"), x=[f"{WEATHER_ICONS[w]} {t(f'flow.weather.{w}')}" for w, _ in dist],
                    y=[n for _, n in dist], marker_color=PALETTE[index], text=[n for _, n in dist],
                    textposition="outside", cliponaxis=False, textfont=dict(size=26, color="#111111"))
    fig.update_layout(barmode="group", height=520, margin=dict(l=10, r=10, t=60, b=10),
                      font=dict(size=24, color="#111111"), plot_bgcolor="#ffffff", paper_bgcolor="#ffffff",
                      legend=dict(orientation="h", font=dict(size=26), y=1.02, yanchor="bottom", x=0),
                      xaxis=dict(tickfont=dict(size=24), automargin=True),
                      yaxis=dict(tickfont=dict(size=24), automargin=True, dtick=1 if max(
                          (n for moment in ("before", "after") for _, n in mood.distribution(moment)), default=0) <= 10
                          else None))
    st.container(key="pj_body_chart").plotly_chart(fig, theme=None, config=STATIC_CHART, key="mood_chart")


def draw_plans(data: projector.ProjectorData) -> None:
    plans = data.room.plans
    if not plans:
        body("list", t("projector.no_plans"))
        return
    cards = []
    for plan in plans:
        lines = [md(plan.recommendation_title), ""]
        if plan.subgroup_name:
            lines += [f"_{md(plan.subgroup_name)}_", ""]
        lines += [f"- {md(a.action)}" + (f" — {md(a.carrier)}" if a.carrier else "") for a in plan.actions]
        cards.append("- " + "\n".join(lines).replace("\n", "\n    "))
    body(f"cards_{min(2, len(plans))}", "\n\n".join(cards))


VIEWS = {"feed": draw_feed, "board": draw_board, "personas": draw_gallery, "recommendations": draw_recommendations,
         "votes": draw_votes, "mood": draw_mood, "plans": draw_plans}


def draw(data: projector.ProjectorData) -> None:
    state = data.room.state
    name = state.projector_view
    if name == "personas" and any(c.persona.id == state.projector_spotlight_id for c in data.canvases):
        name = "personas_spotlight"
    # a container of the view (CSS class st-key-pj_view_<view>): styles and tests find it
    with st.container(key=f"pj_view_{name}"):
        draw_header(state, join_view=state.projector_view == "join")
        view = VIEWS.get(state.projector_view)
        if view is not None:
            view(data)


try:
    # the view shown decides which writes redraw it (core.session.projector.VIEW_IGNORES)
    shown_view = session_flow.session_view(int(session_id)).projector_view
except AtelierError as exc:
    errors.show(exc)
    st.stop()


def with_canvases(data: projector.ProjectorData) -> projector.ProjectorData:
    """The view's data with its canvases, each from the snapshot the room's canvas screens share
    (a write to one canvas rebuilds that one, once for the room). The database away for a moment:
    the canvases this screen drew last."""
    if not data.persona_ids:
        return data
    held = f"_pj_canvases_{session_id}"
    try:
        st.session_state[held] = tuple(snapshots_per_persona(canvas.get_canvas, int(session_id), data.persona_ids,
                                                             projector.CANVAS_IGNORES))
    except StorageUnavailable:
        st.caption(t("faults.last_known"))
    return replace(data, canvases=st.session_state.get(held, ()))


def draw_following(data: projector.ProjectorData) -> None:
    """Draw, unless the page must start over: the facilitator's console switched to another
    session (the projector follows it), or the view changed (what redraws it changed too)."""
    if actor is not None and screen_session is None:
        followed = projector.console_session(actor)
        if followed is not None and followed != int(session_id):
            st.rerun()
    if data.room.state.projector_view != shown_view:
        st.rerun()
    draw(with_canvases(data))


try:
    live_view(int(session_id), projector.projector_snapshot, draw_following, key=f"projector_{session_id}",
              args=(int(session_id), shown_view, False), ignore=projector.shell_ignores(shown_view))
except AtelierError as exc:
    errors.show(exc)
