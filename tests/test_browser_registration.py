"""In a real browser, through the real app.py: a participant registers on the public page, downloads
the session's calendar file, opens the personal link and cancels the session there."""
from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from storage import db
from storage import models as m
from tests.browser import ROOT, chromium, running_app, wait_idle
from tests.test_registration import link_in, make_event

pytestmark = pytest.mark.browser


@pytest.fixture
def event_db(sqlite_file):
    db.configure(sqlite_file)
    try:
        event = make_event("assises-navigateur", themes=1, per_theme=3)
    finally:
        db.configure(None)
    return sqlite_file, event


def _registration(url: str, email: str) -> tuple[str, list[str]]:
    """The personal link token the confirmation email carries (the database holds it hashed only),
    and the person's statuses."""
    db.configure(url)
    try:
        with db.read_session() as s:
            person = s.execute(select(m.Participant).where(m.Participant.email == email)).scalar_one()
            statuses = list(s.execute(select(m.Registration.status).where(m.Registration.participant_id == person.id)
                                      .order_by(m.Registration.session_id)).scalars())
            body = s.execute(select(m.OutboxEmail.body).where(m.OutboxEmail.participant_id == person.id)
                             .order_by(m.OutboxEmail.id)).scalars().first()
            return link_in(body or ""), statuses
    finally:
        db.configure(None)
        db.dispose_all()


def test_register_download_calendar_and_cancel_through_the_personal_link(event_db, tmp_path):
    url, event = event_db
    first, second = event["sessions"][:2]
    with running_app(url) as base, chromium() as browser:
        context = browser.new_context(viewport={"width": 1280, "height": 1000}, accept_downloads=True)
        page = context.new_page()
        page.goto(f"{base}/register?event=assises-navigateur")
        page.get_by_text("Assises du Logement").first.wait_for(timeout=30_000)
        wait_idle(page)
        page.locator(".st-key-reg_first_name input").fill("Nadia")
        page.locator(".st-key-reg_last_name input").fill("Benali")
        page.locator(".st-key-reg_email input").fill("nadia.benali@example.org")
        page.locator(".st-key-reg_organisation input").fill("ASBL Stics")
        page.locator(f".st-key-reg_session_{first} label").click()
        page.locator(f".st-key-reg_session_{second} label").click()
        page.locator(".st-key-reg_consent label").click()
        page.get_by_role("button", name="M’inscrire").click()
        page.get_by_text("Merci ! Consultez votre boîte mail").wait_for(timeout=30_000)
        wait_idle(page)
        assert not page.locator('[data-testid="stCode"]').count()      # the link goes by email only

        token, statuses = _registration(url, "nadia.benali@example.org")
        assert statuses == ["confirmed", "confirmed"]
        link = f"{base}/my-registration?token={token}&lang=fr"       # as in the confirmation email

        mine = context.new_page()
        mine.goto(link)
        mine.get_by_text("Nadia Benali · nadia.benali@example.org").wait_for(timeout=30_000)
        wait_idle(mine)
        with mine.expect_download(timeout=30_000) as download:
            mine.locator(f".st-key-my_ics_{first} button").click()
        assert download.value.suggested_filename.endswith(".ics")
        ics = Path(download.value.path()).read_bytes().decode("utf-8")
        assert ics.startswith("BEGIN:VCALENDAR\r\n") and "BEGIN:VEVENT" in ics
        assert "LOCATION:Rue Royale 55\\, 1000 Bruxelles" in ics
        assert "DTSTART:" in ics and "SUMMARY:Assises du Logement" in ics
        mine.locator(f".st-key-my_cancel_{first} button").click()
        mine.get_by_text("Votre inscription est annulée").wait_for(timeout=30_000)
        wait_idle(mine)
        mine.screenshot(path=str(ROOT / ".pytest_cache" / "my_registration.png"), full_page=True)
    _, statuses = _registration(url, "nadia.benali@example.org")
    assert statuses == ["cancelled", "confirmed"]
