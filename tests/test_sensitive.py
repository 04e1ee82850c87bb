"""Sensitive data guard: personas are fictitious; real-looking personal data gets a warning."""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.setup import demo_data as D
from core.i18n import LANGUAGES, catalog
from core.personas.sensitive import KINDS, find_personal_data, is_national_register_number


def nrn(yymmdd: str, serial: str, born_2000s: bool = False) -> str:
    """A national register number with its check digits, formatted YY.MM.DD-SSS.CC."""
    base = int(("2" if born_2000s else "") + yymmdd + serial)
    check = 97 - base % 97
    return f"{yymmdd[:2]}.{yymmdd[2:4]}.{yymmdd[4:]}-{serial}.{check:02d}"


def kinds(text: str) -> list[str]:
    return [f.kind for f in find_personal_data(text)]


@pytest.mark.parametrize("number", [
    nrn("850730", "033"), nrn("850730", "033").replace(".", "").replace("-", ""),
    nrn("850730", "033").replace(".", " ").replace("-", " "), nrn("010203", "123", born_2000s=True),
    nrn("120229", "004", born_2000s=True).replace(".", "").replace("-", ""),
])
def test_a_belgian_national_register_number_is_found_with_or_without_separators(number):
    findings = find_personal_data(f"Son numéro : {number}, à vérifier")
    assert [f.kind for f in findings] == ["national_register"]
    assert findings[0].excerpt == number


def test_a_wrong_check_number_is_not_a_national_register_number():
    good = nrn("850730", "033")
    bad = good[:-2] + f"{(int(good[-2:]) + 1) % 100:02d}"
    assert is_national_register_number(good) and not is_national_register_number(bad)
    assert "national_register" not in kinds(f"numéro {bad}")
    # the 2000s rule applies to people born from 2000 on only: a 1900s check does not validate it
    assert is_national_register_number(nrn("010203", "123", born_2000s=True))


@pytest.mark.parametrize("text", ["marie.dupont@example.be", "Écrire à ahmed+cpas@mail.brussels.", "j_doe@uni-ge.ch"])
def test_an_email_address_is_found(text):
    assert kinds(text) == ["email"]


@pytest.mark.parametrize("text", [
    "+32 2 512 34 56", "0032 470 12 34 56", "tél. 02/512.34.56", "0470 12 34 56", "0470123456",
    "+41 79 123 45 67", "022 123 45 67", "+1 415 555 0100", "gsm: 0485-12-34-56",
])
def test_belgian_swiss_and_international_phone_numbers_are_found(text):
    assert kinds(text) == ["phone"]


@pytest.mark.parametrize("text, excerpt", [
    ("Habite rue de la Loi 16", "rue de la Loi 16"),
    ("12 rue Haute, au deuxième", "12 rue Haute"),
    ("Quai Fernand Demets 23", "Quai Fernand Demets 23"),
    ("chaussée de Waterloo 123", "chaussée de Waterloo 123"),
    ("avenue Louise 54 bte 3", "avenue Louise 54 bte 3"),
    ("woont in de Wetstraat 16", "Wetstraat 16"),
    ("kerkstraat 12", "kerkstraat 12"),
    ("Louizalaan 54", "Louizalaan 54"),
    ("Steenweg op Gent 12", "Steenweg op Gent 12"),
    ("lives at 10 Downing Street", "10 Downing Street"),
    ("vit à 1060 Saint-Gilles depuis mars", "1060 Saint-Gilles"),
    ("CH-1205 Genève", "CH-1205 Genève"),
    ("1201 Genève", "1201 Genève"),
])
def test_street_addresses_and_postcodes_with_a_town_are_found(text, excerpt):
    findings = find_personal_data(text)
    assert [(f.kind, f.excerpt) for f in findings] == [("address", excerpt)]


def test_several_findings_come_in_the_order_of_the_text():
    text = "Paul, rue Haute 5, 1000 Bruxelles, paul@exemple.be, 0470 12 34 56"
    assert kinds(text) == ["address", "address", "email", "phone"]


@pytest.mark.parametrize("text", [
    "40 ans", "19 ans de détention", "3 enfants", "2016", "Maman solo de deux enfants de 4 et 6 ans",
    "A rejoint en 2016, par regroupement familial, son ex-mari installé en Belgique depuis 2009",
    "vit à la rue depuis 3 ans", "une place en crèche pour 2 enfants", "CPAS — art. 60", "1500 euros par mois",
    "En 2016 Sofia a rejoint son mari", "né le 01/02/1985", "3e professionnelle non terminée", "Loyer de 750 €",
    "Au chômage depuis 4 ans, 2 enfants de 10 et 12 ans", "Place Albert — Forest",
])
def test_ordinary_persona_facts_are_not_flagged(text):
    assert find_personal_data(text) == []


def test_nothing_in_the_partners_day_personas_is_flagged():
    for p in D.PARTNERS_DAY["personas"]:
        texts = [p["name"], p["origin"], p.get("note", ""), *p["facts"], *p["motivations"], *p["skills"],
                 *(b["text"] for b in p["barriers"]), *(n["text"] for n in p["needs"]),
                 *(ld["text"] for n in p["needs"] for ld in n["leads"])]
        for text in texts:
            assert find_personal_data(text) == [], text


def test_every_finding_has_a_message_in_every_language():
    for kind in KINDS:
        for lang in LANGUAGES:
            assert "{excerpt}" in catalog(lang)[f"canvas_rules.sensitive.{kind}"]


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Nd", "Cs"), blacklist_characters="@"), max_size=300))
def test_text_without_digits_or_at_sign_never_triggers(text):
    assert find_personal_data(text) == []


@settings(max_examples=200, deadline=None)
@given(year=st.integers(0, 99), month=st.integers(1, 12), day=st.integers(1, 28), serial=st.integers(1, 997),
       born_2000s=st.booleans(), before=st.sampled_from(["", "n° ", "Son RN est "]),
       after=st.sampled_from(["", ".", " ; merci", ", 3 enfants"]))
def test_any_valid_national_register_number_is_found(year, month, day, serial, born_2000s, before, after):
    number = nrn(f"{year:02d}{month:02d}{day:02d}", f"{serial:03d}", born_2000s)
    assert "national_register" in kinds(before + number + after)
