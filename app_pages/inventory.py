"""Resource inventory: everyone reads (search, category filter, glossary, CSV export);
organisers and admins add, edit, merge duplicates and import a CSV."""
from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from core import territory
from core.errors import AtelierError
from core.resources import inventory as inv
from core.resources.categories import CATEGORIES
from ui.actions import Field, RowEdit
from ui.auth import current_actor
from ui.errors import message
from ui.i18n import current_language, t
from ui.text import md

FORM_FIELDS = ("acronym", "name", "category", "territory", "description", "organisation_name", "service_name",
               "address", "contact_name", "phone", "email", "url")
LONG_FIELDS = ("description",)
SAVED_KEY = "inv_edit_saved"

actor = current_actor()
can_edit = inv.can_edit_inventory(actor)


def category_label(code: str) -> str:
    return t(f"category.{code}") if code else t("inventory.filter.all")


def territory_label(code: str | None) -> str:
    """A resource's territory ("Suisse – Genève"), or "everywhere" for one without."""
    return territory.territory_label(code or None, current_language()) if code != inv.EVERYWHERE \
        else t("inventory.territory.everywhere")


def territory_filter_label(code: str) -> str:
    return t("inventory.filter.territory_all") if not code else territory_label(code)


def show_error(exc: BaseException, where: Any = None) -> None:
    """A core error next to the form, naming the field it is about."""
    text = message(exc)
    field = getattr(exc, "field", None)
    if field in FORM_FIELDS:
        text = t("inventory.field_error", field=t(f"inventory.col.{field}"), message=text)
    (where or st).error(text, icon=":material/error:")


def resources_frame(rows: list[inv.ResourceView]) -> pd.DataFrame:
    return pd.DataFrame({
        t("inventory.col.acronym"): [r.acronym for r in rows],
        t("inventory.col.name"): [r.name for r in rows],
        t("inventory.col.category"): [category_label(r.category) for r in rows],
        t("inventory.col.description"): [r.description for r in rows],
        t("inventory.col.organisation_name"): [r.organisation_name for r in rows],
        t("inventory.col.address"): [r.full_address for r in rows],
        t("inventory.col.phone"): [r.phone for r in rows],
        t("inventory.col.email"): [r.email for r in rows],
        t("inventory.col.url"): [r.url for r in rows],
        t("inventory.col.links"): [r.links for r in rows],
        t("inventory.col.added_by_subgroup"): [r.added_by_subgroup_id is not None for r in rows],
        # last: the contact columns stay in the first screen of the table (it draws visible columns only)
        t("inventory.col.territory"): [territory_label(r.territory) for r in rows],
    })


def resource_card(r: inv.ResourceView) -> None:
    """One resource as a card that reads on a phone: its name (acronym and name once), its category
    and organisation, what it does, how to reach it. Every value is text (escaped Markdown or plain
    text), never a link."""
    meta = [category_label(r.category), territory_label(r.territory)]
    if r.organisation_name and r.organisation_name not in (r.name, r.acronym):
        meta.append(r.organisation_name)
    if r.links:
        meta.append(t("inventory.card.links", count=r.links))
    if r.added_by_subgroup_id is not None:
        meta.append(t("inventory.card.added_by_subgroup"))
    lines = [f"**{md(r.label)}**", f":small[{md(' · '.join(meta))}]"]   # :small keeps the text's own colour
    if r.description:
        lines.append(md(r.description))
    contact = [t("inventory.card.contact", field=t(f"inventory.col.{name}"), value=value)
               for name, value in (("address", r.full_address), ("contact_name", r.contact_name), ("phone", r.phone),
                                   ("email", r.email), ("url", r.url)) if value]
    with st.container(border=True, key=f"inv_card_{r.id}", gap="xsmall"):
        st.markdown("  \n".join(lines))
        if contact:   # plain text: a web site or an e-mail address never becomes a link
            st.text(" · ".join(contact))


def resource_fields(prefix: str, auto_category: bool) -> dict[str, Any]:
    """The inputs of a resource form (empty, or filled beforehand through their keys); returns
    field -> value."""
    values: dict[str, Any] = {}
    for name in FORM_FIELDS:
        label = t(f"inventory.col.{name}")
        key = f"{prefix}_{name}"
        if name == "category":
            options = ["", *CATEGORIES] if auto_category else list(CATEGORIES)
            values[name] = st.selectbox(
                label, options, key=key,
                format_func=lambda c: category_label(c) if c else t("inventory.add.category_auto"),
                placeholder=t("widget.choose_one"))
        elif name == "territory":   # "": valid everywhere, offered to every event
            values[name] = st.selectbox(label, ["", *territory.TERRITORIES], key=key,
                                        placeholder=t("widget.choose_one"),
                                        format_func=lambda c: territory_label(c) if c
                                        else t("inventory.territory.everywhere"))
        elif name in LONG_FIELDS:
            values[name] = st.text_area(label, key=key, height=100)
        else:
            values[name] = st.text_input(label, key=key)
    return values


def resource_writer(resource_id: int):  # noqa: ANN201 - Callable[[int | None], dict]
    """Save the edit form of a resource with the version the organiser saw."""
    def write(version: int | None) -> dict:
        values = {name: st.session_state.get(f"inv_edit_{resource_id}_{name}") or "" for name in FORM_FIELDS}
        return inv.update_resource(actor, resource_id, version, **values)
    return write


def edit_saved() -> None:
    st.session_state[SAVED_KEY] = True


st.title(t("inventory.title"))
st.caption(t("inventory.intro") if can_edit else f"{t('inventory.intro')} {t('inventory.readonly')}")

names = [t("inventory.tab.list"), t("inventory.tab.glossary")]
if can_edit:
    names += [t("inventory.tab.add"), t("inventory.tab.duplicates"), t("inventory.tab.import")]
tabs = st.tabs(names)

# --- the inventory: search, filter, table, export, edit -------------------------------------
with tabs[0]:
    left, middle, right = st.columns([3, 2, 2])
    query = left.text_input(t("inventory.search.label"), key="inv_search", icon=":material/search:",
                            placeholder=t("inventory.search.placeholder"))
    category = middle.selectbox(t("inventory.filter.category"), ["", *CATEGORIES], key="inv_category",
                                format_func=category_label, placeholder=t("widget.choose_one"))
    where = right.selectbox(t("inventory.filter.territory"), ["", *territory.TERRITORIES, inv.EVERYWHERE],
                            key="inv_territory", format_func=territory_filter_label,
                            help=t("inventory.filter.territory_help"), placeholder=t("widget.choose_one"))
    rows = inv.search_resources(query, category or None, territory=where or None)
    counted, shown_as = st.columns([3, 2], vertical_alignment="center")
    counted.caption(t("inventory.count", count=len(rows)))
    as_table = shown_as.toggle(t("inventory.view.table"), key="inv_table", value=can_edit,
                               help=t("inventory.view.help"))
    if not rows:
        st.info(t("inventory.empty"))
    elif as_table:
        st.dataframe(resources_frame(rows), hide_index=True)
    else:
        for row in rows:
            resource_card(row)
    st.download_button(t("inventory.export.button"), data=inv.export_csv, file_name="inventaire-ressources.csv",
                       mime="text/csv", key="inv_export", on_click="ignore", icon=":material/download:")

    if can_edit and rows:
        st.subheader(t("inventory.edit.header"), anchor=False)
        labels = {r.id: r.label for r in rows}
        pick = st.selectbox(t("inventory.edit.pick"), list(labels), index=None, format_func=labels.get,
                            key="inv_edit_pick", placeholder=t("inventory.edit.pick_placeholder"))
        if pick is not None:
            try:
                current = inv.get_resource(pick)
            except AtelierError as exc:
                show_error(exc)
                current = None
            if current is not None:
                # the version the user SAW is the one the form was opened on, not a fresh read
                edit = RowEdit(f"inv_edit_{pick}", show_exc=show_error)
                edit.open(current.version, {f"inv_edit_{pick}_{name}": getattr(current, name) or ""
                                            for name in FORM_FIELDS})
                with st.form(f"inv_edit_form_{pick}"):
                    resource_fields(f"inv_edit_{pick}", auto_category=False)
                    st.form_submit_button(t("inventory.edit.save"), type="primary", on_click=edit.save,
                                          args=(resource_writer(pick), edit_saved))
                if st.session_state.pop(SAVED_KEY, False):
                    st.success(t("inventory.edit.saved"), icon=":material/check:")
                edit.show([Field(name, t(f"inventory.col.{name}"),
                                 (lambda c: category_label(c or "")) if name == "category" else
                                 territory_label if name == "territory" else None)
                           for name in FORM_FIELDS], resource_writer(pick), edit_saved)

# --- glossary -------------------------------------------------------------------------------
with tabs[1]:
    entries = inv.glossary(territory=st.session_state.get("inv_territory") or None)
    if entries:   # a list that reads on a phone, one Markdown block: acronym, what it stands for, what it does
        st.markdown("\n".join(
            f"- **{md(g.acronym)}** — {md(g.name)}" + (f"  \n  :small[{md(g.description)}]" if g.description else "")
            for g in entries))
    else:
        st.info(t("inventory.glossary.empty"))

if can_edit:
    # --- add --------------------------------------------------------------------------------
    with tabs[2]:
        st.subheader(t("inventory.add.header"), anchor=False)
        with st.form("inv_add_form"):
            values = resource_fields("inv_add", auto_category=True)
            added = st.form_submit_button(t("inventory.add.submit"), type="primary")
        if added:
            try:
                row = inv.add_resource(actor, **values)
                st.success(t("inventory.add.done", name=md(row["name"]), category=category_label(row["category"])),
                           icon=":material/check:")
            except AtelierError as exc:
                show_error(exc)

    # --- duplicates -------------------------------------------------------------------------
    with tabs[3]:
        st.subheader(t("inventory.duplicates.header"), anchor=False)
        st.caption(t("inventory.duplicates.intro"))
        pending = st.session_state.get("inv_merge_pending")
        if pending:
            keep_id, duplicate_ids, keep_label, duplicate_labels = pending
            with st.container(border=True):
                st.warning(t("inventory.duplicates.confirm_text", keep=md(keep_label),
                             duplicates=md(" ; ".join(duplicate_labels))))
                yes, no = st.columns(2)
                if yes.button(t("inventory.duplicates.confirm"), key="inv_merge_confirm", type="primary"):
                    st.session_state.pop("inv_merge_pending", None)
                    try:
                        report = inv.merge_resources(actor, keep_id, duplicate_ids)
                        st.session_state["inv_merge_done"] = (report.links_moved, report.links_joined)
                    except AtelierError as exc:
                        st.session_state["inv_merge_error"] = exc
                    st.rerun()
                if no.button(t("inventory.duplicates.cancel"), key="inv_merge_cancel"):
                    st.session_state.pop("inv_merge_pending", None)
                    st.rerun()
        done = st.session_state.pop("inv_merge_done", None)
        if done:
            st.success(t("inventory.duplicates.done", moved=done[0], joined=done[1]), icon=":material/check:")
        failed = st.session_state.pop("inv_merge_error", None)
        if failed:
            show_error(failed)

        pairs = inv.find_duplicates()
        if not pairs:
            st.info(t("inventory.duplicates.none"))
        for pair in pairs[:40]:
            a, b = pair.keep, pair.duplicate
            with st.container(border=True):
                st.text(f"{a.label}   ↔   {b.label}")
                st.caption(t(pair.reason_key, score=pair.score))
                st.text(f"{a.label} : {t('inventory.duplicates.links', count=a.links)}\n"
                        f"{b.label} : {t('inventory.duplicates.links', count=b.links)}")
                options = {a.id: a.label, b.id: b.label}
                keep = st.selectbox(t("inventory.duplicates.keep"), list(options), format_func=options.get,
                                    key=f"inv_dup_keep_{a.id}_{b.id}", placeholder=t("widget.choose_one"))
                if st.button(t("inventory.duplicates.merge"), key=f"inv_dup_merge_{a.id}_{b.id}"):
                    other = b.id if keep == a.id else a.id
                    st.session_state["inv_merge_pending"] = (keep, [other], options[keep], [options[other]])
                    st.rerun()

        st.subheader(t("inventory.duplicates.manual.header"), anchor=False)
        everything = {r.id: r.label for r in inv.search_resources()}
        with st.form("inv_manual_merge"):
            keep = st.selectbox(t("inventory.duplicates.manual.keep"), list(everything), index=None,
                                format_func=everything.get, key="inv_manual_keep", placeholder=t("widget.choose_one"))
            duplicates = st.multiselect(t("inventory.duplicates.manual.duplicates"), list(everything),
                                        format_func=everything.get, key="inv_manual_duplicates",
                                        placeholder=t("widget.choose_many"), select_all=False)
            prepare = st.form_submit_button(t("inventory.duplicates.manual.submit"))
        if prepare:
            if keep is None or not [d for d in duplicates if d != keep]:
                show_error(AtelierError("error.inventory_merge_nothing"))
            elif keep in duplicates:
                show_error(AtelierError("error.inventory_merge_itself"))
            else:
                st.session_state["inv_merge_pending"] = (keep, list(duplicates), everything[keep],
                                                         [everything[d] for d in duplicates])
                st.rerun()

    # --- import -----------------------------------------------------------------------------
    with tabs[4]:
        st.subheader(t("inventory.import.header"), anchor=False)
        st.caption(t("inventory.import.help", columns=", ".join(inv.EXPORT_COLUMNS)))
        upload = st.file_uploader(t("inventory.import.file"), type=["csv", "txt", "tsv"], key="inv_import_file")
        if st.button(t("inventory.import.button"), key="inv_import_go", type="primary", disabled=upload is None):
            try:
                st.session_state["inv_import_report"] = inv.import_csv(actor, upload.getvalue())
            except AtelierError as exc:
                show_error(exc)
        report = st.session_state.get("inv_import_report")
        if report is not None:
            if report.ok:
                st.success(t("inventory.import.done", created=report.created, updated=report.updated,
                             skipped=report.skipped), icon=":material/check:")
            else:
                st.error(t("inventory.import.failed"), icon=":material/error:")
                for problem in report.problems:
                    text = t(problem.key, **problem.params)
                    if problem.line and problem.column:
                        st.text(t("inventory.import.problem_column", line=problem.line, column=problem.column,
                                  message=text))
                    elif problem.line:
                        st.text(t("inventory.import.problem", line=problem.line, message=text))
                    else:
                        st.text(text)
