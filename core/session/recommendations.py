"""Stage 2: recommendations to decision makers, and their trail back to stage 1.

A recommendation has a title, a text, the level of power it addresses, the public it concerns,
and the sources that motivate it: findings (board contributions), needs (canvas items) and
personas of the same session or of an earlier date of its theme (``core.session.theme_process``;
each offered source says its date). ``trail()`` returns them, each need with its persona, so every
recommendation shows where it comes from.

The facilitator edits wording, merges duplicates (the duplicate's text stays in the activity
history and in the kept recommendation's trail; its sources and dots move to the kept one) and
marks the recommendations retained for stage 3.
"""
from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete as sql_delete
from sqlalchemy import select
from sqlalchemy import update as sql_update
from sqlalchemy.orm import Session

from core import entities as e
from core import permissions, territory
from core import validation as v
from core.actor import Actor
from core.errors import Conflict, PermissionDenied, StaleEdit, ValidationError
from core.session import session_flow as flow
from core.session import theme_process
from core.session.board import BOARD_KINDS, CLOSING_KINDS, Board
from storage import db
from storage import models as m

SOURCE_KINDS = ("contribution", "need", "persona")
SOURCES_MAX = 30   # sources cited by one recommendation


# --- read model -------------------------------------------------------------------------------

@dataclass(frozen=True)
class SourceRef:
    kind: str            # contribution / need / persona
    id: int
    text: str            # the finding's or need's text, the persona's name
    detail: str = ""     # contribution kind, or the persona a need belongs to


@dataclass(frozen=True)
class MergedRef:
    id: int
    title: str
    text: str


@dataclass(frozen=True)
class RecommendationView:
    id: int
    session_id: int
    subgroup_id: int | None
    subgroup_name: str
    title: str
    text: str
    level: str
    public: str
    retained: bool
    version: int
    sources: tuple[SourceRef, ...] = ()
    merged_from: tuple[MergedRef, ...] = ()

    @property
    def source_keys(self) -> list[tuple[str, int]]:
        return [(src.kind, src.id) for src in self.sources]


@dataclass(frozen=True)
class SourceOption:
    kind: str
    id: int
    text: str
    detail: str                # contribution kind, or the persona a need belongs to
    subgroup_id: int | None
    subgroup_name: str = ""    # who wrote it ("" for the facilitator)
    session_id: int = 0        # the dated session it comes from
    session_date: dt.datetime | None = None
    earlier: bool = False      # from an earlier date of the theme (not the session's own)


@dataclass(frozen=True)
class RecommendationsSnapshot:
    session_id: int
    items: tuple[RecommendationView, ...]
    options: tuple[SourceOption, ...]   # what stage 1 produced, to cite (also on earlier dates)
    earlier_retained: tuple[RecommendationView, ...] = ()   # retained on an earlier date of the theme

    def get(self, rec_id: int) -> RecommendationView | None:
        return next((r for r in self.items if r.id == rec_id), None)

    @property
    def retained(self) -> list[RecommendationView]:
        return [r for r in self.items if r.retained]

    @property
    def plannable(self) -> list[RecommendationView]:
        """What stage 3 plans: the earlier dates' retained recommendations, then this session's."""
        return [*self.earlier_retained, *self.retained]


@dataclass(frozen=True)
class TrailFinding:
    id: int
    kind: str
    category: str
    text: str
    subgroup_name: str
    session_id: int | None = None    # the dated session it comes from (theme_process.session_dates)


@dataclass(frozen=True)
class TrailNeed:
    id: int
    text: str
    category: str | None
    persona_id: int
    persona_name: str
    leads: tuple[str, ...]
    session_id: int | None = None    # the dated session that wrote it


@dataclass(frozen=True)
class TrailPersona:
    id: int
    name: str
    age: int | None
    origin: str
    facts: tuple[str, ...]
    cited: bool          # cited directly (otherwise reached through one of its needs)
    session_id: int | None = None    # the dated session that created it


@dataclass(frozen=True)
class Trail:
    recommendation: RecommendationView
    findings: tuple[TrailFinding, ...]
    needs: tuple[TrailNeed, ...]
    personas: tuple[TrailPersona, ...]

    @property
    def empty(self) -> bool:
        return not (self.findings or self.needs or self.personas)


def _load_views(s: Session, recs: list[m.Recommendation]) -> list[RecommendationView]:
    if not recs:
        return []
    ids = [r.id for r in recs]
    names = dict(s.execute(select(m.Subgroup.id, m.Subgroup.name)
                           .where(m.Subgroup.session_id.in_({r.session_id for r in recs}))).all())
    sources: dict[int, list[SourceRef]] = {i: [] for i in ids}
    rows = s.execute(
        select(m.RecommendationSource, m.Contribution, m.CanvasItem, m.Persona)
        .outerjoin(m.Contribution, (m.Contribution.id == m.RecommendationSource.contribution_id)
                   & m.Contribution.deleted_at.is_(None))
        .outerjoin(m.CanvasItem, (m.CanvasItem.id == m.RecommendationSource.canvas_item_id)
                   & m.CanvasItem.deleted_at.is_(None))
        .outerjoin(m.Persona, (m.Persona.id == m.RecommendationSource.persona_id) & m.Persona.deleted_at.is_(None))
        .where(m.RecommendationSource.recommendation_id.in_(ids)).order_by(m.RecommendationSource.id)).all()
    need_personas = {p.id: p.name for p in s.execute(select(m.Persona).where(m.Persona.id.in_(
        {row[2].persona_id for row in rows if row[2] is not None}))).scalars()} if rows else {}
    for src, contribution, item, persona in rows:
        if contribution is not None:
            sources[src.recommendation_id].append(SourceRef("contribution", contribution.id, contribution.text,
                                                            contribution.kind))
        elif item is not None:
            sources[src.recommendation_id].append(SourceRef("need", item.id, item.text,
                                                            need_personas.get(item.persona_id, "")))
        elif persona is not None:
            sources[src.recommendation_id].append(SourceRef("persona", persona.id, persona.name))
    merged: dict[int, list[MergedRef]] = {i: [] for i in ids}
    for dup in s.execute(select(m.Recommendation).where(m.Recommendation.merged_into_id.in_(ids))
                         .order_by(m.Recommendation.id)).scalars():
        if dup.merged_into_id is not None:   # always, by the query
            merged[dup.merged_into_id].append(MergedRef(dup.id, dup.title, dup.text))
    return [RecommendationView(r.id, r.session_id, r.subgroup_id, names.get(r.subgroup_id or 0, ""), r.title, r.text,
                               r.level, r.public, bool(r.retained), r.version, tuple(sources[r.id]),
                               tuple(merged[r.id])) for r in recs]


def _source_options(s: Session, session_id: int) -> list[SourceOption]:
    """What the session may cite: its own findings, needs and personas, then those of the earlier
    dates of its theme, each with the session (and date) it comes from. A need is dated by the
    session that wrote it (a later date may have added it to an earlier date's persona)."""
    out: list[SourceOption] = []
    session = s.get(m.WorkshopSession, session_id)
    earlier = theme_process.earlier_session_ids(s, session) if session is not None else []
    ids = [session_id, *reversed(earlier)]
    dates = {k: d.starts_at for k, d in theme_process.session_dates_in(s, ids).items()}
    names = dict(s.execute(select(m.Subgroup.id, m.Subgroup.name).where(m.Subgroup.session_id.in_(ids))).all())
    rank = {ident: i for i, ident in enumerate(ids)}

    def option(kind: str, ident: int, text: str, detail: str, group: int | None, dated: int) -> SourceOption:
        return SourceOption(kind, ident, text, detail, group, names.get(group or 0, ""), dated, dates.get(dated),
                            dated != session_id)

    contributions = s.execute(select(m.Contribution).where(m.Contribution.session_id.in_(ids),
                                                           m.Contribution.deleted_at.is_(None))).scalars().all()
    for c in sorted(contributions, key=lambda c: (rank[c.session_id], c.id)):
        out.append(option("contribution", c.id, c.text, c.kind, c.subgroup_id, c.session_id))
    personas = sorted(s.execute(select(m.Persona).where(m.Persona.session_id.in_(ids), m.Persona.deleted_at.is_(None)))
                      .scalars().all(), key=lambda p: (rank[p.session_id], p.id))
    by_id = {p.id: p for p in personas}
    if by_id:
        for item in s.execute(select(m.CanvasItem).where(m.CanvasItem.persona_id.in_(by_id),
                                                         m.CanvasItem.kind == "need", m.CanvasItem.deleted_at.is_(None))
                              .order_by(m.CanvasItem.persona_id, m.CanvasItem.id)).scalars():
            persona = by_id[item.persona_id]
            out.append(option("need", item.id, item.text, persona.name, persona.subgroup_id,
                              theme_process.dated_session(item.session_id, persona.session_id)))
    for p in personas:
        out.append(option("persona", p.id, p.name, "", p.subgroup_id, p.session_id))
    return out


def source_key(kind: str, ident: int) -> str:
    """A citable source as one text, ``"need:12"``: what a form's choice list holds."""
    return f"{kind}:{ident}"


def parse_source_key(key: Any) -> tuple[str, int]:
    """``"need:12"`` -> ``("need", 12)``; a pair is returned as it is. Anything else is refused
    (``error.invalid``); whether the source exists and may be cited is checked on write."""
    if isinstance(key, str):
        kind, sep, ident = key.partition(":")
        number = v.parse_id(ident) if sep else None
        if number is None:
            raise ValidationError("error.invalid", field="sources")
        return kind, number
    try:
        kind, ident = key
    except (TypeError, ValueError):
        raise ValidationError("error.invalid", field="sources") from None
    return kind, ident


def citable_sources(snapshot: RecommendationsSnapshot, board: Board, subgroup_id: int | None = None,
                    staff: bool = False) -> list[SourceOption]:
    """What a viewer may cite in a recommendation: every need and persona of the session and of
    its earlier dates, the earlier dates' findings, and the session's findings they see on the
    board (staff all of them; while contributions are hidden, a sub-group only its own). The same
    rule as the check on write (``_clean_sources``)."""
    if staff:
        return list(snapshot.options)
    seen = {item.id for item in board.visible(subgroup_id)}
    return [o for o in snapshot.options if o.kind != "contribution" or o.earlier or o.id in seen]


def sources_by_kind(options: Iterable[SourceOption], subgroup_id: int | None = None
                    ) -> dict[str, list[SourceOption]]:
    """Citable sources as a form offers them: grouped by kind (findings, needs, personas, in that
    order), and in each group the session's own before the earlier dates' (newest date first),
    the viewer's sub-group's own first, then the others by sub-group;
    findings by board kind then text, needs by persona then text, personas by name (case and
    accents aside)."""
    board_order = {kind: i for i, kind in enumerate(dict.fromkeys(BOARD_KINDS + CLOSING_KINDS))}

    def own_first(o: SourceOption) -> tuple:
        when = -(o.session_date.toordinal() if o.session_date else 0)
        return (o.earlier, when if o.earlier else 0, subgroup_id is None or o.subgroup_id != subgroup_id,
                _fold(o.subgroup_name))

    sort_keys = {
        "contribution": lambda o: (*own_first(o), board_order.get(o.detail, len(board_order)), _fold(o.text), o.id),
        "need": lambda o: (*own_first(o), _fold(o.detail), _fold(o.text), o.id),
        "persona": lambda o: (*own_first(o), _fold(o.text), o.id),
    }
    groups: dict[str, list[SourceOption]] = {kind: [] for kind in SOURCE_KINDS}
    for option in options:
        if option.kind in groups:
            groups[option.kind].append(option)
    return {kind: sorted(found, key=sort_keys[kind]) for kind, found in groups.items()}


def _fold(text: str) -> str:
    """Text as sorted by a reader: case and accents aside (« Écoute » next to « ecole »)."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()


def _live_recs(s: Session, session_id: int) -> list[m.Recommendation]:
    return list(s.execute(select(m.Recommendation).where(
        m.Recommendation.session_id == session_id, m.Recommendation.deleted_at.is_(None),
        m.Recommendation.merged_into_id.is_(None)).order_by(m.Recommendation.id)).scalars())


def _earlier_retained(s: Session, session_id: int) -> list[m.Recommendation]:
    session = s.get(m.WorkshopSession, session_id)
    earlier = theme_process.earlier_session_ids(s, session) if session is not None else []
    if not earlier:
        return []
    rank = {ident: i for i, ident in enumerate(earlier)}
    recs = s.execute(select(m.Recommendation).where(
        m.Recommendation.session_id.in_(earlier), m.Recommendation.deleted_at.is_(None),
        m.Recommendation.merged_into_id.is_(None), m.Recommendation.retained.is_(True))).scalars().all()
    return sorted(recs, key=lambda r: (rank[r.session_id], r.id))


def recommendations_snapshot(session_id: int) -> RecommendationsSnapshot:
    """The session's recommendations (duplicates merged away), what may be cited (also on the
    earlier dates of its theme) and the recommendations retained on those earlier dates."""
    session_id = v.clean_id(session_id)
    with db.read_session() as s:
        return RecommendationsSnapshot(session_id, tuple(_load_views(s, _live_recs(s, session_id))),
                                       tuple(_source_options(s, session_id)),
                                       tuple(_load_views(s, _earlier_retained(s, session_id))))


def list_recommendations(session_id: int) -> list[RecommendationView]:
    return list(recommendations_snapshot(session_id).items)


def trail(recommendation_id: Any) -> Trail:
    """The findings, needs (each with its persona and solution leads) and personas a
    recommendation cites, including those of the duplicates merged into it."""
    with db.read_session() as s:
        rec = e.get_live(s, m.Recommendation, recommendation_id, field="recommendation_id")
        view = _load_views(s, [rec])[0]
        session = e.get_row(s, m.WorkshopSession, rec.session_id)
        names = dict(s.execute(select(m.Subgroup.id, m.Subgroup.name).where(m.Subgroup.session_id.in_(
            [rec.session_id, *theme_process.earlier_session_ids(s, session)]))).all())
        srcs = s.execute(select(m.RecommendationSource).where(m.RecommendationSource.recommendation_id == rec.id)
                         .order_by(m.RecommendationSource.id)).scalars().all()
        findings = []
        for cid in [x.contribution_id for x in srcs if x.contribution_id]:
            c = s.get(m.Contribution, cid)
            if c is not None and c.deleted_at is None:
                findings.append(TrailFinding(c.id, c.kind, c.category, c.text, names.get(c.subgroup_id or 0, ""),
                                             c.session_id))
        needs, persona_ids, cited = [], [], set()
        for nid in [x.canvas_item_id for x in srcs if x.canvas_item_id]:
            item = s.get(m.CanvasItem, nid)
            if item is None or item.deleted_at is not None:
                continue
            persona = e.get_row(s, m.Persona, item.persona_id)
            leads = s.execute(select(m.SolutionLead.text).where(m.SolutionLead.need_id == item.id,
                                                                m.SolutionLead.deleted_at.is_(None))
                              .order_by(m.SolutionLead.id)).scalars().all()
            needs.append(TrailNeed(item.id, item.text, item.category, persona.id, persona.name, tuple(leads),
                                   theme_process.dated_session(item.session_id, persona.session_id)))
            persona_ids.append(persona.id)
        for pid in [x.persona_id for x in srcs if x.persona_id]:
            cited.add(pid)
            persona_ids.insert(0, pid)
        personas, seen = [], set()
        for pid in persona_ids:
            p = s.get(m.Persona, pid)
            if pid in seen or p is None or p.deleted_at is not None:
                continue
            seen.add(pid)
            personas.append(TrailPersona(p.id, p.name, p.age, p.origin, tuple(p.facts or ()), pid in cited,
                                         p.session_id))
        return Trail(view, tuple(findings), tuple(needs), tuple(personas))


def trail_for(actor: Actor, recommendation_id: Any) -> Trail:
    """``trail()`` for someone allowed to read it: a participant of the same session or of a later
    date of its theme, staff of the event (admins: any)."""
    with db.read_session() as s:
        rec = e.get_live(s, m.Recommendation, recommendation_id, field="recommendation_id")
        scope = e.read_scope(s, rec)
    permissions.require(actor, ("recommendation", "read"), scope)
    return trail(recommendation_id)


# --- writes -----------------------------------------------------------------------------------

def _clean_sources(s: Session, actor: Actor, session: m.WorkshopSession,
                   sources: Iterable[Any]) -> list[tuple[str, int]]:
    """The sources as cited: each a live finding, need or persona of the session or of an earlier
    date of its theme (never a later date, never another theme: ``error.source_not_in_session``)."""
    out: list[tuple[str, int]] = []
    allowed: set[int] | None = None

    def in_process(session_id: int | None) -> bool:
        nonlocal allowed
        if allowed is None:
            allowed = {session.id, *theme_process.earlier_session_ids(s, session)}
        return session_id in allowed

    for raw in sources or ():
        kind, ident = parse_source_key(raw)
        if not isinstance(kind, str) or kind not in SOURCE_KINDS:
            raise ValidationError("error.invalid_choice", field="sources", value=str(kind)[:40])
        parsed = v.parse_id(ident)
        if parsed is None:
            raise ValidationError("error.source_not_in_session", field="sources")
        ident = parsed
        if kind == "contribution":
            c = s.get(m.Contribution, ident)
            ok = c is not None and c.deleted_at is None and in_process(c.session_id)
            if c is not None and ok and actor.is_participant and session.contributions_hidden \
                    and c.session_id == session.id and c.subgroup_id != actor.subgroup_id:
                ok = False  # not visible to this sub-group yet
        elif kind == "need":
            item = s.get(m.CanvasItem, ident)
            persona = e.get_row(s, m.Persona, item.persona_id) if item is not None else None
            ok = (item is not None and item.kind == "need" and item.deleted_at is None and persona is not None
                  and persona.deleted_at is None and in_process(persona.session_id))
        else:
            p = s.get(m.Persona, ident)
            ok = p is not None and p.deleted_at is None and in_process(p.session_id)
        if not ok:
            raise ValidationError("error.source_not_in_session", field="sources")
        if (kind, ident) not in out:
            out.append((kind, ident))
    if not out:
        raise ValidationError("error.sources_required", field="sources")
    if len(out) > SOURCES_MAX:
        raise ValidationError("error.too_many", field="sources", max=SOURCES_MAX)
    return out


def _add_sources(s: Session, actor: Actor, rec: m.Recommendation, sources: list[tuple[str, int]]) -> None:
    scope = e.scope_of(s, rec)
    column = {"contribution": "contribution_id", "need": "canvas_item_id", "persona": "persona_id"}
    for kind, ident in sources:
        row = m.RecommendationSource(recommendation_id=rec.id, **{column[kind]: ident})
        s.add(row)
        s.flush()
        e.record(s, actor, "link", "recommendation_source", row.id, scope,
                 after={"recommendation_id": rec.id, "kind": kind, "id": ident})


def _existing_sources(s: Session, rec_id: int) -> list[tuple[str, int]]:
    out: list[tuple[str, int]] = []
    for x in s.execute(select(m.RecommendationSource).where(m.RecommendationSource.recommendation_id == rec_id)
                       .order_by(m.RecommendationSource.id)).scalars():
        out.append(("contribution", x.contribution_id) if x.contribution_id else
                   ("need", x.canvas_item_id) if x.canvas_item_id else ("persona", x.persona_id or 0))
    return out


def _event_of(s: Session, session: m.WorkshopSession) -> m.Event | None:
    """The event of a session (its levels of power: ``core.territory``)."""
    return s.execute(select(m.Event).join(m.Theme, m.Theme.event_id == m.Event.id)
                     .where(m.Theme.id == session.theme_id)).scalar_one_or_none()


def create_recommendation(actor: Actor, session_id: Any, title: str, level: str, text: str = "", public: str = "",
                          sources: Iterable[Any] = (), subgroup_id: int | None = None) -> dict:
    """A recommendation of a sub-group (or of the facilitator), citing at least one source."""
    def _create(s: Session) -> m.Recommendation:
        session = e.get_live(s, m.WorkshopSession, session_id, field="session_id")
        flow.check_stage(actor, session, "recommendations")
        group = actor.subgroup_id if actor.is_participant else subgroup_id
        rec = e.create_in(s, actor, "recommendation", session_id=session.id, subgroup_id=group, title=title,
                          text=text, level=territory.check_level(_event_of(s, session), level), public=public)
        _add_sources(s, actor, rec, _clean_sources(s, actor, session, sources))
        return rec
    return e.run_write(_create)


def edit_recommendation(actor: Actor, rec_id: Any, seen_version: int | None, sources: Iterable[Any] | None = None,
                        **changes: Any) -> dict:
    """Edit wording, level, public (and the sources when given). Participants edit their own
    sub-group's recommendations during stage 2; the facilitator edits any."""
    if "retained" in changes:
        raise PermissionDenied()  # retaining is the facilitator's decision: set_retained

    def _edit(s: Session) -> m.Recommendation:
        rec = e.get_live(s, m.Recommendation, rec_id, field="recommendation_id")
        session = e.get_row(s, m.WorkshopSession, rec.session_id)
        flow.check_stage(actor, session, "recommendations")
        if rec.merged_into_id is not None:
            raise Conflict("error.already_merged")
        if seen_version is not None and rec.version != seen_version:
            raise StaleEdit(current=e.snapshot(rec), seen_version=seen_version, version=rec.version)
        if "level" in changes:   # one of the event's levels, or the one it already has
            changes["level"] = territory.check_level(_event_of(s, session), changes["level"], rec.level)
        if changes:
            rec = e.update_in(s, actor, "recommendation", rec.id, None, **changes)
        if sources is not None:
            wanted = _clean_sources(s, actor, session, sources)
            e.check_can_write(actor, e.scope_of(s, rec), "recommendation")
            existing = _existing_sources(s, rec.id)
            if wanted != existing:
                s.execute(sql_delete(m.RecommendationSource).where(m.RecommendationSource.recommendation_id == rec.id))
                e.record(s, actor, "unlink_all", "recommendation_source", rec.id, e.scope_of(s, rec),
                         before={"sources": [list(x) for x in existing]})
                _add_sources(s, actor, rec, wanted)
        return rec
    return e.run_write(_edit)


def set_retained(actor: Actor, rec_id: Any, retained: bool = True) -> dict:
    """Retain a recommendation for stage 3 (the facilitator's decision, usually after the vote)."""
    def _set(s: Session) -> m.Recommendation:
        rec = e.get_live(s, m.Recommendation, rec_id, field="recommendation_id")
        session = e.get_row(s, m.WorkshopSession, rec.session_id)
        flow.check_facilitator(s, actor, session, ("recommendation", "retain"))
        flow.check_stage(actor, session, None)
        return e.update_in(s, actor, "recommendation", rec.id, None, retained=bool(retained))
    return e.run_write(_set)


def delete_recommendation(actor: Actor, rec_id: Any) -> dict:
    def _delete(s: Session) -> m.Recommendation:
        rec = e.get_live(s, m.Recommendation, rec_id, field="recommendation_id")
        flow.check_stage(actor, e.get_row(s, m.WorkshopSession, rec.session_id), "recommendations")
        return e.delete_in(s, actor, "recommendation", rec.id)
    return e.run_write(_delete)


def merge_recommendations(actor: Actor, keep_id: Any, duplicate_id: Any, title: str | None = None,
                          text: str | None = None) -> dict:
    """Merge a duplicate into ``keep_id`` (facilitator). The duplicate is kept, marked merged,
    with its text in the activity history; its sources, dots and plans move to the kept one.
    ``title``/``text`` optionally reword the kept recommendation in the same step."""
    def _merge(s: Session) -> m.Recommendation:
        keep = e.get_live(s, m.Recommendation, keep_id, field="keep_id")
        dup = e.get_live(s, m.Recommendation, duplicate_id, field="duplicate_id")
        if keep.id == dup.id:
            raise ValidationError("error.merge_same", field="duplicate_id")
        if keep.session_id != dup.session_id:
            raise ValidationError("error.source_not_in_session", field="duplicate_id")
        if keep.merged_into_id is not None or dup.merged_into_id is not None:
            raise Conflict("error.already_merged")
        session = flow.lock_session(s, keep.session_id)
        scope = flow.check_facilitator(s, actor, session, ("recommendation", "merge"))
        flow.check_stage(actor, session, None)
        if session.vote_status == "open":
            raise Conflict("error.merge_during_vote")
        before_keep, before_dup = e.snapshot(keep), e.snapshot(dup)
        changes = {k: v for k, v in (("title", title), ("text", text)) if v is not None}
        if changes:
            keep = e.update_in(s, actor, "recommendation", keep.id, None, **changes)
        dup.merged_into_id = keep.id
        keep.retained = bool(keep.retained or dup.retained)
        have = _existing_sources(s, keep.id)
        _add_sources(s, actor, keep, [x for x in _existing_sources(s, dup.id) if x not in have])
        s.execute(sql_update(m.Vote).where(m.Vote.recommendation_id == dup.id).values(recommendation_id=keep.id))
        s.execute(sql_update(m.ImplementationPlan).where(m.ImplementationPlan.recommendation_id == dup.id)
                  .values(recommendation_id=keep.id))
        s.flush()
        e.record(s, actor, "merge", "recommendation", dup.id, scope, before=before_dup, after=e.snapshot(dup))
        e.record(s, actor, "merge", "recommendation", keep.id, scope, before=before_keep,
                 after={**e.snapshot(keep), "merged_from": before_dup})
        return keep
    return e.run_write(_merge)


def history(rec_id: Any) -> list[dict]:
    """The activity rows of a recommendation (and of those merged into it), oldest first."""
    with db.read_session() as s:
        rec_id = v.clean_id(rec_id, "recommendation_id")
        ids = [rec_id] + list(s.execute(select(m.Recommendation.id)
                                        .where(m.Recommendation.merged_into_id == rec_id)).scalars())
        rows = s.execute(select(m.Activity).where(m.Activity.entity_type == "recommendation",
                                                  m.Activity.entity_id.in_(ids)).order_by(m.Activity.id)).scalars()
        return [{"action": a.action, "entity_id": a.entity_id, "actor": a.actor_label, "at": a.at,
                 "before": a.before, "after": a.after} for a in rows]


__all__ = ["RecommendationView", "RecommendationsSnapshot", "SourceOption", "SourceRef", "Trail", "citable_sources",
           "create_recommendation", "delete_recommendation", "edit_recommendation", "history",
           "list_recommendations", "merge_recommendations", "parse_source_key", "recommendations_snapshot",
           "set_retained", "source_key", "sources_by_kind", "trail", "trail_for"]
