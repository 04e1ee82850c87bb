"""Field rules. Each rule cleans one value or raises a ValidationError with a message key;
nothing is written when a rule fails."""
from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from typing import Any, Callable

from core.errors import ValidationError

# C0/C1 control characters other than tab and newline (NUL bytes included)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


@dataclass(frozen=True)
class Rule:
    kind: str
    required: bool = False
    max_len: int | None = None
    choices: tuple[str, ...] = ()
    min: int | None = None
    max: int | None = None
    multiline: bool = True
    max_items: int | None = None
    ref: Any = None          # a model class the value must point to (checked by the entity layer)


def text(max_len: int, required: bool = True, multiline: bool = True) -> Rule:
    return Rule("text", required=required, max_len=max_len, multiline=multiline)


def choice(choices: tuple[str, ...], required: bool = True) -> Rule:
    return Rule("choice", required=required, choices=choices)


def integer(lo: int | None = None, hi: int | None = None, required: bool = False) -> Rule:
    return Rule("int", required=required, min=lo, max=hi)


def boolean() -> Rule:
    return Rule("bool")


def date(required: bool = False) -> Rule:
    return Rule("date", required=required)


def datetime_(required: bool = False) -> Rule:
    return Rule("datetime", required=required)


def text_list(max_items: int, max_len: int) -> Rule:
    return Rule("list", max_items=max_items, max_len=max_len)


def ref(model: Any, required: bool = True) -> Rule:
    return Rule("ref", required=required, ref=model)


def clean_text(value: Any, field: str, max_len: int, required: bool = True, multiline: bool = True) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise ValidationError("error.not_text", field=field)
    value = unicodedata.normalize("NFC", value).replace("\r\n", "\n").replace("\r", "\n").strip()
    if _CONTROL.search(value):
        raise ValidationError("error.control_characters", field=field)
    if not multiline and "\n" in value:
        value = " ".join(part.strip() for part in value.split("\n") if part.strip())
    if required and not value:
        raise ValidationError("error.required", field=field)
    if len(value) > max_len:
        raise ValidationError("error.too_long", field=field, max=max_len, length=len(value))
    return value


def _clean_int(value: Any, field: str, rule: Rule) -> int | None:
    if value is None or value == "":
        if rule.required:
            raise ValidationError("error.required", field=field)
        return None
    if isinstance(value, bool):
        raise ValidationError("error.not_a_number", field=field)
    try:
        number = int(str(value).strip()) if not isinstance(value, int) else value
    except (TypeError, ValueError):
        raise ValidationError("error.not_a_number", field=field) from None
    if (rule.min is not None and number < rule.min) or (rule.max is not None and number > rule.max):
        raise ValidationError("error.out_of_range", field=field, min=rule.min, max=rule.max)
    return number


def _clean_date(value: Any, field: str, rule: Rule, with_time: bool) -> Any:
    if value is None or value == "":
        if rule.required:
            raise ValidationError("error.required", field=field)
        return None
    if with_time:
        if isinstance(value, dt.datetime):
            return value.replace(tzinfo=None) if value.tzinfo is None else value.astimezone(dt.timezone.utc).replace(tzinfo=None)
        parse: Callable[[str], Any] = dt.datetime.fromisoformat
    else:
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        parse = dt.date.fromisoformat
    if not isinstance(value, str):
        raise ValidationError("error.invalid_date", field=field)
    try:
        return parse(value.strip())
    except ValueError:
        raise ValidationError("error.invalid_date", field=field) from None


def clean(field: str, rule: Rule, value: Any) -> Any:
    """Clean one value by its rule (references are checked by the entity layer)."""
    if rule.kind == "text":
        return clean_text(value, field, rule.max_len or 0, rule.required, rule.multiline)
    if rule.kind == "choice":
        if value in (None, "") and not rule.required:
            return None
        if value not in rule.choices:
            raise ValidationError("error.invalid_choice", field=field, value=str(value)[:40])
        return value
    if rule.kind == "int":
        return _clean_int(value, field, rule)
    if rule.kind == "bool":
        if not isinstance(value, bool):
            raise ValidationError("error.invalid", field=field)
        return value
    if rule.kind == "date":
        return _clean_date(value, field, rule, with_time=False)
    if rule.kind == "datetime":
        return _clean_date(value, field, rule, with_time=True)
    if rule.kind == "list":
        if value is None:
            value = []
        if isinstance(value, str):
            value = value.split("\n")
        if not isinstance(value, (list, tuple)):
            raise ValidationError("error.invalid", field=field)
        items = [clean_text(v, field, rule.max_len or 0, required=False, multiline=False) for v in value]
        items = [v for v in items if v]
        if rule.max_items is not None and len(items) > rule.max_items:
            raise ValidationError("error.too_many", field=field, max=rule.max_items)
        return items
    if rule.kind == "ref":
        if value in (None, "") and not rule.required:
            return None
        if value is None or isinstance(value, bool):
            raise ValidationError("error.required", field=field)
        try:
            return int(value)
        except (TypeError, ValueError):
            raise ValidationError("error.not_found", field=field) from None
    raise AssertionError(rule.kind)
