"""The recommendation forms the console and the sub-group page share: write a new recommendation
(title, text, level of power, public, the sources it cites) and edit one without overwriting
someone else's change (``ui.actions.RowEdit``).

The sources are offered in three pickers, one per kind — findings of the board, needs (by
persona), personas — each searchable (type to filter) and sorted by the core's rule
(``core.session.recommendations.sources_by_kind``: the viewer's sub-group's own first). A source is
chosen as its key ``"kind:id"`` (``source_key``); the core reads the keys back
(``parse_source_key``) and checks each source may be cited. Which sources a viewer may cite is the
core's rule too (``citable_sources``).

Widget keys are built from a prefix so each page keeps its own: ``new_form(..., "rec")`` draws
``rec_title``, ``rec_text``, ``rec_level``, ``rec_public``, ``rec_sources_contribution``,
``rec_sources_need``, ``rec_sources_persona`` and ``rec_submit``; ``edit_form(..., "rec_edit")``
draws ``rec_edit_title_<id>``, ``rec_edit_sources_need_<id>``... and ``rec_edit_save_<id>``."""
from __future__ import annotations

import contextlib
from collections.abc import Sequence
from typing import Any

import streamlit as st

from core import limits as L
from core.actor import Actor
from core.session import recommendations
from core.session.recommendations import RecommendationView, SourceOption
from core.setup.events import EventLevels, event_levels
from core.territory import level_keys, level_label
from ui import actions
from ui.actions import Field, RowEdit
from ui.i18n import current_language, fmt_date, t
from ui.text import md


def _choices(options: Sequence[SourceOption], subgroup_id: int | None) -> dict[str, dict[str, SourceOption]]:
    """kind -> {source key: option}, in the order the pickers show them."""
    return {kind: {recommendations.source_key(o.kind, o.id): o for o in found}
            for kind, found in recommendations.sources_by_kind(options, subgroup_id).items()}


def _level_labeller(levels: EventLevels) -> Any:
    """The label of a level key for this event (``core.territory.level_label``: an old level keeps
    its meaning)."""
    lang = current_language()
    return lambda level: level_label(levels, level, lang) if level else ""


def _option_label(option: SourceOption, subgroup_id: int | None) -> str:
    """« Constat · text — Table B » (ours without the name), « Persona · need », « Persona »; from
    an earlier date of the theme, its date after it (« … — Table B · 16/11/23 »)."""
    theirs = option.subgroup_id != subgroup_id or subgroup_id is None
    who = f" — {option.subgroup_name}" if theirs and option.subgroup_name else ""
    dated = ""
    if option.earlier:
        when = fmt_date(option.session_date.date(), current_language(), "short") if option.session_date else ""
        dated = f" · {t('flow.earlier.source_date', date=when)}" if when else f" · {t('flow.earlier.source')}"
    if option.kind == "contribution":
        return f"{t(f'flow.kind.{option.detail}')} · {option.text}{who}{dated}"
    if option.kind == "need":
        return f"{option.detail} · {option.text}{dated}"
    return f"{option.text}{who}{dated}"


def _source_keys(prefix: str, suffix: str = "") -> dict[str, str]:
    return {kind: f"{prefix}_sources_{kind}{suffix}" for kind in recommendations.SOURCE_KINDS}


def _chosen(keys: dict[str, str]) -> list[str]:
    return [key for kind in recommendations.SOURCE_KINDS for key in (st.session_state.get(keys[kind]) or [])]


def _sources(keys: dict[str, str], choices: dict[str, dict[str, SourceOption]], subgroup_id: int | None,
             help_text: bool) -> None:
    """The three pickers under one heading, each with how many it offers."""
    st.markdown(f"**{t('flow.rec.sources')}**", help=t("flow.rec.sources_help") if help_text else None)
    for kind in recommendations.SOURCE_KINDS:
        offered = choices[kind]
        st.multiselect(t(f"flow.rec.sources_{kind}"), list(offered), key=keys[kind], select_all=False,
                       format_func=lambda k, o=offered: _option_label(o[k], subgroup_id) if k in o else k,
                       placeholder=t("flow.rec.sources_search", count=len(offered)), disabled=not offered)


def new_form(actor: Actor, session_id: int, options: Sequence[SourceOption], prefix: str,
             subgroup_id: int | None = None) -> None:
    """A new recommendation citing some of ``options`` (what this viewer may cite; the sub-group's
    own listed first); emptied once saved, with a confirmation, kept with the error next to it
    when refused."""
    choices = _choices(options, subgroup_id)
    keys = {f: f"{prefix}_{f}" for f in ("title", "text", "level", "public")}
    source_keys = _source_keys(prefix)
    levels = event_levels(session_id)
    offered = list(level_keys(levels))
    if st.session_state.get(keys["level"]) not in offered:
        st.session_state.pop(keys["level"], None)   # a level the event no longer offers

    def create() -> None:
        g = st.session_state.get
        title = (g(keys["title"]) or "").strip()
        if actions.run(actor, f"{prefix}_error", recommendations.create_recommendation, session_id,
                       g(keys["title"], ""), g(keys["level"]), text=g(keys["text"], ""), public=g(keys["public"], ""),
                       sources=_chosen(source_keys),
                       clear={keys["title"]: "", keys["text"]: "", keys["public"]: "",
                              **{key: [] for key in source_keys.values()}}):
            st.session_state[f"{prefix}_added"] = title

    with st.form(f"{prefix}_form", border=False, enter_to_submit=False):
        st.text_input(t("flow.rec.title_label"), key=keys["title"], max_chars=L.TITLE_MAX, persist_state="page")
        st.text_area(t("flow.rec.text_label"), key=keys["text"], max_chars=L.LONG_MAX, persist_state="page", height=96)
        cols = st.columns(2)
        # no level chosen for the writers: the addressee is a decision, not a default to overlook
        cols[0].selectbox(t("flow.rec.level"), offered, key=keys["level"], format_func=_level_labeller(levels),
                          index=None, placeholder=t("widget.choose_one"))
        cols[1].text_input(t("flow.rec.public"), key=keys["public"], max_chars=L.TITLE_MAX, persist_state="page")
        _sources(source_keys, choices, subgroup_id, help_text=True)
        st.form_submit_button(t("flow.rec.add_button"), key=f"{prefix}_submit", type="primary", icon=":material/add:",
                              on_click=create)
    actions.show_error(f"{prefix}_error")
    added = st.session_state.pop(f"{prefix}_added", None)
    if added is not None:
        st.success(t("flow.rec.added", title=md(added)), icon=":material/check_circle:")


def edit_form(actor: Actor, rec: RecommendationView, prefix: str, options: Sequence[SourceOption] | None = None,
              save_label: str = "flow.save", expander: bool = False, subgroup_id: int | None = None) -> None:
    """Edit ``rec``: its wording (title, text, level), and with ``options`` (what this viewer may
    cite) its public and sources too. With ``expander`` the form sits in an expander named after
    the recommendation, open while a stale edit waits for a choice."""
    edit = RowEdit(f"{prefix}_{rec.id}")
    keys = {f: f"{prefix}_{f}_{rec.id}" for f in ("title", "text", "level", "public")}
    source_keys = _source_keys(prefix, f"_{rec.id}")
    levels = event_levels(rec.session_id)
    label_of = _level_labeller(levels)
    offered = list(level_keys(levels))
    if rec.level and rec.level not in offered:
        offered.append(rec.level)   # filed at a level the event no longer offers: kept, with its label
    values: dict[str, Any] = {keys["title"]: rec.title, keys["text"]: rec.text, keys["level"]: rec.level}
    fields = [Field("title", t("flow.rec.title_label")), Field("text", t("flow.rec.text_label")),
              Field("level", t("flow.rec.level"), label_of)]
    choices = _choices(options, subgroup_id) if options is not None else None
    if choices is not None:
        cited = [recommendations.source_key(*x) for x in rec.source_keys]
        values[keys["public"]] = rec.public
        for kind, key in source_keys.items():
            values[key] = [k for k in cited if k in choices[kind]]
        fields.append(Field("public", t("flow.rec.public")))
    edit.open(rec.version, values)

    def write(version: int | None, ident: int = rec.id) -> Any:
        g = st.session_state.get
        changes: dict[str, Any] = {"title": g(keys["title"], ""), "text": g(keys["text"], ""),
                                   "level": g(keys["level"])}
        if choices is not None:
            changes |= {"public": g(keys["public"], ""), "sources": _chosen(source_keys)}
        return recommendations.edit_recommendation(actor, ident, version, **changes)

    frame = st.expander(t("flow.rec.edit", title=md(rec.title)), expanded=edit.conflict is not None,
                        icon=":material/edit:") if expander else contextlib.nullcontext()
    with frame:
        with st.form(f"{prefix}_form_{rec.id}", border=False, enter_to_submit=False):
            st.text_input(t("flow.rec.title_label"), key=keys["title"], max_chars=L.TITLE_MAX)
            st.text_area(t("flow.rec.text_label"), key=keys["text"], max_chars=L.LONG_MAX)
            st.selectbox(t("flow.rec.level"), offered, key=keys["level"], format_func=label_of,
                         placeholder=t("widget.choose_one"))
            if choices is not None:
                st.text_input(t("flow.rec.public"), key=keys["public"], max_chars=L.TITLE_MAX)
                _sources(source_keys, choices, subgroup_id, help_text=False)
            st.form_submit_button(t(save_label), key=f"{prefix}_save_{rec.id}", on_click=edit.save, args=(write,))
        edit.show(fields, write)


__all__ = ["edit_form", "new_form"]
