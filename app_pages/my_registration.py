"""A registered person's own page, reached by their personal link ``?token=...`` (no account):
their registrations (cancel, add sessions, calendar files, printable invitations) and their data
(download as JSON, erase). It never shows anybody else's data."""
from __future__ import annotations

import functools

import streamlit as st

from core.errors import AtelierError
from core.followup import closing
from core.signup import invitations as inv
from core.signup import privacy
from core.signup import registration as reg
from ui import actions, errors
from ui.i18n import current_language, t
from ui.labels import session_name, when
from ui.text import md

FLASH_KEY = "my_flash"
ERASED_KEY = "my_erased"

lang = current_language()
token = str(st.query_params.get("token", "") or "")


# run a change now, then show its result after the rerun (a refusal at once, where it happened)
act = functools.partial(actions.act_now, flash_key=FLASH_KEY)


st.title(t("reg.my.title"))

if st.session_state.get(ERASED_KEY) and st.session_state.get(ERASED_KEY) == token:
    st.success(t("reg.my.erased"))
    st.stop()

try:
    view = reg.participant_view(token)
except AtelierError as exc:
    errors.show(exc)
    st.stop()

flash = st.session_state.pop(FLASH_KEY, None)
if flash:
    st.success(flash)

st.subheader(md(view.event_title), anchor=False)
st.text(t("reg.my.identity", name=view.name, email=view.email))
if view.organisation:
    st.text(t("reg.my.organisation", organisation=view.organisation))
if view.place:
    st.text(t("reg.page.place", place=view.place))

st.header(t("reg.my.sessions_header"), anchor=False)
active = [r for r in view.registrations if r.status in reg.ACTIVE]
if not active:
    st.info(t("reg.my.no_sessions"))
for r in view.registrations:
    if r.status == "cancelled":
        continue
    with st.container(border=True, key=f"my_reg_{r.session_id}"):
        st.text(session_name(r.theme_title, r.session_title))
        st.caption(when(r.starts_at, r.ends_at))
        if r.status == "confirmed":
            st.success(t("reg.my.status_confirmed") if not r.present else t("reg.my.status_present"))
        else:
            st.warning(t("reg.my.status_waiting", position=r.waiting_position))
        cols = st.columns(3)
        if r.status == "confirmed" and r.starts_at is not None:
            cols[0].download_button(t("reg.confirm.ics"),
                                    data=lambda sid=r.session_id: inv.session_ics(sid, lang, token),
                                    file_name=f"atelier-{view.event_slug}-{r.starts_at:%Y-%m-%d}.ics",
                                    mime="text/calendar", key=f"my_ics_{r.session_id}", on_click="ignore",
                                    icon=":material/event:")
            cols[1].download_button(t("reg.my.invitation"),
                                    data=lambda sid=r.session_id: inv.invitation_for(sid, lang, token, view.name),
                                    file_name=f"invitation-{r.session_id}.html",
                                    mime="text/html", key=f"my_invitation_{r.session_id}", on_click="ignore",
                                    icon=":material/print:")
        if r.changeable:
            if cols[2].button(t("reg.my.cancel"), key=f"my_cancel_{r.session_id}", icon=":material/event_busy:"):
                act(lambda sid=r.session_id: reg.cancel(token, sid), t("reg.my.cancelled"))
cancelled = [r for r in view.registrations if r.status == "cancelled"]
if cancelled:
    st.caption(t("reg.my.cancelled_list", sessions=md(", ".join(
        f"{session_name(r.theme_title, r.session_title)} ({when(r.starts_at, r.ends_at)})" for r in cancelled))))

if view.registration_open:
    event = reg.public_event(view.event_slug)
    mine = {r.session_id for r in active}
    options = {x.id: f"{theme.title} — {when(x.starts_at, x.ends_at)}" + (f" — {x.title}" if x.title else "")
               + ("" if x.places_left else " — " + t("reg.page.session_full"))
               for theme in event.themes for x in theme.sessions if x.available and x.id not in mine}
    if options:
        st.header(t("reg.my.add_header"), anchor=False)
        st.caption(t("reg.page.advice_theme"))
        picked = st.multiselect(t("reg.my.add_label"), list(options), format_func=options.get, key="my_add",
                                placeholder=t("reg.my.add_placeholder"), select_all=False)
        if st.button(t("reg.my.add_button"), key="my_add_button", disabled=not picked, icon=":material/add:"):
            act(lambda: reg.add_sessions(token, picked), t("reg.my.added"))

# the closing summary of the event (core.followup.closing): the person may opt out, and back in
summary_opted_out = closing.opted_out(token)
if summary_opted_out is not None:
    st.header(t("followup.my.header"), anchor=False)
    st.caption(t("followup.my.help"))
    receive = st.toggle(t("followup.my.receive"), value=not summary_opted_out, key="my_summary")
    if receive == summary_opted_out:   # the person just changed it
        act(lambda: closing.set_opt_out(token, not receive),
            t("followup.my.saved_in") if receive else t("followup.my.saved_out"))

st.header(t("reg.my.data_header"), anchor=False)
st.caption(t("reg.my.data_help"))
st.download_button(t("reg.my.download"), data=lambda: privacy.to_json(privacy.personal_data(token)),
                   file_name="atelier-my-data.json", mime="application/json", key="my_download", on_click="ignore",
                   icon=":material/download:")
with st.expander(t("reg.my.erase_header"), icon=":material/delete_forever:"):
    st.write(t("reg.my.erase_help"))
    sure = st.checkbox(t("reg.my.erase_confirm"), key="my_erase_sure")
    if st.button(t("reg.my.erase_button"), key="my_erase", type="primary", disabled=not sure):
        try:
            privacy.erase_by_token(token)
        except AtelierError as exc:
            errors.show(exc)
        else:
            st.session_state[ERASED_KEY] = token
            st.rerun()
