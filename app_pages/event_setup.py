"""Organisers prepare events: the event itself (title, organisers, place, dates, caps, category
template, interface languages), its themes (title, why) and dated sessions with their
facilitators, the event's team; copy an event for a new season; archive. Every form validates and
explains, nothing needs the command line."""
from __future__ import annotations

import datetime as dt
from typing import Any

import streamlit as st

from core import limits as L
from core import territory
from core.errors import ValidationError
from core.i18n import LANGUAGES
from core.session import board, theme_process
from core.setup import events
from ui import actions, auth
from ui.actions import Field, RowEdit, show_error
from ui.i18n import current_language, date_label, fmt_date, fmt_time, t
from ui.text import md

actor = auth.require_staff("organiser")
lang = current_language()
NEW = 0

st.title(t("flow.setup.title"))


def saved() -> None:
    st.session_state["setup_notice"] = "flow.setup.saved"


def open_event(result: Any) -> None:
    """After creating or copying an event: show it."""
    if isinstance(result, dict):
        st.session_state["setup_event"] = result["id"]


def run(error_key: str, fn: Any, *args: Any, select: bool = False, **kwargs: Any) -> bool:
    """A callback: the write as this organiser; its error is shown next to the form, "saved" on
    success. ``select``: open the event just created."""
    return actions.run(actor, error_key, fn, *args, notice=("setup_notice", "flow.setup.saved"),
                       then=open_event if select else None, **kwargs)


def event_values(prefix: str) -> dict[str, Any]:
    g = st.session_state.get
    return {"title": g(f"{prefix}_title", ""), "organisers": g(f"{prefix}_organisers", ""),
            "place": g(f"{prefix}_place", ""), "description": g(f"{prefix}_description", ""),
            "starts_on": g(f"{prefix}_starts_on"), "ends_on": g(f"{prefix}_ends_on"),
            "participant_cap": g(f"{prefix}_cap"), "per_org_cap": g(f"{prefix}_per_org"),
            "category_template": g(f"{prefix}_template"), "languages": g(f"{prefix}_languages") or []}


def event_initial(prefix: str, record: events.EventView | None) -> dict[str, Any]:
    """The event form's starting values, by widget key (a new event when ``record`` is None)."""
    templates = list(board.TEMPLATES)
    values = {
        f"{prefix}_title": record.title if record else "",
        f"{prefix}_organisers": record.organisers if record else "",
        f"{prefix}_place": record.place if record else "",
        f"{prefix}_description": record.description if record else "",
        f"{prefix}_starts_on": record.starts_on if record else None,
        f"{prefix}_ends_on": record.ends_on if record else None,
        f"{prefix}_cap": record.participant_cap if record else 40,
        f"{prefix}_per_org": record.per_org_cap if record else 2,
        f"{prefix}_template": record.category_template if record and record.category_template in templates
        else templates[0],
        f"{prefix}_languages": list(record.languages) if record else list(LANGUAGES),
    }
    if record:
        values[f"{prefix}_slug"] = record.slug
    return values


def event_fields(prefix: str, with_slug: bool) -> None:
    """The event form's fields; their values come from ``event_initial`` (set before drawing)."""
    st.text_input(t("flow.setup.ev_title"), key=f"{prefix}_title", max_chars=L.TITLE_MAX)
    if with_slug:
        st.text_input(t("flow.setup.ev_slug"), key=f"{prefix}_slug", max_chars=L.SLUG_MAX,
                      help=t("flow.setup.ev_slug_help"))
    st.text_area(t("flow.setup.ev_organisers"), key=f"{prefix}_organisers", max_chars=L.LONG_MAX, height=80)
    st.text_input(t("flow.setup.ev_place"), key=f"{prefix}_place", max_chars=L.PLACE_MAX)
    st.text_area(t("flow.setup.ev_description"), key=f"{prefix}_description", max_chars=L.LONG_MAX, height=80)
    cols = st.columns(2)
    cols[0].date_input(date_label("flow.setup.ev_starts_on"), key=f"{prefix}_starts_on", format="DD/MM/YYYY")
    cols[1].date_input(date_label("flow.setup.ev_ends_on"), key=f"{prefix}_ends_on", format="DD/MM/YYYY")
    cols = st.columns(2)
    cols[0].number_input(t("flow.setup.ev_cap"), min_value=L.CAP_MIN, max_value=L.CAP_MAX, step=1, key=f"{prefix}_cap")
    cols[1].number_input(t("flow.setup.ev_per_org"), min_value=L.PER_ORG_CAP_MIN, max_value=L.PER_ORG_CAP_MAX,
                         step=1, key=f"{prefix}_per_org")
    cols = st.columns(2)
    cols[0].selectbox(t("flow.setup.ev_template"), list(board.TEMPLATES), key=f"{prefix}_template",
                      format_func=lambda k: t(board.TEMPLATES[k].label_key), help=t("flow.setup.ev_template_help"),
                      placeholder=t("widget.choose_one"))
    cols[1].multiselect(t("flow.setup.ev_languages"), list(LANGUAGES), key=f"{prefix}_languages",
                        format_func=lambda code: t(f"lang.{code}"),
                        placeholder=t("widget.choose_many"), select_all=False)


def day_text(value: Any) -> str:
    """A date of the other version (ISO text) in the reader's language."""
    try:
        return fmt_date(dt.date.fromisoformat(str(value)[:10]), lang, "medium") if value else ""
    except ValueError:
        return str(value)


def moment_text(value: Any) -> str:
    try:
        moment = dt.datetime.fromisoformat(str(value)) if value else None
    except ValueError:
        return str(value)
    return f"{fmt_date(moment.date(), lang, 'medium')} {fmt_time(moment, lang)}" if moment else ""


EVENT_FIELDS = [Field("title", t("flow.setup.ev_title")), Field("slug", t("flow.setup.ev_slug")),
                Field("organisers", t("flow.setup.ev_organisers")), Field("place", t("flow.setup.ev_place")),
                Field("description", t("flow.setup.ev_description")),
                Field("starts_on", t("flow.setup.ev_starts_on"), day_text),
                Field("ends_on", t("flow.setup.ev_ends_on"), day_text),
                Field("participant_cap", t("flow.setup.ev_cap")), Field("per_org_cap", t("flow.setup.ev_per_org")),
                Field("category_template", t("flow.setup.ev_template"),
                      lambda k: t(board.TEMPLATES[k].label_key) if k in board.TEMPLATES else str(k or "")),
                Field("languages", t("flow.setup.ev_languages"),
                      lambda v: ", ".join(t(f"lang.{c}") for c in str(v or "").split(",") if c in LANGUAGES))]
THEME_FIELDS = [Field("title", t("flow.setup.theme_title")), Field("why", t("flow.setup.theme_why"))]
SESSION_FIELDS = [Field("starts_at", t("flow.setup.session_start"), moment_text),
                  Field("ends_at", t("flow.setup.session_end"), moment_text),
                  Field("title", t("flow.setup.session_title"))]


# --- which event -----------------------------------------------------------------------------------

show_archived = st.toggle(t("flow.setup.show_archived"), key="setup_show_archived")
visible = None if actor.role == "admin" else set(actor.event_ids)
evs = events.list_events(include_archived=show_archived, event_ids=visible)
by_id = {ev.id: ev for ev in evs}
if st.session_state.get("setup_event") not in [NEW, *by_id]:
    st.session_state["setup_event"] = NEW if not evs else evs[0].id
selected = st.selectbox(t("flow.setup.event"), [NEW, *by_id], key="setup_event",
                        format_func=lambda i: t("flow.setup.new_event") if i == NEW else
                        (by_id[i].title + (f" ({t('flow.setup.archived')})" if by_id[i].archived else "")),
                        placeholder=t("widget.choose_one"))
notice = st.session_state.pop("setup_notice", None)
if notice:
    st.success(t(notice))

if selected == NEW:
    for key, value in event_initial("ev_new", None).items():
        st.session_state.setdefault(key, value)
    with st.form("ev_new", border=True):
        st.subheader(t("flow.setup.new_event"), anchor=False)
        event_fields("ev_new", with_slug=False)
        st.selectbox(t("flow.setup.territory"), territory.TERRITORIES, key="ev_new_territory",
                     placeholder=t("widget.choose_one"),
                     format_func=lambda k: territory.territory_label(k, lang), help=t("flow.setup.levels_intro"))
        st.form_submit_button(t("flow.setup.create_event"), key="ev_new_submit", type="primary",
                              on_click=lambda: run("ev_new_error", events.create_event, select=True,
                                                   territory=st.session_state.get("ev_new_territory"),
                                                   **event_values("ev_new")))
    show_error("ev_new_error")
    st.stop()

event = by_id[selected]
record = events.get_event_record(event.id)
tab_themes, tab_event, tab_team, tab_season = st.tabs([t("flow.setup.tab_themes"), t("flow.setup.tab_event"),
                                                       t("flow.setup.tab_team"), t("flow.setup.tab_season")])

# --- form actions ---------------------------------------------------------------------------------

def _when(date_key: str, start_key: str, end_key: str) -> tuple[dt.datetime | None, dt.datetime | None]:
    day = st.session_state.get(date_key)
    if day is None:
        return None, None
    start, end = st.session_state.get(start_key), st.session_state.get(end_key)
    return (dt.datetime.combine(day, start) if start else None, dt.datetime.combine(day, end) if end else None)


def add_theme() -> None:
    def _add(a: Any) -> dict:
        return events.add_theme(a, event.id, st.session_state.get("theme_new_title", ""),
                                why=st.session_state.get("theme_new_why", ""))
    run("theme_new_error", _add)
    if "theme_new_error" not in st.session_state:
        st.session_state["theme_new_title"] = st.session_state["theme_new_why"] = ""


def add_session() -> None:
    starts, ends = _when("session_new_date", "session_new_start", "session_new_end")

    def _add(a: Any) -> dict:
        if starts is None:
            raise ValidationError("error.session_date_required", field="date")
        return events.add_session(a, st.session_state.get(f"session_new_theme_{event.id}"), starts, ends,
                                  st.session_state.get("session_new_title", ""),
                                  facilitator_ids=st.session_state.get("session_new_staff") or [])
    run("session_new_error", _add)
    if "session_new_error" not in st.session_state:
        st.session_state["session_new_title"] = ""
        st.session_state["session_new_staff"] = []


def session_writer(session_id: int):  # noqa: ANN201 - Callable[[int | None], None]
    """Save a session's edit form with the version the organiser saw."""
    def write(version: int | None) -> None:
        starts, ends = _when(f"s_{session_id}_date", f"s_{session_id}_start", f"s_{session_id}_end")
        events.update_session(actor, session_id, version, starts_at=starts, ends_at=ends,
                              title=st.session_state.get(f"s_{session_id}_title", ""))
        events.set_session_facilitators(actor, session_id, st.session_state.get(f"s_{session_id}_staff") or [])
    return write


def theme_writer(theme_id: int):  # noqa: ANN201 - Callable[[int | None], dict]
    def write(version: int | None) -> dict:
        return events.update_theme(actor, theme_id, version, title=st.session_state.get(f"th_{theme_id}_title", ""),
                                   why=st.session_state.get(f"th_{theme_id}_why", ""))
    return write


# --- themes and sessions --------------------------------------------------------------------------

def stage_names(stages: Any) -> str:
    return ", ".join(t(f"stage.{x}") for x in stages)


def stages_form(dated: theme_process.DatedSession, count: int) -> None:
    """The stages this date covers in its theme's process (the default follows its position)."""
    key, error_key = f"s_{dated.id}_stages", f"stages_error_{dated.id}"
    st.session_state.setdefault(key, list(dated.stages))

    def save(ident: int = dated.id, version: int = dated.version) -> None:
        run(error_key, theme_process.set_session_stages, ident, st.session_state.get(key) or [], seen_version=version)

    def reset(ident: int = dated.id) -> None:
        st.session_state.pop(key, None)
        run(error_key, theme_process.set_session_stages, ident, None)

    with st.form(f"stages_form_{dated.id}", border=False):
        st.multiselect(t("flow.setup.stages"), list(theme_process.STAGES), key=key,
                       format_func=lambda x: t(f"stage.{x}"), placeholder=t("widget.choose_many"), select_all=False,
                       help=t("flow.setup.stages_help"))
        default = t("flow.setup.stages_default", n=dated.position + 1, count=count, stages=stage_names(dated.default))
        st.caption(default if dated.chosen else f"{default} {t('flow.setup.stages_is_default')}")
        st.form_submit_button(t("flow.setup.stages_save"), key=f"s_{dated.id}_stages_save", on_click=save)
    if dated.chosen:
        st.button(t("flow.setup.stages_reset"), key=f"s_{dated.id}_stages_reset", type="tertiary", on_click=reset)
    show_error(error_key)


staff = events.staff_candidates()
staff_names = {u.id: f"{u.name} ({t(f'role.{u.role}')})" for u in staff}

with tab_themes:
    if not event.themes:
        st.info(t("flow.setup.no_themes"))
    for theme in event.themes:
        with st.container(border=True):
            st.subheader(md(theme.title), anchor=False)
            if theme.why:
                st.caption(md(theme.why))
            process = {d.id: d for d in theme_process.theme_sessions(theme.id)}
            for x in theme.sessions:
                when = (f"{fmt_date(x.starts_at.date(), lang, 'full')}, {fmt_time(x.starts_at, lang)}–"
                        f"{fmt_time(x.ends_at, lang)}" if x.starts_at and x.ends_at else
                        fmt_date(x.starts_at.date(), lang, 'full') if x.starts_at else t("home.session_line_nodate"))
                who = ", ".join(f.name for f in events.session_facilitators(x.id)) or t("flow.setup.no_facilitator")
                edit = RowEdit(f"session_{x.id}")
                edit.open(x.version, {
                    f"s_{x.id}_date": x.starts_at.date() if x.starts_at else None,
                    f"s_{x.id}_start": x.starts_at.time() if x.starts_at else dt.time(9, 0),
                    f"s_{x.id}_end": x.ends_at.time() if x.ends_at else dt.time(12, 30),
                    f"s_{x.id}_title": x.title,
                    f"s_{x.id}_staff": [f.id for f in events.session_facilitators(x.id) if f.id in staff_names]})
                with st.expander(f"{when} · {t('flow.console.code_is', code=x.join_code or '—')} · {md(who)}",
                                 expanded=edit.conflict is not None):
                    with st.form(f"session_edit_{x.id}", border=False):
                        cols = st.columns(3)
                        cols[0].date_input(date_label("flow.setup.session_date"), key=f"s_{x.id}_date",
                                           format="DD/MM/YYYY")
                        cols[1].time_input(t("flow.setup.session_start"), key=f"s_{x.id}_start", step=900)
                        cols[2].time_input(t("flow.setup.session_end"), key=f"s_{x.id}_end", step=900)
                        st.text_input(t("flow.setup.session_title"), key=f"s_{x.id}_title", max_chars=L.TITLE_MAX)
                        st.multiselect(t("flow.setup.session_facilitators"), list(staff_names),
                                       format_func=lambda i: staff_names[i], key=f"s_{x.id}_staff",
                                       placeholder=t("widget.choose_many"), select_all=False)
                        st.form_submit_button(t("flow.save"), key=f"s_{x.id}_save", on_click=edit.save,
                                              args=(session_writer(x.id), saved))
                    edit.show(SESSION_FIELDS, session_writer(x.id), saved)
                    if x.id in process:
                        stages_form(process[x.id], len(process))
                    st.button(t("flow.setup.delete_session"), key=f"s_{x.id}_delete", on_click=run,
                              args=("theme_error", events.delete_session, x.id))
            edit = RowEdit(f"theme_{theme.id}")
            edit.open(theme.version, {f"th_{theme.id}_title": theme.title, f"th_{theme.id}_why": theme.why})
            with st.expander(t("flow.setup.edit_theme"), expanded=edit.conflict is not None):
                with st.form(f"theme_edit_{theme.id}", border=False):
                    st.text_input(t("flow.setup.theme_title"), key=f"th_{theme.id}_title", max_chars=L.TITLE_MAX)
                    st.text_area(t("flow.setup.theme_why"), key=f"th_{theme.id}_why", max_chars=L.LONG_MAX)
                    st.form_submit_button(t("flow.save"), key=f"th_{theme.id}_save", on_click=edit.save,
                                          args=(theme_writer(theme.id), saved))
                edit.show(THEME_FIELDS, theme_writer(theme.id), saved)
                st.button(t("flow.setup.delete_theme"), key=f"th_{theme.id}_delete", on_click=run,
                          args=("theme_error", events.delete_theme, theme.id))
    show_error("theme_error")

    st.subheader(t("flow.setup.add_theme"), anchor=False)
    with st.form("theme_new", border=True, clear_on_submit=False):
        st.text_input(t("flow.setup.theme_title"), key="theme_new_title", max_chars=L.TITLE_MAX)
        st.text_area(t("flow.setup.theme_why"), key="theme_new_why", max_chars=L.LONG_MAX,
                     help=t("flow.setup.theme_why_help"))
        st.form_submit_button(t("flow.setup.add_theme_button"), key="theme_new_submit", on_click=add_theme)
    show_error("theme_new_error")

    if event.themes:
        st.subheader(t("flow.setup.add_session"), anchor=False)
        themes = {th.id: th.title for th in event.themes}
        with st.form("session_new", border=True):
            st.selectbox(t("flow.setup.session_theme"), list(themes), format_func=lambda i: themes[i],
                         key=f"session_new_theme_{event.id}", placeholder=t("widget.choose_one"))
            cols = st.columns(3)
            cols[0].date_input(date_label("flow.setup.session_date"), value=None, key="session_new_date",
                               format="DD/MM/YYYY")
            cols[1].time_input(t("flow.setup.session_start"), value=dt.time(9, 0), key="session_new_start", step=900)
            cols[2].time_input(t("flow.setup.session_end"), value=dt.time(12, 30), key="session_new_end", step=900)
            st.text_input(t("flow.setup.session_title"), key="session_new_title", max_chars=L.TITLE_MAX)
            st.multiselect(t("flow.setup.session_facilitators"), list(staff_names),
                           format_func=lambda i: staff_names[i], key="session_new_staff",
                           placeholder=t("widget.choose_many"), select_all=False)
            st.form_submit_button(t("flow.setup.add_session_button"), key="session_new_submit",
                                  on_click=add_session)
        show_error("session_new_error")


# --- territory and levels of power (core.territory) ------------------------------------------------

def levels_section(record: events.EventView, event_prefix: str) -> None:
    """The event's territory preset and its levels of power: picking a territory fills the list with
    its preset (in the reader's language), which the organiser may edit (one level per line)."""
    lv = f"ev_levels_{record.id}"
    box, pick, loaded_key = f"{lv}_labels", f"{lv}_territory", f"{lv}_loaded"
    edit = RowEdit(lv)
    initial = {pick: record.territory, box: territory.labels_text(record, lang)}
    loaded = st.session_state.get(loaded_key)
    if edit.seen is not None and edit.seen != record.version and edit.conflict is None and loaded is not None \
            and all(st.session_state.get(k) == loaded.get(k) for k in initial):
        st.session_state.pop(edit.seen_key, None)   # untouched since loaded: follow the event as saved
    if edit.seen_key not in st.session_state:
        st.session_state[loaded_key] = initial
    edit.open(record.version, initial)

    def preset_list() -> None:
        chosen = st.session_state.get(pick)
        st.session_state[box] = "\n".join(territory.Level(k).text(lang) for k in territory.PRESETS.get(chosen, ()))

    def write(version: int | None) -> dict:
        return events.set_event_levels(actor, record.id, version, st.session_state.get(pick) or "",
                                       st.session_state.get(box) or "")

    def levels_saved() -> None:
        st.session_state.pop(f"_seen_{event_prefix}", None)   # the event's own form shows the new version
        saved()

    def levels_text(value: Any) -> str:
        return ", ".join(str(x.get("label") or x.get("key")) for x in value if isinstance(x, dict)
                         and not x.get("retired")) if isinstance(value, list) else t("flow.setup.levels_preset")

    with st.container(border=True, key=f"{lv}_box"):
        st.subheader(t("flow.setup.levels_header"), anchor=False)
        st.caption(t("flow.setup.levels_intro"))
        st.selectbox(t("flow.setup.territory"), territory.TERRITORIES, key=pick, on_change=preset_list,
                     placeholder=t("widget.choose_one"),
                     format_func=lambda k: territory.territory_label(k, lang))
        st.text_area(t("flow.setup.levels_custom"), key=box, height=180, help=t("flow.setup.levels_custom_help"))
        st.caption(t("flow.setup.levels_current",
                     levels=", ".join(x.text(lang) for x in territory.levels_for_event(record))))
        retired = [str(x.get("label") or x.get("key")) for x in record.power_levels or []
                   if isinstance(x, dict) and x.get("retired")]
        if retired:
            st.caption(t("flow.setup.levels_retired", levels=", ".join(retired)))
        st.button(t("flow.setup.levels_save"), key=f"{lv}_save", type="primary", on_click=edit.save,
                  args=(write, levels_saved))
        edit.show([Field("territory", t("flow.setup.ev_territory"),
                         lambda k: territory.territory_label(str(k or ""), lang)),
                   Field("power_levels", t("flow.setup.ev_power_levels"), levels_text)], write, levels_saved)


# --- the event itself -------------------------------------------------------------------------------

with tab_event:
    prefix = f"ev_{record.id}"
    edit = RowEdit(prefix)
    edit.open(record.version, event_initial(prefix, record))

    def write_event(version: int | None, ident: int = record.id, prefix: str = prefix) -> dict:
        return events.update_event(actor, ident, version, slug=st.session_state.get(f"{prefix}_slug", ""),
                                   **event_values(prefix))

    with st.form(prefix, border=True):
        event_fields(prefix, with_slug=True)
        st.form_submit_button(t("flow.save"), key=f"{prefix}_submit", type="primary", on_click=edit.save,
                              args=(write_event, saved))
    edit.show(EVENT_FIELDS, write_event, saved)
    show_error("ev_edit_error")
    if record.archived:
        st.button(t("flow.setup.unarchive"), key="ev_unarchive", on_click=run,
                  args=("ev_edit_error", events.archive_event, record.id, False))
    else:
        st.button(t("flow.setup.archive"), key="ev_archive", help=t("flow.setup.archive_help"), on_click=run,
                  args=("ev_edit_error", events.archive_event, record.id, True))
    levels_section(record, prefix)

# --- the team ---------------------------------------------------------------------------------------

with tab_team:
    st.caption(t("flow.setup.team_help"))
    current = [u.id for u in events.event_staff(event.id) if u.id in staff_names]
    with st.form(f"team_{event.id}", border=True):
        st.multiselect(t("flow.setup.team"), list(staff_names), default=current, format_func=lambda i: staff_names[i],
                       key=f"team_{event.id}_ids", placeholder=t("widget.choose_many"), select_all=False)
        st.form_submit_button(t("flow.save"), key=f"team_{event.id}_save", on_click=lambda: run(
            "team_error", events.set_event_staff, event.id, st.session_state.get(f"team_{event.id}_ids") or []))
    show_error("team_error")

# --- a new season -----------------------------------------------------------------------------------

with tab_season:
    st.caption(t("flow.setup.copy_help"))
    with st.form(f"copy_{event.id}", border=True):
        st.text_input(t("flow.setup.copy_title"), value=t("flow.setup.copy_default", title=event.title),
                      key=f"copy_{event.id}_title", max_chars=L.TITLE_MAX)
        st.number_input(t("flow.setup.copy_weeks"), min_value=0, max_value=520, value=52, step=1,
                        key=f"copy_{event.id}_weeks")
        st.form_submit_button(t("flow.setup.copy_button"), key=f"copy_{event.id}_submit", on_click=lambda: run(
            "copy_error", events.copy_event, event.id, st.session_state.get(f"copy_{event.id}_title", ""),
            shift_days=7 * int(st.session_state.get(f"copy_{event.id}_weeks") or 0), select=True))
    show_error("copy_error")
