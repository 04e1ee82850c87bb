"""The shared resource inventory: search, glossary, edits, merging duplicates, and CSV import and
export in a flat Open Referral (HSDS) shape.

Organisers (and admins) edit the inventory; everyone reads it. Sub-groups enrich it from their
canvas (``core.personas.suggestions.create_resource_inline``). Every write goes through the entity rules
of ``core.entities`` and appends ``activity`` rows in the same transaction.

HSDS mapping (one row = one service of one organisation at one location):

    organization_name -> organisation_name     alternate_name -> acronym
    service_name      -> service_name          address_1      -> address
    name, description, category, url, email, phone, contact_name -> the same fields
    city, postal_code and every other column   -> ``extra`` (nothing is lost; exported back)
    territory (an Atelier column, not HSDS)     -> territory: a preset key of ``core.territory``
                                                  ("ch-ge") or its name in any language; empty
                                                  on export for a resource valid everywhere

Territories: a resource with a territory is offered to the events of that territory; one without
(None) to every event. ``search_resources(territory=...)`` and ``glossary(territory=...)`` read what
an event of that territory sees; ``EVERYWHERE`` asks for the resources without a territory only.
"""
from __future__ import annotations

import csv
import functools
import io
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from rapidfuzz import fuzz, process
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from core import entities as e
from core import permissions
from core import territory as territories
from core import validation as v
from core.actor import Actor
from core.errors import AtelierError, NotFound, PermissionDenied, ValidationError
from core.i18n import LANGUAGES, translate
from core.resources.categories import CATEGORIES, normalise, suggest_category
from storage import db
from storage import models as m

__all__ = [
    "DuplicatePair", "EVERYWHERE", "EXPORT_COLUMNS", "GlossaryEntry", "HSDS_COLUMNS", "ImportProblem", "ImportReport",
    "MergeReport", "ResourceView", "add_resource", "can_edit_inventory", "compact", "export_csv", "find_duplicates",
    "get_resource", "glossary", "import_csv", "in_territory", "lead_partners", "merge_resources", "merge_resources_in",
    "names_partner", "partner_label", "partner_short_label", "resolve_category", "resolve_territory",
    "search_resources", "update_resource",
]

# HSDS flat column -> Resource field; columns mapped to None live in ``extra`` under their own name
HSDS_COLUMNS: dict[str, str | None] = {
    "organization_name": "organisation_name",
    "service_name": "service_name",
    "name": "name",
    "alternate_name": "acronym",
    "description": "description",
    "category": "category",
    "url": "url",
    "email": "email",
    "phone": "phone",
    "address_1": "address",
    "city": None,
    "postal_code": None,
    "contact_name": "contact_name",
    "territory": "territory",
}
EXPORT_COLUMNS = tuple(HSDS_COLUMNS)
EVERYWHERE = "-"          # search_resources(territory=EVERYWHERE): the resources without a territory
NAME_COLUMNS = ("name", "service_name", "organization_name")
# fields a merge copies from a duplicate when the kept resource has them empty
_FILLABLE = ("acronym", "description", "organisation_name", "service_name", "address", "contact_name", "phone",
             "email", "url")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
DUPLICATE_NAME_SCORE = 92
P = TypeVar("P")
IMPORT_MAX_BYTES = 10 * 1024 * 1024
IMPORT_MAX_PROBLEMS = 50


# --- read models ----------------------------------------------------------------------------

class NamedPartner:
    """How a partner is named wherever it is shown (``partner_label``): for the read models that
    carry an ``acronym`` and a ``name``."""

    acronym: str
    name: str

    @property
    def label(self) -> str:
        return partner_label(self.acronym, self.name)

    @property
    def short_label(self) -> str:
        return partner_short_label(self.acronym, self.name)


@dataclass(frozen=True)
class ResourceView(NamedPartner):
    id: int
    acronym: str
    name: str
    category: str
    description: str = ""
    organisation_name: str = ""
    service_name: str = ""
    address: str = ""
    contact_name: str = ""
    phone: str = ""
    email: str = ""
    url: str = ""
    extra: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)
    added_by_subgroup_id: int | None = None
    version: int = 1
    links: int = 0           # how many solution leads use it
    territory: str | None = None   # core.territory preset key; None: offered to every event

    @property
    def full_address(self) -> str:
        town = " ".join(str(self.extra.get(k, "")).strip() for k in ("postal_code", "city")).strip()
        return ", ".join(part for part in (self.address, town) if part)


@dataclass(frozen=True)
class GlossaryEntry:
    acronym: str
    name: str
    description: str
    resource_id: int


@dataclass(frozen=True)
class DuplicatePair:
    keep: ResourceView        # the suggested survivor (more links, then older)
    duplicate: ResourceView
    reason_key: str
    score: int


@dataclass(frozen=True)
class MergeReport:
    kept_id: int
    merged_ids: tuple[int, ...]
    links_moved: int          # links re-pointed to the kept resource
    links_joined: int         # links dropped because the lead already used the kept resource


@dataclass(frozen=True)
class ImportProblem:
    line: int                 # line of the file (the header is line 1); 0 for the whole file
    key: str                  # message key
    params: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)
    column: str = ""


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    skipped: int = 0
    problems: list[ImportProblem] = field(default_factory=list)
    written: bool = False

    @property
    def ok(self) -> bool:
        return not self.problems


# --- helpers --------------------------------------------------------------------------------

def compact(text: str) -> str:
    """An acronym or name reduced to letters and digits: "C.P.A.S." and "cpas" -> "cpas"."""
    return normalise(text).replace(" ", "")


def name_key(text: str) -> str:
    """A name as two resources are "the same" by it: ``normalise``d, or, for a name with no letter
    or digit at all (emoji, punctuation), the name itself, so two such names never collide."""
    return normalise(text) or (text or "").strip()


# --- how a partner service is named (every page, the projector, the booklet) ------------------

def partner_label(acronym: str, name: str) -> str:
    """A partner named once: "AIS — Agence immobilière sociale" when it has an acronym that is not
    its name; otherwise its name ("Delta"), or its acronym when it has no name."""
    acronym, name = (acronym or "").strip(), (name or "").strip()
    if acronym and name and compact(acronym) != compact(name):
        return f"{acronym} — {name}"
    return name or acronym


def partner_short_label(acronym: str, name: str) -> str:
    """A partner in a list of several (a lead's partners): its acronym, or its name."""
    return (acronym or "").strip() or (name or "").strip()


def names_partner(text: str, acronym: str, name: str) -> bool:
    """Whether ``text`` (a solution lead) already names the partner: its acronym or its name, as
    whole words, accents, case and punctuation ignored ("CIRÉ", "Aller au C.P.A.S." for CPAS), or
    a name so close that two resources would be the same ("Maison de quartier" for "Maisons de
    quartier": ``DUPLICATE_NAME_SCORE``)."""
    words = f" {normalise(text)} "
    tokens = f" {' '.join(compact(w) for w in (text or '').split())} "   # "C.P.A.S." is one token, "cpas"
    norm_name, short = normalise(name or ""), compact(acronym or "")
    return bool((norm_name and (f" {norm_name} " in words
                                or fuzz.token_sort_ratio(norm_name, words.strip()) >= DUPLICATE_NAME_SCORE))
                or (short and f" {short} " in tokens))


def lead_partners(lead_text: str, partners: Sequence[P], names: Callable[[P], tuple[str, str]]) -> list[P]:
    """The partners to show after a lead: those its text does not already name, so "CIRÉ" linked to
    the CIRÉ reads "CIRÉ", not "CIRÉ (CIRÉ)". ``names(partner)`` gives its (acronym, name)."""
    return [p for p in partners if not names_partner(lead_text, *names(p))]


def can_edit_inventory(actor: Actor | None) -> bool:
    """Organisers and admins edit the inventory (and the command line, as the system):
    ``core.permissions`` ("inventory", "edit")."""
    return permissions.allowed(actor, ("inventory", "edit"))


def _require_editor(actor: Actor) -> None:
    if not can_edit_inventory(actor):
        raise PermissionDenied()


def _view(r: m.Resource, links: int = 0) -> ResourceView:
    return ResourceView(r.id, r.acronym, r.name, r.category, r.description, r.organisation_name, r.service_name,
                        r.address, r.contact_name, r.phone, r.email, r.url, dict(r.extra or {}),
                        r.added_by_subgroup_id, r.version, links, r.territory)


def _live_views(s: Session) -> list[ResourceView]:
    live_leads = select(m.SolutionLead.id).where(m.SolutionLead.deleted_at.is_(None))
    counts = dict(s.execute(
        select(m.LeadResource.resource_id, func.count()).where(m.LeadResource.lead_id.in_(live_leads))
        .group_by(m.LeadResource.resource_id)
    ).all())
    rows = s.execute(
        select(m.Resource).where(m.Resource.deleted_at.is_(None), m.Resource.merged_into_id.is_(None))
    ).scalars().all()
    views = [_view(r, int(counts.get(r.id, 0))) for r in rows]
    views.sort(key=lambda x: (normalise(x.acronym or x.name), normalise(x.name), x.id))
    return views


@functools.cache
def _category_aliases() -> dict[str, str]:
    """Normalised code or label (in every language) -> category code."""
    aliases: dict[str, str] = {}
    for code in CATEGORIES:
        aliases[normalise(code)] = code
        for lang in LANGUAGES:
            aliases[normalise(translate(lang, f"category.{code}"))] = code
    return aliases


def resolve_category(value: str, fallback_text: str = "") -> tuple[str, bool]:
    """A category code from a code, a label in any language, or free text; (code, exact)."""
    norm = normalise(value)
    if norm:
        code = _category_aliases().get(norm)
        if code:
            return code, True
    return suggest_category(value) or suggest_category(fallback_text) or "other", not norm


# --- reads ----------------------------------------------------------------------------------

def in_territory(resource_territory: str | None, territory: str | None) -> bool:
    """Whether a resource is offered where ``territory`` asks: None asks for every resource, a
    preset key for that territory's and those valid everywhere, ``EVERYWHERE`` for the latter only."""
    if territory is None:
        return True
    if territory == EVERYWHERE:
        return resource_territory is None
    return resource_territory is None or resource_territory == territory


def search_resources(text: str = "", category: str | None = None, territory: str | None = None
                     ) -> list[ResourceView]:
    """Live resources matching every word of ``text`` (acronym, name, description, organisation,
    service; accents and case ignored; "C.P.A.S." finds "CPAS"), the category and the territory
    (``in_territory``), if given. Resources whose acronym or name matches come first, then those
    found by their description."""
    words = [w for w in normalise(text).split() if len(w) > 1]   # "C.P.A.S." is an acronym, not 4 letters
    query_compact = compact(text)
    with db.read_session() as s:
        views = _live_views(s)
    found: list[tuple[int, ResourceView]] = []
    for r in views:
        if category and r.category != category:
            continue
        if not in_territory(r.territory, territory):
            continue
        rank = 0
        if query_compact:
            title = normalise(f"{r.acronym} {r.name}")
            haystack = normalise(" ".join((title, r.description, r.organisation_name, r.service_name)))
            acronym = compact(r.acronym)
            if (acronym and query_compact in acronym) or (words and all(w in title for w in words)):
                rank = 0
            elif words and all(w in haystack for w in words):
                rank = 1
            else:
                continue
        found.append((rank, r))
    return [r for _, r in sorted(found, key=lambda pair: pair[0])]  # stable: alphabetical within a rank


def get_resource(resource_id: Any) -> ResourceView:
    with db.read_session() as s:
        ident = v.parse_id(resource_id)
        r = s.get(m.Resource, ident) if ident is not None else None
        if r is None or r.deleted_at is not None:
            raise NotFound(field="resource_id")
        return _view(r)


def glossary(territory: str | None = None) -> list[GlossaryEntry]:
    """The acronyms of the inventory (of a territory and those valid everywhere, when given:
    ``in_territory``), alphabetically: acronym -> name, description."""
    with db.read_session() as s:
        views = _live_views(s)
    entries = [GlossaryEntry(r.acronym, r.name, r.description, r.id) for r in views
               if r.acronym.strip() and in_territory(r.territory, territory)]
    entries.sort(key=lambda g: (compact(g.acronym), normalise(g.name)))
    return entries


# --- writes ---------------------------------------------------------------------------------

def _clean_extra(extra: dict[str, Any] | None) -> dict[str, str]:
    out: dict[str, str] = {}
    for key, value in (extra or {}).items():
        key = v.clean_text(str(key), "extra", 100, required=False, multiline=False)
        if key:
            out[key] = v.clean_text("" if value is None else str(value), key, 5_000, required=False)
    return out


def _create_resource_in(s: Session, actor: Actor, values: dict[str, Any],
                        extra: dict[str, Any] | None = None) -> m.Resource:
    """``entities.create_in`` for a resource, with its ``extra`` fields in the same activity row."""
    spec = e.SPECS["resource"]
    clean = e._clean_values(s, spec, values, partial=False)
    obj = m.Resource(**{**spec.defaults, **{k: x for k, x in clean.items() if x is not None}})
    obj.extra = _clean_extra(extra)
    scope = e.scope_of(s, obj)
    e.check_can_write(actor, scope, "resource", "create")
    s.add(obj)
    s.flush()
    e.record(s, actor, "create", "resource", obj.id, scope, after=e.snapshot(obj))
    return obj


def _update_resource_in(s: Session, actor: Actor, obj: m.Resource, changes: dict[str, Any],
                        extra: dict[str, Any] | None = None) -> bool:
    spec = e.SPECS["resource"]
    scope = e.scope_of(s, obj)
    e.check_can_write(actor, scope, "resource")
    clean = e._clean_values(s, spec, changes, partial=True)
    before = e.snapshot(obj)
    for key, value in clean.items():
        setattr(obj, key, value if value is not None or key == "territory" else "")
    if extra:
        merged = {**(obj.extra or {}), **_clean_extra(extra)}
        if merged != (obj.extra or {}):
            obj.extra = merged
    if not s.is_modified(obj):
        return False
    s.flush()
    e.record(s, actor, "update", "resource", obj.id, scope, before=before, after=e.snapshot(obj))
    return True


def add_resource(actor: Actor, name: str, category: str = "", acronym: str = "", description: str = "",
                 extra: dict[str, Any] | None = None, **fields: Any) -> dict[str, Any]:
    """An organiser adds a resource to the inventory; an empty category is suggested from the text."""
    _require_editor(actor)
    if not category:
        category = suggest_category(f"{acronym} {name} {description}") or "other"
    values = {"name": name, "category": category, "acronym": acronym, "description": description, **fields}
    return e.run_write(_create_resource_in, actor, values, extra)


def update_resource(actor: Actor, resource_id: Any, seen_version: int | None, **changes: Any) -> dict[str, Any]:
    """Edit a resource; ``seen_version`` is the version the user saw (a stale edit is refused)."""
    return e.update(actor, "resource", resource_id, seen_version, **changes)


def _live_resource(s: Session, ident: Any, field_name: str) -> m.Resource:
    r = e.get_live(s, m.Resource, ident, field=field_name)
    if r.merged_into_id is not None:
        raise NotFound(field=field_name)
    return r


def merge_resources_in(s: Session, actor: Actor, keep_id: Any, duplicate_ids: Iterable[Any]) -> MergeReport:
    _require_editor(actor)
    ids = list(dict.fromkeys(v.parse_id(x) for x in duplicate_ids))
    if None in ids:
        raise NotFound(field="duplicate_ids")
    if not ids:
        raise ValidationError("error.inventory_merge_nothing", field="duplicate_ids")
    keep = _live_resource(s, keep_id, "keep_id")
    if keep.id in ids:
        raise ValidationError("error.inventory_merge_itself", field="duplicate_ids")
    duplicates = [_live_resource(s, i, "duplicate_ids") for i in ids]
    keep_scope = e.scope_of(s, keep)
    keep_before = e.snapshot(keep)
    keep_leads = set(s.execute(select(m.LeadResource.lead_id).where(m.LeadResource.resource_id == keep.id)).scalars())
    moved = joined = 0
    for dup in duplicates:
        dup_before = e.snapshot(dup)
        links = s.execute(select(m.LeadResource).where(m.LeadResource.resource_id == dup.id)).scalars().all()
        moved_ids, joined_ids = [], []
        for link in links:
            lead = s.get(m.SolutionLead, link.lead_id)
            if link.lead_id in keep_leads:
                joined_ids.append(link.lead_id)
            else:
                s.add(m.LeadResource(lead_id=link.lead_id, resource_id=keep.id, created_at=link.created_at))
                keep_leads.add(link.lead_id)
                moved_ids.append(link.lead_id)
            s.delete(link)
            if lead is not None:  # the canvases that show this lead see the change in their activity feed
                e.record(s, actor, "relink", "lead_resource", lead.id, e.scope_of(s, lead),
                         before={"lead_id": lead.id, "resource_id": dup.id},
                         after={"lead_id": lead.id, "resource_id": keep.id})
        for name in _FILLABLE:
            if not (getattr(keep, name) or "").strip() and (getattr(dup, name) or "").strip():
                setattr(keep, name, getattr(dup, name))
        if dup.extra:
            keep.extra = {**dup.extra, **(keep.extra or {})}
        # resources merged earlier into the duplicate now point to the kept one
        s.execute(update(m.Resource).where(m.Resource.merged_into_id == dup.id)
                  .values(merged_into_id=keep.id).execution_options(synchronize_session=False))
        dup.merged_into_id = keep.id
        dup.deleted_at = m.utcnow()
        s.flush()
        e.record(s, actor, "merge", "resource", dup.id, e.scope_of(s, dup), before=dup_before,
                 after={**e.snapshot(dup), "moved_lead_ids": moved_ids, "joined_lead_ids": joined_ids})
        moved += len(moved_ids)
        joined += len(joined_ids)
    s.flush()
    if e.snapshot(keep) != keep_before:  # filled from the duplicates (flushed with them above)
        e.record(s, actor, "update", "resource", keep.id, keep_scope, before=keep_before, after=e.snapshot(keep))
    return MergeReport(keep.id, tuple(d.id for d in duplicates), moved, joined)


def merge_resources(actor: Actor, keep_id: Any, duplicate_ids: Iterable[Any]) -> MergeReport:
    """Merge duplicates into ``keep_id`` in one transaction: every solution lead that used a
    duplicate now uses the kept resource (never twice), empty fields of the kept resource are
    filled from the duplicates, and each duplicate is marked ``merged_into_id`` and soft-deleted."""
    return e.run_write(merge_resources_in, actor, keep_id, list(duplicate_ids))


# --- duplicates -----------------------------------------------------------------------------

def _pair(a: ResourceView, b: ResourceView) -> tuple[ResourceView, ResourceView]:
    return (a, b) if (a.links, -a.id) >= (b.links, -b.id) else (b, a)


def find_duplicates(min_score: int = DUPLICATE_NAME_SCORE) -> list[DuplicatePair]:
    """Pairs of live resources that look like one: the same acronym once dots, spaces and case are
    removed ("CPAS" / "C.P.A.S."), one's acronym as the other's name, or very similar names."""
    with db.read_session() as s:
        views = _live_views(s)
    found: dict[tuple[int, int], DuplicatePair] = {}

    def propose(a: ResourceView, b: ResourceView, reason: str, score: int) -> None:
        if a.territory and b.territory and a.territory != b.territory:
            return   # a Geneva and a Brussels service may share a name: two services
        key = (min(a.id, b.id), max(a.id, b.id))
        if key not in found:
            keep, dup = _pair(a, b)
            found[key] = DuplicatePair(keep, dup, reason, score)

    by_key: dict[str, list[tuple[ResourceView, str]]] = {}
    for r in views:
        for kind, value in (("acronym", compact(r.acronym)), ("name", compact(r.name))):
            if len(value) >= 2:
                by_key.setdefault(value, []).append((r, kind))
    for group in by_key.values():
        for i, (a, kind_a) in enumerate(group):
            for b, kind_b in group[i + 1:]:
                if a.id == b.id:
                    continue
                if kind_a == kind_b == "acronym":
                    reason = "inventory.duplicates.reason.same_acronym"
                elif kind_a == kind_b == "name":
                    reason = "inventory.duplicates.reason.same_name"
                else:
                    reason = "inventory.duplicates.reason.acronym_is_name"
                propose(a, b, reason, 100)
    names = [normalise(r.name) for r in views]
    if len(names) > 1:
        scores = process.cdist(names, names, scorer=fuzz.token_sort_ratio, score_cutoff=min_score, dtype="uint8")
        for i, j in zip(*scores.nonzero()):
            if i >= j:
                continue
            a, b = views[i], views[j]
            acr_a, acr_b = compact(a.acronym), compact(b.acronym)
            if acr_a and acr_b and acr_a != acr_b:
                continue  # "COCOF" and "COCOM": two bodies with close names
            propose(a, b, "inventory.duplicates.reason.similar_name", int(scores[i, j]))
    return sorted(found.values(), key=lambda p: (-p.score, normalise(p.keep.label), p.duplicate.id))


# --- CSV export and import ------------------------------------------------------------------

def _neutralise(value: str) -> str:
    """A cell a spreadsheet would run as a formula is prefixed with an apostrophe."""
    return "'" + value if value.startswith(_FORMULA_START) else value


def _unneutralise(value: str) -> str:
    return value[1:] if value.startswith("'") and value[1:].startswith(_FORMULA_START) else value


def export_csv() -> bytes:
    """The live inventory as CSV (UTF-8 with BOM so spreadsheets read the accents), HSDS columns
    first, then every ``extra`` column."""
    with db.read_session() as s:
        views = _live_views(s)
    extra_columns = sorted({k for r in views for k in r.extra} - set(EXPORT_COLUMNS))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([*EXPORT_COLUMNS, *extra_columns])
    for r in views:
        row = []
        for column in EXPORT_COLUMNS:
            target = HSDS_COLUMNS[column]
            row.append((getattr(r, target) or "") if target else str(r.extra.get(column, "")))
        row += [str(r.extra.get(column, "")) for column in extra_columns]
        writer.writerow([_neutralise(str(cell)) for cell in row])
    return out.getvalue().encode("utf-8-sig")


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            return data.decode("cp1252")  # a spreadsheet saved as "CSV" on Windows
        except UnicodeDecodeError:
            raise ValidationError("inventory.import.error.encoding") from None


def _delimiter(header_line: str) -> str:
    counts = {d: header_line.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


@dataclass
class _Row:
    line: int
    values: dict[str, Any]
    extra: dict[str, str]
    key: tuple[str, str]
    category_given: bool
    clear_territory: bool = False    # the file says "everywhere": the resource loses its territory


@functools.cache
def _territory_aliases() -> dict[str, str]:
    """Normalised key or name (every language) of a territory -> its key; "everywhere" -> EVERYWHERE."""
    aliases = {normalise(EVERYWHERE) or EVERYWHERE: EVERYWHERE}
    for lang in LANGUAGES:
        aliases[normalise(territories.territory_label(None, lang))] = EVERYWHERE
    for key in territories.TERRITORIES:
        aliases[normalise(key)] = key
        aliases[compact(key)] = key
        for lang in LANGUAGES:
            aliases[normalise(territories.territory_label(key, lang))] = key
    return aliases


def resolve_territory(value: str) -> str | None:
    """A territory key from a key ("ch-ge") or a name in any language ("Suisse – Genève");
    ``EVERYWHERE`` for "everywhere" ("Partout", "-"); the value itself when unknown (refused later)."""
    text = (value or "").strip()
    if not text:
        return None
    return _territory_aliases().get(normalise(text)) or _territory_aliases().get(text) or text


def _parse(data: bytes, report: ImportReport) -> list[_Row]:
    if len(data) > IMPORT_MAX_BYTES:
        report.problems.append(ImportProblem(0, "inventory.import.error.too_big",
                                             {"max_mb": IMPORT_MAX_BYTES // 2**20}))
        return []
    try:
        text = _decode(data)
    except ValidationError as err:
        report.problems.append(ImportProblem(0, err.key))
        return []
    if "\x00" in text:
        report.problems.append(ImportProblem(0, "inventory.import.error.not_csv"))
        return []
    if not text.strip():
        report.problems.append(ImportProblem(0, "inventory.import.error.empty"))
        return []
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text.splitlines()[0]))
    try:
        header = [h.strip() for h in next(reader)]
    except csv.Error:
        report.problems.append(ImportProblem(1, "inventory.import.error.not_csv"))
        return []
    columns = [h.casefold() if h.casefold() in HSDS_COLUMNS else h for h in header]
    seen: set[str] = set()
    for column in columns:
        if not column:
            report.problems.append(ImportProblem(1, "inventory.import.error.empty_column"))
        elif column in seen:
            report.problems.append(ImportProblem(1, "inventory.import.error.duplicate_column", {"column": column},
                                                 column))
        seen.add(column)
    if not seen & set(NAME_COLUMNS):
        report.problems.append(ImportProblem(1, "inventory.import.error.no_name_column",
                                             {"columns": ", ".join(NAME_COLUMNS)}))
    if report.problems:
        return []
    spec = e.SPECS["resource"]
    rows: list[_Row] = []
    line = reader.line_num
    while True:
        start = line + 1
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as err:
            report.problems.append(ImportProblem(start, "inventory.import.error.bad_line", {"detail": str(err)[:100]}))
            break
        line = reader.line_num
        if not any(c.strip() for c in cells):
            continue  # blank line
        if len(cells) > len(columns):
            report.problems.append(ImportProblem(start, "inventory.import.error.too_many_cells",
                                                 {"count": len(cells), "expected": len(columns)}))
            continue
        raw = {col: _unneutralise(cells[i].strip()) if i < len(cells) else "" for i, col in enumerate(columns)}
        values: dict[str, Any] = {}
        extra: dict[str, str] = {}
        for column, value in raw.items():
            target = HSDS_COLUMNS.get(column)
            if target:
                values[target] = value
            elif value:
                extra[column] = value
        values["name"] = next((raw[c] for c in NAME_COLUMNS if raw.get(c)), "")
        category, exact = resolve_category(
            values.get("category", ""), f"{values.get('acronym', '')} {values['name']} {values.get('description', '')}")
        if values.get("category") and not exact:
            extra["category_original"] = values["category"]
        values["category"] = category
        clear_territory = False
        if "territory" in values:
            found = resolve_territory(values["territory"])
            clear_territory = found == EVERYWHERE
            values["territory"] = None if found in (None, EVERYWHERE) else found
        problems_before = len(report.problems)
        if not values["name"]:
            report.problems.append(ImportProblem(start, "inventory.import.error.name_required",
                                                 {"columns": ", ".join(NAME_COLUMNS)}, "name"))
        for name, value in values.items():
            if name == "name" and not value:
                continue  # said above, with the columns a name can come from
            try:
                v.clean(name, spec.fields[name], value)
            except ValidationError as err:
                column = next((c for c, t in HSDS_COLUMNS.items() if t == name), name)
                report.problems.append(ImportProblem(start, err.key, dict(err.params), column))
        try:
            extra = _clean_extra(extra)
        except ValidationError as err:
            report.problems.append(ImportProblem(start, err.key, dict(err.params), err.field or ""))
        if len(report.problems) > problems_before:
            if len(report.problems) >= IMPORT_MAX_PROBLEMS:
                break
            continue
        values = {k: v.clean(k, spec.fields[k], x) for k, x in values.items()}
        rows.append(_Row(start, values, extra, (compact(values.get("acronym", "")), name_key(values["name"])),
                         bool(raw.get("category")), clear_territory))
    return rows


def _existing_by_key(s: Session) -> dict[tuple[str, str], list[m.Resource]]:
    """Every resource by (acronym, name) key (several when territories differ); a merged one stands
    for the resource it was merged into."""
    resources = s.execute(select(m.Resource)).scalars().all()
    by_id = {r.id: r for r in resources}
    index: dict[tuple[str, str], list[m.Resource]] = {}
    for r in sorted(resources, key=lambda r: (r.deleted_at is not None, r.id)):
        target = r
        for _ in range(20):  # follow merges to the survivor
            if target.merged_into_id is None or target.merged_into_id not in by_id:
                break
            target = by_id[target.merged_into_id]
        if target.deleted_at is not None:
            continue
        found = index.setdefault((compact(r.acronym), name_key(r.name)), [])
        if target not in found:
            found.append(target)
    return index


def _same_in_territory(candidates: list[m.Resource], territory: str | None) -> m.Resource | None:
    """The resource a row stands for: without a territory in the file, the first with its key; with
    one, the resource of that territory, or one valid everywhere (it gets the territory). A
    resource of another territory is another service."""
    if territory is None:
        return candidates[0] if candidates else None
    return next((r for r in candidates if r.territory == territory), None) \
        or next((r for r in candidates if r.territory is None), None)


def _import_in(s: Session, actor: Actor, rows: list[_Row], report: ImportReport) -> None:
    index = _existing_by_key(s)
    for row in rows:
        existing = _same_in_territory(index.get(row.key, []), row.values.get("territory"))
        if existing is None:
            index.setdefault(row.key, []).append(_create_resource_in(s, actor, row.values, row.extra))
            report.created += 1
            continue
        # the key fields stay as they are ("A.I.S." finds "AIS"); an empty cell changes nothing; a
        # category is changed only when the file gives one, and "other" never replaces a real one
        changes = {k: x for k, x in row.values.items()
                   if x not in (None, "") and x != getattr(existing, k) and k not in ("name", "acronym")}
        if "category" in changes and (not row.category_given or row.values["category"] == "other"):
            changes.pop("category")
        if row.clear_territory and existing.territory is not None:
            changes["territory"] = None
        extra = {k: x for k, x in row.extra.items() if (existing.extra or {}).get(k) != x}
        if (changes or extra) and _update_resource_in(s, actor, existing, changes, extra):
            report.updated += 1
        else:
            report.skipped += 1


def import_csv(actor: Actor, data: bytes) -> ImportReport:
    """Import an inventory CSV (HSDS flat shape, "," ";" or tab separated, UTF-8 or Windows-1252).

    Idempotent: a row whose (acronym, name) is already in the inventory updates it (non-empty
    cells only) or is skipped when nothing changed. Unknown columns are kept in ``extra``. Any
    problem (listed with its line number) means nothing is written."""
    _require_editor(actor)
    report = ImportReport()
    rows = _parse(data, report)
    if report.problems:
        return report
    try:
        e.run_write(_import_in, actor, rows, report)
    except AtelierError as err:
        report.created = report.updated = report.skipped = 0
        report.problems.append(ImportProblem(0, err.key, dict(err.params)))
        return report
    report.written = True
    return report
