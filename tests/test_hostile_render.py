"""Hostile text on its way out (issue 9, item 1): the Markdown escaping every page uses
(``ui.text.md``), the error messages (``ui.errors.message``), the spreadsheet exports (CSV formula
neutralisation, XLSX), the booklet (DOCX read back with python-docx, PDF with pypdf), the inventory
CSV round trip, the .ics invitation and the outbox email, each given text stored by the services
exactly as typed. Runs on SQLite and PostgreSQL where a database is involved.

The browser half (no dialog opens, text visible as typed on every page) is item 2 of the issue;
here the escaped string itself is checked: every Markdown-special ASCII character is
backslash-escaped, so Streamlit's renderer (CommonMark + GFM + its own :colour[] / :icon: / $math$
directives) has no link, image, autolink, raw HTML, directive or formula to build, and
unescaping gives back the typed text."""
from __future__ import annotations

import csv
import io
import re
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.actor import SYSTEM
from core.errors import AtelierError
from core.i18n import LANGUAGES
from core.personas import canvas, suggestions
from core.reporting import booklet, exports
from core.resources import inventory
from core.session import plans, recommendations
from core.setup import events
from core.signup import invitations, registration
from core.validation import clean_text
from storage import db
from tests.hostile import (
    NAMED,
    STORABLE,
    TALLY,
    build_world,
    expected_text,
    fingerprint,
    hostile_text,
    hypothesis_settings,
    report_tally,
)
from ui.text import md

SPECIAL = set("\\`*_{}[]()#+-.!|<>~$:=^&")


@pytest.fixture(scope="module", autouse=True)
def _tally(request):
    yield
    report_tally(request)


def unescape(escaped: str) -> str:
    """What a CommonMark renderer shows for md()'s output: an escaped character is itself, "  \\n"
    is a line break; an unescaped special character is a failure (it could start markup)."""
    out, i = [], 0
    while i < len(escaped):
        ch = escaped[i]
        if ch == "\\":
            assert i + 1 < len(escaped) and escaped[i + 1] in SPECIAL, f"stray backslash at {i}: {escaped[i:i+5]!r}"
            out.append(escaped[i + 1])
            i += 2
        elif escaped.startswith("  \n", i):
            out.append("\n")
            i += 3
        else:
            assert ch not in SPECIAL, f"unescaped {ch!r} at {i}: {escaped[max(0, i-10):i+10]!r}"
            assert ch != "\n", "a bare newline (not a hard break) would merge or split paragraphs"
            out.append(ch)
            i += 1
    return "".join(out)


def _no_live_markup(escaped: str) -> None:
    for pattern in (r"(?<!\\)\]\(", r"(?<!\\)<", r"(?<!\\)\[", r"javascript(?!\\):", r"https?(?!\\):", r"www(?!\\)\.",
                    r"(?<!\\):[a-z-]+(?<!\\)\[", r"(?<!\\)\$"):
        assert not re.search(pattern, escaped), (pattern, escaped[:120])


@pytest.mark.parametrize("name", list(NAMED))
def test_md_escapes_every_named_payload_and_gives_it_back(name):
    typed = NAMED[name]
    TALLY.add("ui.text.md", typed)
    escaped = md(typed)
    _no_live_markup(escaped)
    # pages show stored text: CR and the Unicode line separators are LF by then (core.validation)
    stored = typed.replace("\r\n", "\n").replace("\r", "\n")
    assert unescape(md(stored)) == stored


def test_md_named_payloads_spelled_out():
    assert md(NAMED["md_js_link"]) == r"\[x\]\(javascript\:alert\(1\)\)"
    assert md(NAMED["img_onerror"]) == r"\<img src\=x onerror\=alert\(1\)\>"
    assert md(NAMED["script"]) == r"\<script\>alert\(1\)\<\/script\>".replace(r"\/", "/")
    assert md(NAMED["st_colour"]).startswith(r"\:red\[rouge\]")
    assert md(NAMED["html_entity"]).startswith(r"\&lt;script\&gt;")   # an entity stays text, not "<"
    assert md("a\nb") == "a  \nb"


@hypothesis_settings(max_examples=200)
@given(typed=hostile_text)
def test_md_property_no_markup_survives_and_the_text_comes_back(typed):
    TALLY.add("ui.text.md", typed)
    escaped = md(typed)
    _no_live_markup(escaped)
    try:
        stored = clean_text(typed, "f", 200_000, required=False)
    except AtelierError:
        return
    assert unescape(md(stored)) == stored


# --- error messages with hostile parameters ---------------------------------------------------------------------

def test_error_messages_escape_the_typed_text_they_quote(database):
    import streamlit as st

    from ui.errors import message

    world = build_world()
    payload = NAMED["md_js_link"] + " " + NAMED["img_onerror"]
    inventory.add_resource(SYSTEM, payload, category="other")
    with pytest.raises(AtelierError) as err:
        suggestions.create_resource_inline(world.m1, world.g1, payload)
    TALLY.add("ui.errors.message", payload)
    assert err.value.key == "error.resource_already_listed"
    for lang in LANGUAGES:
        st.session_state["lang"] = lang
        shown = message(err.value)
        assert md(payload) in shown
        _no_live_markup(shown.replace(md(payload), ""))   # the catalog's own text is markup-free too
    st.session_state["lang"] = "fr"


# --- exports -------------------------------------------------------------------------------------------------------

def _store_everything(w: Any) -> dict[str, list[str]]:
    """Every storable named payload in the fields the exports and the booklet show; returns the
    stored (normalised) texts by field."""
    stored: dict[str, list[str]] = {"multi": [], "single": []}
    for name in STORABLE:
        typed = NAMED[name]
        multi = expected_text(typed, 1_000)[1]
        single = expected_text(typed, 120, multiline=False)[1]
        canvas.add_canvas_item(w.m1, w.persona, "motivation", typed)
        canvas.add_barrier(w.m1, w.persona, typed)
        canvas.add_solution_lead(w.m1, w.need, typed)
        canvas.create_persona(w.m1, w.s1, typed, subgroup_id=w.g1)
        recommendations.create_recommendation(w.m2, w.s2, typed, "communal", text=typed,
                                              sources=[("contribution", w.c2)])
        plans.add_action(w.m3, w.plan, typed, means=typed)
        inventory.add_resource(SYSTEM, typed, category="other", description=typed)
        TALLY.add("exports(stored)", typed)
        stored["multi"].append(multi)
        stored["single"].append(single)
    return stored


def test_exports_and_the_booklet_keep_hostile_text_as_typed_and_inert(database):
    """CSV (formulas neutralised), XLSX (text cells, quote prefix), the booklet as DOCX and PDF."""
    w = build_world()
    stored = _store_everything(w)
    _csv_exports(stored)
    _xlsx_exports(stored)
    _docx_booklet(w, stored)
    _pdf_booklet(stored)


def _csv_exports(stored: dict[str, list[str]]) -> None:
    cells: set[str] = set()
    for table in ("personas", "canvas_items", "solution_leads", "resources", "recommendations", "plan_actions"):
        data = exports.export_bytes(table, "csv")
        rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
        for row in rows:
            for cell in row:
                assert not cell.startswith(exports.FORMULA_START), (table, cell[:60])   # never runs as a formula
                cells.add(cell)
    for value in stored["multi"] + stored["single"]:
        shown = "'" + value if value.startswith(exports.FORMULA_START) else value
        assert shown in cells, value[:60]


def _xlsx_exports(stored: dict[str, list[str]]) -> None:
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(exports.export_bytes("all", "xlsx")))
    texts: set[str] = set()
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)   # no formula cell
                if isinstance(cell.value, str):
                    texts.add(cell.value)
                    if cell.value.startswith(exports.FORMULA_START):
                        assert cell.quotePrefix, (sheet.title, cell.coordinate)           # opens as text
    for value in stored["multi"] + stored["single"]:
        assert value in texts, value[:60]


def _docx_text(data: bytes) -> list[str]:
    from docx import Document

    doc = Document(io.BytesIO(data))
    out = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        out += [cell.text for row in table.rows for cell in row.cells]
    return out


def _docx_booklet(w: Any, stored: dict[str, list[str]]) -> None:
    events.update_event(SYSTEM, w.event, None, title=NAMED["mixed_bidi"] + " " + NAMED["script"])
    data = booklet.export_booklet("hostile", "docx")
    paragraphs = _docx_text(data)
    for value in stored["multi"]:            # the motivations are listed as typed
        assert value in paragraphs, value[:60]
    for value in stored["single"]:           # persona names are headings
        assert value in paragraphs, value[:60]


def _flat(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _pdf_booklet(stored: dict[str, list[str]]) -> None:
    from pypdf import PdfReader

    data = booklet.export_booklet("hostile", "pdf")
    text = _flat("".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages))
    # DejaVu Sans has Latin, Greek, Cyrillic, Hebrew and Arabic letters but no emoji (documented:
    # an emoji is left out of the PDF, never a crash); fpdf2 lays out without bidi shaping
    for name in STORABLE:
        value = expected_text(NAMED[name], 120, multiline=False)[1]
        if name.startswith("emoji") or any(0x0590 <= ord(ch) <= 0x06FF for ch in value):
            continue
        assert _flat(value) in text, (name, value[:60])


# --- the inventory CSV round trip, and hostile cells imported --------------------------------------------------

def test_the_inventory_csv_comes_back_unchanged_through_its_own_import(database):
    """Hostile names and descriptions exported, then imported: every row is found as it is (the
    import keys resources by acronym and name without punctuation, so payloads that differ only by
    punctuation are one resource by design: one of each is stored)."""
    keys = {inventory.name_key(i.name) for i in inventory.search_resources("")}
    for name in STORABLE:
        typed = NAMED[name]
        key = inventory.name_key(expected_text(typed, 200, multiline=False)[1])
        if key not in keys:
            keys.add(key)
            inventory.add_resource(SYSTEM, typed, category="other", description=typed, url=typed[:500])
    data = inventory.export_csv()
    before = fingerprint()
    report = inventory.import_csv(SYSTEM, data)
    TALLY.add("inventory.import_csv(round trip)", data)
    assert report.ok and report.written and report.created == 0 and report.updated == 0, report
    assert fingerprint() == before                     # every exported value read back as it is stored


def _csv(rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    return out.getvalue().encode("utf-8")


def test_hostile_cells_in_an_imported_csv(database):
    counter = iter(range(1, 10**9))     # a new resource name for every row whose other cell is tried
    for column in ("name", "description", "url", "city"):
        _import_cells(column, counter)


def _import_cells(column: str, counter: Any) -> None:
    """Each hostile cell: the import lists a keyed problem and writes nothing, or the resource holds
    the cell as typed (the rule of its field; an apostrophe before a formula is the export's and
    is taken off)."""
    limits = {"name": (200, False), "description": (5_000, True), "url": (500, False), "city": (5_000, True)}

    @hypothesis_settings(max_examples=30)
    @given(cell=st.one_of(st.sampled_from(STORABLE).map(NAMED.get), hostile_text.filter(lambda x: len(x) < 20_000)))
    def prop(cell: str) -> None:
        TALLY.add(f"inventory.import_csv({column})", cell)
        if "\x00" in cell or any(0xD800 <= ord(ch) <= 0xDFFF for ch in cell):
            return   # not a CSV file at all (covered below)
        header = ["name", column] if column != "name" else ["name"]
        name = cell if column == "name" else f"Ressource {next(counter)}"
        row = [name] + ([cell] if column != "name" else [])
        before = fingerprint()
        with db.read_session() as s:
            known = set(inventory._existing_by_key(s))
        report = inventory.import_csv(SYSTEM, _csv([header, row]))
        if report.problems:
            assert not report.written and fingerprint() == before
            for problem in report.problems:
                for lang in LANGUAGES:
                    assert problem.key in __import__("core.i18n", fromlist=["catalog"]).catalog(lang), problem.key
            return
        typed = cell.strip()
        typed = typed[1:] if typed.startswith("'") and typed[1:].startswith(exports.FORMULA_START) else typed
        max_len, multiline = limits[column]
        kind, value = expected_text(typed, max_len, required=False, multiline=multiline)
        assert kind == "ok", (cell[:60], value)
        if column == "name" and (not value or ("", inventory.name_key(value)) in known):
            assert report.created == 0      # the same name (punctuation and case aside) is already listed
            return
        found = [r for r in inventory.search_resources("") if (r.name == value if column == "name" else r.name == name)]
        assert found and report.created == 1, (cell[:60], value[:60], report)
        got = found[0].extra.get("city", "") if column == "city" else getattr(found[0], column)
        if column != "name":
            assert got == value, (cell[:60], got[:60], value[:60])

    prop()


def test_a_file_with_nul_bytes_or_bad_bytes_is_not_a_csv(database):
    for data, key in ((b"name\r\nA\x00B\r\n", "inventory.import.error.not_csv"),
                      (b"name\r\n\xff\xfe\xfa\x81\x8d\r\n", None)):
        before = fingerprint()
        report = inventory.import_csv(SYSTEM, data)
        TALLY.add("inventory.import_csv(bytes)", data)
        if key:
            assert [p.key for p in report.problems] == [key]
        assert report.written == (not report.problems)
        if report.problems:
            assert fingerprint() == before


# --- invitations: the .ics file and the outbox email ----------------------------------------------------------------

def test_the_ics_file_and_the_email_keep_hostile_titles_inert(database):
    w = build_world()
    title = "Réunion\r\nATTENDEE:mailto:evil@example.org; " + NAMED["script"] + " \u2028 " + NAMED["emoji_zwj_family"]
    events.update_event(SYSTEM, w.event, None, title=title, place="Salle 1\nBEGIN:VALARM")
    events.update_session(SYSTEM, w.s1, None, starts_at="2099-05-04T09:00", ends_at="2099-05-04T12:00",
                          title="x,y;z\\")
    TALLY.add("invitations.session_ics", title)
    raw = invitations.session_ics(w.s1, "fr").decode("utf-8")
    unfolded = raw.replace("\r\n ", "")
    names = [line.split(":", 1)[0].split(";", 1)[0] for line in unfolded.split("\r\n") if line]
    assert set(names) <= {"BEGIN", "VERSION", "PRODID", "CALSCALE", "METHOD", "UID", "DTSTAMP", "DTSTART", "DTEND",
                          "SUMMARY", "LOCATION", "DESCRIPTION", "URL", "END"}, names
    assert names.count("BEGIN") == 2 and "ATTENDEE" not in names
    stored_title = expected_text(title, 200, multiline=False)[1]
    summary = next(line for line in unfolded.split("\r\n") if line.startswith("SUMMARY:"))[len("SUMMARY:"):]
    unescaped = summary.replace("\\n", "\n").replace("\\,", ",").replace("\\;", ";").replace("\\\\", "\\")
    assert unescaped.startswith(stored_title)
    # the outbox email to a registered person: a header never carries a line break
    registration.register("hostile", first_name=NAMED["rtl_override"], email="zoe@example.org", session_ids=[w.s1],
                          consent=True)
    rows = invitations.outbox(w.event)
    assert rows
    from storage import db
    from storage import models as m

    with db.read_session() as s:
        for row in s.query(m.OutboxEmail).all():
            assert "\n" not in row.subject and "\r" not in row.subject and "\u2028" not in row.subject
            invitations._message(row, "atelier@example.org").as_bytes()
