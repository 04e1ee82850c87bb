"""After the event, in a real browser (issue 17): an organiser switches the public follow-up page on,
records an addressee, a status and an answer (the answer made of the XSS payloads); the public page,
opened in a fresh context without login, shows them as typed, with no dialog and no injected markup,
and none of the registered person's data; switched off, the same URL shows nothing. Screenshots of
the public page at 1366x768 and 390x844 in test-artifacts/screenshots/."""
from __future__ import annotations

import datetime as dt

from tests.browser import IDLE, ROOT, after_run, poll, running_app, wait_idle
from tests.test_browser_xss import PAYLOADS, SCAN_JS, norm

SHOTS = ROOT / "test-artifacts" / "screenshots"
PASSWORD = "motdepasse-orga-suivi"
ANSWER = " ".join(f"{p} réponse{i}" for i, p in enumerate(PAYLOADS))
ADDRESSEE = f"{PAYLOADS[2]} Cabinet du logement"
REC_TITLE = f"{PAYLOADS[0]} Encadrer les loyers"
PERSON = {"first_name": "Zéphyrine", "last_name": "Quagliarello", "email": "zephyrine.q@example.org",
          "organisation": "Fondation Xylophonique", "sector": "Secteur Wombatique"}


def seed(url: str) -> dict:
    from core.access import accounts
    from core.actor import SYSTEM
    from core.session import board, recommendations, session_flow
    from core.setup import events
    from core.signup import registration
    from storage import db

    db.configure(url)
    try:
        ev = events.create_event(SYSTEM, slug="suivi", title="Assises du logement", category_template="plain")
        theme = events.add_theme(SYSTEM, ev["id"], "Logement")["id"]
        start = dt.datetime.now().replace(microsecond=0, second=0) - dt.timedelta(days=20)
        sid = events.add_session(SYSTEM, theme, start, start + dt.timedelta(hours=3), title="Atelier 1")["id"]
        group = events.add_subgroup(SYSTEM, sid, "Table 1")["id"]
        session_flow.start_session(SYSTEM, sid)
        finding = board.add_contribution(SYSTEM, sid, "finding", "people", "Les loyers montent",
                                         subgroup_id=group)["id"]
        session_flow.set_stage(SYSTEM, sid, "recommendations")
        rec = recommendations.create_recommendation(SYSTEM, sid, REC_TITLE, "regional",
                                                    sources=[("contribution", finding)], subgroup_id=group)["id"]
        session_flow.close_session(SYSTEM, sid)
        later = start + dt.timedelta(days=60)
        future = events.add_session(SYSTEM, theme, later, later + dt.timedelta(hours=3), title="Atelier 2")["id"]
        registration.update_settings(SYSTEM, ev["id"], None, registration_open=True)
        registration.register("suivi", **PERSON, session_ids=[future], consent=True)
        accounts.create_user("orga", "organiser", "Orga Suivi", "", PASSWORD)
        accounts.attach_to_event("orga", ev["id"])
        return {"event_id": ev["id"], "rec": rec}
    finally:
        db.configure(None)
        db.dispose_all()


def public_token(url: str, event_id: int) -> str | None:
    from core.actor import SYSTEM
    from core.followup import public
    from storage import db

    db.configure(url)
    try:
        return public.page_settings(SYSTEM, event_id).token
    finally:
        db.configure(None)
        db.dispose_all()


def follow_up_of(url: str, event_id: int, rec: int) -> tuple[str, str, int]:
    from core.actor import SYSTEM
    from core.followup import tracking
    from storage import db

    db.configure(url)
    try:
        r = next(r for r in tracking.event_follow_up(SYSTEM, event_id) if r.recommendation_id == rec)
        return r.addressee, r.status, len(r.answers)
    finally:
        db.configure(None)
        db.dispose_all()


def open_recommendation(page, rec: int) -> None:
    """The recommendation's panel open (opening it runs nothing; a rerun may have drawn it closed)."""
    field = page.locator(f".st-key-fu_new_{rec}_text textarea")
    for _ in range(4):
        wait_idle(page)
        if field.is_visible() and field.is_editable():
            return
        page.locator(f".st-key-fu_rec_{rec} summary").first.click()
        page.wait_for_timeout(300)   # the panel's opening animation
    assert field.is_editable(), "the recommendation's panel does not open"


def test_organiser_follow_up_reaches_the_public_page_and_switching_off_hides_it(sqlite_file, contexts):
    room = seed(sqlite_file)
    rec = room["rec"]
    SHOTS.mkdir(parents=True, exist_ok=True)
    dialogs: list[str] = []
    with running_app(sqlite_file) as base:
        staff = contexts(viewport={"width": 1366, "height": 900}).new_page()
        staff.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        staff.goto(f"{base}/login")
        staff.get_by_role("textbox", name="Identifiant").fill("orga")
        staff.get_by_role("textbox", name="Mot de passe").fill(PASSWORD)
        staff.get_by_role("button", name="Se connecter").click()
        staff.get_by_text("Mes ateliers").first.wait_for(timeout=30_000)
        staff.goto(f"{base}/follow-up")
        staff.get_by_role("heading", name="Suivi des recommandations").first.wait_for(timeout=30_000)
        wait_idle(staff)
        # the public page: off by default, switched on
        after_run(staff, lambda: staff.get_by_role("button", name="Mettre la page en ligne").click())
        staff.get_by_text("La page publique est en ligne.").first.wait_for(timeout=30_000)
        token = public_token(sqlite_file, room["event_id"])
        assert token
        # addressee and status
        open_recommendation(staff, rec)
        staff.locator(f".st-key-fu_{rec}_addressee input").fill(ADDRESSEE)
        status = staff.locator(f".st-key-fu_{rec}_status input").first   # in a form: no run until saved
        status.click()
        status.press_sequentially("Envoy")
        staff.get_by_role("option", name="Envoyée", exact=True).wait_for(timeout=10_000)
        status.press("Enter")
        after_run(staff, lambda: staff.get_by_role("button", name="Enregistrer le suivi").click())
        staff.get_by_text("Suivi enregistré.").first.wait_for(timeout=30_000)
        assert follow_up_of(sqlite_file, room["event_id"], rec)[:2] == (ADDRESSEE, "sent")
        # an answer made of the payloads
        open_recommendation(staff, rec)
        staff.locator(f".st-key-fu_new_{rec}_text textarea").fill(ANSWER)
        staff.locator(f".st-key-fu_new_{rec}_link input").fill("https://example.org/reponse")
        wait_idle(staff)
        staff.get_by_role("button", name="Ajouter la réponse").click()
        try:
            staff.get_by_text("Réponse ajoutée.").first.wait_for(timeout=30_000)
        except Exception:
            staff.screenshot(path=str(SHOTS / "follow-up-organiser-failed.png"), full_page=True)
            raise
        assert follow_up_of(sqlite_file, room["event_id"], rec) == (ADDRESSEE, "answered", 1)
        staff.set_viewport_size({"width": 1366, "height": 768})
        staff.screenshot(path=str(SHOTS / "follow-up-organiser.png"))
        open_recommendation(staff, rec)
        staff.locator(f".st-key-fu_{rec}_addressee").scroll_into_view_if_needed()
        # the answer moved the status: the form shows it (not the status the organiser saved before)
        assert staff.locator(f".st-key-fu_{rec}_status input").first.input_value() == "Réponse reçue"
        staff.screenshot(path=str(SHOTS / "follow-up-organiser-recommendation.png"))
        assert not dialogs, dialogs

        # the public page, in a fresh context: no login
        link = f"{base}/public-follow-up?t={token}"
        for width, height, name in ((1366, 768, "laptop"), (390, 844, "phone")):
            visitor = contexts(viewport={"width": width, "height": height}).new_page()
            visitor.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
            visitor.goto(link)
            visitor.get_by_text("Ce que sont devenues les recommandations").first.wait_for(timeout=30_000)
            wait_idle(visitor)
            expected = [REC_TITLE, ANSWER, f"Adressée à : {ADDRESSEE}", "Statut : Réponse reçue",
                        "Les loyers montent", "Ouvrir le lien"]

            def shown(page=visitor, expected=expected) -> bool:
                if page.locator(IDLE).count() == 0:
                    return False
                text = norm(page.locator("body").inner_text())
                return all(norm(x) in text for x in expected)

            poll(visitor, shown, 30_000, "the follow-up on the public page")
            text = norm(visitor.locator("body").inner_text())
            assert not [v for v in PERSON.values() if v in text], "personal data on the public page"
            assert "Orga Suivi" not in text   # nor who recorded it
            assert visitor.evaluate(SCAN_JS) == []
            assert visitor.get_by_role("link", name="Ouvrir le lien").get_attribute("href") == \
                "https://example.org/reponse"
            visitor.screenshot(path=str(SHOTS / f"public-follow-up-{name}.png"), full_page=False)
            visitor.locator(f".st-key-pf_rec_{rec}").scroll_into_view_if_needed()
            visitor.screenshot(path=str(SHOTS / f"public-follow-up-{name}-recommendation.png"))
        assert not dialogs, dialogs

        # switched off: the same URL shows nothing
        staff.goto(f"{base}/follow-up")
        staff.get_by_role("button", name="Mettre la page hors ligne").wait_for(timeout=30_000)
        wait_idle(staff)
        after_run(staff, lambda: staff.get_by_role("button", name="Mettre la page hors ligne").click())
        staff.get_by_text("La page publique est hors ligne.").first.wait_for(timeout=30_000)
        visitor = contexts(viewport={"width": 1366, "height": 768}).new_page()
        visitor.goto(link)
        visitor.get_by_text("Cette page de suivi n’est pas disponible").first.wait_for(timeout=30_000)
        wait_idle(visitor)
        text = norm(visitor.locator("body").inner_text())
        assert REC_TITLE not in text and "réponse0" not in text and ADDRESSEE not in text
        visitor.screenshot(path=str(SHOTS / "public-follow-up-off.png"))
        assert not dialogs, dialogs

