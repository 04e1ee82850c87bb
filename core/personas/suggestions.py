"""Resource suggestions for a need, and resources created inline from a canvas.

A need's suggestions rank the live inventory by two signals:

- how often other canvases linked the resource (through a solution lead) to a similar need —
  similarity is rapidfuzz's ``token_set_ratio`` on normalised text without filler words, so
  "Trouver un logement" is close to "Logement" and to "Amélioration ... du logement";
  each similar need counts for its similarity (1.0 for an identical text);
- whether the resource is in the need's category (a bonus worth 1.5 similar needs, so a
  housing resource nobody linked yet still shows for a housing need), and how squarely its own
  text (acronym, name, description) speaks of that category (up to ``FIT_BONUS`` more: for
  "garde d'enfants" the ONE, all about early childhood, before an AMO, a youth service that also
  does legal and social help);
- and, more lightly (0.5), whether the resource's own name says what the need says
  ("Médiation de dettes" for a need "Médiation de dettes").

Only the resources an event may draw on are candidates (``territory``: its territory's and those
valid everywhere, ``core.resources.inventory.in_territory``): a Geneva need is never offered a
Brussels-only service. Resources of the need's own category come first, best first; then the others (linked to similar
needs, or named like the need). Each suggestion says why, as a message key and its parameters
("linked to 3 similar needs").

The need corpus (one SQL query: need texts with their linked resource ids) is cached per
database. Typing in a need box costs one indexed query (the latest activity row) and one
rapidfuzz pass; when the activity log moved on, only the needs it names are read again.
"""
from __future__ import annotations

import threading
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from rapidfuzz import fuzz, process
from sqlalchemy import select
from sqlalchemy.orm import Session

from core import entities as e
from core import validation as v
from core.actor import Actor
from core.errors import Conflict
from core.personas.canvas import link_resource_in
from core.resources.categories import CATEGORIES, normalise, rank_categories, suggest_category
from core.resources.inventory import compact, in_territory, partner_label
from core.setup.events import event_levels_in
from storage import db
from storage import models as m

__all__ = ["CATEGORY_BONUS", "FIT_BONUS", "SIMILARITY_CUTOFF", "Suggestion", "category_fit",
           "create_resource_inline", "similarity_text", "suggest_resources", "territory_of_persona"]

SIMILARITY_CUTOFF = 70     # rapidfuzz score (0-100) from which two needs count as similar
CATEGORY_BONUS = 1.5
FIT_BONUS = 0.5            # times the share of a resource's own text that speaks of its category
NAME_CUTOFF = 90           # rapidfuzz score from which a resource's name matches the need
NAME_BONUS = 0.5

# Words that say nothing about what a need is (French, Dutch, English).
_FILLER = frozenset("""
a au aux avec ce ces cet cette d de des du en et il elle la le les l leur leurs ma mes mon ne pas par plus pour
qu que qui s sa se ses son sur un une y avoir etre faire trouver besoin besoins aide aider obtenir acceder acces
chercher recherche meilleur meilleure bon bonne nouveau nouvelle
de het een en van voor met op in te aan naar zijn haar hun nood nodig hulp vinden zoeken krijgen hebben
the an and of to for with in on at his her their need needs help find get getting looking having be some
""".split())


@dataclass(frozen=True)
class Suggestion:
    resource_id: int
    acronym: str
    name: str
    category: str
    score: float
    reason_key: str
    reason_params: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)

    @property
    def label(self) -> str:
        return partner_label(self.acronym, self.name)


def similarity_text(text: str) -> str:
    """The words of a need that carry its meaning: "Trouver un logement" -> "logement"."""
    return " ".join(w for w in normalise(text).split() if w not in _FILLER)


# --- the need corpus, cached per database and kept up to date from the activity log ---------

@dataclass(frozen=True)
class _Corpus:
    cursor: tuple[Any, ...]                                  # the latest activity row seen: (id, at)
    built_at: float                                          # time.monotonic() of the last full load
    per_need: dict[int, tuple[int, str, frozenset[int]]]     # need id -> (persona id, similarity text, resources)
    by_text: dict[str, frozenset[int]]                       # similarity text -> need ids
    texts: list[str]                                         # the distinct similarity texts (rapidfuzz choices)
    resources: dict[int, tuple[str, str, str]]               # live resource id -> (acronym, name, category)
    resource_ids: list[int]                                  # live resources, in the order of resource_texts
    resource_texts: list[str]                                # their similarity texts (acronym and name)
    fit: dict[int, float]                                    # live resource id -> category_fit of its text
    territory: dict[int, str | None]                         # live resource id -> its territory


_cache: dict[str, _Corpus] = {}
_cache_lock = threading.Lock()
FULL_RELOAD_S = 600        # a full reload now and then, whatever the log says
LOOKBACK = 200             # activity rows re-read behind the cursor (PostgreSQL commits ids out of order)
MAX_INCREMENT = 5_000      # more changes than this since the last look: reload everything
_CHUNK = 900               # ids per IN (...) list


def _need_rows(s: Session, need_ids: set[int] | None = None) -> dict[int, tuple[int, str, frozenset[int]]]:
    """Live needs with their linked resource ids (one query; all needs, or the given ones)."""
    q = (select(m.CanvasItem.id, m.CanvasItem.persona_id, m.CanvasItem.text, m.LeadResource.resource_id)
         .join(m.Persona, m.Persona.id == m.CanvasItem.persona_id)
         .join(m.SolutionLead, m.SolutionLead.need_id == m.CanvasItem.id)
         .join(m.LeadResource, m.LeadResource.lead_id == m.SolutionLead.id)
         .where(m.CanvasItem.kind == "need", m.CanvasItem.deleted_at.is_(None), m.Persona.deleted_at.is_(None),
                m.SolutionLead.deleted_at.is_(None)))
    if need_ids is None:
        rows = s.execute(q).all()
    else:
        ids = sorted(need_ids)
        rows = [r for i in range(0, len(ids), _CHUNK)
                for r in s.execute(q.where(m.CanvasItem.id.in_(ids[i:i + _CHUNK])))]
    found: dict[int, tuple[int, str, set[int]]] = {}
    for need_id, persona_id, text, resource_id in rows:
        found.setdefault(need_id, (persona_id, text, set()))[2].add(resource_id)
    return {nid: (pid, similarity_text(text), frozenset(rids)) for nid, (pid, text, rids) in found.items()}


def category_fit(text: str, category: str) -> float:
    """How squarely a resource's text speaks of ``category``, 0-1: the share of the category hints
    found in it (``core.resources.categories.rank_categories``) that point to that category."""
    hints = rank_categories(text)
    total = sum(h.score for h in hints)
    return sum(h.score for h in hints if h.code == category) / total if total else 0.0


_Resources = tuple[dict[int, tuple[str, str, str]], list[int], list[str], dict[int, float], dict[int, str | None]]


def _resources(s: Session) -> _Resources:
    rows = s.execute(select(m.Resource.id, m.Resource.acronym, m.Resource.name, m.Resource.category,
                            m.Resource.description, m.Resource.territory)
                     .where(m.Resource.deleted_at.is_(None), m.Resource.merged_into_id.is_(None))).all()
    resources = {r.id: (r.acronym, r.name, r.category) for r in rows}
    fit = {r.id: category_fit(f"{r.acronym} {r.name} {r.description}", r.category) for r in rows}
    ids = list(resources)
    return (resources, ids, [similarity_text(f"{resources[rid][0]} {resources[rid][1]}") for rid in ids], fit,
            {r.id: r.territory for r in rows})


def _assemble(cursor: tuple[Any, ...], built_at: float, per_need: dict[int, tuple[int, str, frozenset[int]]],
              resources: _Resources) -> _Corpus:
    by_text: dict[str, set[int]] = {}
    for need_id, (_pid, text, _rids) in per_need.items():
        if text:
            by_text.setdefault(text, set()).add(need_id)
    frozen = {text: frozenset(ids) for text, ids in by_text.items()}
    return _Corpus(cursor, built_at, per_need, frozen, list(frozen), *resources)


def _changed_needs(s: Session, changes: Sequence[Any]) -> tuple[set[int], bool]:
    """The needs whose corpus entry may have changed, and whether a resource changed."""
    need_ids: set[int] = set()
    lead_ids: set[int] = set()
    persona_ids: set[int] = set()
    resources_changed = False
    for entity_type, entity_id, before, after in changes:
        snaps = [x for x in (before, after) if isinstance(x, dict)]
        if entity_type == "canvas_item" and any(x.get("kind") == "need" for x in snaps):
            need_ids.add(entity_id)
        elif entity_type == "solution_lead":
            need_ids |= {x["need_id"] for x in snaps if x.get("need_id") is not None}
        elif entity_type == "lead_resource" and entity_id is not None:
            lead_ids.add(entity_id)
        elif entity_type == "persona" and entity_id is not None:
            persona_ids.add(entity_id)
        elif entity_type == "resource":
            resources_changed = True
    for ids, q in ((lead_ids, lambda chunk: select(m.SolutionLead.need_id).where(m.SolutionLead.id.in_(chunk))),
                   (persona_ids, lambda chunk: select(m.CanvasItem.id).where(m.CanvasItem.persona_id.in_(chunk),
                                                                             m.CanvasItem.kind == "need"))):
        ordered = sorted(ids)
        for i in range(0, len(ordered), _CHUNK):
            need_ids |= set(s.execute(q(ordered[i:i + _CHUNK])).scalars())
    return need_ids, resources_changed


def _corpus() -> _Corpus:
    """The need corpus of the database in use: loaded once, then patched with the needs the
    activity log says changed (so a busy workshop does not reload 100,000 items on every write)."""
    url = db.database_url()
    with db.read_session() as s:
        latest = tuple(s.execute(select(m.Activity.id, m.Activity.at).order_by(m.Activity.id.desc()).limit(1)).first()
                       or ())
        with _cache_lock:
            cached = _cache.get(url)
        if cached is not None and cached.cursor == latest:
            return cached
        corpus = None
        if (cached is not None and cached.cursor and latest and time.monotonic() - cached.built_at < FULL_RELOAD_S
                and s.execute(select(m.Activity.at).where(m.Activity.id == cached.cursor[0])).scalar()
                == cached.cursor[1]):
            changes = s.execute(
                select(m.Activity.entity_type, m.Activity.entity_id, m.Activity.before, m.Activity.after)
                .where(m.Activity.id > cached.cursor[0] - LOOKBACK, m.Activity.id <= latest[0])
                .limit(MAX_INCREMENT + LOOKBACK + 1)
            ).all()
            if len(changes) <= MAX_INCREMENT:
                need_ids, resources_changed = _changed_needs(s, changes)
                per_need = dict(cached.per_need)
                for need_id in need_ids:
                    per_need.pop(need_id, None)
                per_need.update(_need_rows(s, need_ids) if need_ids else {})
                resources = _resources(s) if resources_changed else (
                    cached.resources, cached.resource_ids, cached.resource_texts, cached.fit, cached.territory)
                corpus = _assemble(latest, cached.built_at, per_need, resources)
        if corpus is None:  # first use, a restored or emptied database, a long pause, a big import
            corpus = _assemble(latest, time.monotonic(), _need_rows(s), _resources(s))
    with _cache_lock:  # last writer wins: an older corpus is simply patched again on the next call
        _cache[url] = corpus
    return corpus


# --- suggestions ----------------------------------------------------------------------------

def territory_of_persona(persona_id: Any) -> str | None:
    """The territory of a persona's event (what its canvas may draw on), or None when unknown."""
    with db.read_session() as s:
        ident = v.parse_id(persona_id)
        session_id = s.execute(select(m.Persona.session_id).where(m.Persona.id == ident)).scalar() \
            if ident is not None else None
        return event_levels_in(s, session_id).territory if session_id is not None else None


def suggest_resources(need_text: str, category: str | None, exclude_persona_id: int | None = None,
                      limit: int = 5, exclude_resource_ids: Iterable[int] = (),
                      territory: str | None = None) -> list[Suggestion]:
    """Inventory resources for a need, best first, each with the reason it is suggested.

    ``exclude_persona_id``: the persona being edited (its own links prove nothing);
    ``exclude_resource_ids``: resources already linked to this need; ``territory``: the event's
    (only its resources and those valid everywhere; None: every resource). Without a category,
    the category suggested from the text is used."""
    category = category if category in CATEGORIES else suggest_category(need_text or "")
    corpus = _corpus()
    excluded = set(exclude_resource_ids)
    weight: dict[int, float] = {}
    needs_count: dict[int, int] = {}
    query = similarity_text(need_text or "")
    if query and corpus.texts:
        matches = process.extract(query, corpus.texts, scorer=fuzz.token_set_ratio,
                                  score_cutoff=SIMILARITY_CUTOFF, limit=None)
        for text, score, _index in matches:
            for need_id in corpus.by_text[text]:
                persona_id, _text, resource_ids = corpus.per_need[need_id]
                if exclude_persona_id is not None and persona_id == exclude_persona_id:
                    continue
                for rid in resource_ids:
                    weight[rid] = weight.get(rid, 0.0) + score / 100
                    needs_count[rid] = needs_count.get(rid, 0) + 1
    named: set[int] = set()
    if query and corpus.resource_texts:
        for _text, _score, index in process.extract(query, corpus.resource_texts, scorer=fuzz.token_set_ratio,
                                                    score_cutoff=NAME_CUTOFF, limit=None):
            named.add(corpus.resource_ids[index])
    candidates = set(weight) | named
    if category:
        candidates |= {rid for rid, (_a, _n, cat) in corpus.resources.items() if cat == category}
    suggestions: list[Suggestion] = []
    for rid in candidates - excluded:
        if rid not in corpus.resources:
            continue  # deleted or merged since it was linked
        if not in_territory(corpus.territory.get(rid), territory):
            continue  # another territory's service
        acronym, name, cat = corpus.resources[rid]
        same = bool(category) and cat == category
        count = needs_count.get(rid, 0)
        score = (weight.get(rid, 0.0) + (CATEGORY_BONUS + FIT_BONUS * corpus.fit.get(rid, 0.0) if same else 0.0)
                 + (NAME_BONUS if rid in named else 0.0))
        if count and same:
            reason, params = "canvas_rules.reason.similar_needs_same_category", {"count": count}
        elif count:
            reason, params = "canvas_rules.reason.similar_needs", {"count": count}
        elif rid in named:
            reason, params = "canvas_rules.reason.name_match", {}
        else:
            reason, params = "canvas_rules.reason.same_category", {}
        suggestions.append(Suggestion(rid, acronym, name, cat, round(score, 3), reason, params))
    # the need's own category first, then the best score, then alphabetically
    suggestions.sort(key=lambda x: (not (category and x.category == category), -x.score,
                                    normalise(x.acronym or x.name), x.resource_id))
    return suggestions[:max(limit, 0)]


# --- inline creation ------------------------------------------------------------------------

def _same_resource(s: Session, name: str, acronym: str, territory: str | None = None) -> m.Resource | None:
    name_key, acronym_key = compact(name) or name.strip(), compact(acronym)
    for r in s.execute(select(m.Resource).where(m.Resource.deleted_at.is_(None),
                                                m.Resource.merged_into_id.is_(None))).scalars():
        if not in_territory(r.territory, territory):
            continue  # another territory's service of the same name is another service
        if (compact(r.name) or r.name.strip()) == name_key or (acronym_key and compact(r.acronym) == acronym_key):
            return r
    return None


def _territory_in(s: Session, subgroup_id: Any, lead_id: Any) -> str | None:
    """The territory of the event a sub-group (or a lead's persona) works in: a resource added from
    its canvas belongs there. None when neither says."""
    session_id = None
    lead, group = v.parse_id(lead_id), v.parse_id(subgroup_id)
    if lead is not None:
        session_id = s.execute(select(m.Persona.session_id).join(m.CanvasItem, m.CanvasItem.persona_id == m.Persona.id)
                               .join(m.SolutionLead, m.SolutionLead.need_id == m.CanvasItem.id)
                               .where(m.SolutionLead.id == lead)).scalar()
    if session_id is None and group is not None:
        session_id = s.execute(select(m.Subgroup.session_id).where(m.Subgroup.id == group)).scalar()
    return event_levels_in(s, session_id).territory if session_id is not None else None


def create_resource_inline(actor: Actor, subgroup_id: int | None, name: str, category: str | None = None,
                           acronym: str = "", description: str = "", url: str = "",
                           lead_id: int | None = None) -> dict[str, Any]:
    """A sub-group adds a resource from its canvas: it joins the shared inventory, marked as added
    by that sub-group, and (with ``lead_id``) is linked to the solution lead in the same
    transaction. A resource that is already in the inventory (same name, or same acronym once
    dots and case are ignored) is refused with ``error.resource_already_listed`` so the user
    links the existing one."""
    def _create(s: Session) -> m.Resource:
        where = _territory_in(s, subgroup_id, lead_id)
        existing = _same_resource(s, name or "", acronym or "", where)
        if existing is not None:
            raise Conflict("error.resource_already_listed", field="name", resource_id=existing.id,
                           label=partner_label(existing.acronym, existing.name))
        chosen = category or suggest_category(f"{acronym} {name} {description}") or "other"
        resource = e.create_in(s, actor, "resource", name=name, category=chosen, acronym=acronym,
                               description=description, url=url, added_by_subgroup_id=subgroup_id,
                               territory=where)
        if lead_id is not None:
            link_resource_in(s, actor, lead_id, resource.id)
        return resource
    return e.run_write(_create)
