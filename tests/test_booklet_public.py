"""The booklet offered on the public follow-up page (review of the public downloads): it carries only
what that page shows. Every text participants typed that looks like personal data is replaced by
the page's withheld notice (diagnostic, trail, persona canvas, plans, closing round), the
recommendations of workshops still open are left out, and the download is refused once the page is
switched off (a tab opened before gets nothing). Also the follow-up edition's details: no "0 sur 0"
when no workshop is closed, the first edition dated by the booklet's publication, "produced on" in
the app's time zone. Read back from the DOCX and the PDF, on SQLite and PostgreSQL."""
from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
from sqlalchemy import update
from streamlit.testing.v1 import AppTest

from core.actor import SYSTEM
from core.errors import ValidationError
from core.followup import closing, public
from core.i18n import translate
from core.personas import canvas
from core.reporting import booklet as bk
from core.session import board
from core.session import recommendations as recs
from core.session import session_flow as flow
from core.setup import events
from storage import db
from storage import models as m
from tests.test_booklet import ROOT, _docx_text, _flat, _pdf_pages
from tests.test_booklet_editions import OPEN_REC, REC, SLUG, _follow_up
from tests.test_booklet_editions import two_dates as two_dates  # the fixture, re-exported
from tests.test_theme_process import _session, _table

ON = dt.date(2026, 12, 5)
# participant-typed texts with personal data (an email address, a phone number): each in one place
FINDING = "Écrire à marie.dupont@exemple.be pour le dossier"
FACT = "Joignable au 0470 12 34 56"
BARRIER = "Son assistante sociale, jean.martin@cpas.example.be, est débordée"
MOTIVATION = "Écrire à nadia.benali@exemple.be chaque semaine"
LEAD = "Appeler l’AIS au 02 512 34 56"
MEANS = "Contact : sophie.lambert@exemple.be"
WISH = "Recontactez-moi : paul.durand@exemple.be"
PERSONAL = ("marie.dupont", "0470 12 34 56", "jean.martin", "nadia.benali", "02 512 34 56", "sophie.lambert",
            "paul.durand")
WITHHELD = {lang: translate(lang, "followup.public.withheld") for lang in ("fr", "en", "nl")}


@pytest.fixture
def personal(two_dates) -> SimpleNamespace:
    """The two-date theme of ``test_booklet_editions`` with personal data typed in by participants:
    a finding of date 1 the closed recommendation cites, a persona fact, a barrier, a motivation, a
    solution lead, an action's means; then the booklet published and the public page on."""
    t = two_dates
    group, p1 = _table(t.d1, "Table B", "Bruno")
    finding = board.add_contribution(p1, t.d1, "finding", "people", FINDING)["id"]
    persona = canvas.create_persona(p1, t.d1, "Karim", subgroup_id=group, facts=[FACT, "40 ans"])["id"]
    canvas.add_barrier(p1, persona, BARRIER)
    canvas.add_canvas_item(p1, persona, "motivation", MOTIVATION)
    need = canvas.add_need(p1, persona, "Un toit pour ses enfants")["id"]
    canvas.add_solution_lead(p1, need, LEAD)
    with db.write_session() as s:   # date 2 is closed: its recommendation and plan written straight
        s.add(m.RecommendationSource(recommendation_id=t.rec, contribution_id=finding))
        s.execute(update(m.PlanAction).where(m.PlanAction.id == t.paper).values(means=MEANS))
    _follow_up(t)
    closing.publish_closing_summary(t.orga, t.event)
    t.token = public.page_settings(t.orga, t.event).token
    return t


def _texts(data_docx: bytes, data_pdf: bytes) -> list[str]:
    return [_docx_text(data_docx), _flat(" ".join(_pdf_pages(data_pdf)))]


# --- item 1: personal data and open workshops stay out of the public booklet -------------------------

@pytest.mark.parametrize("edition", bk.EDITIONS)
def test_the_public_booklet_withholds_personal_data_and_open_workshops(personal, edition):
    inside = bk.build_booklet(SLUG, "fr", edition=edition, on=ON).text()
    # the organisers' booklet keeps everything (their own document)
    for value in (FINDING, FACT, BARRIER, MOTIVATION, LEAD, MEANS, OPEN_REC):
        assert value in inside, value
    for text in _texts(bk.export_booklet(SLUG, "docx", "fr", edition=edition, on=ON, public=True),
                       bk.export_booklet(SLUG, "pdf", "fr", edition=edition, on=ON, public=True)):
        for value in PERSONAL:
            assert value not in text, value
        assert WITHHELD["fr"] in text
        # the recommendation of the workshop still open is left out, with its trail
        assert OPEN_REC not in text
        # what is not personal stays: the closed recommendation, its trail and plan, the personas
        assert f"1. {REC}" in text and "Constat : « Les loyers dépassent la moitié du revenu »" in text
        assert "Réunir les AIS du quartier" in text and "Nadia" in text and "Karim" in text and "40 ans" in text
        if edition == "follow_up":
            assert "Destinataire : Cabinet du ministre du Logement" in text
            assert "Le suivi commence quand" not in text   # only closed workshops' recommendations
    public_text = bk.build_booklet(SLUG, "fr", edition=edition, on=ON, public=True).text()
    # the withheld lines: the trail line, the diagnostic's finding, fact, barrier, motivation, lead, means
    assert public_text.count(WITHHELD["fr"]) >= 7
    en = bk.build_booklet(SLUG, "en", edition=edition, on=ON, public=True).text()
    assert WITHHELD["en"] in en and "marie.dupont" not in en


def test_the_public_report_withholds_the_board_and_closing_round(database):
    """An event without recommendations (the Partner's Day report): board items and the closing
    round's findings and wishes, persona lines."""
    ev = events.create_event(SYSTEM, slug="journee-partenaires-publique", title="Journée des partenaires")
    theme = events.add_theme(SYSTEM, ev["id"], "Emploi")["id"]
    sid = _session(theme, "2025-10-02")
    group, p = _table(sid, "Table A", "Amina")
    flow.start_session(SYSTEM, sid)
    board.add_contribution(p, sid, "success", "people", "Un atelier CV qui marche bien")
    board.add_contribution(p, sid, "challenge", "people", FINDING)
    canvas.create_persona(p, sid, "Sami", subgroup_id=group, facts=[FACT])
    flow.close_session(SYSTEM, sid)
    with db.write_session() as s:   # a closing-round wish (written straight: the closing stage is a template's)
        s.add(m.Contribution(session_id=sid, subgroup_id=group, kind="wish", category="people", text=WISH,
                             created_by="Amina"))
    inside = bk.build_booklet("journee-partenaires-publique").text()
    assert FINDING in inside and WISH in inside and FACT in inside
    b = bk.build_booklet("journee-partenaires-publique", public=True)
    assert b.kind == "report"
    text = b.text()
    for value in PERSONAL:
        assert value not in text, value
    assert "Un atelier CV qui marche bien" in text and WITHHELD["fr"] in text
    with pytest.raises(ValidationError):
        bk.build_booklet("journee-partenaires-publique", public="yes")  # type: ignore[arg-type]


# --- item 2: the download checks the page again ------------------------------------------------------

def test_the_public_booklet_is_refused_once_the_page_is_switched_off(personal):
    t = personal
    data = bk.public_booklet(t.token, "docx", "fr")
    assert data is not None
    text = _docx_text(data)
    assert "marie.dupont" not in text and WITHHELD["fr"] in text and OPEN_REC not in text
    follow = bk.public_booklet(t.token, "pdf", "fr", edition="follow_up")
    assert follow is not None and follow.startswith(b"%PDF")
    assert "marie.dupont" not in _flat(" ".join(_pdf_pages(follow)))
    # a tab opened before: the page switched off, the same token gets nothing
    public.set_public_page(t.orga, t.event, False)
    assert public.public_booklet_slug(t.token) is None
    assert bk.public_booklet(t.token, "pdf", "fr") is None
    assert bk.public_booklet(t.token, "pdf", "fr", edition="follow_up") is None
    public.set_public_page(t.orga, t.event, True)
    assert public.public_booklet_slug(t.token) == SLUG
    for bad in ("", "x" * 30, None, 42, t.token + "x"):
        assert bk.public_booklet(bad, "pdf") is None


def test_the_public_booklet_needs_the_booklet_published(two_dates):
    t = two_dates
    token = public.set_public_page(t.orga, t.event, True).token
    assert public.public_booklet_slug(token) is None and bk.public_booklet(token, "pdf") is None


def test_the_public_page_offers_the_public_booklets(personal):
    at = AppTest.from_file(str(ROOT / "app_pages" / "public_follow_up.py"), default_timeout=60)
    at.query_params["t"] = personal.token
    at.run()
    assert not at.exception, at.exception
    assert len(at.get("download_button")) >= 3   # open data and the two editions
    source = (ROOT / "app_pages" / "public_follow_up.py").read_text(encoding="utf-8")
    assert "bk.export_booklet" not in source and source.count("bk.public_booklet(token") == 2


# --- items 3 to 5: the follow-up edition's details --------------------------------------------------

def test_the_follow_up_summary_has_no_zero_out_of_zero_when_nothing_is_closed(database):
    ev = events.create_event(SYSTEM, slug="rien-de-clos", title="Rien de clôturé")
    theme = events.add_theme(SYSTEM, ev["id"], "Logement")["id"]
    sid = _session(theme, "2025-11-16")
    _, p = _table(sid, "Table A", "Amina")
    flow.start_session(SYSTEM, sid)
    finding = board.add_contribution(p, sid, "finding", "people", "Trop de guichets différents")["id"]
    flow.set_stage(SYSTEM, sid, "recommendations")
    recs.create_recommendation(p, sid, "Un guichet unique", "communal", sources=[("contribution", finding)])
    text = bk.build_booklet("rien-de-clos", edition="follow_up", on=ON).text()
    assert "État au 5 décembre 2026 : 0 recommandation" in text
    assert "En attente de la clôture de leur atelier : 1" in text
    assert "sur 0" not in text and "Ont reçu une réponse" not in text and "Mises en œuvre :" not in text


def test_the_first_edition_is_dated_by_the_booklet_s_publication(two_dates):
    b = bk.build_booklet(SLUG, edition="follow_up", on=ON)
    assert "Première édition : 4 décembre 2025, à l’issue des ateliers" in b.text()
    with db.write_session() as s:   # published late on 14 January (UTC): the 15th in Brussels
        s.execute(update(m.Event).where(m.Event.id == two_dates.event)
                  .values(booklet_published_at=dt.datetime(2026, 1, 14, 23, 30)))
    text = bk.build_booklet(SLUG, edition="follow_up", on=ON).text()
    assert "Première édition : 15 janvier 2026" in text and "4 décembre 2025, à l’issue" not in text


def test_the_production_date_is_the_app_s_local_day(two_dates, monkeypatch):
    monkeypatch.setattr(bk, "local_now", lambda: dt.datetime(2031, 3, 9, 0, 30))
    assert "Document produit par Atelier le 9 mars 2031." in bk.build_booklet(SLUG).text()
