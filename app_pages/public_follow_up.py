"""An event's public follow-up page, ``?t=TOKEN``: no login, read-only. The recommendations of the
closed sessions grouped by theme and level of power, with their votes, trail, status, the decision
makers' answers and the progress of their actions; filters; a link and a QR code to share; the open
data and the booklet. When the organiser switches the page off, the same link shows nothing.
What is public and what never is: see core.followup.public."""
from __future__ import annotations

import streamlit as st

from core import territory
from core.followup import public
from core.followup import tracking as tr
from core.reporting import booklet as bk
from core.session.projector import qr_png
from core.settings import public_base_url
from ui.i18n import current_language, fmt_date, t
from ui.text import md

lang = current_language()
token = str(st.query_params.get("t", "") or "")
view = public.public_page(token) if token else None

if view is None:
    st.title(t("followup.public.title_generic"))
    st.info(t("followup.public.unavailable"))
    st.stop()


def _headers() -> dict[str, str]:
    try:
        return dict(st.context.headers or {})
    except Exception:  # noqa: BLE001 - no request context (AppTest)
        return {}


def status_label(code: str) -> str:
    return t(f"followup.status.{code}")


def level_label(code: str) -> str:
    return territory.level_label(view, code, lang)


WITHHELD = t("followup.public.withheld")   # a participant-typed text that looked like personal data


st.title(md(view.title))
st.subheader(t("followup.public.title"), anchor=False)
dates = " – ".join(dict.fromkeys(fmt_date(d, lang, "long") for d in (view.starts_on, view.ends_on) if d))
if dates or view.place:
    st.caption(" · ".join(md(x) for x in (dates, view.place) if x))
st.caption(t("followup.public.intro"))

recs = view.recommendations
counts = {s: sum(r.status == s for r in recs) for s in tr.STATUSES}
answered = sum(bool(r.answers) or r.status in tr.DECIDED for r in recs)
st.markdown(t("followup.public.summary", count=len(recs), answered=answered,
              adopted=counts["implemented"] + counts["adopted"] + counts["partly_adopted"]))

link = public.public_link(token, base=public_base_url(_headers()))
with st.expander(t("followup.public.share"), icon=":material/share:"):
    st.code(link, language=None)
    st.image(qr_png(link, scale=6), caption=t("followup.qr_caption"), width=180)
dl = st.columns(3)
dl[0].download_button(t("followup.public.open_data"), data=lambda: public.public_open_data(token, lang) or b"",
                      file_name=public.file_name(view.slug), mime="application/zip", key="pf_open_data",
                      on_click="ignore", icon=":material/dataset:")
if view.booklet_published:
    # the public booklet (both editions): only what this page shows (personal data withheld, the
    # recommendations of closed sessions only, never the internal status note); the token is checked
    # again at download time, so a tab opened before the page was switched off gets an empty file
    dl[1].download_button(t("followup.public.booklet"),
                          data=lambda: bk.public_booklet(token, "pdf", lang) or b"",
                          file_name=bk.file_name(view.slug, "pdf", lang), mime=bk.MIME["pdf"], key="pf_booklet",
                          on_click="ignore", icon=":material/menu_book:")
    dl[2].download_button(t("followup.public.booklet_follow_up"),
                          data=lambda: bk.public_booklet(token, "pdf", lang, edition="follow_up") or b"",
                          file_name=bk.file_name(view.slug, "pdf", lang, "follow_up"), mime=bk.MIME["pdf"],
                          key="pf_booklet_follow_up", on_click="ignore", icon=":material/menu_book:")

themes = dict(view.themes)
levels = list(dict.fromkeys(r.level for r in recs))
f1, f2, f3 = st.columns(3)
used_themes = [i for i in themes if any(r.theme_id == i for r in recs)]
pick_themes = f1.multiselect(t("followup.public.filter_theme"), used_themes,
                             format_func=lambda i: themes.get(i, ""), key="pf_themes",
                             placeholder=t("followup.filter_all"), select_all=False)
pick_levels = f2.multiselect(t("followup.public.filter_level"), levels, format_func=level_label, key="pf_levels",
                             placeholder=t("followup.filter_all"), select_all=False)
pick_status = f3.multiselect(t("followup.filter_status"), [s for s in tr.STATUSES if counts[s]],
                             format_func=status_label, key="pf_status", placeholder=t("followup.filter_all"),
                             select_all=False)
shown = public.filter_recommendations(recs, pick_themes, pick_levels, pick_status)
if not recs:
    st.info(t("followup.public.no_recs"))
elif not shown:
    st.info(t("followup.public.no_match"))

level_order = territory.level_keys(view)


def _level_rank(code: str) -> int:
    return level_order.index(code) if code in level_order else len(level_order)


for theme_id in dict.fromkeys(r.theme_id for r in shown):
    theme_recs = [r for r in shown if r.theme_id == theme_id]
    st.header(md(theme_recs[0].theme), anchor=False)
    for level in sorted(dict.fromkeys(r.level for r in theme_recs), key=_level_rank):
        st.subheader(t("followup.public.level", level=md(level_label(level))), anchor=False)
        for r in [x for x in theme_recs if x.level == level]:
            with st.container(border=True, key=f"pf_rec_{r.id}"):
                st.markdown(f"**{md(WITHHELD if r.title_withheld else r.title)}**")
                st.caption(" · ".join(x for x in (
                    t("followup.votes", count=r.votes), t("followup.retained") if r.retained else "",
                    t("followup.public.status_line", status=status_label(r.status))
                    + (f" ({fmt_date(r.status_on, lang, 'medium')})" if r.status_on else "")) if x))
                if r.addressee:
                    st.caption(t("followup.public.addressed_to", addressee=md(r.addressee)))
                if r.text or r.text_withheld:
                    st.text(WITHHELD if r.text_withheld else r.text)
                if r.trail:
                    parts = [t("followup.public.withheld") if x.withheld else
                             f"{t(f'followup.kind.{x.kind}')}: {x.text}"
                             + (f" ({x.persona})" if x.persona and x.kind != "persona" else "") for x in r.trail]
                    st.caption(t("followup.trail") + " " + md(" · ".join(parts)))
                for a in r.answers:
                    with st.container(border=True, key=f"pf_answer_{a.id}"):
                        st.caption(t("followup.answered_on", date=fmt_date(a.answered_on, lang, "long")))
                        if a.text:
                            st.text(a.text)
                        if a.link:
                            st.link_button(t("followup.open_link"), a.link, icon=":material/open_in_new:")
                        if a.attachment_name:
                            st.download_button(
                                t("followup.download_doc", name=a.attachment_name),
                                data=lambda aid=a.id: (public.public_attachment(token, aid) or tr.Attachment(
                                    "", "", b"")).data,
                                file_name=a.attachment_name, mime=a.attachment_type, key=f"pf_doc_{a.id}",
                                on_click="ignore", icon=":material/attach_file:")
                if r.actions:
                    st.markdown(f"*{t('followup.actions_header')}*")
                    for x in r.actions:
                        bits = [t(f"followup.action_status.{x.status}")
                                + (f" ({fmt_date(x.status_on, lang, 'medium')})" if x.status_on else "")]
                        if x.carrier or x.carrier_withheld:
                            carrier = WITHHELD if x.carrier_withheld else x.carrier
                            bits.append(t("followup.carrier", carrier=md(carrier)))
                        if x.due:
                            bits.append(t("followup.due", date=fmt_date(x.due, lang, "medium")))
                        if x.late:
                            bits.append(t("followup.late"))
                        st.text(f"• {WITHHELD if x.action_withheld else x.action}")
                        st.caption(" · ".join(bits) + (f" — {md(x.note)}" if x.note else ""))
