"""Which language a page speaks: link, this session's choice, the browser's cookie, its language."""
from __future__ import annotations

import pytest

from core.i18n import DEFAULT_LANGUAGE, choose_language, primary_language


@pytest.mark.parametrize(("tag", "expected"), [("nl-BE", "nl"), ("nl_BE", "nl"), ("NL", "nl"), ("en-US", "en"),
                                               ("fr-CH", "fr"), ("de-CH", None), ("", None), (None, None),
                                               ("x" * 500, None)])
def test_the_browsers_language_tag_is_read_by_its_first_part(tag, expected):
    assert primary_language(tag) == expected


def test_a_link_wins_then_the_session_then_the_cookie_then_the_browser():
    assert choose_language("en", "nl", "fr", "fr-BE") == "en"
    assert choose_language(None, "nl", "en", "fr-BE") == "nl"
    assert choose_language(None, None, "en", "nl-BE") == "en"
    assert choose_language(None, None, None, "nl-BE") == "nl"
    assert choose_language(None, None, None, "de-DE") == DEFAULT_LANGUAGE == "fr"


def test_values_the_app_does_not_speak_are_skipped():
    assert choose_language("de", "xx", "<script>", "nl-BE") == "nl"
    assert choose_language("", "", "", None) == "fr"
