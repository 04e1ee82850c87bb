"""A recommendation and its trail: the findings, needs (with their persona and solution leads)
and personas it comes from, and the duplicates merged into it. Opened from the console or the
sub-group page (``?rec=<id>``), or by picking one of the session's recommendations."""
from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import streamlit as st

from core.errors import AtelierError
from core.session import recommendations
from ui import auth, errors
from ui.i18n import t
from ui.text import md

actor = auth.current_actor()
if actor is None:
    st.warning(t("auth.not_allowed"))
    st.stop()

st.title(t("flow.trail.title"))

raw = st.query_params.get("rec") or st.session_state.get("recommendation_id")
session_id = actor.session_id if actor.is_participant else st.session_state.get("console_session_id")
if session_id is not None:
    items = recommendations.list_recommendations(session_id)
    if items:
        ids = [r.id for r in items]
        titles = {r.id: r.title for r in items}
        try:
            current = int(raw) if raw is not None else ids[0]
        except (TypeError, ValueError):
            current = ids[0]
        picked = st.selectbox(t("flow.trail.pick"), ids, index=ids.index(current) if current in ids else 0,
                              format_func=lambda i: titles.get(i, ""), key="trail_pick",
                              placeholder=t("widget.choose_one"))
        if picked != current:
            st.query_params["rec"] = str(picked)
        raw = picked
if raw is None:
    st.info(t("flow.rec.none"))
    st.stop()

try:
    trail = recommendations.trail_for(actor, raw)
except AtelierError as exc:
    errors.show(exc)
    st.stop()

rec = trail.recommendation
st.header(md(rec.title), anchor=False)
facts = [t(f"flow.level.{rec.level}")]
if rec.public:
    facts.append(t("flow.rec.public_is", public=md(rec.public)))
if rec.subgroup_name:
    facts.append(md(rec.subgroup_name))
if rec.retained:
    facts.append(t("flow.rec.retained"))
st.caption(" · ".join(facts))
if rec.text:
    st.markdown(md(rec.text))

st.subheader(t("flow.trail.comes_from"), anchor=False)
if trail.empty:
    st.info(t("flow.trail.empty"))


def section(title_key: str, rows: Sequence[Any], draw: Callable[[Any], None]) -> None:
    """A part of the trail: its title, then one bordered card a row."""
    if not rows:
        return
    st.markdown(f"**{t(title_key)}**")
    for row in rows:
        with st.container(border=True):
            draw(row)


def draw_finding(f: recommendations.TrailFinding) -> None:
    st.markdown(md(f.text))
    st.caption(" · ".join(x for x in (t(f"flow.kind.{f.kind}"), md(f.category), md(f.subgroup_name)) if x))


def draw_need(n: recommendations.TrailNeed) -> None:
    st.markdown(md(n.text))
    st.caption(t("flow.trail.need_of", persona=md(n.persona_name)))
    for lead in n.leads:
        st.markdown(f"- {md(lead)}")


def draw_persona(p: recommendations.TrailPersona) -> None:
    line = [md(p.name)]
    if p.age is not None:
        line.append(t("group.persona_age", age=p.age))
    if p.origin:
        line.append(md(p.origin))
    st.markdown("**" + " · ".join(line) + "**")
    st.caption(t("flow.trail.cited") if p.cited else t("flow.trail.via_need"))
    for fact in p.facts:
        st.text(f"• {fact}")


def draw_merged(merged: recommendations.MergedRef) -> None:
    st.markdown(f"**{md(merged.title)}**")
    if merged.text:
        st.markdown(md(merged.text))


section("flow.trail.findings", trail.findings, draw_finding)
section("flow.trail.needs", trail.needs, draw_need)
section("flow.trail.personas", trail.personas, draw_persona)
section("flow.trail.merged", rec.merged_from, draw_merged)
