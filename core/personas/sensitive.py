"""Sensitive data guard: personas are fictitious, so a field that looks like real personal data
(a Belgian national register or BIS number, a Swiss AVS/AHV number, an IBAN, an email address, a
phone number, a street address) gets a warning before it is saved.

``find_personal_data`` only warns, it never refuses: the page shows the findings and asks the
user to confirm. Every pattern needs a digit or an ``@``, so ordinary persona facts ("40 ans",
"19 ans de détention", "3 enfants", "en Belgique depuis 2019") never trigger it. Identity and
account numbers are checked the way their issuers check them (``python-stdnum``): check digits,
and for Belgian numbers a possible birth date, so a number with a wrong check digit — a typo or an
invented number — is not reported.

Each ``Finding`` carries its message key and the parameters of that message, so a page renders
``t(finding.message_key, **finding.message_params(escape))`` and the excerpt always shows.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from stdnum import iban as _iban
from stdnum.be import bis as _bis
from stdnum.be import nn as _nn
from stdnum.ch import ssn as _avs

from core.i18n import translate
from core.resources.categories import normalise

__all__ = ["KINDS", "Finding", "find_personal_data", "is_avs_number", "is_bis_number", "is_iban",
           "is_national_register_number", "message_key"]

KINDS = ("national_register", "bis_number", "avs_number", "iban", "email", "phone", "address")


@dataclass(frozen=True)
class Finding:
    kind: str      # one of KINDS
    excerpt: str   # the part of the text that looks personal

    @property
    def message_key(self) -> str:
        return message_key(self.kind)

    def message_params(self, escape: Callable[[str], str] = str) -> dict[str, str]:
        """The parameters of ``message_key``'s message; ``escape`` prepares the excerpt for where it
        is shown (Markdown on a page)."""
        return {"excerpt": escape(self.excerpt)}

    def message(self, lang: str, escape: Callable[[str], str] = str) -> str:
        """The warning in a language, its excerpt included."""
        return translate(lang, self.message_key, **self.message_params(escape))


def message_key(kind: str) -> str:
    return f"canvas_rules.sensitive.{kind}"


# --- Belgian national register and BIS numbers (registre national / rijksregisternummer) ------
# YY.MM.DD-SSS.CC: birth date, a serial number, and a check number 97 - (YYMMDDSSS mod 97);
# for births from 2000 on, the check is computed on 2YYMMDDSSS (so not for a birth year still to
# come). A BIS number (people not in the register: cross-border workers, newcomers) is written the
# same way with 20 or 40 added to the month.
_NRN = re.compile(r"(?<![\d.\-/])(\d{2})[.\s-]?(\d{2})[.\s-]?(\d{2})[.\s-]?(\d{3})[.\s-]?(\d{2})(?![\d])")


def _digits(text: str) -> str:
    return re.sub(r"\D", "", text)


def is_national_register_number(text: str) -> bool:
    digits = _digits(text)
    return len(digits) == 11 and _nn.is_valid(digits)


def is_bis_number(text: str) -> bool:
    digits = _digits(text)
    return len(digits) == 11 and _bis.is_valid(digits)


# --- Swiss social security number (numéro AVS / AHV-Nummer) ----------------------------------
# 756.XXXX.XXXX.XC: 756 (Switzerland), nine digits, an EAN-13 check digit.
_AVS = re.compile(r"(?<![\w.\-/])756[.\s-]?\d{4}[.\s-]?\d{4}[.\s-]?\d{2}(?![\d])")


def is_avs_number(text: str) -> bool:
    digits = _digits(text)
    return len(digits) == 13 and _avs.is_valid(digits)


# --- IBAN, any country, grouped by four or not ----------------------------------------------
# A country code, two check digits, then 11 to 30 letters and digits (the length and the bank
# part are the country's, and stdnum checks them). The run the pattern finds may go on with the
# words after the number ("BE71 0961 2345 6769 et 3 enfants"), so the IBAN is the longest run of
# its groups that validates.
_IBAN = re.compile(r"(?<![\w])[A-Za-z]{2}\d{2}(?:[ \u00a0-]?[A-Za-z0-9]){11,40}")
_IBAN_GROUP = re.compile(r"[A-Za-z0-9]+")


def is_iban(text: str) -> bool:
    compact = re.sub(r"[\s.\-]", "", text)
    return 15 <= len(compact) <= 34 and _iban.is_valid(compact)


def _iban_end(run: str) -> int:
    """Where the IBAN at the start of ``run`` ends, or 0 when the run does not start with one."""
    ends = [g.end() for g in _IBAN_GROUP.finditer(run)]
    for end in reversed(ends):
        if is_iban(run[:end]):
            return end
    return 0


# --- email --------------------------------------------------------------------------------
_EMAIL = re.compile(r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)*\.[a-zA-Z]{2,}")

# --- phone numbers ------------------------------------------------------------------------
# A run that starts with +, 00 or 0 and goes on with digits and the usual separators.
_PHONE = re.compile(r"(?<![\w+.\-/])(?:\+|\b0)[\d][\d\s./()\-]{5,}\d(?!\d)")


def _is_phone(run: str) -> bool:
    digits = re.sub(r"\D", "", run)
    if run.startswith("+"):
        return 8 <= len(digits) <= 15                       # +32 2 512 34 56, +41 22 123 45 67, +1 ...
    if digits.startswith("00"):
        return 10 <= len(digits) <= 17                      # 0032 470 12 34 56
    return len(digits) in (9, 10) and digits[1] != "0"      # 02 512 34 56, 0470 12 34 56, 022 123 45 67


# --- street addresses ---------------------------------------------------------------------
_UPPER = "A-ZÀ-ÖØ-Þ"
_PARTICLE = r"(?:(?:de|du|des|de la|d'|d’|l'|l’|la|le|les|van|van de|van der|der|den|op|of|the|sint|saint)\s*)*"
_NAME_WORD = rf"[{_UPPER}][\w'’.\-]*"
_NAME = rf"{_PARTICLE}{_NAME_WORD}(?:[\s\-]+{_PARTICLE}{_NAME_WORD}){{0,4}}"
_NUMBER = r"\d{1,4}(?:\s?[a-zA-Z](?![\w]))?(?:\s?(?:/|bte|bus|boîte)\s?\d{1,4})?"
# French, English and Swiss street words written before the name: "rue de la Loi 16", "12 rue Haute"
_STREET_WORD = (r"(?:rue|avenue|av\.|chauss[ée]e|boulevard|bd|place|square|quai|chemin|route|all[ée]e|impasse|"
                r"dr[èe]ve|clos|rond-point|galerie|passage|sentier|parvis|esplanade|cit[ée]|venelle|"
                r"steenweg|street|road|lane|drive|terrace|crescent)")
_STREET_FIRST = re.compile(rf"(?<![\w])(?i:{_STREET_WORD})\s+{_NAME},?\s+(?:n[°o]\.?\s*)?{_NUMBER}(?![\d])")
_NUMBER_FIRST = re.compile(rf"(?<![\w,.])\d{{1,4}}[a-zA-Z]?,?\s+(?i:{_STREET_WORD})\s+{_NAME}")
# English: "10 Downing Street", "221B Baker St"
_EN_STREET = re.compile(rf"(?<![\w,.])\d{{1,4}}[a-zA-Z]?\s+(?:{_NAME_WORD}\s+){{1,3}}"
                        r"(?:Street|St\.?|Road|Rd\.?|Avenue|Ave\.?|Lane|Ln\.?|Drive|Dr\.?|Boulevard|Blvd\.?|Way|"
                        r"Square|Sq\.?|Place|Pl\.?|Close|Court|Ct\.?|Crescent|Terrace|Gardens)(?![\w])")
# Dutch and German compounds: "Wetstraat 16", "Louizalaan 54", "Bahnhofstrasse 3"; the rarer
# suffixes that are also plain words (weg, baan, lei, markt...) only with a capital letter.
_NL_STREET = re.compile(
    r"(?<![\w])(?:(?i:\w{2,}(?:straat|laan|steenweg|plein|dreef|kaai|singel|strasse|straße|gasse|platz))"
    rf"|[{_UPPER}]\w+(?:weg|baan|lei|markt|dijk|vest))\s+{_NUMBER}(?![\d])")
# A postcode followed by a town: "1070 Anderlecht", "B-1060 Saint-Gilles", "CH-1205 Genève".
_COUNTRY_POSTCODE = re.compile(rf"(?<![\w-])(?:B|BE|CH|F|L|NL)-\d{{4,5}}\s+[{_UPPER}][\w'’\-]+")
_POSTCODE_TOWN = re.compile(r"(?<![\w\-])([1-9]\d{3})\s+([^\W\d_][\w'’\-]*(?:\s+[^\W\d_][\w'’\-]*){0,2})")
_TOWNS = frozenset(normalise(t) for t in (
    # Brussels' 19 communes (French and Dutch names)
    "Bruxelles", "Brussel", "Brussels", "Anderlecht", "Auderghem", "Oudergem", "Berchem-Sainte-Agathe",
    "Sint-Agatha-Berchem", "Etterbeek", "Evere", "Forest", "Vorst", "Ganshoren", "Ixelles", "Elsene", "Jette",
    "Koekelberg", "Molenbeek", "Molenbeek-Saint-Jean", "Sint-Jans-Molenbeek", "Saint-Gilles", "Sint-Gillis",
    "Saint-Josse", "Saint-Josse-ten-Noode", "Sint-Joost-ten-Node", "Schaerbeek", "Schaarbeek", "Uccle", "Ukkel",
    "Watermael-Boitsfort", "Watermaal-Bosvoorde", "Woluwe-Saint-Lambert", "Sint-Lambrechts-Woluwe",
    "Woluwe-Saint-Pierre", "Sint-Pieters-Woluwe", "Laeken", "Laken", "Neder-Over-Heembeek", "Haren",
    # Belgian cities
    "Antwerpen", "Anvers", "Antwerp", "Gent", "Gand", "Ghent", "Liège", "Luik", "Charleroi", "Namur", "Namen",
    "Mons", "Bergen", "Leuven", "Louvain", "Louvain-la-Neuve", "Ottignies", "Wavre", "Waver", "Nivelles",
    "Brugge", "Bruges", "Mechelen", "Malines", "Hasselt", "Kortrijk", "Courtrai", "Oostende", "Ostende",
    "Aalst", "Alost", "Tournai", "Doornik", "Verviers", "Seraing", "La Louvière", "Arlon", "Vilvoorde",
    "Halle", "Hal", "Zaventem", "Dilbeek", "Waterloo", "Braine-l'Alleud", "Tubize", "Eupen", "Genk",
    # Swiss cities (Romandie first)
    "Genève", "Geneve", "Genf", "Geneva", "Lausanne", "Carouge", "Vernier", "Lancy", "Meyrin", "Onex",
    "Thônex", "Plan-les-Ouates", "Versoix", "Nyon", "Morges", "Renens", "Vevey", "Montreux", "Yverdon",
    "Yverdon-les-Bains", "Fribourg", "Neuchâtel", "La Chaux-de-Fonds", "Sion", "Sierre", "Martigny",
    "Delémont", "Bienne", "Biel", "Berne", "Bern", "Zurich", "Zürich", "Bâle", "Basel",
))


def _town_length(words: str) -> int:
    """How many characters of ``words`` name a known town (0 when none)."""
    spans = [m.end() for m in re.finditer(r"\S+", words)]
    for n in range(len(spans), 0, -1):
        if normalise(words[:spans[n - 1]]) in _TOWNS:
            return spans[n - 1]
    return 0


def find_personal_data(text: str) -> list[Finding]:
    """What in ``text`` looks like real personal data, in the order found (empty when nothing)."""
    if not text:
        return []
    found: list[tuple[int, Finding]] = []
    taken: list[tuple[int, int]] = []

    def add(start: int, end: int, kind: str) -> None:
        if any(start < e and s < end for s, e in taken):
            return
        taken.append((start, end))
        found.append((start, Finding(kind, text[start:end].strip())))

    for m in _EMAIL.finditer(text):
        add(m.start(), m.end(), "email")
    at = 0
    while (candidate := _IBAN.search(text, at)) is not None:
        end = _iban_end(candidate.group(0))
        if end:
            add(candidate.start(), candidate.start() + end, "iban")
        at = candidate.start() + max(end, 1)  # a run that is no IBAN may still hide one further on
    for m in _AVS.finditer(text):
        if is_avs_number(m.group(0)):
            add(m.start(), m.end(), "avs_number")
    for m in _NRN.finditer(text):
        if is_national_register_number(m.group(0)):
            add(m.start(), m.end(), "national_register")
        elif is_bis_number(m.group(0)):
            add(m.start(), m.end(), "bis_number")
    for m in _PHONE.finditer(text):
        run = m.group(0).rstrip(" .-/(")
        if _is_phone(run):
            add(m.start(), m.start() + len(run), "phone")
    for pattern in (_STREET_FIRST, _NUMBER_FIRST, _EN_STREET, _NL_STREET, _COUNTRY_POSTCODE):
        for m in pattern.finditer(text):
            add(m.start(), m.end(), "address")
    for m in _POSTCODE_TOWN.finditer(text):
        length = _town_length(m.group(2))
        if length:
            add(m.start(), m.start(2) + length, "address")
    return [f for _, f in sorted(found, key=lambda pair: pair[0])]
