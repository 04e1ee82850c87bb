"""Field rules. Each rule cleans one value or raises a ValidationError with a message key;
nothing is written when a rule fails.

Text (``clean_text``), in this order:
1. anything but a ``str`` (or None, read as "") is refused (``error.not_text``);
2. lone surrogates and the noncharacters U+FFFE / U+FFFF are refused (``error.invalid_characters``):
   no database driver, XML document (DOCX, XLSX) or PDF can hold them;
3. Unicode NFC normalisation; every line break (CR LF, CR, U+2028, U+2029) becomes LF;
4. C0/C1 control characters other than tab and LF, NUL included, anywhere in the text, are refused
   (``error.control_characters``): PostgreSQL cannot store NUL, and the other ones are invisible;
5. surrounding whitespace (``str.strip``: spaces, tabs, newlines, no-break spaces...) is removed;
6. a single-line field joins its lines with one space (each line stripped, empty lines dropped);
7. a text made only of whitespace and invisible format characters (zero-width space, joiners,
   direction marks and overrides, byte-order mark: Unicode category Cf) counts as empty;
8. empty and required: ``error.required``; longer than the limit (in code points, after the steps
   above): ``error.too_long``.
Everything else is stored exactly as typed: right-to-left text, emoji, ZWJ sequences, markup and
SQL-looking text are plain text (pages render them escaped, exports neutralise formulas).

Ids (``parse_id``/``clean_id``): a positive integer up to ``limits.ID_MAX`` given as an int (not a
bool, not a float) or as a string of ASCII digits; anything else is "not found", never a crash.

Email addresses (``clean_email``): the one rule of the app (registration form, staff accounts) is
the ``email-validator`` package's: RFC 5321/5322 syntax, internationalised domains (« crèche-soleil.be »)
and local parts allowed, no DNS lookup. The address is stored in its normalised form (Unicode NFC,
domain in Unicode), lower-cased: one person, one address, however it was typed.

Dates: ISO 8601 text (``YYYY-MM-DD``; ``YYYY-MM-DDTHH:MM`` for date-times) or date objects, with a
year between ``limits.YEAR_MIN`` and ``limits.YEAR_MAX``. A date-time with a UTC offset is converted
to the events' local time (``ATELIER_TIMEZONE``), the way session times are stored.
"""
from __future__ import annotations

import datetime as dt
import operator
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import email_validator

from core import limits as L
from core.errors import NotFound, ValidationError
from core.settings import timezone

# C0/C1 control characters other than tab and newline (NUL bytes included)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
# lone surrogates (unencodable) and the two noncharacters XML 1.0 forbids
_INVALID = re.compile("[\ud800-\udfff\ufffe\uffff]")
_LINE_BREAK = re.compile("\r\n|[\r\u2028\u2029]")
DATE_TEXT_MAX = 40   # longer "dates" are not dates (and are not parsed)


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


def _invisible(ch: str) -> bool:
    return ch.isspace() or unicodedata.category(ch) == "Cf"


def clean_text(value: Any, field: str, max_len: int, required: bool = True, multiline: bool = True) -> str:
    """One text value by the rules of the module docstring."""
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise ValidationError("error.not_text", field=field)
    if _INVALID.search(value):
        raise ValidationError("error.invalid_characters", field=field)
    value = _LINE_BREAK.sub("\n", unicodedata.normalize("NFC", value))
    if _CONTROL.search(value):
        raise ValidationError("error.control_characters", field=field)
    value = value.strip()
    if not multiline and "\n" in value:
        value = " ".join(part.strip() for part in value.split("\n") if part.strip())
    if value and all(_invisible(ch) for ch in value):
        value = ""
    if required and not value:
        raise ValidationError("error.required", field=field)
    if len(value) > max_len:
        raise ValidationError("error.too_long", field=field, max=max_len, length=len(value))
    return value


def email_address(text: str) -> str | None:
    """The normalised form of an email address (lower-cased), or None when it is not one."""
    try:
        valid = email_validator.validate_email(text, check_deliverability=False)
    except email_validator.EmailNotValidError:
        return None
    return valid.normalized.lower()


def ascii_email(address: str) -> str:
    """The address as an SMTP server without SMTPUTF8 takes it: the domain in ASCII (punycode,
    « info@xn--crche-soleil-ydb.be »); unchanged when its local part is not ASCII or it is not valid."""
    try:
        valid = email_validator.validate_email(address, check_deliverability=False)
    except email_validator.EmailNotValidError:
        return address
    return valid.ascii_email or address


def clean_email(value: Any, field: str = "email", *, required: bool = True, max_len: int = L.EMAIL_MAX,
                missing: str = "error.required", invalid: str = "error.invalid_email") -> str:
    """An email address by the rule of the module docstring ("" when not required and empty);
    ``missing`` and ``invalid`` are the message keys the form shows."""
    text_ = clean_text(value, field, max_len, required=False, multiline=False)
    if not text_:
        if required:
            raise ValidationError(missing, field=field)
        return ""
    address = email_address(text_)
    if address is None or len(address) > max_len:
        raise ValidationError(invalid, field=field)
    return address


def parse_id(value: Any) -> int | None:
    """A row id from what a page, a link or a form gave, or None when it cannot be one: an int
    (numpy ints too) or a string of ASCII digits, from 1 to ``limits.ID_MAX``. Booleans, floats
    (1.5 is not row 1), negative numbers and anything else are None."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, str):
        text = value.strip()
        if not text or len(text) > 20 or not (text.isascii() and text.isdigit()):
            return None
        number = int(text)
    else:
        try:
            number = operator.index(value)
        except TypeError:
            return None
    return number if 1 <= number <= L.ID_MAX else None


def clean_id(value: Any, field: str | None = None) -> int:
    """``parse_id`` or ``NotFound`` (the message a user sees for a row that is not there)."""
    ident = parse_id(value)
    if ident is None:
        raise NotFound(field=field)
    return ident


def parse_int(value: Any) -> int | None:
    """An integer typed or given: an int (not a bool), or a string of decimal digits with an optional
    sign (surrounding spaces ignored; no underscores, no decimal point, at most 18 digits)."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, str):
        text = value.strip()
        digits = text[1:] if text[:1] in "+-" else text
        if not digits or len(digits) > 18 or not digits.isdecimal():
            return None
        return int(text)
    try:
        return operator.index(value)
    except TypeError:
        return None


def _clean_int(value: Any, field: str, rule: Rule) -> int | None:
    if value is None or value == "":
        if rule.required:
            raise ValidationError("error.required", field=field)
        return None
    number = parse_int(value)
    if number is None:
        raise ValidationError("error.not_a_number", field=field)
    if (rule.min is not None and number < rule.min) or (rule.max is not None and number > rule.max):
        raise ValidationError("error.out_of_range", field=field, min=rule.min, max=rule.max)
    return number


def _local(value: dt.datetime) -> dt.datetime:
    """A date-time as stored: naive, in the events' time zone."""
    if value.tzinfo is None:
        return value
    try:
        return value.astimezone(timezone()).replace(tzinfo=None)
    except (OverflowError, ValueError):
        raise ValidationError("error.date_out_of_range", min=L.YEAR_MIN, max=L.YEAR_MAX) from None


def _clean_date(value: Any, field: str, rule: Rule, with_time: bool) -> Any:
    if value is None or value == "":
        if rule.required:
            raise ValidationError("error.required", field=field)
        return None
    parsed: Any
    if isinstance(value, str):
        text = value.strip()
        parse: Callable[[str], Any] = dt.datetime.fromisoformat if with_time else dt.date.fromisoformat
        if not text:
            if rule.required:
                raise ValidationError("error.required", field=field)
            return None
        if len(text) > DATE_TEXT_MAX:
            raise ValidationError("error.invalid_date", field=field)
        try:
            parsed = parse(text)
        except ValueError:
            raise ValidationError("error.invalid_date", field=field) from None
    elif with_time and isinstance(value, dt.datetime):
        parsed = value
    elif not with_time and isinstance(value, dt.date):
        parsed = value.date() if isinstance(value, dt.datetime) else value
    else:
        raise ValidationError("error.invalid_date", field=field)
    if isinstance(parsed, dt.datetime):
        try:
            parsed = _local(parsed)
        except ValidationError:
            raise ValidationError("error.date_out_of_range", field=field, min=L.YEAR_MIN, max=L.YEAR_MAX) from None
    if not L.YEAR_MIN <= parsed.year <= L.YEAR_MAX:
        raise ValidationError("error.date_out_of_range", field=field, min=L.YEAR_MIN, max=L.YEAR_MAX)
    return parsed


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
            value = _LINE_BREAK.sub("\n", value).split("\n")
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
        if value is None:
            raise ValidationError("error.required", field=field)
        ident = parse_id(value)
        if ident is None:
            raise ValidationError("error.not_found", field=field)
        return ident
    raise AssertionError(rule.kind)
