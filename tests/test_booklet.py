"""The booklet: one document model rendered as DOCX and PDF that open, in French by default,
with accents and inclusive writing intact; a Partner's Day style report when there are no
recommendations."""
from __future__ import annotations

import io
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from docx import Document
from pypdf import PdfReader

from core.errors import AtelierError, NotFound, PermissionDenied
from core.reporting import booklet as bk
from core.setup import demo_data as D
from tests.test_dashboard import REC_TITLES, build_rich_event

ROOT = Path(__file__).resolve().parent.parent
PERSONAS = ["Ahmed", "Amir", "Éric", "Fatoumata", "Paulette", "Sofia"]


def _flat(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _docx_text(data: bytes) -> str:
    doc = Document(io.BytesIO(data))
    parts = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        for row in table.rows:
            parts.extend(cell.text for cell in row.cells)
    return _flat("\n".join(parts))


def _pdf_pages(data: bytes) -> list[str]:
    assert data.startswith(b"%PDF")
    return [_flat(page.extract_text()) for page in PdfReader(io.BytesIO(data)).pages]


def _check_pages(pages: list[str], booklet: bk.Booklet) -> None:
    """Page 1 is the title page alone; every chapter starts a page, in order; the footer of the last
    page says "n / n" for the number of pages the reader found."""
    assert pages[0].startswith(_flat(booklet.title))
    starts = [i for i, text in enumerate(pages) for ch in booklet.chapters() if text.startswith(_flat(ch))]
    assert len(starts) == len(booklet.chapters()) and starts == sorted(starts) and starts[0] == 1
    total = len(pages)
    assert pages[-1].endswith(f"{_flat(booklet.title)} — {total} / {total}")
    assert total >= 1 + len(booklet.chapters())


def _manage(url: str, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "ATELIER_DATABASE_URL": url}
    return subprocess.run([sys.executable, str(ROOT / "manage.py"), *args], capture_output=True, text=True,
                          env=env, timeout=180)


def test_export_booklet_command_writes_the_partners_day_report_as_docx_and_pdf(seeded, tmp_path):
    docx_file, pdf_file = tmp_path / "cr.docx", tmp_path / "cr.pdf"
    for fmt, out in (("docx", docx_file), ("pdf", pdf_file)):
        done = _manage(seeded, "export-booklet", "--event", "partners-day-2024", "--format", fmt, "--out", str(out))
        assert done.returncode == 0, done.stderr
    booklet = bk.build_booklet("partners-day-2024")
    assert booklet.kind == "report" and booklet.subtitle == "Compte rendu"
    text = _docx_text(docx_file.read_bytes())
    pages = _pdf_pages(pdf_file.read_bytes())
    _check_pages(pages, booklet)
    pdf_text = " ".join(pages)
    for doc_text in (text, pdf_text):
        for name in PERSONAS:
            assert name in doc_text
        for heading in ("Réussites et bonnes pratiques", "Défis", "Tour de clôture : constats et souhaits",
                        "Annexe 1 — Les personas", "Annexe 2 — Glossaire des ressources", "Le 31 janvier 2024"):
            assert heading in doc_text, heading
        for category in D.PARTNERS_DAY_SUCCESS_CATEGORIES + D.PARTNERS_DAY_CHALLENGE_CATEGORIES:
            assert _flat(category) in doc_text, category
        assert "Employeur·euse·s" in doc_text and "main-d'œuvre « peu rare »" in doc_text
        assert "Ahmed — 40 ans, né en Belgique" in doc_text
        # the gaps of the diagnostic: the needs no resource answers
        assert "Logement — Ahmed (aucune piste)" in doc_text


def test_recommendations_booklet_has_every_recommendation_persona_and_plan(seeded):
    rich = build_rich_event()
    booklet = bk.build_booklet(rich.slug)
    assert booklet.kind == "recommendations" and booklet.subtitle == "Cahier de recommandations"
    assert booklet.chapters() == ["Logement d’abord", "Sortie de prison", "Annexe 1 — Les personas",
                                  "Annexe 2 — Glossaire des ressources"]
    text = _docx_text(bk.render_docx(booklet))
    pages = _pdf_pages(bk.render_pdf(booklet))
    _check_pages(pages, booklet)
    title_page = pages[0]
    for fact in ("Assises de test des acteur·rice·s", "Du 1 mars 2024 au 15 mars 2024",
                 "Organisation : Fédération des acteur·rice·s sociaux·ales", "Ateliers : 3",
                 "Participant·e·s inscrit·e·s : 3", "Organisations impliquées : 2", "Recommandations : 3"):
        assert fact in title_page, fact
    pdf_text = " ".join(pages)
    for doc_text in (text, pdf_text):
        for rank_title in (f"1. {REC_TITLES[0]}", f"2. {REC_TITLES[1]}", f"1. {REC_TITLES[2]}"):
            assert rank_title in doc_text, rank_title
        assert doc_text.index(REC_TITLES[0]) < doc_text.index(REC_TITLES[1]) < doc_text.index(REC_TITLES[2])
        for name in ("Aïcha", "Jérôme", "Éloïse"):
            assert name in doc_text
        # the addressee is the level of power; the people concerned have their own label
        assert ("Adressée à (niveau de pouvoir) : Régional Public concerné : Ministre bruxellois·e du Logement"
                in doc_text)
        assert "3 votes · retenue · Atelier du 1 mars 2024" in doc_text
        assert "Constat : « Les loyers ont doublé en dix ans. »" in doc_text
        assert "Besoin : « Logement » (Aïcha)" in doc_text and "Persona : Jérôme" in doc_text
        assert "Fédération des CPAS" in doc_text and "Une convention signée" in doc_text
        assert "Un travail — Jérôme (aucune piste)" in doc_text
        assert "Doublon fusionné" not in doc_text and "Recommandation retirée" not in doc_text
        assert "Parce que le logement est la base de tout." in doc_text
    docx = Document(io.BytesIO(bk.render_docx(booklet)))
    chapters = [p for p in docx.paragraphs if p.style.name == "Heading 1"]
    assert [p.text for p in chapters] == booklet.chapters()
    assert all(p.paragraph_format.page_break_before for p in chapters)  # a chapter starts a page in Word too
    assert docx.paragraphs[0].style.name == "Title" and docx.core_properties.language == "fr"
    plan = next(t for t in docx.tables if t.rows[0].cells[0].text == "Recommandation")
    assert [c.text for c in plan.rows[0].cells] == ["Recommandation", "Action", "Porteur·euse", "Échéance", "Moyens",
                                                    "Indicateur de réussite", "Risques"]
    assert [c.text for c in plan.rows[1].cells][:4] == [REC_TITLES[0], "Réunir les CPAS et les AIS",
                                                        "Fédération des CPAS", "1 sept. 2024"]


def test_booklet_language_is_selectable(seeded):
    rich = build_rich_event()
    en = bk.build_booklet(rich.slug, "en")
    assert en.subtitle == "Recommendations booklet" and en.chapters()[-1] == "Annex 2 — Resources glossary"
    assert "From 1 March 2024 to 15 March 2024" in en.text()
    nl = _flat(" ".join(_pdf_pages(bk.export_booklet(rich.slug, "pdf", "nl"))))
    assert "Cahier met aanbevelingen" in nl and "Bijlage 1 — De persona’s" in nl and REC_TITLES[1] in nl


def test_a_very_long_plan_text_flows_over_pages_without_loss(seeded):
    long_text = " ".join(["Risque·s identifié·e·s"] * 700)  # ~16,000 characters: taller than a page
    booklet = bk.Booklet("recommendations", "fr", "Test", "Cahier", [
        bk.Heading("Test", 0), bk.Heading("Chapitre", 1),
        bk.Table(("Recommandation", "Risques"), (("Courte", "ok"), ("Longue", long_text), ("Après", "fin"))),
    ])
    pages = _pdf_pages(bk.render_pdf(booklet))
    assert len(pages) > 3
    text = re.sub(r" ?Test — \d+ / \d+ ?", " ", " ".join(pages))  # without the footers
    assert text.count("Risque·s identifié·e·s") == 700 and "Après" in text and "fin" in text


def test_errors_unknown_event_foreign_event_and_missing_font(seeded, monkeypatch, tmp_path):
    with pytest.raises(NotFound) as err:
        bk.build_booklet("nope")
    assert err.value.key == "error.unknown_event"
    with pytest.raises(PermissionDenied):
        bk.build_booklet("partners-day-2024", visible_event_ids=frozenset({999_999}))
    monkeypatch.delenv("ATELIER_PDF_FONT_DIR", raising=False)
    system = bk.find_fonts()   # the system's DejaVu (fonts-dejavu-core), no Python package
    assert system["B"].endswith("DejaVuSans-Bold.ttf") and "site-packages" not in system[""]
    # no DejaVu in the system paths: a clear error, not a PDF of empty boxes
    monkeypatch.setattr(bk, "FONT_DIRS", ("/nonexistent",))
    with pytest.raises(AtelierError) as err:
        bk.find_fonts()
    assert err.value.key == "error.booklet_no_font"
    # ATELIER_PDF_FONT_DIR holding only the regular face: it serves bold and italic too
    own = tmp_path / "fonts"
    own.mkdir()
    (own / "DejaVuSans.ttf").write_bytes(Path(system[""]).read_bytes())
    monkeypatch.setenv("ATELIER_PDF_FONT_DIR", str(own))
    assert bk.find_fonts() == {style: str(own / "DejaVuSans.ttf") for style in ("", "B", "I", "BI")}


# --- who took part: the cover counts people who joined by code -----------------------------------

def test_cover_counts_people_who_joined_by_code_without_registering(seeded):
    from tests.test_dashboard import build_joined_only_event

    room = build_joined_only_event()
    booklet = bk.build_booklet(room.slug)
    pdf_cover = _pdf_pages(bk.render_pdf(booklet))[0]
    docx_text = _docx_text(bk.render_docx(booklet))
    for cover in (pdf_cover, docx_text):
        assert "Participant·e·s ayant rejoint un sous-groupe par code : 7" in cover
        assert "Ateliers : 2" in cover
        # nobody registered: no "0 participants", no "0 organisations"
        assert not re.search(r"Participant·e·s[^:]*: 0\b", cover) and "Organisations impliquées" not in cover
    en = bk.build_booklet(room.slug, "en").text()
    assert "Participants who joined a sub-group by code: 7" in en


# --- the PDF: shaped text, emoji, whole header words, no stray page ------------------------------

ARABIC_NAME = "فاطمة الزهراء"


def test_pdf_keeps_emoji_and_writes_arabic_joined_in_logical_order(seeded, caplog):
    from core import entities as e
    from core.actor import SYSTEM
    from storage import db

    rich = build_rich_event()
    with db.write_session() as s:
        e.create_in(s, SYSTEM, "persona", session_id=rich.sessions[0], name=ARABIC_NAME, age=41, origin="Maroc",
                    facts=["🏠 Cherche un logement depuis deux ans ✅"])
    caplog.set_level("WARNING", logger="fpdf")
    data = bk.export_booklet(rich.slug, "pdf")
    text = " ".join(_pdf_pages(data))
    # the reader gets the name back as typed (logical order), not reversed letter by letter
    assert ARABIC_NAME in text and ARABIC_NAME[::-1] not in text
    assert "🏠 Cherche un logement depuis deux ans ✅" in text
    assert b"Symbola" in data     # the emoji come from the embedded fallback font
    assert not [r for r in caplog.records if "missing" in r.getMessage()], caplog.text
    # shaped: the letters are drawn with their joined (initial, medial, final) forms, the glyphs of
    # Unicode's Arabic presentation forms in DejaVu; unshaped text would use the isolated letters
    joined = {g for g in _embedded_glyphs(data) if re.fullmatch(r"uniFE[7-9A-F][0-9A-F]", g)}
    assert len(joined) >= 5, joined


def _embedded_glyphs(data: bytes) -> set[str]:
    """Names of the glyphs embedded (subset) in the PDF's TrueType fonts."""
    from fontTools.ttLib import TTFont

    names: set[str] = set()
    for page in PdfReader(io.BytesIO(data)).pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            for child in font.get("/DescendantFonts", []):
                file = child.get_object()["/FontDescriptor"].get_object().get("/FontFile2")
                if file is not None:
                    names |= set(TTFont(io.BytesIO(file.get_object().get_data())).getGlyphOrder())
    return names


@pytest.mark.parametrize("lang", ["fr", "en", "nl"])
def test_plan_table_header_words_are_never_broken(seeded, lang):
    from core.i18n import translate

    rich = build_rich_event()
    pages = _pdf_pages(bk.export_booklet(rich.slug, "pdf", lang))
    text = " ".join(pages)
    header = [translate(lang, f"dashboard.col.{c}") for c in ("recommendation", "action", "carrier", "due", "means",
                                                             "indicator", "risks")]
    for label in header:
        for word in label.split():
            assert re.search(rf"(?<!\w){re.escape(word)}(?!\w)", text), (lang, word)


def _words_per_page(data: bytes, title: str) -> list[int]:
    out = []
    for text in _pdf_pages(data):
        text = re.sub(rf"{re.escape(title)} — \d+ / \d+", " ", text)   # the footer
        out.append(len(text.split()))
    return out


def test_no_page_holds_only_a_stray_word_or_line():
    """A chapter whose end falls just past a page's foot, for 18 lengths of what comes before: the
    end moves with enough of what precedes it, never alone on a page (the layout before this left
    "Point numéro 37 de la liste. fin." alone on a page at 38 points)."""
    para = "Les personnes accompagnées décrivent un parcours long et incertain, fait de guichets et de formulaires. "
    para *= 3
    for points in range(30, 48):
        blocks: list[bk.Block] = [
            bk.Heading("Cahier", 0), bk.Heading("Chapitre", 1),
            bk.Bullets(tuple(f"Point numéro {i} de la liste." for i in range(points))), bk.Paragraph(para + "fin."),
            bk.Heading("Suite", 1), bk.Paragraph("Un chapitre suivant.")]
        data = bk.render_pdf(bk.Booklet("report", "fr", "Cahier", "Compte rendu", blocks))
        pages = _pdf_pages(data)
        for i, (count, page) in enumerate(zip(_words_per_page(data, "Cahier"), pages)):
            if i == 0 or page.startswith(("Chapitre", "Suite")):
                continue   # the title page and a chapter's first page may be short
            assert count >= bk.MIN_PAGE_WORDS, (points, i, page)
        text = " ".join(pages)
        assert f"Point numéro {points - 1} de la liste." in text and text.count("fait de guichets") == 3
        assert "formulaires. fin." in text
