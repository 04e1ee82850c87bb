"""A participant's home: their sub-group in the session, the current stage and its prompt."""
from __future__ import annotations

import streamlit as st

from core import canvas
from ui import auth
from ui.i18n import t
from ui.text import md

actor = auth.require_participant()
membership = st.session_state["membership"]

st.title(md(membership.subgroup_name) if membership.subgroup_name else t("group.title"))
st.caption(md(f"{membership.event_title} · {membership.theme_title}"))
if membership.display_name:
    st.text(t("group.welcome", name=membership.display_name))
if membership.session_status == "closed":
    st.info(t("group.session_closed"))

st.subheader(t("group.personas"), anchor=False)
personas = [p for p in canvas.list_personas(membership.session_id)
            if p.subgroup_id == membership.subgroup_id or p.open_to_all]
if not personas:
    st.caption(t("group.no_personas"))
for persona in personas:
    with st.container(border=True):
        age = t("group.persona_age", age=persona.age) if persona.age is not None else ""
        st.markdown(f"**{md(persona.name)}**")
        if age or persona.origin:
            st.caption(md(" · ".join(x for x in (age, persona.origin) if x)))
        for fact in persona.facts:
            st.text(f"• {fact}")
