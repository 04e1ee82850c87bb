"""Sensitive data guard: personas are fictitious; real-looking personal data gets a warning."""
from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from core.i18n import LANGUAGES, catalog
from core.personas.sensitive import (
    KINDS,
    Finding,
    find_personal_data,
    is_avs_number,
    is_bis_number,
    is_iban,
    is_national_register_number,
)
from core.setup import demo_data as D

THIS_YEAR_IN_CENTURY = dt.date.today().year - 2000


def nrn(yymmdd: str, serial: str, born_2000s: bool = False) -> str:
    """A national register (or, month + 20 or + 40, BIS) number with its check digits, YY.MM.DD-SSS.CC."""
    base = int(("2" if born_2000s else "") + yymmdd + serial)
    check = 97 - base % 97
    return f"{yymmdd[:2]}.{yymmdd[2:4]}.{yymmdd[4:]}-{serial}.{check:02d}"


def avs(nine_digits: str) -> str:
    """A Swiss AVS/AHV number 756.XXXX.XXXX.XC with its EAN-13 check digit."""
    body = "756" + nine_digits
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(body))
    number = body + str((10 - total % 10) % 10)
    return f"{number[:3]}.{number[3:7]}.{number[7:11]}.{number[11:]}"


def iban(country: str, bban: str) -> str:
    """An IBAN with its ISO 13616 check digits, grouped by four."""
    moved = bban + country + "00"
    value = int("".join(str(int(c, 36)) for c in moved))
    compact = f"{country}{98 - value % 97:02d}{bban}"
    return " ".join(compact[i:i + 4] for i in range(0, len(compact), 4))


def belgian_bban(bank: str, account: int) -> str:
    """A Belgian BBAN: a bank code, 7 digits, and the mod-97 check of the 10 (97 for a multiple of 97)."""
    number = int(f"{bank}{account:07d}")
    return f"{number:010d}{number % 97 or 97:02d}"


def wrong_last_digit(number: str) -> str:
    return number[:-1] + str((int(number[-1]) + 1) % 10)


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
    assume(not born_2000s or year <= THIS_YEAR_IN_CENTURY)   # nobody is born in a year still to come
    number = nrn(f"{year:02d}{month:02d}{day:02d}", f"{serial:03d}", born_2000s)
    assert "national_register" in kinds(before + number + after)


# --- python-stdnum: BIS, AVS/AHV, IBAN; check digits and birth dates ---------------------------

def test_a_national_register_number_needs_a_possible_birth_date():
    # check digits right, but month 14 does not exist, and a 2000s birth in a year to come neither
    assert not is_national_register_number(nrn("851430", "033"))
    future = THIS_YEAR_IN_CENTURY + 1
    assert not is_national_register_number(nrn(f"{future:02d}0101", "033", born_2000s=True))
    assert kinds(f"RN {nrn('851430', '033')}") == []


@pytest.mark.parametrize("number", [
    "98.47.28-997.65", "98472899765", "01 49 07 001 85", nrn("852730", "033"), nrn("104501", "002", born_2000s=True),
])
def test_a_belgian_bis_number_is_found(number):
    findings = find_personal_data(f"Numéro BIS : {number}")
    assert [(f.kind, f.excerpt) for f in findings] == [("bis_number", number)]
    assert is_bis_number(number) and not is_national_register_number(number)


@pytest.mark.parametrize("number", [
    "98.47.28-997.66",          # wrong check digits
    nrn("856730", "033"),       # month 67: neither a register (1-12) nor a BIS month (21-32, 41-52)
])
def test_a_bis_number_with_wrong_check_digits_or_month_is_not_reported(number):
    assert kinds(f"Numéro BIS : {number}") == []


@pytest.mark.parametrize("number", ["756.1234.5678.97", "7561234567897", "756 1234 5678 97", "756.9217.0769.85"])
def test_a_swiss_avs_number_is_found(number):
    findings = find_personal_data(f"N° AVS {number}, à l'Hospice général")
    assert [(f.kind, f.excerpt) for f in findings] == [("avs_number", number)]


@pytest.mark.parametrize("number", ["756.1234.5678.98", "756.9217.0769.84", "757.1234.5678.97"])
def test_an_avs_number_with_a_wrong_check_digit_or_country_is_not_reported(number):
    assert not is_avs_number(number)
    assert kinds(f"N° AVS {number}") == []


@pytest.mark.parametrize("number", [
    "BE71 0961 2345 6769", "BE71096123456769", "be71 0961 2345 6769",
    "CH93 0076 2011 6238 5295 7", "CH9300762011623852957",
    "FR14 2004 1010 0505 0001 3M02 606", "FR1420041010050500013M02606",
    "NL91 ABNA 0417 1643 00", "DE89 3704 0044 0532 0130 00",
])
def test_an_iban_of_any_country_is_found_with_or_without_spaces(number):
    findings = find_personal_data(f"Virement sur {number}. Merci")
    assert [(f.kind, f.excerpt) for f in findings] == [("iban", number)]


@pytest.mark.parametrize("number", [
    "BE71 0961 2345 6760", "BE72 0961 2345 6769", "CH93 0076 2011 6238 5295 8", "FR14 2004 1010 0505 0001 3M02 607",
    "BE68 5390 0754 7033 1",    # one digit too many for Belgium
])
def test_an_iban_with_wrong_check_digits_or_length_is_not_reported(number):
    assert not is_iban(number)
    assert "iban" not in kinds(f"Virement sur {number}")


def test_an_iban_followed_by_words_and_numbers_is_cut_where_it_ends():
    text = "Compte BE71 0961 2345 6769 et 3 enfants de 10 et 12 ans"
    assert [(f.kind, f.excerpt) for f in find_personal_data(text)] == [("iban", "BE71 0961 2345 6769")]


def test_every_kind_of_finding_in_one_text_comes_in_order():
    text = (f"RN {nrn('850730', '033')}, BIS 98.47.28-997.65, AVS 756.1234.5678.97, "
            "IBAN CH93 0076 2011 6238 5295 7, marie@example.ch, +41 22 123 45 67, rue de Lausanne 12")
    assert kinds(text) == ["national_register", "bis_number", "avs_number", "iban", "email", "phone", "address"]


@settings(max_examples=200, deadline=None)
@given(digits=st.text(alphabet="0123456789", min_size=9, max_size=9),
       sep=st.sampled_from([".", " ", ""]), before=st.sampled_from(["", "AVS ", "n° AHV: "]),
       after=st.sampled_from(["", ".", ", 3 enfants", " (Genève)"]))
def test_any_valid_avs_number_is_found_and_a_wrong_check_digit_never(digits, sep, before, after):
    number = avs(digits).replace(".", sep)
    assert "avs_number" in kinds(before + number + after)
    assert "avs_number" not in kinds(before + wrong_last_digit(number) + after)


@settings(max_examples=200, deadline=None)
@given(bank=st.sampled_from(["001", "063", "096", "310", "734", "751"]),   # banks that exist (stdnum checks it)
       account=st.integers(0, 10**7 - 1), grouped=st.booleans(),
       after=st.sampled_from(["", ".", " et 2 enfants", ", merci"]))
def test_any_valid_belgian_iban_is_found_and_a_changed_digit_never(bank, account, grouped, after):
    number = iban("BE", belgian_bban(bank, account))
    number = number if grouped else number.replace(" ", "")
    assert [(f.kind, f.excerpt) for f in find_personal_data(f"IBAN {number}{after}")
            if f.kind == "iban"] == [("iban", number)]
    assert "iban" not in kinds(f"IBAN {wrong_last_digit(number)}{after}")


PERSONA_WORDS = ["Amir", "Sofia", "a", "ans", "enfants", "depuis", "en", "Belgique", "Suisse", "CPAS", "AVS", "AI",
                 "IBAN", "BE", "CH", "FR", "permis", "B", "C", "loyer", "de", "€", "CHF", "par", "mois", "né", "le",
                 "arrivé", "chômage", "kinderen", "jaar", "years", "old", "children", "since", "art.", "60", "n°"]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(PERSONA_WORDS),
                          st.one_of(st.integers(0, 9999).map(str),
                                    st.dates(dt.date(1930, 1, 1), dt.date(2030, 12, 31)).map(
                                        lambda d: d.strftime("%d/%m/%Y")))),
                max_size=12))
def test_persona_facts_with_ages_years_amounts_and_dates_never_look_like_an_identity_or_account_number(pairs):
    text = " ".join(f"{word} {number}" for word, number in pairs)   # a number is always after a word
    assert not {"national_register", "bis_number", "avs_number", "iban"} & set(kinds(text)), text


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="0123456789", min_size=11, max_size=11))
def test_eleven_digits_are_reported_only_when_a_belgian_number_validates(digits):
    reported = set(kinds(f"numéro {digits}"))
    assert ("national_register" in reported) == is_national_register_number(digits)
    assert ("bis_number" in reported) == (is_bis_number(digits) and not is_national_register_number(digits))


# --- every warning renders its excerpt ---------------------------------------------------------

EXAMPLES = {
    "national_register": nrn("850730", "033"), "bis_number": "98.47.28-997.65", "avs_number": "756.1234.5678.97",
    "iban": "CH93 0076 2011 6238 5295 7", "email": "marie.dupont@example.be", "phone": "+32 2 512 34 56",
    "address": "rue de la Loi 16",
}


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("kind", KINDS)
def test_every_warning_shows_its_excerpt_in_every_language(kind, lang):
    [finding] = find_personal_data(f"Persona : {EXAMPLES[kind]}")
    assert finding.kind == kind
    shown = finding.message(lang)
    assert EXAMPLES[kind] in shown
    assert "{" not in shown and "}" not in shown          # no raw placeholder left
    assert shown != catalog(lang)[finding.message_key]


def test_the_excerpt_is_escaped_for_where_it_is_shown():
    finding = Finding("email", "a_b*c@example.be")
    assert finding.message_params(lambda s: s.replace("_", r"\_").replace("*", r"\*")) == {
        "excerpt": r"a\_b\*c@example.be"}
    assert r"a\_b\*c@example.be" in finding.message("fr", lambda s: s.replace("_", r"\_").replace("*", r"\*"))
