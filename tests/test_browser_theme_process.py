"""A theme's process in real browsers (issue 16): one theme over three dated sessions, on SQLite and
on PostgreSQL.

Set up through core: the event, the theme, its three dates (16/11/25, 4/12/25, 8/1/26), their
sub-groups and a facilitator's account; the dates are started, moved to their stage and date 1 is
closed through core too (the console's stage buttons are tested elsewhere). Through the browser,
what the check names:

- date 1: two sub-groups join with date 1's code, each builds a persona on the canvas (a barrier, a
  need) and adds a finding to the board;
- date 2: two sub-groups join with date 2's code (another code); one picks up a date-1 persona from
  « Matériel des dates précédentes » and adds a barrier to its canvas (dated 4/12/25, the date-1
  rows read-only); each writes a recommendation citing a date-1 finding and a date-1 need through
  the recommendation form (sources by kind, each dated « du 16/11/25 »); the facilitator opens the
  vote on the console, the sub-groups place their dots, the facilitator closes the vote, retains
  the recommendation with the most dots and closes the session;
- date 3: a sub-group joins with date 3's code and plans the recommendation retained on date 2.

Then the booklet (DOCX, built through core and read back with python-docx): every recommendation's
trail names the date-1 items it cites, each with date 1's date. Screenshots of the date-2
participant page (1366x768 and 390x844) go to /tmp/shots/theme/."""
from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from tests.browser import after_run, choose, poll, running_app, sign_in, wait_idle

pytestmark = pytest.mark.browser

SHOTS = Path("/tmp/shots/theme")
WAIT = 30_000
EVENT = ("logement-trois-dates", "Logement en trois dates")
THEME = "Accès au logement"
DAYS = (dt.date(2025, 11, 16), dt.date(2025, 12, 4), dt.date(2026, 1, 8))
FACILITATOR = ("anim-trois-dates", "motdepasse-anim-trois-dates")
STAGES = {"diagnostic": "Diagnostic et pistes de solutions", "recommendations": "Recommandations aux mandataires",
          "implementation": "Mise en œuvre"}
LAPTOP, PHONE = {"width": 1366, "height": 768}, {"width": 390, "height": 844}


@dataclass(frozen=True)
class DateOneTable:
    group: str
    member: str
    persona: str
    barrier: str
    need: str
    finding: str


@dataclass(frozen=True)
class DateTwoTable:
    group: str
    member: str
    cites: int          # the date-1 table whose finding and need it cites
    title: str
    text: str


DATE_ONE = (
    DateOneTable("Table A", "Amina", "Nadia", "Peur des visites chez les propriétaires",
                 "Trouver un logement abordable", "Les loyers dépassent la moitié du revenu"),
    DateOneTable("Table B", "Bruno", "Karim", "Ne lit pas les courriers administratifs",
                 "Comprendre les courriers du CPAS", "Les courriers des administrations sont illisibles"),
)
DATE_TWO = (
    DateTwoTable("Table C", "Chloé", 0, "Encadrer les loyers", "Une grille de loyers de référence contraignante."),
    DateTwoTable("Table D", "Dirk", 1, "Des courriers en langage clair",
                 "Chaque courrier relu par des personnes concernées."),
)
PICKED_UP_BARRIER = "Peur de perdre ses allocations"
PLAN = SimpleNamespace(group="Table E", member="Emma", who="Les locataires et le Rassemblement bruxellois",
                       action="Réunir les agences immobilières sociales du quartier", carrier="CPAS de Forest")


def short(day: dt.date) -> str:
    """A date as the participant pages write it (« 16/11/25 »)."""
    from core.i18n import fmt_date

    return fmt_date(day, "fr", "short")


# --- set-up through core ------------------------------------------------------------------------

@pytest.fixture
def theme(database: str) -> SimpleNamespace:
    from core.access import accounts
    from core.actor import SYSTEM
    from core.session import session_flow as flow
    from core.setup import events

    ev = events.create_event(SYSTEM, slug=EVENT[0], title=EVENT[1])
    theme_id = events.add_theme(SYSTEM, ev["id"], THEME)["id"]
    sessions = [events.add_session(SYSTEM, theme_id, f"{day.isoformat()}T09:00", f"{day.isoformat()}T12:30")
                for day in DAYS]
    groups: dict[str, int] = {}
    for session, names in zip(sessions, ([t.group for t in DATE_ONE], [t.group for t in DATE_TWO], [PLAN.group])):
        groups |= {name: events.add_subgroup(SYSTEM, session["id"], name)["id"] for name in names}
    accounts.create_user(FACILITATOR[0], "facilitator", "Anim Trois Dates", "", FACILITATOR[1])
    accounts.attach_to_event(FACILITATOR[0], ev["id"])
    flow.start_session(SYSTEM, sessions[0]["id"])
    codes = [x["join_code"] for x in sessions]
    assert len(set(codes)) == 3   # each date its own code
    return SimpleNamespace(url=database, event_id=ev["id"], sessions=[x["id"] for x in sessions], codes=codes,
                           groups=groups, backend="postgres" if database.startswith("postgresql") else "sqlite")


def persona_id(session_id: int, name: str) -> int:
    from core.personas import canvas

    return next(p.id for p in canvas.list_personas(session_id) if p.name == name)


# --- what a participant does ----------------------------------------------------------------------

def join(page, base: str, code: str, group: str, member: str) -> None:
    """Type the date's code on /join, choose the sub-group, give a first name: the sub-group's page."""
    page.goto(f"{base}/join")
    box = page.get_by_role("textbox", name="Code de l’atelier")
    box.wait_for(timeout=WAIT)
    wait_idle(page)
    box.fill(code)
    page.get_by_role("button", name="Continuer").click()
    choice = page.locator(".st-key-join_group").get_by_text(group, exact=True)
    try:
        choice.wait_for(timeout=WAIT)
    except Exception:
        page.screenshot(path=f"/tmp/theme-join-{code}-{member}.png", full_page=True)
        raise
    wait_idle(page)
    choice.click()
    page.get_by_role("textbox", name="Votre prénom (facultatif)").fill(member)
    page.get_by_role("button", name="Rejoindre").click()
    page.get_by_text(f"Bienvenue, {member} !").wait_for(timeout=WAIT)
    wait_idle(page)


def add_to_canvas(page, option: str, text: str, section: str, count: int) -> None:
    """The quick-add bar: the kind, the text, Enter; wait until the section shows ``count`` items."""
    page.locator(".st-key-add_kind").get_by_text(option, exact=True).click()
    box = page.locator(".st-key-add_text input")
    box.fill(text)
    box.press("Enter")
    page.get_by_text(f"{section} ({count})", exact=True).wait_for(timeout=WAIT)
    wait_idle(page)


def stage_shown(page, stage: str) -> None:
    """The sub-group's page shows ``stage`` in its band (its step number counts the stages the date covers)."""
    page.locator(".st-key-stage_banner").get_by_role("heading", name=STAGES[stage], exact=True).wait_for(timeout=WAIT)
    wait_idle(page)


def to_group_page(page, stage: str) -> None:
    page.get_by_role("link", name="Mon sous-groupe").click()
    stage_shown(page, stage)


def date_one_table(page, base: str, code: str, table: DateOneTable) -> None:
    """Join, build the persona (a barrier, a need) on the canvas, add a finding to the board."""
    join(page, base, code, table.group, table.member)
    page.get_by_role("link", name="Canevas du persona").click()
    new = page.get_by_role("button", name="Nouveau persona")
    new.wait_for(timeout=WAIT)
    wait_idle(page)
    new.click()
    body = page.locator('[data-testid="stPopoverBody"]')
    body.get_by_role("textbox", name="Prénom du persona").fill(table.persona)
    after_run(page, lambda: body.get_by_role("button", name="Créer").click())
    page.get_by_role("heading", name=table.persona, exact=True).wait_for(timeout=WAIT)
    page.keyboard.press("Escape")   # the popover stays open after « Créer »
    page.locator(".st-key-add_text input").wait_for(timeout=WAIT)
    wait_idle(page)
    # the selector names the new persona (not the other table's, shown before: its canvas is read-only)
    assert page.locator(".st-key-canvas_choice input").input_value() == f"{table.persona} — {table.group}"
    add_to_canvas(page, "Un frein", table.barrier, "Freins", 1)
    add_to_canvas(page, "Un besoin", table.need, "Besoins et pistes de réponses", 1)

    to_group_page(page, "diagnostic")
    choose(page, page.locator(".st-key-board_category_finding"), "Publics et besoins")
    page.locator(".st-key-board_text textarea").fill(table.finding)
    after_run(page, lambda: page.locator(".st-key-board_submit button").click())
    page.get_by_text(f"Ajouté au tableau (Constat) : « {table.finding} »").wait_for(timeout=WAIT)


def pick_up_and_continue(page, persona: int, table: DateOneTable) -> None:
    """From « Matériel des dates précédentes »: pick up a date-1 persona, open its canvas, add a barrier."""
    earlier = page.locator(".st-key-earlier_box")
    earlier.get_by_text("Matériel des dates précédentes (1)").click()   # collapsed during stage 2
    earlier.get_by_text(f"Séance du {short(DAYS[0])}").wait_for(timeout=WAIT)
    pick = page.locator(f".st-key-pick_up_{persona} button")
    pick.wait_for(timeout=WAIT)
    after_run(page, pick.click)
    page.get_by_text(f"Persona « {table.persona} » repris : ouvrez son canevas pour le continuer.").wait_for(
        timeout=WAIT)
    page.locator(f".st-key-earlier_persona_{persona}").get_by_text("repris par votre sous-groupe").wait_for(
        timeout=WAIT)
    page.locator(f".st-key-earlier_canvas_{persona} button").click()
    page.get_by_role("heading", name=table.persona, exact=True).wait_for(timeout=WAIT)
    page.get_by_text(f"Persona repris de la séance du {short(DAYS[0])}").wait_for(timeout=WAIT)
    page.locator(".st-key-add_text input").wait_for(timeout=WAIT)
    wait_idle(page)
    add_to_canvas(page, "Un frein", PICKED_UP_BARRIER, "Freins", 2)
    # the canvas says which date added what; the date-1 identity card stays read-only
    page.get_by_text(f"ajouté le {short(DAYS[1])}").first.wait_for(timeout=WAIT)
    assert page.get_by_text(f"ajouté le {short(DAYS[0])}").count() > 0
    assert page.locator(".st-key-open_identity").count() == 0


def recommend(page, rec: DateTwoTable) -> None:
    """The recommendation form: the level, a date-1 finding and a date-1 need (each picker offers the
    earlier date's items with their date), the title and text; saved."""
    cited = DATE_ONE[rec.cites]
    page.locator(".st-key-rec_submit button").wait_for(timeout=WAIT)
    wait_idle(page)
    choose(page, page.locator(".st-key-rec_level"), "Régional")
    choose(page, page.locator(".st-key-rec_sources_contribution"),
           f"Constat · {cited.finding} — {cited.group} · du {short(DAYS[0])}")
    page.keyboard.press("Escape")
    choose(page, page.locator(".st-key-rec_sources_need"), f"{cited.persona} · {cited.need} · du {short(DAYS[0])}")
    page.keyboard.press("Escape")
    page.locator(".st-key-rec_title input").fill(rec.title)
    page.locator(".st-key-rec_text textarea").fill(rec.text)
    after_run(page, lambda: page.locator(".st-key-rec_submit button").click())
    page.get_by_text(f"Recommandation ajoutée : « {rec.title} »").wait_for(timeout=WAIT)
    page.get_by_text(f"Modifier : {rec.title}").wait_for(timeout=WAIT)


def place_dot(page, rec_id: int) -> None:
    button = page.locator(f".st-key-dot_add_{rec_id} button")
    button.wait_for(timeout=WAIT)
    after_run(page, button.click)


# --- what the facilitator does ----------------------------------------------------------------------

def console_on(page, base: str, session_id: int) -> None:
    """Sign in, open the console on a date of the theme (chosen in its session list)."""
    from core.i18n import fmt_datetime
    from storage import db
    from storage import models as m

    with db.read_session() as s:
        starts = s.get(m.WorkshopSession, session_id).starts_at
    sign_in(page, base, *FACILITATOR)
    page.get_by_role("link", name="Console d’animation").click()
    page.locator(".st-key-console_pick").wait_for(timeout=WAIT)
    label = f"{EVENT[1]} · {THEME} · {fmt_datetime(starts, 'fr', 'short')}"   # app_pages/console.py's session_label
    choose(page, page.locator(".st-key-console_pick"), label)
    page.get_by_role("tab", name="Recommandations et vote").click()


# --- the booklet --------------------------------------------------------------------------------------

def booklet_trails(data: bytes) -> tuple[dict[str, list[str]], str]:
    """Each recommendation's heading (« 1. title ») -> the lines of its trail, and the whole text
    (paragraphs and tables) of a DOCX booklet."""
    import docx

    doc = docx.Document(io.BytesIO(data))
    trails: dict[str, list[str]] = {}
    heading: str | None = None
    in_trail = False
    for p in doc.paragraphs:
        style = p.style.name if p.style is not None else ""
        if style.startswith("Heading") or style == "Title":
            heading, in_trail = (p.text if style == "Heading 3" else None), False
        elif heading is not None and p.text == "D’où vient cette recommandation :":
            in_trail = True
            trails[heading] = []
        elif in_trail and style == "List Bullet":
            trails[heading].append(p.text)
        else:
            in_trail = False
    cells = [c.text for table in doc.tables for row in table.rows for c in row.cells]
    return trails, "\n".join([p.text for p in doc.paragraphs] + cells)


# --- the test -------------------------------------------------------------------------------------------

def test_one_theme_over_three_dates_ends_in_a_booklet_with_dated_trails(theme, contexts):
    from core.actor import SYSTEM
    from core.i18n import fmt_date
    from core.personas import canvas
    from core.reporting import booklet
    from core.session import plans, recommendations, voting
    from core.session import session_flow as flow
    from storage import db
    from storage import models as m

    d1, d2, d3 = theme.sessions
    SHOTS.mkdir(parents=True, exist_ok=True)
    with running_app(theme.url) as base:
        # date 1: two tables, two personas, two findings
        for table in DATE_ONE:
            ctx = contexts(viewport=LAPTOP)
            date_one_table(ctx.new_page(), base, theme.codes[0], table)
            ctx.close()
        for table in DATE_ONE:
            card = canvas.get_canvas(persona_id(d1, table.persona))
            assert [x.text for x in card.barriers] == [table.barrier] and [x.text for x in card.needs] == [table.need]
        flow.close_session(SYSTEM, d1)

        # date 2: a new code, stage 2; one table continues Nadia; both recommend from date 1's material
        flow.start_session(SYSTEM, d2)
        flow.set_stage(SYSTEM, d2, "recommendations")
        nadia = persona_id(d1, DATE_ONE[0].persona)
        pages = {}
        for rec in DATE_TWO:
            page = contexts(viewport=LAPTOP).new_page()
            join(page, base, theme.codes[1], rec.group, rec.member)
            stage_shown(page, "recommendations")
            pages[rec.group] = page
        chloe = pages[DATE_TWO[0].group]
        chloe.screenshot(path=str(SHOTS / f"{theme.backend}-date2-joined-1366.png"))
        pick_up_and_continue(chloe, nadia, DATE_ONE[0])
        with db.read_session() as s:
            picked = s.execute(select(m.PersonaPickup.subgroup_id).where(m.PersonaPickup.persona_id == nadia,
                                                                         m.PersonaPickup.session_id == d2)).scalar()
        assert picked == theme.groups[DATE_TWO[0].group]
        added = next(x for x in canvas.get_canvas(nadia).barriers if x.text == PICKED_UP_BARRIER)
        assert added.session_id == d2                                   # dated by date 2
        to_group_page(chloe, "recommendations")
        for rec in DATE_TWO:
            recommend(pages[rec.group], rec)
        poll(chloe, lambda: len(recommendations.list_recommendations(d2)) == 2, what="two recommendations")
        recs = {r.title: r for r in recommendations.list_recommendations(d2)}
        for rec in DATE_TWO:
            cited = DATE_ONE[rec.cites]
            finding = next(x for x in recs[rec.title].sources if x.kind == "contribution")
            need = next(x for x in recs[rec.title].sources if x.kind == "need")
            assert (finding.text, need.text) == (cited.finding, cited.need)
            assert recs[rec.title].level == "regional" and recs[rec.title].session_id == d2
        chloe.locator(".st-key-rec_box").scroll_into_view_if_needed()
        chloe.screenshot(path=str(SHOTS / f"{theme.backend}-date2-recommendation-1366.png"))
        # the same table on a phone (its cookie in a second browser: a phone opens with the menu folded)
        phone = contexts(viewport=PHONE, storage_state=chloe.context.storage_state()).new_page()
        phone.goto(base)   # the participant's home is the sub-group's page (a typed /group says "Page not found" first)
        stage_shown(phone, "recommendations")
        phone.locator(".st-key-rec_submit button").wait_for(timeout=WAIT)
        wait_idle(phone)
        phone.screenshot(path=str(SHOTS / f"{theme.backend}-date2-390.png"))
        phone.screenshot(path=str(SHOTS / f"{theme.backend}-date2-390-full.png"), full_page=True)
        phone.context.close()

        # the vote: the facilitator opens it, the tables place their dots, the facilitator closes it
        first, second = (recs[r.title].id for r in DATE_TWO)
        anim = contexts(viewport=LAPTOP).new_page()
        console_on(anim, base, d2)
        open_vote = anim.locator(".st-key-vote_open button")
        open_vote.wait_for(timeout=WAIT)
        after_run(anim, open_vote.click)
        anim.locator(".st-key-vote_close button").wait_for(timeout=WAIT)
        place_dot(chloe, first)
        place_dot(pages[DATE_TWO[1].group], first)
        place_dot(pages[DATE_TWO[1].group], second)
        poll(anim, lambda: voting.vote_snapshot(d2).totals() == {first: 2, second: 1}, what="three dots placed")
        after_run(anim, lambda: anim.locator(".st-key-vote_close button").click())
        anim.locator(".st-key-vote_open button").wait_for(timeout=WAIT)
        # retain the recommendation with the most dots, then close the session
        summary = anim.locator("summary").filter(has_text=f"{DATE_TWO[0].title} — {DATE_TWO[0].group}")
        summary.click()
        retain = anim.locator(f".st-key-retain_{first} button")
        retain.wait_for(timeout=WAIT)
        after_run(anim, retain.click)
        anim.locator("summary").filter(has_text=f"{DATE_TWO[0].title} ✅").wait_for(timeout=WAIT)
        anim.get_by_role("tab", name="Météo et clôture").click()
        anim.get_by_text("Je confirme la clôture").click()
        close = anim.locator(".st-key-console_close button:enabled")
        close.wait_for(timeout=WAIT)
        after_run(anim, close.click)
        poll(anim, lambda: flow.session_view(d2).closed, what="date 2 closed")
        assert [r.id for r in recommendations.list_recommendations(d2) if r.retained] == [first]
        for page in pages.values():
            page.context.close()
        anim.context.close()

        # date 3: another code; the table plans what date 2 retained
        flow.start_session(SYSTEM, d3)
        flow.set_stage(SYSTEM, d3, "implementation")
        emma = contexts(viewport=LAPTOP).new_page()
        join(emma, base, theme.codes[2], PLAN.group, PLAN.member)
        stage_shown(emma, "implementation")
        box = emma.locator(f".st-key-plan_box_{first}")
        box.get_by_text(f"retenue le {short(DAYS[1])}").wait_for(timeout=WAIT)
        assert emma.locator(f".st-key-plan_box_{second}").count() == 0   # not retained: not planned
        after_run(emma, lambda: box.get_by_role("button", name="Commencer notre plan").click())
        question = box.get_by_role("textbox", name="Qui veut changer quoi ?")
        question.wait_for(timeout=WAIT)
        question.fill(PLAN.who)
        after_run(emma, lambda: box.get_by_role("button", name="Enregistrer").click())
        poll(emma, lambda: [p.who_wants_what for p in plans.plans_snapshot(d3)] == [PLAN.who], what="the plan saved")
        box.get_by_role("textbox", name="Action", exact=True).fill(PLAN.action)
        box.get_by_role("textbox", name="Porteur", exact=True).fill(PLAN.carrier)
        after_run(emma, lambda: box.get_by_role("button", name="Ajouter l’action").click())
        emma.get_by_text("Action ajoutée au plan.").wait_for(timeout=WAIT)
        [plan] = plans.plans_snapshot(d3)
        assert (plan.recommendation_id, plan.subgroup_id) == (first, theme.groups[PLAN.group])
        assert [(a.action, a.carrier) for a in plan.actions] == [(PLAN.action, PLAN.carrier)]

    # the booklet: every recommendation's trail names the date-1 items it cites, with date 1's date
    trails, text = booklet_trails(booklet.export_booklet(EVENT[0], "docx", "fr"))
    date_one = fmt_date(DAYS[0], "fr", "long")          # « 16 novembre 2025 »
    for rec in DATE_TWO:
        cited = DATE_ONE[rec.cites]
        [lines] = [lines for heading, lines in trails.items() if heading.endswith(f". {rec.title}")]
        assert len(lines) == 2, lines
        assert any(cited.finding in line for line in lines) and any(cited.need in line for line in lines), lines
        undated = [line for line in lines if date_one not in line]
        assert not undated, f"trail lines of « {rec.title} » without date 1's date ({date_one}): {undated}"
    assert PLAN.action in text
