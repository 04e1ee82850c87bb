"""An event's public follow-up page and its open data.

**The page** is off by default. An organiser switches it on (``set_public_page``): the event gets an
unguessable token (``secrets.token_urlsafe``, 32 characters; an event's slug is guessable and is also
the registration link), and the page is ``/public-follow-up?t=TOKEN``. Switching it off hides it at
once (``public_page`` reads the flag on every run and answers None); switching it on again brings
back the same link, so links already shared work again. The token is looked up as given: anything
else is "no page", never an error that would tell whether an event exists.

**What is public**, and what never is:

- public: the event's title, place and dates; its themes; each recommendation of a closed session
  (title, text, level of power, whom it is about, votes, retained or not), its trail (findings,
  needs and other canvas items, persona names: personas are fictitious), its follow-up (addressee,
  status and its date), the decision makers' answers (date, text, link, document), the
  implementation actions (action, carrier, due date, means, indicator) and their progress (status,
  date, note);
- never: anything from the registration, participant, staff account and join token tables (names,
  emails, organisations, sectors, display names), who typed what (``created_by``), the sub-groups'
  names (participants choose them, and a table named after its members is personal: they are not
  needed to read a recommendation, so they are left out), the organisers' internal status note,
  the history (it names staff members);
- a text participants typed in which the personal-data guard (``core.personas.sensitive``) finds what
  looks like real personal data (an email address, a phone number, an identity number, an IBAN, a
  street address) is withheld: replaced by a notice on the page, empty in the data with its flag set.
  That is a trail item (text and persona together, ``withheld = true``), and each on its own a
  recommendation's title, text and people concerned (``title_withheld``, ``text_withheld``,
  ``people_concerned_withheld``) and an action's action, carrier, means and indicator
  (``action_withheld``...), as in the public booklet. The organisers' texts (the addressee, the
  answers, the progress notes) are shown as they are.

**The booklet** offered on the page (while it is on and the booklet published, checked again at each
download: ``public_booklet_slug``) is the public booklet (``core.reporting.booklet.public_booklet``):
the same rules, every participant-typed text with personal data replaced by the page's notice and
only the recommendations of closed sessions.

**Open data** (``open_data_zip``): a ZIP of CSV files (UTF-8 with BOM, cells a spreadsheet would run
as formulas neutralised with a leading apostrophe), one JSON file with the same content nested per
recommendation, a README listing every file and column, and the answers' documents. Downloadable
from the public page while it is on (``public_open_data``) and from the command line
(``manage.py export-open-data --event SLUG --out FILE.zip``).
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import json
import secrets
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from sqlalchemy import select

from core import entities as e
from core import permissions
from core import validation as v
from core.actor import Actor
from core.errors import NotFound, ValidationError
from core.followup import tracking as tr
from core.i18n import LANGUAGES, translate
from core.permissions import Scope
from core.personas.sensitive import find_personal_data
from core.settings import base_url
from storage import db
from storage import models as m

PUBLIC_PATH = "public-follow-up"      # app.py url path of app_pages/public_follow_up.py
TOKEN_BYTES = 24                      # 32 characters of base64url
TOKEN_MAX = 64
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")   # as core.reporting.exports (not imported: one way)


# --- the switch ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class PageSettings:
    event_id: int
    slug: str
    on: bool
    token: str | None
    booklet_published_at: dt.datetime | None
    version: int


def page_settings(actor: Actor, event_id: Any) -> PageSettings:
    """Whether the event's public page is on and its token (organisers of the event)."""
    event_id = v.clean_id(event_id, "event_id")
    with db.read_session() as s:
        ev = e.get_live(s, m.Event, event_id, field="event_id")
        permissions.require(actor, ("follow_up", "read"), Scope(event_id=ev.id))
        return PageSettings(ev.id, ev.slug, bool(ev.public_follow_up), ev.public_token, ev.booklet_published_at,
                            ev.version)


def switch_on_in(s: Any, actor: Actor, ev: m.Event) -> bool:
    """Inside a writing transaction: the page on (a token made the first time). True when it changed."""
    if ev.public_follow_up and ev.public_token:
        return False
    before = {"public_follow_up": bool(ev.public_follow_up), "public_token_set": bool(ev.public_token)}
    ev.public_follow_up = True
    if not ev.public_token:
        ev.public_token = secrets.token_urlsafe(TOKEN_BYTES)
    s.flush()
    e.record(s, actor, "publish", "follow_up_page", ev.id, Scope(event_id=ev.id), before=before,
             after={"public_follow_up": True, "public_token_set": True})
    return True


def set_public_page(actor: Actor, event_id: Any, on: bool) -> PageSettings:
    """Switch the event's public follow-up page on or off (at once)."""
    if not isinstance(on, bool):
        raise ValidationError("error.invalid", field="on")

    def _write(s: Any) -> PageSettings:
        ev = e.get_live(s, m.Event, v.clean_id(event_id, "event_id"), field="event_id")
        permissions.require(actor, ("follow_up", "publish"), Scope(event_id=ev.id))
        if on:
            switch_on_in(s, actor, ev)
        elif ev.public_follow_up:
            ev.public_follow_up = False
            s.flush()
            e.record(s, actor, "unpublish", "follow_up_page", ev.id, Scope(event_id=ev.id),
                     before={"public_follow_up": True}, after={"public_follow_up": False})
        return PageSettings(ev.id, ev.slug, bool(ev.public_follow_up), ev.public_token, ev.booklet_published_at,
                            ev.version)
    return e.run_write(_write)


def public_link(token: str, lang: str | None = None, base: str | None = None) -> str:
    params = {"t": token} | ({"lang": lang} if lang else {})
    return f"{(base or base_url()).rstrip('/')}/{PUBLIC_PATH}?{urlencode(params)}"


# --- the public view -----------------------------------------------------------------------------

@dataclass(frozen=True)
class PublicTrailItem:
    kind: str
    text: str               # "" when withheld
    persona: str            # "" when withheld or none
    withheld: bool


@dataclass(frozen=True)
class PublicAnswer:
    id: int
    answered_on: dt.date
    text: str
    link: str
    attachment_name: str
    attachment_type: str
    attachment_size: int
    attachment_sha256: str


@dataclass(frozen=True)
class PublicAction:
    id: int
    action: str
    carrier: str
    due: dt.date | None
    means: str
    indicator: str
    status: str
    status_on: dt.date | None
    note: str               # the organisers' note on the progress
    late: bool
    # participant-typed texts that looked like personal data: emptied above, flagged here
    action_withheld: bool = False
    carrier_withheld: bool = False
    means_withheld: bool = False
    indicator_withheld: bool = False


@dataclass(frozen=True)
class PublicRecommendation:
    id: int
    theme_id: int
    theme: str
    session_date: dt.date | None
    rank: int               # 1 = most votes in its theme
    title: str
    text: str
    level: str
    public: str
    retained: bool
    votes: int
    addressee: str
    status: str
    status_on: dt.date | None
    trail: tuple[PublicTrailItem, ...]
    answers: tuple[PublicAnswer, ...]
    actions: tuple[PublicAction, ...]
    # participant-typed texts that looked like personal data: emptied above, flagged here
    title_withheld: bool = False
    text_withheld: bool = False
    public_withheld: bool = False


@dataclass(frozen=True)
class PublicFollowUp:
    event_id: int
    slug: str
    title: str
    place: str
    starts_on: dt.date | None
    ends_on: dt.date | None
    booklet_published: bool
    territory: str                               # with power_levels: core.territory.level_label(view, key, lang)
    power_levels: list[Any] | None
    themes: tuple[tuple[int, str], ...]          # (id, title) in the event's order
    recommendations: tuple[PublicRecommendation, ...]


def _personal(text: str) -> bool:
    return bool(text) and bool(find_personal_data(text))


def _public_trail(items: Iterable[tr.TrailItem]) -> tuple[PublicTrailItem, ...]:
    out = []
    for item in items:
        if _personal(item.text) or _personal(item.persona):
            out.append(PublicTrailItem(item.kind, "", "", True))
        else:
            out.append(PublicTrailItem(item.kind, item.text, item.persona, False))
    return tuple(out)


def _typed(text: str) -> tuple[str, bool]:
    """A text participants typed as the public sees it: ("", True) when it looks like personal data."""
    return ("", True) if _personal(text) else (text, False)


def _public_action(a: tr.ActionView) -> PublicAction:
    """An implementation action: its action, carrier, means and indicator were typed by the room (each
    withheld on its own, as in the public booklet); its progress note by the organisers."""
    action, carrier, means, indicator = (_typed(x) for x in (a.action, a.carrier, a.means, a.indicator))
    return PublicAction(a.plan_action_id, action[0], carrier[0], a.due, means[0], indicator[0], a.status,
                        a.status_on, a.note, a.late, action_withheld=action[1], carrier_withheld=carrier[1],
                        means_withheld=means[1], indicator_withheld=indicator[1])


def _public_recommendations(rows: Sequence[tr.FollowUpView]) -> tuple[PublicRecommendation, ...]:
    """The room's title, text and people concerned each withheld on its own (as in the public booklet);
    the addressee, status and answers are the organisers' and shown as they are."""
    ranks: dict[int, int] = {}
    out = []
    for r in rows:   # ordered by theme, votes (most first)
        ranks[r.theme_id] = ranks.get(r.theme_id, 0) + 1
        title, text, concerned = _typed(r.title), _typed(r.text), _typed(r.public)
        out.append(PublicRecommendation(
            r.recommendation_id, r.theme_id, r.theme_title,
            r.session_starts_at.date() if r.session_starts_at else None, ranks[r.theme_id], title[0], text[0],
            r.level, concerned[0], r.retained, r.votes, r.addressee, r.status, r.status_on, _public_trail(r.trail),
            tuple(PublicAnswer(a.id, a.answered_on, a.text, a.link, a.attachment_name, a.attachment_type,
                               a.attachment_size, a.attachment_sha256) for a in r.answers),
            tuple(_public_action(a) for a in r.actions),
            title_withheld=title[1], text_withheld=text[1], public_withheld=concerned[1]))
    return tuple(out)


def _event_by_token(s: Any, token: Any) -> m.Event | None:
    if not isinstance(token, str) or not (20 <= len(token) <= TOKEN_MAX):
        return None
    ev = s.execute(select(m.Event).where(m.Event.public_token == token)).scalar_one_or_none()
    if ev is None or not ev.public_follow_up or ev.deleted_at is not None:
        return None
    return ev


def _build(ev: m.Event, themes: list[tuple[int, str]]) -> PublicFollowUp:
    return PublicFollowUp(ev.id, ev.slug, ev.title, ev.place, ev.starts_on, ev.ends_on,
                          ev.booklet_published_at is not None, ev.territory, ev.power_levels, tuple(themes),
                          _public_recommendations(tr.follow_up_rows([ev.id])))


def _themes_in(s: Any, event_id: int) -> list[tuple[int, str]]:
    return [(i, t) for i, t in s.execute(select(m.Theme.id, m.Theme.title).where(
        m.Theme.event_id == event_id, m.Theme.deleted_at.is_(None)).order_by(m.Theme.position, m.Theme.id))]


def public_page(token: Any) -> PublicFollowUp | None:
    """The public follow-up of the event with this token, or None (unknown token, or page off)."""
    with db.read_session() as s:
        ev = _event_by_token(s, token)
        if ev is None:
            return None
        themes = _themes_in(s, ev.id)
    return _build(ev, themes)


def _event_view_by_slug(slug: Any) -> PublicFollowUp:
    """The same content for the command line (the operator exports whether or not the page is on)."""
    with db.read_session() as s:
        ev = s.execute(select(m.Event).where(m.Event.slug == str(slug), m.Event.deleted_at.is_(None))
                       ).scalar_one_or_none()
        if ev is None:
            raise NotFound(field="slug")
        themes = _themes_in(s, ev.id)
    return _build(ev, themes)


def filter_recommendations(recs: Iterable[PublicRecommendation], themes: Iterable[int] = (),
                           levels: Iterable[str] = (), statuses: Iterable[str] = ()) -> list[PublicRecommendation]:
    """The recommendations of the chosen themes, levels and statuses (an empty choice keeps all)."""
    themes, levels, statuses = set(themes), set(levels), set(statuses)
    return [r for r in recs if (not themes or r.theme_id in themes) and (not levels or r.level in levels)
            and (not statuses or r.status in statuses)]


def public_attachment(token: Any, answer_id: Any) -> tr.Attachment | None:
    """An answer's document from the public page (None unless the page is on and it is its event's)."""
    with db.read_session() as s:
        ev = _event_by_token(s, token)
        if ev is None:
            return None
        try:
            found = tr.attachment_in(s, answer_id)
        except NotFound:
            return None
        if found is None or found[1] != ev.id:
            return None
        return found[0]


# --- open data -----------------------------------------------------------------------------------

COLUMNS: dict[str, tuple[str, ...]] = {
    "recommendations": ("recommendation_id", "theme", "session_date", "rank_in_theme", "title", "text",
                        "level_of_power", "people_concerned", "votes", "retained", "title_withheld",
                        "text_withheld", "people_concerned_withheld"),
    "sources": ("recommendation_id", "kind", "text", "persona", "withheld"),
    "follow_up": ("recommendation_id", "addressee", "status", "status_date"),
    "answers": ("answer_id", "recommendation_id", "answered_on", "text", "link", "document", "document_type",
                "document_bytes", "document_sha256"),
    "plan_actions": ("action_id", "recommendation_id", "action", "carrier", "due", "means", "indicator",
                     "status", "status_date", "note", "late", "action_withheld", "carrier_withheld",
                     "means_withheld", "indicator_withheld"),
}


def _neutral(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def _csv(columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(columns)
    for row in rows:
        w.writerow(["" if x is None else _neutral(x.isoformat() if isinstance(x, dt.date) else
                                                  ("true" if x is True else "false" if x is False else x))
                    for x in row])
    return buf.getvalue().encode("utf-8-sig")


def _iso(value: dt.date | None) -> str | None:
    return value.isoformat() if value else None


def _doc_path(a: PublicAnswer) -> str:
    return f"documents/{a.id}-{a.attachment_name}" if a.attachment_name else ""


def _tables(view: PublicFollowUp) -> dict[str, list[tuple[Any, ...]]]:
    recs = view.recommendations
    return {
        "recommendations": [(r.id, r.theme, r.session_date, r.rank, r.title, r.text, r.level, r.public, r.votes,
                             r.retained, r.title_withheld, r.text_withheld, r.public_withheld) for r in recs],
        "sources": [(r.id, t.kind, t.text, t.persona, t.withheld) for r in recs for t in r.trail],
        "follow_up": [(r.id, r.addressee, r.status, r.status_on) for r in recs],
        "answers": [(a.id, r.id, a.answered_on, a.text, a.link, _doc_path(a), a.attachment_type,
                     a.attachment_size or None, a.attachment_sha256) for r in recs for a in r.answers],
        "plan_actions": [(a.id, r.id, a.action, a.carrier, a.due, a.means, a.indicator, a.status, a.status_on,
                          a.note, a.late, a.action_withheld, a.carrier_withheld, a.means_withheld,
                          a.indicator_withheld) for r in recs for a in r.actions],
    }


def _json(view: PublicFollowUp) -> dict[str, Any]:
    return {
        "format": "atelier-follow-up", "format_version": 1,
        "event": {"slug": view.slug, "title": view.title, "place": view.place,
                  "starts_on": _iso(view.starts_on), "ends_on": _iso(view.ends_on)},
        "recommendations": [{
            "recommendation_id": r.id, "theme": r.theme, "session_date": _iso(r.session_date),
            "rank_in_theme": r.rank, "title": r.title, "text": r.text, "level_of_power": r.level,
            "people_concerned": r.public, "votes": r.votes, "retained": r.retained,
            "title_withheld": r.title_withheld, "text_withheld": r.text_withheld,
            "people_concerned_withheld": r.public_withheld,
            "sources": [{"kind": t.kind, "text": t.text, "persona": t.persona, "withheld": t.withheld}
                        for t in r.trail],
            "follow_up": {"addressee": r.addressee, "status": r.status, "status_date": _iso(r.status_on)},
            "answers": [{"answer_id": a.id, "answered_on": _iso(a.answered_on), "text": a.text, "link": a.link,
                         "document": _doc_path(a), "document_type": a.attachment_type,
                         "document_bytes": a.attachment_size or None, "document_sha256": a.attachment_sha256}
                        for a in r.answers],
            "plan_actions": [{"action_id": a.id, "action": a.action, "carrier": a.carrier, "due": _iso(a.due),
                              "means": a.means, "indicator": a.indicator, "status": a.status,
                              "status_date": _iso(a.status_on), "note": a.note, "late": a.late,
                              "action_withheld": a.action_withheld, "carrier_withheld": a.carrier_withheld,
                              "means_withheld": a.means_withheld, "indicator_withheld": a.indicator_withheld}
                             for a in r.actions],
        } for r in view.recommendations],
    }


def _readme(view: PublicFollowUp, lang: str) -> str:
    def tx(key: str, **params: Any) -> str:
        return translate(lang, key, **params)

    lines = [f"# {tx('followup.open.readme_title', event=view.title)}", "", tx("followup.open.readme_intro"), "",
             tx("followup.open.readme_privacy"), "", f"## {tx('followup.open.readme_files')}", ""]
    for name, columns in COLUMNS.items():
        lines += [f"### {name}.csv", "", tx(f"followup.open.file.{name}"), ""]
        lines += [f"- `{col}`: {tx(f'followup.open.col.{name}.{col}')}" for col in columns]
        lines.append("")
    lines += ["### follow-up.json", "", tx("followup.open.file.json"), "", "### documents/", "",
              tx("followup.open.file.documents"), "", f"## {tx('followup.open.readme_codes')}", "",
              f"- status: {', '.join(tr.STATUSES)}", f"- plan_actions.status: {', '.join(tr.ACTION_STATUSES)}", ""]
    return "\n".join(lines)


def _zip(view: PublicFollowUp, lang: str) -> bytes:
    if lang not in LANGUAGES:
        raise ValidationError("error.invalid_choice", field="lang")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("README.md", _readme(view, lang))
        for name, rows in _tables(view).items():
            z.writestr(f"{name}.csv", _csv(COLUMNS[name], rows))
        z.writestr("follow-up.json", json.dumps(_json(view), ensure_ascii=False, indent=2))
        with db.read_session() as s:
            for r in view.recommendations:
                for a in r.answers:
                    if a.attachment_name:
                        found = tr.attachment_in(s, a.id)
                        if found is not None:
                            z.writestr(_doc_path(a), found[0].data)
    return buf.getvalue()


def public_booklet_slug(token: Any) -> str | None:
    """The event whose public booklet this token may download now (its slug), or None: unknown
    token, page switched off, or booklet not published. Read on every download: a public tab opened
    before the page was switched off gets nothing. The booklet itself is built by
    ``core.reporting.booklet.public_booklet`` (``core.reporting`` imports this package, not the other way)."""
    with db.read_session() as s:
        ev = _event_by_token(s, token)
        if ev is None or ev.booklet_published_at is None:
            return None
        return ev.slug


def public_open_data(token: Any, lang: str = "fr") -> bytes | None:
    """The open-data ZIP from the public page (None when the page is off or the token unknown)."""
    view = public_page(token)
    return None if view is None else _zip(view, lang)


def open_data_zip(event_slug: str, lang: str = "fr") -> bytes:
    """The open-data ZIP of an event (the command line; the same content as the public page's)."""
    return _zip(_event_view_by_slug(event_slug), lang)


def file_name(slug: str) -> str:
    return f"{slug}-open-data.zip"


__all__ = ["COLUMNS", "PUBLIC_PATH", "PageSettings", "PublicAction", "PublicAnswer", "PublicFollowUp",
           "PublicRecommendation", "PublicTrailItem", "file_name", "filter_recommendations", "open_data_zip",
           "page_settings", "public_attachment", "public_booklet_slug", "public_link", "public_open_data",
           "public_page", "set_public_page", "switch_on_in"]
