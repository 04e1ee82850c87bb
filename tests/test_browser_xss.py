"""No script injection (issue 9, item 2): payloads typed as persona names, identity facts, canvas
items, solution leads, board contributions, recommendations, plans, resources, event / theme /
session / sub-group titles and a participant's first name are shown exactly as typed on every page
that shows them — canvas, group page, recommendation trail, console, projector (each view),
dashboard, inventory, sessions, home, event setup, registrations — never run, never turned into a
link, never eaten by Markdown; the exports (CSV, XLSX, DOCX and PDF booklets, JSON) carry them as
plain text.

A ``dialog`` handler on every page records any ``alert()``; the DOM is searched for links to
``javascript:``, inline event handlers and elements the payloads would have injected."""
from __future__ import annotations

import datetime as dt
import io
import json
import os
import re
import uuid
import zipfile

import pytest

from tests.browser import IDLE, ROOT, choose, chromium, open_canvas, poll, running_app, wait_idle

PG_URL = os.environ.get("ATELIER_TEST_POSTGRES_URL")
SHOTS = ROOT / ".pytest_cache"

PAYLOADS = (
    "<img src=x onerror=alert(1)>",
    "<script>alert(1)</script>",
    "[x](javascript:alert(1))",
    '<a href="javascript:alert(1)">a</a>',
    "javascript:alert(1)",
    ":red[x]",
    "$$x$$",
    "<svg onload=alert(1)>",
    "**gras** _it_ `code` ~~barré~~ \\* #1",
    "=HYPERLINK(\"javascript:alert(1)\";\"x\")",
)
N = len(PAYLOADS)
TYPED_BARRIER = "<svg/onload=alert(1)> tapé <b>ici</b> [lien](javascript:alert(1))"
TYPED_REC = "<img src=x onerror=alert(1)> reco tapée $$y$$ :blue[z]"
FIRST_NAME = "<script>alert(1)</script>Nadia"
STAFF_NAME = "Orga <img src=x onerror=alert(1)>"
PASSWORD = "motdepasse-orga-xss"
SESSION_TITLE = f"{PAYLOADS[3]} séance <b>gras</b>"   # tags a chart label would draw (bold, link)
# the resources' web site: three payloads, the rest ordinary addresses
URLS = [p if i in (2, 3, 4, 9) else f"https://example.org/{i}" for i, p in enumerate(PAYLOADS)]

# what each page must show (every payload of a field is ``f"{payload} {tag}{i}"``)
SCAN_JS = """() => {
  const bad = [];
  for (const el of document.querySelectorAll('*')) {
    for (const a of el.attributes) {
      const n = a.name.toLowerCase(), v = (a.value || '').toLowerCase().replace(/\\s/g, '');
      if (n.startsWith('on') && v.includes('alert')) bad.push(el.tagName + ' ' + n);
      if ((n === 'href' || n === 'src' || n === 'action' || n === 'formaction' || n === 'xlink:href')
          && v.startsWith('javascript:')) bad.push(el.tagName + ' ' + n);
    }
    if (el.tagName === 'IMG' && el.getAttribute('src') === 'x') bad.push('IMG src=x');
    if (el.tagName === 'SCRIPT' && (el.textContent || '').includes('alert(1)')) bad.push('SCRIPT alert');
  }
  return bad;
}"""


def tagged(tag: str) -> list[str]:
    return [f"{p} {tag}{i}" for i, p in enumerate(PAYLOADS)]


def norm(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


# --- the room -----------------------------------------------------------------------------------

def seed(url: str) -> dict:
    from storage import db

    db.configure(url)
    try:
        return fill_room()
    finally:
        db.configure(None)
        db.dispose_all()


def fill_room() -> dict:
    """One event whose every text field holds a payload, written through the core services (the
    database is already configured)."""
    from core.access import accounts
    from core.access.join import join, resolve
    from core.actor import SYSTEM
    from core.personas import canvas
    from core.resources import inventory
    from core.session import board, mood, plans, projector, recommendations, session_flow, voting
    from core.setup import events
    from core.signup import registration

    ev = events.create_event(SYSTEM, slug="xss", title=f"{PAYLOADS[0]} événement",
                             description=f"{PAYLOADS[1]} description", place=f"{PAYLOADS[2]} lieu",
                             organisers=f"{PAYLOADS[3]} orga", category_template="plain")
    theme = events.add_theme(SYSTEM, ev["id"], f"{PAYLOADS[5]} thème", why=f"{PAYLOADS[6]} pourquoi")
    starts = (dt.datetime.now() + dt.timedelta(days=30)).replace(hour=9, minute=0, second=0, microsecond=0)
    session = events.add_session(SYSTEM, theme["id"], starts, starts + dt.timedelta(hours=3),
                                 title=SESSION_TITLE)
    sid = session["id"]
    ours = events.add_subgroup(SYSTEM, sid, f"{PAYLOADS[4]} table")
    other = events.add_subgroup(SYSTEM, sid, f"{PAYLOADS[2]} table")
    accounts.create_user("orga", "organiser", STAFF_NAME, "", PASSWORD)
    accounts.attach_to_event("orga", ev["id"])
    session_flow.start_session(SYSTEM, sid)

    resources = [inventory.add_resource(SYSTEM, name, category="other", acronym=f"R{i}",
                                        description=f"{PAYLOADS[i]} description{i}", url=URLS[i])
                 for i, name in enumerate(tagged("ressource"))]
    personas = [canvas.create_persona(SYSTEM, sid, name, subgroup_id=ours["id"], age=30 + i,
                                      origin=f"{PAYLOADS[i]} origine{i}", facts=tagged("fait") if i == 0 else [],
                                      note=f"{PAYLOADS[0]} note0" if i == 0 else "")
                for i, name in enumerate(tagged("persona"))]
    main = personas[0]["id"]
    needs = []
    for i, p in enumerate(PAYLOADS):
        canvas.add_barrier(SYSTEM, main, f"{p} frein{i}", category="other")
        canvas.add_canvas_item(SYSTEM, main, "motivation", f"{p} motivation{i}")
        canvas.add_canvas_item(SYSTEM, main, "skill", f"{p} compétence{i}")
        need = canvas.add_need(SYSTEM, main, f"{p} besoin{i}", category="other")
        needs.append(need["id"])
        canvas.add_solution_lead(SYSTEM, need["id"], f"{p} piste{i}", resource_ids=[resources[i]["id"]])
    contributions = [board.add_contribution(SYSTEM, sid, board.BOARD_KINDS[i % 4], "other", text,
                                            subgroup_id=ours["id"] if i % 2 else other["id"])
                     for i, text in enumerate(tagged("constat"))]
    members = [resolve(join(sid, group["id"])[0]).actor() for group in (ours, other)]
    mood.open_mood_check(SYSTEM, sid, "before")
    for member in members:
        mood.set_mood(member, "before", "sunny")
    mood.open_mood_check(SYSTEM, sid, None)

    session_flow.set_stage(SYSTEM, sid, "recommendations")
    recs = [recommendations.create_recommendation(
        SYSTEM, sid, f"{p} reco{i}", "regional", text=f"{p} texte{i}", public=f"{p} public{i}",
        sources=[("persona", main), ("need", needs[i]), ("contribution", contributions[i]["id"])],
        subgroup_id=ours["id"]) for i, p in enumerate(PAYLOADS)]
    voting.open_vote(SYSTEM, sid, dots=3)
    for member in members:
        for rec in recs[:3]:
            voting.cast_dot(member, sid, rec["id"])
    voting.close_vote(SYSTEM, sid)
    voting.reveal_results(SYSTEM, sid)
    session_flow.set_stage(SYSTEM, sid, "implementation")
    for i, rec in enumerate(recs):
        recommendations.set_retained(SYSTEM, rec["id"])
        plan = plans.start_plan(SYSTEM, rec["id"], subgroup_id=ours["id"], who_wants_what=f"{PAYLOADS[i]} qui{i}",
                                people_concerned_view=f"{PAYLOADS[i]} avis{i}",
                                try_here_now=f"{PAYLOADS[i]} essai{i}", tried_learned=f"{PAYLOADS[i]} appris{i}")
        plans.add_action(SYSTEM, plan["id"], f"{PAYLOADS[i]} action{i}", carrier=f"{PAYLOADS[i]} porteur{i}",
                         means=f"{PAYLOADS[i]} moyens{i}", indicator=f"{PAYLOADS[i]} indicateur{i}",
                         risks=f"{PAYLOADS[i]} risques{i}")
    session_flow.set_stage(SYSTEM, sid, "diagnostic")
    session_flow.set_projector_view(SYSTEM, sid, "feed")
    screen = projector.issue_screen_token(SYSTEM, sid)

    settings = registration.event_settings(ev["id"])
    registration.update_settings(SYSTEM, ev["id"], settings.version, registration_open=True)
    person = registration.register("xss", first_name=f"{PAYLOADS[0]} prénom", last_name=f"{PAYLOADS[1]} nom",
                                   email="xss@example.org", organisation=f"{PAYLOADS[3]} organisation",
                                   sector=f"{PAYLOADS[5]} secteur", session_ids=[sid], consent=True)
    return {"session_id": sid, "code": session["join_code"], "screen": screen, "main": main, "needs": needs,
            "recs": [r["id"] for r in recs], "event_id": ev["id"], "person": person.participant_id,
            "token": person.token}


@pytest.fixture(params=["sqlite", "postgres"])
def room(request, sqlite_file):
    if request.param == "sqlite":
        yield {"url": sqlite_file, **seed(sqlite_file)}
        return
    if not PG_URL:
        pytest.skip("ATELIER_TEST_POSTGRES_URL is not set")
    from sqlalchemy import create_engine, text

    from manage import upgrade_to_head
    from storage import db

    schema = f"atelier_xss_{uuid.uuid4().hex[:8]}"
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = f"{PG_URL}{'&' if '?' in PG_URL else '?'}options=-csearch_path%3D{schema}"
    try:
        db.configure(url)
        try:
            upgrade_to_head()
        finally:
            db.configure(None)
        yield {"url": url, **seed(url)}
    finally:
        db.dispose_all()
        with admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


# --- the exports ----------------------------------------------------------------------------------

def csv_cells(data: bytes) -> list[str]:
    import csv

    text = data.decode("utf-8-sig")
    return [cell for row in csv.reader(io.StringIO(text)) for cell in row]


def check_csv(data: bytes, expected: list[str], what: str) -> int:
    """Each text is a cell as typed — with the leading apostrophe a spreadsheet needs when it starts
    with = + - @ — and no cell would run as a formula."""
    from core.reporting.exports import is_risky

    cells = set(csv_cells(data))
    missing = [x for x in expected if ("'" + x if is_risky(x) else x) not in cells]
    assert not missing, f"{what}: not in the CSV as typed: {missing}"
    formulas = [c for c in cells if is_risky(c)]
    assert not formulas, f"{what}: cells a spreadsheet would run: {formulas}"
    return len(expected)


def check_xlsx(data: bytes, expected: list[str], what: str) -> int:
    """Each text is a string cell (never a formula) holding exactly what was typed."""
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(data))
    cells = [c for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.value is not None]
    formulas = [c.coordinate for c in cells if c.data_type == "f"]
    assert not formulas, f"{what}: formula cells {formulas}"
    values = {c.value for c in cells if isinstance(c.value, str)}
    missing = [x for x in expected if x not in values]
    assert not missing, f"{what}: not in the workbook as typed: {missing}"
    return len(expected)


def check_docx(data: bytes, expected: list[str], what: str) -> int:
    """The text is in the document literally; the document links nowhere."""
    from docx import Document

    doc = Document(io.BytesIO(data))
    texts = [p.text for p in doc.paragraphs]
    texts += [cell.text for table in doc.tables for row in table.rows for cell in row.cells]
    shown = norm("\n".join(texts))
    missing = [x for x in expected if norm(x) not in shown]
    assert not missing, f"{what}: not in the DOCX as typed: {missing}"
    links = [r.target_ref for r in doc.part.rels.values() if "hyperlink" in r.reltype]
    assert not links, f"{what}: hyperlinks in the DOCX: {links}"
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        for name in z.namelist():
            if name.endswith(".xml") or name.endswith(".rels"):
                xml = z.read(name).decode("utf-8")
                assert "<w:hyperlink" not in xml and "HYPERLINK" not in xml.replace("=HYPERLINK(", ""), \
                    f"{what}: a hyperlink field in {name}"
                assert "<script" not in xml and "<img" not in xml, f"{what}: raw markup in {name}"
    return len(expected)


def check_pdf(data: bytes, expected: list[str], what: str) -> int:
    """The text is in the PDF literally (line breaks aside); no link, no JavaScript action."""
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    squeezed = re.sub(r"\s+", "", "".join(page.extract_text() or "" for page in reader.pages))
    missing = [x for x in expected if re.sub(r"\s+", "", x) not in squeezed]
    assert not missing, f"{what}: not in the PDF as typed: {missing}"
    for page in reader.pages:
        for annot in page.get("/Annots") or []:
            obj = annot.get_object()
            assert obj.get("/Subtype") != "/Link", f"{what}: a link annotation {obj}"
    raw = data.decode("latin-1")
    assert "/JavaScript" not in raw and "/JS " not in raw and "/URI" not in raw, f"{what}: an action in the PDF"
    return len(expected)


def check_json(data: bytes, expected: list[str], what: str) -> int:
    def strings(x):
        if isinstance(x, str):
            yield x
        elif isinstance(x, dict):
            for v in x.values():
                yield from strings(v)
        elif isinstance(x, (list, tuple)):
            for v in x:
                yield from strings(v)

    found = set(strings(json.loads(data.decode("utf-8"))))
    missing = [x for x in expected if x not in found]
    assert not missing, f"{what}: not in the JSON as typed: {missing}"
    return len(expected)


def test_chart_text_escapes_only_what_plotly_reads():
    """Plotly draws <b>, <a href>... in labels and decodes &amp; &lt; &gt; and numeric entities, not
    &quot;: the escaped label reads back exactly as typed."""
    from ui.text import chart_text

    assert chart_text('<a href="javascript:alert(1)">a</a> & &deg;') == \
        '&lt;a href="javascript:alert(1)"&gt;a&lt;/a&gt; &amp; &amp;deg;'


# the texts every booklet carries (title page, recommendations, plans, persona annex, glossary)
BOOKLET_TEXTS = [f"{PAYLOADS[0]} événement", f"{PAYLOADS[2]} lieu", f"{PAYLOADS[3]} orga", f"{PAYLOADS[1]} description",
                 f"{PAYLOADS[5]} thème", f"{PAYLOADS[6]} pourquoi", *tagged("reco"), *tagged("texte"),
                 *tagged("public"), *tagged("qui"), *tagged("persona"), *tagged("fait"), *tagged("frein"),
                 *tagged("motivation"), *tagged("compétence"), *tagged("besoin"), *tagged("piste"),
                 f"{PAYLOADS[0]} note0"]
# in table cells (narrow PDF columns wrap them between other cells' lines: checked in the DOCX)
BOOKLET_TABLE_TEXTS = [*tagged("action"), *tagged("porteur"), *tagged("ressource"), *tagged("description")]


def test_exports_carry_payloads_as_plain_text(database):
    """Every export of the core, on SQLite and PostgreSQL: CSV and XLSX of every table, the booklet
    in DOCX and PDF, the inventory CSV, the JSON backup and a person's JSON data."""
    from core.actor import SYSTEM
    from core.reporting import backup, booklet, exports
    from core.resources import inventory
    from core.signup import privacy

    room = fill_room()
    per_table = {
        "personas": tagged("persona") + tagged("origine"),
        "canvas_items": tagged("frein") + tagged("motivation") + tagged("compétence") + tagged("besoin"),
        "solution_leads": tagged("piste"),
        "resources": tagged("ressource") + tagged("description") + URLS,
        "contributions": tagged("constat"),
        "recommendations": tagged("reco") + tagged("texte") + tagged("public"),
        "plan_actions": tagged("action") + tagged("porteur") + tagged("moyens") + tagged("indicateur")
        + tagged("risques"),
        "sessions": [f"{PAYLOADS[5]} thème"],
        "events": [f"{PAYLOADS[0]} événement"],
    }
    checked = 0
    for name, expected in per_table.items():
        checked += check_csv(exports.export_bytes(name, "csv"), expected, f"{name}.csv")
        checked += check_xlsx(exports.export_bytes(name, "xlsx"), expected, f"{name}.xlsx")
    # a session is named "date · title"
    assert any(c.endswith(f" · {SESSION_TITLE}") for c in csv_cells(exports.export_bytes("sessions", "csv")))
    checked += check_xlsx(exports.export_bytes("all", "xlsx"), sum(per_table.values(), []), "all.xlsx")
    checked += check_csv(inventory.export_csv(), tagged("ressource") + tagged("description") + URLS, "inventory.csv")
    for lang in ("fr", "en"):
        checked += check_docx(booklet.export_booklet("xss", "docx", lang), BOOKLET_TEXTS + BOOKLET_TABLE_TEXTS,
                              f"booklet.{lang}.docx")
        checked += check_pdf(booklet.export_booklet("xss", "pdf", lang), BOOKLET_TEXTS, f"booklet.{lang}.pdf")
    everything = sum(per_table.values(), []) + tagged("fait") + [STAFF_NAME]
    checked += check_json(json.dumps(backup.backup_data()).encode(), everything, "backup.json")
    checked += check_json(privacy.to_json(privacy.personal_data_for(SYSTEM, room["person"])),
                          [f"{PAYLOADS[0]} prénom", f"{PAYLOADS[1]} nom", f"{PAYLOADS[3]} organisation"],
                          "personal data.json")
    print(f"\nxss exports: {checked} texts checked")


# --- the pages ----------------------------------------------------------------------------------

class Checker:
    """Counts what was checked; fails with every missing text of a page at once."""

    def __init__(self) -> None:
        self.dialogs: list[str] = []
        self.checks = 0
        self.pages: list[str] = []

    def watch(self, page):
        page.on("dialog", lambda d: (self.dialogs.append(f"{d.type}: {d.message}"), d.dismiss()))
        return page

    @staticmethod
    def text_of(page, selector: str, content: bool) -> str:
        """What the page shows: the visible text, or for data grids (drawn on a canvas, with an
        accessible copy of the cells) and charts (SVG) the text of every matching element."""
        if not content:
            return norm(page.locator(selector).first.inner_text())
        return norm(" ".join(page.locator(selector).all_text_contents()))

    def expect(self, page, name: str, texts: list[str], selector: str = "body", content: bool = False,
               timeout: float = 30_000) -> None:
        """Every text shown as typed, nothing injected, no dialog."""
        missing, shown = list(texts), ""

        def all_shown() -> bool:  # live views and reruns draw in steps: wait until everything is there
            nonlocal missing, shown
            if page.locator(IDLE).count() == 0:
                return False
            shown = self.text_of(page, selector, content)
            missing = [x for x in texts if norm(x) not in shown]
            return not missing

        try:
            poll(page, all_shown, timeout, f"{name}: every text shown")
        except AssertionError:
            shown = shown or self.text_of(page, selector, content)
            page.screenshot(path=str(SHOTS / f"xss-{name.replace('/', '-')}.png"), full_page=True)
        assert not missing, f"{name}: not shown as typed: {missing}\n--- page text ---\n{shown[:3000]}"
        bad = page.evaluate(SCAN_JS)
        assert not bad, f"{name}: injected markup {bad}"
        assert not self.dialogs, f"{name}: dialogs opened {self.dialogs}"
        self.checks += len(texts)
        self.pages.append(name)


def login(browser, base: str, checker: Checker):
    page = checker.watch(browser.new_context(viewport={"width": 1500, "height": 1100},
                                             accept_downloads=True).new_page())
    page.goto(f"{base}/login")
    page.get_by_role("textbox", name="Identifiant").fill("orga")
    page.get_by_role("textbox", name="Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.get_by_text("Mes ateliers").first.wait_for(timeout=30_000)
    wait_idle(page)
    return page


def set_view(url: str, sid: int, stage: str | None = None, view: str | None = None,
             spotlight: int | None = None) -> None:
    from core.actor import SYSTEM
    from core.session import session_flow
    from storage import db

    db.configure(url)
    try:
        if stage:
            session_flow.set_stage(SYSTEM, sid, stage)
        if view:
            session_flow.set_projector_view(SYSTEM, sid, view, spotlight_id=spotlight)
    finally:
        db.configure(None)


def pick_first_option(page, key: str) -> None:
    """Choose the first option of a multiselect (its list may open only on a second click while
    the page is still drawing)."""
    for _attempt in range(4):
        wait_idle(page)
        page.locator(f".st-key-{key} input").click()
        option = page.get_by_role("option").first
        try:
            option.wait_for(timeout=5_000)
        except Exception:  # noqa: BLE001 - the list did not open: try again
            page.keyboard.press("Escape")
            continue
        option.click()
        page.keyboard.press("Escape")
        return
    raise AssertionError(f"the options of {key} never opened")


def download(page, button, path) -> bytes:
    with page.expect_download(timeout=120_000) as info:
        button.click()
    info.value.save_as(path)
    return path.read_bytes()


@pytest.mark.browser
def test_payloads_are_shown_as_typed_and_never_run(room, tmp_path):
    url, sid = room["url"], room["session_id"]
    check = Checker()
    grid, charts = '[data-testid="stDataFrame"]', ".js-plotly-plot"
    with running_app(url, env={"ATELIER_LIVE_INTERVAL": "1"}) as base, chromium() as browser:
        # --- a participant joins (first name typed), group page at the diagnostic stage
        p = check.watch(browser.new_context(viewport={"width": 1500, "height": 1100}).new_page())
        p.goto(f"{base}/join?join={room['code']}")
        check.expect(p, "join", [f"{PAYLOADS[4]} table", f"{PAYLOADS[2]} table", f"{PAYLOADS[5]} thème",
                                 f"{PAYLOADS[0]} événement"])
        p.get_by_text(f"{PAYLOADS[4]} table").click()
        p.get_by_role("textbox", name="Votre prénom (facultatif)").fill(FIRST_NAME)
        p.get_by_role("button", name="Rejoindre").click()
        p.get_by_text(f"Bienvenue, {FIRST_NAME} !").wait_for(timeout=30_000)
        search = p.locator(".st-key-board_search input")      # the other table's items come collapsed: search
        search.fill("constat")
        search.press("Enter")
        check.expect(p, "group/diagnostic", [f"Bienvenue, {FIRST_NAME} !", f"{PAYLOADS[4]} table",
                                             f"{PAYLOADS[0]} événement · {PAYLOADS[5]} thème",
                                             f"Participant·e : {FIRST_NAME} ({PAYLOADS[4]} table)",
                                             *tagged("persona"), *tagged("fait"), *tagged("origine"),
                                             *tagged("constat")])

        # --- the canvas: every section of the main persona, a barrier typed here, a need's leads
        open_canvas(p)
        box = p.get_by_role("textbox", name="Texte")
        check.expect(p, "canvas", [tagged("persona")[0], *tagged("fait"), f"{PAYLOADS[0]} note0",
                                   *tagged("frein"), *tagged("motivation"), *tagged("compétence"),
                                   *tagged("besoin"), *[f"→ {x} (R{i} — {r})" for i, (x, r) in
                                                        enumerate(zip(tagged("piste"), tagged("ressource")))]])
        box.fill(TYPED_BARRIER)
        box.press("Enter")
        check.expect(p, "canvas/typed", [TYPED_BARRIER])
        need = room["needs"][3]   # its « Pistes et partenaires » editor, opened on its row
        p.locator(f".st-key-need_pop_{need} button").first.click()
        editor = f'[data-testid="stPopoverBody"]:has(.st-key-lead_text_{need})'
        p.locator(editor).wait_for(timeout=30_000)
        check.expect(p, "canvas/leads", [tagged("besoin")[3], f"→ {tagged('piste')[3]}",
                                         f"R3 — {tagged('ressource')[3]}"], editor)
        p.keyboard.press("Escape")

        # --- the projector, each view that shows text
        screen = check.watch(browser.new_context(viewport={"width": 1920, "height": 1080}).new_page())
        screen.goto(f"{base}/?screen={room['screen']}")
        check.expect(screen, "projector/feed", [f"{PAYLOADS[0]} événement · {PAYLOADS[5]} thème",
                                                 TYPED_BARRIER, *tagged("constat")[-8:]])
        set_view(url, sid, view="board")
        check.expect(screen, "projector/board", tagged("constat"))
        set_view(url, sid, view="personas")
        check.expect(screen, "projector/personas", [*tagged("persona"), *tagged("origine")])
        set_view(url, sid, view="personas", spotlight=room["main"])
        check.expect(screen, "projector/spotlight", [*tagged("frein"), TYPED_BARRIER, *tagged("besoin"),
                                                      *[f"→ {x} (R{i})" for i, x in enumerate(tagged("piste"))]])

        # --- staff: sessions, console
        staff = login(browser, base, check)
        check.expect(staff, "sessions", [f"{PAYLOADS[0]} événement", f"Connecté·e : {STAFF_NAME} (organisation)"])
        check.expect(staff, "sessions/table", [f"{PAYLOADS[5]} thème"], grid, content=True)
        staff.goto(f"{base}/console")
        staff.get_by_role("tab", name="Sous-groupes").wait_for(timeout=30_000)
        staff.locator("summary").filter(has_text="Tableau du diagnostic").click()   # collapsed by default
        check.expect(staff, "console/run", [*tagged("constat"), f"{PAYLOADS[2]} table", f"{PAYLOADS[4]} table",
                                            *tagged("reco")])
        staff.get_by_role("tab", name="Sous-groupes").click()
        check.expect(staff, "console/groups", [f"{PAYLOADS[4]} table — code", f"{PAYLOADS[2]} table — code"])

        # --- recommendations stage: the participant types one through the form
        set_view(url, sid, stage="recommendations", view="recommendations")
        p.goto(f"{base}/")
        p.locator(".st-key-rec_title input").wait_for(timeout=30_000)
        check.expect(p, "group/recommendations", [*tagged("reco"), *tagged("texte"), *tagged("public")])
        p.locator(".st-key-rec_title input").fill(TYPED_REC)
        p.locator(".st-key-rec_public input").fill(TYPED_REC + " public")
        choose(p, p.locator(".st-key-rec_level"), "Communal")
        pick_first_option(p, "rec_sources_contribution")
        p.locator(".st-key-rec_submit button").click()
        check.expect(p, "group/recommendations typed", [TYPED_REC, f"Public : {TYPED_REC} public"])
        check.expect(screen, "projector/recommendations", [*tagged("reco"), TYPED_REC])
        set_view(url, sid, view="votes")
        check.expect(screen, "projector/votes", [*tagged("reco"), TYPED_REC], charts, content=True)

        # --- the recommendation's trail page, from the participant and from the console
        p.goto(f"{base}/recommendation?rec={room['recs'][3]}")
        check.expect(p, "recommendation", [tagged("reco")[3], tagged("texte")[3], tagged("public")[3],
                                           tagged("besoin")[3], tagged("constat")[3], tagged("persona")[0],
                                           tagged("piste")[3], *tagged("fait")])
        staff.goto(f"{base}/console")
        tab = staff.get_by_role("tab", name="Recommandations et vote")
        tab.wait_for(timeout=30_000)
        tab.click()
        check.expect(staff, "console/recommendations", [*tagged("reco"), TYPED_REC])

        # --- implementation stage: plans
        set_view(url, sid, stage="implementation", view="plans")
        p.goto(f"{base}/")
        check.expect(p, "group/plans", [*tagged("action"), *tagged("porteur"), *tagged("qui"), *tagged("moyens"),
                                        *tagged("indicateur"), *tagged("risques")])
        check.expect(screen, "projector/plans", [*tagged("reco"), *tagged("action"), *tagged("porteur")])

        # --- the inventory: the web sites are text (in the participant's cards, in the organiser's
        # grid), never links
        resources = [*tagged("ressource"), *tagged("description"), *URLS]
        p.goto(f"{base}/inventory")
        check.expect(p, "inventory", [*[f"R{i} — {x}" for i, x in enumerate(tagged("ressource"))],
                                      *tagged("description"), *URLS], '[data-testid="stMain"]')
        assert p.locator('[class*="st-key-inv_card_"]').count() == N and p.locator(grid).count() == 0
        staff.goto(f"{base}/inventory")
        check.expect(staff, "inventory/organiser", resources, grid, content=True)
        csv_file = download(staff, staff.locator(".st-key-inv_export button"), tmp_path / "inventory.csv")
        check.checks += check_csv(csv_file, resources, "inventory download")

        # --- event setup, home, registrations
        staff.goto(f"{base}/events")
        check.expect(staff, "events", [f"{PAYLOADS[5]} thème", f"{PAYLOADS[6]} pourquoi"])
        staff.goto(f"{base}/home")
        check.expect(staff, "home", [f"{PAYLOADS[0]} événement", f"{PAYLOADS[1]} description",
                                     f"{PAYLOADS[2]} lieu", f"{PAYLOADS[3]} orga"])
        staff.goto(f"{base}/registrations")
        staff.get_by_text(f"{PAYLOADS[5]} thème").first.click()
        check.expect(staff, "registrations", [f"{PAYLOADS[5]} thème"])
        check.expect(staff, "registrations/table", [f"{PAYLOADS[0]} prénom", f"{PAYLOADS[3]} organisation"],
                     grid, content=True)

        # --- the dashboard: charts of every tab, then the booklet and the workbook from its buttons
        staff.goto(f"{base}/dashboard")
        # "[x](javascript:alert(1)) frein2" and "javascript:alert(1) frein4" are near duplicates once
        # punctuation is folded: the recurrent barriers chart groups them under one wording
        similar = [x for i, x in enumerate(tagged("frein") + tagged("besoin")) if i % N not in (2, 4)]
        check.expect(staff, "dashboard/diagnostic", [*similar, TYPED_BARRIER, tagged("persona")[0]], charts,
                     content=True)
        for tab_name, texts in (  # the texts of each chart of the tab, in order
                ("Besoins et ressources", [[f"R{i} — {x[:40]}" for i, x in enumerate(tagged("ressource"))]]),
                ("Recommandations et mise en œuvre",
                 [[f"#{r} · {x[:60]}" for r, x in zip(room["recs"], tagged("reco"))]]),
                ("Participation et météo", [[SESSION_TITLE, f"{PAYLOADS[5]} thème"], [f"{PAYLOADS[5]} secteur"],
                                            [SESSION_TITLE]])):
            staff.get_by_role("tab", name=tab_name).click()
            for index, chart_texts in enumerate(texts):
                check.expect(staff, f"dashboard/{tab_name} chart {index + 1}", chart_texts, f"{charts} >> nth={index}",
                             content=True)
        staff.get_by_role("tab", name="Cahier et exports").click()
        check.expect(staff, "dashboard/exports", [])
        check.checks += check_docx(download(staff, staff.locator(".st-key-booklet_docx button"), tmp_path / "b.docx"),
                                   BOOKLET_TEXTS + BOOKLET_TABLE_TEXTS + [TYPED_BARRIER, TYPED_REC], "booklet download")
        check.checks += check_pdf(download(staff, staff.locator(".st-key-booklet_pdf button"), tmp_path / "b.pdf"),
                                  BOOKLET_TEXTS + [TYPED_BARRIER, TYPED_REC], "booklet download")
        check.checks += check_xlsx(download(staff, staff.locator(".st-key-export_all button"), tmp_path / "all.xlsx"),
                                   [*tagged("reco"), *tagged("frein"), *tagged("constat"), *URLS, TYPED_BARRIER,
                                    TYPED_REC], "workbook download")

        # --- anonymous: the public registration page; the person's own page, data and invitation
        anon = check.watch(browser.new_context(viewport={"width": 1500, "height": 1100},
                                               accept_downloads=True).new_page())
        anon.goto(f"{base}/register?event=xss")
        check.expect(anon, "register", [f"{PAYLOADS[0]} événement", f"{PAYLOADS[1]} description",
                                        f"{PAYLOADS[2]} lieu", f"{PAYLOADS[5]} thème", f"{PAYLOADS[6]} pourquoi",
                                        SESSION_TITLE])
        anon.goto(f"{base}/my-registration?token={room['token']}")
        check.expect(anon, "my-registration", [f"{PAYLOADS[0]} événement", f"{PAYLOADS[3]} organisation",
                                               f"{PAYLOADS[0]} prénom {PAYLOADS[1]} nom"])
        check.checks += check_json(download(anon, anon.locator(".st-key-my_download button"), tmp_path / "me.json"),
                                   [f"{PAYLOADS[0]} prénom", f"{PAYLOADS[3]} organisation"], "personal data download")
        invitation = download(anon, anon.locator(f".st-key-my_invitation_{sid} button"), tmp_path / "inv.html")
        letter = check.watch(browser.new_context().new_page())
        letter.goto((tmp_path / "inv.html").as_uri())   # a static page: shown once loaded
        shown = norm(letter.inner_text("body"))
        for text in (f"{PAYLOADS[0]} événement", f"{PAYLOADS[2]} lieu", f"{PAYLOADS[0]} prénom"):
            assert text in shown, f"invitation: {text!r} not shown as typed in {shown}"
        assert not letter.evaluate(SCAN_JS) and not check.dialogs and invitation
        check.checks += 3
        check.pages.append("invitation.html")

    assert check.dialogs == []
    print(f"\nxss: {len(check.pages)} page views, {check.checks} texts checked ({N} payloads), "
          f"dialogs: {len(check.dialogs)}")
