"""Translation catalogs (French, English, Dutch) and locale-aware dates, without Streamlit.

Catalogs are JSON files under ``locales/<lang>/*.json`` (one file per area, merged), flat
``{"key": "text with {placeholders}"}``. French is the reference: every key it has must exist in
the other languages (a test checks it).
"""
from __future__ import annotations

import datetime as dt
import functools
import json
import logging
from pathlib import Path
from typing import Any

from babel.dates import format_date, format_datetime, format_time

LANGUAGES = ("fr", "en", "nl")
DEFAULT_LANGUAGE = "fr"
LOCALES = {"fr": "fr_BE", "en": "en_GB", "nl": "nl_BE"}
CATALOG_DIR = Path(__file__).resolve().parent.parent / "locales"
log = logging.getLogger(__name__)


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
    if params:
        try:
            return text.format(**params)
        except (KeyError, IndexError, ValueError):
            return text
    return text


def fmt_date(value: dt.date | None, lang: str, fmt: str = "full") -> str:
    return "" if value is None else format_date(value, format=fmt, locale=LOCALES.get(lang, "fr_BE"))


def fmt_time(value: dt.datetime | None, lang: str) -> str:
    return "" if value is None else format_time(value, format="short", locale=LOCALES.get(lang, "fr_BE"))


def fmt_datetime(value: dt.datetime | None, lang: str, fmt: str = "medium") -> str:
    return "" if value is None else format_datetime(value, format=fmt, locale=LOCALES.get(lang, "fr_BE"))
