"""After the event, for its organisers: what became of each recommendation of a closed session
(addressee, status, the decision makers' answers, where each action stands) with its history; the
public follow-up page (on/off, link, QR code), the open data, and "Publish and send the closing
summary". Thin: core.followup decides and records everything."""
from __future__ import annotations

import datetime as dt
import functools
from typing import Any

import streamlit as st

from core import territory
from core.followup import closing, public
from core.followup import tracking as tr
from core.reporting import booklet as bk
from core.session.projector import qr_png
from core.settings import public_base_url
from core.setup.events import list_events
from ui import actions
from ui.actions import Field, RowEdit
from ui.auth import require_staff
from ui.i18n import current_language, date_label, fmt_date, fmt_datetime, t
from ui.text import md

FLASH_KEY = "fu_flash"

actor = require_staff("organiser")
lang = current_language()
act = functools.partial(actions.act_now, flash_key=FLASH_KEY)


def _headers() -> dict[str, str]:
    try:
        return dict(st.context.headers or {})
    except Exception:  # noqa: BLE001 - no request context (AppTest)
        return {}


def status_label(code: str | None) -> str:
    return t(f"followup.status.{code}") if code else ""


def action_status_label(code: str | None) -> str:
    return t(f"followup.action_status.{code}") if code else ""


st.title(t("followup.title"))
st.caption(t("followup.intro"))
flash = st.session_state.pop(FLASH_KEY, None)
if flash:
    st.success(flash)

events = list_events(include_archived=True, event_ids=None if actor.role == "admin" else set(actor.event_ids))
if not events:
    st.info(t("followup.no_events"))
    st.stop()
by_id = {ev.id: ev for ev in events}
event_id = st.selectbox(t("followup.event"), list(by_id), format_func=lambda i: by_id[i].title, key="fu_event",
                        placeholder=t("widget.choose_one"))
if event_id is None:
    st.stop()
event = by_id[event_id]

# a refusal or the database away: app.py says it in the user's language (ui.errors.page_failed)
settings = public.page_settings(actor, event_id)
rows = tr.event_follow_up(actor, event_id)
waiting = tr.open_recommendation_count(actor, event_id)
summary = closing.closing_status(actor, event_id)

# --- the public page, open data, closing summary ------------------------------------------------------
with st.container(border=True, key="fu_public"):
    st.subheader(t("followup.public_header"), anchor=False)
    cols = st.columns([3, 1])
    with cols[0]:
        if settings.on and settings.token:
            link = public.public_link(settings.token, base=public_base_url(_headers()))
            st.success(t("followup.public_on"))
            st.code(link, language=None)
            if st.button(t("followup.public_switch_off"), key="fu_public_off", icon=":material/visibility_off:"):
                act(lambda: public.set_public_page(actor, event_id, False), t("followup.public_switched_off"))
        else:
            link = ""
            st.info(t("followup.public_off"))
            if st.button(t("followup.public_switch_on"), key="fu_public_on", icon=":material/public:",
                         type="primary"):
                act(lambda: public.set_public_page(actor, event_id, True), t("followup.public_switched_on"))
        st.caption(t("followup.public_help"))
    if link:
        cols[1].image(qr_png(link, scale=6), caption=t("followup.qr_caption"), width=160)
    st.download_button(t("followup.open_data"), data=lambda: public.open_data_zip(settings.slug, lang),
                       file_name=public.file_name(settings.slug), mime="application/zip", key="fu_open_data",
                       on_click="ignore", icon=":material/dataset:")
    st.caption(t("followup.open_data_help"))

with st.container(border=True, key="fu_closing"):
    st.subheader(t("followup.closing_header"), anchor=False)
    if summary.published_at:
        st.caption(t("followup.closing_published", when=fmt_datetime(summary.published_at, lang, "short")))
    st.caption(t("followup.closing_counts", sent=summary.sent, to_send=summary.to_send, opted_out=summary.opted_out))
    st.caption(t("followup.closing_help"))
    sure = st.checkbox(t("followup.closing_confirm", count=summary.to_send), key="fu_closing_sure")
    if st.button(t("followup.closing_button"), key="fu_closing_button", icon=":material/send:", type="primary",
                 disabled=not sure):
        act(lambda: closing.publish_closing_summary(actor, event_id), t("followup.closing_done"))

# --- the booklet's follow-up edition, dated today ------------------------------------------------------
with st.container(border=True, key="fu_booklet"):
    st.subheader(t("followup.booklet_header"), anchor=False)
    st.caption(t("followup.booklet_help"))
    visible = None if actor.role == "admin" else frozenset(actor.event_ids)
    for col, fmt in zip(st.columns([1, 1, 2])[:2], bk.FORMATS):
        col.download_button(t(f"followup.booklet_{fmt}"), key=f"fu_booklet_{fmt}", on_click="ignore",
                            data=lambda fmt=fmt: bk.export_booklet(event.slug, fmt, lang, visible, "follow_up"),
                            file_name=bk.file_name(event.slug, fmt, lang, "follow_up"), mime=bk.MIME[fmt],
                            icon=":material/menu_book:")

# --- the recommendations ----------------------------------------------------------------------------
st.header(t("followup.recs_header"), anchor=False)
if waiting:
    st.info(t("followup.waiting_sessions", count=waiting))
if not rows:
    st.info(t("followup.no_recs"))
    st.stop()

status_filter = st.multiselect(t("followup.filter_status"), tr.STATUSES, format_func=status_label, key="fu_filter",
                               placeholder=t("followup.filter_all"), select_all=False)
shown = [r for r in rows if not status_filter or r.status in status_filter]


def _history_line(h: tr.HistoryEntry) -> str:
    what = t(f"followup.history.{h.entity}.{h.action}") if h.action in ("create", "update", "correct", "delete") \
        else h.action
    parts = []
    for field, before, after in h.changes:
        if field in ("status",):
            before, after = status_label(before), status_label(after)
        elif field == "deleted_at":
            continue
        parts.append(f"{t(f'followup.field.{field}') if field in FIELDS else field}: "
                     f"{'' if before in (None, '') else before} → {'' if after in (None, '') else after}")
    return f"{fmt_datetime(h.at, lang, 'short')} · {h.who} · {what}" + (f" — {'; '.join(parts)}" if parts else "")


FIELDS = ("addressee", "status", "status_on", "status_note", "note", "answered_on", "text", "link",
          "attachment_name")


def follow_up_form(r: tr.FollowUpView) -> None:
    key = f"fu_{r.recommendation_id}"
    edit = RowEdit(key)
    edit.open(r.version, {f"{key}_addressee": r.addressee, f"{key}_status": r.status,
                          f"{key}_status_on": r.status_on, f"{key}_note": r.status_note,
                          f"{key}_correction": False})

    def write(version: int | None) -> Any:
        state = st.session_state
        return tr.update_follow_up(actor, r.recommendation_id, version, addressee=state[f"{key}_addressee"],
                                   status=state[f"{key}_status"], status_on=state[f"{key}_status_on"],
                                   note=state[f"{key}_note"], correction=bool(state[f"{key}_correction"]))

    with st.form(f"{key}_form", border=False):
        st.text_input(t("followup.field.addressee"), key=f"{key}_addressee", help=t("followup.addressee_help"))
        c1, c2 = st.columns(2)
        c1.selectbox(t("followup.field.status"), tr.STATUSES, format_func=status_label, key=f"{key}_status",
                     placeholder=t("widget.choose_one"))
        c2.date_input(date_label("followup.field.status_on"), key=f"{key}_status_on", format="DD/MM/YYYY")
        nexts = ", ".join(status_label(x) for x in r.next_statuses) or "—"
        st.caption(t("followup.next_statuses", statuses=nexts))
        st.text_area(t("followup.field.status_note"), key=f"{key}_note", height=68)
        st.checkbox(t("followup.correction"), key=f"{key}_correction", help=t("followup.correction_help"))
        if st.form_submit_button(t("followup.save"), icon=":material/save:"):
            if edit.save(write):
                st.session_state[FLASH_KEY] = t("followup.saved")
                st.rerun()
    edit.show([Field("addressee", t("followup.field.addressee")),
               Field("status", t("followup.field.status"), status_label),
               Field("status_note", t("followup.field.status_note"))], write)


def answers_block(r: tr.FollowUpView) -> None:
    st.markdown(f"**{t('followup.answers_header')}**")
    if not r.answers:
        st.caption(t("followup.no_answers"))
    for a in r.answers:
        with st.container(border=True, key=f"fu_answer_{a.id}"):
            st.caption(t("followup.answered_on", date=fmt_date(a.answered_on, lang, "long")))
            if a.text:
                st.text(a.text)
            if a.link:
                st.link_button(t("followup.open_link"), a.link, icon=":material/open_in_new:")
                st.text(a.link)
            c1, c2 = st.columns(2)
            if a.attachment_name:
                c1.download_button(t("followup.download_doc", name=a.attachment_name),
                                   data=lambda aid=a.id: tr.answer_attachment(actor, aid).data,
                                   file_name=a.attachment_name, mime=a.attachment_type, key=f"fu_doc_{a.id}",
                                   on_click="ignore", icon=":material/attach_file:")
            if c2.button(t("followup.delete_answer"), key=f"fu_del_{a.id}", icon=":material/delete:"):
                act(lambda aid=a.id: tr.delete_answer(actor, aid), t("followup.answer_deleted"))
    key = f"fu_new_{r.recommendation_id}"
    with st.form(key, clear_on_submit=True):
        st.markdown(f"**{t('followup.add_answer')}**")
        day = st.date_input(date_label("followup.field.answered_on"), key=f"{key}_date", format="DD/MM/YYYY",
                            value=dt.date.today())
        text = st.text_area(t("followup.field.text"), key=f"{key}_text", height=100)
        link = st.text_input(t("followup.field.link"), key=f"{key}_link", placeholder="https://")
        doc = st.file_uploader(t("followup.field.attachment"), key=f"{key}_doc",
                               type=sorted(tr.ATTACHMENT_TYPES), help=t("followup.attachment_help"))
        if st.form_submit_button(t("followup.add_answer_button"), icon=":material/add_comment:"):
            def add() -> None:
                tr.add_answer(actor, r.recommendation_id, day, text, link, doc.getvalue() if doc is not None else None,
                              doc.name if doc is not None else "")
                RowEdit(f"fu_{r.recommendation_id}").forget()   # an answer may move the status: show it
            act(add, t("followup.answer_added"))


def actions_block(r: tr.FollowUpView) -> None:
    if not r.actions:
        return
    st.markdown(f"**{t('followup.actions_header')}**")
    for a in r.actions:
        key = f"fua_{a.plan_action_id}"
        with st.container(border=True, key=key):
            st.text(a.action)
            details = [x for x in (a.carrier and t("followup.carrier", carrier=md(a.carrier)),
                                   a.due and t("followup.due", date=fmt_date(a.due, lang, "medium")),
                                   a.late and t("followup.late")) if x]
            if details:
                st.caption(" · ".join(details))
            edit = RowEdit(key)
            edit.open(a.version, {f"{key}_status": a.status, f"{key}_on": a.status_on, f"{key}_note": a.note})

            def write(version: int | None, key: str = key, aid: int = a.plan_action_id) -> Any:
                state = st.session_state
                return tr.set_action_progress(actor, aid, version, state[f"{key}_status"], state[f"{key}_on"],
                                              state[f"{key}_note"])

            with st.form(f"{key}_form", border=False):
                c1, c2 = st.columns(2)
                c1.selectbox(t("followup.field.action_status"), tr.ACTION_STATUSES, format_func=action_status_label,
                             key=f"{key}_status", placeholder=t("widget.choose_one"))
                c2.date_input(date_label("followup.field.status_on"), key=f"{key}_on", format="DD/MM/YYYY")
                st.text_input(t("followup.field.note"), key=f"{key}_note")
                if st.form_submit_button(t("followup.save_action"), icon=":material/save:"):
                    if edit.save(write):
                        st.session_state[FLASH_KEY] = t("followup.action_saved")
                        st.rerun()
            edit.show([Field("status", t("followup.field.action_status"), action_status_label),
                       Field("note", t("followup.field.note"))], write)


for theme_id in dict.fromkeys(r.theme_id for r in shown):
    theme_rows = [r for r in shown if r.theme_id == theme_id]
    st.subheader(md(theme_rows[0].theme_title), anchor=False)
    for r in theme_rows:
        label = f"{md(r.title)} — {status_label(r.status)}"
        with st.expander(label, key=f"fu_rec_{r.recommendation_id}"):
            st.caption(" · ".join(x for x in (
                territory.level_label(event, r.level, lang), t("followup.votes", count=r.votes),
                t("followup.retained") if r.retained else "") if x))
            if r.text:
                st.text(r.text)
            if r.trail:
                st.caption(t("followup.trail") + " " + md(" · ".join(
                    f"{t(f'followup.kind.{x.kind}')}: {x.text}" + (f" ({x.persona})" if x.persona and
                                                                    x.kind != "persona" else "")
                    for x in r.trail)))
            follow_up_form(r)
            answers_block(r)
            actions_block(r)
            if st.toggle(t("followup.history_header"), key=f"fu_history_{r.recommendation_id}"):
                entries = tr.history(actor, r.recommendation_id)
                if not entries:
                    st.caption(t("followup.history_empty"))
                for h in entries:
                    st.text(_history_line(h))
