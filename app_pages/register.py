"""Public registration for an event's sessions: ``?event=SLUG``, no account needed.

The form asks for the person, the sessions (grouped by theme) and consent to the privacy notice;
the confirmation shows, per session, whether the place is confirmed or on the waiting list, a
calendar file and a printable invitation, and the personal link (for a new person only)."""
from __future__ import annotations

import streamlit as st

from core import invitations as inv
from core import registration as reg
from core.errors import AtelierError
from ui import errors
from ui.text import md
from ui.i18n import current_language, t

RESULT_KEY = "reg_result"
FIELDS = ("first_name", "last_name", "email", "organisation", "sector", "sessions", "consent")

lang = current_language()
slug = str(st.query_params.get("event", "") or "")


def when(starts_at, ends_at) -> str:  # noqa: ANN001
    return inv.when_text(starts_at, ends_at, lang)


def session_name(theme_title: str, session_title: str) -> str:
    return f"{theme_title} — {session_title}" if session_title else theme_title


def show_confirmation(event: reg.PublicEvent, result: reg.RegistrationResult, name: str) -> None:
    st.title(t("reg.confirm.title"))
    st.subheader(md(event.title), anchor=False)
    if result.existing:
        st.info(t("reg.confirm.existing"))
    sessions = event.sessions
    for p in result.placements:
        theme, x = sessions[p.session_id]
        with st.container(border=True, key=f"reg_placement_{p.session_id}"):
            st.markdown("**" + t("reg.confirm.session") + "**")
            st.text(session_name(theme.title, x.title))
            st.caption(when(x.starts_at, x.ends_at))
            if p.reason in ("confirmed", "already_confirmed"):
                st.success(t("reg.confirm.confirmed") if p.reason == "confirmed" else t("reg.confirm.already_confirmed"))
                if x.starts_at is not None:
                    st.download_button(t("reg.confirm.ics"), data=lambda sid=p.session_id: inv.session_ics(sid, lang, result.token),
                                       file_name=f"atelier-{event.slug}-{x.starts_at:%Y-%m-%d}.ics", mime="text/calendar",
                                       key=f"reg_ics_{p.session_id}", on_click="ignore", icon=":material/event:")
                if result.token:
                    st.download_button(t("reg.my.invitation"),
                                       data=lambda sid=p.session_id: inv.invitation_for(sid, lang, result.token, name),
                                       file_name=f"invitation-{p.session_id}.html", mime="text/html",
                                       key=f"reg_invitation_{p.session_id}", on_click="ignore", icon=":material/print:")
            elif p.reason == "waiting_org":
                st.warning(t("reg.confirm.waiting_org", per_org=event.per_org_cap, position=p.waiting_position))
            elif p.reason == "already_waiting":
                st.warning(t("reg.confirm.already_waiting", position=p.waiting_position))
            else:
                st.warning(t("reg.confirm.waiting_full", position=p.waiting_position))
    if result.token:
        link = inv.personal_link(result.token, lang)
        st.subheader(t("reg.confirm.link_title"), anchor=False)
        st.write(t("reg.confirm.link_help"))
        st.code(link, language=None)
        st.link_button(t("reg.confirm.open_link"), link, icon=":material/open_in_new:")
    st.caption(t("reg.confirm.email_sent") if inv.smtp_settings() else t("reg.confirm.email_queued"))
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
    show_confirmation(event, done["result"], done.get("name", ""))
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
    first_name = st.text_input(t("reg.field.first_name"), key="reg_first_name", max_chars=120)
    slots["first_name"] = st.empty()
    last_name = st.text_input(t("reg.field.last_name"), key="reg_last_name", max_chars=120)
    slots["last_name"] = st.empty()
    email = st.text_input(t("reg.field.email"), key="reg_email", max_chars=200)
    slots["email"] = st.empty()
    organisation = st.text_input(t("reg.field.organisation"), key="reg_organisation", max_chars=200,
                                 help=t("reg.field.organisation_help", per_org=event.per_org_cap))
    slots["organisation"] = st.empty()
    sector = st.text_input(t("reg.field.sector"), key="reg_sector", max_chars=120)
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
        result = reg.register(slug, first_name=first_name, last_name=last_name, email=email, organisation=organisation,
                              sector=sector, session_ids=chosen, consent=consent, lang=lang)
    except AtelierError as exc:
        errors.show(exc, where=slots.get(exc.field or "", slots["event"]))
        if exc.field in ("first_name", "last_name", "email", "organisation", "sector"):
            errors.show(exc)  # also under the button: the field may be out of sight on a phone
    else:
        st.session_state[RESULT_KEY] = {"slug": slug, "result": result,
                                        "name": f"{first_name.strip()} {last_name.strip()}".strip()}
        st.rerun()
