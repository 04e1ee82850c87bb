"""Organiser dashboard: what the workshops produced across events, themes and sessions, the
recommendations booklet and the data exports. Thin: filters in, core.reporting.dashboard figures out."""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from core import vocabulary
from core.errors import AtelierError
from core.reporting import booklet as bk
from core.reporting import cache
from core.reporting import dashboard as d
from core.reporting import exports as x
from core.setup.events import list_events
from ui.auth import require_staff
from ui.errors import show
from ui.i18n import current_language, date_label, t
from ui.text import chart_text, unique_labels

# Okabe & Ito (2008): distinguishable with every common colour-vision deficiency.
OKABE_ITO = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"]
NATURE_COLOURS = {"objective": "#0072B2", "subjective": "#E69F00"}
WEATHER_COLOURS = {"sunny": "#F0E442", "partly_cloudy": "#E69F00", "cloudy": "#999999", "rainy": "#56B4E9",
                   "stormy": "#0072B2"}
SEPARATORS = {"fr": ", ", "nl": ",.", "en": ".,"}  # plotly: decimal then thousands separator
CHART_SESSIONS = 40  # per-session charts show the first 40 sessions; their tables show all
TABLE_ROWS = 1_000   # rows shown in a table view; its downloads have every row

actor = require_staff("organiser")
lang = current_language()
visible = None if actor.role == "admin" else frozenset(actor.event_ids)

st.title(t("dashboard.title"))
st.caption(t("dashboard.caption"))

events = list_events(include_archived=True, event_ids=set(visible) if visible is not None else None)
if not events:
    st.info(t("dashboard.no_events"))
    st.stop()


# --- helpers: labels, tables, charts, downloads -----------------------------------------------

def label(group: str, code: Any) -> str:
    if code is None or code == "" or (isinstance(code, float) and pd.isna(code)):
        return t("dashboard.category.none") if group == "category" else ""
    if group == "level":   # the events' own levels of power (core.territory), old ones included
        return level_names.get(str(code), str(code))
    return t(f"dashboard.{group}.{code}")


def localise(df: pd.DataFrame, codes: dict[str, str] | None = None, keep_ids: bool = False) -> pd.DataFrame:
    """Translated column names and code values, ids dropped: what the user reads and downloads."""
    out = df.copy()
    if not keep_ids:
        out = out.drop(columns=[c for c in out.columns if c.endswith("_id")])
    for col, group in (codes or {}).items():
        if col in out.columns:
            out[col] = out[col].map({v: label(group, v) for v in out[col].unique()})
    for col in out.columns:
        if out[col].dtype == bool:
            out[col] = out[col].map({True: t("dashboard.yes"), False: t("dashboard.no")})
    out.columns = [t(f"dashboard.col.{c}") for c in out.columns]
    return out


def layout(fig: go.Figure, height: int = 380, **kwargs: Any) -> go.Figure:
    fig.update_layout(height=height, margin=dict(l=10, r=10, t=30, b=10), separators=SEPARATORS.get(lang, ", "),
                      legend=dict(orientation="h", yanchor="bottom", y=1.0, x=0, traceorder="normal"),
                      colorway=OKABE_ITO, font=dict(size=13), **kwargs)
    # counts: whole-number ticks when the numbers are small
    values = [v for tr in fig.data if tr.type == "bar"
              for v in list((tr.x if tr.orientation == "h" else tr.y) if (tr.x if tr.orientation == "h" else tr.y)
                            is not None else [])]
    top = pd.to_numeric(pd.Series(values, dtype=object), errors="coerce").max() if values else 0
    if fig.data and all(tr.type == "bar" for tr in fig.data) and top <= 10:
        axis = "xaxis" if fig.data[0].orientation == "h" else "yaxis"
        fig.update_layout({axis: dict(dtick=1)})
    return fig


def downloads(key: str, table: pd.DataFrame) -> None:
    c1, c2, _ = st.columns([1, 1, 4])
    c1.download_button(t("dashboard.download_csv"), data=lambda: x.to_csv(table), file_name=f"{key}.csv",
                       mime=x.CSV_MIME, key=f"csv_{key}", on_click="ignore", icon=":material/download:")
    c2.download_button(t("dashboard.download_xlsx"), data=lambda: x.to_xlsx(table, sheet_name=key),
                       file_name=f"{key}.xlsx", mime=x.XLSX_MIME, key=f"xlsx_{key}", on_click="ignore",
                       icon=":material/download:")


def figure(key: str, title: str, table: pd.DataFrame, chart: Callable[[], go.Figure] | None = None,
           empty: str | None = None, caption: str | None = None) -> None:
    """One dashboard figure: a chart with a switch to its table, and its data as CSV / XLSX."""
    st.subheader(title, anchor=False)
    if caption:
        st.caption(caption)
    if table.empty:
        st.info(empty or t("dashboard.empty"))
        return
    view = "table"
    if chart is not None:
        view = st.segmented_control(t("dashboard.view"), options=["chart", "table"], default="chart", required=True,
                                    format_func=lambda v: t(f"dashboard.view_{v}"), key=f"view_{key}",
                                    label_visibility="collapsed")
    if view == "chart" and chart is not None:
        st.plotly_chart(chart(), key=f"chart_{key}", config={"displaylogo": False}, alt=title)
    else:
        if len(table) > TABLE_ROWS:
            st.caption(t("dashboard.table_first_rows", shown=TABLE_ROWS, total=len(table)))
        st.dataframe(table.head(TABLE_ROWS), hide_index=True, key=f"table_{key}")
    downloads(key, table)


def hbar(df: pd.DataFrame, y: str, x_: str, colour: str = OKABE_ITO[0], x_title: str = "") -> go.Figure:
    labels = [chart_text(v) for v in unique_labels([str(v) for v in df[y]])][::-1]  # plotly reads tags
    df = df.iloc[::-1]
    fig = go.Figure(go.Bar(y=labels, x=df[x_], orientation="h", marker_color=colour, text=df[x_],
                           textposition="outside", textangle=0, cliponaxis=False,
                           hovertemplate="%{y}: %{x}<extra></extra>"))
    return layout(fig, height=max(260, 28 * len(df) + 80), xaxis_title=x_title, yaxis=dict(automargin=True))


def too_many(sessions: int) -> str | None:
    """A caption when a per-session chart shows only the first sessions (the table has them all)."""
    return t("dashboard.chart_first_sessions", shown=CHART_SESSIONS, total=sessions) if sessions > CHART_SESSIONS \
        else None


def pct(value: float) -> str:
    return t("dashboard.percent", value=round(100 * value))


# --- filters ------------------------------------------------------------------------------------

by_id = {ev.id: ev for ev in events}
with st.container(border=True):
    c1, c2, c3, c4 = st.columns([3, 3, 3, 2])
    event_ids = c1.multiselect(t("dashboard.filter.events"), list(by_id), format_func=lambda i: by_id[i].title,
                               key="dash_events", placeholder=t("dashboard.filter.all"), select_all=False)
    chosen = [by_id[i] for i in event_ids] or events
    themes = {th.id: th for ev in chosen for th in ev.themes}
    theme_ids = c2.multiselect(t("dashboard.filter.themes"), list(themes), format_func=lambda i: themes[i].title,
                               key="dash_themes", placeholder=t("dashboard.filter.all"), select_all=False)
    sessions = {s.id: s for th in ([themes[i] for i in theme_ids] or list(themes.values())) for s in th.sessions}
    session_ids = c3.multiselect(
        t("dashboard.filter.sessions"), list(sessions), key="dash_sessions", placeholder=t("dashboard.filter.all"),
        format_func=lambda i: " · ".join(p for p in (sessions[i].starts_at.strftime("%d/%m/%Y %H:%M")
                                                       if sessions[i].starts_at else "", sessions[i].title)
                                         if p) or "—", select_all=False)
    dates = c4.date_input(date_label("dashboard.filter.dates"), value=[], min_value=dt.date(2000, 1, 1),
                          max_value=dt.date(2100, 12, 31), key="dash_dates", format="DD/MM/YYYY")

dates = tuple(dates or ())
try:
    flt = d.DashboardFilter(event_ids=tuple(event_ids), theme_ids=tuple(theme_ids), session_ids=tuple(session_ids),
                            date_from=dates[0] if dates else None, date_to=dates[1] if len(dates) > 1 else None,
                            visible_event_ids=visible).validate()
except AtelierError as exc:
    show(exc)
    st.stop()
level_names = d.level_labels(flt, lang)   # key -> label, in the order of the events' lists

# --- headline numbers: the same function as `manage.py stats` --------------------------------
# Figures come from the process's cache at the data's revision (one query when nothing changed).

rev = cache.data_revision(flt)
head = cache.tab_figures("headline", flt, rev)
totals, people = head["totals"], head["participation_totals"]
row1 = st.columns(6)
for col, key, value in zip(row1, ("sessions", "participants", "joined", "organisations", "personas",
                                  "recommendations"),
                           (totals["sessions"], totals["participants"], people.joined, people.organisations,
                            totals["personas"], totals["recommendations"])):
    col.metric(t(f"dashboard.metric.{key}"), value)   # explained in the participation tab
row2 = st.columns(5)
for col, key in zip(row2, ("canvas_items", "needs", "solution_leads", "resources", "votes")):
    # with no filter `resources` is the whole inventory (as in `manage.py stats`), else those drawn on
    name = "resources_inventory" if key == "resources" and flt.is_everything else key
    col.metric(t(f"dashboard.metric.{name}"), totals[key])

TABS = ("diagnostic", "coverage", "recommendations", "participation", "followup", "exports")
tabs = st.tabs([t(f"dashboard.tab.{k}") for k in TABS], key="dash_tab", on_change="rerun")
tab = dict(zip(TABS, tabs))

# --- diagnostic: barriers and needs ------------------------------------------------------------

with tab["diagnostic"]:
    if tab["diagnostic"].open:
        data = cache.tab_figures("diagnostic", flt, rev)
        barriers = data["barriers_by_category"]
        table = localise(barriers, {"category": "category", "nature": "nature"})

        def barriers_chart() -> go.Figure:
            order = barriers.groupby("category")["barriers"].sum().sort_values().index
            fig = go.Figure()
            for nature in ("objective", "subjective"):
                part = barriers[barriers["nature"] == nature].set_index("category")["barriers"].reindex(
                    order, fill_value=0)
                fig.add_bar(y=[label("category", c) for c in order], x=list(part), orientation="h",
                            name=label("nature", nature), marker_color=NATURE_COLOURS[nature],
                            hovertemplate="%{y}: %{x}<extra>" + label("nature", nature) + "</extra>")
            return layout(fig, height=max(300, 28 * len(order) + 90), barmode="stack",
                          xaxis_title=t("dashboard.axis.barriers"), yaxis=dict(automargin=True))

        figure("barriers_by_category", t("dashboard.fig.barriers_by_category"), table, barriers_chart,
               caption=t("dashboard.fig.barriers_by_category_help"))

        grid = data["barriers_by_persona"]
        if not grid.empty:
            def grid_chart() -> go.Figure:
                pivot = grid.pivot_table(index="persona_id", columns="category", values="barriers", aggfunc="sum",
                                         fill_value=0)
                names = grid.drop_duplicates("persona_id").set_index("persona_id")["persona"]
                fig = go.Figure(go.Heatmap(
                    z=pivot.values, x=[label("category", c) for c in pivot.columns],
                    y=[chart_text(names[i]) for i in pivot.index], colorscale=[[0, "#F7F7F7"], [1, OKABE_ITO[0]]],
                    text=pivot.values, texttemplate="%{text}", hovertemplate="%{y} · %{x}: %{z}<extra></extra>",
                    colorbar=dict(title=t("dashboard.axis.barriers"))))
                return layout(fig, height=max(280, 34 * len(pivot) + 120), yaxis=dict(autorange="reversed",
                                                                                     automargin=True))

            figure("barriers_by_persona", t("dashboard.fig.barriers_by_persona"),
                   localise(grid, {"category": "category"}), grid_chart,
                   caption=t("dashboard.fig.barriers_by_persona_help", count=d.PERSONA_GRID_LIMIT))

        for kind, colour in (("barrier", OKABE_ITO[0]), ("need", OKABE_ITO[2])):
            rec = data[f"recurrent_{kind}s"]
            if kind != "barrier":
                rec = rec.drop(columns=["nature"])
            figure(f"recurrent_{kind}s", t(f"dashboard.fig.recurrent_{kind}s"),
                   localise(rec, {"category": "category", "nature": "nature"}),
                   lambda rec=rec, colour=colour: hbar(rec, "wording", "personas", colour,
                                                       t("dashboard.axis.personas")),
                   caption=t("dashboard.fig.recurrent_help"))

        board = data["contributions_by_category"]
        if not board.empty:
            figure("contributions_by_category", t("dashboard.fig.contributions_by_category"),
                   localise(board, {"kind": "kind"}))

# --- coverage: needs, gaps, resources ----------------------------------------------------------

with tab["coverage"]:
    if tab["coverage"].open:
        data = cache.tab_figures("coverage", flt, rev)
        cov = data["needs_coverage"]
        c1, c2, c3 = st.columns(3)
        c1.metric(t("dashboard.metric.needs_with_lead"), pct(cov.share_needs_with_lead),
                  help=t("dashboard.metric.out_of", count=cov.needs_with_lead, total=cov.needs))
        c2.metric(t("dashboard.metric.leads_with_resource"), pct(cov.share_leads_with_resource),
                  help=t("dashboard.metric.out_of", count=cov.leads_with_resource, total=cov.leads))
        c3.metric(t("dashboard.metric.needs_with_resource"), pct(cov.share_needs_with_resource),
                  help=t("dashboard.metric.out_of", count=cov.needs_with_resource, total=cov.needs))
        gaps = data["needs_without_resource"]
        figure("needs_without_resource", t("dashboard.fig.needs_without_resource"),
               localise(gaps, {"category": "category"}), empty=t("dashboard.no_gaps"),
               caption=t("dashboard.fig.needs_without_resource_help"))
        linked = data["resources_most_linked"]
        table = localise(linked, {"category": "category"})
        figure("resources_most_linked", t("dashboard.fig.resources_most_linked"), table,
               lambda: hbar(linked.assign(label=[f"{a} — {n[:40]}" if a and a != n else n[:50]
                                                 for a, n in zip(linked["acronym"], linked["name"])]),
                            "label", "leads", OKABE_ITO[0], t("dashboard.axis.leads")))
        by_cat = data["resources_by_category"]
        figure("resources_by_category", t("dashboard.fig.resources_by_category"),
               localise(by_cat, {"category": "category"}),
               lambda: hbar(by_cat.assign(category=[label("category", c) for c in by_cat["category"]]),
                            "category", "links", OKABE_ITO[2], t("dashboard.axis.links")))
        unused = data["unused_resources"]
        figure("unused_resources", t("dashboard.fig.unused_resources"), localise(unused, {"category": "category"}),
               empty=t("dashboard.no_unused"))

# --- recommendations and implementation --------------------------------------------------------

with tab["recommendations"]:
    if tab["recommendations"].open:
        data = cache.tab_figures("recommendations", flt, rev)
        recs = data["recommendations_ranked"]
        top = recs.sort_values("votes", ascending=False).head(20)

        def recs_chart() -> go.Figure:
            fig = go.Figure()
            for i, level in enumerate([*level_names, *sorted(set(top["level"]) - set(level_names))]):
                part = top[top["level"] == level].iloc[::-1]
                if len(part):
                    fig.add_bar(y=[chart_text(f"#{r} · {title[:60]}")
                                   for r, title in zip(part["recommendation_id"], part["title"])],
                                x=part["votes"], orientation="h", name=label("level", level),
                                marker_color=OKABE_ITO[i % len(OKABE_ITO)])
            return layout(fig, height=max(300, 28 * len(top) + 90), xaxis_title=t("dashboard.axis.votes"),
                          yaxis=dict(automargin=True, categoryorder="total ascending"))

        figure("recommendations_ranked", t("dashboard.fig.recommendations_ranked"),
               localise(recs, {"level": "level"}), recs_chart, empty=t("dashboard.no_recommendations"),
               caption=t("dashboard.fig.recommendations_ranked_help"))
        levels = data["votes_by_level"]

        def levels_chart() -> go.Figure:
            names = [label("level", lv) for lv in levels["level"]]
            fig = go.Figure([go.Bar(x=names, y=levels["recommendations"], name=t("dashboard.col.recommendations"),
                                    marker_color=OKABE_ITO[0]),
                             go.Bar(x=names, y=levels["votes"], name=t("dashboard.col.votes"),
                                    marker_color=OKABE_ITO[1])])
            return layout(fig, barmode="group")

        figure("votes_by_level", t("dashboard.fig.votes_by_level"), localise(levels, {"level": "level"}), levels_chart,
               empty=t("dashboard.no_recommendations"))
        plans = data["implementation_completeness"]
        done = d.Completeness.of(plans)
        if not plans.empty:
            c1, *cols = st.columns(1 + len(done.ACTION_FIELDS))
            c1.metric(t("dashboard.metric.complete_plans"), pct(done.share_complete),
                      help=t("dashboard.metric.out_of", count=done.complete_plans, total=done.plans))
            for col, key in zip(cols, done.ACTION_FIELDS):
                col.metric(t(f"dashboard.col.{key}"), pct(done.share_of_actions(key)),
                           help=t("dashboard.metric.out_of", count=getattr(done, key), total=done.actions))

        def plans_chart() -> go.Figure:
            filled = [getattr(done, k) for k in done.ACTION_FIELDS]
            names = [t(f"dashboard.col.{k}") for k in done.ACTION_FIELDS]
            fig = go.Figure([go.Bar(x=names, y=filled, name=t("dashboard.legend.filled"), marker_color=OKABE_ITO[2]),
                             go.Bar(x=names, y=[done.actions - v for v in filled], name=t("dashboard.legend.missing"),
                                    marker_color=OKABE_ITO[5])])
            return layout(fig, barmode="stack", yaxis_title=t("dashboard.axis.actions"))

        figure("implementation_completeness", t("dashboard.fig.implementation_completeness"), localise(plans),
               plans_chart, empty=t("dashboard.no_plans"), caption=t("dashboard.fig.implementation_help"))

# --- participation and mood --------------------------------------------------------------------

with tab["participation"]:
    if tab["participation"].open:
        data = cache.tab_figures("participation", flt, rev)
        people = data["participation_totals"]
        # registered, present (attendance) and joined by code: three ways of taking part, each labelled
        cols = st.columns(5)
        for col, key in zip(cols, ("participants", "present", "joined", "organisations", "sectors")):
            col.metric(t(f"dashboard.metric.{key}"), getattr(people, key), help=t(f"dashboard.metric.{key}_help"))
        part = data["participation"]

        def part_chart() -> go.Figure:
            shown = part.head(CHART_SESSIONS)
            xs = [f"{chart_text(s)}<br>{chart_text(th[:30])}" for s, th in zip(shown["session"], shown["theme"])]
            fig = go.Figure([go.Bar(x=xs, y=shown[k], name=t(f"dashboard.col.{k}"), marker_color=c)
                             for k, c in (("registered", OKABE_ITO[0]), ("present", OKABE_ITO[1]),
                                          ("joined", OKABE_ITO[4]), ("organisations", OKABE_ITO[2]))])
            return layout(fig, barmode="group", yaxis_title=t("dashboard.axis.people"))

        figure("participation", t("dashboard.fig.participation"), localise(part), part_chart,
               caption=too_many(len(part)))
        sectors = data["participants_by_sector"]
        figure("participants_by_sector", t("dashboard.fig.participants_by_sector"),
               localise(sectors.assign(sector=sectors["sector"].replace("", t("dashboard.not_given")))),
               lambda: hbar(sectors.assign(sector=sectors["sector"].replace("", t("dashboard.not_given"))),
                            "sector", "participants", OKABE_ITO[0], t("dashboard.axis.people")),
               empty=t("dashboard.no_registrations"))
        moods = data["mood"]

        mood_sessions = list(dict.fromkeys(moods["session_id"]))

        def mood_chart() -> go.Figure:
            names = dict(zip(moods["session_id"], moods["session"]))
            xs = [(sid, mo) for sid in mood_sessions[:CHART_SESSIONS] for mo in vocabulary.MOOD_MOMENTS]
            counts = moods.set_index(["session_id", "moment", "weather"])["checks"].to_dict()
            fig = go.Figure()
            for weather in vocabulary.WEATHERS:
                fig.add_bar(x=[[chart_text(names[sid]) for sid, _ in xs], [label("moment", mo) for _, mo in xs]],
                            y=[int(counts.get((sid, mo, weather), 0)) for sid, mo in xs],
                            name=label("weather", weather),
                            marker_color=WEATHER_COLOURS[weather], marker_line=dict(color="#333333", width=0.5))
            return layout(fig, barmode="stack", yaxis_title=t("dashboard.axis.checks"))

        figure("mood", t("dashboard.fig.mood"), localise(moods, {"moment": "moment", "weather": "weather"}), mood_chart,
               empty=t("dashboard.no_mood"), caption=too_many(len(mood_sessions)))
        scores = data["mood_scores"]
        figure("mood_scores", t("dashboard.fig.mood_scores"), localise(scores), empty=t("dashboard.no_mood"),
               caption=t("dashboard.fig.mood_scores_help"))

# --- follow-up after the event: statuses, answers, actions, what waits for an answer --------------

with tab["followup"]:
    if tab["followup"].open:
        fu = cache.tab_figures("followup", flt, rev)["follow_up"]

        def fu_status(code: Any) -> str:
            return t(f"followup.status.{code}")

        def fu_action(code: Any) -> str:
            return t("dashboard.followup.late") if code == "late" else t(f"followup.action_status.{code}")

        def fu_table(df: pd.DataFrame, status: Callable[[Any], str] = fu_status) -> pd.DataFrame:
            out = df.copy()
            if "status" in out.columns:
                out["status"] = out["status"].map(status)
            return localise(out, {"level": "level"})

        if fu.recommendations.empty:
            st.info(t("dashboard.followup.none_closed", count=fu.sessions) if not fu.closed_sessions
                    else t("dashboard.followup.no_recommendations", count=fu.closed_sessions))
        else:
            share = fu.answered_share or 0.0
            late = fu.action_count("late")
            c1, c2, c3, c4 = st.columns(4)
            c1.metric(t("dashboard.metric.followed_up"), len(fu.recommendations),
                      help=t("dashboard.metric.followed_up_help", count=fu.closed_sessions))
            c2.metric(t("dashboard.metric.answered_share"), pct(share),
                      help=t("dashboard.metric.out_of", count=fu.answered, total=len(fu.recommendations)))
            c3.metric(t("dashboard.metric.actions_done"), fu.action_count("done"),
                      help=t("dashboard.metric.out_of", count=fu.action_count("done"), total=int(
                          fu.actions[fu.actions["status"] != "late"]["actions"].sum())))
            c4.metric(t("dashboard.metric.actions_late"), late, help=t("dashboard.metric.actions_late_help"))
            grid = fu.by_status_level

            def status_chart() -> go.Figure:
                fig = go.Figure()
                for i, code in enumerate(grid["status"].unique()):
                    part = grid[grid["status"] == code]
                    if part["recommendations"].sum():
                        fig.add_bar(x=[label("level", lv) for lv in part["level"]], y=list(part["recommendations"]),
                                    name=fu_status(code), marker_color=OKABE_ITO[i % len(OKABE_ITO)],
                                    hovertemplate="%{x}: %{y}<extra>" + chart_text(fu_status(code)) + "</extra>")
                return layout(fig, barmode="stack", yaxis_title=t("dashboard.axis.recommendations"))

            figure("followup_by_status_level", t("dashboard.fig.followup_by_status_level"),
                   fu_table(grid[grid["recommendations"] > 0]), status_chart,
                   caption=t("dashboard.fig.followup_by_status_level_help"))
            acts = fu.actions

            def actions_chart() -> go.Figure:
                return hbar(acts.assign(status=[fu_action(c) for c in acts["status"]]), "status", "actions",
                            OKABE_ITO[2], t("dashboard.axis.actions"))

            # five rows (one per action status) even with no action: no action at all is the empty state
            figure("followup_actions", t("dashboard.fig.followup_actions"),
                   fu_table(acts, fu_action) if acts["actions"].sum() else acts.iloc[0:0],
                   actions_chart, empty=t("dashboard.no_plans"),
                   caption=t("dashboard.fig.followup_actions_help"))
            figure("followup_unanswered", t("dashboard.fig.followup_unanswered"), fu_table(fu.unanswered),
                   empty=t("dashboard.followup.nothing_waiting"),
                   caption=t("dashboard.fig.followup_unanswered_help"))
            figure("followup_recommendations", t("dashboard.fig.followup_recommendations"),
                   fu_table(fu.recommendations), caption=t("dashboard.fig.followup_recommendations_help"))

# --- booklet and exports -----------------------------------------------------------------------

with tab["exports"]:
    if tab["exports"].open:
        st.subheader(t("dashboard.booklet_header"), anchor=False)
        st.caption(t("dashboard.booklet_help"))
        c1, c2, c3 = st.columns([3, 1, 2])
        booklet_event = c1.selectbox(t("dashboard.booklet_event"), [ev.id for ev in chosen],
                                     format_func=lambda i: by_id[i].title, key="booklet_event",
                                     placeholder=t("widget.choose_one"))
        booklet_lang = c2.selectbox(t("lang.label"), ("fr", "en", "nl"), index=("fr", "en", "nl").index(lang),
                                    format_func=lambda code: t(f"lang.{code}"), key="booklet_lang",
                                    placeholder=t("widget.choose_one"))
        # the first edition (the workshops') or the follow-up edition, dated today (issue 17)
        edition = c3.selectbox(t("dashboard.booklet_edition"), bk.EDITIONS, key="booklet_edition",
                               format_func=lambda code: t(f"dashboard.booklet_edition.{code}"),
                               help=t("dashboard.booklet_edition_help"), placeholder=t("widget.choose_one"))
        edition = edition or bk.EDITIONS[0]
        slug = by_id[booklet_event].slug
        b1, b2, _ = st.columns([1, 1, 3])
        for col, fmt in ((b1, "docx"), (b2, "pdf")):
            col.download_button(
                t(f"dashboard.booklet_{fmt}"), key=f"booklet_{fmt}", on_click="ignore", type="primary",
                data=lambda fmt=fmt, slug=slug, bl=booklet_lang, ed=edition: bk.export_booklet(
                    slug, fmt, bl, visible, ed),
                file_name=bk.file_name(slug, fmt, booklet_lang, edition), mime=bk.MIME[fmt],
                icon=":material/description:")

        st.subheader(t("dashboard.exports_header"), anchor=False)
        st.caption(t("dashboard.exports_help"))
        c1, c2 = st.columns([3, 1])
        table_name = c1.selectbox(t("dashboard.export_table"), list(x.TABLES), key="export_table",
                                  format_func=lambda n: t(f"dashboard.table.{n}"), placeholder=t("widget.choose_one"))
        c2.download_button(t("dashboard.download_csv"), key="export_csv", on_click="ignore",
                           data=lambda n=table_name: x.export_bytes(n, "csv", flt), file_name=f"{table_name}.csv",
                           mime=x.CSV_MIME, icon=":material/download:")
        c2.download_button(t("dashboard.download_xlsx"), key="export_xlsx", on_click="ignore",
                           data=lambda n=table_name: x.export_bytes(n, "xlsx", flt), file_name=f"{table_name}.xlsx",
                           mime=x.XLSX_MIME, icon=":material/download:")
        st.download_button(t("dashboard.export_all"), key="export_all", on_click="ignore",
                           data=lambda: x.export_bytes("all", "xlsx", flt), file_name="atelier-export.xlsx",
                           mime=x.XLSX_MIME, icon=":material/table_view:")
