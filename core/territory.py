"""Territories: the levels of power an event's recommendations address, and which resources of the
inventory an event draws on.

A leaf module (it imports only ``core.errors`` and ``core.i18n``): pages, core services and reports
use it.

**Presets.** An event has a territory preset (``events.territory``): ``be-bru`` (Belgium / Brussels),
``ch-ge`` (Switzerland / Geneva) or ``fr`` (France). Each preset has an ordered list of levels of
power, stored in ``recommendations.level`` by stable keys (String(20)) and labelled through the
catalogs (``flow.level.<key>``, French, English, Dutch). A key keeps one meaning everywhere:
"communal" is the same level in Brussels, Geneva and Lyon, so a dashboard across events adds them up.

**Custom list.** An organiser may instead type an ordered list of labels (1 to ``LEVELS_MAX``,
distinct, each at most ``LEVEL_LABEL_MAX`` characters). It is stored in ``events.power_levels`` as a
JSON list of ``{"key": ..., "label": ...}`` in order:

- a label that names a preset level in any language ("Cantonal", "Kantonaal") takes that level's
  key (``cantonal``) and is shown through the catalogs;
- any other label gets the key ``x-<slug of the label>`` (``"Métropole de Lyon"`` ->
  ``x-metropole-de-lyon``, cut to 20 characters; a label with no Latin letter or digit gets
  ``x-`` and a short hash of it): the same label makes the same key in every event;
- a level that was in the list and is taken out stays in it with ``"retired": true``: it is no
  longer offered, but recommendations filed at that level keep their label.

``events.power_levels`` None means the preset's list. Whatever the event's list is now, a stored key
keeps its meaning (``level_label``): a recommendation filed "regional" still reads "Régional" after
the event switched to the Geneva preset.
"""
from __future__ import annotations

import re
import unicodedata
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from core.errors import ValidationError
from core.i18n import LANGUAGES, translate

DEFAULT_TERRITORY = "be-bru"
PRESETS: dict[str, tuple[str, ...]] = {
    "be-bru": ("communal", "regional", "community", "federal", "european"),
    "ch-ge": ("communal", "cantonal", "intercantonal", "federal"),
    "fr": ("communal", "intercommunal", "departmental", "regional", "national", "european"),
}
TERRITORIES = tuple(PRESETS)
# every preset level, each once, in a readable order (first seen in the presets above)
KNOWN_LEVELS: tuple[str, ...] = tuple(dict.fromkeys(k for keys in PRESETS.values() for k in keys))
LEVELS_MAX = 8
LEVEL_LABEL_MAX = 60
KEY_MAX = 20              # recommendations.level is String(20)
CUSTOM_PREFIX = "x-"


@dataclass(frozen=True)
class Level:
    key: str
    label: str = ""       # the label typed by the organiser (custom levels); "" for a preset level

    def text(self, lang: str) -> str:
        """What a user reads: the catalog's label of a preset level, the typed label otherwise."""
        if self.key in KNOWN_LEVELS:
            return translate(lang, f"flow.level.{self.key}")
        return self.label or self.key


def territory_label(territory: str | None, lang: str) -> str:
    """"Belgique – Bruxelles", "Suisse – Genève", "France"; "everywhere" for a resource without one."""
    if not territory:
        return translate(lang, "territory.none")
    if territory in PRESETS:
        return translate(lang, f"territory.{territory}")
    return territory


def _stored(event: Any) -> list[dict[str, Any]]:
    raw = getattr(event, "power_levels", None)
    if not isinstance(raw, list):
        return []
    return [x for x in raw if isinstance(x, dict) and isinstance(x.get("key"), str) and x["key"]]


def territory_of(event: Any) -> str:
    value = getattr(event, "territory", None)
    return value if value in PRESETS else DEFAULT_TERRITORY


def levels_for_event(event: Any) -> tuple[Level, ...]:
    """The levels an event offers, in order: its custom list when it has one, else its preset's.
    ``event`` is anything with ``territory`` and ``power_levels`` (a model row, an EventView), or
    None (the default preset)."""
    stored = [x for x in _stored(event) if not x.get("retired")]
    if stored:
        return tuple(Level(x["key"], "" if x["key"] in KNOWN_LEVELS else str(x.get("label") or ""))
                     for x in stored)
    return tuple(Level(k) for k in PRESETS[territory_of(event)])


def level_keys(event: Any) -> tuple[str, ...]:
    return tuple(x.key for x in levels_for_event(event))


def level_label(event: Any, key: str | None, lang: str) -> str:
    """The label of a stored level key in ``lang``, whether or not the event still offers it: a
    preset level through the catalogs, a custom level (retired or not) by its typed label."""
    if not key:
        return ""
    if key in KNOWN_LEVELS:
        return translate(lang, f"flow.level.{key}")
    for x in _stored(event):
        if x["key"] == key:
            return str(x.get("label") or key)
    return key


def level_names(events: Iterable[Any], lang: str) -> dict[str, str]:
    """key -> label over several events (a dashboard across events): every preset level, then each
    event's custom levels (the same key is the same label wherever it is used)."""
    names = {k: translate(lang, f"flow.level.{k}") for k in KNOWN_LEVELS}
    for ev in events:
        for x in _stored(ev):
            names.setdefault(x["key"], str(x.get("label") or x["key"]))
    return names


def level_order(events: Iterable[Any]) -> list[str]:
    """The order to show levels in across events: each event's levels in turn, then the other
    preset levels."""
    order: list[str] = []
    for ev in events:
        order += [k for k in level_keys(ev) if k not in order]
        order += [x["key"] for x in _stored(ev) if x["key"] not in order]
    return order + [k for k in KNOWN_LEVELS if k not in order]


def check_level(event: Any, value: Any, current: str | None = None) -> str:
    """A level a recommendation of this event may be filed at: one of the event's levels, or the
    level it already has (an old recommendation keeps its level). None: ``error.level_required``;
    anything else: ``error.invalid_choice`` on the field ``level``."""
    if isinstance(value, str) and (value in level_keys(event) or (current is not None and value == current)):
        return value
    if value is None or value == "":
        raise ValidationError("error.level_required", field="level")
    raise ValidationError("error.invalid_choice", field="level", value=str(value)[:40])


# --- a custom list typed by the organiser -----------------------------------------------------------

def _fold(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()
    return re.sub(r"[^a-z0-9]+", " ", ascii_text).strip()


def _preset_key(label: str) -> str | None:
    folded = _fold(label)
    if not folded:
        return None
    for key in KNOWN_LEVELS:
        if folded == _fold(key) or any(folded == _fold(translate(lang, f"flow.level.{key}")) for lang in LANGUAGES):
            return key
    return None


def custom_key(label: str) -> str:
    """The stable key of a typed level: a preset key when the label names one, else ``x-<slug>``."""
    preset = _preset_key(label)
    if preset:
        return preset
    slug = _fold(label).replace(" ", "-")[:KEY_MAX - len(CUSTOM_PREFIX)].strip("-")
    if not slug:
        slug = format(zlib.crc32(unicodedata.normalize("NFC", label.casefold()).encode("utf-8")), "08x")
    return CUSTOM_PREFIX + slug


def parse_labels(value: Any) -> list[str]:
    """Typed labels: a list, or text with one label per line (empty lines dropped)."""
    if value is None:
        return []
    if isinstance(value, str):
        value = value.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if not isinstance(value, (list, tuple)):
        raise ValidationError("error.invalid", field="power_levels")
    out = []
    for item in value:
        if not isinstance(item, str):
            raise ValidationError("error.not_text", field="power_levels")
        text = " ".join(unicodedata.normalize("NFC", item).split())
        if text:
            out.append(text)
    return out


def clean_custom_levels(territory: str, labels: Any, previous: Any = None) -> list[dict[str, Any]] | None:
    """``events.power_levels`` for typed ``labels`` (see the module's doc), keeping the levels of
    ``previous`` (the stored list) that were taken out as retired. Returns None when the list is
    the preset's own and nothing needs remembering. Refused with a keyed ``ValidationError`` (field
    ``power_levels``): more than ``LEVELS_MAX`` levels, a label too long or with control characters,
    two labels for one level."""
    if territory not in PRESETS:
        raise ValidationError("error.invalid_choice", field="territory", value=str(territory)[:40])
    items = parse_labels(labels)
    if len(items) > LEVELS_MAX:
        raise ValidationError("error.levels_too_many", field="power_levels", max=LEVELS_MAX)
    levels: list[dict[str, Any]] = []
    seen: dict[str, str] = {}
    for label in items:
        if len(label) > LEVEL_LABEL_MAX:
            raise ValidationError("error.level_too_long", field="power_levels", label=label[:40],
                                  max=LEVEL_LABEL_MAX)
        if any(unicodedata.category(ch) in ("Cc", "Cs") for ch in label) or "\ufffe" in label or "\uffff" in label:
            raise ValidationError("error.control_characters", field="power_levels")
        key = custom_key(label)
        if key in seen:
            raise ValidationError("error.level_duplicate", field="power_levels", label=label[:40])
        seen[key] = label
        levels.append({"key": key, "label": label})
    old = [x for x in (previous if isinstance(previous, list) else []) if isinstance(x, dict) and x.get("key")]
    retired = [{"key": x["key"], "label": str(x.get("label") or x["key"]), "retired": True}
               for x in old if x["key"] not in seen and x["key"] not in KNOWN_LEVELS]
    retired = list({x["key"]: x for x in retired}.values())
    if not levels:
        levels = [{"key": k, "label": translate("fr", f"flow.level.{k}")} for k in PRESETS[territory]]
    if [x["key"] for x in levels] == list(PRESETS[territory]) and not retired:
        return None
    return levels + retired


def labels_text(event: Any, lang: str) -> str:
    """The event's list as the organiser edits it: one label per line."""
    return "\n".join(x.text(lang) for x in levels_for_event(event))
