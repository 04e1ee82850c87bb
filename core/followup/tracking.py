"""Follow-up of the recommendations once their session is closed (organisers of the event, admins).

For each recommendation of a closed session: the **addressee** (an institution or office, free text,
beside the level of power the room chose), a **status** with the date it was reached and a note,
the decision makers' **answers** (a date, a text, an optional http(s) link, an optional document),
and for each implementation action of its plans a **status of progress** with a date and a note.

Statuses of a recommendation and the changes the lifecycle allows (``TRANSITIONS``)::

    not_yet_sent -> sent -> answered -> adopted ---------> implemented
                        \\            \\-> partly_adopted -> adopted / implemented
                         \\           \\-> rejected -> sent (sent again: a new term, a new office-holder)
                          \\-> adopted / partly_adopted / rejected (a decision without a prior answer)

Any other change (a step back, a step skipped) is a **correction**: organisers make mistakes, so it
is allowed, but only when marked as one (``correction=True``) with a note saying why; the activity
row says "correct", so the history shows it. Recording an answer on a recommendation "not yet sent"
or "sent" moves it to "answered" (the answer is the proof it arrived), in the same transaction.

Actions move freely between ``ACTION_STATUSES`` (work stops and restarts; a dropped action may be
taken up again). An action is *late* when its due date is past and it is neither done nor dropped.

Every change goes through the write path: the organiser's permission on the event
(``core.permissions`` ``("follow_up", ...)``), validated values (a ``ValidationError`` changes
nothing), the version the user saw (``seen_version``: ``None`` does not check, as on the command line;
``0`` means "I saw no follow-up yet"; another version is refused with ``StaleEdit``), and an
``activity`` row in the same transaction (entity ``follow_up``, ``follow_up_answer``,
``action_follow_up``; ``history()`` reads them back). Rows are made on the first change.

**Documents attached to an answer** are stored in the database (base64 text in
``follow_up_answers.attachment_b64``: backups and restores carry them like any other column, and
no data directory has to be kept in step with the database), at most ``limits.ATTACHMENT_MAX_BYTES``
(5 MB), of a known type only (PDF, Word, OpenDocument text, PNG, JPEG, plain text) whose first bytes
match its extension; the name is reduced to safe characters. A document is always served as a
download with its checked type, never shown inline. Activity rows record its name, size and SHA-256,
not its content.

Nothing here imports Streamlit, nor ``core.reporting`` (the dashboard's "Suivi" tab and the
booklet's second edition read this module's ``follow_up_rows`` and compute their own figures).
"""
from __future__ import annotations

import base64
import datetime as dt
import hashlib
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from core import entities as e
from core import limits as L
from core import permissions
from core import validation as v
from core.actor import Actor
from core.errors import NotFound, StaleEdit, ValidationError
from core.permissions import Scope
from core.settings import local_now
from storage import db
from storage import models as m

STATUSES = ("not_yet_sent", "sent", "answered", "adopted", "partly_adopted", "rejected", "implemented")
TRANSITIONS: dict[str, tuple[str, ...]] = {
    "not_yet_sent": ("sent",),
    "sent": ("answered", "adopted", "partly_adopted", "rejected"),
    "answered": ("adopted", "partly_adopted", "rejected"),
    "adopted": ("implemented",),
    "partly_adopted": ("adopted", "implemented"),
    "rejected": ("sent",),
    "implemented": (),
}
UNANSWERED = ("not_yet_sent", "sent")          # an answer moves these to "answered"
DECIDED = ("answered", "adopted", "partly_adopted", "rejected", "implemented")   # the decision maker spoke
ACTION_STATUSES = ("not_started", "under_way", "done", "dropped")
FINISHED_ACTIONS = ("done", "dropped")
ADDRESSEE_MAX = 300
ATTACHMENT_NAME_MAX = 120
ATTACHMENT_TYPES: dict[str, tuple[str, bytes | None]] = {   # extension -> (media type, first bytes)
    "pdf": ("application/pdf", b"%PDF-"),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", b"PK\x03\x04"),
    "odt": ("application/vnd.oasis.opendocument.text", b"PK\x03\x04"),
    "png": ("image/png", b"\x89PNG\r\n\x1a\n"),
    "jpg": ("image/jpeg", b"\xff\xd8\xff"),
    "jpeg": ("image/jpeg", b"\xff\xd8\xff"),
    "txt": ("text/plain", None),   # valid UTF-8
}
_UNSAFE_NAME = re.compile(r"[^A-Za-z0-9._ -]+")
_UNSET: Any = object()


# --- views ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class AnswerView:
    id: int
    answered_on: dt.date
    text: str
    link: str
    attachment_name: str
    attachment_type: str
    attachment_size: int
    attachment_sha256: str
    version: int


@dataclass(frozen=True)
class ActionView:
    plan_action_id: int
    action: str
    carrier: str
    due: dt.date | None
    means: str
    indicator: str
    status: str
    status_on: dt.date | None
    note: str
    version: int            # 0: no follow-up row yet ("not started")
    late: bool


@dataclass(frozen=True)
class TrailItem:
    kind: str               # finding, success, challenge, solution_idea, wish, barrier, need, ..., persona
    text: str
    persona: str            # the persona's name (fictitious), "" for a finding of the board


@dataclass(frozen=True)
class FollowUpView:
    recommendation_id: int
    event_id: int
    theme_id: int
    theme_title: str
    theme_position: int
    session_id: int
    session_starts_at: dt.datetime | None
    title: str
    text: str
    level: str
    public: str             # whom the recommendation is about (the room's field)
    retained: bool
    votes: int
    addressee: str
    status: str
    status_on: dt.date | None
    status_note: str
    version: int            # 0: no follow-up row yet ("not yet sent")
    answers: tuple[AnswerView, ...]
    actions: tuple[ActionView, ...]
    trail: tuple[TrailItem, ...]

    @property
    def answered(self) -> bool:
        return bool(self.answers) or self.status in DECIDED

    @property
    def next_statuses(self) -> tuple[str, ...]:
        return TRANSITIONS[self.status]


@dataclass(frozen=True)
class HistoryEntry:
    at: dt.datetime
    who: str                # the staff member's name as recorded (organiser page only, never public)
    entity: str             # follow_up, follow_up_answer, action_follow_up
    entity_id: int | None
    action: str             # create, update, correct, delete
    changes: tuple[tuple[str, Any, Any], ...]   # (field, before, after)


@dataclass(frozen=True)
class Attachment:
    name: str
    media_type: str
    data: bytes


# --- reading -------------------------------------------------------------------------------------

def _closed_recommendations(event_ids: Iterable[int]) -> Any:
    R, S, T = m.Recommendation, m.WorkshopSession, m.Theme
    return (select(R, S.starts_at, T.id, T.title, T.position, T.event_id)
            .join(S, S.id == R.session_id).join(T, T.id == S.theme_id)
            .where(T.event_id.in_(list(event_ids)), R.deleted_at.is_(None), R.merged_into_id.is_(None),
                   S.deleted_at.is_(None), T.deleted_at.is_(None), S.status == "closed"))


def _trails_in(s: Session, rec_ids: list[int]) -> dict[int, list[TrailItem]]:
    RS, Co, C, P = m.RecommendationSource, m.Contribution, m.CanvasItem, m.Persona
    PC = m.Persona.__table__.alias("pc")
    q = (select(RS.recommendation_id, Co.kind, Co.text, C.kind, C.text, PC.c.name, P.name)
         .outerjoin(Co, and_(Co.id == RS.contribution_id, Co.deleted_at.is_(None)))
         .outerjoin(C, and_(C.id == RS.canvas_item_id, C.deleted_at.is_(None)))
         .outerjoin(PC, PC.c.id == C.persona_id)
         .outerjoin(P, and_(P.id == RS.persona_id, P.deleted_at.is_(None)))
         .where(RS.recommendation_id.in_(rec_ids)).order_by(RS.recommendation_id, RS.id))
    out: dict[int, list[TrailItem]] = {}
    for rec_id, co_kind, co_text, c_kind, c_text, c_persona, p_name in s.execute(q):
        if co_text is not None:
            out.setdefault(rec_id, []).append(TrailItem(co_kind, co_text, ""))
        elif c_text is not None:
            out.setdefault(rec_id, []).append(TrailItem(c_kind, c_text, c_persona or ""))
        elif p_name is not None:
            out.setdefault(rec_id, []).append(TrailItem("persona", p_name, p_name))
    return out


def _is_late(due: dt.date | None, status: str, today: dt.date) -> bool:
    return due is not None and due < today and status not in FINISHED_ACTIONS


def follow_up_rows(event_ids: Iterable[int], today: dt.date | None = None) -> list[FollowUpView]:
    """Every live recommendation of the closed sessions of these events with its follow-up, votes,
    trail, answers and actions; ordered by event, theme, votes (most first). No permission check:
    callers pass the events their user may see (the organiser page through ``event_follow_up``, the
    public page through its token, the dashboard its visible events)."""
    event_ids = [v.clean_id(i) for i in event_ids]
    today = today or local_now().date()
    with db.read_session() as s:
        rows = s.execute(_closed_recommendations(event_ids)).all()
        if not rows:
            return []
        rec_ids = [r[0].id for r in rows]
        votes = dict(s.execute(select(m.Vote.recommendation_id, func.count()).where(
            m.Vote.recommendation_id.in_(rec_ids)).group_by(m.Vote.recommendation_id)).all())
        fus = {f.recommendation_id: f for f in s.execute(select(m.RecommendationFollowUp).where(
            m.RecommendationFollowUp.recommendation_id.in_(rec_ids))).scalars()}
        answers: dict[int, list[AnswerView]] = {}
        if fus:
            by_fu = {f.id: f.recommendation_id for f in fus.values()}
            for a in s.execute(select(m.FollowUpAnswer).where(m.FollowUpAnswer.follow_up_id.in_(by_fu),
                                                              m.FollowUpAnswer.deleted_at.is_(None))
                               .order_by(m.FollowUpAnswer.answered_on, m.FollowUpAnswer.id)).scalars():
                answers.setdefault(by_fu[a.follow_up_id], []).append(AnswerView(
                    a.id, a.answered_on, a.text, a.link, a.attachment_name, a.attachment_type, a.attachment_size,
                    a.attachment_sha256, a.version))
        P, A, AF = m.ImplementationPlan, m.PlanAction, m.ActionFollowUp
        actions: dict[int, list[ActionView]] = {}
        for plan_rec, act, af in s.execute(
                select(P.recommendation_id, A, AF).join(A, A.plan_id == P.id)
                .outerjoin(AF, AF.plan_action_id == A.id)
                .where(P.recommendation_id.in_(rec_ids), P.deleted_at.is_(None), A.deleted_at.is_(None))
                .order_by(P.id, A.id)).all():
            status = af.status if af else "not_started"
            actions.setdefault(plan_rec, []).append(ActionView(
                act.id, act.action, act.carrier, act.due, act.means, act.indicator, status,
                af.status_on if af else None, af.note if af else "", af.version if af else 0,
                _is_late(act.due, status, today)))
        trails = _trails_in(s, rec_ids)
    out = []
    for rec, starts_at, theme_id, theme_title, theme_pos, event_id in rows:
        fu = fus.get(rec.id)
        out.append(FollowUpView(
            rec.id, event_id, theme_id, theme_title, theme_pos, rec.session_id, starts_at, rec.title, rec.text,
            rec.level, rec.public, bool(rec.retained), int(votes.get(rec.id, 0)),
            fu.addressee if fu else "", fu.status if fu else "not_yet_sent", fu.status_on if fu else None,
            fu.status_note if fu else "", fu.version if fu else 0, tuple(answers.get(rec.id, ())),
            tuple(actions.get(rec.id, ())), tuple(trails.get(rec.id, ()))))
    out.sort(key=lambda r: (r.event_id, r.theme_position, r.theme_id, -r.votes, not r.retained,
                            r.recommendation_id))
    return out


def _require(actor: Actor | None, action: str, event_id: int) -> None:
    permissions.require(actor, ("follow_up", action), Scope(event_id=event_id))


def _event_id(event_id: Any) -> int:
    event_id = v.clean_id(event_id, "event_id")
    with db.read_session() as s:
        e.get_live(s, m.Event, event_id, field="event_id")
    return event_id


def event_follow_up(actor: Actor, event_id: Any) -> list[FollowUpView]:
    """The organiser's view of an event's follow-up (organisers of the event, admins)."""
    event_id = _event_id(event_id)
    _require(actor, "read", event_id)
    return follow_up_rows([event_id])


def open_recommendation_count(actor: Actor, event_id: Any) -> int:
    """Recommendations of the event whose session is not closed yet (their follow-up waits)."""
    event_id = _event_id(event_id)
    _require(actor, "read", event_id)
    R, S, T = m.Recommendation, m.WorkshopSession, m.Theme
    with db.read_session() as s:
        return int(s.execute(select(func.count()).select_from(R).join(S, S.id == R.session_id)
                             .join(T, T.id == S.theme_id)
                             .where(T.event_id == event_id, R.deleted_at.is_(None), R.merged_into_id.is_(None),
                                    S.deleted_at.is_(None), T.deleted_at.is_(None), S.status != "closed")
                             ).scalar_one())


# --- history -------------------------------------------------------------------------------------

_BOOKKEEPING = {"id", "version", "created_at", "updated_at", "event_id", "recommendation_id", "plan_action_id",
                "follow_up_id"}


def history(actor: Actor, recommendation_id: Any) -> list[HistoryEntry]:
    """Every recorded change of a recommendation's follow-up (its status, its answers, its actions'
    progress), newest first, each with what changed."""
    rec_id = v.clean_id(recommendation_id, "recommendation_id")
    with db.read_session() as s:
        rec, event_id, _closed = _recommendation_in(s, rec_id)
        _require(actor, "read", event_id)
        fu_id = s.execute(select(m.RecommendationFollowUp.id).where(
            m.RecommendationFollowUp.recommendation_id == rec.id)).scalar_one_or_none()
        answer_ids = [] if fu_id is None else list(s.execute(select(m.FollowUpAnswer.id).where(
            m.FollowUpAnswer.follow_up_id == fu_id)).scalars())
        action_ids = list(s.execute(select(m.ActionFollowUp.id).join(
            m.PlanAction, m.PlanAction.id == m.ActionFollowUp.plan_action_id).join(
            m.ImplementationPlan, m.ImplementationPlan.id == m.PlanAction.plan_id).where(
            m.ImplementationPlan.recommendation_id == rec.id)).scalars())
        Ac = m.Activity
        conds = [and_(Ac.entity_type == "follow_up_answer", Ac.entity_id.in_(answer_ids)),
                 and_(Ac.entity_type == "action_follow_up", Ac.entity_id.in_(action_ids))]
        if fu_id is not None:
            conds.append(and_(Ac.entity_type == "follow_up", Ac.entity_id == fu_id))
        rows = s.execute(select(Ac).where(Ac.event_id == event_id, or_(*conds)).order_by(Ac.id.desc())).scalars()
        out = []
        for row in rows:
            before, after = row.before or {}, row.after or {}
            changes = tuple((k, before.get(k), after.get(k)) for k in sorted(set(before) | set(after))
                            if k not in _BOOKKEEPING and before.get(k) != after.get(k))
            out.append(HistoryEntry(row.at, row.actor_label, row.entity_type, row.entity_id, row.action, changes))
        return out


# --- writing -------------------------------------------------------------------------------------

def _recommendation_in(s: Session, rec_id: Any) -> tuple[m.Recommendation, int, bool]:
    """A live, unmerged recommendation, its event and whether its session is closed."""
    rec = e.get_live(s, m.Recommendation, rec_id, field="recommendation_id")
    if rec.merged_into_id is not None:
        raise NotFound(field="recommendation_id")
    row = s.execute(select(m.Theme.event_id, m.WorkshopSession.status).join(
        m.WorkshopSession, m.WorkshopSession.theme_id == m.Theme.id).where(
        m.WorkshopSession.id == rec.session_id, m.WorkshopSession.deleted_at.is_(None))).first()
    if row is None:
        raise NotFound(field="recommendation_id")
    return rec, int(row[0]), row[1] == "closed"


def _writable_recommendation_in(s: Session, actor: Actor, rec_id: Any, action: str) -> tuple[m.Recommendation, int]:
    rec, event_id, closed = _recommendation_in(s, rec_id)
    _require(actor, action, event_id)
    if not closed:
        raise ValidationError("error.followup_session_open", field="recommendation_id")
    return rec, event_id


def _snapshot(obj: Any) -> dict[str, Any]:
    snap = e.snapshot(obj)
    snap.pop("attachment_b64", None)   # a document is recorded by name, size and hash, not content
    return snap


def _check_version(obj: Any, seen_version: int | None) -> None:
    current = obj.version if obj is not None else 0
    if seen_version is not None and seen_version != current:
        raise StaleEdit(current=_snapshot(obj) if obj is not None else {}, seen_version=seen_version,
                        version=current)


def _today() -> dt.date:
    return local_now().date()


def _clean_day(value: Any, field: str, required: bool = False) -> dt.date | None:
    day = v.clean(field, v.date(required=required), value)
    if day is not None and day > _today() + dt.timedelta(days=1):
        raise ValidationError("error.followup_future_date", field=field)
    return day


def clean_link(value: Any, field: str = "link") -> str:
    """An optional web address: http or https, a host, no spaces; "" when empty."""
    link = v.clean_text(value, field, L.URL_MAX, required=False, multiline=False)
    if not link:
        return ""
    try:
        parts = urlsplit(link)
    except ValueError:
        raise ValidationError("error.followup_link", field=field) from None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname or any(c.isspace() for c in link):
        raise ValidationError("error.followup_link", field=field)
    return link


def _follow_up_in(s: Session, rec_id: int, lock: bool = True) -> m.RecommendationFollowUp | None:
    q = select(m.RecommendationFollowUp).where(m.RecommendationFollowUp.recommendation_id == rec_id)
    return s.execute(q.with_for_update() if lock else q).scalar_one_or_none()


def _new_follow_up_in(s: Session, actor: Actor, rec: m.Recommendation, event_id: int) -> m.RecommendationFollowUp:
    fu = m.RecommendationFollowUp(recommendation_id=rec.id, event_id=event_id, addressee="", status="not_yet_sent",
                                  status_on=None, status_note="", created_at=m.utcnow(), updated_at=m.utcnow())
    s.add(fu)
    s.flush()
    e.record(s, actor, "create", "follow_up", fu.id, Scope(event_id=event_id), after=_snapshot(fu))
    return fu


def update_follow_up(actor: Actor, recommendation_id: Any, seen_version: int | None, *, addressee: Any = _UNSET,
                     status: Any = _UNSET, status_on: Any = _UNSET, note: Any = _UNSET,
                     correction: bool = False) -> dict[str, Any]:
    """Set the addressee and/or the status of a recommendation (with its date and a note). A change
    of status the lifecycle does not allow is refused unless ``correction`` is set and ``note`` says why."""
    if not isinstance(correction, bool):
        raise ValidationError("error.invalid", field="correction")

    def _write(s: Session) -> dict[str, Any]:
        rec, event_id = _writable_recommendation_in(s, actor, recommendation_id, "update")
        fu = _follow_up_in(s, rec.id)
        _check_version(fu, seen_version)
        changes: dict[str, Any] = {}
        if addressee is not _UNSET:
            changes["addressee"] = v.clean_text(addressee, "addressee", ADDRESSEE_MAX, required=False,
                                                multiline=False)
        if note is not _UNSET:
            changes["status_note"] = v.clean_text(note, "note", L.LONG_MAX, required=False)
        current = fu.status if fu is not None else "not_yet_sent"
        corrected = False
        if status is not _UNSET:
            new = v.clean("status", v.choice(STATUSES), status)
            if new != current:
                if new not in TRANSITIONS[current]:
                    if not correction:
                        raise ValidationError("error.followup_transition", field="status")
                    if not changes.get("status_note"):
                        raise ValidationError("error.followup_correction_note", field="note")
                    corrected = True
                changes["status"] = new
                changes["status_on"] = _today()
        if status_on is not _UNSET:
            day = _clean_day(status_on, "status_on")
            if day is not None or "status" not in changes:
                changes["status_on"] = day
        if fu is None:
            if not any(changes.get(k) for k in ("addressee", "status_note", "status", "status_on")):
                return {"recommendation_id": rec.id, "version": 0, "changed": False}
            fu = _new_follow_up_in(s, actor, rec, event_id)
        before = _snapshot(fu)
        for key, value in changes.items():
            setattr(fu, key, value)
        if not s.is_modified(fu):
            return {**before, "changed": False}
        fu.updated_at = m.utcnow()
        s.flush()
        e.record(s, actor, "correct" if corrected else "update", "follow_up", fu.id, Scope(event_id=event_id),
                 before=before, after=_snapshot(fu))
        return {**_snapshot(fu), "changed": True}
    return e.run_write(_write)


def _clean_attachment(data: Any, name: Any) -> tuple[str, str, bytes]:
    """(safe name, media type, bytes) of a document, or a ValidationError."""
    if not isinstance(data, (bytes, bytearray)) or not data:
        raise ValidationError("error.followup_attachment_empty", field="attachment")
    if len(data) > L.ATTACHMENT_MAX_BYTES:
        raise ValidationError("error.followup_attachment_too_big", field="attachment",
                              max_mb=L.ATTACHMENT_MAX_BYTES // 2**20)
    raw = str(name or "").replace("\\", "/").rsplit("/", 1)[-1]
    raw = unicodedata.normalize("NFKD", raw).encode("ascii", "ignore").decode("ascii")
    safe = _UNSAFE_NAME.sub("_", raw).strip(" ._")
    ext = safe.rsplit(".", 1)[-1].lower() if "." in safe else ""
    if ext not in ATTACHMENT_TYPES:
        raise ValidationError("error.followup_attachment_type", field="attachment",
                              types=", ".join(sorted(ATTACHMENT_TYPES)))
    media_type, magic = ATTACHMENT_TYPES[ext]
    data = bytes(data)
    if magic is None:
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            raise ValidationError("error.followup_attachment_mismatch", field="attachment") from None
    elif not data.startswith(magic):
        raise ValidationError("error.followup_attachment_mismatch", field="attachment")
    stem = safe[: -(len(ext) + 1)][: ATTACHMENT_NAME_MAX - len(ext) - 1].strip(" ._") or "document"
    return f"{stem}.{ext}", media_type, data


def _set_attachment(answer: m.FollowUpAnswer, attachment: bytes | None, name: str = "") -> None:
    if attachment is None:
        answer.attachment_name, answer.attachment_type, answer.attachment_size = "", "", 0
        answer.attachment_sha256, answer.attachment_b64 = "", None
        return
    safe, media_type, data = _clean_attachment(attachment, name)
    answer.attachment_name, answer.attachment_type, answer.attachment_size = safe, media_type, len(data)
    answer.attachment_sha256 = hashlib.sha256(data).hexdigest()
    answer.attachment_b64 = base64.b64encode(data).decode("ascii")


def add_answer(actor: Actor, recommendation_id: Any, answered_on: Any, text: Any = "", link: Any = "",
               attachment: bytes | None = None, attachment_name: str = "") -> dict[str, Any]:
    """Record a dated answer of the decision maker (a text, a link and/or a document)."""
    def _write(s: Session) -> dict[str, Any]:
        rec, event_id = _writable_recommendation_in(s, actor, recommendation_id, "answer")
        day = _clean_day(answered_on, "answered_on", required=True)
        body = v.clean_text(text, "text", L.LONG_MAX, required=False)
        url = clean_link(link)
        answer = m.FollowUpAnswer(answered_on=day, text=body, link=url, created_at=m.utcnow())
        if attachment is not None:
            _set_attachment(answer, attachment, attachment_name)
        if not (body or url or answer.attachment_b64):
            raise ValidationError("error.followup_answer_empty", field="text")
        fu = _follow_up_in(s, rec.id) or _new_follow_up_in(s, actor, rec, event_id)
        scope = Scope(event_id=event_id)
        if fu.status in UNANSWERED:   # the answer is the proof it arrived
            before = _snapshot(fu)
            fu.status, fu.status_on, fu.updated_at = "answered", day, m.utcnow()
            s.flush()
            e.record(s, actor, "update", "follow_up", fu.id, scope, before=before, after=_snapshot(fu))
        answer.follow_up_id = fu.id
        s.add(answer)
        s.flush()
        e.record(s, actor, "create", "follow_up_answer", answer.id, scope, after=_snapshot(answer))
        return _snapshot(answer)
    return e.run_write(_write)


def _answer_in(s: Session, actor: Actor, answer_id: Any, action: str) -> tuple[m.FollowUpAnswer, int]:
    answer = e.get_live(s, m.FollowUpAnswer, answer_id, field="answer_id")
    fu = e.get_row(s, m.RecommendationFollowUp, answer.follow_up_id)
    _writable_recommendation_in(s, actor, fu.recommendation_id, action)
    return answer, fu.event_id


def edit_answer(actor: Actor, answer_id: Any, seen_version: int | None, *, answered_on: Any = _UNSET,
                text: Any = _UNSET, link: Any = _UNSET, attachment: bytes | None = None, attachment_name: str = "",
                remove_attachment: bool = False) -> dict[str, Any]:
    """Correct an answer (its date, text, link; replace or remove its document)."""
    def _write(s: Session) -> dict[str, Any]:
        answer, event_id = _answer_in(s, actor, answer_id, "answer")
        _check_version(answer, seen_version)
        before = _snapshot(answer)
        if answered_on is not _UNSET:
            day = _clean_day(answered_on, "answered_on", required=True)
            if day is not None:
                answer.answered_on = day
        if text is not _UNSET:
            answer.text = v.clean_text(text, "text", L.LONG_MAX, required=False)
        if link is not _UNSET:
            answer.link = clean_link(link)
        if attachment is not None:
            _set_attachment(answer, attachment, attachment_name)
        elif remove_attachment:
            _set_attachment(answer, None)
        if not (answer.text or answer.link or answer.attachment_b64):
            raise ValidationError("error.followup_answer_empty", field="text")
        if not s.is_modified(answer):
            return before
        s.flush()
        e.record(s, actor, "update", "follow_up_answer", answer.id, Scope(event_id=event_id), before=before,
                 after=_snapshot(answer))
        return _snapshot(answer)
    return e.run_write(_write)


def delete_answer(actor: Actor, answer_id: Any) -> dict[str, Any]:
    """Remove an answer recorded by mistake (kept, marked deleted; the history shows it)."""
    def _write(s: Session) -> dict[str, Any]:
        answer, event_id = _answer_in(s, actor, answer_id, "answer")
        before = _snapshot(answer)
        answer.deleted_at = m.utcnow()
        s.flush()
        e.record(s, actor, "delete", "follow_up_answer", answer.id, Scope(event_id=event_id), before=before,
                 after=_snapshot(answer))
        return _snapshot(answer)
    return e.run_write(_write)


def set_action_progress(actor: Actor, plan_action_id: Any, seen_version: int | None, status: Any,
                        status_on: Any = None, note: Any = "") -> dict[str, Any]:
    """Where an implementation action stands: its status, the date, a note."""
    def _write(s: Session) -> dict[str, Any]:
        act = e.get_live(s, m.PlanAction, plan_action_id, field="plan_action_id")
        plan = e.get_live(s, m.ImplementationPlan, act.plan_id, field="plan_action_id")
        _rec, event_id = _writable_recommendation_in(s, actor, plan.recommendation_id, "action")
        row = s.execute(select(m.ActionFollowUp).where(m.ActionFollowUp.plan_action_id == act.id)
                        .with_for_update()).scalar_one_or_none()
        _check_version(row, seen_version)
        new = v.clean("status", v.choice(ACTION_STATUSES), status)
        day = _clean_day(status_on, "status_on") or _today()
        text = v.clean_text(note, "note", L.LONG_MAX, required=False)
        scope = Scope(event_id=event_id)
        if row is None:
            row = m.ActionFollowUp(plan_action_id=act.id, event_id=event_id, status=new, status_on=day, note=text,
                                   created_at=m.utcnow(), updated_at=m.utcnow())
            s.add(row)
            s.flush()
            e.record(s, actor, "create", "action_follow_up", row.id, scope, after=_snapshot(row))
            return _snapshot(row)
        before = _snapshot(row)
        row.status, row.status_on, row.note = new, day, text
        if not s.is_modified(row):
            return before
        row.updated_at = m.utcnow()
        s.flush()
        e.record(s, actor, "update", "action_follow_up", row.id, scope, before=before, after=_snapshot(row))
        return _snapshot(row)
    return e.run_write(_write)


# --- documents -----------------------------------------------------------------------------------

def attachment_in(s: Session, answer_id: Any) -> tuple[Attachment, int] | None:
    """A live answer's document and its event (None: no such answer or no document)."""
    answer = s.get(m.FollowUpAnswer, v.clean_id(answer_id, "answer_id"))
    if answer is None or answer.deleted_at is not None or not answer.attachment_b64:
        return None
    fu = s.get(m.RecommendationFollowUp, answer.follow_up_id)
    if fu is None:
        return None
    return Attachment(answer.attachment_name, answer.attachment_type,
                      base64.b64decode(answer.attachment_b64)), fu.event_id


def answer_attachment(actor: Actor, answer_id: Any) -> Attachment:
    """The document of an answer, for the organiser page (as a download)."""
    with db.read_session() as s:
        found = attachment_in(s, answer_id)
        if found is None:
            raise NotFound(field="answer_id")
        _require(actor, "read", found[1])
        return found[0]


__all__ = ["ACTION_STATUSES", "ATTACHMENT_TYPES", "ActionView", "AnswerView", "Attachment", "FollowUpView",
           "HistoryEntry", "STATUSES", "TRANSITIONS", "TrailItem", "add_answer", "answer_attachment",
           "clean_link", "delete_answer", "edit_answer",
           "event_follow_up", "follow_up_rows", "history", "open_recommendation_count",
           "set_action_progress", "update_follow_up"]
