"""Counts read naturally in every language: CLDR plural rules through Babel, numbers per locale."""
from __future__ import annotations

import re

import pytest

from core import i18n

ATELIERS = "{count, plural, one {# atelier} other {# ateliers}}"
VOTES = "Il reste {left, plural, =0 {aucun point} one {# point} other {# points}} sur {dots}."


@pytest.fixture
def catalog(monkeypatch):
    messages = {"fr": {"t.ateliers": ATELIERS, "t.votes": VOTES,
                       "t.two": "{a, plural, one {# frein} other {# freins}}, "
                                "{b, plural, one {# besoin} other {# besoins}}"},
                "en": {"t.ateliers": "{count, plural, one {# workshop} other {# workshops}}"},
                "nl": {"t.ateliers": "{count, plural, one {# workshop} other {# workshops}}"}}
    monkeypatch.setattr(i18n, "catalog", lambda lang: messages.get(lang, {}))
    return messages


@pytest.mark.parametrize(("lang", "count", "expected"), [
    ("fr", 0, "0 atelier"), ("fr", 1, "1 atelier"), ("fr", 2, "2 ateliers"), ("fr", 1234, "1\u202f234 ateliers"),
    ("en", 0, "0 workshops"), ("en", 1, "1 workshop"), ("en", 1234, "1,234 workshops"),
    ("nl", 1, "1 workshop"), ("nl", 3, "3 workshops"), ("nl", 1234, "1.234 workshops"),
])
def test_counts_follow_the_languages_plural_rules_and_number_format(catalog, lang, count, expected):
    got = i18n.translate(lang, "t.ateliers", count=count)
    assert got.replace("\xa0", "\u202f") == expected


def test_an_exact_branch_wins_and_other_placeholders_are_filled(catalog):
    assert i18n.translate("fr", "t.votes", left=0, dots=3) == "Il reste aucun point sur 3."
    assert i18n.translate("fr", "t.votes", left=1, dots=3) == "Il reste 1 point sur 3."
    assert i18n.translate("fr", "t.votes", left=2, dots=3) == "Il reste 2 points sur 3."


def test_several_counts_in_one_message(catalog):
    assert i18n.translate("fr", "t.two", a=1, b=4) == "1 frein, 4 besoins"


def test_a_missing_or_odd_count_never_crashes(catalog):
    assert "atelier" in i18n.translate("fr", "t.ateliers")
    assert "atelier" in i18n.translate("fr", "t.ateliers", count="beaucoup")
    assert i18n.translate("fr", "t.ateliers", count=True).startswith("{count, plural")


FAKED_PLURAL = re.compile(r"\w\((?:s|e|es|x|n|en|nen|men|’s|'s)\)|\w/\w+en\b|spoor/sporen")


def test_no_catalog_message_fakes_a_plural_with_parentheses():
    for lang in i18n.LANGUAGES:
        faked = sorted(k for k, v in i18n.catalog(lang).items() if FAKED_PLURAL.search(v))
        assert faked == [], lang


def test_every_plural_message_has_an_other_branch_and_parses():
    for lang in i18n.LANGUAGES:
        for key, text in i18n.catalog(lang).items():
            if "plural," in text:
                for match in i18n.PLURAL_BLOCK.finditer(text):
                    assert "other" in dict(i18n.PLURAL_CHOICE.findall(match.group(2))), (lang, key)
                assert i18n.PLURAL_BLOCK.sub("", text).count("plural,") == 0, (lang, key)
