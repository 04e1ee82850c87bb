"""A persona's canvas: identity card, barriers, motivations, skills, needs -> solution leads ->
partner services. Several people type at once: every add is its own insert, the lists refresh
live, and the add forms sit outside the live fragment so a refresh never clears what someone is
typing."""
from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import streamlit as st

from core import entities
from core import limits as L
from core.errors import AtelierError, StorageUnavailable
from core.personas import canvas, completeness, sensitive, suggestions, templates
from core.resources import inventory
from core.session import projector
from core.setup.events import list_events
from core.vocabulary import BARRIER_NATURES, CATEGORIES
from ui import actions, auth, errors
from ui.actions import Field, RowEdit, show_error
from ui.i18n import current_language, fmt_date, t
from ui.live import live_view, made_once, snapshot
from ui.text import md

actor = auth.current_actor()
if actor is None:
    st.stop()
# a write as this user (``run(error_key, fn, *args, clear=..., then=..., **kwargs)``); its error is
# kept under ``error_key`` and shown where the page calls ``show_error(error_key)``
run: Callable[..., bool] = functools.partial(actions.run, actor)

SECTIONS = (("barrier", "canvas.barriers", ":material/block:"), ("motivation", "canvas.motivations", ":material/bolt:"),
            ("skill", "canvas.skills", ":material/construction:"), ("need", "canvas.needs", ":material/flag:"))
AUTO = "__auto__"
# A canvas draws personas, their items, leads and partners, like the projector's persona gallery:
# board, recommendations, votes, plans, mood and joins do not redraw it (core.session.projector)
CANVAS_IGNORES = projector.CANVAS_IGNORES


def day_text(value: Any) -> str:
    """A session's date, short, in the user's language."""
    return fmt_date(value.date(), current_language(), "short") if value else "—"


def category_label(code: str | None) -> str:
    return t(f"category.{code}") if code else t("canvas.no_category")


def auto_category_label(code: str) -> str:
    """A category, or the choice to let the text suggest one."""
    return t("canvas.category_auto") if code == AUTO else category_label(code)


def nature_label(code: str | None) -> str:
    return t(f"canvas.nature.{code}") if code else ""


def _personal_data(text: str) -> list[tuple[str, str]]:
    """What in a text looks like real personal data: (kind, excerpt) pairs."""
    return [(f.kind, f.excerpt) for f in sensitive.find_personal_data(text or "")]


def _warn_personal_data(found: list[tuple[str, str]]) -> None:
    st.warning(t("canvas.sensitive", found=", ".join(
        t(sensitive.message_key(kind), **sensitive.Finding(kind, excerpt).message_params(md))
        for kind, excerpt in found)), icon=":material/privacy_tip:")


def _personal_data_ok(text: str, confirm_key: str) -> bool:
    """Warn when a text looks like real personal data; True once the user confirms it is fictitious."""
    found = _personal_data(text)
    if not found:
        return True
    _warn_personal_data(found)
    return st.checkbox(t("canvas.sensitive_confirm"), key=confirm_key)


def _read(entity: str, ident: int) -> dict[str, Any] | None:
    """A row as it is now (what an edit form is filled from), or None, said, when it is gone."""
    try:
        return entities.get(entity, ident)
    except AtelierError as exc:
        errors.show(exc)
        return None


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
        if o.earlier:   # a participant's view of an earlier date of the theme
            group += f" · {t('canvas.earlier_date', date=day_text(o.session_date))}"
            if o.picked_up:
                group += f" · {t('canvas.picked_up')}"
        return f"{o.name}{group}" if actor.is_participant else f"{o.name}{group} · {o.context}"

    chosen_id = top[0].selectbox(t("canvas.choose"), list(by_id), index=list(by_id).index(chosen_id),
                                 format_func=_label, key="canvas_choice", placeholder=t("widget.choose_one"))
    st.session_state["canvas_persona_id"] = chosen_id


def _create_persona() -> None:
    name = st.session_state.get("new_persona_name", "")
    template_key = st.session_state.get("new_persona_template") or ""
    session_id = actor.session_id if actor.is_participant else (by_id[chosen_id].session_id if chosen_id else None)
    if session_id is None:
        st.session_state["canvas_error"] = AtelierError("canvas.no_session")
        return

    def created(persona: dict[str, Any]) -> None:
        st.session_state["canvas_persona_id"] = persona["id"]
        st.session_state["canvas_choice"] = persona["id"]  # the selector shows it (dropping the key did not)

    if template_key:
        run("canvas_error", templates.create_persona_from_template, session_id, actor.subgroup_id, template_key,
            name=name.strip() or None, clear={"new_persona_name": ""}, then=created)
    else:
        run("canvas_error", canvas.create_persona, session_id, name, subgroup_id=actor.subgroup_id,
            clear={"new_persona_name": ""}, then=created)


if actor.is_participant or by_id:
    with top[1].popover(t("canvas.new_persona"), icon=":material/person_add:", width="stretch"):
        st.text_input(t("canvas.persona_name"), key="new_persona_name", max_chars=L.NAME_MAX, persist_state="page")
        tpl = {x.key: x for x in templates.list_templates()}
        st.selectbox(t("canvas.template"), [""] + list(tpl), key="new_persona_template",
                     format_func=lambda k: t("canvas.template_blank") if not k else f"{tpl[k].name} — {tpl[k].summary}",
                     placeholder=t("widget.choose_one"))
        st.button(t("canvas.create_persona"), on_click=_create_persona, type="primary")

show_error("canvas_error")

if chosen_id is None:
    st.info(t("canvas.no_persona"))
    st.stop()

option = by_id[chosen_id]
editable = option.editable
LIVE_SESSION = option.live_session_id or option.session_id   # whose activity moves this canvas
if option.earlier and editable:
    st.caption(t("canvas.picked_up_note", date=day_text(option.session_date)))
elif option.earlier:
    st.caption(t("canvas.earlier_read_only", date=day_text(option.session_date)))
elif not editable:
    st.caption(t("canvas.read_only"))


def writable_row(dated_session_id: int | None) -> bool:
    """A row this viewer may change: on a persona continued from an earlier date, only the rows its
    own date wrote (``core.permissions``: PICKED_UP); otherwise any row of an editable canvas."""
    return editable and (option.writes_in is None or dated_session_id == option.writes_in)


def added_on(data: canvas.Canvas, dated_session_id: int | None) -> str:
    """" · ajouté le 12/03/24" when the canvas holds rows of more than one date of the theme."""
    if not data.several_dates or dated_session_id is None:
        return ""
    return f" · :small[{md(t('canvas.added_on', date=day_text(data.added_on(dated_session_id))))}]"


# --- undo of the last delete --------------------------------------------------------------------

def _undo(undo: dict[str, Any]) -> None:
    """Bring back what was just deleted or unlinked (a callback)."""
    if undo["entity"] == "canvas_item":
        fn, args = canvas.restore_canvas_item, (undo["id"],)
    elif undo["entity"] == "lead_resource":
        fn, args = canvas.link_resource, (undo["id"], undo["resource_id"])
    else:
        fn, args = entities.restore, (undo["entity"], undo["id"])
    run("canvas_undo_error", fn, *args, then=lambda _restored: st.session_state.pop("canvas_undo", None))


undo = st.session_state.get("canvas_undo")
if undo and undo.get("persona_id") == chosen_id:
    cols = st.columns([4, 1], vertical_alignment="center")
    cols[0].info(t("canvas.deleted", text=md(undo["text"][:80])), icon=":material/delete:")
    cols[1].button(t("canvas.undo"), key="undo_delete", icon=":material/undo:", on_click=_undo, args=(undo,))
show_error("canvas_undo_error")


# --- the live canvas ----------------------------------------------------------------------------

def _offer_undo(undo: dict[str, Any]) -> Callable[[Any], None]:
    def offer(_result: Any) -> None:
        st.session_state["canvas_undo"] = {**undo, "persona_id": chosen_id}
    return offer


def _delete(entity: str, ident: int, text: str) -> None:
    """Delete a canvas item or a solution lead, and offer to bring it back."""
    then = _offer_undo({"entity": entity, "id": ident, "text": text})
    if entity == "canvas_item":
        run("canvas_error", canvas.delete_canvas_item, ident, then=then)
    else:
        run("canvas_error", entities.delete, entity, ident, then=then)


def _item_keys(item_id: int) -> dict[str, str]:
    """The edit form's widgets of one item (by its id: a form never shows another item's text)."""
    return {f: f"edit_{f}_{item_id}" for f in ("text", "category", "nature")}


def _item_edit(item_id: int) -> RowEdit:
    return RowEdit(f"item_{item_id}", reload=lambda: entities.get("canvas_item", item_id))


def _forget_editor() -> None:
    state = st.session_state.pop("canvas_edit", None)
    if state:
        _item_edit(state["id"]).forget()
        for key in (*_item_keys(state["id"]).values(), "edit_confirm"):
            st.session_state.pop(key, None)


def _open_editor(item: canvas.ItemView) -> None:
    _forget_editor()
    st.session_state["canvas_edit"] = {"id": item.id, "kind": item.kind}


def identity_markdown(p: canvas.PersonaCard) -> str:
    """The persona's name, age and origin, facts and note as one Markdown block."""
    lines = [f"### {md(p.name)}"]
    bits = [t("group.persona_age", age=p.age) if p.age is not None else "", p.origin]
    if any(bits):
        lines += ["", md(" · ".join(b for b in bits if b))]
    if p.facts:
        lines += ["", *(f"- {md(fact)}" for fact in p.facts)]
    if p.note:
        lines += ["", md(p.note)]
    return "\n".join(lines)


def rendered(data: canvas.Canvas) -> tuple[str, str, int, str]:
    """The live part's Markdown for a canvas snapshot: identity card, what is missing (and how many
    gaps), the three lists. Made once per snapshot and language (``ui.live.made_once``), not on
    every tick of every tab."""
    def make() -> tuple[str, str, int, str]:
        gaps = completeness.missing(data)
        lines: list[str] = []
        for kind, label, _icon in SECTIONS[:3]:
            items = data.section(kind)
            lines += ["", f"**{t(label)}** ({len(items)})", ""]
            lines += [_item_line(item, data) for item in items] or [f"_{t('canvas.empty_section')}_"]
        return (identity_markdown(data.persona), "\n".join("- " + md(t(gap.kind_key, **gap.params)) for gap in gaps),
                len(gaps), "\n".join(lines))
    return made_once(data, "canvas.live", make)


def draw_identity(identity: str) -> None:
    """The identity card (drawn by a full run of the page, outside the live part: a tick that finds
    it changed reruns the page)."""
    st.container(border=True, key="canvas_identity").markdown(identity)


def draw_gaps(gaps: str, count: int) -> None:
    """What the canvas still lacks, folded (or that nothing is missing)."""
    if count:
        with st.expander(t("canvas.gaps", count=count), icon=":material/checklist:"):
            st.markdown(gaps)
    else:
        st.success(t("canvas.complete"), icon=":material/task_alt:")


def _item_line(item: canvas.ItemView, data: canvas.Canvas | None = None) -> str:
    chips = []
    if canvas.has_nature(item.kind) and item.nature:
        chips.append(nature_label(item.nature))
    if canvas.has_category(item.kind):
        chips.append(category_label(item.category))
    dated = added_on(data, item.session_id) if data is not None else ""
    return f"- {md(item.text)}" + (f" · _{md(' · '.join(chips))}_" if chips else "") + dated


def lead_line(lead: canvas.LeadView, data: canvas.Canvas | None = None) -> str:
    """"→ Assistant social (CPAS — Centre public d'action sociale, Mutuelle)"; a lead that names
    its partner says it once ("→ CIRÉ"); a lead with no partner says so."""
    line = f"→ {md(lead.text)}"
    dated = added_on(data, lead.session_id) if data is not None else ""
    partners = lead.partners_to_name
    if partners:
        return line + f" ({md(', '.join(r.label for r in partners))})" + dated
    return (line if lead.resources else line + f" · _{md(t('canvas.no_resource'))}_") + dated


def need_summary(need: canvas.ItemView, data: canvas.Canvas | None = None) -> str:
    """A need, its category, and its leads with their partners, as one Markdown block."""
    dated = added_on(data, need.session_id) if data is not None else ""
    lines = [f"**{md(need.text)}** · _{md(category_label(need.category))}_{dated}", ""]
    lines += [f"- {lead_line(lead, data)}" for lead in need.leads] or [f"_{md(t('canvas.no_leads'))}_"]
    return "\n".join(lines)


def needs_signature(data: canvas.Canvas) -> tuple[Any, ...]:
    """What the needs part of the page shows: when a tick finds it changed, the page is redrawn."""
    return tuple((n.id, n.version, n.text, n.category,
                  tuple((ld.id, ld.version, ld.text, tuple(r.id for r in ld.resources)) for ld in n.leads))
                 for n in data.needs)


def outside_signature(data: canvas.Canvas) -> tuple[Any, ...]:
    """What the page draws from the canvas outside the live part: the identity card and the needs.
    They change seldom (a card edited, a need or a lead): a tick that finds them changed reruns the
    page (``_outside_moved``)."""
    return rendered(data)[0], needs_signature(data)


def draw_canvas(data: canvas.Canvas) -> None:
    """The live part: what is missing, and barriers, motivations and skills as one Markdown block
    (a few elements a tick whatever the canvas size; the controls, the identity card and the needs
    are drawn outside it). What is missing changes with every uncategorised item: it stays live."""
    _identity, gaps, count, sections = rendered(data)
    draw_gaps(gaps, count)
    # one block: the page's CSS sets the three parts side by side (one under the other on a phone)
    st.container(border=True, key="canvas_sections").markdown(sections)


def _add(confirmed: bool = False, similar_ok: bool = False) -> None:
    """Add what the bar holds (a callback). Text that looks like personal data, or that nearly
    repeats an item of the same section, is not added before the user says so; the text stays in
    the bar until it is added."""
    st.session_state.pop("add_similar", None)
    kind = st.session_state.get("add_kind", "barrier")
    text = st.session_state.get("add_text", "")
    if not confirmed:
        found = _personal_data(text)
        if found:
            st.session_state["add_warning"] = found
            return
    st.session_state.pop("add_warning", None)
    category = st.session_state.get("add_category", AUTO)
    fields = canvas.item_fields(kind, text, None if category == AUTO else category,
                                st.session_state.get("add_nature"), suggest=category == AUTO)
    if run("add_error", canvas.add_canvas_item, chosen_id, kind, clear={"add_text": ""},
           if_similar="add" if similar_ok else "ask", **fields):
        st.toast(t("canvas.added", text=md(text.strip()[:80])), icon=":material/check:")
        return
    refusal = st.session_state.get("add_error")
    if isinstance(refusal, canvas.SimilarItem):   # a question, not an error
        st.session_state.pop("add_error")
        st.session_state["add_similar"] = {"similar": refusal.similar, "kind": kind, "confirmed": confirmed}


def _keep_typing() -> None:
    """"Cancel" on the "already there" question: nothing is added, the text stays in the bar."""
    st.session_state.pop("add_similar", None)


def similar_question(question: dict[str, Any]) -> None:
    with st.container(border=True, key="add_similar_box"):
        st.warning(t("canvas.already_there", text=md(question["similar"][0]), others=len(question["similar"]) - 1),
                   icon=":material/content_copy:")
        with st.container(horizontal=True):
            st.button(t("canvas.add_anyway"), key="add_similar_yes", icon=":material/add:", type="primary",
                      on_click=_add, kwargs={"confirmed": question["confirmed"], "similar_ok": True})
            st.button(t("canvas.keep_typing"), key="add_similar_no", icon=":material/close:", on_click=_keep_typing)


def add_bar() -> None:
    """Type, press Enter: the kind stays selected for the next item (fast entry)."""
    with st.form("add_form", border=True, enter_to_submit=True):
        st.radio(t("canvas.add_header"), [k for k, _key, _icon in SECTIONS], key="add_kind", horizontal=True,
                 format_func=lambda k: t(f"canvas.add.{k}"))
        st.text_input(t("canvas.text"), key="add_text", max_chars=L.ITEM_MAX, placeholder=t("canvas.placeholder.any"),
                      label_visibility="collapsed", persist_state="page")  # kept through a failed run
        cols = st.columns([2, 2, 1], vertical_alignment="bottom")
        cols[0].selectbox(t("canvas.category"), [AUTO, *CATEGORIES], key="add_category",
                          format_func=auto_category_label, help=t("canvas.category_help"),
                          placeholder=t("widget.choose_one"))
        cols[1].radio(t("canvas.nature"), BARRIER_NATURES, key="add_nature", horizontal=True,
                      format_func=nature_label, help=t("canvas.nature_help"))
        cols[2].form_submit_button(t("canvas.add_button"), icon=":material/add:", on_click=_add, type="primary")
    show_error("add_error")
    warning = st.session_state.get("add_warning")
    if warning:
        _warn_personal_data(warning)
        st.button(t("canvas.add_anyway"), key="add_anyway", on_click=_add, args=(True,))
    question = st.session_state.get("add_similar")
    if question:
        similar_question(question)


def item_manager(data: canvas.Canvas) -> None:
    """Edit or delete a barrier, a motivation or a skill (outside the live fragment; each need has
    its own buttons on its row)."""
    items = [item for kind, _key, _icon in SECTIONS[:3] for item in data.section(kind) if writable_row(item.session_id)]
    if not items:
        return
    by_id = {item.id: item for item in items}
    with st.container(border=True, key="manage_box"):
        cols = st.columns([3, 2], vertical_alignment="bottom")
        chosen = cols[0].selectbox(t("canvas.manage"), list(by_id), index=None, key="manage_item",
                                   placeholder=t("canvas.manage_placeholder"),
                                   format_func=lambda i: f"{t(f'projector.kind.{by_id[i].kind}')} · "
                                                         f"{by_id[i].text[:90]}")
        item = by_id.get(chosen)
        with cols[1].container(horizontal=True, key="manage_actions"):
            if st.button(t("canvas.edit"), key="manage_edit", icon=":material/edit:", disabled=item is None,
                         wrap=True):
                _open_editor(item)
                st.rerun()
            if st.button(t("canvas.delete"), key="manage_delete", icon=":material/delete:", disabled=item is None,
                         wrap=True):
                _delete("canvas_item", item.id, item.text)
                st.session_state.pop("manage_item", None)
                st.rerun()


def _outside_moved(_previous: Any, _current: Any) -> None:
    """On a tick that brought changes: when what the page draws outside the live part (identity,
    what is missing, needs) is not what it shows, redraw the page (a rare event: quiet ticks and
    new barriers, motivations or skills stay inside the fragment)."""
    try:
        _rev, data = snapshot(canvas.get_canvas, LIVE_SESSION, args=(chosen_id,), ignore=CANVAS_IGNORES,
                              persona=chosen_id)
    except AtelierError:
        return   # the fragment says what happened
    if outside_signature(data) != st.session_state.get(f"_outside_drawn_{chosen_id}"):
        st.rerun()




# --- the needs: each with its leads, its partners and its own buttons (outside the fragment) -------

def _add_lead(need_id: int, confirmed: bool = False) -> None:
    """A new solution lead for a need, with the partners chosen with it (a callback)."""
    text_key, partners_key = f"lead_text_{need_id}", f"lead_partners_{need_id}"
    text = st.session_state.get(text_key, "")
    found = [] if confirmed else _personal_data(text)
    if found:
        st.session_state[f"lead_warning_{need_id}"] = found
        return
    if run(f"need_error_{need_id}", canvas.add_solution_lead, need_id, text,
           resource_ids=list(st.session_state.get(partners_key) or []), clear={text_key: "", partners_key: []},
           then=lambda _added: st.session_state.pop(f"lead_warning_{need_id}", None)):
        st.toast(t("canvas.lead_added"), icon=":material/check:")


def _link(lead_id: int, resource_id: int | None, error_key: str) -> None:
    """Link a partner to a lead (a callback); nothing chosen: say so."""
    if resource_id is None:
        st.session_state[error_key] = AtelierError("canvas.choose_partner")
        return
    if run(error_key, canvas.link_resource, lead_id, resource_id,
           clear={f"link_pick_{lead_id}": None}):
        st.toast(t("canvas.partner_linked"), icon=":material/check:")


def _create_resource(lead_id: int) -> None:
    """A partner service missing from the inventory, created and linked to the lead (a callback)."""
    g = st.session_state.get
    category = g(f"new_resource_category_{lead_id}")
    if run(f"lead_error_{lead_id}", suggestions.create_resource_inline, actor.subgroup_id,
           g(f"new_resource_name_{lead_id}", ""), None if category == AUTO else category,
           acronym=g(f"new_resource_acronym_{lead_id}", ""), url=g(f"new_resource_url_{lead_id}", ""), lead_id=lead_id,
           clear={f"new_resource_name_{lead_id}": "", f"new_resource_acronym_{lead_id}": "",
                  f"new_resource_url_{lead_id}": ""}):
        st.toast(t("canvas.partner_linked"), icon=":material/check:")


class PartnerChoices:
    """The partners one may link to a need's leads: the suggested ones first (with why), then the
    whole inventory alphabetically; read once per run, and only when a need's editor is open."""

    def __init__(self, need: canvas.ItemView) -> None:
        linked = {r.id for lead in need.leads for r in lead.resources}
        where = suggestions.territory_of_persona(chosen_id)   # the event's territory and resources valid everywhere
        self.suggested = suggestions.suggest_resources(need.text, need.category, exclude_persona_id=chosen_id,
                                                       limit=5, exclude_resource_ids=linked, territory=where)
        self.labels = {r.id: r.label for r in inventory.search_resources(territory=where)}
        why = {x.resource_id: t(x.reason_key, **x.reason_params) for x in self.suggested}
        self.ids = [x.resource_id for x in self.suggested if x.resource_id in self.labels]
        self.ids += [rid for rid in self.labels if rid not in why]
        self._why = why

    def label(self, rid: int) -> str:
        name = self.labels.get(rid, "")
        return f"{name} · {self._why[rid]}" if rid in self._why else name


def lead_editor(lead: canvas.LeadView, choices: PartnerChoices) -> None:
    """One solution lead in its need's editor: its partners (each can be removed), the suggested
    ones to link in one click, any other partner of the inventory, and under "more" its text, its
    deletion and a partner missing from the inventory."""
    error_key = f"lead_error_{lead.id}"
    if not writable_row(lead.session_id):   # an earlier date's lead: read-only here
        with st.container(border=True, key=f"lead_box_{lead.id}"):
            st.markdown(f"**{lead_line(lead)}**")
            st.caption(t("canvas.earlier_row"))
        return
    with st.container(border=True, key=f"lead_box_{lead.id}"):
        st.markdown(f"**→ {md(lead.text)}**")
        mine = {r.id for r in lead.resources}
        for r in lead.resources:
            with st.container(horizontal=True, vertical_alignment="center", key=f"partner_{lead.id}_{r.id}"):
                st.markdown(f":material/handshake: {md(r.label)}", width="stretch")
                st.button(t("canvas.unlink_short"), key=f"unlink_{lead.id}_{r.id}", icon=":material/link_off:",
                          help=t("canvas.unlink"), type="tertiary", on_click=run,
                          args=(error_key, canvas.unlink_resource, lead.id, r.id),
                          kwargs={"then": _offer_undo({"entity": "lead_resource", "id": lead.id, "resource_id": r.id,
                                                       "text": f"{lead.text} → {r.label}"})})
        if not lead.resources:
            st.caption(t("canvas.no_partner_yet"))
        # one click for the suggested partners of a lead that has none yet (they also come first in
        # the list below)
        proposals = [] if lead.resources else choices.suggested[:3]
        if proposals:
            st.caption(t("canvas.suggested"))
        for sug in proposals:
            with st.container(horizontal=True, vertical_alignment="center", key=f"suggest_{lead.id}_{sug.resource_id}"):
                st.markdown(f"{md(sug.label)}  \n:small[{md(t(sug.reason_key, **sug.reason_params))}]", width="stretch")
                st.button(t("canvas.link"), key=f"link_{lead.id}_{sug.resource_id}", icon=":material/add_link:",
                          on_click=_link, args=(lead.id, sug.resource_id, error_key))
        with st.form(f"link_form_{lead.id}", border=False, enter_to_submit=False):
            st.selectbox(t("canvas.link_other"), [rid for rid in choices.ids if rid not in mine], index=None,
                                key=f"link_pick_{lead.id}", format_func=choices.label,
                                placeholder=t("canvas.link_placeholder"))
            st.form_submit_button(t("canvas.link"), icon=":material/add_link:",
                                  on_click=lambda lead_id=lead.id: _link(
                                      lead_id, st.session_state.get(f"link_pick_{lead_id}"), f"lead_error_{lead_id}"))
        show_error(error_key)
        with st.expander(t("canvas.lead_more"), icon=":material/tune:"):
            edit = RowEdit(f"lead_{lead.id}", reload=lambda: entities.get("solution_lead", lead.id))
            text_key = f"lead_edit_{lead.id}"
            edit.open(lead.version, {text_key: lead.text})

            def write(version: int | None, ident: int = lead.id) -> Any:
                return entities.update(actor, "solution_lead", ident, version, text=st.session_state.get(text_key, ""))

            st.text_input(t("canvas.lead_text"), key=text_key, max_chars=L.ITEM_MAX)
            with st.container(horizontal=True):
                if edit.conflict is None:
                    st.button(t("canvas.save"), key=f"lead_save_{lead.id}", type="primary", icon=":material/save:",
                              on_click=edit.save, args=(write,))
                st.button(t("canvas.delete_lead"), key=f"lead_del_{lead.id}", icon=":material/delete:",
                          on_click=_delete, args=("solution_lead", lead.id, lead.text))
            edit.show([Field("text", t("canvas.text"))], write)
            st.markdown(f"**{t('canvas.new_resource')}**")
            with st.form(f"new_resource_{lead.id}", border=False):
                st.text_input(t("canvas.resource_name"), key=f"new_resource_name_{lead.id}", max_chars=L.TITLE_MAX)
                st.text_input(t("canvas.resource_acronym"), key=f"new_resource_acronym_{lead.id}",
                              max_chars=L.ACRONYM_MAX)
                st.selectbox(t("canvas.category"), [AUTO, *CATEGORIES], key=f"new_resource_category_{lead.id}",
                             format_func=auto_category_label, placeholder=t("widget.choose_one"))
                st.text_input(t("canvas.resource_url"), key=f"new_resource_url_{lead.id}", max_chars=L.URL_MAX)
                st.form_submit_button(t("canvas.create_resource"), type="primary", on_click=_create_resource,
                                      args=(lead.id,))


def need_editor(need: canvas.ItemView) -> None:
    """What the need's "leads and partners" button opens: a new lead (with its partners), then each
    lead with its partners."""
    choices = PartnerChoices(need)
    st.markdown(f"**{md(need.text)}**")
    with st.form(f"add_lead_form_{need.id}", border=True, enter_to_submit=True):
        st.text_input(t("canvas.add_lead"), key=f"lead_text_{need.id}", max_chars=L.ITEM_MAX,
                      placeholder=t("canvas.placeholder.lead"), persist_state="page")
        st.multiselect(t("canvas.lead_partners"), choices.ids, key=f"lead_partners_{need.id}",
                       format_func=choices.label, placeholder=t("canvas.lead_partners_placeholder"), select_all=False)
        st.form_submit_button(t("canvas.add_lead_button"), icon=":material/add:", type="primary",
                              on_click=_add_lead, args=(need.id,))
    warning = st.session_state.get(f"lead_warning_{need.id}")
    if warning:
        _warn_personal_data(warning)
        st.button(t("canvas.add_anyway"), key=f"lead_anyway_{need.id}", on_click=_add_lead, args=(need.id, True))
    show_error(f"need_error_{need.id}")
    for lead in need.leads:
        lead_editor(lead, choices)


def needs_board(data: canvas.Canvas, can_edit: bool) -> None:
    """Each need as a row: its category, its leads with their partners, and (for its sub-group) a
    "leads and partners" editor that opens next to it, edit and delete."""
    st.subheader(f"{t('canvas.needs')} ({len(data.needs)})", anchor=False)
    if not data.needs:
        st.caption(t("canvas.no_needs"))
    for need in data.needs:
        with st.container(border=True, key=f"need_{need.id}"):
            st.markdown(need_summary(need, data))
            if not can_edit:
                continue
            with st.container(horizontal=True, key=f"need_actions_{need.id}"):
                editor = st.popover(t("canvas.work_on_need"), icon=":material/add_link:", key=f"need_pop_{need.id}",
                                    on_change="rerun", wrap=True)
                with editor:
                    if editor.open:   # the suggestions and the inventory are read only for an open editor
                        try:
                            need_editor(need)
                        except AtelierError as exc:   # e.g. the database away for a moment: said, no trace
                            errors.show(exc)
                if not writable_row(need.session_id):
                    continue    # an earlier date's need: new leads only
                # quieter than the need's main action, and on one line with it on a phone
                st.button(t("canvas.edit"), key=f"need_edit_{need.id}", icon=":material/edit:", wrap=True,
                          type="tertiary", on_click=_open_editor, args=(need,))
                st.button(t("canvas.delete"), key=f"need_delete_{need.id}", icon=":material/delete:", wrap=True,
                          type="tertiary", on_click=_delete, args=("canvas_item", need.id, need.text))



# --- the identity card and copies (outside the live fragment) ------------------------------------

IDENTITY_KEYS = {f: f"id_{f}" for f in ("name", "age", "origin", "facts", "note")}
IDENTITY_FIELDS = [Field("name", t("canvas.persona_name")),
                   Field("age", t("canvas.age"), lambda a: "" if a is None else str(a)),
                   Field("origin", t("canvas.origin")), Field("facts", t("canvas.facts"), lambda f: "\n".join(f or [])),
                   Field("note", t("canvas.note"))]


def _identity_edit() -> RowEdit:
    persona_id = chosen_id
    return RowEdit(f"identity_{persona_id}", reload=lambda: entities.get("persona", persona_id))


def _forget_identity() -> None:
    _identity_edit().forget()
    for key in ("canvas_identity", *IDENTITY_KEYS.values(), "id_confirm"):
        st.session_state.pop(key, None)


@st.dialog(t("canvas.identity_title"), on_dismiss=_forget_identity)
def identity_dialog() -> None:
    if not st.session_state.get("canvas_identity"):
        st.rerun()  # saved: close the dialog
    row = _read("persona", chosen_id)
    if row is None:
        return
    edit, keys = _identity_edit(), IDENTITY_KEYS
    edit.open(row["version"], {keys["name"]: row["name"], keys["age"]: row["age"], keys["origin"]: row["origin"],
                               keys["facts"]: "\n".join(row["facts"] or []), keys["note"]: row["note"]})
    st.text_input(t("canvas.persona_name"), max_chars=L.NAME_MAX, key=keys["name"])
    st.number_input(t("canvas.age"), min_value=L.AGE_MIN, max_value=L.AGE_MAX, step=1, key=keys["age"])
    st.text_input(t("canvas.origin"), max_chars=L.NAME_MAX, key=keys["origin"])
    st.text_area(t("canvas.facts"), key=keys["facts"], help=t("canvas.facts_help"))
    st.text_area(t("canvas.note"), key=keys["note"])
    g = st.session_state.get
    confirmed = _personal_data_ok("\n".join(g(keys[f]) or "" for f in ("name", "origin", "facts", "note")),
                                  "id_confirm")

    def write(version: int | None) -> Any:
        return canvas.update_persona(actor, chosen_id, version, name=g(keys["name"]) or "", age=g(keys["age"]),
                                     origin=g(keys["origin"]) or "", facts=(g(keys["facts"]) or "").split("\n"),
                                     note=g(keys["note"]) or "")

    if edit.conflict is None:
        st.button(t("canvas.save"), type="primary", key="id_save", disabled=not confirmed, on_click=edit.save,
                  args=(write, _forget_identity))
    edit.show(IDENTITY_FIELDS, write, on_saved=_forget_identity, can_apply=confirmed)


def _copy_targets() -> dict[int, str]:
    """The other sessions, still open, of the events this staff member works on."""
    return {x.id: f"{ev.title} · {x.starts_at:%d/%m/%Y}" if x.starts_at else ev.title
            for ev in list_events(event_ids=None if actor.role == "admin" else set(actor.event_ids))
            for x in ev.sessions if x.id != option.session_id and x.status != "closed"}


def persona_tools() -> None:
    """Edit the identity card; staff also copy the persona to another session."""
    tools = st.container(horizontal=True, key="canvas_tools")
    if option.writes_in is None and tools.button(t("canvas.edit_identity"), icon=":material/badge:",
                                                 key="open_identity"):
        _forget_identity()
        st.session_state["canvas_identity"] = {"persona_id": chosen_id}
    if st.session_state.get("canvas_identity"):
        identity_dialog()
    if actor.is_staff:
        copy = tools.popover(t("canvas.copy"), icon=":material/content_copy:", key="copy_pop", on_change="rerun")
        with copy:
            if copy.open:   # read only when open (the page draws even while the database is away)
                copy_form()


def copy_form() -> None:
    try:
        targets = _copy_targets()
    except AtelierError as exc:
        errors.show(exc)
        return
    target = st.selectbox(t("canvas.copy_target"), list(targets), format_func=targets.get, key="copy_target",
                          placeholder=t("widget.choose_one"))
    if st.button(t("canvas.copy_button"), key="copy_go", disabled=target is None):
        run("copy_error", templates.copy_persona, chosen_id, target,
            then=lambda copied: st.success(t("canvas.copied", name=md(copied["name"]))))
    show_error("copy_error")


# --- editing one item (outside the live fragment) ----------------------------------------------

@st.dialog(t("canvas.edit_title"), on_dismiss=_forget_editor)
def edit_dialog() -> None:
    state = st.session_state.get("canvas_edit")
    if not state:
        st.rerun()  # saved: close the dialog
    row = _read("canvas_item", state["id"])
    if row is None:
        return
    kind, keys, edit = state["kind"], _item_keys(state["id"]), _item_edit(state["id"])
    values = {keys["text"]: row["text"]}
    fields = [Field("text", t("canvas.text"))]
    if canvas.has_category(kind):
        values[keys["category"]] = row["category"] if row["category"] in CATEGORIES else None
        fields.append(Field("category", t("canvas.category"), category_label))
    if canvas.has_nature(kind):
        values[keys["nature"]] = row["nature"] if row["nature"] in BARRIER_NATURES else BARRIER_NATURES[0]
        fields.append(Field("nature", t("canvas.nature"), nature_label))
    edit.open(row["version"], values)
    st.text_area(t("canvas.text"), key=keys["text"], max_chars=L.ITEM_MAX)
    if canvas.has_category(kind):
        st.selectbox(t("canvas.category"), CATEGORIES, format_func=category_label, key=keys["category"],
                     placeholder=t("widget.choose_one"))
    if canvas.has_nature(kind):
        st.radio(t("canvas.nature"), BARRIER_NATURES, horizontal=True, key=keys["nature"], format_func=nature_label)
    g = st.session_state.get
    confirmed = _personal_data_ok(g(keys["text"]) or "", "edit_confirm")

    def write(version: int | None, ident: int = state["id"]) -> Any:
        return canvas.edit_canvas_item(actor, ident, version, **canvas.item_fields(
            kind, g(keys["text"]) or "", g(keys["category"]), g(keys["nature"])))

    if edit.conflict is None:
        st.button(t("canvas.save"), type="primary", key="save_edit", disabled=not confirmed, on_click=edit.save,
                  args=(write, _forget_editor))
    edit.show(fields, write, on_saved=_forget_editor, can_apply=confirmed)


# --- the page: the add bar, the persona's tools, the live lists, the needs -----------------------

# The live lists: one Markdown block (a label and a list per part) laid out as three columns by a
# grid of two rows filled column by column; one under the other on a narrow screen. No user text.
st.html("""<style>
.st-key-canvas_identity h3 { padding-top: 0; }
.st-key-canvas_sections [data-testid="stMarkdownContainer"] {
    display: grid; grid-template-rows: auto auto; grid-auto-flow: column; grid-auto-columns: minmax(0, 1fr);
    column-gap: 1.5rem; align-items: start; }
.st-key-canvas_sections [data-testid="stMarkdownContainer"] > p { margin-bottom: .25rem; }
@media (max-width: 640px) {
    .st-key-canvas_sections [data-testid="stMarkdownContainer"] { display: block; } }
</style>""")
add_failed_unavailable = isinstance(st.session_state.get("add_error"), StorageUnavailable)
if editable:
    add_bar()  # an add that failed keeps its text in the form (it is emptied only after a save)
    persona_tools()
try:
    if database_away is not None:
        raise database_away
    _rev, current_data = snapshot(canvas.get_canvas, LIVE_SESSION, args=(chosen_id,), ignore=CANVAS_IGNORES,
                                  persona=chosen_id)
    st.session_state[f"_outside_drawn_{chosen_id}"] = outside_signature(current_data)
    draw_identity(rendered(current_data)[0])
    live_view(LIVE_SESSION, canvas.get_canvas, draw_canvas, key=f"canvas_{chosen_id}", args=(chosen_id,),
              on_change=_outside_moved, ignore=CANVAS_IGNORES, persona=chosen_id)
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
needs_board(current_data, editable)
if st.session_state.get("canvas_edit") and editable:
    edit_dialog()
