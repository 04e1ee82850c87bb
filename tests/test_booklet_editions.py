"""The booklet over a theme's several dates and after the event (issues 16 and 17): each trail line
says the date of the session that wrote its finding, need or persona; the follow-up edition, dated,
adds under each recommendation its addressee, status, answers and the progress of its actions, with
a summary near the start; the first edition stays the workshops' booklet. Read back from the DOCX
(python-docx) and the PDF (pypdf), on SQLite and PostgreSQL."""
from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
from streamlit.testing.v1 import AppTest

from core.actor import SYSTEM, Actor
from core.errors import ValidationError
from core.followup import tracking as tr
from core.personas import canvas
from core.reporting import booklet as bk
from core.session import board, plans, voting
from core.session import recommendations as recs
from core.session import session_flow as flow
from core.setup import events
from tests.test_booklet import ROOT, _docx_text, _flat, _pdf_pages
from tests.test_theme_process import _session, _table

SLUG = "logement-deux-dates"
ON = dt.date(2026, 12, 5)                      # the follow-up edition's date
REC = "Encadrer les loyers"
OPEN_REC = "Plus de places en formation"
ANSWER = "Le ministre soutient un encadrement des loyers dès 2027."
LINK = "https://parlement.example.org/reponse-42"
INTERNAL_NOTE = "Relancer le cabinet par téléphone"
PDF = b"%PDF-1.4\n% a tiny document\n%%EOF\n"


@pytest.fixture
def two_dates(database) -> SimpleNamespace:
    """A housing theme over two dates: date 1's finding, persona and need, cited by a recommendation
    of date 2 (retained, planned with two actions, session closed); a training theme on one date
    whose session is still open, with a recommendation citing that date's own finding."""
    ev = events.create_event(SYSTEM, slug=SLUG, title="Logement en deux dates")
    housing = events.add_theme(SYSTEM, ev["id"], "Logement")["id"]
    d2 = _session(housing, "2025-12-04")          # created first: the order is by date
    d1 = _session(housing, "2025-11-16")
    training = events.add_theme(SYSTEM, ev["id"], "Formation")["id"]
    other = _session(training, "2025-11-20")
    g1, p1 = _table(d1, "Table A", "Amina")
    g2, p2 = _table(d2, "Table C", "Chloé")
    gx, px = _table(other, "Table X", "Xavier")
    for sid in (d1, d2, other):
        flow.start_session(SYSTEM, sid)
    finding = board.add_contribution(p1, d1, "finding", "people", "Les loyers dépassent la moitié du revenu")["id"]
    persona = canvas.create_persona(p1, d1, "Nadia", subgroup_id=g1)["id"]
    need = canvas.add_need(p1, persona, "Trouver un logement abordable")["id"]
    flow.set_stage(SYSTEM, d2, "recommendations")
    rec = recs.create_recommendation(p2, d2, REC, "regional", text="Une grille des loyers contraignante.",
                                     sources=[("contribution", finding), ("need", need), ("persona", persona)])["id"]
    voting.open_vote(SYSTEM, d2, dots=3, multi=True)
    voting.cast_dot(SYSTEM, d2, rec, subgroup_id=g2)
    voting.close_vote(SYSTEM, d2)
    recs.set_retained(SYSTEM, rec, True)
    flow.set_stage(SYSTEM, d2, "implementation")
    plan = plans.start_plan(SYSTEM, rec, subgroup_id=g2)["id"]
    meet = plans.add_action(SYSTEM, plan, "Réunir les AIS du quartier", carrier="Fédération des AIS")["id"]
    paper = plans.add_action(SYSTEM, plan, "Publier une carte blanche")["id"]
    flow.close_session(SYSTEM, d2)
    own = board.add_contribution(px, other, "finding", "people", "Trop peu de places en formation qualifiante")["id"]
    flow.set_stage(SYSTEM, other, "recommendations")
    recs.create_recommendation(px, other, OPEN_REC, "community", sources=[("contribution", own)])
    return SimpleNamespace(event=ev["id"], d1=d1, d2=d2, rec=rec, meet=meet, paper=paper,
                           orga=Actor(kind="staff", id=None, label="Orga", role="organiser",
                                      event_ids=frozenset({ev["id"]})))


def _follow_up(t: SimpleNamespace) -> None:
    """The organiser records the follow-up: addressee, an answer with a link and a document, the
    decision, the actions' progress, and an internal note that never leaves the organiser page."""
    tr.update_follow_up(t.orga, t.rec, 0, addressee="Cabinet du ministre du Logement", status="sent",
                        status_on=dt.date(2026, 10, 1))
    tr.add_answer(t.orga, t.rec, dt.date(2026, 11, 20), ANSWER, LINK, PDF, "reponse.pdf")
    tr.update_follow_up(t.orga, t.rec, None, status="adopted", status_on=dt.date(2026, 12, 1), note=INTERNAL_NOTE)
    tr.set_action_progress(t.orga, t.meet, None, "under_way", dt.date(2026, 11, 25),
                           "Première réunion tenue avec le cabinet")
    tr.set_action_progress(t.orga, t.paper, None, "done", dt.date(2026, 11, 28))


def _both(edition: str, lang: str = "fr") -> tuple[str, list[str]]:
    """The booklet's text as Word and its PDF pages, as a reader gets them back."""
    docx = _docx_text(bk.export_booklet(SLUG, "docx", lang, edition=edition, on=ON))
    return docx, _pdf_pages(bk.export_booklet(SLUG, "pdf", lang, edition=edition, on=ON))


# --- issue 16: the trail back to date 1 carries its dates ------------------------------------------

def test_a_trail_line_says_the_date_of_the_earlier_session_it_comes_from(two_dates):
    docx, pages = _both("first")
    for text in (docx, " ".join(pages)):
        # the recommendation is dated by its own session (date 2), its trail by date 1
        assert "1 vote · retenue · Atelier du 4 décembre 2025" in text
        assert "Constat : « Les loyers dépassent la moitié du revenu » — 16 novembre 2025" in text
        assert "Besoin : « Trouver un logement abordable » (Nadia) — 16 novembre 2025" in text
        assert "Persona : Nadia — 16 novembre 2025" in text
        # a theme held on a single date: its trail needs no date
        assert "Constat : « Trop peu de places en formation qualifiante »" in text
        assert "Constat : « Trop peu de places en formation qualifiante » —" not in text
    en = bk.build_booklet(SLUG, "en").text()
    assert "Need: “Trouver un logement abordable” (Nadia) — 16 November 2025" in en


# --- issue 17 item 6: the follow-up edition ------------------------------------------------------------

def test_the_follow_up_edition_is_dated_and_shows_each_recommendation_s_follow_up(two_dates):
    _follow_up(two_dates)
    docx, pages = _both("follow_up")
    cover = pages[0]
    assert "Édition de suivi · 5 décembre 2026" in cover
    assert "Première édition : 4 décembre 2025, à l’issue des ateliers" in cover
    # the summary comes right after the cover, on its own page
    assert pages[1].startswith("Suivi des recommandations")
    for line in ("État au 5 décembre 2026 : 1 recommandation issue des ateliers clôturés.",
                 "Ont reçu une réponse ou une décision : 1 sur 1", "Adoptées, en tout ou en partie : 1 sur 1",
                 "Mises en œuvre : 0 sur 1", "Actions de mise en œuvre (2) : réalisées 1, en cours 1, en retard 0",
                 "En attente de la clôture de leur atelier : 1"):
        assert line in pages[1] and line in docx, line
    pdf = " ".join(pages)
    for text in (docx, pdf):
        after = text[text.index(f"1. {REC}"):]
        for line in ("Suivi au 5 décembre 2026", "Destinataire : Cabinet du ministre du Logement",
                     "Statut : Adoptée, depuis le 1 décembre 2026", "Réponse du 20 novembre 2026", ANSWER,
                     f"Lien : {LINK}", "Document joint : reponse.pdf",
                     "Réunir les AIS du quartier : En cours (25 novembre 2026) — Première réunion tenue avec le "
                     "cabinet", "Publier une carte blanche : Réalisée (28 novembre 2026)"):
            assert line in after, line
        # in order: addressee and status, then the answer, then the actions
        assert after.index("Destinataire") < after.index("Réponse du") < after.index("Réunir les AIS du quartier :")
        # the recommendation whose session is still open has no follow-up yet, and says so
        assert "Le suivi commence quand l’atelier de cette recommandation est clôturé." in \
            text[text.index(OPEN_REC):]
        # the organisers' internal note stays on their page
        assert INTERNAL_NOTE not in text
        # the trail is still there, dated
        assert "Besoin : « Trouver un logement abordable » (Nadia) — 16 novembre 2025" in text
    assert bk.file_name(SLUG, "pdf", "fr", "follow_up", ON) == f"{SLUG}-cahier-suivi-2026-12-05.pdf"
    assert bk.file_name(SLUG, "docx", "en", "follow_up", ON) == f"{SLUG}-booklet-follow-up-2026-12-05.docx"
    assert bk.file_name(SLUG, "pdf", "nl", "follow_up", ON) == f"{SLUG}-cahier-opvolging-2026-12-05.pdf"
    en = bk.build_booklet(SLUG, "en", edition="follow_up", on=ON)
    assert en.subtitle == "Recommendations booklet — follow-up edition of 5 December 2026"
    for line in ("Follow-up edition · 5 December 2026", "Status: Adopted, since 1 December 2026",
                 "Addressee: Cabinet du ministre du Logement", "Answer of 20 November 2026",
                 "Réunir les AIS du quartier: Under way (25 November 2026)"):
        assert line in en.text(), line
    nl = _flat(" ".join(_pdf_pages(bk.export_booklet(SLUG, "pdf", "nl", edition="follow_up", on=ON))))
    assert "Opvolgingseditie · 5 december 2026" in nl and "Status: Aangenomen, sinds 1 december 2026" in nl


def test_the_first_edition_stays_the_workshops_booklet(two_dates):
    _follow_up(two_dates)
    first = bk.build_booklet(SLUG)
    assert first.subtitle == "Cahier de recommandations" and first.edition == "first"
    assert first.chapters() == ["Logement", "Formation", "Annexe 1 — Les personas",
                                "Annexe 2 — Glossaire des ressources"]
    docx, pages = _both("first")
    for text in (docx, " ".join(pages)):
        for absent in ("Édition de suivi", "Suivi des recommandations", "Destinataire", ANSWER, LINK, "Statut :"):
            assert absent not in text, absent
    assert bk.file_name(SLUG, "pdf") == f"{SLUG}-cahier.pdf"
    follow = bk.build_booklet(SLUG, edition="follow_up", on=ON)
    assert follow.chapters() == ["Suivi des recommandations", *first.chapters()]
    with pytest.raises(ValidationError) as caught:
        bk.build_booklet(SLUG, edition="second")
    assert caught.value.field == "edition"


# --- the pages: where organisers download it ---------------------------------------------------------

def test_organisers_download_the_follow_up_edition_from_the_dashboard_and_the_follow_up_page(two_dates):
    organiser = Actor(kind="staff", id=7, label="Orga", role="organiser", event_ids=frozenset({two_dates.event}))
    at = AppTest.from_file(str(ROOT / "app_pages" / "follow_up.py"), default_timeout=60)
    at.session_state["actor"] = organiser
    at.run()
    assert not at.exception, at.exception
    assert "Cahier de recommandations — édition de suivi" in [h.value for h in at.subheader]
    buttons = {b.label for b in at.get("download_button")}
    assert {"Édition de suivi (Word)", "Édition de suivi (PDF)"} <= buttons

    at = AppTest.from_file(str(ROOT / "app_pages" / "dashboard.py"), default_timeout=60)
    at.session_state["actor"] = organiser
    at.session_state["dash_tab"] = "Cahier et exports"
    at.run()
    assert not at.exception, at.exception
    edition = at.selectbox(key="booklet_edition")
    assert edition.value == "first"   # the workshops' booklet unless the organiser asks for the follow-up
    assert edition.options == ["Première édition (ateliers)", "Édition de suivi (datée du jour)"]
    edition.set_value("follow_up").run()
    assert not at.exception, at.exception
    assert at.selectbox(key="booklet_edition").value == "follow_up"
    assert {"Télécharger en Word", "Télécharger en PDF"} <= {b.label for b in at.get("download_button")}


def test_the_command_line_writes_today_s_follow_up_edition(database, two_dates, tmp_path):
    from core.i18n import fmt_date
    from core.settings import local_now
    from tests.test_booklet import _manage

    _follow_up(two_dates)
    out = tmp_path / "suivi.docx"
    done = _manage(database, "export-booklet", "--event", SLUG, "--format", "docx", "--edition", "follow_up",
                   "--out", str(out))
    assert done.returncode == 0, done.stderr
    text = _docx_text(out.read_bytes())
    assert f"Édition de suivi · {fmt_date(local_now().date(), 'fr', 'long')}" in text
    assert "Destinataire : Cabinet du ministre du Logement" in text
    refused = _manage(database, "export-booklet", "--event", SLUG, "--format", "docx", "--edition", "second",
                      "--out", str(tmp_path / "bad.docx"))
    assert refused.returncode == 2 and "--edition" in refused.stderr and not (tmp_path / "bad.docx").exists()
