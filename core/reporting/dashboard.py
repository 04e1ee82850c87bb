"""What the workshops produced, across sessions, themes and events: one function per dashboard
figure, each taking a ``DashboardFilter``.

The dashboard page, the command line, the booklet and the tests all call these functions, so two
places never disagree on a number. Aggregation happens in SQL wherever it can; results are plain
DataFrames (code values such as category or level keys, never translated text: the page and the
booklet translate them) or small dataclasses. Nothing is cached here.

Counting rules (the same as ``core.reporting.stats.counts``):
- only live rows count (``deleted_at`` empty) under live parents (event, theme, session, persona);
- merged recommendations and resources are not counted again (``merged_into_id`` set);
- a participant counts when registered to a session in scope with a status other than
  ``cancelled`` and not erased; organisations count once after merges;
- a join by code (a ``participant_tokens`` row) counts as taking part, without any registration:
  one person per session for a browser linked to a registration, or per sub-group and first name
  when one was typed, or per browser otherwise (see ``_joined``).
"""
from __future__ import annotations

import contextlib
import datetime as dt
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from rapidfuzz import fuzz, process
from sqlalchemy import Select, String, and_, case, cast, distinct, func, literal, literal_column, select
from sqlalchemy.engine import Connection

from core import territory, vocabulary
from core.errors import NotFound, ValidationError
from core.followup import tracking
from core.personas.wording import SIMILARITY_THRESHOLD, normalise_wording
from core.settings import local_now
from storage import db
from storage import models as m

# Mood weather as a score (5 = sunny ... 1 = stormy), for before/after averages.
WEATHER_SCORES = {"sunny": 5, "partly_cloudy": 4, "cloudy": 3, "rainy": 2, "stormy": 1}
# Fuzzy grouping looks at this many most frequent distinct wordings (rarer ones stay exact).
FUZZY_MAX_WORDINGS = 1_000
NO_CATEGORY = ""
# Near-duplicate wordings (SIMILARITY_THRESHOLD, normalise_wording): core.personas.wording, the one
# measure the canvas also uses to ask "already there: add anyway?".
# The persona x category grid shows at most this many personas (beyond that it is unreadable).
PERSONA_GRID_LIMIT = 40


@dataclass(frozen=True)
class DashboardFilter:
    """Which part of the data a figure covers. Empty tuples mean "no restriction"."""

    event_ids: tuple[int, ...] = ()
    theme_ids: tuple[int, ...] = ()
    session_ids: tuple[int, ...] = ()
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    # the events this user may see (an organiser's own events); None = every event (admin, CLI)
    visible_event_ids: frozenset[int] | None = None

    @property
    def is_everything(self) -> bool:
        return not (self.event_ids or self.theme_ids or self.session_ids or self.date_from or self.date_to
                    or self.visible_event_ids is not None)

    def validate(self) -> DashboardFilter:
        if self.date_from and self.date_to and self.date_to < self.date_from:
            raise ValidationError("error.dashboard_dates_reversed", field="date_to")
        return self


def event_filter(slug: str, **kwargs: Any) -> DashboardFilter:
    """The filter of one event, found by its slug (unknown slug: NotFound)."""
    with _read() as s:
        event_id = s.execute(select(m.Event.id).where(m.Event.slug == slug, m.Event.deleted_at.is_(None))
                             ).scalar_one_or_none()
    if event_id is None:
        raise NotFound("error.unknown_event", field="event", slug=slug)
    return DashboardFilter(event_ids=(event_id,), **kwargs)


# --- scope: the rows a filter covers, as SQL sub-selects -------------------------------------

def _events(f: DashboardFilter) -> Select:
    q = select(m.Event.id).where(m.Event.deleted_at.is_(None))
    if f.event_ids:
        q = q.where(m.Event.id.in_(f.event_ids))
    if f.visible_event_ids is not None:
        q = q.where(m.Event.id.in_(sorted(f.visible_event_ids)))
    return q


def _themes(f: DashboardFilter) -> Select:
    q = select(m.Theme.id).where(m.Theme.deleted_at.is_(None), m.Theme.event_id.in_(_events(f)))
    if f.theme_ids:
        q = q.where(m.Theme.id.in_(f.theme_ids))
    return q


def _sessions(f: DashboardFilter) -> Select:
    S = m.WorkshopSession
    q = select(S.id).where(S.deleted_at.is_(None), S.theme_id.in_(_themes(f)))
    if f.session_ids:
        q = q.where(S.id.in_(f.session_ids))
    if f.date_from:
        q = q.where(S.starts_at >= dt.datetime.combine(f.date_from, dt.time()))
    if f.date_to:
        q = q.where(S.starts_at < dt.datetime.combine(f.date_to + dt.timedelta(days=1), dt.time()))
    return q


def _personas(f: DashboardFilter) -> Select:
    return select(m.Persona.id).where(m.Persona.deleted_at.is_(None), m.Persona.session_id.in_(_sessions(f)))


def _items(f: DashboardFilter, kind: str | None = None) -> Select:
    q = select(m.CanvasItem.id).where(m.CanvasItem.deleted_at.is_(None), m.CanvasItem.persona_id.in_(_personas(f)))
    return q if kind is None else q.where(m.CanvasItem.kind == kind)


def _leads(f: DashboardFilter) -> Select:
    return select(m.SolutionLead.id).where(m.SolutionLead.deleted_at.is_(None),
                                           m.SolutionLead.need_id.in_(_items(f, "need")))


def _live_resources() -> Select:
    return select(m.Resource.id).where(m.Resource.deleted_at.is_(None), m.Resource.merged_into_id.is_(None))


def _recommendations(f: DashboardFilter) -> Select:
    R = m.Recommendation
    return select(R.id).where(R.deleted_at.is_(None), R.merged_into_id.is_(None), R.session_id.in_(_sessions(f)))


@contextlib.contextmanager
def _read() -> Iterator[Connection]:
    """A read-only connection: plain rows, without the ORM's per-row work (these queries return
    columns, never entities)."""
    with db.get_engine().connect() as conn:
        yield conn


def _or(column: Any, default: str) -> Any:
    """COALESCE(column, 'default') with the default inlined, so the same expression can be selected
    and grouped by on PostgreSQL (bound parameters would make them two different expressions)."""
    assert "'" not in default
    return func.coalesce(column, literal_column(f"'{default}'"))


def _count(s: Connection, q: Select) -> int:
    return int(s.execute(select(func.count()).select_from(q.subquery())).scalar_one())


def _frame(s: Connection, q: Select, columns: list[str]) -> pd.DataFrame:
    rows = s.execute(q).fetchall()
    if not rows:
        return pd.DataFrame(columns=columns)
    return pd.DataFrame(dict(zip(columns, (list(col) for col in zip(*rows)))), columns=columns)


def _session_label(title: str, starts_at: dt.datetime | None) -> str:
    when = starts_at.strftime("%Y-%m-%d %H:%M") if starts_at else ""
    return " · ".join(x for x in (when, title) if x) or "—"


def session_labels(f: DashboardFilter) -> pd.DataFrame:
    """The sessions in scope: session_id, event, theme, session (date · title), starts_at."""
    S = m.WorkshopSession
    with _read() as s:
        rows = s.execute(
            select(S.id, m.Event.title, m.Theme.title, S.title, S.starts_at)
            .join(m.Theme, m.Theme.id == S.theme_id).join(m.Event, m.Event.id == m.Theme.event_id)
            .where(S.id.in_(_sessions(f))).order_by(S.starts_at, S.id)
        ).all()
    return pd.DataFrame([(sid, ev, th, _session_label(title, at), at) for sid, ev, th, title, at in rows],
                        columns=["session_id", "event", "theme", "session", "starts_at"])


def _with_sessions(f: DashboardFilter, df: pd.DataFrame, keep_empty: bool = False) -> pd.DataFrame:
    labels = session_labels(f)
    out = labels.merge(df, on="session_id", how="left" if keep_empty else "inner")
    return out.drop(columns=["starts_at"])


# --- totals: the headline numbers, same keys and rules as core.reporting.stats.counts ------------------

def totals(f: DashboardFilter = DashboardFilter()) -> dict[str, int]:
    """Live rows per kind in scope. With no filter, or one event, equal to ``core.reporting.stats.counts``."""
    with _read() as s:
        needs, leads = _items(f, "need"), _leads(f)
        if f.is_everything:
            resources = _live_resources()
        else:  # the resources these canvases drew on
            R = m.Resource  # a join, not "resource_id IN (...)": SQLite would probe every pair of the two lists
            resources = (select(m.LeadResource.resource_id).join(R, R.id == m.LeadResource.resource_id)
                         .where(m.LeadResource.lead_id.in_(leads), R.deleted_at.is_(None), R.merged_into_id.is_(None))
                         .distinct())
        recommendations = _recommendations(f)
        participants = select(m.Registration.participant_id).join(
            m.Participant, m.Participant.id == m.Registration.participant_id).where(
            m.Registration.session_id.in_(_sessions(f)), m.Registration.status != "cancelled",
            m.Participant.erased_at.is_(None)).distinct()
        joined = _joined(f).subquery()
        out = {
            "events": _count(s, _events(f) if not (f.theme_ids or f.session_ids or f.date_from or f.date_to)
                             else select(m.Theme.event_id).where(m.Theme.id.in_(
                                 select(m.WorkshopSession.theme_id).where(m.WorkshopSession.id.in_(_sessions(f)))
                             )).distinct()),
            "themes": _count(s, _themes(f) if not (f.session_ids or f.date_from or f.date_to)
                             else select(m.WorkshopSession.theme_id).where(
                                 m.WorkshopSession.id.in_(_sessions(f))).distinct()),
            "sessions": _count(s, _sessions(f)),
            "subgroups": _count(s, select(m.Subgroup.id).where(m.Subgroup.deleted_at.is_(None),
                                                              m.Subgroup.session_id.in_(_sessions(f)))),
            "personas": _count(s, _personas(f)),
            "canvas_items": _count(s, _items(f)),
            "needs": _count(s, needs),
            "solution_leads": _count(s, leads),
            "resources": _count(s, resources),
            "contributions": _count(s, select(m.Contribution.id).where(
                m.Contribution.deleted_at.is_(None), m.Contribution.session_id.in_(_sessions(f)))),
            "recommendations": _count(s, recommendations),
            "votes": _count(s, select(m.Vote.id).where(m.Vote.recommendation_id.in_(recommendations))),
            "participants": _count(s, participants),
            "joined": int(s.execute(select(func.count(distinct(joined.c.person)))).scalar_one()),
        }
    return out


# --- participation ---------------------------------------------------------------------------

@dataclass(frozen=True)
class ParticipationTotals:
    participants: int     # registered (not cancelled), distinct people — the same as totals()["participants"]
    confirmed: int
    waiting: int
    present: int
    organisations: int
    sectors: int
    joined: int = 0       # people who joined a sub-group by code (``_joined``), registered or not

    @property
    def took_part(self) -> bool:
        """Someone registered, was marked present or joined by code."""
        return bool(self.participants or self.present or self.joined)


def _joined(f: DashboardFilter) -> Select:
    return joined_people(_sessions(f))


def joined_people(sessions: Select) -> Select:
    """One row per join by code to one of ``sessions`` (a sub-select of session ids): session_id and
    person, a key that names one person. Nothing personal is needed: a browser linked to a registration is that
    participant everywhere; otherwise a typed first name counts once per sub-group (a browser that
    joined again after losing its cookie), and a browser without a name counts once."""
    T = m.ParticipantToken
    name = func.lower(func.trim(T.display_name))
    person = case((T.participant_id.is_not(None), literal("p:") + cast(T.participant_id, String)),
                  (func.length(name) > 0, literal("n:") + cast(T.session_id, String) + literal(":")
                   + cast(func.coalesce(T.subgroup_id, 0), String) + literal(":") + name),
                  else_=literal("t:") + cast(T.id, String))
    return select(T.session_id.label("session_id"), person.label("person")).where(T.session_id.in_(sessions))


def _registrations(f: DashboardFilter) -> Select:
    """Registrations in scope with their organisation (after merges) and sector."""
    R, P, Org = m.Registration, m.Participant, m.Organisation
    org = func.coalesce(Org.merged_into_id, Org.id)
    sector = func.coalesce(func.nullif(P.sector, ""), func.nullif(Org.sector, ""))
    return (select(R.session_id.label("session_id"), R.participant_id.label("participant_id"),
                   R.status.label("status"), R.present.label("present"), org.label("org"), sector.label("sector"))
            .join(P, P.id == R.participant_id).outerjoin(Org, Org.id == P.organisation_id)
            .where(R.session_id.in_(_sessions(f)), R.status != "cancelled", P.erased_at.is_(None)))


def participation(f: DashboardFilter = DashboardFilter()) -> pd.DataFrame:
    """Per session: participants registered (confirmed + waiting), confirmed, waiting list, present,
    joined by code, organisations and sectors represented. Sessions without anyone are listed with
    zeros."""
    r = _registrations(f).subquery()
    q = (select(r.c.session_id, func.count(distinct(r.c.participant_id)),
                func.sum(case((r.c.status == "confirmed", 1), else_=0)),
                func.sum(case((r.c.status == "waiting", 1), else_=0)),
                func.sum(case((r.c.present.is_(True), 1), else_=0)),
                func.count(distinct(r.c.org)), func.count(distinct(r.c.sector)))
         .group_by(r.c.session_id))
    j = _joined(f).subquery()
    qj = select(j.c.session_id, func.count(distinct(j.c.person))).group_by(j.c.session_id)
    cols = ["registered", "confirmed", "waiting", "present", "joined", "organisations", "sectors"]
    with _read() as s:
        df = _frame(s, q, ["session_id", *(c for c in cols if c != "joined")])
        joined = _frame(s, qj, ["session_id", "joined"])
    # outer: a session where people joined by code but nobody registered has a row too
    df = df.merge(joined, on="session_id", how="outer") if len(joined) else df.assign(joined=0)
    out = _with_sessions(f, df[["session_id", *cols]], keep_empty=True)
    out[cols] = out[cols].fillna(0).astype("int64")
    return out


def participation_totals(f: DashboardFilter = DashboardFilter()) -> ParticipationTotals:
    """Distinct people, organisations and sectors over the whole scope (not the sum of sessions)."""
    r = _registrations(f).subquery()
    q = select(func.count(distinct(r.c.participant_id)),
               func.count(distinct(case((r.c.status == "confirmed", r.c.participant_id)))),
               func.count(distinct(case((r.c.status == "waiting", r.c.participant_id)))),
               func.count(distinct(case((r.c.present.is_(True), r.c.participant_id)))),
               func.count(distinct(r.c.org)), func.count(distinct(r.c.sector)))
    j = _joined(f).subquery()
    with _read() as s:
        row = s.execute(q).one()
        joined = s.execute(select(func.count(distinct(j.c.person)))).scalar_one()
    registered, confirmed, waiting, present, organisations, sectors = (int(x or 0) for x in row)
    return ParticipationTotals(registered, confirmed, waiting, present, organisations, sectors, int(joined or 0))


def participants_by_sector(f: DashboardFilter = DashboardFilter()) -> pd.DataFrame:
    """Sector, distinct participants and organisations (sector empty: not given)."""
    r = _registrations(f).subquery()
    sector = _or(r.c.sector, "")
    q = (select(sector, func.count(distinct(r.c.participant_id)), func.count(distinct(r.c.org)))
         .group_by(sector).order_by(func.count(distinct(r.c.participant_id)).desc(), sector))
    with _read() as s:
        return _frame(s, q, ["sector", "participants", "organisations"])


# --- barriers and needs ----------------------------------------------------------------------

def barriers_by_category(f: DashboardFilter = DashboardFilter()) -> pd.DataFrame:
    """Barriers per category and nature (objective / subjective), with the personas concerned."""
    C = m.CanvasItem
    cat = _or(C.category, NO_CATEGORY)
    nature = _or(C.nature, "objective")
    q = (select(cat, nature, func.count(), func.count(distinct(C.persona_id)))
         .where(C.id.in_(_items(f, "barrier"))).group_by(cat, nature))
    with _read() as s:
        df = _frame(s, q, ["category", "nature", "barriers", "personas"])
    return df.sort_values(["barriers", "category", "nature"], ascending=[False, True, True], ignore_index=True)


def barriers_by_persona(f: DashboardFilter = DashboardFilter(), limit: int = PERSONA_GRID_LIMIT) -> pd.DataFrame:
    """Persona x category barrier counts, for up to ``limit`` personas (a grid stays readable)."""
    C, P = m.CanvasItem, m.Persona
    with _read() as s:
        personas = s.execute(select(P.id, P.name).where(P.id.in_(_personas(f))).order_by(P.id).limit(limit)).all()
        if not personas:
            return pd.DataFrame(columns=["persona_id", "persona", "category", "objective", "subjective", "barriers"])
        cat = _or(C.category, NO_CATEGORY)
        rows = s.execute(
            select(C.persona_id, cat, func.sum(case((C.nature == "subjective", 0), else_=1)),
                   func.sum(case((C.nature == "subjective", 1), else_=0)), func.count())
            .where(C.deleted_at.is_(None), C.kind == "barrier", C.persona_id.in_([p.id for p in personas]))
            .group_by(C.persona_id, cat)
        ).all()
    names = {p.id: p.name for p in personas}
    order = {p.id: i for i, p in enumerate(personas)}
    df = pd.DataFrame([(pid, names[pid], c, int(o), int(sj), int(n)) for pid, c, o, sj, n in rows],
                      columns=["persona_id", "persona", "category", "objective", "subjective", "barriers"])
    df["_order"] = df["persona_id"].map(order)
    return df.sort_values(["_order", "category"], ignore_index=True).drop(columns="_order")


def _group_wordings(keys: list[str], weights: list[int], threshold: int) -> list[int]:
    """Leader clustering: the most frequent wording leads; every not yet grouped wording within
    ``threshold`` of it joins it. Returns the leader index of each key."""
    n = len(keys)
    leader = list(range(n))
    if n < 2:
        return leader
    scores = process.cdist(keys, keys, scorer=fuzz.ratio, score_cutoff=threshold, dtype=np.uint8, workers=1)
    assigned = np.zeros(n, dtype=bool)
    for i in sorted(range(n), key=lambda k: (-weights[k], keys[k])):
        if assigned[i]:
            continue
        members = np.nonzero((scores[i] >= threshold) & ~assigned)[0]
        assigned[members] = True
        assigned[i] = True
        for j in members:
            leader[int(j)] = i
    return leader


def recurrent_items(f: DashboardFilter = DashboardFilter(), kind: str = "barrier", limit: int = 15,
                    threshold: int = SIMILARITY_THRESHOLD) -> pd.DataFrame:
    """The most recurrent barriers (or needs...) across personas, near-duplicate wordings grouped.

    Columns: wording (the most frequent variant), personas (distinct personas with any variant),
    items, variants (number of distinct wordings), wordings (the variants, " · "), category (the most
    frequent), nature (barriers: the most frequent).
    """
    if kind not in vocabulary.CANVAS_KINDS:
        raise ValidationError("error.invalid_choice", field="kind")
    C = m.CanvasItem
    columns = ["wording", "personas", "items", "variants", "wordings", "category", "nature"]
    with _read() as s:
        rows = s.execute(
            select(C.text, func.count()).where(C.id.in_(_items(f, kind))).group_by(C.text)
        ).all()
        if not rows:
            return pd.DataFrame(columns=columns)
        # 1. exact wordings after folding case, accents and punctuation
        groups: dict[str, dict[str, int]] = {}
        for text, items in rows:
            groups.setdefault(normalise_wording(text), {})[text] = int(items)
        weight = {k: sum(v.values()) for k, v in groups.items()}
        keys = sorted(groups, key=lambda k: (-weight[k], k))
        # 2. near duplicates among the most frequent wordings
        head = keys[:FUZZY_MAX_WORDINGS]
        clusters: dict[int, Counter] = {}
        for index, lead in enumerate(_group_wordings(head, [weight[k] for k in head], threshold)):
            clusters.setdefault(lead, Counter()).update(groups[head[index]])
        # rank by items first (cheap), then count distinct personas exactly for the candidates; a
        # wording past the head weighs no more than any head cluster, so it only fills a short list
        wanted_clusters = max(limit * 3, limit + 20)
        scored = [(sum(c.values()), c) for c in clusters.values()]
        if len(scored) < wanted_clusters:
            scored += [(weight[k], Counter(groups[k])) for k in keys[len(head):len(head) + wanted_clusters]]
        scored.sort(key=lambda wc: (-wc[0], min(wc[1])))
        candidates = [c for _, c in scored[:wanted_clusters]]
        wanted = sorted({t for variants in candidates for t in variants})
        detail = s.execute(
            select(C.text, C.persona_id, _or(C.category, NO_CATEGORY), _or(C.nature, ""), func.count())
            .where(C.id.in_(_items(f, kind)), C.text.in_(wanted))
            .group_by(C.text, C.persona_id, _or(C.category, NO_CATEGORY), _or(C.nature, ""))
        ).all()
    by_text: dict[str, list[tuple[int, str, str, int]]] = {}
    for text, persona_id, cat, nat, n in detail:
        by_text.setdefault(text, []).append((persona_id, cat, nat, int(n)))
    out = []
    for variants in candidates:
        lead_key = max((normalise_wording(t) for t in variants),
                       key=lambda k: (sum(n for t, n in variants.items() if (normalise_wording(t)) == k), k))

        def rank(text: str, variants: Counter = variants, lead_key: str = lead_key) -> tuple:
            # most frequent; then the leading spelling, capitalised, with accents
            return (-variants[text], (normalise_wording(text)) != lead_key, not text[:1].isupper(),
                    text.isascii(), text)

        ordered = sorted(variants, key=rank)
        personas: set[int] = set()
        by_cat: Counter = Counter()
        by_nature: Counter = Counter()
        items = 0
        for text in variants:
            for persona_id, cat, nat, n in by_text.get(text, ()):
                personas.add(persona_id)
                by_cat[cat] += n
                by_nature[nat] += n
                items += n
        out.append((ordered[0], len(personas), items, len(variants), " · ".join(ordered),
                    by_cat.most_common(1)[0][0] if by_cat else NO_CATEGORY,
                    by_nature.most_common(1)[0][0] if by_nature else ""))
    df = pd.DataFrame(out, columns=columns)
    df = df.sort_values(["personas", "items", "wording"], ascending=[False, False, True], ignore_index=True)
    return df.head(limit)


# --- needs coverage --------------------------------------------------------------------------

@dataclass(frozen=True)
class Coverage:
    needs: int
    needs_with_lead: int
    needs_with_resource: int
    leads: int
    leads_with_resource: int

    @property
    def share_needs_with_lead(self) -> float:
        return self.needs_with_lead / self.needs if self.needs else 0.0

    @property
    def share_needs_with_resource(self) -> float:
        return self.needs_with_resource / self.needs if self.needs else 0.0

    @property
    def share_leads_with_resource(self) -> float:
        return self.leads_with_resource / self.leads if self.leads else 0.0

    def as_frame(self) -> pd.DataFrame:
        return pd.DataFrame([
            ("needs_with_lead", self.needs_with_lead, self.needs, round(self.share_needs_with_lead, 4)),
            ("needs_with_resource", self.needs_with_resource, self.needs, round(self.share_needs_with_resource, 4)),
            ("leads_with_resource", self.leads_with_resource, self.leads, round(self.share_leads_with_resource, 4)),
        ], columns=["measure", "count", "out_of", "share"])


def _lead_stats(f: DashboardFilter) -> Any:
    """Per need in scope with at least one live lead: its leads and the leads with a live resource."""
    L, LR, R = m.SolutionLead, m.LeadResource, m.Resource
    linked = (select(LR.lead_id).join(R, R.id == LR.resource_id).where(R.deleted_at.is_(None)).distinct()
              .subquery())
    return (select(L.need_id.label("need_id"), func.count().label("leads"),
                   func.count(linked.c.lead_id).label("resourced"))
            .outerjoin(linked, linked.c.lead_id == L.id)
            .where(L.deleted_at.is_(None), L.need_id.in_(_items(f, "need"))).group_by(L.need_id).subquery())


def needs_coverage(f: DashboardFilter = DashboardFilter()) -> Coverage:
    """Share of needs with at least one solution lead, and of leads with at least one resource."""
    stats = _lead_stats(f)
    with _read() as s:
        needs = _count(s, _items(f, "need"))
        row = s.execute(select(func.count(), func.coalesce(func.sum(case((stats.c.resourced > 0, 1), else_=0)), 0),
                               func.coalesce(func.sum(stats.c.leads), 0),
                               func.coalesce(func.sum(stats.c.resourced), 0))).one()
    with_lead, with_resource, leads, leads_with_resource = (int(x) for x in row)
    return Coverage(needs, with_lead, with_resource, leads, leads_with_resource)


def needs_without_resource(f: DashboardFilter = DashboardFilter()) -> pd.DataFrame:
    """The gaps: needs that no solution lead links to a resource. ``leads`` tells whether ideas
    were noted (leads without a service) or nothing at all."""
    C, P = m.CanvasItem, m.Persona
    stats = _lead_stats(f)
    q = (select(C.id, P.session_id, P.name, C.category, C.text, func.coalesce(stats.c.leads, 0))
         .join(P, P.id == C.persona_id).outerjoin(stats, stats.c.need_id == C.id)
         .where(C.id.in_(_items(f, "need")), func.coalesce(stats.c.resourced, 0) == 0).order_by(P.id, C.id))
    with _read() as s:
        df = _frame(s, q, ["need_id", "session_id", "persona", "category", "need", "leads"])
    df["category"] = df["category"].fillna(NO_CATEGORY)
    out = _with_sessions(f, df)
    return out[["need_id", "event", "theme", "session", "persona", "category", "need", "leads"]]


def unused_resources(f: DashboardFilter = DashboardFilter()) -> pd.DataFrame:
    """Inventory resources that no solution lead in scope links to."""
    R = m.Resource
    used = select(m.LeadResource.resource_id).where(m.LeadResource.lead_id.in_(_leads(f)))
    q = (select(R.id, R.acronym, R.name, R.category).where(R.id.in_(_live_resources()), R.id.not_in(used))
         .order_by(R.category, R.name))
    with _read() as s:
        return _frame(s, q, ["resource_id", "acronym", "name", "category"])


def resources_most_linked(f: DashboardFilter = DashboardFilter(), limit: int | None = 20) -> pd.DataFrame:
    """Resources by number of solution leads linking them (then needs and personas reached)."""
    R, LR, L, C = m.Resource, m.LeadResource, m.SolutionLead, m.CanvasItem
    leads = func.count(distinct(LR.lead_id))
    q = (select(R.id, R.acronym, R.name, R.category, leads, func.count(distinct(L.need_id)),
                func.count(distinct(C.persona_id)))
         .join(LR, LR.resource_id == R.id).join(L, L.id == LR.lead_id).join(C, C.id == L.need_id)
         .where(LR.lead_id.in_(_leads(f)), R.deleted_at.is_(None))
         .group_by(R.id, R.acronym, R.name, R.category).order_by(leads.desc(), R.name))
    if limit:
        q = q.limit(limit)
    with _read() as s:
        return _frame(s, q, ["resource_id", "acronym", "name", "category", "leads", "needs", "personas"])


def resources_by_category(f: DashboardFilter = DashboardFilter()) -> pd.DataFrame:
    """Per resource category: distinct resources used and links from solution leads."""
    R, LR = m.Resource, m.LeadResource
    q = (select(R.category, func.count(distinct(R.id)), func.count())
         .join(LR, LR.resource_id == R.id).where(LR.lead_id.in_(_leads(f)), R.deleted_at.is_(None))
         .group_by(R.category).order_by(func.count().desc(), R.category))
    with _read() as s:
        return _frame(s, q, ["category", "resources", "links"])


# --- board contributions ---------------------------------------------------------------------

def contributions_by_category(f: DashboardFilter = DashboardFilter()) -> pd.DataFrame:
    """Findings, successes, challenges, ideas and wishes per category, in order of first use."""
    C = m.Contribution
    q = (select(C.kind, C.category, func.count(), func.min(C.id)).where(
        C.deleted_at.is_(None), C.session_id.in_(_sessions(f))).group_by(C.kind, C.category).order_by(func.min(C.id)))
    with _read() as s:
        df = _frame(s, q, ["kind", "category", "contributions", "_first"])
    return df.drop(columns="_first")


def contributions(f: DashboardFilter = DashboardFilter(), kinds: tuple[str, ...] = ()) -> pd.DataFrame:
    """Board contributions in scope, in the order they were written."""
    C = m.Contribution
    q = (select(C.id, C.session_id, C.kind, C.category, C.text)
         .where(C.deleted_at.is_(None), C.session_id.in_(_sessions(f))).order_by(C.id))
    if kinds:
        q = q.where(C.kind.in_(kinds))
    with _read() as s:
        df = _frame(s, q, ["contribution_id", "session_id", "kind", "category", "text"])
    out = _with_sessions(f, df)
    return out[["contribution_id", "event", "theme", "session", "kind", "category", "text"]]


# --- recommendations -------------------------------------------------------------------------

def _trail_rows(f: DashboardFilter) -> list[tuple[int, str, str, str, int]]:
    """(recommendation id, source kind, text, persona, the session that wrote the source): a canvas
    item is dated by its own session, else its persona's (``theme_process.dated_session``)."""
    RS, Co, C, P = m.RecommendationSource, m.Contribution, m.CanvasItem, m.Persona
    PC = m.Persona.__table__.alias("pc")  # persona of a canvas item
    q = (select(RS.recommendation_id, Co.kind, Co.text, C.kind, C.text, PC.c.name, P.name, Co.session_id,
                func.coalesce(C.session_id, PC.c.session_id), P.session_id)
         .outerjoin(Co, and_(Co.id == RS.contribution_id, Co.deleted_at.is_(None)))
         .outerjoin(C, and_(C.id == RS.canvas_item_id, C.deleted_at.is_(None)))
         .outerjoin(PC, PC.c.id == C.persona_id)
         .outerjoin(P, and_(P.id == RS.persona_id, P.deleted_at.is_(None)))
         .where(RS.recommendation_id.in_(_recommendations(f))).order_by(RS.recommendation_id, RS.id))
    out = []
    with _read() as s:
        for rec_id, co_kind, co_text, c_kind, c_text, c_persona, p_name, co_sid, c_sid, p_sid in s.execute(q):
            if co_text is not None:
                out.append((rec_id, co_kind, co_text, "", co_sid))
            elif c_text is not None:
                out.append((rec_id, c_kind, c_text, c_persona or "", c_sid))
            elif p_name is not None:
                out.append((rec_id, "persona", p_name, p_name, p_sid))
    return out


def recommendation_trails(f: DashboardFilter = DashboardFilter()) -> pd.DataFrame:
    """Where each recommendation comes from: source kind (finding / need / persona...), text, persona,
    and the session that wrote the source (session_id: a later date cites an earlier date's items)."""
    return pd.DataFrame(_trail_rows(f), columns=["recommendation_id", "source", "text", "persona", "session_id"])


def _trail_texts(rows: list[tuple[int, str, str, str, int]]) -> dict[int, str]:
    """Recommendation id -> its trail in one line, language-neutral: "text (persona) · persona"."""
    parts: dict[int, list[str]] = {}
    for rec_id, source, text, persona, _session_id in rows:
        if source == "persona":
            part = persona
        elif persona:
            part = f"{text} ({persona})"
        else:
            part = text
        parts.setdefault(rec_id, []).append(part)
    return {rec_id: " · ".join(p) for rec_id, p in parts.items()}


def recommendations_ranked(f: DashboardFilter = DashboardFilter()) -> pd.DataFrame:
    """Recommendations ranked by votes within each theme, with their addressee and trail.

    Columns: recommendation_id, event, theme, session, rank (1 = most votes in its theme), title,
    text, level (the addressee), public (the people concerned), votes, retained, trail, session_id.
    """
    R, V = m.Recommendation, m.Vote
    votes = select(V.recommendation_id, func.count().label("n")).group_by(V.recommendation_id).subquery()
    q = (select(R.id, R.session_id, R.title, R.text, R.level, R.public, func.coalesce(votes.c.n, 0), R.retained)
         .outerjoin(votes, votes.c.recommendation_id == R.id).where(R.id.in_(_recommendations(f))))
    with _read() as s:
        df = _frame(s, q, ["recommendation_id", "session_id", "title", "text", "level", "public", "votes", "retained"])
    df["retained"] = df["retained"].astype(bool)
    df = _with_sessions(f, df)
    trails = _trail_texts(_trail_rows(f))
    df["trail"] = [trails.get(rid, "") for rid in df["recommendation_id"]]
    df = df.sort_values(["event", "theme", "votes", "retained", "recommendation_id"],
                        ascending=[True, True, False, False, True], ignore_index=True)
    df["rank"] = df.groupby(["event", "theme"]).cumcount() + 1
    return df[["recommendation_id", "event", "theme", "session", "rank", "title", "text", "level", "public",
               "votes", "retained", "trail", "session_id"]]


def votes_by_level(f: DashboardFilter = DashboardFilter()) -> pd.DataFrame:
    """Per level of power addressed (communal ... European): recommendations, retained, votes."""
    R, V = m.Recommendation, m.Vote
    votes = select(V.recommendation_id, func.count().label("n")).group_by(V.recommendation_id).subquery()
    q = (select(R.level, func.count(), func.sum(case((R.retained.is_(True), 1), else_=0)),
                func.coalesce(func.sum(votes.c.n), 0))
         .outerjoin(votes, votes.c.recommendation_id == R.id).where(R.id.in_(_recommendations(f))).group_by(R.level))
    with _read() as s:
        df = _frame(s, q, ["level", "recommendations", "retained", "votes"])
    df[["recommendations", "retained", "votes"]] = df[["recommendations", "retained", "votes"]].astype("int64")
    order = {lv: i for i, lv in enumerate(territory.level_order(_event_levels(f)))}
    df["_o"] = df["level"].map(order).fillna(99)
    return df.sort_values("_o", ignore_index=True).drop(columns="_o")


def _event_levels(f: DashboardFilter) -> list[Any]:
    """The territory and levels of power of the events a filter covers (``core.territory``)."""
    q = select(m.Event.id, m.Event.territory, m.Event.power_levels).where(m.Event.deleted_at.is_(None))
    if f.event_ids:
        q = q.where(m.Event.id.in_(f.event_ids))
    if f.visible_event_ids is not None:
        q = q.where(m.Event.id.in_(f.visible_event_ids))
    with _read() as s:
        return list(s.execute(q.order_by(m.Event.id)).all())


def level_labels(f: DashboardFilter, lang: str) -> dict[str, str]:
    """Level key -> label in ``lang`` for the events a filter covers, in their order (a level an
    event no longer offers keeps its label: ``core.territory.level_label``)."""
    events = _event_levels(f)
    names = territory.level_names(events, lang)
    return {key: names.get(key, key) for key in territory.level_order(events)}


# --- implementation plans --------------------------------------------------------------------

@dataclass(frozen=True)
class Completeness:
    plans: int
    complete_plans: int
    actions: int
    with_carrier: int
    with_due: int
    with_indicator: int

    ACTION_FIELDS = ("with_carrier", "with_due", "with_indicator")   # what a complete action has

    @property
    def share_complete(self) -> float:
        return self.complete_plans / self.plans if self.plans else 0.0

    def share_of_actions(self, field: str) -> float:
        """Share of the actions that have a carrier (``"with_carrier"``), a date or an indicator."""
        if field not in self.ACTION_FIELDS:
            raise ValueError(field)
        return getattr(self, field) / self.actions if self.actions else 0.0

    @classmethod
    def of(cls, plans: pd.DataFrame) -> Completeness:
        """The totals of ``implementation_completeness``'s table (one row a plan)."""
        return cls(len(plans), int(plans["complete"].sum()), int(plans["actions"].sum()),
                   *(int(plans[f].sum()) for f in cls.ACTION_FIELDS))


def _plans(f: DashboardFilter) -> Select:
    P = m.ImplementationPlan
    return select(P.id).where(P.deleted_at.is_(None), P.session_id.in_(_sessions(f)),
                              P.recommendation_id.in_(select(m.Recommendation.id).where(
                                  m.Recommendation.deleted_at.is_(None))))


def _filled(column: Any) -> Any:
    return case((func.length(func.trim(func.coalesce(column, ""))) > 0, 1), else_=0)


def implementation_completeness(f: DashboardFilter = DashboardFilter()) -> pd.DataFrame:
    """Per plan: its recommendation, actions, how many have a carrier, a date and an indicator, and
    ``complete`` (at least one action, and every action has all three)."""
    P, A, R = m.ImplementationPlan, m.PlanAction, m.Recommendation
    full = case((and_(_filled(A.carrier) == 1, A.due.is_not(None), _filled(A.indicator) == 1), 1), else_=0)
    acts = (select(A.plan_id, func.count().label("actions"), func.sum(_filled(A.carrier)).label("carrier"),
                   func.sum(case((A.due.is_not(None), 1), else_=0)).label("due"),
                   func.sum(_filled(A.indicator)).label("indicator"), func.sum(full).label("full"))
            .where(A.deleted_at.is_(None)).group_by(A.plan_id).subquery())
    q = (select(P.id, P.session_id, R.id, R.title, func.coalesce(acts.c.actions, 0), func.coalesce(acts.c.carrier, 0),
                func.coalesce(acts.c.due, 0), func.coalesce(acts.c.indicator, 0), func.coalesce(acts.c.full, 0))
         .join(R, R.id == P.recommendation_id).outerjoin(acts, acts.c.plan_id == P.id)
         .where(P.id.in_(_plans(f))).order_by(P.id))
    cols = ["actions", "with_carrier", "with_due", "with_indicator", "_full"]
    with _read() as s:
        df = _frame(s, q, ["plan_id", "session_id", "recommendation_id", "recommendation", *cols])
    df[cols] = df[cols].astype("int64")
    df["complete"] = (df["actions"] > 0) & (df["_full"] == df["actions"])
    out = _with_sessions(f, df.drop(columns="_full"))
    return out[["plan_id", "event", "theme", "session", "recommendation_id", "recommendation", "actions",
                "with_carrier", "with_due", "with_indicator", "complete"]]


def completeness_summary(f: DashboardFilter = DashboardFilter()) -> Completeness:
    return Completeness.of(implementation_completeness(f))


def plan_actions(f: DashboardFilter = DashboardFilter()) -> pd.DataFrame:
    """Every action of the implementation plans in scope, with the plan's DPA-PC answers."""
    P, A, R = m.ImplementationPlan, m.PlanAction, m.Recommendation
    q = (select(P.id, P.session_id, R.id, R.title, P.who_wants_what, P.people_concerned_view, P.try_here_now,
                P.tried_learned, A.id, A.action, A.carrier, A.due, A.means, A.indicator, A.risks)
         .join(R, R.id == P.recommendation_id)
         .outerjoin(A, and_(A.plan_id == P.id, A.deleted_at.is_(None)))
         .where(P.id.in_(_plans(f))).order_by(P.id, A.id))
    with _read() as s:
        df = _frame(s, q, ["plan_id", "session_id", "recommendation_id", "recommendation", "who_wants_what",
                           "people_concerned_view", "try_here_now", "tried_learned", "action_id", "action",
                           "carrier", "due", "means", "indicator", "risks"])
    out = _with_sessions(f, df)
    return out.drop(columns=["session_id"])


# --- mood ------------------------------------------------------------------------------------

def mood(f: DashboardFilter = DashboardFilter()) -> pd.DataFrame:
    """Mood checks per session, moment (before / after) and weather."""
    M = m.MoodCheck
    q = (select(M.session_id, M.moment, M.weather, func.count()).where(M.session_id.in_(_sessions(f)))
         .group_by(M.session_id, M.moment, M.weather))
    with _read() as s:
        df = _frame(s, q, ["session_id", "moment", "weather", "checks"])
    out = _with_sessions(f, df)
    out["_m"] = out["moment"].map({k: i for i, k in enumerate(vocabulary.MOOD_MOMENTS)})
    out["_w"] = out["weather"].map({k: i for i, k in enumerate(vocabulary.WEATHERS)})
    return out.sort_values(["session", "_m", "_w"], ignore_index=True).drop(columns=["_m", "_w"])


def mood_scores(f: DashboardFilter = DashboardFilter()) -> pd.DataFrame:
    """Per session: number of checks and mean weather score (5 sunny ... 1 stormy) before and after."""
    M = m.MoodCheck
    score = case(*((M.weather == w, v) for w, v in WEATHER_SCORES.items()), else_=None)
    q = (select(M.session_id, func.sum(case((M.moment == "before", 1), else_=0)),
                func.avg(case((M.moment == "before", score))),
                func.sum(case((M.moment == "after", 1), else_=0)),
                func.avg(case((M.moment == "after", score))))
         .where(M.session_id.in_(_sessions(f))).group_by(M.session_id))
    with _read() as s:
        df = _frame(s, q, ["session_id", "before_checks", "before_score", "after_checks", "after_score"])
    for col in ("before_score", "after_score"):
        df[col] = pd.to_numeric(df[col]).astype("float64").round(2)
    df["change"] = (df["after_score"] - df["before_score"]).round(2)
    out = _with_sessions(f, df)
    return out.drop(columns=["session_id"])


# --- follow-up after the event (issue 17): the "Suivi" tab ----------------------------------------

@dataclass(frozen=True)
class FollowUpFigures:
    """What became of the recommendations of the closed sessions in scope (``core.followup.tracking``).

    ``by_status_level``: level, status, recommendations (every status of every level present, zeros
    included, in the lifecycle's order); ``actions``: status (``ACTION_STATUSES``, then ``late``),
    actions; ``unanswered``: the sent recommendations still without an answer, longest waiting
    first (event, recommendation, level, addressee, sent_on, days_waiting); ``recommendations``: one
    row a recommendation with its follow-up (what the downloads carry)."""

    sessions: int                 # sessions in scope
    closed_sessions: int          # of which closed: only their recommendations are followed up
    by_status_level: pd.DataFrame
    actions: pd.DataFrame
    unanswered: pd.DataFrame
    recommendations: pd.DataFrame

    @property
    def answered(self) -> int:
        return int(self.recommendations["answered"].sum()) if len(self.recommendations) else 0

    @property
    def answered_share(self) -> float | None:
        """Recommendations that got an answer or a decision, of those followed up (None: none yet)."""
        total = len(self.recommendations)
        return self.answered / total if total else None

    def action_count(self, status: str) -> int:
        """Actions in ``status`` (``ACTION_STATUSES`` or ``late``)."""
        return int(self.actions.set_index("status")["actions"].get(status, 0))


def follow_up(f: DashboardFilter = DashboardFilter(), today: dt.date | None = None) -> FollowUpFigures:
    """The follow-up of the recommendations in scope, from one ``tracking.follow_up_rows`` call: by
    status and level of power, the answered share, the actions by status and late, the oldest
    unanswered. Only closed sessions count (a recommendation is followed up once its session closed)."""
    today = today or local_now().date()
    with _read() as s:
        event_ids = [int(i) for i in s.execute(_events(f)).scalars()]
        scope = s.execute(select(m.WorkshopSession.id, m.WorkshopSession.status).where(
            m.WorkshopSession.id.in_(_sessions(f)))).all()
    in_scope = {sid for sid, _ in scope}
    rows = [r for r in tracking.follow_up_rows(event_ids, today) if r.session_id in in_scope] if event_ids else []
    titles: dict[int, str] = {}
    if rows:
        with _read() as s:
            titles = dict(s.execute(select(m.Event.id, m.Event.title).where(
                m.Event.id.in_({r.event_id for r in rows}))).all())
    levels = territory.level_order(_event_levels(f))
    present = [lv for lv in levels if any(r.level == lv for r in rows)]
    present += sorted({r.level for r in rows} - set(present))
    counts = Counter((r.level, r.status) for r in rows)
    by_status_level = pd.DataFrame([(lv, st, counts[(lv, st)]) for lv in present for st in tracking.STATUSES],
                                   columns=["level", "status", "recommendations"])
    acts = Counter(a.status for r in rows for a in r.actions)
    late = sum(a.late for r in rows for a in r.actions)
    actions = pd.DataFrame([(st, acts[st]) for st in tracking.ACTION_STATUSES] + [("late", late)],
                           columns=["status", "actions"])
    waiting = sorted((r for r in rows if r.status == "sent" and not r.answers),
                     key=lambda r: (r.status_on or dt.date.max, r.recommendation_id))
    unanswered = pd.DataFrame([(r.recommendation_id, titles.get(r.event_id, ""), r.title, r.level, r.addressee,
                                r.status_on, (today - r.status_on).days if r.status_on else None)
                               for r in waiting],
                              columns=["recommendation_id", "event", "recommendation", "level", "addressee",
                                       "sent_on", "days_waiting"])
    unanswered["days_waiting"] = unanswered["days_waiting"].astype("Int64")
    recs = pd.DataFrame([(r.recommendation_id, titles.get(r.event_id, ""), r.theme_title, r.title, r.level,
                          r.addressee, r.status, r.status_on, r.answered, len(r.answers),
                          max((a.answered_on for a in r.answers), default=None), len(r.actions),
                          sum(a.status == "done" for a in r.actions), sum(a.late for a in r.actions), r.votes)
                         for r in rows],
                        columns=["recommendation_id", "event", "theme", "recommendation", "level", "addressee",
                                 "status", "status_on", "answered", "answers", "last_answer", "actions",
                                 "actions_done", "actions_late", "votes"])
    closed = sum(status == "closed" for _, status in scope)
    return FollowUpFigures(len(scope), closed, by_status_level, actions, unanswered, recs)


# --- the registry the page, the exports and the benchmark walk -------------------------------

FIGURES: dict[str, Any] = {
    "totals": totals,
    "participation": participation,
    "participation_totals": participation_totals,
    "participants_by_sector": participants_by_sector,
    "barriers_by_category": barriers_by_category,
    "barriers_by_persona": barriers_by_persona,
    "recurrent_barriers": lambda f: recurrent_items(f, "barrier"),
    "recurrent_needs": lambda f: recurrent_items(f, "need"),
    "needs_coverage": needs_coverage,
    "needs_without_resource": needs_without_resource,
    "unused_resources": unused_resources,
    "resources_most_linked": resources_most_linked,
    "resources_by_category": resources_by_category,
    "contributions_by_category": contributions_by_category,
    "recommendations_ranked": recommendations_ranked,
    "votes_by_level": votes_by_level,
    "implementation_completeness": implementation_completeness,
    "mood": mood,
    "mood_scores": mood_scores,
    "follow_up": follow_up,
}

# What each tab of the dashboard page computes (the page reads these through core.reporting.cache,
# the benchmark times them): "headline" is the row of numbers above the tabs.
TAB_FIGURES: dict[str, dict[str, Any]] = {
    "headline": {name: FIGURES[name] for name in ("totals", "participation_totals")},
    "diagnostic": {name: FIGURES[name] for name in ("barriers_by_category", "barriers_by_persona", "recurrent_barriers",
                                                    "recurrent_needs", "contributions_by_category")},
    "coverage": {name: FIGURES[name] for name in ("needs_coverage", "needs_without_resource", "resources_most_linked",
                                                  "resources_by_category", "unused_resources")},
    "recommendations": {name: FIGURES[name] for name in ("recommendations_ranked", "votes_by_level",
                                                         "implementation_completeness")},
    "participation": {name: FIGURES[name] for name in ("participation_totals", "participation",
                                                       "participants_by_sector", "mood", "mood_scores")},
    "followup": {"follow_up": FIGURES["follow_up"]},
    "exports": {},
}

__all__ = ["Completeness", "Coverage", "DashboardFilter", "FIGURES", "FollowUpFigures", "ParticipationTotals",
           "TAB_FIGURES", "event_filter", "joined_people", "normalise_wording", "session_labels", "totals"]
