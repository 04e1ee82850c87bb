"""Page tests with Streamlit's AppTest: the app as a user sees it, without a browser."""
from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parent.parent


def _text(at: AppTest) -> str:
    parts = [e.value for e in at.title] + [e.value for e in at.header] + [e.value for e in at.subheader]
    parts += [e.value for e in at.markdown]
    parts += [e.value for e in at.text] + [e.value for e in at.caption] + [e.label for e in at.expander]
    return "\n".join(str(p) for p in parts)


@pytest.fixture
def app(seeded) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=30)
    return at


def test_home_lists_both_events_in_french(app):
    app.run()
    assert not app.exception
    text = _text(app)
    assert "Assises du Logement et du Travail social" in text
    assert "Partner's Day 2024" in text
    assert "Du jeudi 16 novembre 2023 au lundi 15 janvier 2024" in text
    assert "Le mercredi 31 janvier 2024" in text
    assert "Événements" in text
    assert "jeudi 16 novembre 2023, de 13:00 à 16:30" in text


def test_language_switch_to_english_and_dutch(app):
    app.run()
    app.selectbox(key="lang_choice").select("en").run()
    text = _text(app)
    assert "Events" in text and "From Thursday, 16 November 2023 to Monday, 15 January 2024" in text
    app.selectbox(key="lang_choice").select("nl").run()
    text = _text(app)
    assert "Evenementen" in text and "donderdag 16 november 2023" in text
