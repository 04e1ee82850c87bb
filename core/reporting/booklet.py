"""The document an event produces for decision makers, as Word (DOCX) and PDF.

``build_booklet`` builds one document model (headings, paragraphs, bullet lists, tables) from
the dashboard figures of ``core.reporting.dashboard`` (so the booklet and the dashboard never disagree);
``render_docx`` and ``render_pdf`` only lay that model out.

- An event with recommendations gets the *cahier de recommandations*: title page, then per theme
  its why, a diagnostic summary (main barriers and needs, findings, gaps), the recommendations
  ranked by votes with their addressee and trail, the implementation plan table; annexes:
  personas and the resources glossary.
- An event without recommendations gets a report in the style of the Partner's Day one: the
  personas, the diagnostic, successes and challenges by category, closing findings and wishes,
  and the same annexes.

A chapter (heading level 1) always starts a new page, in both formats.

**Editions** (``EDITIONS``): the *first* edition is the booklet of the workshops. The *follow-up*
edition (``edition="follow_up"``), regenerated at any time after the event, is the same booklet dated
by the day it is made: its cover says so, a chapter after the cover sums the follow-up up (how many
recommendations were answered, adopted, implemented; the actions' progress), and under each
recommendation come its addressee institution, its status with its date, the decision makers'
answers (date, text, link, document) and where each action stands (``core.followup.tracking``). It
never carries the organisers' internal status note nor the history (they name staff members).

**The public booklet** (``public=True``, the public follow-up page's downloads, see
``public_booklet``) carries only what that page shows: every text participants typed (board items,
findings, trail lines, persona canvases, recommendations, plans) in which the personal-data guard
(``core.personas.sensitive``) finds what looks like real personal data is replaced by the page's
withheld notice, and the recommendations of workshops not closed yet (with their plans) are left out.

**Trail dates**: when a theme runs over several dates, each line of a recommendation's trail says
the date of the session that wrote its finding, need or persona (a later date cites an earlier one's).

PDF fonts: fpdf2 needs a Unicode TrueType font for text beyond Latin-1 (’ « » œ · …). We use
DejaVu Sans from the system, looked up in this order: ``ATELIER_PDF_FONT_DIR``, then the Debian/
Ubuntu, Fedora and Arch paths (Debian's ``fonts-dejavu-core``, installed by ``make test`` when it
may, by CI and by the Docker image). No Python package is pulled in for a font.
"""
from __future__ import annotations

import datetime as dt
import io
import math
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy import select

from core.errors import AtelierError, NotFound, PermissionDenied, ValidationError
from core.followup import public as pub
from core.followup import tracking as tr
from core.i18n import LANGUAGES, fmt_date, translate
from core.personas.canvas import Canvas, ResourceRef, load_canvases
from core.personas.sensitive import find_personal_data
from core.reporting import dashboard as d
from core.resources.inventory import partner_label
from core.settings import local_now, timezone
from core.setup.events import EventView, list_events
from core.territory import level_label
from storage import db
from storage import models as m

FORMATS = ("docx", "pdf")
EDITIONS = ("first", "follow_up")  # the workshops' booklet; regenerated with the follow-up, dated
ADOPTED = ("adopted", "partly_adopted", "implemented")   # counted as adopted in the follow-up summary
MIME = {"docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "pdf": "application/pdf"}
TOP_ITEMS = 5                      # main barriers / needs listed per theme
FONT_FILES = {"": "DejaVuSans.ttf", "B": "DejaVuSans-Bold.ttf", "I": "DejaVuSans-Oblique.ttf",
              "BI": "DejaVuSans-BoldOblique.ttf"}
FONT_DIRS = ("/usr/share/fonts/truetype/dejavu", "/usr/share/fonts/dejavu-sans-fonts", "/usr/share/fonts/dejavu",
             "/usr/share/fonts/TTF", "/usr/local/share/fonts/dejavu", "/usr/local/share/fonts")
WITHHELD = "followup.public.withheld"   # the public page's notice for a text withheld (personal data)
ACCENT = (0, 114, 178)             # Okabe-Ito blue, as on the dashboard
# Emoji and symbols DejaVu lacks: Symbola (Debian's fonts-symbola: monochrome outlines, which fpdf2
# embeds; the colour emoji fonts are bitmap tables fpdf2 cannot use). Names per distribution.
FALLBACK_FONTS = (("Symbola_hint.ttf", "Symbola.ttf", "Symbola.otf"),)
FALLBACK_FONT_DIRS = ("/usr/share/fonts/truetype/ancient-scripts", "/usr/share/fonts/gdouros-symbola",
                      "/usr/share/fonts/TTF", "/usr/share/fonts/truetype/symbola", "/usr/local/share/fonts")
MIN_PAGE_WORDS = 12                # fewer words on a page that is not a chapter's first: break earlier
# Text that needs HarfBuzz: combining marks, right-to-left and other complex scripts (Hebrew,
# Arabic, Syriac, Thaana, N'Ko, Indic, Thai, Lao, Tibetan, Myanmar, Khmer, Mongolian), joiners and
# the presentation forms. Shaping is switched on for such text only: it makes fpdf2 about three
# times slower, and Latin, Greek or Cyrillic text and emoji come out the same without it.
NEEDS_SHAPING = re.compile("[\u0300-\u036f\u0590-\u08ff\u0900-\u0dff\u0e00-\u0fff\u1000-\u109f"
                           "\u1780-\u18af\u200c\u200d\u200e\u200f\ufb1d-\ufdff\ufe20-\ufe2f\ufe70-\ufeff]")


# --- the document model ----------------------------------------------------------------------

@dataclass(frozen=True)
class Heading:
    text: str
    level: int  # 0 = document title, 1 = chapter (new page), 2 = section, 3 = sub-section


@dataclass(frozen=True)
class Paragraph:
    text: str
    style: str = "body"  # body | lead (larger) | note (small, grey) | label (bold)


@dataclass(frozen=True)
class Bullets:
    items: tuple[str, ...]


@dataclass(frozen=True)
class Table:
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    widths: tuple[float, ...] = ()  # relative column widths


Block = Heading | Paragraph | Bullets | Table


@dataclass
class Booklet:
    kind: str                      # "recommendations" | "report"
    lang: str
    title: str
    subtitle: str
    blocks: list[Block] = field(default_factory=list)
    edition: str = "first"         # one of EDITIONS

    def text(self) -> str:
        """All the text of the document, in order (for search and tests)."""
        out: list[str] = []
        for b in self.blocks:
            if isinstance(b, (Heading, Paragraph)):
                out.append(b.text)
            elif isinstance(b, Bullets):
                out.extend(b.items)
            else:
                out.append(" | ".join(b.header))
                out.extend(" | ".join(r) for r in b.rows)
        return "\n".join(out)

    def chapters(self) -> list[str]:
        return [b.text for b in self.blocks if isinstance(b, Heading) and b.level == 1]


class _Writer:
    def __init__(self, lang: str, public: bool = False) -> None:
        self.lang = lang
        self.public = public           # the public booklet: personal data withheld (see the module notes)
        self.blocks: list[Block] = []

    def t(self, key: str, **params: Any) -> str:
        return translate(self.lang, key, **params)

    def withheld(self, *typed: Any) -> bool:
        """In the public booklet: whether one of these participant-typed texts looks like personal data."""
        return self.public and any(isinstance(x, str) and x and find_personal_data(x) for x in typed)

    def safe(self, line: str, *typed: Any) -> str:
        """``line``, or in the public booklet the withheld notice when ``line`` or one of the
        participant-typed texts it is made of (``typed``) looks like personal data."""
        return self.t(WITHHELD) if self.withheld(line, *typed) else line

    def h(self, text: str, level: int) -> None:
        self.blocks.append(Heading(text, level))

    def p(self, text: str, style: str = "body") -> None:
        if text and text.strip():
            self.blocks.append(Paragraph(text.strip(), style))

    def bullets(self, items: list[str]) -> None:
        items = [i for i in items if i and i.strip()]
        if items:
            self.blocks.append(Bullets(tuple(items)))

    def table(self, header: list[str], rows: list[list[str]], widths: tuple[float, ...] = ()) -> None:
        if rows:
            self.blocks.append(Table(tuple(header), tuple(tuple(str(c) for c in r) for r in rows), widths))


# --- building the document -------------------------------------------------------------------

def _label(w: _Writer, group: str, code: str | None) -> str:
    if not code:
        return w.t("dashboard.category.none") if group == "category" else ""
    return w.t(f"dashboard.{group}.{code}")


def _dates(w: _Writer, ev: EventView) -> str:
    if ev.starts_on and ev.ends_on and ev.starts_on != ev.ends_on:
        return w.t("dashboard.booklet.dates_range", start=fmt_date(ev.starts_on, w.lang, "long"),
                   end=fmt_date(ev.ends_on, w.lang, "long"))
    if ev.starts_on:
        return w.t("dashboard.booklet.dates_single", date=fmt_date(ev.starts_on, w.lang, "long"))
    return ""


def _find_event(slug: str, visible_event_ids: frozenset[int] | None) -> EventView:
    for ev in list_events(include_archived=True):
        if ev.slug == slug:
            if visible_event_ids is not None and ev.id not in visible_event_ids:
                raise PermissionDenied()
            return ev
    raise NotFound("error.unknown_event", field="event", slug=slug)


def _canvases(f: d.DashboardFilter) -> list[Canvas]:
    with db.read_session() as s:
        personas = s.execute(select(m.Persona).where(m.Persona.id.in_(d._personas(f))).order_by(m.Persona.id)
                             ).scalars().all()
        return load_canvases(s, list(personas))


def _title_page(w: _Writer, ev: EventView, f: d.DashboardFilter, kind: str, edition: str = "first",
                on: dt.date | None = None) -> None:
    totals = d.totals(f)
    people = d.participation_totals(f)
    w.h(ev.title, 0)
    w.p(w.t(f"dashboard.booklet.kind_{kind}"), "lead")
    if edition == "follow_up":
        w.p(w.t("dashboard.booklet.edition_follow_up", date=fmt_date(on, w.lang, "long")), "lead")
    w.p(_dates(w, ev), "label")
    if edition == "follow_up":
        first = _first_edition_date(ev)
        if first is not None:
            w.p(w.t("dashboard.booklet.edition_first", date=fmt_date(first, w.lang, "long")), "note")
    if ev.place:
        w.p(w.t("dashboard.booklet.place", place=ev.place))
    if ev.organisers:
        w.p(w.t("dashboard.booklet.organisers", organisers=ev.organisers))
    facts = [w.t("dashboard.booklet.fact_workshops", count=totals["sessions"])]
    # registered, present (attendance) and joined by code, each labelled; a zero is left out (a room
    # where everyone joined by code without registering is not a room of 0 participants)
    for key, count in (("registered", people.participants), ("present", people.present), ("joined", people.joined),
                       ("organisations", people.organisations)):
        if count:
            facts.append(w.t(f"dashboard.booklet.fact_{key}", count=count))
    facts.append(w.t("dashboard.booklet.fact_personas", count=totals["personas"]))
    if kind == "recommendations":
        facts.append(w.t("dashboard.booklet.fact_recommendations", count=totals["recommendations"]))
    w.bullets(facts)
    if ev.description:
        w.p(ev.description)
    w.p(w.t("dashboard.booklet.generated", date=fmt_date(local_now().date(), w.lang, "long")), "note")


def _recurrent_lines(w: _Writer, df: pd.DataFrame) -> list[str]:
    """The main items: those shared by several personas; failing that, the first ones."""
    shared = df[df["personas"] > 1]
    df = shared if len(shared) else df
    return [w.safe(w.t("dashboard.booklet.recurrent_line", wording=r.wording, personas=r.personas), r.wording)
            for r in df.itertuples()]


def _gap_lines(w: _Writer, gaps: pd.DataFrame) -> list[str]:
    out = []
    for r in gaps.itertuples():
        key = "dashboard.booklet.gap_line_leads" if r.leads else "dashboard.booklet.gap_line"
        out.append(w.safe(w.t(key, need=r.need, persona=r.persona, leads=r.leads), r.need, r.persona))
    return out


def _diagnostic(w: _Writer, f: d.DashboardFilter, heading_level: int) -> None:
    barriers = _recurrent_lines(w, d.recurrent_items(f, "barrier", limit=TOP_ITEMS))
    needs = _recurrent_lines(w, d.recurrent_items(f, "need", limit=TOP_ITEMS))
    findings = d.contributions(f, kinds=("finding",))
    gaps = d.needs_without_resource(f)
    if not (barriers or needs or len(findings) or len(gaps)):
        w.p(w.t("dashboard.booklet.no_diagnostic"), "note")
        return
    if barriers:
        w.h(w.t("dashboard.booklet.main_barriers"), heading_level)
        by_cat = d.barriers_by_category(f)
        w.bullets(barriers)
        if len(by_cat):
            pivot = by_cat.pivot_table(index="category", columns="nature", values="barriers", aggfunc="sum",
                                       fill_value=0)
            rows = []
            for cat, r in pivot.assign(_t=pivot.sum(axis=1)).sort_values("_t", ascending=False).iterrows():
                rows.append([_label(w, "category", cat), str(int(r.get("objective", 0))),
                             str(int(r.get("subjective", 0)))])
            w.table([w.t("dashboard.col.category"), w.t("dashboard.nature.objective"),
                     w.t("dashboard.nature.subjective")], rows, (3, 1, 1))
    if needs:
        w.h(w.t("dashboard.booklet.main_needs"), heading_level)
        w.bullets(needs)
    if len(findings):
        w.h(w.t("dashboard.booklet.findings"), heading_level)
        w.bullets([w.safe(x) for x in findings["text"]])
    if len(gaps):
        w.h(w.t("dashboard.booklet.gaps"), heading_level)
        w.p(w.t("dashboard.booklet.gaps_intro"), "note")
        w.bullets(_gap_lines(w, gaps))


def _trail_lines(w: _Writer, trail: pd.DataFrame, dates: dict[int, Any] | None = None) -> list[str]:
    """The trail, one line per source; with ``dates`` (a theme over several dates), each line ends
    with the date of the session that wrote its source."""
    out = []
    for r in trail.itertuples():
        kind = w.t(f"dashboard.kind.{r.source}")
        if w.withheld(r.text, r.persona):   # as on the public page: the whole line, date included
            out.append(w.t(WITHHELD))
            continue
        if r.source == "persona":
            line = w.t("dashboard.booklet.trail_persona", kind=kind, persona=r.persona)
        elif r.persona:
            line = w.t("dashboard.booklet.trail_item_persona", kind=kind, text=r.text, persona=r.persona)
        else:
            line = w.t("dashboard.booklet.trail_item", kind=kind, text=r.text)
        when = dates.get(int(r.session_id)) if dates and not pd.isna(r.session_id) else None
        if when is not None and not pd.isna(when):
            line = w.t("dashboard.booklet.trail_dated", line=line, date=fmt_date(when, w.lang, "long"))
        out.append(line)
    return out


def _level(w: _Writer, ev: EventView, code: str | None) -> str:
    """The label of a level of power as the event names it (its territory's preset or its own list)."""
    return level_label(ev, code, w.lang) or _label(w, "level", code)


def _session_dates(f: d.DashboardFilter) -> dict[int, Any]:
    """Session id -> its start, for the sessions in scope."""
    labels = d.session_labels(f)
    return dict(zip(labels["session_id"], labels["starts_at"]))


def _recommendations(w: _Writer, ev: EventView, recs: pd.DataFrame, trails: pd.DataFrame,
                     dates: dict[int, Any], several_dates: bool = False,
                     follow: dict[int, tr.FollowUpView] | None = None, on: dt.date | None = None) -> None:
    w.h(w.t("dashboard.booklet.recommendations"), 2)
    if not len(recs):
        w.p(w.t("dashboard.booklet.no_recommendations"), "note")
        return
    by_rec = {rid: g for rid, g in trails.groupby("recommendation_id")} if len(trails) else {}
    for r in recs.itertuples():
        w.h(w.t("dashboard.booklet.recommendation_title", rank=r.rank, title=w.safe(r.title)), 3)
        if r.text:
            w.p(w.safe(r.text))
        # the addressee is the level of power; the people concerned are not the addressee
        w.p(w.t("dashboard.booklet.addressed_to", level=_level(w, ev, r.level)), "label")
        if r.public:
            w.p(w.t("dashboard.booklet.public", public=w.safe(r.public)), "label")
        status = w.t("dashboard.booklet.votes", count=r.votes)
        if r.retained:
            status += " · " + w.t("dashboard.booklet.retained")
        when = dates.get(r.session_id)
        if when is not None and not pd.isna(when):   # a theme runs over several dated sessions
            status += " · " + w.t("dashboard.booklet.session_date", date=fmt_date(when, w.lang, "long"))
        w.p(status, "note")
        trail = by_rec.get(r.recommendation_id)
        if trail is not None and len(trail):
            w.p(w.t("dashboard.booklet.trail"), "note")
            w.bullets(_trail_lines(w, trail, dates if several_dates else None))
        if follow is not None:
            _follow_up(w, follow.get(r.recommendation_id), on)


# --- the follow-up edition ---------------------------------------------------------------------

def _first_edition_date(ev: EventView) -> Any:
    """The first edition: the day the booklet was published (``booklet_published_at``, in the events'
    time zone) when it was; else the workshops': the event's last day, else its last dated session."""
    with db.read_session() as s:
        published = s.execute(select(m.Event.booklet_published_at).where(m.Event.id == ev.id)).scalar_one_or_none()
    if published is not None:   # stored in UTC (``storage.models.utcnow``)
        return published.replace(tzinfo=dt.UTC).astimezone(timezone()).date()
    if ev.ends_on or ev.starts_on:
        return ev.ends_on or ev.starts_on
    days = [s.starts_at for th in ev.themes for s in th.sessions if s.starts_at]
    return max(days) if days else None


def _follow_up_summary(w: _Writer, rows: list[tr.FollowUpView], pending: int, on: dt.date | None) -> None:
    """Near the start of the follow-up edition: where the recommendations stand, in a few lines."""
    w.h(w.t("dashboard.booklet.follow_up_chapter"), 1)
    count = len(rows)
    w.p(w.t("dashboard.booklet.follow_up_intro", date=fmt_date(on, w.lang, "long"), count=count))
    if not count:   # no workshop closed yet: nothing to count ("0 sur 0"), only what waits
        if pending:
            w.bullets([w.t("dashboard.booklet.follow_up_pending", count=pending)])
        return
    by_status = {s: sum(r.status == s for r in rows) for s in tr.STATUSES}
    lines = [w.t("dashboard.booklet.follow_up_answered", answered=sum(r.answered for r in rows), count=count),
             w.t("dashboard.booklet.follow_up_adopted", adopted=sum(by_status[s] for s in ADOPTED), count=count),
             w.t("dashboard.booklet.follow_up_implemented", implemented=by_status["implemented"], count=count)]
    if by_status["rejected"]:
        lines.append(w.t("dashboard.booklet.follow_up_rejected", rejected=by_status["rejected"]))
    waiting = sum(by_status[s] for s in tr.UNANSWERED)
    if waiting:
        lines.append(w.t("dashboard.booklet.follow_up_waiting", waiting=waiting))
    actions = [a for r in rows for a in r.actions]
    if actions:
        lines.append(w.t("dashboard.booklet.follow_up_actions", count=len(actions),
                         done=sum(a.status == "done" for a in actions),
                         under_way=sum(a.status == "under_way" for a in actions),
                         late=sum(a.late for a in actions)))
    if pending:
        lines.append(w.t("dashboard.booklet.follow_up_pending", count=pending))
    w.bullets(lines)
    w.table([w.t("followup.field.status"), w.t("dashboard.col.recommendations")],
            [[w.t(f"followup.status.{s}"), str(n)] for s, n in by_status.items() if n], (3, 1))


def _action_line(w: _Writer, a: tr.ActionView) -> str:
    status = w.t(f"followup.action_status.{a.status}")
    if a.status_on:
        line = w.t("dashboard.booklet.action_progress_on", action=w.safe(a.action), status=status,
                   date=fmt_date(a.status_on, w.lang, "long"))
    else:
        line = w.t("dashboard.booklet.action_progress", action=w.safe(a.action), status=status)
    if a.late and a.due:
        line = w.t("dashboard.booklet.action_late", line=line, due=fmt_date(a.due, w.lang, "long"))
    if a.note:
        line = w.t("dashboard.booklet.action_note", line=line, note=a.note)
    return line


def _follow_up(w: _Writer, fu: tr.FollowUpView | None, on: dt.date | None) -> None:
    """Under a recommendation of the follow-up edition: addressee, status, answers, actions."""
    w.p(w.t("dashboard.booklet.follow_up_heading", date=fmt_date(on, w.lang, "long")), "label")
    if fu is None:   # its session is not closed: its follow-up has not started
        w.p(w.t("dashboard.booklet.follow_up_not_started"), "note")
        return
    if fu.addressee:
        w.p(w.t("dashboard.booklet.addressee", addressee=fu.addressee))
    status = w.t(f"followup.status.{fu.status}")
    if fu.status_on:
        w.p(w.t("dashboard.booklet.status_on", status=status, date=fmt_date(fu.status_on, w.lang, "long")))
    else:
        w.p(w.t("dashboard.booklet.status", status=status))
    if not fu.answers:
        w.p(w.t("dashboard.booklet.no_answer"), "note")
    for a in fu.answers:
        w.p(w.t("dashboard.booklet.answer_on", date=fmt_date(a.answered_on, w.lang, "long")), "label")
        w.p(a.text)
        if a.link:
            w.p(w.t("dashboard.booklet.answer_link", link=a.link), "note")
        if a.attachment_name:
            w.p(w.t("dashboard.booklet.answer_document", name=a.attachment_name), "note")
    if fu.actions:
        w.p(w.t("dashboard.booklet.actions_progress"), "note")
        w.bullets([_action_line(w, a) for a in fu.actions])


def _fmt_due(w: _Writer, value: Any) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NaT:
        return ""
    return fmt_date(value, w.lang, "medium")


def _plans(w: _Writer, actions: pd.DataFrame) -> None:
    w.h(w.t("dashboard.booklet.implementation"), 2)
    if not len(actions):
        w.p(w.t("dashboard.booklet.no_plans"), "note")
        return
    rows = []
    for r in actions.itertuples():
        if r.action_id is None or pd.isna(r.action_id):
            rows.append([w.safe(r.recommendation), w.t("dashboard.booklet.no_action"), "", "", "", "", ""])
            continue
        rows.append([w.safe(r.recommendation), w.safe(r.action), w.safe(r.carrier or ""), _fmt_due(w, r.due),
                     w.safe(r.means or ""), w.safe(r.indicator or ""), w.safe(r.risks or "")])
    w.table([w.t("dashboard.col.recommendation"), w.t("dashboard.col.action"), w.t("dashboard.col.carrier"),
             w.t("dashboard.col.due"), w.t("dashboard.col.means"), w.t("dashboard.col.indicator"),
             w.t("dashboard.col.risks")], rows, (2.6, 3, 2.3, 1.7, 2, 2, 1.8))
    questions = ("who_wants_what", "people_concerned_view", "try_here_now", "tried_learned")
    plans = actions.drop_duplicates("plan_id")
    for r in plans.itertuples():
        answers = [(q, getattr(r, q)) for q in questions if getattr(r, q)]
        if answers:
            w.p(w.t("dashboard.booklet.plan_questions", recommendation=w.safe(r.recommendation)), "label")
            w.bullets([w.t("dashboard.booklet.qa", question=w.t(f"dashboard.col.{q}"), answer=w.safe(a))
                       for q, a in answers])


def _persona_line(w: _Writer, c: Canvas) -> str:
    p = c.persona
    if p.facts:
        return w.safe(f"{p.name} — {p.facts[0]}", p.name, p.facts[0])
    ident = [w.t("dashboard.booklet.age", age=p.age) if p.age is not None else "", p.origin]
    return w.safe(", ".join([p.name, *(x for x in ident if x)]), p.name, p.origin)


def _resource_label(r: ResourceRef) -> str:
    return r.label


def _persona_annex(w: _Writer, canvases: list[Canvas]) -> None:
    w.h(w.t("dashboard.booklet.annex_personas"), 1)
    if not canvases:
        w.p(w.t("dashboard.booklet.no_personas"), "note")
        return
    for c in canvases:
        p = c.persona
        w.h(w.safe(p.name), 2)
        ident = [x for x in (w.t("dashboard.booklet.age", age=p.age) if p.age is not None else "",
                             w.safe(p.origin) if p.origin else "") if x]
        if ident:
            w.p(" · ".join(ident), "label")
        w.bullets([w.safe(x) for x in p.facts])
        if c.barriers:
            w.h(w.t("dashboard.booklet.barriers"), 3)
            w.bullets([w.safe(w.t("dashboard.booklet.barrier_line", text=b.text,
                                  nature=_label(w, "nature", b.nature or "objective")), b.text)
                       for b in c.barriers])
        if c.motivations:
            w.h(w.t("dashboard.booklet.motivations"), 3)
            w.bullets([w.safe(i.text) for i in c.motivations])
        if c.skills:
            w.h(w.t("dashboard.booklet.skills"), 3)
            w.bullets([w.safe(i.text) for i in c.skills])
        if c.needs:
            w.h(w.t("dashboard.booklet.needs"), 3)
            lines = []
            for need in c.needs:
                if not need.leads:
                    lines.append(w.safe(w.t("dashboard.booklet.need_no_lead", need=need.text), need.text))
                for lead in need.leads:
                    partners = lead.partners_to_name   # a lead that names its partner does not repeat it
                    if w.withheld(need.text, lead.text):
                        lines.append(w.t(WITHHELD))
                    elif partners:
                        lines.append(w.t("dashboard.booklet.need_lead_resources", need=need.text, lead=lead.text,
                                         resources=", ".join(_resource_label(r) for r in partners)))
                    else:
                        lines.append(w.t("dashboard.booklet.need_lead", need=need.text, lead=lead.text))
            w.bullets(lines)
        if p.note:
            w.p(w.safe(p.note), "note")


def _glossary(w: _Writer, f: d.DashboardFilter) -> None:
    w.h(w.t("dashboard.booklet.annex_glossary"), 1)
    used = d.resources_most_linked(f, limit=None)
    if not len(used):
        w.p(w.t("dashboard.booklet.no_resources"), "note")
        return
    with db.read_session() as s:
        rows = s.execute(select(m.Resource.id, m.Resource.acronym, m.Resource.name, m.Resource.category,
                                m.Resource.description, m.Resource.url)
                         .where(m.Resource.id.in_([int(i) for i in used["resource_id"]]))).all()
    rows = sorted(rows, key=lambda r: ((r.acronym or r.name).casefold(), r.name.casefold()))
    w.p(w.t("dashboard.booklet.glossary_intro"), "note")
    w.table([w.t("dashboard.col.resource"), w.t("dashboard.col.category"), w.t("dashboard.col.description")],
            [[partner_label(r.acronym, r.name),
              _label(w, "category", r.category), " ".join(x for x in (r.description, r.url) if x)] for r in rows],
            (3, 1.6, 5))


def _board_chapter(w: _Writer, f: d.DashboardFilter, kinds: tuple[str, ...], title_key: str) -> None:
    df = d.contributions(f, kinds=kinds)
    if not len(df):
        return
    w.h(w.t(title_key), 1)
    for kind in kinds:
        part = df[df["kind"] == kind]
        if not len(part):
            continue
        if len(kinds) > 1:
            w.h(w.t(f"dashboard.kind_plural.{kind}"), 2)
        for category in dict.fromkeys(part["category"]):
            items = part[part["category"] == category]
            w.h(w.safe(category) if category else w.t("dashboard.category.none"), 3 if len(kinds) > 1 else 2)
            w.bullets([w.safe(x) for x in items["text"]])


def _edition(edition: str, on: dt.date | None) -> dt.date:
    if edition not in EDITIONS:
        raise ValidationError("error.invalid_choice", field="edition")
    return on or local_now().date()


def _closed_only(df: pd.DataFrame, closed: set[int] | None, rerank: bool = False) -> pd.DataFrame:
    """The public booklet: only the rows of recommendations whose workshop is closed (``closed``;
    None keeps all), ranked again among them (as on the public page)."""
    if closed is None:
        return df
    out = df[df["recommendation_id"].isin(closed)].copy()
    if rerank:
        out["rank"] = range(1, len(out) + 1)
    return out


def build_booklet(event_slug: str, lang: str = "fr", visible_event_ids: frozenset[int] | None = None,
                  edition: str = "first", on: dt.date | None = None, public: bool = False) -> Booklet:
    """The booklet of one event in ``lang`` (fr, en, nl): a recommendations booklet when the event
    has recommendations, otherwise a Partner's Day style report. ``edition="follow_up"``: the
    follow-up edition dated ``on`` (default today), see the module notes. ``public``: the public
    booklet, only what the public follow-up page shows (personal data withheld, the recommendations
    of workshops not closed left out), see the module notes."""
    if lang not in LANGUAGES:
        raise ValidationError("error.invalid_choice", field="lang")
    if not isinstance(public, bool):
        raise ValidationError("error.invalid", field="public")
    on = _edition(edition, on)
    ev = _find_event(event_slug, visible_event_ids)
    f = d.DashboardFilter(event_ids=(ev.id,))
    w = _Writer(lang, public)
    recs = d.recommendations_ranked(f)
    kind = "recommendations" if len(recs) else "report"
    _title_page(w, ev, f, kind, edition, on)
    canvases = _canvases(f)
    follow: dict[int, tr.FollowUpView] | None = None
    closed: set[int] | None = None       # public: the recommendations of closed workshops only
    if edition == "follow_up" or public:
        rows = tr.follow_up_rows([ev.id], today=on)
        if public:
            closed = {r.recommendation_id for r in rows}
        if edition == "follow_up":
            follow = {r.recommendation_id: r for r in rows}
            if kind == "recommendations":
                _follow_up_summary(w, rows, sum(rid not in follow for rid in recs["recommendation_id"]), on)
    if kind == "recommendations":
        trails = d.recommendation_trails(f)
        dates = _session_dates(f)
        for theme in ev.themes:
            tf = d.DashboardFilter(event_ids=(ev.id,), theme_ids=(theme.id,))
            w.h(theme.title, 1)
            if theme.why:
                w.h(w.t("dashboard.booklet.why"), 2)
                w.p(theme.why)
            w.h(w.t("dashboard.booklet.diagnostic"), 2)
            _diagnostic(w, tf, 3)
            theme_recs = _closed_only(d.recommendations_ranked(tf), closed, rerank=True)
            several_dates = len({s.starts_at.date() for s in theme.sessions if s.starts_at}) > 1
            _recommendations(w, ev, theme_recs, trails, dates, several_dates, follow, on)
            theme_actions = _closed_only(d.plan_actions(tf), closed)
            _plans(w, theme_actions)
    else:
        w.h(w.t("dashboard.booklet.the_day"), 1)
        for theme in ev.themes:
            w.h(theme.title, 2)
            if theme.why:
                w.p(theme.why)
        if canvases:
            w.h(w.t("dashboard.booklet.personas_chapter"), 1)
            w.p(w.t("dashboard.booklet.personas_intro", count=len(canvases)))
            w.bullets([_persona_line(w, c) for c in canvases])
            w.h(w.t("dashboard.booklet.diagnostic"), 2)
            _diagnostic(w, f, 3)
        _board_chapter(w, f, ("success",), "dashboard.booklet.successes")
        _board_chapter(w, f, ("challenge",), "dashboard.booklet.challenges")
        _board_chapter(w, f, ("solution_idea",), "dashboard.booklet.ideas")
        _board_chapter(w, f, ("finding", "wish"), "dashboard.booklet.closing")
    _persona_annex(w, canvases)
    _glossary(w, f)
    subtitle = w.t(f"dashboard.booklet.kind_{kind}")
    if edition == "follow_up":
        subtitle = w.t("dashboard.booklet.subtitle_follow_up", kind=subtitle, date=fmt_date(on, lang, "long"))
    return Booklet(kind, lang, ev.title, subtitle, w.blocks, edition)


# --- DOCX ------------------------------------------------------------------------------------

def render_docx(b: Booklet) -> bytes:
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Mm, Pt, RGBColor
    from docx.text.paragraph import Paragraph as DocxParagraph

    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    for side in ("left_margin", "right_margin"):
        setattr(section, side, Mm(20))
    section.top_margin = section.bottom_margin = Mm(18)
    normal = doc.styles["Normal"]
    normal.font.size = Pt(10.5)
    rpr = normal.element.get_or_add_rPr()
    lang_el = OxmlElement("w:lang")
    lang_el.set(qn("w:val"), {"fr": "fr-BE", "en": "en-GB", "nl": "nl-BE"}[b.lang])
    rpr.append(lang_el)
    doc.core_properties.title = b.title
    doc.core_properties.subject = b.subtitle
    doc.core_properties.language = b.lang
    doc.core_properties.author = "Atelier"

    # footer: "title — page N / M"
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER

    def _field(paragraph: Any, code: str) -> None:
        run = paragraph.add_run()
        for tag, attr in (("w:fldChar", "begin"), ("w:instrText", code), ("w:fldChar", "end")):
            el = OxmlElement(tag)
            if tag == "w:fldChar":
                el.set(qn("w:fldCharType"), attr)
            else:
                el.set(qn("xml:space"), "preserve")
                el.text = attr
            run._r.append(el)
        run.font.size = Pt(8)

    lead = footer.add_run(f"{b.title} — ")
    lead.font.size = Pt(8)
    _field(footer, "PAGE")
    sep = footer.add_run(" / ")
    sep.font.size = Pt(8)
    _field(footer, "NUMPAGES")

    accent = RGBColor(*ACCENT)
    # python-docx looks a style up by name (scanning every style) and finds where to insert a
    # paragraph by scanning the body, for each paragraph: quadratic on a long booklet. Style ids are
    # resolved once and paragraphs go straight before the section properties.
    style_ids = {name: doc.styles[name].style_id for name in ("Title", "Heading 1", "Heading 2", "Heading 3",
                                                               "List Bullet")}
    section_properties = doc.element.body.sectPr

    def paragraph(text: str = "", style: str | None = None) -> DocxParagraph:
        element = OxmlElement("w:p")
        section_properties.addprevious(element)
        par = DocxParagraph(element, doc._body)
        if style:
            element.get_or_add_pPr().style = style_ids[style]
        if text:
            par.add_run(text)
        return par

    for block in b.blocks:
        if isinstance(block, Heading):
            par = paragraph(block.text, "Title" if block.level == 0 else f"Heading {min(block.level, 3)}")
            if block.level == 1:
                par.paragraph_format.page_break_before = True
            for run in par.runs:
                run.font.color.rgb = accent
        elif isinstance(block, Paragraph):
            par = paragraph()
            run = par.add_run(block.text)
            if block.style == "lead":
                run.font.size = Pt(16)
            elif block.style == "note":
                run.font.size = Pt(9)
                run.italic = True
                run.font.color.rgb = RGBColor(90, 90, 90)
            elif block.style == "label":
                run.bold = True
        elif isinstance(block, Bullets):
            for item in block.items:
                paragraph(item, "List Bullet")
        elif isinstance(block, Table):
            table = doc.add_table(rows=1, cols=len(block.header))
            table.style = "Table Grid"
            for cell, text in zip(table.rows[0].cells, block.header):
                cell.text = ""
                run = cell.paragraphs[0].add_run(text)
                run.bold = True
                run.font.size = Pt(9)
            for row in block.rows:
                for cell, text in zip(table.add_row().cells, row):
                    run = cell.paragraphs[0].add_run(text)
                    run.font.size = Pt(9)
            if block.widths:
                total = sum(block.widths)
                for row in table.rows:
                    for cell, wdt in zip(row.cells, block.widths):
                        cell.width = Mm(170 * wdt / total)
            paragraph()
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


# --- PDF -------------------------------------------------------------------------------------

def find_fonts() -> dict[str, str]:
    """Paths of the DejaVu Sans files by fpdf2 style ("", "B", "I", "BI"); see the module notes."""
    dirs = [os.environ.get("ATELIER_PDF_FONT_DIR", ""), *FONT_DIRS]
    for folder in dirs:
        if folder and (Path(folder) / FONT_FILES[""]).is_file():
            found = {style: str(Path(folder) / name) for style, name in FONT_FILES.items()
                     if (Path(folder) / name).is_file()}
            for style in FONT_FILES:  # a missing bold/italic face falls back to the regular one
                found.setdefault(style, found[""])
            return found
    raise AtelierError("error.booklet_no_font")


def find_fallback_fonts() -> list[str]:
    """Fonts for the characters DejaVu lacks (emoji such as 🏠, symbols): the first file found of
    each of ``FALLBACK_FONTS``, in ``ATELIER_PDF_FONT_DIR`` or the system's font folders. None found:
    the booklet is still written, and fpdf2 logs the characters it had to leave out."""
    folders = [os.environ.get("ATELIER_PDF_FONT_DIR", ""), *FALLBACK_FONT_DIRS]
    found = []
    for names in FALLBACK_FONTS:
        for folder in folders:
            hit = next((Path(folder) / n for n in names if folder and (Path(folder) / n).is_file()), None)
            if hit is not None:
                found.append(str(hit))
                break
    return found


def _shaping_available() -> bool:
    try:
        import uharfbuzz  # noqa: F401
    except ImportError:  # pragma: no cover - a dependency (pyproject.toml); without it, no shaping
        return False
    return True


def _column_widths(pdf: Any, header: tuple[str, ...], rel: tuple[float, ...], width: float, size: float,
                   padding: float) -> tuple[list[float], float]:
    """Column widths (mm) near ``rel`` where no header word has to break, and the header's font
    size (smaller than ``size`` only when the words cannot fit otherwise)."""
    head_size = size
    while True:
        pdf.set_font("DejaVu", "B", head_size)
        mins = [max((pdf.get_string_width(word) for word in h.split()), default=0) + 2 * padding + 1.5
                for h in header]
        if sum(mins) <= width or head_size <= 6:
            break
        head_size -= 0.5
    widths = [width * r / sum(rel) for r in rel]
    for _ in range(len(widths)):   # give the narrow columns their minimum, taken from the wide ones
        short = [i for i, (w_, mn) in enumerate(zip(widths, mins)) if w_ < mn - 1e-6]
        if not short:
            break
        need = sum(mins[i] - widths[i] for i in short)
        for i in short:
            widths[i] = mins[i]
        spare = {i: widths[i] - mins[i] for i in range(len(widths)) if i not in short and widths[i] > mins[i]}
        total = sum(spare.values())
        if total <= 0:
            break
        for i, s in spare.items():
            widths[i] -= need * min(1.0, s / total) if total >= need else s
    scale = width / sum(widths)
    return [w_ * scale for w_ in widths], head_size


def render_pdf(b: Booklet) -> bytes:
    """The booklet as PDF. Text is shaped by HarfBuzz (Arabic joined, right to left; ligatures),
    emoji and symbols come from the fallback fonts. No page holds only a stray line: a paragraph
    or bullet is kept on one page (a long one leaves at least two lines on each), a heading stays
    with what follows, and a page that would hold only the last few words of a chapter is avoided
    by breaking the page earlier (laid out again, see ``_layout_pdf``)."""
    breaks: set[int] = set()
    for _ in range(4):
        data, short_pages = _layout_pdf(b, breaks)
        fixes = {i for i in short_pages if i not in breaks}
        if not fixes:
            return data
        breaks |= fixes
    return data


def _is_section(block: Block) -> bool:
    return isinstance(block, Heading) and block.level >= 2


def _words(text: str) -> int:
    return len(text.split())


def _block_words(block: Block) -> int:
    if isinstance(block, (Heading, Paragraph)):
        return _words(block.text)
    if isinstance(block, Bullets):
        return sum(_words(i) for i in block.items)
    return sum(_words(c) for row in (block.header, *block.rows) for c in row)


def _layout_pdf(b: Booklet, breaks: set[int]) -> tuple[bytes, set[int]]:
    """Lay the booklet out with a page break before each block index in ``breaks``; returns the PDF
    and the blocks before which a page break would avoid a short page (see ``render_pdf``)."""
    from fpdf import FPDF
    from fpdf.enums import MethodReturnValue, XPos, YPos
    from fpdf.errors import FPDFException
    from fpdf.fonts import FontFace

    fonts = find_fonts()

    can_shape = _shaping_available()
    shaping = [False]

    def shape_for(*texts: str) -> None:
        """Text shaping on for text that needs it (``NEEDS_SHAPING``), off otherwise."""
        want = can_shape and any(NEEDS_SHAPING.search(t) for t in texts if t)
        if want != shaping[0]:
            pdf.set_text_shaping(want)
            shaping[0] = want

    class _PDF(FPDF):
        def footer(self) -> None:
            if self.page_no() == 1:
                return
            self.set_y(-12)
            self.set_font("DejaVu", "", 8)
            self.set_text_color(110, 110, 110)
            shape_for(b.title)
            self.cell(0, 6, f"{b.title} — {self.page_no()} / {{nb}}", align="C")
            self.set_text_color(0, 0, 0)

    pdf = _PDF(format="A4", unit="mm")
    pdf.set_margins(20, 18, 20)
    pdf.set_auto_page_break(True, margin=18)
    for style, path in fonts.items():
        pdf.add_font("DejaVu", style, path)
    fallbacks = []
    for i, path in enumerate(find_fallback_fonts()):
        pdf.add_font(f"Fallback{i}", "", path)
        fallbacks.append(f"Fallback{i}")
    if fallbacks:   # bold or italic text falls back to the regular face of these fonts
        pdf.set_fallback_fonts(fallbacks, exact_match=False)
    pdf.set_lang(b.lang)
    pdf.set_title(b.title)
    pdf.set_subject(b.subtitle)
    pdf.set_creator("Atelier")
    pdf.add_page()
    width = pdf.w - pdf.l_margin - pdf.r_margin
    usable = pdf.h - pdf.t_margin - pdf.b_margin
    bottom = pdf.h - pdf.b_margin
    padding = 1.0

    def fresh_page() -> bool:
        return pdf.get_y() <= pdf.t_margin + 0.1

    def lines_of(txt: str, w_: float, lh: float) -> list[str]:
        shape_for(txt)
        lines = pdf.multi_cell(w_, lh, txt, dry_run=True, output=MethodReturnValue.LINES)
        assert isinstance(lines, list)
        return lines

    def flow(txt: str, w_: float, lh: float, x: float | None = None) -> None:
        """``txt`` at the current font: on this page when it fits, else kept whole on the next page
        when it is short, else split with at least two lines on each page."""
        lines = lines_of(txt, w_, lh)
        room = bottom - pdf.get_y()
        if len(lines) * lh > room + 0.01 and not fresh_page():
            fit = int((room + 0.01) // lh)
            if len(lines) * lh <= usable * 0.45 or fit < 2:
                pdf.add_page()
            else:
                first = lines[:min(fit, len(lines) - 2)]
                shape_for(txt)
                if x is not None:
                    pdf.set_x(x)
                pdf.multi_cell(w_, lh, "\n".join(first), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
                pdf.add_page()
                txt = "\n".join(lines[len(first):])
        if x is not None:
            pdf.set_x(x)
        shape_for(txt)
        pdf.multi_cell(w_, lh, txt, new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def text(txt: str, size: float, style: str = "", lh: float | None = None, color: tuple[int, int, int] = (0, 0, 0),
             space: float = 1.5) -> None:
        pdf.set_font("DejaVu", style, size)
        pdf.set_text_color(*color)
        flow(txt, width, lh or size * 0.5)
        pdf.set_text_color(0, 0, 0)
        pdf.ln(space)

    def row_height(cells: tuple[str, ...], widths: list[float], size: float) -> float:
        """A generous estimate (word wrapping wastes up to ~20 % of a line), cheaper than laying out."""
        pdf.set_font("DejaVu", "", size)
        lines = [sum(max(1, math.ceil(1.2 * pdf.get_string_width(part) / max(wd - 2, 1)))
                     for part in (c or " ").split("\n")) for c, wd in zip(cells, widths)]
        return max(lines) * size * 0.45 + 2

    # what a block needs at the foot of a page to start there (a heading: itself and what follows)
    STYLES: dict[str, tuple[float, str, float]] = {"lead": (15, "", 7.5), "note": (9, "I", 4.5),
                                                   "label": (10.5, "B", 5.2), "body": (10.5, "", 5.2)}
    HEADINGS: dict[int, tuple[float, float]] = {1: (17, 8), 2: (13, 6.5), 3: (11, 5.5)}

    def need(i: int) -> float:
        if i >= len(b.blocks):
            return 0.0
        block = b.blocks[i]
        if isinstance(block, Heading):
            if block.level <= 1:
                return 0.0
            size, lh = HEADINGS[min(block.level, 3)]
            pdf.set_font("DejaVu", "B", size)
            return len(lines_of(block.text, width, lh)) * lh + 3 + need(i + 1)
        if isinstance(block, Paragraph):
            size, style, lh = STYLES.get(block.style, STYLES["body"])
            pdf.set_font("DejaVu", style, size)
            h = len(lines_of(block.text, width, lh)) * lh
            return h if h <= usable * 0.45 else 2 * lh
        if isinstance(block, Bullets):
            pdf.set_font("DejaVu", "", 10.5)
            h = len(lines_of(block.items[0], width - 8, 5.2)) * 5.2
            return h if h <= usable * 0.45 else 2 * 5.2
        rel = block.widths or tuple(1.0 for _ in block.header)
        size = 8 if len(block.header) > 4 else 9
        widths = [width * wd / sum(rel) for wd in rel]
        return row_height(block.header, widths, size) + (row_height(block.rows[0], widths, size) if block.rows else 0)

    def table(block: Table) -> None:
        size = 8 if len(block.header) > 4 else 9
        rel = block.widths or tuple(1.0 for _ in block.header)
        widths, head_size = _column_widths(pdf, block.header, rel, width, size, padding)
        head_h = row_height(block.header, widths, head_size)
        runs: list[tuple[str, list[tuple[str, ...]]]] = []
        for row in block.rows:  # a row taller than a page is laid out as a card, never cut
            kind = "table" if row_height(row, widths, size) + head_h < usable * 0.8 else "card"
            if runs and runs[-1][0] == kind == "table":
                runs[-1][1].append(row)
            else:
                runs.append((kind, [row]))
        for kind, rows in runs:
            if kind == "card":
                for row in rows:
                    text(row[0], 9.5, "B", space=0.5)
                    for head, cell in zip(block.header[1:], row[1:]):
                        if cell:
                            text(translate(b.lang, "dashboard.booklet.qa", question=head, answer=cell), 9, space=0.5)
                    pdf.ln(2)
                continue
            if pdf.get_y() + head_h + row_height(rows[0], widths, size) > bottom and not fresh_page():
                pdf.add_page()   # never a header alone at the foot of a page
            pdf.set_font("DejaVu", "", size)
            shape_for(*block.header, *(c for row in rows for c in row))
            try:
                with pdf.table(col_widths=widths, width=width, text_align="LEFT", line_height=size * 0.45,
                               padding=padding, v_align="TOP",
                               headings_style=FontFace(emphasis="BOLD", size_pt=head_size,
                                                       fill_color=(230, 238, 245))) as tbl:
                    for row in [block.header, *rows]:
                        tr = tbl.row()
                        for cell in row:
                            tr.cell(cell)
            except FPDFException:  # pragma: no cover - the height check above keeps rows on a page
                for row in rows:
                    text(" · ".join(c for c in row if c), 9)
            pdf.ln(3)

    placed: list[tuple[int, int]] = []   # per block: first and last page it is on
    for i, block in enumerate(b.blocks):
        if i in breaks and not fresh_page():
            pdf.add_page()
        start = pdf.page_no()
        if isinstance(block, Heading):
            if block.level == 0:
                pdf.ln(40)
                text(block.text, 24, "B", lh=11, color=ACCENT, space=4)
            elif block.level == 1:
                if not fresh_page():
                    pdf.add_page()
                start = pdf.page_no()
                text(block.text, 17, "B", lh=8, color=ACCENT, space=3)
            else:
                if pdf.get_y() + need(i) > bottom and not fresh_page():
                    pdf.add_page()
                    start = pdf.page_no()
                size, lh = HEADINGS[min(block.level, 3)]
                pdf.ln(2 if block.level == 2 else 1)
                text(block.text, size, "B", lh=lh, color=ACCENT if block.level == 2 else (0, 0, 0),
                     space=1.5 if block.level == 2 else 1)
        elif isinstance(block, Paragraph):
            size, style, lh = STYLES.get(block.style, STYLES["body"])
            text(block.text, size, style, lh=lh, color=(90, 90, 90) if block.style == "note" else (0, 0, 0),
                 space={"lead": 3, "body": 2}.get(block.style, 1.5))
        elif isinstance(block, Bullets):
            pdf.set_font("DejaVu", "", 10.5)
            for item in block.items:
                h = len(lines_of(item, width - 8, 5.2)) * 5.2
                if pdf.get_y() + h > bottom and h <= usable * 0.45 and not fresh_page():
                    pdf.add_page()
                pdf.set_x(pdf.l_margin + 3)
                shape_for("")
                pdf.cell(5, 5.2, "•")
                flow(item, width - 8, 5.2, x=pdf.l_margin + 8)
                pdf.ln(0.8)
            pdf.ln(1.5)
        elif isinstance(block, Table):
            table(block)
        placed.append((start, pdf.page_no()))

    # a page that is not a chapter's first and holds only a few words of whole blocks: break the
    # page earlier, before the last heading (else the last block) of the page before it
    short: set[int] = set()
    for page in range(2, pdf.page_no() + 1):
        on_page = [i for i, (first, last) in enumerate(placed) if first <= page <= last]
        if not on_page or any(placed[i][0] != placed[i][1] for i in on_page):
            continue   # empty, or a block runs over the page break (it leaves two lines at least)
        head = b.blocks[on_page[0]]
        if isinstance(head, Heading) and head.level <= 1:
            continue   # a chapter may be short
        if sum(_block_words(b.blocks[i]) for i in on_page) >= MIN_PAGE_WORDS:
            continue
        before = [i for i, (first, last) in enumerate(placed) if first == page - 1 == last]
        candidates = [i for i in before if _is_section(b.blocks[i])] or before[-1:]
        if candidates and candidates[-1] != before[0]:
            short.add(candidates[-1])
        elif len(before) > 1:
            short.add(before[-1])
    return bytes(pdf.output()), short


def render(b: Booklet, fmt: str) -> bytes:
    if fmt == "docx":
        return render_docx(b)
    if fmt == "pdf":
        return render_pdf(b)
    raise ValidationError("error.booklet_format", field="format", format=fmt)


def export_booklet(event_slug: str, fmt: str, lang: str = "fr", visible_event_ids: frozenset[int] | None = None,
                   edition: str = "first", on: dt.date | None = None, public: bool = False) -> bytes:
    """The booklet of an event as DOCX or PDF bytes (the command line, the dashboard and the
    follow-up pages use this); ``edition``/``on``/``public``: see ``build_booklet``."""
    if fmt not in FORMATS:
        raise ValidationError("error.booklet_format", field="format", format=fmt)
    return render(build_booklet(event_slug, lang, visible_event_ids, edition, on, public), fmt)


def public_booklet(token: Any, fmt: str = "pdf", lang: str = "fr", edition: str = "first") -> bytes | None:
    """The public booklet from the public follow-up page: None unless the token's page is still on
    and its booklet published (read again at download time: a tab opened before the organiser
    switched the page off gets nothing). Lives here, not in ``core.followup.public``, because
    ``core.reporting`` imports ``core.followup`` (one way)."""
    slug = pub.public_booklet_slug(token)
    if slug is None:
        return None
    return export_booklet(slug, fmt, lang, edition=edition, public=True)


def file_name(event_slug: str, fmt: str, lang: str = "fr", edition: str = "first", on: dt.date | None = None) -> str:
    """``slug-cahier.pdf``; the follow-up edition carries its name and date: ``slug-cahier-suivi-2026-12-05.pdf``."""
    if edition == "first":
        return f"{event_slug}-{translate(lang, 'dashboard.booklet.file_stem')}.{fmt}"
    on = _edition(edition, on)
    return f"{event_slug}-{translate(lang, 'dashboard.booklet.file_stem_follow_up')}-{on.isoformat()}.{fmt}"


__all__ = ["Booklet", "Bullets", "EDITIONS", "FORMATS", "Heading", "MIME", "Paragraph", "Table", "build_booklet",
           "export_booklet", "file_name", "find_fallback_fonts", "find_fonts", "public_booklet", "render",
           "render_docx", "render_pdf"]
