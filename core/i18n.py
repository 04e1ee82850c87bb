"""Translation catalogs (French, English, Dutch) and locale-aware dates, without Streamlit.

Catalogs are JSON files under ``locales/<lang>/*.json`` (one file per area, merged), flat
``{"key": "text with {placeholders}"}``. French is the reference: every key it has must exist in
the other languages (a test checks it).

Counts use the plural syntax of ICU MessageFormat, chosen by the CLDR plural rules of the user's
locale (Babel), never a faked "(s)":
``"{count, plural, one {# atelier} other {# ateliers}}"`` — branches ``zero one two few many other``
or an exact ``=N``; ``#`` is the number formatted for the locale (``1 234`` in French, ``1.234`` in
Dutch); a branch may hold other ``{placeholders}``.
"""
from __future__ import annotations

import datetime as dt
import functools
import json
import logging
import re
from pathlib import Path
from typing import Any

from babel import Locale
from babel.dates import format_date, format_datetime, format_time
from babel.numbers import format_decimal

LANGUAGES = ("fr", "en", "nl")
DEFAULT_LANGUAGE = "fr"
LOCALES = {"fr": "fr_BE", "en": "en_GB", "nl": "nl_BE"}
CATALOG_DIR = Path(__file__).resolve().parent.parent / "locales"
log = logging.getLogger(__name__)


LANGUAGE_COOKIE = "atelier_lang"


def primary_language(tag: str | None) -> str | None:
    """``nl-BE`` / ``nl_BE`` / ``NL`` -> ``nl`` when the app speaks it, else None."""
    if not isinstance(tag, str) or not tag:
        return None
    code = tag.replace("_", "-").split("-", 1)[0].strip().lower()
    return code if code in LANGUAGES else None


def choose_language(in_link: str | None, chosen: str | None, remembered: str | None,
                    browser: str | None) -> str:
    """The language of a page, first found: a ``?lang=`` in the link (a registration email in Dutch),
    the one chosen in this browser session, the one remembered in the browser's cookie, the
    browser's own language (``nl-BE``), French."""
    for candidate in (in_link, chosen, remembered):
        if candidate in LANGUAGES:
            return str(candidate)
    return primary_language(browser) or DEFAULT_LANGUAGE


@functools.cache
def catalog(lang: str) -> dict[str, str]:
    merged: dict[str, str] = {}
    for path in sorted((CATALOG_DIR / lang).glob("*.json")):
        merged.update(json.loads(path.read_text(encoding="utf-8")))
    return merged


def translate(lang: str, key: str, **params: Any) -> str:
    lang = lang if lang in LANGUAGES else DEFAULT_LANGUAGE
    text = catalog(lang).get(key)
    if text is None:
        text = catalog(DEFAULT_LANGUAGE).get(key)
        if text is None:
            log.warning("missing translation key %s", key)
            return key
    if "plural," in text:
        text = _plurals(lang, text, params)
    if params:
        try:
            return text.format(**params)
        except (KeyError, IndexError, ValueError):
            return text
    return text


_BRANCH_TEXT = r"(?:[^{}]|\{\w+\})*"          # text, or a plain {placeholder} inside a branch
PLURAL_BLOCK = re.compile(r"\{(\w+),\s*plural,((?:\s*(?:=\d+|zero|one|two|few|many|other)\s*\{"
                          + _BRANCH_TEXT + r"\})+)\s*\}")
PLURAL_CHOICE = re.compile(r"(=\d+|zero|one|two|few|many|other)\s*\{(" + _BRANCH_TEXT + r")\}")


@functools.cache
def _locale(lang: str) -> Locale:
    return Locale.parse(LOCALES.get(lang, LOCALES[DEFAULT_LANGUAGE]))


def plural_category(lang: str, number: float) -> str:
    """CLDR plural category of a number in a language: "one", "other"... (French: 0 and 1 are "one")."""
    return str(_locale(lang).plural_form(abs(number)))


def fmt_number(value: float, lang: str) -> str:
    return format_decimal(value, locale=LOCALES.get(lang, LOCALES[DEFAULT_LANGUAGE]))


def _plurals(lang: str, text: str, params: dict[str, Any]) -> str:
    def choose(match: re.Match[str]) -> str:
        name, body = match.group(1), match.group(2)
        value = params.get(name)
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            try:
                value = float(str(value))
            except ValueError:
                return match.group(0)    # no number to choose by: left as written, never a crash
        branches: dict[str, str] = dict(PLURAL_CHOICE.findall(body))
        exact = f"={int(value)}" if float(value).is_integer() else ""
        branch = branches[exact] if exact in branches else \
            branches.get(plural_category(lang, value), branches.get("other", ""))
        number = fmt_number(value, lang).replace("{", "{{").replace("}", "}}")
        return branch.replace("#", number)
    return PLURAL_BLOCK.sub(choose, text)


def fmt_date(value: dt.date | None, lang: str, fmt: str = "full") -> str:
    return "" if value is None else format_date(value, format=fmt, locale=LOCALES.get(lang, "fr_BE"))


def fmt_time(value: dt.datetime | None, lang: str) -> str:
    return "" if value is None else format_time(value, format="short", locale=LOCALES.get(lang, "fr_BE"))


def fmt_datetime(value: dt.datetime | None, lang: str, fmt: str = "medium") -> str:
    return "" if value is None else format_datetime(value, format=fmt, locale=LOCALES.get(lang, "fr_BE"))
