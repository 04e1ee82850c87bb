"""Registrations of an event, for its organisers (and its facilitators, for attendance):
per-session lists and waiting lists with override, attendance sheets, organisations and their
merging, the outbox of emails, a person's data (export, erase) and the registration settings.
Facilitators see names and organisations, never email addresses."""
from __future__ import annotations

import functools
from typing import Any

import pandas as pd
import streamlit as st

from core.errors import AtelierError
from core.setup.events import list_events
from core.signup import invitations as inv
from core.signup import privacy
from core.signup import registration as reg
from ui import actions, errors
from ui.actions import Field, RowEdit
from ui.auth import require_staff
from ui.i18n import current_language, fmt_date, fmt_datetime, t
from ui.labels import when
from ui.text import md

FLASH_KEY = "ra_flash"

actor = require_staff("organiser", "facilitator")
lang = current_language()
is_organiser = actor.role in ("organiser", "admin")


def flash(message_key: str) -> None:
    st.session_state[FLASH_KEY] = t(message_key)


# run a change now, then show its result after the rerun (a refusal at once, where it happened)
act = functools.partial(actions.act_now, flash_key=FLASH_KEY)


def people_frame(rows, with_position: bool = False) -> pd.DataFrame:  # noqa: ANN001
    data = [{
        **({t("reg.admin.col_position"): i + 1} if with_position else {}),
        t("reg.admin.col_name"): r.name, t("reg.admin.col_organisation"): r.organisation,
        **({t("reg.admin.col_email"): r.email} if contacts else {}), t("reg.admin.col_sector"): r.sector,
        t("reg.admin.col_registered"): fmt_datetime(r.registered_at, lang, "short"),
        t("reg.admin.col_present"): r.present, t("reg.admin.col_override"): r.overridden,
    } for i, r in enumerate(rows)]
    return pd.DataFrame(data)


def save_attendance(session_id: int, boxes: dict[int, str]) -> None:
    """A callback: save the ticks this person changed since the sheet was drawn."""
    seen = st.session_state.get(f"ra_seen_present_{session_id}", {})
    changes = {rid: bool(st.session_state.get(key)) for rid, key in boxes.items()
               if rid in seen and bool(st.session_state.get(key)) != seen[rid]}
    try:
        reg.update_attendance(actor, session_id, changes)
    except AtelierError as exc:
        st.session_state["ra_attendance_error"] = exc
        return
    st.session_state.pop(f"ra_seen_present_{session_id}", None)   # draw the sheet again from the database
    flash("reg.admin.attendance_saved")


st.title(t("reg.admin.title"))
notice = st.session_state.pop(FLASH_KEY, None)
if notice:
    st.success(notice)
attendance_error = st.session_state.pop("ra_attendance_error", None)
if attendance_error is not None:
    errors.show(attendance_error)

event_ids = None if actor.role == "admin" else set(actor.event_ids)
events = list_events(include_archived=True, event_ids=event_ids)
if not events:
    st.info(t("reg.admin.no_events"))
    st.stop()
by_id = {ev.id: ev for ev in events}
event_id = st.selectbox(t("reg.admin.event"), list(by_id), format_func=lambda i: by_id[i].title, key="ra_event",
                        placeholder=t("widget.choose_one"))
event = by_id[event_id]
settings = reg.event_settings(event_id)
contacts = is_organiser and reg.sees_contacts(actor, event_id)   # email addresses: organisers only
st.caption(t("reg.admin.open") if settings.registration_open else t("reg.admin.closed"))

rosters = reg.rosters(actor, event_id)
tab_lists, tab_attendance, tab_orgs, tab_outbox, tab_people, tab_settings = st.tabs([
    t("reg.admin.tab_lists"), t("reg.admin.tab_attendance"), t("reg.admin.tab_organisations"),
    t("reg.admin.tab_outbox"), t("reg.admin.tab_people"), t("reg.admin.tab_settings")])

with tab_lists:
    if not rosters:
        st.info(t("reg.admin.no_sessions"))
    for roster in rosters:
        title = f"{md(roster.theme_title)} — {when(roster.starts_at, roster.ends_at)}"
        summary = t("reg.admin.counts", confirmed=len(roster.confirmed), cap=roster.cap, waiting=len(roster.waiting),
                    present=roster.present)
        with st.expander(f"{title} · {summary}"):
            if roster.session_title:
                st.text(roster.session_title)
            st.markdown("**" + t("reg.admin.confirmed_header", count=len(roster.confirmed)) + "**")
            if roster.confirmed:
                st.dataframe(people_frame(roster.confirmed), hide_index=True)
            st.markdown("**" + t("reg.admin.waiting_header", count=len(roster.waiting)) + "**")
            if roster.waiting:
                st.dataframe(people_frame(roster.waiting, with_position=True), hide_index=True)
            if not is_organiser:
                continue
            sid = roster.session_id
            if roster.waiting:
                waiting = {r.registration_id: f"{i + 1}. {r.name} — {r.organisation}"
                           for i, r in enumerate(roster.waiting)}
                pick = st.selectbox(t("reg.admin.override_pick"), list(waiting), format_func=waiting.get,
                                    key=f"ra_override_pick_{sid}", placeholder=t("widget.choose_one"))
                if st.button(t("reg.admin.override_button"), key=f"ra_override_{sid}", icon=":material/how_to_reg:"):
                    act(lambda p=pick: reg.confirm_anyway(actor, p), t("reg.admin.override_done"))
            if roster.confirmed:
                confirmed = {r.registration_id: f"{r.name} — {r.organisation}" for r in roster.confirmed}
                pick = st.selectbox(t("reg.admin.cancel_pick"), list(confirmed), format_func=confirmed.get,
                                    key=f"ra_cancel_pick_{sid}", placeholder=t("widget.choose_one"))
                if st.button(t("reg.admin.cancel_button"), key=f"ra_cancel_{sid}", icon=":material/person_remove:"):
                    act(lambda p=pick: reg.cancel_registration(actor, p), t("reg.admin.cancel_done"))
                if st.button(t("reg.admin.invite_button"), key=f"ra_invite_{sid}", icon=":material/mail:"):
                    act(lambda s_=sid: reg.queue_invitations(actor, s_), t("reg.admin.invite_done"))

with tab_attendance:
    summary = reg.attendance_summary(event_id)
    if not summary.empty:
        shown = pd.DataFrame({
            t("reg.admin.col_theme"): summary["theme"],
            t("reg.admin.col_when"): [when(s_, None) for s_ in summary["starts_at"]],
            t("reg.admin.col_cap"): summary["cap"], t("reg.admin.col_confirmed"): summary["confirmed"],
            t("reg.admin.col_waiting"): summary["waiting"], t("reg.admin.col_present_count"): summary["present"],
        })
        st.dataframe(shown, hide_index=True)
    sessions = {r.session_id: f"{r.theme_title} — {when(r.starts_at, r.ends_at)}" for r in rosters}
    if sessions:
        sid = st.selectbox(t("reg.admin.attendance_session"), list(sessions), format_func=sessions.get,
                           key="ra_attendance_session", placeholder=t("widget.choose_one"))
        roster = next(r for r in rosters if r.session_id == sid)
        people = list(roster.confirmed) + list(roster.waiting)
        if not people:
            st.info(t("reg.admin.nobody"))
        else:
            # the sheet as this person SAW it: saving sends only their changes, never someone else's ticks back
            boxes = {r.registration_id: f"ra_present_{sid}_{r.registration_id}" for r in people}
            seen = st.session_state.setdefault(f"ra_seen_present_{sid}", {})
            for r in people:
                if boxes[r.registration_id] not in st.session_state or r.registration_id not in seen:
                    st.session_state[boxes[r.registration_id]] = seen[r.registration_id] = r.present
            with st.form(f"ra_attendance_form_{sid}"):
                st.caption(t("reg.admin.attendance_help"))
                for r in people:
                    label = md(f"{r.name} — {r.organisation}" if r.organisation else r.name)
                    if r.status == "waiting":
                        label += " (" + t("reg.admin.on_waiting_list") + ")"
                    st.checkbox(label, key=boxes[r.registration_id])
                st.form_submit_button(t("reg.admin.attendance_save"), type="primary", key=f"ra_attendance_save_{sid}",
                                      on_click=save_attendance, args=(sid, boxes))

with tab_orgs:
    orgs = reg.event_organisations(actor, event_id)
    if not orgs:
        st.info(t("reg.admin.no_organisations"))
    else:
        st.dataframe(pd.DataFrame({t("reg.admin.col_organisation"): [o.name for o in orgs],
                                   t("reg.admin.col_people"): [o.participants for o in orgs]}),
                     hide_index=True)
        suggestions = reg.merge_suggestions(actor, event_id)
        if suggestions:
            st.markdown("**" + t("reg.admin.suggestions") + "**")
            for a, b, score in suggestions:
                st.text(f"• {a.name} ↔ {b.name} ({score} %)")
        if is_organiser and len(orgs) > 1:
            names = {o.id: o.name for o in orgs}
            c1, c2 = st.columns(2)
            source = c1.selectbox(t("reg.admin.merge_source"), list(names), format_func=names.get,
                                  key="ra_merge_source", placeholder=t("widget.choose_one"))
            target = c2.selectbox(t("reg.admin.merge_target"), list(names), format_func=names.get,
                                  key="ra_merge_target", index=1, placeholder=t("widget.choose_one"))
            st.caption(t("reg.admin.merge_help"))
            if st.button(t("reg.admin.merge_button"), key="ra_merge", icon=":material/merge:"):
                act(lambda: reg.merge_organisations(actor, event_id, source, target), t("reg.admin.merge_done"))

with tab_outbox:
    configured = inv.smtp_settings() is not None
    st.caption(t("reg.admin.smtp_on") if configured else t("reg.admin.smtp_off"))
    if is_organiser:
        rows = inv.outbox(event_id)
        if not rows:
            st.info(t("reg.admin.outbox_empty"))
        else:
            st.dataframe(pd.DataFrame({
                t("reg.admin.col_to"): [r.to_address for r in rows],
                t("reg.admin.col_subject"): [r.subject for r in rows],
                t("reg.admin.col_created"): [fmt_datetime(r.created_at, lang, "short") for r in rows],
                t("reg.admin.col_sent"): [fmt_datetime(r.sent_at, lang, "short") if r.sent_at else "" for r in rows],
                t("reg.admin.col_status"): [t(f"reg.admin.status_{r.state}", attempts=r.attempts,
                                              when=fmt_datetime(r.next_attempt_at, lang, "short")
                                              if r.next_attempt_at else "") for r in rows],
                t("reg.admin.col_error"): [r.last_error for r in rows],
            }), hide_index=True)
            if configured and st.button(t("reg.admin.send_now"), key="ra_send_now", icon=":material/send:"):
                act(lambda: inv.deliver_pending(), t("reg.admin.sent"))

with tab_people:
    if not is_organiser:
        st.info(t("reg.admin.organisers_only"))
    else:
        people = reg.event_people(actor, event_id)
        if not people:
            st.info(t("reg.admin.nobody"))
        else:
            names = {p.participant_id: f"{p.name} — {p.email}" for p in people}
            pid = st.selectbox(t("reg.admin.person"), list(names), format_func=names.get, key="ra_person",
                               placeholder=t("widget.choose_one"))
            c1, c2 = st.columns(2)
            c1.download_button(t("reg.admin.export_person"),
                               data=lambda p=pid: privacy.to_json(privacy.personal_data_for(actor, p)),
                               file_name=f"atelier-person-{pid}.json", mime="application/json", key="ra_export",
                               on_click="ignore", icon=":material/download:")
            if c2.button(t("reg.admin.resend_link"), key="ra_resend", icon=":material/forward_to_inbox:"):
                act(lambda: reg.resend_link(actor, pid), t("reg.admin.resent"))
            with st.expander(t("reg.admin.erase_header"), icon=":material/delete_forever:"):
                st.write(t("reg.admin.erase_help"))
                sure = st.checkbox(t("reg.admin.erase_confirm", name=md(names[pid])), key=f"ra_erase_sure_{pid}")
                if st.button(t("reg.admin.erase_button"), key="ra_erase", type="primary", disabled=not sure):
                    act(lambda: privacy.erase_participant(actor, pid), t("reg.admin.erased"))

with tab_settings:
    st.markdown("**" + t("reg.admin.public_link") + "**")
    st.code(inv.registration_link(event.slug), language=None)
    status = privacy.retention_status(event_id)
    if status.purge_on:
        st.caption(t("reg.admin.retention_status", date=fmt_date(status.purge_on, lang)))
    else:
        st.caption(t("reg.admin.retention_none"))
    if is_organiser:
        keys = {f: f"ra_{f}_{event_id}" for f in ("open", "cap", "per_org", "retention")}
        edit = RowEdit(f"ra_settings_{event_id}")
        edit.open(settings.version, {keys["open"]: settings.registration_open, keys["cap"]: settings.participant_cap,
                                     keys["per_org"]: settings.per_org_cap,
                                     keys["retention"]: settings.retention_months or 0})

        def write_settings(version: int | None, ident: int = event_id) -> Any:
            g = st.session_state.get
            return reg.update_settings(actor, ident, version, registration_open=bool(g(keys["open"])),
                                       participant_cap=int(g(keys["cap"])), per_org_cap=int(g(keys["per_org"])),
                                       retention_months=int(g(keys["retention"]) or 0) or None)

        with st.form(f"ra_settings_{event_id}"):
            st.toggle(t("reg.admin.registration_open"), key=keys["open"])
            st.number_input(t("reg.admin.participant_cap"), min_value=1, max_value=1000, step=1, key=keys["cap"])
            st.number_input(t("reg.admin.per_org_cap"), min_value=1, max_value=100, step=1, key=keys["per_org"])
            st.number_input(t("reg.admin.retention_months"), min_value=0, max_value=120, step=1, key=keys["retention"],
                            help=t("reg.admin.retention_help"))
            st.form_submit_button(t("reg.admin.save"), type="primary", key=f"ra_settings_save_{event_id}",
                                  on_click=edit.save, args=(write_settings, lambda: flash("reg.admin.saved")))
        edit.show([Field("registration_open", t("reg.admin.registration_open"),
                         lambda v: t("reg.admin.open") if v else t("reg.admin.closed")),
                   Field("participant_cap", t("reg.admin.participant_cap")),
                   Field("per_org_cap", t("reg.admin.per_org_cap")),
                   Field("retention_months", t("reg.admin.retention_months"), lambda v: str(v or "—"))],
                  write_settings, lambda: flash("reg.admin.saved"))
