"""Labels several pages share: the mood check's weathers, the board's categories, session dates and
names. Plain text (not escaped): callers escape with ``ui.text.md`` where Markdown renders it."""
from __future__ import annotations

import datetime as dt
from typing import Any

from core.session import board
from core.signup import invitations as inv
from ui.i18n import current_language, t

WEATHER_ICONS = {"sunny": "☀️", "partly_cloudy": "🌤️", "cloudy": "☁️", "rainy": "🌧️", "stormy": "⛈️"}


def weather_label(weather: str) -> str:
    """"☀️ Ensoleillé": the icon and the translated name of a mood-check weather."""
    return f"{WEATHER_ICONS.get(weather, '')} {t(f'flow.weather.{weather}')}".strip()


def category_label(value: str) -> str:
    """A board category: translated for the plain template, as written for the Partner's Day one."""
    key = board.category_label_key(value)
    return t(key) if key else value


def when(starts_at: dt.datetime | None, ends_at: dt.datetime | None, lang: str | None = None) -> str:
    """A session's date and hours in the reader's language."""
    return inv.when_text(starts_at, ends_at, lang or current_language())


def session_name(theme_title: str, session_title: str) -> str:
    return f"{theme_title} — {session_title}" if session_title else theme_title


def source_label(option: Any) -> str:
    """What a recommendation may cite (a ``recommendations.SourceOption``): « Constat · ... »."""
    if option.kind == "contribution":
        return f"{t(f'flow.kind.{option.detail}')} · {option.text}"
    if option.kind == "need":
        return f"{t('flow.source.need')} · {option.text} ({option.detail})"
    return f"{t('flow.source.persona')} · {option.text}"


__all__ = ["WEATHER_ICONS", "category_label", "session_name", "source_label", "weather_label", "when"]
