"""A persona's canvas: identity card, barriers, motivations, skills, needs -> solution leads ->
partner services. Several people type at once: every add is its own insert, the lists refresh
live, and the add forms sit outside the live fragment so a refresh never clears what someone is
typing."""
from __future__ import annotations

from typing import Any

import streamlit as st

from core.personas import canvas, completeness, sensitive, suggestions, templates
from core import entities
from core.resources.categories import suggest_category
from core.errors import AtelierError, StaleEdit, StorageUnavailable
from core.vocabulary import BARRIER_NATURES, CATEGORIES
from ui import auth, errors
from ui.i18n import t
from ui.live import live_view, snapshot
from ui.text import md

actor = auth.current_actor()
if actor is None:
    st.stop()

SECTIONS = (("barrier", "canvas.barriers", ":material/block:"), ("motivation", "canvas.motivations", ":material/bolt:"),
            ("skill", "canvas.skills", ":material/construction:"), ("need", "canvas.needs", ":material/flag:"))
AUTO = "__auto__"


def category_label(code: str | None) -> str:
    return t(f"category.{code}") if code else t("canvas.no_category")


def _personal_data_ok(text: str, confirm_key: str) -> bool:
    """Warn when a text looks like real personal data; True once the user confirms it is fictitious."""
    found = sensitive.find_personal_data(text or "")
    if not found:
        return True
    st.warning(t("canvas.sensitive", found=", ".join(t(sensitive.message_key(f.kind)) + f" « {md(f.excerpt)} »"
                                                     for f in found)), icon=":material/privacy_tip:")
    return st.checkbox(t("canvas.sensitive_confirm"), key=confirm_key)


# --- which persona ----------------------------------------------------------------------------

try:
    options = canvas.personas_for(actor)
    st.session_state["_canvas_options_seen"] = options
    database_away: StorageUnavailable | None = None
except StorageUnavailable as exc:
    # the database is away for a moment: draw the page from the personas this browser saw last, so
    # the add form (and what is typed in it) stays on screen; the live lists wait for the database
    options = st.session_state.get("_canvas_options_seen")
    if options is None:
        raise
    database_away = exc
by_id = {o.id: o for o in options}
chosen_id = st.session_state.get("canvas_persona_id")
if chosen_id not in by_id:
    mine = [o for o in options if o.editable]
    chosen_id = (mine or options or [None])[0].id if (mine or options) else None

top = st.columns([3, 1], vertical_alignment="bottom")
if options:
    def _label(pid: int) -> str:
        o = by_id[pid]
        group = f" — {o.subgroup_name}" if o.subgroup_name else ""
        return f"{o.name}{group}" if actor.is_participant else f"{o.name}{group} · {o.context}"

    chosen_id = top[0].selectbox(t("canvas.choose"), list(by_id), index=list(by_id).index(chosen_id),
                                 format_func=_label, key="canvas_choice")
    st.session_state["canvas_persona_id"] = chosen_id


def _create_persona() -> None:
    name = st.session_state.get("new_persona_name", "")
    template_key = st.session_state.get("new_persona_template") or ""
    session_id = actor.session_id if actor.is_participant else (by_id[chosen_id].session_id if chosen_id else None)
    if session_id is None:
        st.session_state["canvas_error"] = AtelierError("canvas.no_session")
        return
    try:
        if template_key:
            created = templates.create_persona_from_template(actor, session_id, actor.subgroup_id, template_key,
                                                             name=name.strip() or None)
        else:
            created = canvas.create_persona(actor, session_id, name, subgroup_id=actor.subgroup_id)
    except AtelierError as exc:
        st.session_state["canvas_error"] = exc
        return
    st.session_state["canvas_persona_id"] = created["id"]
    st.session_state["canvas_choice"] = created["id"]  # the selector shows it (dropping the key did not)
    st.session_state["new_persona_name"] = ""


if actor.is_participant or by_id:
    with top[1].popover(t("canvas.new_persona"), icon=":material/person_add:", width="stretch"):
        st.text_input(t("canvas.persona_name"), key="new_persona_name", max_chars=120, persist_state="page")
        tpl = {x.key: x for x in templates.list_templates()}
        st.selectbox(t("canvas.template"), [""] + list(tpl), key="new_persona_template",
                     format_func=lambda k: t("canvas.template_blank") if not k else f"{tpl[k].name} — {tpl[k].summary}")
        st.button(t("canvas.create_persona"), on_click=_create_persona, type="primary")

if "canvas_error" in st.session_state:
    errors.show(st.session_state.pop("canvas_error"))

if chosen_id is None:
    st.info(t("canvas.no_persona"))
    st.stop()

option = by_id[chosen_id]
editable = option.editable
if not editable:
    st.caption(t("canvas.read_only"))


# --- undo of the last delete --------------------------------------------------------------------

undo = st.session_state.get("canvas_undo")
if undo and undo.get("persona_id") == chosen_id:
    cols = st.columns([4, 1], vertical_alignment="center")
    cols[0].info(t("canvas.deleted", text=md(undo["text"][:80])), icon=":material/delete:")
    if cols[1].button(t("canvas.undo"), key="undo_delete", icon=":material/undo:"):
        try:
            if undo["entity"] == "canvas_item":
                canvas.restore_canvas_item(actor, undo["id"])
            elif undo["entity"] == "lead_resource":
                canvas.link_resource(actor, undo["id"], undo["resource_id"])
            else:
                entities.restore(actor, undo["entity"], undo["id"])
        except AtelierError as exc:
            errors.show(exc)
        else:
            st.session_state.pop("canvas_undo", None)
            st.rerun()


# --- the live canvas ----------------------------------------------------------------------------

def _delete(entity: str, ident: int, text: str) -> None:
    try:
        if entity == "canvas_item":
            canvas.delete_canvas_item(actor, ident)
        else:
            entities.delete(actor, entity, ident)
    except AtelierError as exc:
        st.session_state["canvas_error"] = exc
        return
    st.session_state["canvas_undo"] = {"entity": entity, "id": ident, "text": text, "persona_id": chosen_id}


EDIT_KEYS = ("edit_text", "edit_category", "edit_nature", "edit_confirm")


def _forget_editor() -> None:
    for key in ("canvas_edit", *EDIT_KEYS):
        st.session_state.pop(key, None)


def _open_editor(item: canvas.ItemView) -> None:
    _forget_editor()
    st.session_state["canvas_edit"] = {"id": item.id, "kind": item.kind, "text": item.text, "version": item.version,
                                       "category": item.category, "nature": item.nature}


def _focus(need_id: int) -> None:
    st.session_state["canvas_focus_need"] = need_id


def draw_header(data: canvas.Canvas) -> None:
    p = data.persona
    with st.container(border=True):
        st.subheader(md(p.name), anchor=False)
        bits = [t("group.persona_age", age=p.age) if p.age is not None else "", p.origin]
        if any(bits):
            st.caption(md(" · ".join(b for b in bits if b)))
        if p.facts:  # one block, not an element per fact: ticks stay cheap
            st.markdown("\n".join(f"- {md(fact)}" for fact in p.facts))
        if p.note:
            st.caption(md(p.note))
    gaps = completeness.missing(data)
    if gaps:
        with st.expander(t("canvas.gaps", count=len(gaps)), icon=":material/checklist:"):
            st.markdown("\n".join("- " + md(t(gap.kind_key, **gap.params)) for gap in gaps))
    else:
        st.success(t("canvas.complete"), icon=":material/task_alt:")


def _item_line(item: canvas.ItemView) -> str:
    chips = []
    if item.kind == "barrier" and item.nature:
        chips.append(t(f"canvas.nature.{item.nature}"))
    if item.kind in ("barrier", "need"):
        chips.append(category_label(item.category))
    return f"- {md(item.text)}" + (f" · _{md(' · '.join(chips))}_" if chips else "")


def draw_canvas(data: canvas.Canvas) -> None:
    """The live part: identity, what is missing, and the four sections as lists (few elements per
    tick, whatever the canvas size; the controls are outside the fragment)."""
    draw_header(data)
    columns = st.columns(2)
    for index, (kind, key, _icon) in enumerate(SECTIONS):
        with columns[index % 2].container(border=True):
            items = data.section(kind)
            lines = [f"**{t(key)}** ({len(items)})"]
            if not items:
                lines.append(f"_{t('canvas.empty_section')}_")
            for item in items:
                lines.append(_item_line(item))
                if kind == "need":
                    for lead in item.leads:
                        partners = ", ".join(r.acronym or r.name for r in lead.resources) or t("canvas.no_resource")
                        lines.append(f"    - → {md(lead.text)} ({md(partners)})")
            st.markdown("\n".join(lines))


def _add(confirmed: bool = False) -> None:
    kind = st.session_state.get("add_kind", "barrier")
    text = st.session_state.get("add_text", "")
    if not confirmed:
        found = sensitive.find_personal_data(text)
        if found:
            st.session_state["add_warning"] = [(f.kind, f.excerpt) for f in found]
            return
    category = st.session_state.get("add_category", AUTO)
    if category == AUTO:
        category = suggest_category(text) if kind in ("barrier", "need") else None
    elif kind not in ("barrier", "need"):
        category = None
    nature = st.session_state.get("add_nature", "objective") if kind == "barrier" else None
    try:
        canvas.add_canvas_item(actor, chosen_id, kind, text, nature=nature, category=category)
    except AtelierError as exc:
        st.session_state["add_error"] = exc
        return
    st.session_state["add_text"] = ""
    st.session_state.pop("add_warning", None)


def add_bar() -> None:
    """Type, press Enter: the kind stays selected for the next item (fast entry)."""
    with st.form("add_form", border=True, enter_to_submit=True):
        st.radio(t("canvas.add_header"), [k for k, _key, _icon in SECTIONS], key="add_kind", horizontal=True,
                 format_func=lambda k: t(f"canvas.add.{k}"))
        st.text_input(t("canvas.text"), key="add_text", max_chars=1000, placeholder=t("canvas.placeholder.any"),
                      label_visibility="collapsed", persist_state="page")  # kept through a failed run
        cols = st.columns([2, 2, 1], vertical_alignment="bottom")
        cols[0].selectbox(t("canvas.category"), [AUTO, *CATEGORIES], key="add_category",
                          format_func=lambda c: t("canvas.category_auto") if c == AUTO else category_label(c),
                          help=t("canvas.category_help"))
        cols[1].radio(t("canvas.nature"), BARRIER_NATURES, key="add_nature", horizontal=True,
                      format_func=lambda n: t(f"canvas.nature.{n}"), help=t("canvas.nature_help"))
        cols[2].form_submit_button(t("canvas.add_button"), icon=":material/add:", on_click=_add, type="primary")
    if "add_error" in st.session_state:
        errors.show(st.session_state.pop("add_error"))
    warning = st.session_state.get("add_warning")
    if warning:
        st.warning(t("canvas.sensitive", found=", ".join(t(sensitive.message_key(k)) + f" « {md(x)} »"
                                                         for k, x in warning)), icon=":material/privacy_tip:")
        st.button(t("canvas.add_anyway"), key="add_anyway", on_click=_add, args=(True,))


def item_manager(data: canvas.Canvas) -> None:
    """Edit, delete, or work on the leads of one item (outside the live fragment)."""
    items = [item for kind, _key, _icon in SECTIONS for item in data.section(kind)]
    if not items:
        return
    by_id = {item.id: item for item in items}
    with st.container(border=True):
        cols = st.columns([4, 1, 1, 2], vertical_alignment="bottom")
        chosen = cols[0].selectbox(t("canvas.manage"), list(by_id), index=None, key="manage_item",
                                   placeholder=t("canvas.manage_placeholder"),
                                   format_func=lambda i: f"{t(f'projector.kind.{by_id[i].kind}')} · {by_id[i].text[:90]}")
        item = by_id.get(chosen)
        if cols[1].button(t("canvas.edit"), key="manage_edit", icon=":material/edit:", disabled=item is None):
            _open_editor(item)
            st.rerun()
        if cols[2].button(t("canvas.delete"), key="manage_delete", icon=":material/delete:", disabled=item is None):
            _delete("canvas_item", item.id, item.text)
            st.session_state.pop("manage_item", None)
            st.rerun()
        if cols[3].button(t("canvas.work_on_need"), key="manage_leads", icon=":material/add_link:",
                          disabled=item is None or item.kind != "need"):
            _focus(item.id)
            st.rerun()


add_failed_unavailable = isinstance(st.session_state.get("add_error"), StorageUnavailable)
if editable:
    add_bar()  # an add that failed keeps its text in the form (it is emptied only after a save)
try:
    if database_away is not None:
        raise database_away
    _rev, current_data = snapshot(canvas.get_canvas, option.session_id, args=(chosen_id,))
    live_view(option.session_id, canvas.get_canvas, draw_canvas, key=f"canvas_{chosen_id}", args=(chosen_id,))
except StorageUnavailable as exc:
    if not add_failed_unavailable:  # already said next to the form
        errors.show(exc)
    errors.wait_for_database()  # the page comes back by itself, the typed text still in the form
    st.stop()
except AtelierError as exc:
    errors.show(exc)
    st.stop()
if editable:
    item_manager(current_data)


# --- the identity card and copies (outside the live fragment) ------------------------------------

IDENTITY_KEYS = ("id_name", "id_age", "id_origin", "id_facts", "id_note", "id_confirm")


def _forget_identity() -> None:
    for key in ("canvas_identity", *IDENTITY_KEYS):
        st.session_state.pop(key, None)


@st.dialog(t("canvas.identity_title"), on_dismiss=_forget_identity)
def identity_dialog(state: dict[str, Any]) -> None:
    card = state["card"]  # what the user saw when opening: the version the save is checked against
    name = st.text_input(t("canvas.persona_name"), value=card.name, max_chars=120, key="id_name")
    age = st.number_input(t("canvas.age"), min_value=0, max_value=120, value=card.age, step=1, key="id_age")
    origin = st.text_input(t("canvas.origin"), value=card.origin, max_chars=120, key="id_origin")
    facts = st.text_area(t("canvas.facts"), value="\n".join(card.facts), key="id_facts", help=t("canvas.facts_help"))
    note = st.text_area(t("canvas.note"), value=card.note, key="id_note")
    confirmed = _personal_data_ok("\n".join(x or "" for x in (name, origin, facts, note)), "id_confirm")
    changes = {"name": name, "age": age, "origin": origin, "facts": facts.split("\n"), "note": note}
    conflict = state.get("conflict")
    if conflict:
        theirs = " · ".join(str(x) for x in (conflict.get("name"), conflict.get("age"), conflict.get("origin")) if x)
        st.warning(t("canvas.stale", text=md(theirs + " — " + " ; ".join(conflict.get("facts") or []))),
                   icon=":material/sync_problem:")
        cols = st.columns(2)
        if cols[0].button(t("canvas.keep_theirs"), key="id_keep_theirs"):
            _forget_identity()
            st.rerun()
        if cols[1].button(t("canvas.apply_mine"), key="id_apply_mine", type="primary", disabled=not confirmed):
            _save_identity(state, changes, conflict["version"])
    elif st.button(t("canvas.save"), type="primary", key="id_save", disabled=not confirmed):
        _save_identity(state, changes, card.version)


def _save_identity(state: dict[str, Any], changes: dict[str, Any], version: int) -> None:
    try:
        canvas.update_persona(actor, chosen_id, version, **changes)
    except StaleEdit as exc:
        state["conflict"] = exc.current or entities.get("persona", chosen_id)
        st.session_state["canvas_identity"] = state
        st.rerun()
    except AtelierError as exc:
        errors.show(exc)
    else:
        _forget_identity()
        st.rerun()


if editable:
    actions = st.columns([1, 1, 3])
    if actions[0].button(t("canvas.edit_identity"), icon=":material/badge:", key="open_identity"):
        _forget_identity()
        st.session_state["canvas_identity"] = {"card": canvas.get_canvas(chosen_id).persona}
    if st.session_state.get("canvas_identity"):
        identity_dialog(st.session_state["canvas_identity"])
    if actor.is_staff:
        with actions[1].popover(t("canvas.copy"), icon=":material/content_copy:"):
            from core.setup.events import list_events

            targets = {x.id: f"{ev.title} · {x.starts_at:%d/%m/%Y}" if x.starts_at else ev.title
                       for ev in list_events(event_ids=None if actor.role == "admin" else set(actor.event_ids))
                       for x in ev.sessions if x.id != option.session_id and x.status != "closed"}
            target = st.selectbox(t("canvas.copy_target"), list(targets), format_func=targets.get, key="copy_target")
            if st.button(t("canvas.copy_button"), key="copy_go", disabled=target is None):
                try:
                    copied = templates.copy_persona(actor, chosen_id, target)
                except AtelierError as exc:
                    errors.show(exc)
                else:
                    st.success(t("canvas.copied", name=md(copied["name"])))


# --- editing one item (outside the live fragment) ----------------------------------------------

@st.dialog(t("canvas.edit_title"), on_dismiss=_forget_editor)
def edit_dialog(state: dict[str, Any]) -> None:
    text = st.text_area(t("canvas.text"), value=state["text"], key="edit_text", max_chars=1000)
    category = state["category"]
    nature = state["nature"]
    if state["kind"] in ("barrier", "need"):
        codes = list(CATEGORIES)
        category = st.selectbox(t("canvas.category"), codes, format_func=category_label, key="edit_category",
                                index=codes.index(state["category"]) if state["category"] in codes else None)
    if state["kind"] == "barrier":
        nature = st.radio(t("canvas.nature"), BARRIER_NATURES, horizontal=True, key="edit_nature",
                          format_func=lambda n: t(f"canvas.nature.{n}"),
                          index=BARRIER_NATURES.index(state["nature"]) if state["nature"] in BARRIER_NATURES else 0)
    conflict = state.get("conflict")
    changes = {"text": text}
    if state["kind"] in ("barrier", "need"):
        changes["category"] = category
    if state["kind"] == "barrier":
        changes["nature"] = nature
    confirmed = _personal_data_ok(text, "edit_confirm")
    if conflict:
        st.warning(t("canvas.stale", text=md(conflict["text"])), icon=":material/sync_problem:")
        cols = st.columns(2)
        if cols[0].button(t("canvas.keep_theirs"), key="keep_theirs"):
            _forget_editor()
            st.rerun()
        if cols[1].button(t("canvas.apply_mine"), key="apply_mine", type="primary", disabled=not confirmed):
            _save(state, changes, conflict["version"])
    elif st.button(t("canvas.save"), type="primary", key="save_edit", disabled=not confirmed):
        _save(state, changes, state["version"])


def _save(state: dict[str, Any], changes: dict[str, Any], version: int) -> None:
    try:
        canvas.edit_canvas_item(actor, state["id"], version, **changes)
    except StaleEdit as exc:
        state["conflict"] = exc.current or {"text": "?", "version": version}
        if not exc.current:  # lost a race between reading and writing: read the row again
            try:
                state["conflict"] = entities.get("canvas_item", state["id"])
            except AtelierError:
                pass
        st.session_state["canvas_edit"] = state
        st.rerun()
    except AtelierError as exc:
        errors.show(exc)
    else:
        _forget_editor()
        st.rerun()


if st.session_state.get("canvas_edit") and editable:
    edit_dialog(st.session_state["canvas_edit"])


# --- working on one need: solution leads and partner services -----------------------------------

focus = st.session_state.get("canvas_focus_need")
if editable and focus:
    current = canvas.get_canvas(chosen_id)
    need = next((n for n in current.needs if n.id == focus), None)
    if need is not None:
        with st.container(border=True):
            head = st.columns([5, 1], vertical_alignment="center")
            head[0].subheader(t("canvas.leads_for", need=md(need.text)), anchor=False)
            if head[1].button(t("canvas.close_need"), key="close_need", icon=":material/close:"):
                st.session_state.pop("canvas_focus_need", None)
                st.rerun()

            def _add_lead(confirmed: bool = False) -> None:
                text = st.session_state.get("lead_text", "")
                found = [] if confirmed else sensitive.find_personal_data(text)
                if found:
                    st.session_state["lead_warning"] = [(f.kind, f.excerpt) for f in found]
                    return
                try:
                    canvas.add_solution_lead(actor, need.id, text)
                except AtelierError as exc:
                    st.session_state["canvas_error"] = exc
                else:
                    st.session_state["lead_text"] = ""
                    st.session_state.pop("lead_warning", None)

            with st.form("add_lead_form", border=False, enter_to_submit=True):
                st.text_input(t("canvas.add_lead"), key="lead_text", max_chars=1000,
                              placeholder=t("canvas.placeholder.lead"), persist_state="page")
                st.form_submit_button(t("canvas.add_button"), icon=":material/add:", on_click=_add_lead)
            if st.session_state.get("lead_warning"):
                st.warning(t("canvas.sensitive", found=", ".join(t(sensitive.message_key(k)) + f" « {md(x)} »"
                                                                 for k, x in st.session_state["lead_warning"])),
                           icon=":material/privacy_tip:")
                st.button(t("canvas.add_anyway"), key="lead_anyway", on_click=_add_lead, args=(True,))

            if not need.leads:
                st.caption(t("canvas.no_leads"))
            linked_anywhere = {r.id for lead in need.leads for r in lead.resources}
            proposals = suggestions.suggest_resources(need.text, need.category, exclude_persona_id=chosen_id,
                                                      limit=5, exclude_resource_ids=linked_anywhere)
            for lead in need.leads:
                with st.container(border=True):
                    lc = st.columns([6, 1, 1], vertical_alignment="center")
                    lc[0].markdown(f"**→ {md(lead.text)}**")
                    seen_key = f"seen_lead_{lead.id}"
                    st.session_state.setdefault(seen_key, lead.version)
                    with lc[1].popover("", icon=":material/edit:", help=t("canvas.edit")):
                        new_text = st.text_input(t("canvas.text"), value=lead.text, key=f"lead_edit_{lead.id}",
                                                 max_chars=1000)
                        if st.button(t("canvas.save"), key=f"lead_save_{lead.id}", type="primary"):
                            try:
                                entities.update(actor, "solution_lead", lead.id, st.session_state[seen_key],
                                                text=new_text)
                            except StaleEdit as exc:
                                st.warning(t("canvas.stale", text=md((exc.current or {}).get("text", ""))),
                                           icon=":material/sync_problem:")
                                st.session_state[seen_key] = (exc.current or {}).get("version", lead.version)
                            except AtelierError as exc:
                                errors.show(exc)
                            else:
                                st.session_state.pop(seen_key, None)
                                st.session_state.pop(f"lead_edit_{lead.id}", None)
                                st.rerun()
                    if lc[2].button("", key=f"lead_del_{lead.id}", icon=":material/delete:", help=t("canvas.delete")):
                        _delete("solution_lead", lead.id, lead.text)
                        st.rerun()
                    for r in lead.resources:
                        rc = st.columns([5, 1], vertical_alignment="center")
                        rc[0].text(r.label)
                        if rc[1].button("", key=f"unlink_{lead.id}_{r.id}", icon=":material/link_off:",
                                        help=t("canvas.unlink")):
                            try:
                                canvas.unlink_resource(actor, lead.id, r.id)
                            except AtelierError as exc:
                                errors.show(exc)
                            else:
                                st.session_state["canvas_undo"] = {"entity": "lead_resource", "id": lead.id,
                                                                   "resource_id": r.id, "text": f"{lead.text} → {r.label}",
                                                                   "persona_id": chosen_id}
                                st.rerun()
                    if proposals:
                        st.caption(t("canvas.suggested"))
                    for sug in proposals:
                        sc = st.columns([5, 1], vertical_alignment="center")
                        label = f"{sug.acronym} — {sug.name}" if sug.acronym else sug.name
                        sc[0].text(f"{label}  ({t(sug.reason_key, **sug.reason_params)})")
                        if sc[1].button(t("canvas.link"), key=f"link_{lead.id}_{sug.resource_id}",
                                        icon=":material/add_link:"):
                            try:
                                canvas.link_resource(actor, lead.id, sug.resource_id)
                            except AtelierError as exc:
                                errors.show(exc)
                            else:
                                st.rerun()
                    with st.popover(t("canvas.new_resource"), icon=":material/add_business:"):
                        with st.form(f"new_resource_{lead.id}", border=False):
                            name = st.text_input(t("canvas.resource_name"), max_chars=200)
                            acronym = st.text_input(t("canvas.resource_acronym"), max_chars=40)
                            category = st.selectbox(t("canvas.category"), [AUTO, *CATEGORIES],
                                                    format_func=lambda c: t("canvas.category_auto") if c == AUTO
                                                    else category_label(c))
                            url = st.text_input(t("canvas.resource_url"), max_chars=500)
                            if st.form_submit_button(t("canvas.create_resource"), type="primary"):
                                try:
                                    suggestions.create_resource_inline(
                                        actor, actor.subgroup_id, name, None if category == AUTO else category,
                                        acronym=acronym, url=url, lead_id=lead.id)
                                except AtelierError as exc:
                                    errors.show(exc)
                                else:
                                    st.rerun()

