"""Public registration for an event's sessions: ``?event=SLUG``, no account needed.

The form asks for the person, the sessions (grouped by theme) and consent to the privacy notice.
The confirmation is the same neutral "check your mailbox" text whatever happened: a new person
gets an email with their places (confirmed or waiting list), calendar file and personal link;
someone already registered with that address gets an email with their personal link and nothing
is changed. So the page never tells whether an address is registered."""
from __future__ import annotations

import streamlit as st

from core import limits as L
from core.errors import AtelierError
from core.signup import invitations as inv
from core.signup import registration as reg
from ui import errors
from ui.i18n import current_language, t
from ui.labels import when
from ui.text import md

RESULT_KEY = "reg_result"
FIELDS = ("first_name", "last_name", "email", "organisation", "sector", "sessions", "consent")

lang = current_language()
slug = str(st.query_params.get("event", "") or "")


def show_confirmation(event: reg.PublicEvent, email: str) -> None:
    """The same page for a new registration and for an address already registered."""
    st.title(t("reg.confirm.title"))
    st.subheader(md(event.title), anchor=False)
    with st.container(border=True, key="reg_check_mailbox"):
        st.markdown(t("reg.confirm.check_mailbox", email=md(email)))
        st.caption(t("reg.confirm.email_sent") if inv.smtp_settings() else t("reg.confirm.email_queued"))
    st.caption(t("reg.confirm.no_email"))
    if st.button(t("reg.confirm.another"), key="reg_another"):
        st.session_state.pop(RESULT_KEY, None)
        st.rerun()


if not slug:
    st.title(t("reg.page.title_generic"))
    st.info(t("reg.page.no_event"))
    st.stop()

try:
    event = reg.public_event(slug)
except AtelierError as exc:
    st.title(t("reg.page.title_generic"))
    errors.show(exc)
    st.stop()

done = st.session_state.get(RESULT_KEY)
if done and done.get("slug") == slug:
    show_confirmation(event, done.get("email", ""))
    st.stop()

st.title(t("reg.page.title"))
st.subheader(md(event.title), anchor=False)
if event.description:
    st.text(event.description)
if event.place:
    st.text(t("reg.page.place", place=event.place))
st.write(t("reg.page.rules", cap=event.participant_cap, per_org=event.per_org_cap))

if not event.registration_open:
    st.warning(t("reg.page.closed"))
    st.stop()

st.info(t("reg.page.advice_theme"), icon=":material/lightbulb:")

slots: dict[str, object] = {}
chosen: list[int] = []
with st.form("reg_form"):
    st.markdown("**" + t("reg.page.you") + "**")
    first_name = st.text_input(t("reg.field.first_name"), key="reg_first_name", max_chars=L.NAME_MAX)
    slots["first_name"] = st.empty()
    last_name = st.text_input(t("reg.field.last_name"), key="reg_last_name", max_chars=L.NAME_MAX)
    slots["last_name"] = st.empty()
    email = st.text_input(t("reg.field.email"), key="reg_email", max_chars=L.EMAIL_MAX)
    slots["email"] = st.empty()
    organisation = st.text_input(t("reg.field.organisation"), key="reg_organisation", max_chars=L.TITLE_MAX,
                                 help=t("reg.field.organisation_help", per_org=event.per_org_cap))
    slots["organisation"] = st.empty()
    sector = st.text_input(t("reg.field.sector"), key="reg_sector", max_chars=L.NAME_MAX)
    slots["sector"] = st.empty()

    st.markdown("**" + t("reg.page.sessions") + "**")
    any_available = False
    for theme in event.themes:
        if not theme.sessions:
            continue
        st.markdown("**" + t("reg.page.theme", title=md(theme.title)) + "**")
        if theme.why:
            st.caption(md(theme.why))
        for x in theme.sessions:
            label = when(x.starts_at, x.ends_at) + (f" — {md(x.title)}" if x.title else "")
            if not x.available:
                label += " — " + t("reg.page.session_past")
            elif x.places_left:
                label += " — " + t("reg.page.places_left", count=x.places_left)
            else:
                label += " — " + t("reg.page.session_full")
            any_available = any_available or x.available
            if st.checkbox(label, key=f"reg_session_{x.id}", disabled=not x.available):
                chosen.append(x.id)
    slots["sessions"] = st.empty()

    st.markdown("**" + t("reg.page.privacy_title") + "**")
    st.caption(t("reg.page.privacy_notice"))
    if event.retention_months:
        st.caption(t("reg.page.privacy_retention", months=event.retention_months))
    consent = st.checkbox(t("reg.field.consent"), key="reg_consent")
    slots["consent"] = st.empty()
    slots["event"] = st.empty()
    submitted = st.form_submit_button(t("reg.page.submit"), type="primary", disabled=not any_available)

if not any_available:
    st.info(t("reg.page.no_session_available"))

if submitted:
    try:
        reg.register(slug, first_name=first_name, last_name=last_name, email=email, organisation=organisation,
                     sector=sector, session_ids=chosen, consent=consent, lang=lang)
    except AtelierError as exc:
        errors.show(exc, where=slots.get(exc.field or "", slots["event"]))
        if exc.field in ("first_name", "last_name", "email", "organisation", "sector"):
            errors.show(exc)  # also under the button: the field may be out of sight on a phone
    else:
        # nothing about the result goes to the page (see the module docstring)
        st.session_state[RESULT_KEY] = {"slug": slug, "email": reg.clean_email(email)}
        st.rerun()
